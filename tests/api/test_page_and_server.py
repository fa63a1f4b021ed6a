"""The page is served at / with its assets; ``run_server`` is what ``formcheck serve`` starts."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from formcheck.api import server


def test_page_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    script = client.get("/static/app.js")
    style = client.get("/static/style.css")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for test_id in ("rep-count", "cue", "status", "exercise", "mute", "summary"):
        assert f'data-testid="{test_id}"' in page.text
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


def test_run_server_serves_the_app_with_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setenv("FORMCHECK_MAX_FRAME_BYTES", "1000")
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))

    server.run_server(host="127.0.0.1", port=8123)

    (call,) = calls
    assert isinstance(call["app"], FastAPI)
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    assert call["ws_max_size"] > 1000 + 8, "frames just over the cap reach the app, which closes with a reason"
