"""The service answers only its own page, and every cap refuses with its reason.

Host and Origin allow-lists, cross-site uploads, the live-session, idle, pixel and queue caps,
the security headers, /docs from local files, and uploads left by a stopped server.
"""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from api_support import frame_message, receive_close
from fastapi.testclient import TestClient

from formcheck.api.main import create_app
from formcheck.api.settings import Settings

EVIL = "https://evil.example"


def _jpeg(width: int, height: int) -> bytes:
    ok, jpeg = cv2.imencode(".jpg", np.full((height, width, 3), 128, np.uint8))
    assert ok
    return jpeg.tobytes()


def test_a_foreign_host_is_refused(make_client: Any) -> None:
    client = make_client(allowed_hosts=["localhost"])
    response = client.get("/exercises", headers={"host": "rebound.evil.example:8000"})
    assert response.status_code == 400
    assert response.json() == {"detail": "host 'rebound.evil.example' is not served here (FORMCHECK_ALLOWED_HOSTS)"}
    assert client.get("/exercises", headers={"host": "localhost:8000"}).status_code == 200
    # The test client's socket always says Host: testserver, which is not on this list.
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        code, reason = receive_close(ws)
    assert (code, reason) == (1008, "host 'testserver' is not served here (FORMCHECK_ALLOWED_HOSTS)")


def test_a_socket_from_another_page_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/live?exercise=squat", headers={"origin": EVIL}) as ws:
        code, reason = receive_close(ws)
    assert code == 1008
    assert reason == f"requests from the page {EVIL} are not allowed (FORMCHECK_ALLOWED_ORIGINS)"
    with client.websocket_connect("/ws/live?exercise=squat", headers={"origin": "http://localhost:8000"}) as ws:
        assert ws.receive_json()["type"] == "ready"


def test_an_extra_origin_can_be_allowed(make_client: Any) -> None:
    client = make_client(allowed_origins=["https://coach.example"])
    with client.websocket_connect("/ws/live?exercise=squat", headers={"origin": "https://coach.example"}) as ws:
        assert ws.receive_json()["type"] == "ready"


def test_a_cross_site_upload_is_refused_and_not_kept(client: TestClient, squat_clip: Path, tmp_path: Path) -> None:
    files = {"file": ("squat.mp4", squat_clip.read_bytes(), "video/mp4")}
    for headers in ({"origin": EVIL}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}):
        response = client.post("/analyses", files=files, data={"exercise": "squat"}, headers=headers)
        assert response.status_code == 403, headers
        assert isinstance(response.json()["detail"], str)
    assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").iterdir())
    same_page = client.post("/analyses", files=files, data={"exercise": "squat"}, headers={"origin": "http://127.0.0.1:8000"})
    assert same_page.status_code == 202


def test_live_sessions_past_the_cap_close_with_1013(make_client: Any) -> None:
    client = make_client(max_live_sessions=1)
    with client.websocket_connect("/ws/live?exercise=squat") as first:
        assert first.receive_json()["type"] == "ready"
        with client.websocket_connect("/ws/live?exercise=squat") as second:
            code, reason = receive_close(second)
        assert (code, reason) == (1013, "1 live sessions are already running on this machine; try again later")
    with client.websocket_connect("/ws/live?exercise=squat") as third:  # the slot came back
        assert third.receive_json()["type"] == "ready"


def test_an_idle_session_is_closed_with_the_reason(make_client: Any) -> None:
    client = make_client(live_idle_s=0.5)
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        assert ws.receive_json()["type"] == "ready"
        started = time.monotonic()
        code, reason = receive_close(ws)
    assert (code, reason) == (1008, "no frame for 0.5 s: the session is closed")
    assert time.monotonic() - started < 10


def test_a_frame_over_the_pixel_cap_closes_with_the_reason_before_decoding(client: TestClient) -> None:
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(frame_message(1000, _jpeg(8200, 2100)))
        code, reason = receive_close(ws)
    assert code == 1008
    assert reason.startswith("frame 1: the picture is 8200x2100 px: too large")


def test_uploads_past_the_queue_cap_get_503_with_retry_after(make_client: Any, squat_clip: Path, tmp_path: Path) -> None:
    client = make_client(max_queued_jobs=1)
    files = {"file": ("squat.mp4", squat_clip.read_bytes(), "video/mp4")}
    statuses = []
    for _ in range(4):
        response = client.post("/analyses", files=files, data={"exercise": "squat"})
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["retry-after"] == "30"
            assert response.json() == {"detail": "1 analyses are already waiting; try again in a minute"}
            break
    assert statuses[-1] == 503 and set(statuses[:-1]) == {202}, statuses
    # The refused upload was not kept: only the accepted ones wait on disk (beside the running job's folder).
    assert len([path for path in (tmp_path / "uploads").iterdir() if path.is_file()]) <= len(statuses) - 1


def test_the_page_carries_the_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert client.get("/exercises").headers["x-content-type-options"] == "nosniff"


def test_docs_use_only_local_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css", "/static/docs.js", "/openapi.json"):
        assert client.get(asset).status_code == 200, asset


def test_uploads_left_by_a_stopped_server_are_deleted_at_start_up(tmp_path: Path) -> None:
    upload_dir = tmp_path / "uploads"
    upload_dir.mkdir()
    leftover = upload_dir / ("ab" * 16 + ".mp4")
    leftover.write_bytes(b"a person's video")
    unrelated = upload_dir / "notes.txt"
    unrelated.write_text("not ours")
    create_app(Settings(upload_dir=upload_dir))
    assert not leftover.exists()
    assert unrelated.exists()


def test_the_upload_folder_is_private(client: TestClient, squat_clip: Path, tmp_path: Path) -> None:
    files = {"file": ("squat.mp4", squat_clip.read_bytes(), "video/mp4")}
    assert client.post("/analyses", files=files, data={"exercise": "squat"}).status_code == 202
    assert stat.S_IMODE((tmp_path / "uploads").stat().st_mode) == 0o700
