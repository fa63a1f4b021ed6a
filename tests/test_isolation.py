"""A native crash in the pose model costs one job or one live session, never the service.

The crash is simulated by killing the child process that holds the model (SIGKILL), which
is what a C++ abort looks like from outside.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from formcheck.api.jobs import JobStatus, JobStore
from formcheck.api.main import create_app
from formcheck.api.settings import Settings
from formcheck.errors import PoseModelError
from formcheck.pose import default_bundle
from formcheck.pose.child import ChildPoseEstimator
from formcheck.sources.base import Frame

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "squat_side.mp4"
GREY = Frame(index=0, t_s=0.0, image=np.full((240, 320, 3), 128, np.uint8))


def _kill_children(name: str) -> int:
    killed = 0
    for child in multiprocessing.active_children():
        if child.name == name and child.pid is not None:
            os.kill(child.pid, signal.SIGKILL)
            killed += 1
    return killed


def test_child_estimator_matches_and_reports_its_death() -> None:
    estimator = ChildPoseEstimator(default_bundle())
    try:
        pose = estimator.estimate(GREY)
        assert not pose.has_person and pose.image_wh == (320, 240)
        assert _kill_children("formcheck-pose") == 1
        with pytest.raises(PoseModelError, match="stopped on frame 2 .killed by SIGKILL"):
            estimator.estimate(Frame(index=1, t_s=0.033, image=GREY.image))
    finally:
        estimator.close()


def test_a_crashed_live_session_closes_1011_and_the_next_one_works(tmp_path: Path) -> None:
    ok, encoded = cv2.imencode(".jpg", GREY.image)
    assert ok
    jpeg = encoded.tobytes()
    with TestClient(create_app(Settings(upload_dir=tmp_path, allowed_hosts=["testserver"]))) as client:
        with client.websocket_connect("/ws/live?exercise=squat") as ws:
            assert ws.receive_json()["type"] == "ready"
            assert _kill_children("formcheck-pose") == 1
            ws.send_bytes((1000).to_bytes(8, "big") + jpeg)
            message = ws.receive()
            assert message["type"] == "websocket.close" and message["code"] == 1011
            assert "pose model stopped" in message["reason"]
        with client.websocket_connect("/ws/live?exercise=squat") as ws:
            assert ws.receive_json()["type"] == "ready"
            ws.send_bytes((1000).to_bytes(8, "big") + jpeg)
            assert ws.receive_json()["type"] == "feedback"
            ws.send_text(json.dumps({"type": "end"}))
            while ws.receive()["type"] != "websocket.close":
                pass


def _empty_room(path: Path, seconds: int) -> Path:
    """A long clip of an empty grey room: minutes of frames for the model, made in a second."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for _ in range(30 * seconds):
            for packet in stream.encode(av.VideoFrame.from_ndarray(GREY.image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _wait(store: JobStore, job_id: str, status: set[JobStatus], timeout_s: float = 120) -> JobStatus:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = store.get(job_id)
        assert job is not None
        if job.status in status:
            return job.status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {status}")


def test_a_crashed_analysis_fails_its_job_and_the_next_job_is_done(tmp_path: Path) -> None:
    store = JobStore(workers=1)
    try:
        first = _empty_room(tmp_path / "first.mp4", seconds=30)
        job = store.submit(first, "squat", filename="first.mp4")
        deadline = time.monotonic() + 60
        while (running := store.get(job.id)) is not None and running.frames_done < 10:  # mid-analysis, not before
            assert time.monotonic() < deadline and not running.finished
            time.sleep(0.02)
        assert _kill_children("formcheck-analysis") == 1
        assert _wait(store, job.id, {JobStatus.DONE, JobStatus.FAILED}) == JobStatus.FAILED
        failed = store.get(job.id)
        assert failed is not None and failed.error is not None
        assert "stopped unexpectedly (killed by SIGKILL)" in failed.error and "first.mp4" in failed.error
        assert not first.exists()
        second = tmp_path / "second.mp4"
        second.write_bytes(SAMPLE.read_bytes())
        job = store.submit(second, "squat", filename="second.mp4")
        assert _wait(store, job.id, {JobStatus.DONE, JobStatus.FAILED}) == JobStatus.DONE
        done = store.get(job.id)
        assert done is not None and done.review is not None and done.review.rep_count == 2
    finally:
        store.shutdown()
