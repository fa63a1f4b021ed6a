"""Hand-computed cases for the floor-exercise metric kinds: ``line_bend`` and ``left_right_tilt``."""

from __future__ import annotations

import math

import pytest
from helpers import pose_arrays

from formcheck.landmarks import Landmark
from formcheck.metrics.table import build_metric, metric_points
from formcheck.specs.models import LeftRightTiltMetric, LineBendMetric

L = Landmark


def _plank(hip_px: tuple[float, float], shoulder_x: float = 100.0, ankle_x: float = 500.0) -> dict[Landmark, tuple[float, float]]:
    """A side-view plank on the left side only: shoulder and ankle on the line y = 300."""
    return {L.LEFT_SHOULDER: (shoulder_x, 300.0), L.LEFT_HIP: hip_px, L.LEFT_ANKLE: (ankle_x, 300.0)}


@pytest.mark.parametrize(
    ("hip_px", "shoulder_x", "ankle_x", "expected"),
    [
        ((300.0, 300.0), 100.0, 500.0, 0.0),  # straight line
        # hip 200 px along a 400 px line, 200*tan(deg) px off it: bend = 2 * deg
        ((300.0, 300.0 - 200.0 * math.tan(math.radians(10))), 100.0, 500.0, 20.0),  # piked: above
        ((300.0, 300.0 + 200.0 * math.tan(math.radians(10))), 100.0, 500.0, -20.0),  # sagging: below
        # head at image right instead of left: same signs
        ((300.0, 300.0 - 200.0 * math.tan(math.radians(10))), 500.0, 100.0, 20.0),
        ((300.0, 300.0 + 200.0 * math.tan(math.radians(10))), 500.0, 100.0, -20.0),
        # hip 100 px from the shoulder, 300 px from the ankle, 100 px below: 45 + atan(1/3) deg
        ((200.0, 400.0), 100.0, 500.0, -(45.0 + math.degrees(math.atan(1 / 3)))),
    ],
)
def test_line_bend_sign_and_size(hip_px: tuple[float, float], shoulder_x: float, ankle_x: float, expected: float) -> None:
    metric = build_metric(LineBendMetric(kind="line_bend", points=("shoulder", "hip", "ankle"), side="left"))
    assert metric(pose_arrays(_plank(hip_px, shoulder_x, ankle_x))) == pytest.approx(expected, abs=1e-6)


def test_line_bend_is_nan_on_a_steep_line() -> None:
    """Shoulder-ankle line 63 degrees from horizontal (standing-like): no up or down."""
    metric = build_metric(LineBendMetric(kind="line_bend", points=("shoulder", "hip", "ankle"), side="left"))
    points = {L.LEFT_SHOULDER: (100.0, 100.0), L.LEFT_HIP: (160.0, 200.0), L.LEFT_ANKLE: (200.0, 300.0)}
    assert math.isnan(metric(pose_arrays(points)))


def test_line_bend_tilted_line() -> None:
    """A side plank from the front: line rising 30 degrees, hip 50 px below it at mid-length."""
    metric = build_metric(LineBendMetric(kind="line_bend", points=("shoulder", "hip", "ankle"), side="left"))
    half = 200.0
    direction = (math.cos(math.radians(30)), -math.sin(math.radians(30)))  # ankle -> shoulder, rising to the right
    ankle = (100.0, 500.0)
    shoulder = (ankle[0] + 2 * half * direction[0], ankle[1] + 2 * half * direction[1])
    normal_down = (math.sin(math.radians(30)), math.cos(math.radians(30)))
    mid = (ankle[0] + half * direction[0], ankle[1] + half * direction[1])
    hip = (mid[0] + 50 * normal_down[0], mid[1] + 50 * normal_down[1])
    points = {L.LEFT_SHOULDER: shoulder, L.LEFT_HIP: hip, L.LEFT_ANKLE: ankle}
    assert metric(pose_arrays(points)) == pytest.approx(-2 * math.degrees(math.atan(50 / 200)), abs=1e-6)


