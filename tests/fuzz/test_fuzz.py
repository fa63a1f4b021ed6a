"""No input ends the process: the seeded fuzz corpus through the CLI, the upload door and the socket.

Each door answers every case with its one clear answer: the CLI exits 0 (analysed) or 1 with
one ``error:`` line; an upload is 202, 415 (not a video) or 422 (a video it cannot analyse)
and leaves nothing on disk; a live frame gets feedback or a 1008 close with its reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fuzz_corpus import SIZES, TIMESTAMP_CASES, Case, file_cases, frame_cases, picture_bytes
from starlette.testclient import WebSocketTestSession

from formcheck.api.main import create_app
from formcheck.api.settings import Settings
from formcheck.sources.limits import FRAME_LIMITS

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[1] / "samples" / "squat_side.mp4"
EPOCH_MS = 1_764_000_000_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    folder = tmp_path_factory.mktemp("fuzz")
    cases = file_cases(SAMPLE)
    for case in cases:
        (folder / case.name).write_bytes(case.data)
    return folder, cases


def _size_of(name: str) -> tuple[int, int] | None:
    stem = name.rsplit(".", 1)[0]
    if "_" not in stem or "x" not in stem.rsplit("_", 1)[1]:
        return None
    width, height = stem.rsplit("_", 1)[1].split("x")
    return int(width), int(height)


def test_cli_answers_every_corpus_file_with_exit_0_or_one_line(corpus: tuple[Path, list[Case]]) -> None:
    folder, cases = corpus
    done = subprocess.run(
        [sys.executable, str(HERE / "cli_runner.py"), str(folder)], check=False, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, f"the CLI process died (code {done.returncode}): {done.stderr[-2000:]}"
    results = {row["name"]: row for row in map(json.loads, done.stdout.splitlines())}
    assert set(results) == {case.name for case in cases}
    for name, row in results.items():
        assert row["exit"] in (0, 1), row
        assert row["exception"] in (None, "SystemExit(1)", "SystemExit(0)"), row
        if row["exit"] == 1:
            lines = [line for line in row["stderr"].splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("error: "), row
        size = _size_of(name)
        if size is not None and FRAME_LIMITS.problem(*size) is not None:
            assert row["exit"] == 1, f"{name}: out-of-bounds picture was not refused: {row}"


def _wait(client: TestClient, job_id: str, timeout_s: float = 120.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/analyses/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_uploads_answer_every_corpus_file_and_keep_nothing(corpus: tuple[Path, list[Case]], tmp_path: Path) -> None:
    _, cases = corpus
    upload_dir = tmp_path / "uploads"
    app = create_app(Settings(upload_dir=upload_dir, max_queued_jobs=64, allowed_hosts=["testserver"]))
    with TestClient(app) as client:
        accepted = []
        for case in cases:
            response = client.post("/analyses", data={"exercise": "squat"}, files={"file": (case.name, case.data)})
            assert response.status_code in (202, 415, 422), (case.name, response.status_code, response.text)
            assert isinstance(response.json()["detail" if response.status_code != 202 else "id"], str)
            size = _size_of(case.name)
            if case.name.endswith((".gif", ".mp4")) and size is not None and FRAME_LIMITS.problem(*size) is not None:
                assert response.status_code == 422, (case.name, response.text)
            if response.status_code == 202:
                accepted.append(response.json()["id"])
        done = set()
        for job_id in accepted:
            job = _wait(client, job_id)
            assert job["status"] == "done" or isinstance(job["error"], str), job
            if job["status"] == "done":
                done.add(job_id)
        assert client.get("/exercises").status_code == 200  # still serving
    # Every upload is gone; what stays is each finished job's annotated video (kept as long as its job),
    # and nothing of a failed one.
    left = sorted(upload_dir.iterdir())
    assert all(path.is_dir() and path.name in done for path in left), f"left on disk: {[p.name for p in left]}"
    assert all([item.name for item in path.iterdir()] == ["annotated.mp4"] for path in left)


def _frame(t_ms: int, data: bytes) -> bytes:
    return t_ms.to_bytes(8, "big") + data


def _answer(ws: WebSocketTestSession) -> dict[str, object]:
    """The next feedback message or the close, as a dict."""
    while True:
        message = ws.receive()
        if message["type"] == "websocket.close":
            return {"type": "close", "code": message["code"], "reason": message.get("reason", "")}
        payload: dict[str, object] = json.loads(message["text"])
        if payload["type"] == "feedback":
            return payload


def _end(ws: WebSocketTestSession) -> None:
    """Finish a set cleanly: ``end``, then read up to the summary and the close."""
    ws.send_text(json.dumps({"type": "end"}))
    while ws.receive()["type"] != "websocket.close":
        pass


def test_live_socket_answers_every_corpus_frame(tmp_path: Path) -> None:
    app = create_app(Settings(upload_dir=tmp_path, allowed_hosts=["testserver"]))
    with TestClient(app) as client:
        for name, jpeg in frame_cases():
            with client.websocket_connect("/ws/live?exercise=squat") as ws:
                assert ws.receive_json()["type"] == "ready"
                ws.send_bytes(_frame(EPOCH_MS, jpeg))
                answer = _answer(ws)
                size = _size_of(name + ".jpg")
                if answer["type"] == "close":
                    assert answer["code"] == 1008 and answer["reason"], (name, answer)
                else:
                    assert size is None or FRAME_LIMITS.problem(*size) is None, (name, answer)
                    _end(ws)
        good = picture_bytes(*next(s for s in SIZES if FRAME_LIMITS.problem(*s) is None), "JPEG")
        for name, times in TIMESTAMP_CASES.items():
            with client.websocket_connect("/ws/live?exercise=squat") as ws:
                assert ws.receive_json()["type"] == "ready"
                for t_ms in times:
                    ws.send_bytes(_frame(t_ms, good))
                    answer = _answer(ws)
                    assert answer["type"] == "feedback" or answer["code"] == 1008, (name, answer)
                    if answer["type"] == "close":
                        break
                else:
                    _end(ws)
