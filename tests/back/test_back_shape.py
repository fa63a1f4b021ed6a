"""The back-shape stage on synthetic masks of known curvature (expected values computed by hand).

The figure: hip (400, 600), shoulder (400, 300), trunk L = 300 px, facing image right, so the
back is the mask's left edge. Its edge lies at x = 340 - b(t), t the fraction up the chord, with
b a parabola of sagitta s over the station span: b = 4 s t'(1 - t'), t' = (t - 0.1) / 0.8.
The mask ramps from 0 to 1 over two pixels, so the two samples either side of the 0.5 crossing
lie on the ramp and bilinear sampling puts the crossing exactly on the edge.

Hand-computed values for s = 30 px:
    flexion_norm: trapezoid mean of the parabola over 16 equal steps = 2s/3 * (1 - 1/16^2)
        = 19.921875 px -> 0.06640625 L.
    bow_max_norm: s / L = 0.1 (the middle station, t = 0.5).
    lumbar_deg: the six stations t = 0.10 .. 0.35 (t' = 0 .. 5/16); a least-squares line through
        equally spaced samples of a parabola has the slope at their middle, t' = 5/32:
        db/dt' = 4s (1 - 2 * 5/32) = 82.5 px, per px along the chord / 240 -> 0.34375,
        atan -> 18.970 deg.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
import pytest

from formcheck.back.shape import BackShape, chest_side_sign, measure_back, trace_back
from formcheck.landmarks import Landmark
from tests.helpers import make_pose_frame

SIZE = 800
HIP = np.array([400.0, 600.0])
SHOULDER = np.array([400.0, 300.0])
TRUNK = 300.0
FACING_RIGHT = 1.0  # chest_side_sign for this figure: the back normal is -x
FLEXION_S30 = 0.06640625
LUMBAR_S30_DEG = math.degrees(math.atan(0.34375))


def back_mask(sagitta: float, edge_jitter_px: float = 0.0, noise: float = 0.0, blur_px: float = 2.0) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(0)
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    t = (HIP[1] - ys) / TRUNK
    tp = np.clip((t - 0.1) / 0.8, 0.0, 1.0)
    back_x = 340.0 - 4 * sagitta * tp * (1 - tp)
    back_x = back_x + rng.uniform(-edge_jitter_px, edge_jitter_px, (SIZE, 1))
    inside_back = np.clip(0.5 + (xs - back_x) / blur_px, 0.0, 1.0)
    inside_front = np.clip(0.5 + (470.0 - xs) / 2, 0.0, 1.0)
    rows = ((ys >= 250) & (ys <= 650)).astype(np.float64)
    mask = inside_back * inside_front * rows + rng.normal(0.0, noise, (SIZE, SIZE))
    return np.asarray(np.clip(mask, 0.0, 1.0), np.float32)


def shape(mask: npt.NDArray[np.float32], yaw_deg: float = 90.0) -> BackShape:
    return trace_back(mask, HIP, SHOULDER, FACING_RIGHT, yaw_deg)


def test_a_straight_back_reads_zero_with_full_confidence() -> None:
    result = shape(back_mask(0.0))
    assert result.flexion_norm == pytest.approx(0.0, abs=1e-6)
    assert result.bow_max_norm == pytest.approx(0.0, abs=1e-6)
    assert result.lumbar_deg == pytest.approx(0.0, abs=1e-4)
    assert result.confidence == pytest.approx(1.0)
    assert result.reason is None
    assert np.allclose(result.contour_px[:, 0], 340.0, atol=1e-6)


@pytest.mark.parametrize("sagitta, sign", [(30.0, 1.0), (-30.0, -1.0)], ids=["rounded", "arched"])
def test_a_bowed_back_reads_its_hand_computed_bow_and_lumbar_slope(sagitta: float, sign: float) -> None:
    result = shape(back_mask(sagitta))
    assert result.flexion_norm == pytest.approx(sign * FLEXION_S30, abs=1e-5)
    assert result.bow_max_norm == pytest.approx(sign * 0.1, abs=1e-5)
    assert result.lumbar_deg == pytest.approx(sign * LUMBAR_S30_DEG, abs=1e-3)


def test_facing_left_mirrors_to_the_same_values() -> None:
    mirrored = np.ascontiguousarray(back_mask(30.0)[:, ::-1])
    hip, shoulder = np.array([SIZE - 1 - HIP[0], HIP[1]]), np.array([SIZE - 1 - SHOULDER[0], SHOULDER[1]])
    result = trace_back(mirrored, hip, shoulder, -FACING_RIGHT)
    assert result.flexion_norm == pytest.approx(FLEXION_S30, abs=1e-5)
    assert result.lumbar_deg == pytest.approx(LUMBAR_S30_DEG, abs=1e-3)


def test_mask_noise_and_a_ragged_edge_move_the_measures_little() -> None:
    result = shape(back_mask(30.0, edge_jitter_px=1.0, noise=0.05))
    assert result.flexion_norm == pytest.approx(FLEXION_S30, abs=0.004)
    assert result.lumbar_deg == pytest.approx(LUMBAR_S30_DEG, abs=1.5)
    assert result.confidence > 0.9


def test_a_bar_across_the_back_is_dropped_and_lowers_confidence() -> None:
    """A bar seen end-on (a 29 px disc on the upper back at t = 0.75) pushes three stations out
    by 25..29 px; they are dropped, and the straight back still reads straight."""
    mask = back_mask(0.0)
    ys, xs = np.mgrid[0:SIZE, 0:SIZE]
    mask[(xs - 340) ** 2 + (ys - 375) ** 2 <= 29**2] = 1.0
    result = shape(mask)
    assert np.isnan(result.contour_px[[12, 13, 14], 0]).all()
    assert np.isfinite(np.delete(result.contour_px[:, 0], [12, 13, 14])).all()
    assert result.flexion_norm == pytest.approx(0.0, abs=1e-6)
    assert result.confidence == pytest.approx(14 / 17)


def test_a_soft_edge_lowers_confidence_and_says_why() -> None:
    result = shape(back_mask(0.0, blur_px=40.0))
    assert result.confidence < 0.5
    assert result.reason is not None and "soft mask edge" in result.reason


def test_front_and_oblique_views() -> None:
    front = shape(back_mask(30.0), yaw_deg=10.0)
    assert front.confidence == 0.0 and math.isnan(front.flexion_norm)
    assert front.reason is not None and "front view" in front.reason
    oblique = shape(back_mask(30.0), yaw_deg=45.0)
    assert oblique.confidence == pytest.approx(0.5)
    assert oblique.flexion_norm == pytest.approx(FLEXION_S30, abs=1e-5)


def test_a_back_lost_along_most_stations_is_not_judged() -> None:
    mask = back_mask(0.0)
    mask[:, :100] = 1.0  # the body runs into the image edge: the rays never leave it
    mask[250:651, 100:340] = 1.0
    result = shape(mask)
    assert result.confidence == 0.0 and math.isnan(result.flexion_norm)
    assert result.reason is not None and "lost" in result.reason


def test_the_chest_side_follows_the_knee_then_the_feet() -> None:
    # Hinged forward facing right: chord pointing right, knee below-ahead: the back is up.
    assert chest_side_sign(np.array([0.0, 0.0]), np.array([100.0, 0.0]), np.array([30.0, 60.0]), -1.0) == 1.0
    # Quadruped, head to the left: knee below the hip, toes point back (feet say "right").
    assert chest_side_sign(np.array([0.0, 0.0]), np.array([-100.0, 0.0]), np.array([0.0, 80.0]), 1.0) == -1.0
    # Supine bridge, head to the left: knee above the hips, the back is down.
    assert chest_side_sign(np.array([0.0, 0.0]), np.array([-100.0, 0.0]), np.array([40.0, -60.0]), -1.0) == 1.0
    # Standing tall: the knee is on the chord's line, the feet decide.
    assert chest_side_sign(np.array([0.0, 0.0]), np.array([0.0, -100.0]), np.array([2.0, 80.0]), -1.0) == -1.0


def test_measure_back_reads_a_pose_frame_with_its_mask() -> None:
    image_xy = np.full((33, 2), 0.5, np.float32)
    for landmark, point in [
        (Landmark.LEFT_HIP, HIP), (Landmark.RIGHT_HIP, HIP),
        (Landmark.LEFT_SHOULDER, SHOULDER), (Landmark.RIGHT_SHOULDER, SHOULDER),
        (Landmark.LEFT_KNEE, (420.0, 750.0)), (Landmark.RIGHT_KNEE, (420.0, 750.0)),
        (Landmark.LEFT_HEEL, (400.0, 790.0)), (Landmark.RIGHT_HEEL, (400.0, 790.0)),
        (Landmark.LEFT_FOOT_INDEX, (450.0, 790.0)), (Landmark.RIGHT_FOOT_INDEX, (450.0, 790.0)),
    ]:
        image_xy[landmark] = np.asarray(point, np.float32) / SIZE
    world = np.zeros((33, 3), np.float32)
    world[Landmark.LEFT_SHOULDER], world[Landmark.RIGHT_SHOULDER] = (0, 0, -0.2), (0, 0, 0.2)
    world[Landmark.LEFT_HIP], world[Landmark.RIGHT_HIP] = (0, 0, -0.15), (0, 0, 0.15)
    frame = make_pose_frame(image_xy=image_xy, world_xyz=world, image_wh=(SIZE, SIZE))
    result = measure_back(dataclasses.replace(frame, mask=back_mask(30.0)))
    assert result.flexion_norm == pytest.approx(FLEXION_S30, abs=1e-4)
    assert result.confidence == pytest.approx(1.0)
    assert measure_back(frame).reason == "no segmentation mask"
