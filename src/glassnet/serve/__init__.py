"""The live playground: ``glassnet serve`` trains in the browser, every number clickable.

``glassnet serve [EXPERIMENT.toml] [--port N] [--host 127.0.0.1] [--no-browser]``
starts a local web server (Starlette on uvicorn) and opens its page. Each
browser tab is one :class:`~glassnet.serve.session.Session`: its own
experiment, its own live run, trained in the server by the same engines as
``glassnet run`` (the compiled one where numba works), at full speed, with at
most 30 frames a second sent to the page over a WebSocket.

Modules
-------
session     one tab's experiment and live run: train, replay, edit, export (no web code)
arithmetic  the explainer's text for one weight or one unit
protocol    the messages the page sends, checked (a malformed one ends its session)
security    the token, and the Host and Origin checks
app         the Starlette application, the WebSocket loop and :func:`run_server`
static/     the page: plain HTML, CSS and JavaScript, nothing fetched from elsewhere

Limits (per session unless said otherwise)
------------------------------------------
=========================  ===========  =============================================
limit                      value        why
=========================  ===========  =============================================
iterations                 10,000,000   a run keeps its whole history (16 bytes an
                                        iteration: 160 MB at the limit) for exact
                                        replay, the report and the export
hidden layers              6            the diagram and the explainer stay readable
units per hidden layer     32
parameters                 20,000       weights and biases, data's columns included
examples                   10,000       every iteration uses every example
open sessions (server)     8            each may hold a run at the limit
upload                     10 MB        a CSV, read by glassnet's CSV reader
message from the page      1 MB         (the WebSocket closes on a larger one)
=========================  ===========  =============================================

Security
--------
The server binds 127.0.0.1 unless ``--host`` says otherwise (then it warns).
Every HTTP request and WebSocket must carry the per-launch token (in the
URL's ``token`` query once; the page then holds it in a cookie, or a client
sends ``Authorization: token ...``); the Host header must name the served
address and an Origin header, when present, the same (against DNS rebinding
and cross-site WebSocket hijacking); anything else gets 403. Nothing the page
sends names a file on the server: uploads are written under names the
server picks, exports and reports are served by random ids.
"""

from __future__ import annotations

__all__: list[str] = []
