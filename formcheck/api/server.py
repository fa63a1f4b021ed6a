"""``formcheck serve``: the app under uvicorn."""

from __future__ import annotations

import copy
from pathlib import Path

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from formcheck.api.live_stream import FRAME_HEADER
from formcheck.api.main import create_app
from formcheck.api.settings import load_settings
from formcheck.api.tls import self_signed_certificate

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def run_server(host: str = "127.0.0.1", port: int = 8000, https: bool = False) -> None:
    """Serve the API and the live page until interrupted.

    Args:
        host: address to listen on (loopback by default: the camera page is for this machine).
        port: port to listen on.
        https: serve over TLS with a self-signed certificate (``formcheck.api.tls``) for the allowed host names
            and ``host``: a phone opens its camera only on a secure page.

    Raises:
        FormcheckError: a ``FORMCHECK_*`` setting has a bad value.
    """
    settings = load_settings()
    # The WebSocket layer refuses absurd messages itself; frames up to twice the cap still reach
    # the app, which closes with 1009 and a reason the page can show.
    ws_max_bytes = 2 * (settings.max_frame_bytes + FRAME_HEADER.size)
    # formcheck's own warnings (refused sessions, failed jobs) go where uvicorn's go: stderr.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["formcheck"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    cert_path: Path | None = None
    key_path: Path | None = None
    if https:
        names = [*settings.allowed_hosts, *([host] if host not in WILDCARD_HOSTS else [])]
        cert_path, key_path = self_signed_certificate(settings.tls_dir, names)
    uvicorn.run(
        create_app(settings), host=host, port=port, ws_max_size=ws_max_bytes, log_level="info", log_config=log_config,
        ssl_certfile=cert_path, ssl_keyfile=key_path,
    )
