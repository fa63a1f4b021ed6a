"""The page is served at / with its assets; ``run_server`` is what ``formcheck serve`` starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography import x509
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


def test_the_guided_session_page_is_served(client: TestClient) -> None:
    page = client.get("/session")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/static/session.js"' in page.text
    for asset in ("session.js", "session.css", "live_client.js"):
        assert client.get(f"/static/{asset}").status_code == 200


def test_run_server_with_https_serves_a_certificate_for_the_served_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setenv("FORMCHECK_TLS_DIR", str(tmp_path))
    monkeypatch.setenv("FORMCHECK_ALLOWED_HOSTS", '["localhost", "192.168.1.20"]')
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))

    server.run_server(host="0.0.0.0", port=8443, https=True)

    (call,) = calls
    cert = x509.load_pem_x509_certificate(Path(call["ssl_certfile"]).read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["192.168.1.20"]
    assert Path(call["ssl_keyfile"]).stat().st_mode & 0o777 == 0o600
