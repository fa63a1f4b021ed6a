"""Golden runs on the labelled clips in ../shared (read there, never copied into the repo).

The pose model runs once per clip: results are cached by clip content and model hash
(``formcheck.pose.cache``), so these tests and ``formcheck eval`` share the work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.review.schema import Review

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"
CLIPS_DIR = SHARED_DIR / "clips"
LABELS_PATH = SHARED_DIR / "labels" / "clips.yaml"


def clip_labels() -> dict[str, dict[str, Any]]:
    """The labels by clip path (empty when ../shared is absent)."""
    if not LABELS_PATH.is_file():
        return {}
    return {clip["path"]: clip for clip in yaml.safe_load(LABELS_PATH.read_text())["clips"]}


@pytest.fixture(scope="session")
def analyze_clip() -> Callable[[str, str], Review]:
    """Analyse a clip (path relative to shared/clips) as an exercise, through the pose cache."""
    if not CLIPS_DIR.is_dir():
        pytest.skip("../shared/clips is not beside the repository")
    cache = PoseCache()
    reviews: dict[tuple[str, str], Review] = {}

    def run(path: str, exercise: str) -> Review:
        if (path, exercise) not in reviews:
            reviews[(path, exercise)] = analyze_video(CLIPS_DIR / path, exercise, cache=cache)
        return reviews[(path, exercise)]

    return run
