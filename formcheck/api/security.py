"""The service answers only its own page: Host and Origin checks, and the browser's security headers.

formcheck serves a person's own machine. Any web page that person visits can make their
browser talk to ``127.0.0.1``: post a form to ``/analyses`` or open ``/ws/live`` (browsers
do not apply the same-origin policy to either), or reach it under its own domain name after
re-pointing DNS to 127.0.0.1 (DNS rebinding). So:

* the ``Host`` header must name an allowed host (400 otherwise; a socket is refused);
* a browser request that changes something (POST, PUT, PATCH, DELETE) or opens the live
  socket must come from an allowed origin, or carry none at all (curl, scripts, the CLI):
  a foreign ``Origin`` or ``Sec-Fetch-Site: cross-site`` gets 403, a socket a 1008 close
  with the reason;
* every HTTP answer carries a Content-Security-Policy that allows only the page's own files,
  forbids framing, and ``nosniff`` (the report page: its one inline style sheet, by hash, and
  ``data:`` pictures, nothing else).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from formcheck.api.errors import close_reason

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The page: its own script, style and data (GET /exercises, WS /ws/live); the camera preview
# is a MediaStream; the favicon is an empty data: URL.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": PAGE_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def report_policy(style: str) -> str:
    """The report page's policy: nothing but its one inline style sheet (by hash) and data: pictures."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def _host_name(host_header: str) -> str:
    """``localhost`` from ``localhost:8000``; ``::1`` from ``[::1]:8000``."""
    return (urlsplit(f"//{host_header}").hostname or "").lower()


class OwnPageOnly:
    """ASGI middleware enforcing the Host and Origin rules above, for HTTP and WebSocket alike.

    Args:
        app: the wrapped app.
        allowed_hosts: host names served (no port).
        allowed_origins: extra origins (``scheme://host[:port]``) besides any on an allowed host.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: list[str], allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed_hosts = {host.lower().strip("[]") for host in allowed_hosts}
        self.allowed_origins = {origin.lower().rstrip("/") for origin in allowed_origins}

    def origin_allowed(self, origin: str) -> bool:
        origin = origin.lower().rstrip("/")
        if origin in self.allowed_origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.allowed_hosts

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(HTTP status, reason) when the request is refused, else None."""
        headers = Headers(scope=scope)
        host = _host_name(headers.get("host", ""))
        if host not in self.allowed_hosts:
            return 400, f"host {host or '(none)'!r} is not served here (FORMCHECK_ALLOWED_HOSTS)"
        if scope["type"] == "http" and scope["method"] not in UNSAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and origin != "null" and not self.origin_allowed(origin):
            return 403, f"requests from the page {origin} are not allowed (FORMCHECK_ALLOWED_ORIGINS)"
        if origin == "null" or headers.get("sec-fetch-site") == "cross-site":
            return 403, "requests from another site's page are not allowed"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await JSONResponse({"detail": refused[1]}, status_code=refused[0])(scope, receive, send)
        else:
            # Accept, then close with the reason: a refused handshake reaches a page as a bare failure.
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1008, "reason": close_reason(refused[1])})


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every HTTP answer (``/docs`` included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items() if name.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
