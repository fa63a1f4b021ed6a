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
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import yaml

from formcheck.engine import analyze_poses
from formcheck.landmarks import LANDMARK_COUNT, Landmark, PoseFrame
from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.review.schema import Review
from formcheck.specs import load_spec

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"
CLIPS_DIR = SHARED_DIR / "clips"
LABELS_PATH = SHARED_DIR / "labels" / "clips.yaml"
NOISE_PATH = Path(__file__).resolve().parents[2] / "evaluation" / "noise.json"
NOISE_SEED = 20240602  # the clip's own seed is this plus the CRC-32 of its path
Z95 = 1.959964  # |N(0, s)| has its 95th percentile at Z95 * s


def clip_labels() -> dict[str, dict[str, Any]]:
    """The labels by clip path (empty when ../shared is absent)."""
    if not LABELS_PATH.is_file():
        return {}
    return {clip["path"]: clip for clip in yaml.safe_load(LABELS_PATH.read_text())["clips"]}


def _noise_table(space: str, axes: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(sigma, lag-1 correlation), each (33, len(axes)), from the measured landmark noise."""
    table = json.loads(NOISE_PATH.read_text())["landmarks"][space]["by_landmark"]
    sigma = np.zeros((LANDMARK_COUNT, len(axes)))
    rho = np.zeros((LANDMARK_COUNT, len(axes)))
    for landmark in Landmark:
        for axis, letter in enumerate(axes):
            figures = table[landmark.name.lower()][letter]
            sigma[landmark.value, axis] = (figures["p95"] or 0.0) / Z95
            rho[landmark.value, axis] = min(max(figures["lag1_autocorrelation"] or 0.0, 0.0), 0.99)
    return sigma, rho


def add_measured_noise(frames: list[PoseFrame], seed: int) -> list[PoseFrame]:
    """The frames with seeded Gaussian noise added to every landmark: per landmark and axis, an AR(1)
    series whose |value| has the measured 95th percentile and whose frame-to-frame correlation is the
    measured one (the pose model's errors persist over a few frames; white noise would be smoothed away)."""
    rng = np.random.default_rng(seed)
    image_sigma, image_rho = _noise_table("image_xy", "xy")
    world_sigma, world_rho = _noise_table("world_xyz", "xyz")
    image_state = rng.standard_normal(image_sigma.shape) * image_sigma
    world_state = rng.standard_normal(world_sigma.shape) * world_sigma
    noisy = []
    for frame in frames:
        image_state = image_rho * image_state + np.sqrt(1 - image_rho**2) * image_sigma * rng.standard_normal(image_sigma.shape)
        world_state = world_rho * world_state + np.sqrt(1 - world_rho**2) * world_sigma * rng.standard_normal(world_sigma.shape)
        if frame.has_person:
            frame = replace(
                frame, image_xy=(frame.image_xy + image_state).astype(np.float32),
                world_xyz=(frame.world_xyz + world_state).astype(np.float32),
            )
        noisy.append(frame)
    return noisy


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
