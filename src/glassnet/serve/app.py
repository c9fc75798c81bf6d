"""The playground's web application: Starlette routes, one WebSocket per tab, :func:`run_server`.

Routes (every one behind :class:`GuardMiddleware`: token, Host and Origin)::

    GET  /                     the page (sets the token's cookie when the URL carries it)
    GET  /static/NAME          the page's script and style sheet (a fixed list, packaged)
    WS   /ws                   one session: messages of :mod:`glassnet.serve.protocol`
    POST /upload?session=ID    a CSV for that session (at most 10 MB), its bytes as the body
    GET  /files/ID/NAME        an export or a report the server wrote (ID: random, the server's)

Each WebSocket gets a :class:`Controller` with its own
:class:`~glassnet.serve.session.Session` and a one-thread executor: every
call into the session runs there, one at a time, in order, so the session
needs no locks. While playing, training runs in slices of about
:data:`SLICE_SECONDS` (numba's kernels hold the GIL, so the event loop
answers between slices), and a frame goes to the page at most
:data:`MAX_FPS` times a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import secrets
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from glassnet.config import ExperimentConfig
from glassnet.errors import FileError, GlassnetError
from glassnet.serve import protocol
from glassnet.serve.security import Guard, is_loopback, new_token
from glassnet.serve.session import DATASETS, LIMITS, Limits, Session, SessionError

#: Frames sent to a page per second, at most.
MAX_FPS = 30
#: Seconds of training per slice while playing (the event loop answers between slices).
SLICE_SECONDS = 0.03
#: How often the open arithmetic panel follows a playing run, in seconds.
ARITHMETIC_EVERY = 1.0
#: Sessions (tabs) open at once.
MAX_SESSIONS = 8
#: Bytes of one message from the page; a larger one closes its WebSocket.
MAX_MESSAGE_BYTES = 1_000_000

STATIC = {
    "playground.js": "text/javascript; charset=utf-8",
    "playground.css": "text/css; charset=utf-8",
}

#: Headers of every page answer: nothing from elsewhere, no framing, no Referer with the token.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def _asset(name: str) -> bytes:
    return resources.files("glassnet.serve").joinpath("static", name).read_bytes()


def _json(message: dict[str, Any]) -> str:
    """``message`` as JSON; non-finite floats (a diverged run's) become ``null``."""
    try:
        return json.dumps(message, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_finite(message), allow_nan=False, separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _display_name(header: str | None) -> str:
    """An uploaded file's name as the page gave it, for messages only (never a path here)."""
    name = unquote(header or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:100]
    return name or "upload.csv"


@dataclass
class ServedFile:
    path: Path
    media_type: str
    name: str
    owner: str


@dataclass
class Server:
    """What the routes share: the starting experiment, the sessions, the files written."""

    config: ExperimentConfig
    guard: Guard
    folder: Path
    limits: Limits = LIMITS
    sessions: dict[str, Controller] = field(default_factory=dict)
    files: dict[str, ServedFile] = field(default_factory=dict)

    def register(self, path: Path, media_type: str, name: str, owner: str) -> str:
        """Serve ``path`` under a new random id; return the URL (relative to the page)."""
        fid = secrets.token_urlsafe(16)
        self.files[fid] = ServedFile(path, media_type, name, owner)
        return f"files/{fid}/{name}"


class GuardMiddleware:
    """Refuse (403) every request or WebSocket without the token, or with a foreign Host or
    Origin; set the token's cookie on an answer to a URL that carried it."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [v for k, v in scope["headers"] if k.lower() == b"host"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        reason, set_cookie = self.guard.check(
            headers.get("host") if len(hosts) == 1 else None,
            headers.get("origin"),
            scope.get("query_string", b"").decode("latin-1"),
            headers.get("cookie"),
            headers.get("authorization"),
        )
        if reason is not None:
            if scope["type"] == "websocket":
                message = await receive()
                if message["type"] == "websocket.connect":
                    await send({"type": "websocket.close", "code": 1008})
                return
            await PlainTextResponse(f"403 Forbidden: {reason}.\n", status_code=403)(
                scope, receive, send
            )
            return
        if set_cookie and scope["type"] == "http":
            cookie = self.guard.set_cookie().encode("latin-1")

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message["headers"], (b"set-cookie", cookie)]}
                await send(message)

            await self.app(scope, receive, send_with_cookie)
            return
        await self.app(scope, receive, send)


class Controller:
    """One tab: its session, its executor, its player; messages in, frames out."""

    def __init__(self, server: Server, websocket: WebSocket) -> None:
        self.server = server
        self.websocket = websocket
        self.id = secrets.token_urlsafe(16)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="glassnet-session")
        self.session: Session | None = None
        self.playing = False
        self.speed = 0
        self.part: str | None = None
        self.player: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self.last_frame = 0.0
        self.last_arithmetic = 0.0
        self.send_lock = asyncio.Lock()
        self.closed = False

    # ---------------------------------------------------------------- plumbing

    async def call(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run ``func(*args)`` in the session's thread, after what is queued there."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    @property
    def s(self) -> Session:
        assert self.session is not None
        return self.session

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        async with self.send_lock:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await self.websocket.send_text(_json(message))

    async def notice(self, text: str) -> None:
        await self.send({"type": "notice", "message": text})

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def send_frame(self, *, wait: bool = True) -> None:
        """The shown iteration, at most :data:`MAX_FPS` frames a second."""
        loop = asyncio.get_running_loop()
        early = self.last_frame + 1 / MAX_FPS - loop.time()
        if early > 0:
            if not wait:
                return
            await asyncio.sleep(early)
        self.last_frame = loop.time()
        frame = await self.call(self.s.frame)
        frame["playing"] = self.playing
        await self.send(frame)

    async def send_arithmetic(self) -> None:
        if self.part is None:
            return
        self.last_arithmetic = asyncio.get_running_loop().time()
        part = self.part
        try:
            message = await self.call(self.s.arithmetic, part)
        except GlassnetError as exc:
            self.part = None
            await self.notice(str(exc))
            return
        if part == self.part:
            await self.send(message)

    async def send_setup(self) -> None:
        setup = await self.call(self.s.setup)
        await self.send({"type": "setup", **setup})

    # ---------------------------------------------------------------- the loop

    async def run(self) -> None:
        try:
            self.session = await self.call(
                lambda: Session(
                    self.server.config,
                    folder=self.server.folder / self.id,
                    limits=self.server.limits,
                )
            )
        except GlassnetError as exc:
            await self.fail(str(exc))
            return
        self.spawn(self.warm_up())
        await self.send(
            {
                "type": "hello",
                "session": self.id,
                "options": options(),
                "limits": {
                    "iterations": self.server.limits.iterations,
                    "upload_bytes": self.server.limits.upload_bytes,
                    "hidden_layers": self.server.limits.hidden_layers,
                    "units": self.server.limits.units,
                },
            }
        )
        await self.send_setup()
        await self.send_frame()
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None or len(text) > MAX_MESSAGE_BYTES:
                await self.fail("a message must be JSON text of at most 1 MB.")
                return
            try:
                command = protocol.parse(text)
            except protocol.ProtocolError as exc:
                await self.fail(str(exc))
                return
            try:
                await self.handle(command)
            except GlassnetError as exc:
                await self.notice(str(exc))
                if command.type in ("configure", "point", "new_seed"):
                    await self.send_setup()

    async def warm_up(self) -> None:
        """Load the engine's kernel before the first step needs it (a failure shows then)."""
        with contextlib.suppress(Exception):
            await self.call(self.s.warm_up)

    async def fail(self, text: str) -> None:
        """A malformed message: tell the page, end this session (only)."""
        await self.send({"type": "error", "message": text, "fatal": True})
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self.websocket.close(code=1008)

    async def close(self) -> None:
        self.playing = False
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        if self.player is not None:
            self.player.cancel()
        for fid in [f for f, served in self.server.files.items() if served.owner == self.id]:
            del self.server.files[fid]
        if self.session is not None:
            with contextlib.suppress(Exception):
                await self.call(self.session.close)
        else:
            shutil.rmtree(self.server.folder / self.id, ignore_errors=True)
        self.executor.shutdown(wait=False, cancel_futures=True)

    # ---------------------------------------------------------------- commands

    async def pause(self) -> None:
        self.playing = False
        if self.player is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.player
            self.player = None

    async def show(self, *, setup: bool = False) -> None:
        if setup:
            await self.send_setup()
        await self.send_frame()
        await self.send_arithmetic()

    async def handle(self, command: protocol.Command) -> None:
        kind, f = command.type, command.fields
        if kind == "play":
            if not self.playing:
                self.playing = True
                self.player = asyncio.create_task(self.play())
        elif kind == "pause":
            await self.pause()
        elif kind == "speed":
            self.speed = f["value"]
        elif kind == "step":
            await self.pause()
            await self.call(self.s.train, f["count"])
            await self.show()
        elif kind == "reset":
            await self.pause()
            await self.call(self.s.reset)
            await self.show()
        elif kind == "new_seed":
            await self.pause()
            await self.call(self.s.new_seed)
            await self.show(setup=True)
        elif kind == "scrub":
            await self.pause()
            await self.call(self.s.scrub, min(f["iteration"], self.s.iteration))
            await self.show()
        elif kind == "select":
            self.part = f["part"]
            await self.send_arithmetic()
        elif kind == "edit":
            await self.call(self.s.edit, f["target"], f["value"])
            if not self.playing:
                await self.show()
        elif kind == "configure":
            await self.pause()
            self.part = None
            await self.call(self.s.configure, f["settings"])
            self.spawn(self.warm_up())
            await self.show(setup=True)
        elif kind == "point":
            await self.pause()
            self.part = None
            await self.call(self.s.add_point, f["x"], f["y"], f["label"])
            await self.show(setup=True)
        elif kind == "export":
            self.spawn(self.write_file("export"))
        elif kind == "report":
            self.spawn(self.write_file("report"))

    async def play(self) -> None:
        """Train slice after slice until paused; a frame whenever one is due."""
        loop = asyncio.get_running_loop()
        size = 256
        owed = 0.0
        try:
            while self.playing:
                started = loop.time()
                if self.speed:
                    owed += self.speed / MAX_FPS
                    want = int(owed)
                    owed -= want
                else:
                    want = size
                if want:
                    try:
                        done = await self.call(self.s.train, want)
                    except SessionError as exc:
                        self.playing = False
                        await self.notice(str(exc))
                        break
                    took = loop.time() - started
                    if not self.speed and done == want:
                        size = max(1, min(size * 8, int(size * SLICE_SECONDS / max(took, 1e-4))))
                    if self.s.stop is not None:
                        self.playing = False
                        await self.notice(
                            f"the loss is not finite at iteration #{self.s.stop.iteration}: "
                            "the run stopped. Reset, or try a smaller learning rate."
                        )
                        break
                await self.send_frame(wait=False)
                now = loop.time()
                if self.part is not None and now - self.last_arithmetic >= ARITHMETIC_EVERY:
                    await self.send_arithmetic()
                if self.speed:
                    await asyncio.sleep(max(0.0, 1 / MAX_FPS - (loop.time() - started)))
                else:
                    await asyncio.sleep(0)
        finally:
            self.playing = False
            if not self.closed:
                await self.send_frame()
                await self.send_arithmetic()

    async def write_file(self, kind: str) -> None:
        """Write an export (zip) or a report (HTML) in the session's folder; send its URL."""
        await self.notice("writing the export..." if kind == "export" else "writing the report...")
        stem = secrets.token_hex(8)
        folder = self.server.folder / self.id
        try:
            if kind == "export":
                path = await self.call(self.s.export, folder / f"export-{stem}.zip")
                url = self.server.register(
                    path, "application/zip", "glassnet-playground.zip", self.id
                )
            else:
                path = await self.call(self.s.report, folder / f"report-{stem}.html")
                url = self.server.register(path, "text/html; charset=utf-8", "report.html", self.id)
        except GlassnetError as exc:
            await self.notice(str(exc))
            return
        await self.send({"type": "file", "kind": kind, "url": url})


def options() -> dict[str, Any]:
    """The choices the page offers, from the core's own tables."""
    from glassnet.activations import ACTIVATIONS
    from glassnet.data.planar import FEATURES, PLANAR_DATASETS
    from glassnet.losses import LOSSES
    from glassnet.network import allowed_hidden
    from glassnet.optimizers import OPTIMIZERS

    return {
        "datasets": list(DATASETS),
        "planar": list(PLANAR_DATASETS),
        "features": list(FEATURES),
        "hidden_activations": [n for n, a in ACTIVATIONS.items() if allowed_hidden(a)],
        "output_activations": list(ACTIVATIONS),
        "losses": list(LOSSES),
        "optimizers": list(OPTIMIZERS),
    }


# -------------------------------------------------------------------- routes


async def index(request: Request) -> Response:
    return Response(
        _asset("index.html"), media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
    )


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return PlainTextResponse("404 Not Found\n", status_code=404)
    return Response(_asset(name), media_type=STATIC[name], headers=PAGE_HEADERS)


async def websocket_endpoint(websocket: WebSocket) -> None:
    server: Server = websocket.app.state.server
    await websocket.accept()
    if len(server.sessions) >= MAX_SESSIONS:
        await websocket.send_text(
            _json(
                {
                    "type": "error",
                    "fatal": True,
                    "message": f"the playground serves at most {MAX_SESSIONS} tabs at once; "
                    "close one and reload this page.",
                }
            )
        )
        await websocket.close(code=1013)
        return
    controller = Controller(server, websocket)
    server.sessions[controller.id] = controller
    try:
        await controller.run()
    except WebSocketDisconnect:
        pass
    finally:
        del server.sessions[controller.id]
        await controller.close()


async def upload(request: Request) -> Response:
    server: Server = request.app.state.server
    controller = server.sessions.get(request.query_params.get("session", ""))
    if controller is None or controller.session is None:
        return JSONResponse({"error": "no such session: reload the page."}, status_code=404)
    name = _display_name(request.headers.get("x-filename"))
    cap = server.limits.upload_bytes
    too_large = JSONResponse(
        {
            "error": f"upload {name!r}: is larger than the {cap / 1e6:g} MB accepted; "
            "use a sample of the rows."
        },
        status_code=413,
    )
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        return JSONResponse(
            {
                "error": f"upload {name!r}: is {int(length) / 1e6:.1f} MB, more than the "
                f"{cap / 1e6:g} MB accepted; use a sample of the rows."
            },
            status_code=413,
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return too_large
        chunks.append(chunk)
    await controller.pause()
    try:
        await controller.call(controller.s.load_csv, b"".join(chunks), name)
    except GlassnetError as exc:
        await controller.send_setup()
        return JSONResponse({"error": str(exc)}, status_code=400)
    controller.part = None
    await controller.show(setup=True)
    return JSONResponse({"ok": True})


async def served_file(request: Request) -> Response:
    server: Server = request.app.state.server
    served = server.files.get(request.path_params["fid"])
    if served is None or not served.path.is_file():
        return PlainTextResponse("404 Not Found: no such file (it ends with its tab)\n", 404)
    disposition = "inline" if served.media_type.startswith("text/html") else "attachment"
    return FileResponse(
        served.path,
        media_type=served.media_type,
        filename=served.name,
        content_disposition_type=disposition,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def create_app(server: Server) -> ASGIApp:
    """The application: routes behind :class:`GuardMiddleware`."""
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/static/{name}", static),
            WebSocketRoute("/ws", websocket_endpoint),
            Route("/upload", upload, methods=["POST"]),
            Route("/files/{fid}/{name}", served_file),
        ]
    )
    app.state.server = server
    return GuardMiddleware(app, server.guard)


# -------------------------------------------------------------------- the server


def check_experiment(config: ExperimentConfig, folder: Path) -> None:
    """Refuse (one line) an experiment the playground cannot start with."""
    probe = Session(config, folder=folder / "check")
    probe.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free one); one-line error if not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise FileError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); pass another --port "
            f"(--port 0 picks a free one) or --host."
        ) from None
    return sock


def url_of(host: str, port: int, token: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/?token={token}"


def run_server(
    config: ExperimentConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    on_ready: Callable[[str], None] | None = None,
    limits: Limits = LIMITS,
) -> None:
    """Serve the playground until interrupted (Ctrl-C or SIGTERM).

    Binds ``host:port`` first, then calls ``on_ready`` with the URL (which
    carries a new random token) and opens it in the browser if asked.
    """
    import uvicorn

    folder = Path(tempfile.mkdtemp(prefix="glassnet-serve-"))
    try:
        check_experiment(config, folder)
        sock = listen(host, port)
        port = sock.getsockname()[1]
        token = new_token()
        guard = Guard(token, host, port)
        server = Server(config, guard, folder, limits)
        app = create_app(server)
        url = url_of(host, port, token)
        uvicorn_config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws_max_size=MAX_MESSAGE_BYTES + 1024,
            timeout_graceful_shutdown=2,
            server_header=False,
        )
        if on_ready is not None:
            on_ready(url)
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        uvicorn.Server(uvicorn_config).run(sockets=[sock])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["create_app", "is_loopback", "run_server"]
