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
                track = estimate_source(CLIPS_DIR / path, cache=cache)
                frames = add_measured_noise(track.frames, NOISE_SEED + zlib.crc32(path.encode()))
                reviews[(path, exercise)] = analyze_poses(
                    frames, load_spec(exercise), track.source, decode_warning=track.decode_warning
                )
            else:
                reviews[(path, exercise)] = analyze_video(CLIPS_DIR / path, exercise, cache=cache)
        return reviews[(path, exercise)]

    return run


# Checks that pass as filmed but not with the measured noise: they decide too close to their line. Each is
# expected to fail in the noise variant (strict: one that starts passing must be taken off this list), with
# what was measured. They wait for spec changes (exercise_specs/ thresholds and rep signals), not for a
# number nudged here.
TOO_CLOSE_WITH_NOISE: dict[tuple[str, str | None], str] = {
    ("test_rep_times_match_labels", "rohanx01-Squat-Analysis-Model/squat.mp4"): (
        "squat rep 1 starts at 7.4 s with noise (8.3 as filmed, labelled 8.8, tolerance 1 s). As filmed the knee "
        "already bends 2-3 deg more from 7.3 s (8-9.4 deg against 6-7 before); the added noise (one reading's p95 "
        "about 4.4 deg against a leave band of 4.65 deg above the lowest standing reading) lifts that stretch over "
        "the band, so the start is dated to its beginning (11 of 30 noise seeds; capping the noise's frame-to-frame "
        "correlation changes nothing). Judging rest over a running median (kept) and from the median level, a "
        "noise-adaptive band or a start searched back from the turn (each fixed it, but started every clean rep "
        "later: rep-time error 0.156 -> 0.168-0.170 s) were measured"
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or callspec.params.get("analyze_clip") != "with_noise":
            continue
        name = getattr(item, "originalname", item.name)
        reason = TOO_CLOSE_WITH_NOISE.get((name, callspec.params.get("path")))
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"too close to its line: {reason}", strict=True))
