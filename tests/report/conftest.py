"""Fixtures for the report tests: the review and stills of the labelled faulty squat (``faulty_squat``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.report.stills import Stills, grab_stills
from formcheck.review.schema import Review


@pytest.fixture(scope="session")
def faulty_review(faulty_squat: Path) -> Review:
    return analyze_video(faulty_squat, "squat", cache=PoseCache())


@pytest.fixture(scope="session")
def faulty_stills(faulty_review: Review, faulty_squat: Path) -> Stills:
    return grab_stills(faulty_review, faulty_squat, PoseCache())
