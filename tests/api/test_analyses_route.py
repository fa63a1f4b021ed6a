"""POST /analyses and GET /analyses/{id}: background analyses of uploaded clips."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from api_support import unknown_exercise_message
from fastapi.testclient import TestClient

from formcheck.review.schema import Review

POLL_TIMEOUT_S = 60.0


def wait_for_job(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/analyses/{job_id}").json()
        assert 0.0 <= job["progress"] <= 1.0
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not finished after {POLL_TIMEOUT_S} s")


def comparable(review: dict[str, Any]) -> dict[str, Any]:
    """The review without what legitimately differs between two runs: file path and speed."""
    return {**review, "source": {**review["source"], "path": None}, "summary": {**review["summary"], "processing": None}}


def test_upload_gives_the_same_review_as_analyze_video(client: TestClient, squat_clip: Path, squat_reference: Review, tmp_path: Path) -> None:
    with squat_clip.open("rb") as video:
        response = client.post("/analyses", files={"file": (squat_clip.name, video, "video/mp4")}, data={"exercise": "squat"})

    assert response.status_code == 202
    created = response.json()
    assert created["status"] in ("queued", "running")
    assert response.headers["location"] == f"/analyses/{created['id']}"
    job = wait_for_job(client, created["id"])
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 1.0
    review = job["review"]
    reference = squat_reference.model_dump(mode="json", by_alias=True)
    assert review["rep_count"] == reference["rep_count"] == 2
    assert [(rep["start_s"], rep["end_s"]) for rep in review["reps"]] == [(rep["start_s"], rep["end_s"]) for rep in reference["reps"]]
    assert comparable(review) == comparable(reference)
    assert review["source"]["path"] == squat_clip.name
    kept = sorted(path.relative_to(tmp_path / "uploads").as_posix() for path in (tmp_path / "uploads").rglob("*"))
    assert kept == [created["id"], f"{created['id']}/annotated.mp4"], "the upload is deleted once analysed; its video stays"


@pytest.mark.parametrize(
    ("filename", "content", "exercise", "status", "detail"),
    [
        ("squat.mp4", b"just some words, not a video at all\n", "squat", 415,
         "squat.mp4: not a video file (expected mp4, mov, m4v, webm, mkv, avi or gif)"),
        ("squat.mp4", b"", "squat", 422, "squat.mp4: the file is empty (0 bytes)"),
        ("squat.mp4", b"\x00\x00\x00\x18ftypmp42", "curls", 422, None),
    ],
    ids=["text-named-mp4", "empty", "unknown-exercise"],
)
def test_bad_uploads_are_refused_with_a_clear_reason(
    client: TestClient, filename: str, content: bytes, exercise: str, status: int, detail: str | None
) -> None:
    response = client.post("/analyses", files={"file": (filename, content, "video/mp4")}, data={"exercise": exercise})

    assert response.status_code == status
    assert response.json() == {"detail": detail or unknown_exercise_message("curls")}


def test_a_video_that_cannot_be_decoded_is_refused_with_422_and_not_kept(client: TestClient, tmp_path: Path) -> None:
    truncated = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64  # right magic, no playable stream

    response = client.post("/analyses", files={"file": ("broken.mp4", truncated, "video/mp4")}, data={"exercise": "squat"})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("broken.mp4: not a video formcheck can read")
    assert not list((tmp_path / "uploads").iterdir())


def test_oversize_upload_is_refused_with_413(make_client: Any, squat_clip: Path) -> None:
    client = make_client(max_upload_bytes=1000)

    response = client.post(
        "/analyses", files={"file": (squat_clip.name, squat_clip.read_bytes(), "video/mp4")}, data={"exercise": "squat"}
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "the upload is larger than the 1000-byte limit"}


def test_oversize_file_inside_an_allowed_body_is_refused_with_413(make_client: Any, tmp_path: Path) -> None:
    """The file's own bytes are counted too (the body cap leaves room for multipart overhead)."""
    client = make_client(max_upload_bytes=1000)
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000

    response = client.post("/analyses", files={"file": ("big.mp4", video, "video/mp4")}, data={"exercise": "squat"})

    assert response.status_code == 413
    assert response.json() == {"detail": "big.mp4: the upload is larger than the 1000-byte limit"}
    assert not list((tmp_path / "uploads").iterdir()), "a refused upload leaves nothing behind"


def test_unknown_job_id_is_404(client: TestClient) -> None:
    response = client.get("/analyses/does-not-exist")

    assert response.status_code == 404
    assert response.json() == {"detail": "no analysis with id 'does-not-exist'"}


def test_missing_exercise_field_is_422(client: TestClient) -> None:
    response = client.post("/analyses", files={"file": ("a.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")})

    assert response.status_code == 422
    assert response.json() == {"detail": "exercise: missing"}
