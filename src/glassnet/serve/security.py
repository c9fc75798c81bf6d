"""Who may talk to the playground: the token, and the Host and Origin checks.

A local server is an attack surface: any web page the user visits can send
requests to ``127.0.0.1``. So, as Jupyter does:

* every HTTP request and WebSocket carries the per-launch token (the URL's
  ``token`` query, a cookie the page gets with its first answer, or an
  ``Authorization: token ...`` header); without it the answer is 403;
* the Host header must name the address served (against DNS rebinding: a
  hostile domain that resolves to 127.0.0.1 still sends its own name);
* an Origin header, when present, must be that address too (against
  cross-site WebSocket hijacking and cross-site uploads).

:class:`Guard` decides; the web application only asks it.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

#: Names that always mean this machine.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Addresses that mean "every interface".
WILDCARDS = ("0.0.0.0", "::", "")


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, int | None] | None:
    """``("127.0.0.1", 8765)`` from a Host header ``127.0.0.1:8765`` (``[::1]:8765`` too);
    the port is ``None`` when absent; ``None`` for a malformed header."""
    value = value.strip().lower()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else ""
    else:
        name, _, port_text = value.partition(":")
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return None
        return name, int(port_text)
    return name, None


@dataclass(frozen=True)
class Guard:
    """The token and the address the server answers on.

    ``host`` is the address bound (``127.0.0.1`` by default); ``port`` the
    port. When ``host`` is a wildcard (``0.0.0.0``), a Host header may also
    be any IP address or this machine's name: an IP address cannot be
    rebound, and the token is still required.
    """

    token: str
    host: str
    port: int
    extra_names: tuple[str, ...] = field(default=())

    @property
    def cookie_name(self) -> str:
        """The cookie holding the token (per port: cookies do not tell ports apart)."""
        return f"glassnet-token-{self.port}"

    def names(self) -> set[str]:
        """The host names a request may use."""
        names = {*LOOPBACK_NAMES, self.host.lower().strip("[]"), *self.extra_names}
        if self.host in WILDCARDS:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        return names

    def host_allowed(self, header: str | None) -> bool:
        """Whether a Host header (``name:port``) names this server."""
        if not header:
            return False
        parsed = split_host(header)
        if parsed is None:
            return False
        name, port = parsed
        if (port or 80) != self.port:
            return False
        if name in self.names():
            return True
        if self.host in WILDCARDS:
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True
        return False

    def origin_allowed(self, origin: str | None) -> bool:
        """Whether an Origin header (``http://name:port``) is this server (absent: allowed)."""
        if origin is None:
            return True
        parts = urlsplit(origin.strip())
        if parts.scheme != "http" or not parts.netloc or parts.path not in ("", "/"):
            return False
        return self.host_allowed(parts.netloc)

    def token_ok(self, candidate: str | None) -> bool:
        return candidate is not None and secrets.compare_digest(
            candidate.encode("utf-8", "replace"), self.token.encode()
        )

    def token_of(
        self, query: str, cookie_header: str | None, authorization: str | None
    ) -> tuple[str | None, bool]:
        """The token a request carries, and whether it came in the URL's query."""
        values = parse_qs(query, keep_blank_values=True).get("token")
        if values:
            return values[-1], True
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() in ("token", "bearer") and value.strip():
                return value.strip(), False
        if cookie_header:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(cookie_header)
            except CookieError:
                return None, False
            morsel = cookie.get(self.cookie_name)
            if morsel is not None:
                return morsel.value, False
        return None, False

    def check(
        self,
        host: str | None,
        origin: str | None,
        query: str,
        cookie_header: str | None,
        authorization: str | None,
    ) -> tuple[str | None, bool]:
        """Why a request is refused (``None``: it is not), and whether to set the cookie."""
        if not self.host_allowed(host):
            return f"the Host header {host!r} does not name this server", False
        if not self.origin_allowed(origin):
            return f"requests from {origin!r} are not accepted", False
        token, in_query = self.token_of(query, cookie_header, authorization)
        if not self.token_ok(token):
            reason = "no token" if token is None else "a wrong token"
            return (
                f"{reason}: open the URL glassnet serve printed (it carries the token)",
                False,
            )
        return None, in_query

    def set_cookie(self) -> str:
        """The Set-Cookie header value that keeps the token for the page's later requests."""
        return f"{self.cookie_name}={self.token}; Path=/; HttpOnly; SameSite=Strict"
