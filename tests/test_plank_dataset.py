"""The plank landmark dataset: rows to frames, per-frame judging, and the measured figures.

The figures (benchmarks/plank_dataset.py prints them) are pinned at what was measured less a small
margin, and the spec must beat the fixed-threshold baseline (shoulder-hip-ankle under 170 deg).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from formcheck.landmarks import Landmark
from formcheck.plank_dataset import (
    ASSUMED_TORSO_M,
    DATASET_LANDMARKS,
    Score,
    baseline_fault,
    evaluate,
    frame_view,
    judge_frame,
    load_rows,
    row_to_frame,
    score,
)
from formcheck.specs import load_spec

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "exercise-correction"


def _row(hip_y: float = 0.5) -> dict[str, float]:
    """A side-view forearm plank, head at image left, normalised coordinates (all landmarks seen)."""
    points = {
        "nose": (0.18, 0.48), "shoulder": (0.25, 0.50), "elbow": (0.25, 0.62), "wrist": (0.15, 0.62),
        "hip": (0.45, hip_y), "knee": (0.62, 0.52), "ankle": (0.80, 0.54), "heel": (0.82, 0.53), "foot_index": (0.80, 0.62),
    }
    row = {}
    for name in DATASET_LANDMARKS:
        part = name.removeprefix("left_").removeprefix("right_")
        x, y = points[part]
        row |= {f"{name}_x": x, f"{name}_y": y, f"{name}_z": (-0.1 if name.startswith("left") else 0.1), f"{name}_v": 0.9}
    return row


def test_row_to_frame_places_the_landmarks() -> None:
    frame = row_to_frame(_row(), 7, image_wh=(1280, 720))
    assert frame.frame_index == 7 and frame.image_wh == (1280, 720)
    assert frame.image_xy[Landmark.LEFT_HIP] == pytest.approx((0.45, 0.5))
    assert frame.point(Landmark.LEFT_SHOULDER) == pytest.approx((320.0, 360.0))
    assert np.isnan(frame.image_xy[Landmark.LEFT_EAR]).all() and frame.visibility[Landmark.LEFT_EAR] == 0.0
    assert frame.visibility[Landmark.RIGHT_KNEE] == pytest.approx(0.9)
    # world: centred between the hips, torso scaled to ASSUMED_TORSO_M, depth from z on the scale of x
    mid_hip = (frame.world_xyz[Landmark.LEFT_HIP] + frame.world_xyz[Landmark.RIGHT_HIP]) / 2
    mid_shoulder = (frame.world_xyz[Landmark.LEFT_SHOULDER] + frame.world_xyz[Landmark.RIGHT_SHOULDER]) / 2
    assert mid_hip == pytest.approx((0.0, 0.0, 0.0), abs=1e-6)
    assert float(np.linalg.norm(mid_shoulder[:2] - mid_hip[:2])) == pytest.approx(ASSUMED_TORSO_M, abs=1e-6)
    depth = frame.world_xyz[Landmark.LEFT_HIP][2] - frame.world_xyz[Landmark.RIGHT_HIP][2]
    assert depth == pytest.approx(-0.2 * 1280 * ASSUMED_TORSO_M / 256.0, abs=1e-5)  # torso is 256 px wide


def test_load_rows_refuses_unknown_labels(tmp_path: Path) -> None:
    row = _row()
    path = tmp_path / "rows.csv"
    path.write_text("label," + ",".join(row) + "\nX," + ",".join(str(v) for v in row.values()) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2: label must be one of C, H, L, got 'X'"):
        load_rows(path)


@pytest.mark.parametrize(
    ("hip_y", "ours", "baseline"),
    [
        (0.52, set(), None),  # on the shoulder-ankle line (y 0.50 -> 0.54 over x 0.25 -> 0.80)
        (0.60, {"hips_sagging"}, "hips_sagging"),  # 8 % of the height below: about 21 deg
        (0.47, set(), "hips_high"),  # a little high (about 13 deg): the 170 deg rule already flags it
        (0.30, {"hips_high"}, "hips_high"),  # piked
    ],
)
def test_one_frame(hip_y: float, ours: set[str], baseline: str | None) -> None:
    frame = row_to_frame(_row(hip_y))
    verdicts = judge_frame(load_spec("plank"), frame)
    assert {fault for fault, hit in verdicts.items() if hit} == ours
    assert baseline_fault(frame) == baseline


def test_score_counts() -> None:
    labels = ["hips_high", "hips_high", None, "hips_sagging"]
    flagged = [{"hips_high"}, set(), {"hips_high"}, {"hips_high"}]
    result = Score(fault="hips_high", true_positives=1, false_positives=2, false_negatives=1)
    assert score(labels, flagged, "hips_high") == result
    assert result.precision == pytest.approx(1 / 3) and result.recall == pytest.approx(0.5)


def _f1(score: Score) -> float:
    p, r = score.precision or 0.0, score.recall or 0.0
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@pytest.fixture(scope="module")
def test_rows() -> list:
    path = DATA / "plank_test.csv"
    if not path.is_file():
        pytest.skip(f"plank landmark dataset not found at {path}")
    return load_rows(path)


def test_figures_on_plank_test(test_rows: list) -> None:
    """Measured (16:9): hips_high 1.000 / 0.992, hips_sagging 1.000 / 0.966, 0 of 234 correct frames flagged."""
    result = evaluate(test_rows, load_spec("plank"))
    ours, baseline = result["spec"], result["baseline"]
    high, sag = ours.faults["hips_high"], ours.faults["hips_sagging"]
    assert high.precision >= 0.98 and high.recall >= 0.97
    assert sag.precision >= 0.98 and sag.recall >= 0.94
    assert ours.correct_frames == 234 and ours.correct_frames_flagged <= 3
    # better than one fixed threshold: much better on piking, at least as good on sagging
    assert _f1(high) > _f1(baseline.faults["hips_high"]) + 0.2
    assert _f1(sag) >= _f1(baseline.faults["hips_sagging"])
    assert baseline.correct_frames_flagged > 200


def test_figures_on_kaggle_correct_planks() -> None:
    """All 171 frames are correct planks: the spec flags none (the 170 deg rule flags 29)."""
    path = DATA / "plank_kaggle.csv"
    if not path.is_file():
        pytest.skip(f"plank landmark dataset not found at {path}")
    result = evaluate(load_rows(path), load_spec("plank"))
    assert result["spec"].correct_frames == 171
    assert result["spec"].correct_frames_flagged == 0
    assert result["baseline"].correct_frames_flagged >= 20


def test_the_frames_read_as_side_views(test_rows: list) -> None:
    views = [frame_view(row.frame) for row in test_rows]
    assert views.count("side") == len(views)
    assert all(not math.isnan(float(row.frame.world_xyz[Landmark.LEFT_HIP][0])) for row in test_rows[:5])
