"""Hand-computed cases for the standing-exercise metric kind ``twist`` (world coordinates, metres).

World axes as MediaPipe gives them: x across the image, y vertical (down), z depth. A left->right
line along +x has heading 0; turning it by ``deg`` about the vertical moves its right end into
depth by ``sin(deg)``.
"""

from __future__ import annotations

import math

import pytest
from helpers import pose_arrays

from formcheck.landmarks import Landmark
from formcheck.metrics.table import build_metric, metric_points
from formcheck.specs.models import TwistMetric

L = Landmark
TWIST = TwistMetric(kind="twist", points=("shoulder", "hip"))


def _line(deg_about_vertical: float, half_width_m: float, height_m: float, rise_deg: float = 0.0) -> tuple[tuple[float, ...], ...]:
    """(left, right) ends of a left->right line turned ``deg`` about the vertical and tilted ``rise_deg``."""
    heading, rise = math.radians(deg_about_vertical), math.radians(rise_deg)
    dx = half_width_m * math.cos(rise) * math.cos(heading)
    dz = half_width_m * math.cos(rise) * math.sin(heading)
    dy = half_width_m * math.sin(rise)
    return (-dx, height_m + dy, -dz), (dx, height_m - dy, dz)


def _pose(shoulder_deg: float, hip_deg: float, shoulder_rise_deg: float = 0.0, hip_rise_deg: float = 0.0):
    shoulder_left, shoulder_right = _line(shoulder_deg, 0.2, -0.5, shoulder_rise_deg)
    hip_left, hip_right = _line(hip_deg, 0.12, 0.0, hip_rise_deg)
    world = {L.LEFT_SHOULDER: shoulder_left, L.RIGHT_SHOULDER: shoulder_right, L.LEFT_HIP: hip_left, L.RIGHT_HIP: hip_right}
    return pose_arrays({}, world_m=world)


@pytest.mark.parametrize(
    ("shoulder_deg", "hip_deg", "shoulder_rise_deg", "expected"),
    [
        (0.0, 0.0, 0.0, 0.0),  # square, facing the camera
        (30.0, 0.0, 0.0, 30.0),  # shoulders turned 30 degrees over square hips
        (-30.0, 0.0, 0.0, 30.0),  # the other way: unsigned
        (100.0, 80.0, 0.0, 20.0),  # side-on to the camera, still a 20-degree twist
        (170.0, -170.0, 0.0, 20.0),  # wraps across +-180
        (0.0, 0.0, 25.0, 0.0),  # shoulders tilted sideways (one higher), not turned: no twist
        (40.0, 10.0, 25.0, 30.0),  # tilt does not change the angle about the vertical
    ],
)
def test_twist_about_the_vertical(shoulder_deg: float, hip_deg: float, shoulder_rise_deg: float, expected: float) -> None:
    assert build_metric(TWIST)(_pose(shoulder_deg, hip_deg, shoulder_rise_deg)) == pytest.approx(expected, abs=1e-6)


def test_twist_is_nan_for_a_near_vertical_line() -> None:
    """Lying on one side, the hip line points up: 70 degrees from horizontal, no heading."""
    assert math.isnan(build_metric(TWIST)(_pose(0.0, 0.0, hip_rise_deg=70.0)))


def test_twist_is_nan_without_the_points() -> None:
    assert math.isnan(build_metric(TWIST)(pose_arrays({})))


def test_twist_points_for_confidence() -> None:
    assert metric_points(TWIST) == (("shoulder", "hip"), "mid")
