"""Golden runs on the labelled clips in ../shared (read there, never copied into the repo).

The pose model runs once per clip: results are cached by clip content and model hash
(``formcheck.pose.cache``), so these tests and ``formcheck eval`` share the work.

Every clip test runs twice: ``as_filmed``, and ``with_noise``, where seeded noise at the level
measured by ``benchmarks/noise.py`` (``evaluation/noise.json``) is added to every landmark before
the engine sees it. That noise is what the pose model does to the same movement when only the
pixels change (a re-encoded, mirrored or half-size copy), so a check that passes as filmed but
not with noise decides too close to its line to be trusted on a new recording.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from formcheck.engine import analyze_poses
from formcheck.landmarks import PoseFrame
from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.reps.noise import add_landmark_noise
from formcheck.review.schema import Review
from formcheck.specs import load_spec

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"
CLIPS_DIR = SHARED_DIR / "clips"
LABELS_PATH = SHARED_DIR / "labels" / "clips.yaml"
NOISE_PATH = Path(__file__).resolve().parents[2] / "evaluation" / "noise.json"
NOISE_SEED = 20240602  # the clip's own seed is this plus the CRC-32 of its path


def clip_labels() -> dict[str, dict[str, Any]]:
    """The labels by clip path (empty when ../shared is absent)."""
    if not LABELS_PATH.is_file():
        return {}
    return {clip["path"]: clip for clip in yaml.safe_load(LABELS_PATH.read_text())["clips"]}


def add_measured_noise(frames: list[PoseFrame], seed: int) -> list[PoseFrame]:
    """The frames with the measured landmark noise added (see ``formcheck.reps.noise.add_landmark_noise``)."""
    measured = json.loads(NOISE_PATH.read_text())
    return add_landmark_noise(frames, measured["landmarks"], seed, measured.get("landmark_noise_scale"))


@pytest.fixture(scope="session", params=["as_filmed", "with_noise"])
def analyze_clip(request: pytest.FixtureRequest) -> Callable[[str, str], Review]:
    """Analyse a clip (path relative to shared/clips) as an exercise, through the pose cache;
    in the ``with_noise`` variant with the measured pose noise added (seeded per clip)."""
    if not CLIPS_DIR.is_dir():
        pytest.skip("../shared/clips is not beside the repository")
    noisy = request.param == "with_noise"
    if noisy and not NOISE_PATH.is_file():
        pytest.skip("evaluation/noise.json is missing: run benchmarks/noise.py")
    cache = PoseCache()
    reviews: dict[tuple[str, str], Review] = {}

    def run(path: str, exercise: str) -> Review:
        if (path, exercise) not in reviews:
            if noisy:
                spec = load_spec(exercise)
                track = estimate_source(CLIPS_DIR / path, cache=cache, back_shape=spec.reads_back_shape)
                frames = add_measured_noise(track.frames, NOISE_SEED + zlib.crc32(path.encode()))
                reviews[(path, exercise)] = analyze_poses(
                    frames, spec, track.source, decode_warning=track.decode_warning
                )
            else:
                reviews[(path, exercise)] = analyze_video(CLIPS_DIR / path, exercise, cache=cache)
        return reviews[(path, exercise)]

    return run

