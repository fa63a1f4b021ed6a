"""Fixtures for the API tests: the app with test settings and real clips from ../shared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from formcheck.api.main import create_app
from formcheck.api.settings import Settings
from formcheck.pipeline import analyze_video
from formcheck.review.schema import Review
from formcheck.sources import open_source

SQUAT_CLIP = "Pichayanon-FiT-AI/squat_correct_5.mp4"  # the root conftest's squat_clip: 3.8 s, 2 clean reps
EPOCH_MS = 1_764_000_000_000
TEST_HOSTS = ["testserver", "localhost", "127.0.0.1"]  # Starlette's test client calls itself "testserver"  # clients send wall-clock capture times; the session counts from its first frame


@pytest.fixture(scope="session")
def squat_labelled_reps(shared: Path) -> int:
    labels = yaml.safe_load((shared / "labels" / "clips.yaml").read_text(encoding="utf-8"))
    return next(int(clip["reps"]) for clip in labels["clips"] if clip["path"] == SQUAT_CLIP)


@pytest.fixture(scope="session")
def squat_reference(squat_clip: Path) -> Review:
    """What ``formcheck analyze`` says about the clip (no cache: the model really runs)."""
    return analyze_video(squat_clip, "squat")


@pytest.fixture(scope="session")
def squat_frames(squat_clip: Path) -> list[tuple[int, bytes]]:
    """The clip's frames as a camera page would send them: (capture time in ms, JPEG)."""
    frames = []
    for frame in open_source(squat_clip).frames():
        ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        frames.append((EPOCH_MS + round(frame.t_s * 1000), jpeg.tobytes()))
    return frames


ClientFactory = Callable[..., TestClient]


@pytest.fixture(scope="session")
def blank_frame() -> tuple[int, bytes]:
    """One frame with nobody in it, for protocol tests that need no clip: (capture time in ms, JPEG)."""
    ok, jpeg = cv2.imencode(".jpg", np.full((240, 320, 3), 128, np.uint8))
    assert ok
    return EPOCH_MS, jpeg.tobytes()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[ClientFactory]:
    """Build a client for the app with settings overridden (uploads in a temp dir, no pose cache)."""
    clients: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        defaults: dict[str, Any] = {"upload_dir": tmp_path / "uploads", "allowed_hosts": TEST_HOSTS}
        settings = Settings(**(defaults | overrides))
        client = TestClient(create_app(settings))
        client.__enter__()  # run the lifespan, so the job store shuts down at the end
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()
