"""The playground's guard (token, Host, Origin), its messages, and the app behind them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from glassnet.config import ExperimentConfig
from glassnet.serve import protocol
from glassnet.serve.app import Server, create_app, url_of
from glassnet.serve.security import Guard, is_loopback, split_host

TOKEN = "s3cret-token"
BASE = "http://127.0.0.1:8765"
#: The test client's WebSockets say "testserver" unless told.
HOST = {"host": "127.0.0.1:8765"}
WS = {**HOST, "origin": BASE, "authorization": f"token {TOKEN}"}


@pytest.fixture
def guard() -> Guard:
    return Guard(TOKEN, "127.0.0.1", 8765)


@pytest.fixture
def client(guard: Guard, tmp_path: Path):
    server = Server(ExperimentConfig(), guard, tmp_path)
    with TestClient(create_app(server), base_url=BASE) as client:
        client.server = server  # type: ignore[attr-defined]
        yield client


# --------------------------------------------------------------------------- the guard


def test_hosts(guard: Guard) -> None:
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST:8765"):
        assert guard.host_allowed(host), host
    for host in ("evil.example:8765", "127.0.0.1:8766", "127.0.0.1", "", None, "[::1", "a:b"):
        assert not guard.host_allowed(host), host
    wildcard = Guard(TOKEN, "0.0.0.0", 8765)
    assert wildcard.host_allowed("192.168.1.20:8765")
    assert not wildcard.host_allowed("rebound.example:8765")
    assert split_host("[::1]:80") == ("::1", 80)
    assert is_loopback("127.0.0.2") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_origins(guard: Guard) -> None:
    assert guard.origin_allowed(None)
    assert guard.origin_allowed("http://127.0.0.1:8765")
    assert guard.origin_allowed("http://localhost:8765")
    for origin in ("http://evil.example", "https://127.0.0.1:8765", "null", "http://127.0.0.1:9"):
        assert not guard.origin_allowed(origin), origin


def test_tokens(guard: Guard) -> None:
    assert guard.token_of("token=abc", None, None) == ("abc", True)
    assert guard.token_of("", "glassnet-token-8765=abc", None) == ("abc", False)
    assert guard.token_of("", "glassnet-token-9999=abc", None) == (None, False)
    assert guard.token_of("", None, "token abc") == ("abc", False)
    assert guard.check("127.0.0.1:8765", None, f"token={TOKEN}", None, None) == (None, True)
    reason, _ = guard.check("127.0.0.1:8765", None, "token=nope", None, None)
    assert reason is not None and "wrong token" in reason
    assert url_of("0.0.0.0", 8765, "t") == "http://127.0.0.1:8765/?token=t"


# --------------------------------------------------------------------------- HTTP


def test_every_request_needs_the_token(client: TestClient) -> None:
    for path in ("/", "/static/playground.js", "/static/playground.css", "/files/x/y"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "no token" in answer.text
    assert client.get("/?token=wrong").status_code == 403
    assert client.post("/upload?session=x", content=b"1,2").status_code == 403


def test_the_token_in_the_url_once_then_the_cookie(client: TestClient) -> None:
    page = client.get(f"/?token={TOKEN}")
    assert page.status_code == 200
    assert 'data-testid="arithmetic"' in page.text
    assert "glassnet-token-8765" in page.headers["set-cookie"]
    assert (
        "HttpOnly" in page.headers["set-cookie"] and "SameSite=Strict" in page.headers["set-cookie"]
    )
    assert "default-src 'none'" in page.headers["content-security-policy"]
    script = client.get("/static/playground.js")  # the cookie, no query
    assert script.status_code == 200 and "use strict" in script.text
    assert client.get("/static/../session.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_a_foreign_host_or_origin_is_refused(client: TestClient) -> None:
    assert client.get(f"/?token={TOKEN}", headers={"host": "evil.example"}).status_code == 403
    answer = client.get(f"/?token={TOKEN}", headers={"host": "evil.example:8765"})
    assert answer.status_code == 403 and "Host" in answer.text
    answer = client.get(f"/?token={TOKEN}", headers={"origin": "http://evil.example"})
    assert answer.status_code == 403
    headers = {"authorization": f"token {TOKEN}"}
    assert client.get("/static/playground.css", headers=headers).status_code == 200


# --------------------------------------------------------------------------- the WebSocket


def _messages(ws, until: str) -> list[dict]:
    seen = []
    while True:
        message = json.loads(ws.receive_text())
        seen.append(message)
        if message["type"] == until:
            return seen


def test_a_websocket_needs_the_token_and_our_origin(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=HOST) as ws:
        ws.receive_text()
    headers = {**WS, "origin": "http://evil.example"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=headers) as ws:
        ws.receive_text()


def test_a_session_over_the_websocket(client: TestClient) -> None:
    headers = {"origin": BASE, "authorization": f"token {TOKEN}"}
    with client.websocket_connect("/ws", headers=WS) as ws:
        hello, setup, frame = _messages(ws, "frame")
        assert hello["type"] == "hello" and setup["type"] == "setup"
        assert frame["iteration"] == 0 and frame["weights"][0][0][0] == pytest.approx(0.39293837)
        ws.send_text(json.dumps({"type": "step", "count": 1}))
        frame = _messages(ws, "frame")[-1]
        assert frame["iteration"] == 1
        ws.send_text(json.dumps({"type": "select", "part": "W0[0,0]"}))
        panel = _messages(ws, "arithmetic")[-1]
        assert ".6742 + .2352 = .9095" in " ".join(panel["text"].split())
        ws.send_text(json.dumps({"type": "configure", "settings": {"learning_rate": -1}}))
        notice = _messages(ws, "notice")[-1]
        assert "learning_rate" in notice["message"]
        # an upload for this session: too large, then malformed, then good
        session = hello["session"]
        big = client.post(f"/upload?session={session}", content=b"0" * 11_000_000, headers=headers)
        assert big.status_code == 413 and "more than the 10 MB accepted" in big.json()["error"]
        bad = client.post(
            f"/upload?session={session}",
            content=b"a,b\n1,x\n",
            headers={**headers, "x-filename": "bad%20one.csv"},
        )
        assert bad.status_code == 400 and "'bad one.csv'" in bad.json()["error"]
        good = client.post(
            f"/upload?session={session}", content=b"a,b\n1,0\n0,1\n", headers=headers
        )
        assert good.json() == {"ok": True}
        setups = [_messages(ws, "setup")[-1] for _ in range(3)]  # refused settings, bad upload
        assert [m["settings"]["dataset"] for m in setups] == ["trask", "trask", "csv"]


def test_a_malformed_message_ends_only_its_session(client: TestClient) -> None:
    headers = {"origin": BASE, "authorization": f"token {TOKEN}"}
    with client.websocket_connect("/ws", headers=WS) as other:
        _messages(other, "frame")
        with client.websocket_connect("/ws", headers=WS) as ws:
            _messages(ws, "frame")
            ws.send_text("{not json")
            error = _messages(ws, "error")[-1]
            assert error["fatal"] and "JSON" in error["message"]
            with pytest.raises(WebSocketDisconnect):
                ws.receive_text()
        other.send_text(json.dumps({"type": "step", "count": 10}))
        assert _messages(other, "frame")[-1]["iteration"] == 10
    assert client.get("/static/playground.css", headers=headers).status_code == 200


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"type": "fly"}',
        '{"type": "step"}',
        '{"type": "step", "count": 0}',
        '{"type": "step", "count": true}',
        '{"type": "step", "count": 1, "extra": 2}',
        '{"type": "edit", "target": "W0[0,0]", "value": "1"}',
        '{"type": "configure", "settings": {"hidden": "3"}}',
        '{"type": "configure", "settings": {"path": "/etc/passwd"}}',
        '{"type": "point", "x": 1, "y": 2, "label": 2}',
        "[" * 100_000,
    ],
)
def test_malformed_messages(text: str) -> None:
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.parse(text)
    assert "\n" not in str(caught.value)


def test_messages() -> None:
    assert protocol.parse('{"type": "step", "count": 10}').fields == {"count": 10}
    command = protocol.parse(
        '{"type": "configure", "settings": {"hidden": [4, 2], "batch_size": null, "noise": 0.1}}'
    )
    assert command.fields["settings"] == {"hidden": [4, 2], "batch_size": None, "noise": 0.1}
    assert protocol.parse('{"type": "select", "part": null}').fields == {"part": None}
