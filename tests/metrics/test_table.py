"""Metric kinds on hand-placed landmarks (pixels; image y grows downwards).

Each case places only the points its metric reads, so the expected value can be worked out
on paper: e.g. hip (400, 500), knee (500, 500), ankle (500, 600) is a 90-degree knee.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from helpers import pose_arrays, stick_figure
from pydantic import TypeAdapter

from formcheck.back.shape import LOW_CONFIDENCE, BackShape
from formcheck.landmarks import Landmark as L
from formcheck.metrics.table import MetricTable, PoseArrays, build_metric
from formcheck.specs import load_spec
from formcheck.specs.models import MetricSpec

METRIC = TypeAdapter(MetricSpec)


def metric(**fields):
    return build_metric(METRIC.validate_python(fields))


# A person side-on, facing image right, knee bent 90 degrees, trunk leaning 45 degrees forward.
# Both sides are drawn at the same place (side-on they overlap); tests move one side to tell them apart.
SIDE_ON = {
    L.LEFT_SHOULDER: (500, 400), L.RIGHT_SHOULDER: (500, 400),
    L.LEFT_HIP: (400, 500), L.RIGHT_HIP: (400, 500),
    L.LEFT_KNEE: (500, 500), L.RIGHT_KNEE: (500, 500),
    L.LEFT_ANKLE: (500, 600), L.RIGHT_ANKLE: (500, 600),
    L.LEFT_HEEL: (480, 620), L.RIGHT_HEEL: (480, 620),
    L.LEFT_FOOT_INDEX: (560, 620), L.RIGHT_FOOT_INDEX: (560, 620),
}
TORSO_PX = math.hypot(100, 100)


def side_on(moved: dict | None = None, visibility: dict | None = None) -> PoseArrays:
    points = dict(SIDE_ON) | (moved or {})
    world = {point: (x / 100, y / 100, 0.0) for point, (x, y) in points.items()}
    return pose_arrays(points, visibility=visibility, world_m=world)


# The right knee straight (hip above knee above ankle) instead of bent.
RIGHT_LEG_STRAIGHT = {L.RIGHT_HIP: (500, 400), L.RIGHT_KNEE: (500, 500), L.RIGHT_ANKLE: (500, 600)}


@pytest.mark.parametrize("space", ["world", "image"])
@pytest.mark.parametrize(
    ("side", "moved", "visibility", "expected"),
    [
        pytest.param("left", {}, {}, 90.0, id="left side"),
        pytest.param("right", RIGHT_LEG_STRAIGHT, {}, 0.0, id="right side straight"),
        pytest.param("near", RIGHT_LEG_STRAIGHT, {L.RIGHT_HIP: 0.1, L.RIGHT_KNEE: 0.1, L.RIGHT_ANKLE: 0.1}, 90.0,
                     id="near: a barely visible right side is ignored"),
        pytest.param("near", RIGHT_LEG_STRAIGHT, {L.LEFT_KNEE: 0.1}, 0.0,
                     id="near: one hidden point hides the whole left side"),
        pytest.param("near", RIGHT_LEG_STRAIGHT, {}, 45.0, id="near: equally visible sides are averaged"),
        pytest.param("near", RIGHT_LEG_STRAIGHT, {L.RIGHT_ANKLE: 0.0}, 90.0, id="near: zero visibility is no weight"),
        pytest.param("near", {L.RIGHT_KNEE: (np.nan, np.nan)}, {}, 90.0, id="near: a side with a NaN point is skipped"),
        pytest.param("mid", RIGHT_LEG_STRAIGHT, {}, None, id="mid: the midpoints' angle"),
    ],
)
def test_knee_flexion(space, side, moved, visibility, expected):
    pose = side_on(moved, visibility)
    value = metric(kind="joint_flexion", points=["hip", "knee", "ankle"], side=side, space=space)(pose)
    if expected is None:  # mid: hip (450, 450), knee (500, 500), ankle (500, 600) -> 45 degrees of bend
        expected = 45.0
    assert value == pytest.approx(expected, abs=0.01)


def test_near_side_weights_follow_visibility_to_the_fourth_power():
    # left 90 deg at visibility 1.0, right 0 deg at visibility 0.5: weights 1 and 1/16
    pose = side_on(RIGHT_LEG_STRAIGHT, {L.RIGHT_HIP: 0.5, L.RIGHT_KNEE: 0.5, L.RIGHT_ANKLE: 0.5})
    value = metric(kind="joint_flexion", points=["hip", "knee", "ankle"], space="image")(pose)
    assert value == pytest.approx(90.0 * 1 / (1 + 1 / 16), abs=1e-6)


def test_joint_flexion_uses_world_coordinates_by_default():
    pose = side_on()
    # distort only the image: the world knee is still bent 90 degrees
    pose = PoseArrays(image_px=np.where(np.isnan(pose.image_px), np.nan, 0.0), world_m=pose.world_m,
                      visibility=pose.visibility)
    assert metric(kind="joint_flexion", points=["hip", "knee", "ankle"], side="left")(pose) == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("reference", "side", "moved", "expected"),
    [
        pytest.param("vertical", "mid", {}, 45.0, id="45 degree trunk lean"),
        pytest.param("horizontal", "mid", {}, 45.0, id="same trunk from horizontal"),
        pytest.param("vertical", "mid", {L.LEFT_SHOULDER: (400, 400), L.RIGHT_SHOULDER: (400, 400)}, 0.0, id="upright"),
        pytest.param("horizontal", "mid", {L.LEFT_SHOULDER: (400, 400), L.RIGHT_SHOULDER: (400, 400)}, 90.0,
                     id="upright from horizontal"),
        pytest.param("vertical", "mid", {L.LEFT_SHOULDER: (500 + 173.205, 400)}, None, id="mid of two different shoulders"),
        pytest.param("vertical", "left", {L.RIGHT_SHOULDER: (400, 400)}, 45.0, id="left only"),
        pytest.param("vertical", "right", {L.RIGHT_SHOULDER: (400, 400)}, 0.0, id="right only"),
    ],
)
def test_trunk_inclination(reference, side, moved, expected):
    pose = side_on(moved)
    value = metric(kind="inclination", points=["hip", "shoulder"], side=side, reference=reference)(pose)
    if expected is None:  # mid shoulder (586.6, 400) from mid hip (400, 500): atan(186.6 / 100)
        expected = math.degrees(math.atan2(186.6025, 100))
    assert value == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("points", "moved", "expected"),
    [
        pytest.param(["knee", "hip"], {}, 0.0, id="hip level with the knee"),
        pytest.param(["knee", "hip"], {L.LEFT_HIP: (400, 450), L.RIGHT_HIP: (400, 450)}, None, id="hip above knee"),
        pytest.param(["knee", "hip"], {L.LEFT_HIP: (400, 550), L.RIGHT_HIP: (400, 550)}, None, id="hip below knee"),
        pytest.param(["foot_index", "heel"], {}, 0.0, id="heels down"),
        pytest.param(["foot_index", "heel"], {L.LEFT_HEEL: (480, 600), L.RIGHT_HEEL: (480, 600)}, None, id="heels up"),
    ],
)
def test_height_difference_in_torso_lengths(points, moved, expected):
    pose = side_on(moved)
    value = metric(kind="height_difference", points=points)(pose)
    if expected is None:
        a, b = (pose.image_px[getattr(L, f"LEFT_{p.upper()}")] for p in points)
        expected = (a[1] - b[1]) / pose.torso_length_px()
        assert expected != 0
    assert value == pytest.approx(expected, abs=1e-9)


def test_height_difference_hand_computed():
    # hip 50 px above the knee; the torso (mid-hip (400, 450) to mid-shoulder (500, 400)) is 111.8 px
    pose = side_on({L.LEFT_HIP: (400, 450), L.RIGHT_HIP: (400, 450)})
    value = metric(kind="height_difference", points=["knee", "hip"])(pose)
    assert value == pytest.approx(50 / math.hypot(100, 50), abs=1e-9)


def test_normalised_metrics_are_nan_for_an_implausibly_short_torso():
    # shoulders 10 px above the hips, legs 100+ px long: a broken pose, not a real trunk
    pose = side_on({L.LEFT_SHOULDER: (400, 490), L.RIGHT_SHOULDER: (400, 490)})
    assert math.isnan(metric(kind="height_difference", points=["knee", "hip"])(pose))


FRONT = {
    L.LEFT_SHOULDER: (600, 300), L.RIGHT_SHOULDER: (400, 300),
    L.LEFT_HIP: (560, 500), L.RIGHT_HIP: (440, 500),
    L.LEFT_KNEE: (550, 650), L.RIGHT_KNEE: (450, 650),
    L.LEFT_ANKLE: (570, 800), L.RIGHT_ANKLE: (430, 800),
}


@pytest.mark.parametrize(
    ("moved", "expected"),
    [
        pytest.param({}, 100 / 140, id="knees inside the ankles"),
        pytest.param({L.LEFT_KNEE: (600, 650), L.RIGHT_KNEE: (400, 650)}, 200 / 140, id="knees outside"),
        pytest.param({L.LEFT_KNEE: (430, 650), L.RIGHT_KNEE: (570, 650)}, 1.0, id="crossed knees: absolute widths"),
        pytest.param({L.LEFT_ANKLE: (500, 800), L.RIGHT_ANKLE: (500, 800)}, math.nan, id="feet together: undefined"),
    ],
)
def test_width_ratio(moved, expected):
    pose = pose_arrays(FRONT | moved)
    value = metric(kind="width_ratio", points=["knee", "ankle"])(pose)
    if math.isnan(expected):
        assert math.isnan(value)
    else:
        assert value == pytest.approx(expected, abs=1e-9)


def test_left_right_height():
    # left hip 40 px lower than the right; torso from mid-hip (500, 520) to mid-shoulder (500, 300) = 220 px
    pose = pose_arrays(FRONT | {L.LEFT_HIP: (560, 540), L.RIGHT_HIP: (440, 500)})
    assert metric(kind="left_right_height", point="hip")(pose) == pytest.approx(40 / 220, abs=1e-9)


@pytest.mark.parametrize(
    ("facing", "expected"),
    [pytest.param(1, 100 / TORSO_PX, id="facing right, shoulders ahead"),
     pytest.param(-1, -100 / TORSO_PX, id="facing left, same shoulders are behind")],
)
def test_forward_offset_follows_the_facing_direction(facing, expected):
    moved = {}
    if facing < 0:  # toes behind the heels in image x: the person faces image left
        moved = {L.LEFT_FOOT_INDEX: (420, 620), L.RIGHT_FOOT_INDEX: (420, 620)}
    pose = side_on(moved)
    assert metric(kind="forward_offset", points=["hip", "shoulder"], side="mid")(pose) == pytest.approx(expected)


def test_squat_spec_metrics_on_a_side_on_stick_figure():
    """The shipped squat metrics on the test figure: the builders and the metric table agree."""
    spec = load_spec("squat")
    image_xy, world = stick_figure(knee_flexion_deg=100.0)  # hip 105, trunk lean 40 (helpers docstring)
    pose = PoseArrays(image_px=image_xy.astype(np.float64) * 1000, world_m=world.astype(np.float64),
                      visibility=np.full(33, 0.9))
    values = {name: build_metric(spec.metrics[name])(pose) for name in ("knee_flexion_deg", "hip_flexion_deg", "trunk_lean_deg")}
    assert values == pytest.approx({"knee_flexion_deg": 100.0, "hip_flexion_deg": 105.0, "trunk_lean_deg": 40.0}, abs=1e-3)


def knee_seen_90_modelled_60(yaw_deg: float) -> PoseArrays:
    """Image: the side-on 90-degree knee. World: a 60-degree knee, the hip and shoulder lines
    turned ``yaw_deg`` from the image plane (0 = facing the camera, 90 = side-on)."""
    lateral = np.array([math.cos(math.radians(yaw_deg)), 0.0, math.sin(math.radians(yaw_deg))])
    world = {}
    for side, sign in (("LEFT", 1.0), ("RIGHT", -1.0)):
        hip = sign * 0.1 * lateral
        knee = hip + [0.0, 0.4, 0.0]
        world[L[f"{side}_HIP"]] = hip
        world[L[f"{side}_SHOULDER"]] = hip - [0.0, 0.5, 0.0]
        world[L[f"{side}_KNEE"]] = knee
        world[L[f"{side}_ANKLE"]] = knee + 0.4 * np.array([math.sin(math.radians(60)), math.cos(math.radians(60)), 0.0])
    return pose_arrays(SIDE_ON, world_m=world)


@pytest.mark.parametrize(
    ("yaw_deg", "expected"),
    [
        pytest.param(90.0, 90.0, id="side-on: the image angle"),
        pytest.param(60.0, 90.0, id="side edge of the oblique band: the image angle"),
        pytest.param(45.0, 75.0, id="oblique: halfway between"),
        pytest.param(30.0, 60.0, id="front edge of the oblique band: the 3-D angle"),
        pytest.param(0.0, 60.0, id="facing the camera: the 3-D angle"),
    ],
)
def test_view_space_flexion_follows_the_camera(yaw_deg, expected):
    knee = metric(kind="joint_flexion", points=["hip", "knee", "ankle"], side="left", space="view")
    assert knee(knee_seen_90_modelled_60(yaw_deg)) == pytest.approx(expected, abs=0.01)
    world = metric(kind="joint_flexion", points=["hip", "knee", "ankle"], side="left", space="world")
    assert world(knee_seen_90_modelled_60(yaw_deg)) == pytest.approx(60.0, abs=0.01)


def _with_back(flexion: float, lumbar: float, confidence: float) -> PoseArrays:
    shape = BackShape(flexion, flexion * 1.5, lumbar, confidence, None, np.zeros((17, 2)))
    return dataclasses.replace(pose_arrays(SIDE_ON), back=shape)


@pytest.mark.parametrize(("measure", "expected"), [("flexion", 0.05), ("lumbar", -12.0)])
def test_back_shape_reads_the_traced_back(measure, expected):
    assert metric(kind="back_shape", measure=measure)(_with_back(0.05, -12.0, 0.9)) == pytest.approx(expected)


def test_back_shape_is_not_judged_without_a_confident_trace():
    flexion = metric(kind="back_shape", measure="flexion")
    assert math.isnan(flexion(_with_back(0.05, -12.0, LOW_CONFIDENCE - 0.01)))  # a guess is not a reading
    assert math.isnan(flexion(pose_arrays(SIDE_ON)))  # no mask was traced


def test_back_shape_confidence_is_the_tracing_s_own():
    table = MetricTable({"back_flexion_norm": METRIC.validate_python({"kind": "back_shape", "measure": "flexion"})})
    values, confidences = table.compute(_with_back(0.05, -12.0, 0.7))
    assert values == {"back_flexion_norm": pytest.approx(0.05)}
    assert confidences == {"back_flexion_norm": pytest.approx(0.7)}


def test_only_specs_that_read_the_back_ask_for_masks():
    assert load_spec("hip_hinge").reads_back_shape
    assert not load_spec("squat").reads_back_shape