@pytest.mark.parametrize(
    ("left_px", "right_px", "expected"),
    [
        ((400.0, 300.0), (600.0, 300.0), 0.0),
        ((400.0, 300.0), (600.0, 300.0 + 200.0 * math.tan(math.radians(15))), 15.0),
        ((600.0, 300.0), (400.0, 300.0 + 200.0 * math.tan(math.radians(15))), 15.0),  # unsigned, either order
        ((500.0, 200.0), (500.0, 300.0), 90.0),
    ],
)
def test_left_right_tilt(left_px: tuple[float, float], right_px: tuple[float, float], expected: float) -> None:
    metric = build_metric(LeftRightTiltMetric(kind="left_right_tilt", point="hip"))
    assert metric(pose_arrays({L.LEFT_HIP: left_px, L.RIGHT_HIP: right_px})) == pytest.approx(expected, abs=1e-6)


RISE_15 = 200.0 * math.tan(math.radians(15))


@pytest.mark.parametrize(
    ("left_hip_y", "right_hip_y", "left_ankle_y", "right_ankle_y", "expected"),
    [
        (300.0, 300.0 + RISE_15, 250.0, 500.0, 15.0),  # left leg lifted, left hip higher: turned open
        (300.0 + RISE_15, 300.0, 250.0, 500.0, -15.0),  # left leg lifted, left hip lower: dropped
        (300.0 + RISE_15, 300.0, 500.0, 250.0, 15.0),  # right leg lifted, right hip higher
        (300.0, 300.0 + RISE_15, 500.0, 500.0, math.nan),  # no leg lifted: no side to sign by
    ],
)
def test_left_right_tilt_signed_by_the_lifted_side(
    left_hip_y: float, right_hip_y: float, left_ankle_y: float, right_ankle_y: float, expected: float
) -> None:
    metric = build_metric(LeftRightTiltMetric(kind="left_right_tilt", point="hip", lifted_by="ankle"))
    value = metric(pose_arrays({
        L.LEFT_HIP: (400.0, left_hip_y), L.RIGHT_HIP: (600.0, right_hip_y),
        L.LEFT_ANKLE: (400.0, left_ankle_y), L.RIGHT_ANKLE: (600.0, right_ankle_y),
    }))
    assert value == pytest.approx(expected, abs=1e-6, nan_ok=True)


def test_points_for_confidence() -> None:
    assert metric_points(LeftRightTiltMetric(kind="left_right_tilt", point="shoulder")) == (("shoulder",), "mid")
    signed = LeftRightTiltMetric(kind="left_right_tilt", point="hip", lifted_by="ankle")
    assert metric_points(signed) == (("hip", "ankle"), "mid")
    bend = LineBendMetric(kind="line_bend", points=("shoulder", "hip", "knee"), side="near")
    assert metric_points(bend) == (("shoulder", "hip", "knee"), "near")


@pytest.mark.parametrize(("left", "right", "expected"), [(-95.0, -10.0, 85.0), (-10.0, -95.0, 85.0), (-90.0, -90.0, 0.0)])
def test_combine_abs_difference(left: float, right: float, expected: float) -> None:
    """One leg lowered from a dead bug's tabletop, whichever leg: the same split."""
    from formcheck.metrics.table import MetricTable
    from formcheck.specs.models import CombinedMetric, HeightDifferenceMetric

    table = MetricTable({
        "left_norm": HeightDifferenceMetric(kind="height_difference", points=("hip", "knee"), side="left"),
        "right_norm": HeightDifferenceMetric(kind="height_difference", points=("hip", "knee"), side="right"),
        "split_norm": CombinedMetric(kind="combine", op="abs_difference", of=("left_norm", "right_norm")),
    })
    # torso 100 px (mid-hip to mid-shoulder); each knee lies -left / -right px above its hip
    points = {
        L.LEFT_SHOULDER: (0.0, 0.0), L.RIGHT_SHOULDER: (0.0, 0.0), L.LEFT_HIP: (100.0, 0.0), L.RIGHT_HIP: (100.0, 0.0),
        L.LEFT_KNEE: (150.0, left), L.RIGHT_KNEE: (150.0, right), L.LEFT_ANKLE: (200.0, 0.0), L.RIGHT_ANKLE: (200.0, 0.0),
    }
    values, _ = table.compute(pose_arrays(points))
    assert values["split_norm"] == pytest.approx(expected / 100.0)
