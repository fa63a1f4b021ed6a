"""Fixtures for the report tests: a labelled squat clip with faults in every rep, its review and stills."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.report.stills import Stills, grab_stills
from formcheck.review.schema import Review

# Side-on squat, 3 labelled reps, all shallow and leaning forward: faults in every rep, 8.9 s, 202x360.
FAULTY_SQUAT = "clips/Pichayanon-FiT-AI/squat_incorrect_4.mp4"


@pytest.fixture(scope="session")
def faulty_squat(shared: Path) -> Path:
    clip = shared / FAULTY_SQUAT
    if not clip.is_file():
        pytest.skip(f"shared clip not available: {clip}")
    return clip


@pytest.fixture(scope="session")
def faulty_review(faulty_squat: Path) -> Review:
    return analyze_video(faulty_squat, "squat", cache=PoseCache())


@pytest.fixture(scope="session")
def faulty_stills(faulty_review: Review, faulty_squat: Path) -> Stills:
    return grab_stills(faulty_review, faulty_squat, PoseCache())
