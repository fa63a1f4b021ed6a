"""The annotated video of an upload: written by the job, served with ranges, kept only as long as the job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import av
from fastapi.testclient import TestClient
from test_analyses_route import wait_for_job

from formcheck.api.jobs import JobStatus, JobStore
from formcheck.api.uploads import sweep_uploads
from formcheck.isolated import analyze_isolated
from formcheck.sources import open_source


def upload(client: TestClient, clip: Path) -> dict[str, Any]:
    with clip.open("rb") as video:
        response = client.post("/analyses", files={"file": (clip.name, video, "video/mp4")}, data={"exercise": "squat"})
    assert response.status_code == 202
    job = wait_for_job(client, response.json()["id"])
    assert job["status"] == "done", job["error"]
    return job


def test_a_done_job_serves_its_annotated_video_with_ranges_and_its_page(
    client: TestClient, squat_clip: Path, tmp_path: Path
) -> None:
    job = upload(client, squat_clip)

    assert job["video"] == f"/analyses/{job['id']}/video"
    assert job["page"] == f"/analyses/{job['id']}/view"
    assert job["words"]["title"] == "Squat"
    assert job["words"]["rep_metric_label"] == "knee bend (deg)"
    assert all(name != fault_id for fault_id, name in job["words"]["faults"].items())
    whole = client.get(job["video"])
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    part = client.get(job["video"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]
    stored = tmp_path / "uploads" / job["id"] / "annotated.mp4"
    source = open_source(squat_clip).info
    with av.open(str(stored)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (source.width, source.height)
        assert abs(sum(1 for _ in container.decode(stream)) - source.frames) <= 2
    page = client.get(job["page"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_unknown_job_has_no_video(client: TestClient) -> None:
    assert client.get("/analyses/0123/video").status_code == 404


def test_a_forgotten_job_takes_its_video_with_it(make_client: Any, squat_clip: Path, tmp_path: Path) -> None:
    client = make_client(jobs_kept=1)
    first = upload(client, squat_clip)
    assert (tmp_path / "uploads" / first["id"]).is_dir()

    second = upload(client, squat_clip)

    assert client.get(f"/analyses/{first['id']}/video").status_code == 404
    assert not (tmp_path / "uploads" / first["id"]).exists()
    assert client.get(second["video"]).status_code == 200


def test_a_failed_job_keeps_nothing(tmp_path: Path) -> None:
    not_a_video = tmp_path / "upload.mp4"
    not_a_video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    outputs = tmp_path / "jobs"
    store = JobStore(output_dir=outputs)
    try:
        job = store.submit(not_a_video, "squat", filename="upload.mp4")
        deadline = time.monotonic() + 60
        while (state := store.get(job.id)) is not None and not state.finished:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        store.shutdown()
    assert state is not None and state.status is JobStatus.FAILED and state.video is None
    assert list(outputs.iterdir()) == []
    assert not not_a_video.exists()


def test_sweep_removes_leftover_uploads_and_job_folders_only(tmp_path: Path) -> None:
    job_folder = tmp_path / ("a" * 32)
    job_folder.mkdir()
    (job_folder / "annotated.mp4").write_bytes(b"video")
    (tmp_path / f"{'b' * 32}.mp4").write_bytes(b"upload")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes.txt").write_text("not ours")

    assert sweep_uploads(tmp_path) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes", "notes.txt"]


def test_the_isolated_child_draws_the_video_and_says_when(squat_clip: Path, tmp_path: Path) -> None:
    drawing: list[bool] = []
    target = tmp_path / "annotated.mp4"

    review = analyze_isolated(squat_clip, "squat", annotated=target, on_drawing=lambda: drawing.append(True))

    assert drawing == [True]
    assert review.rep_count == 2
    assert target.stat().st_size > 0
