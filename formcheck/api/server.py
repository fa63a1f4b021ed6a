"""``formcheck serve``: the app under uvicorn."""

from __future__ import annotations

import copy

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from formcheck.api.live_stream import FRAME_HEADER
from formcheck.api.main import create_app
from formcheck.api.settings import load_settings


def run_server(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API and the live page until interrupted.

    Args:
        host: address to listen on (loopback by default: the camera page is for this machine).
        port: port to listen on.

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
    uvicorn.run(
        create_app(settings), host=host, port=port, ws_max_size=ws_max_bytes, log_level="info", log_config=log_config
    )
