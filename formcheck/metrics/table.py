"""Turn a spec's metric declarations into numbers for one frame.

Every metric kind is one small function of landmark arrays; the spec picks points and a
side. Units are in the metric's name by convention (``_deg``, ``_norm``, ``_ratio``).

Sides:
    near: the metric is computed on the left and the right side and the two are blended by
        visibility (weights ~ visibility^4), so side-on clips use the side facing the camera
        without ever switching abruptly between sides.
    left / right: that side only.
    mid: the midpoint of the left and right points (e.g. mid-hip to mid-shoulder).

Normalised lengths (``_norm``) are in torso lengths: the image distance from mid-hip to
mid-shoulder, so they do not depend on how far the person stands from the camera.

Floor-exercise kinds:
    line_bend (points a, b, c; image px; degrees): 180 minus the angle a-b-c, signed + when b
        lies above the straight line a-c in the image (hips piked in a plank), - below (hips
        sagging); 0 when the three are in line. NaN when a-c is steeper than
        ``LINE_BEND_MAX_SLOPE_DEG`` from the image horizontal, where "above" means nothing.
        Valid where the line a-c lies across the image: side view of a plank, bridge or
        quadruped; front view of a side plank.
    left_right_tilt (one point, both sides; image px; degrees 0..90, unsigned): the line from
        the left to the right point against the image horizontal; 0 = level. Valid from the
        front, back or above, where the two sides show apart (side-on they overlap). With
        ``lifted_by`` signed by the lifted limb's side (the side whose ``lifted_by`` point is
        higher): + when the point is higher on that side, - lower; NaN with no side lifted.

Standing-exercise kinds:
    twist (points a, b, both sides; world m; degrees 0..180, unsigned): the left->right line
        through a (e.g. the shoulders) against the left->right line through b (the hips), both
        projected on the horizontal plane (world x-z; world y is vertical): 0 = square, the
        trunk not rotated over the pelvis. NaN when either line is steeper than
        ``TWIST_MAX_LINE_SLOPE_DEG`` from horizontal (lying on one side: no twist about the
        vertical). Valid from the front or back; side-on the model guesses the far side's depth.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.back.shape import BackShape
from formcheck.landmarks import Landmark
from formcheck.metrics import geometry
from formcheck.metrics.view import FRONT_MAX_DEG, SIDE_MIN_DEG, body_yaw_deg
from formcheck.specs import models as spec_models

FloatArray = npt.NDArray[np.float64]
NEAR_SIDE_WEIGHT_POWER = 4.0
MIN_TORSO_TO_LEG_RATIO = 0.2  # adults: torso is about 0.6-0.7 of hip-to-ankle
_UNSIDED = {"nose"}
LINE_BEND_MAX_SLOPE_DEG = 60.0  # a-c line steeper than this: no up/down for line_bend
TWIST_MAX_LINE_SLOPE_DEG = 60.0  # a left-right line steeper than this: no twist about the vertical


@dataclass(frozen=True)
class PoseArrays:
    """One frame's smoothed landmarks as the metric functions need them.

    Attributes:
        image_px: (33, 2) image coordinates in pixels (so angles are not distorted by the aspect ratio).
        world_m: (33, 3) world coordinates in metres.
        visibility: (33,) visibility 0..1.
        back: the back's shape (``formcheck.back``), smoothed like the landmarks, when the spec reads it.
    """

    image_px: FloatArray
    world_m: FloatArray
    visibility: FloatArray
    back: BackShape | None = None

    def torso_length_px(self) -> float:
        """Mid-hip to mid-shoulder in pixels; NaN when implausibly short for the legs (a broken
        pose, e.g. a barbell plate hiding the trunk), so normalised metrics never explode."""
        shoulders = (self.image_px[Landmark.LEFT_SHOULDER] + self.image_px[Landmark.RIGHT_SHOULDER]) / 2
        hips = (self.image_px[Landmark.LEFT_HIP] + self.image_px[Landmark.RIGHT_HIP]) / 2
        ankles = (self.image_px[Landmark.LEFT_ANKLE] + self.image_px[Landmark.RIGHT_ANKLE]) / 2
        torso = float(geometry.distance(shoulders, hips))
        legs = float(geometry.distance(hips, ankles))
        return float("nan") if torso < MIN_TORSO_TO_LEG_RATIO * legs else torso

    def facing_sign(self) -> float:
        """+1 when the person faces image right (toes ahead of heels), -1 when facing left."""
        toes = (self.image_px[Landmark.LEFT_FOOT_INDEX] + self.image_px[Landmark.RIGHT_FOOT_INDEX]) / 2
        heels = (self.image_px[Landmark.LEFT_HEEL] + self.image_px[Landmark.RIGHT_HEEL]) / 2
        return 1.0 if toes[0] >= heels[0] else -1.0


def landmark(point: str, side: str) -> Landmark:
    if point in _UNSIDED:
        return Landmark[point.upper()]
    return Landmark[f"{side.upper()}_{point.upper()}"]


def _points(arrays: FloatArray, points: tuple[str, ...], side: str) -> list[FloatArray]:
    if side == "mid":
        return [(arrays[landmark(p, "left")] + arrays[landmark(p, "right")]) / 2 for p in points]
    return [arrays[landmark(p, side)] for p in points]


def _side_visibility(pose: PoseArrays, points: tuple[str, ...], side: str) -> float:
    return float(min(pose.visibility[landmark(p, side)] for p in points))


SidedFunction = Callable[[PoseArrays, str], float]


def _on_side(function: SidedFunction, points: tuple[str, ...], side: str) -> Callable[[PoseArrays], float]:
    if side != "near":
        return lambda pose: function(pose, side)

    def blended(pose: PoseArrays) -> float:
        left, right = function(pose, "left"), function(pose, "right")
        weight_left = _side_visibility(pose, points, "left") ** NEAR_SIDE_WEIGHT_POWER
        weight_right = _side_visibility(pose, points, "right") ** NEAR_SIDE_WEIGHT_POWER
        if np.isnan(left) or weight_left + weight_right == 0:
            return right
        if np.isnan(right):
            return left
        return float((weight_left * left + weight_right * right) / (weight_left + weight_right))

    return blended


def build_metric(spec: spec_models.MetricSpec) -> Callable[[PoseArrays], float]:
    """A function from one frame's landmarks to the metric's value (NaN when it cannot be computed)."""
    if isinstance(spec, spec_models.JointFlexionMetric):
        space = spec.space

        def flexion_in(coordinates: FloatArray, side: str) -> float:
            a, b, c = _points(coordinates, spec.points, side)
            return float(180.0 - geometry.joint_angle_deg(a, b, c))

        def flexion(pose: PoseArrays, side: str) -> float:
            if space != "view":
                return flexion_in(pose.world_m if space == "world" else pose.image_px, side)
            weight = side_on_weight(body_yaw_deg(pose.world_m))
            if weight == 0.0:
                return flexion_in(pose.world_m, side)
            if weight == 1.0:
                return flexion_in(pose.image_px, side)
            return weight * flexion_in(pose.image_px, side) + (1 - weight) * flexion_in(pose.world_m, side)

        return _on_side(flexion, spec.points, spec.side)
    if isinstance(spec, spec_models.InclinationMetric):
        reference = spec.reference

        def inclination(pose: PoseArrays, side: str) -> float:
            a, b = _points(pose.image_px, spec.points, side)
            return float(geometry.inclination_deg(a, b, reference))

        return _on_side(inclination, spec.points, spec.side)
    if isinstance(spec, spec_models.ForwardOffsetMetric):

        def forward_offset(pose: PoseArrays, side: str) -> float:
            a, b = _points(pose.image_px, spec.points, side)
            return float((b[0] - a[0]) * pose.facing_sign() / pose.torso_length_px())

        return _on_side(forward_offset, spec.points, spec.side)
    if isinstance(spec, spec_models.HeightDifferenceMetric):

        def height_difference(pose: PoseArrays, side: str) -> float:
            a, b = _points(pose.image_px, spec.points, side)
            return float((a[1] - b[1]) / pose.torso_length_px())

        return _on_side(height_difference, spec.points, spec.side)
    if isinstance(spec, spec_models.LeftRightHeightMetric):
        point = spec.point

        def left_right_height(pose: PoseArrays) -> float:
            left, right = pose.image_px[landmark(point, "left")], pose.image_px[landmark(point, "right")]
            return float(abs(left[1] - right[1]) / pose.torso_length_px())

        return left_right_height
    if isinstance(spec, spec_models.WidthRatioMetric):
        inner, outer = spec.points

        def width_ratio(pose: PoseArrays) -> float:
            inner_width = abs(pose.image_px[landmark(inner, "left")][0] - pose.image_px[landmark(inner, "right")][0])
            outer_width = abs(pose.image_px[landmark(outer, "left")][0] - pose.image_px[landmark(outer, "right")][0])
            return float(inner_width / outer_width) if outer_width > 0 else float("nan")

        return width_ratio
    if isinstance(spec, spec_models.LineBendMetric):

        def line_bend(pose: PoseArrays, side: str) -> float:
            a, b, c = _points(pose.image_px, spec.points, side)
            return line_bend_deg(a, b, c)

        return _on_side(line_bend, spec.points, spec.side)
    if isinstance(spec, spec_models.LeftRightTiltMetric):
        tilt_point, lifted_by = spec.point, spec.lifted_by

        def left_right_tilt(pose: PoseArrays) -> float:
            left = pose.image_px[landmark(tilt_point, "left")]
            right = pose.image_px[landmark(tilt_point, "right")]
            tilt = float(geometry.inclination_deg(left, right, "horizontal"))
            if lifted_by is None:
                return tilt
            # image y grows downwards: the lifted side's point stands higher when its y is smaller
            lifted = np.sign(pose.image_px[landmark(lifted_by, "right")][1] - pose.image_px[landmark(lifted_by, "left")][1])
            higher = np.sign(right[1] - left[1])  # +1: the left point is higher
            return float(tilt * lifted * higher) if lifted else float("nan")

        return left_right_tilt
    if isinstance(spec, spec_models.TwistMetric):
        upper, lower = spec.points

        def twist(pose: PoseArrays) -> float:
            return twist_deg(
                pose.world_m[landmark(upper, "left")], pose.world_m[landmark(upper, "right")],
                pose.world_m[landmark(lower, "left")], pose.world_m[landmark(lower, "right")],
            )

        return twist
    if isinstance(spec, spec_models.BackShapeMetric):
        attribute = {"flexion": "flexion_norm", "lumbar": "lumbar_deg"}[spec.measure]

        def back_shape(pose: PoseArrays) -> float:
            if pose.back is None or not pose.back.traced:
                return float("nan")  # not traced with confidence: not judged, rather than judged on a guess
            return float(getattr(pose.back, attribute))

        return back_shape
    raise TypeError(f"no metric function for {type(spec).__name__}")


def side_on_weight(yaw_deg: float) -> float:
    """How far to trust the image over the 3-D guess for a sagittal joint angle: 1 side-on
    (the bend lies in the image plane), 0 facing the camera (it points at the lens), linear
    across the oblique band. The model's depth is its weakest coordinate: side-on, its 3-D
    knee reads ~20 deg bent on a straight standing leg, the image angle ~10."""
    if math.isnan(yaw_deg):
        return 0.0
    return float(np.clip((yaw_deg - FRONT_MAX_DEG) / (SIDE_MIN_DEG - FRONT_MAX_DEG), 0.0, 1.0))


def line_bend_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> float:
    """Signed bend at ``b`` from the image line a-c in degrees: + when b lies above it (smaller y)."""
    if float(geometry.inclination_deg(a, c, "horizontal")) > LINE_BEND_MAX_SLOPE_DEG:
        return float("nan")
    bend = 180.0 - float(geometry.joint_angle_deg(a[:2], b[:2], c[:2]))
    along = c[:2] - a[:2]
    cross = along[0] * (b[1] - a[1]) - along[1] * (b[0] - a[0])  # image y grows downwards
    above = cross * np.sign(along[0]) < 0
    return bend if above else -bend


def twist_deg(first_left: FloatArray, first_right: FloatArray, second_left: FloatArray, second_right: FloatArray) -> float:
    """Unsigned angle (0..180) about the vertical between two left->right lines (world: y vertical)."""
    headings = []
    for left, right in ((first_left, first_right), (second_left, second_right)):
        delta = np.asarray(right, np.float64) - np.asarray(left, np.float64)
        horizontal = float(np.hypot(delta[0], delta[2]))
        if not horizontal or math.degrees(math.atan2(abs(delta[1]), horizontal)) > TWIST_MAX_LINE_SLOPE_DEG:
            return float("nan")  # NaN deltas fall through to a NaN heading
        headings.append(math.degrees(math.atan2(delta[2], delta[0])))
    return abs((headings[0] - headings[1] + 180.0) % 360.0 - 180.0)


_COMBINE: dict[str, Callable[[float, float], float]] = {
    "difference": lambda first, second: first - second,
    "max": lambda first, second: float(np.fmax(first, second)),
    "min": lambda first, second: float(np.fmin(first, second)),
    "mean": lambda first, second: (first + second) / 2,
    "abs_difference": lambda first, second: abs(first - second),
}


def metric_points(spec: spec_models.MetricSpec) -> tuple[tuple[str, ...], str]:
    """The body points a landmark metric uses and its side choice (for its confidence); none for the back's
    shape, whose confidence is the tracing's own."""
    if isinstance(spec, spec_models.BackShapeMetric):
        return (), "back"
    if isinstance(spec, spec_models.LeftRightHeightMetric):
        return (spec.point,), "mid"
    if isinstance(spec, spec_models.WidthRatioMetric):
        return spec.points, "mid"
    if isinstance(spec, spec_models.LeftRightTiltMetric):
        return (spec.point,) if spec.lifted_by is None else (spec.point, spec.lifted_by), "mid"
    if isinstance(spec, spec_models.TwistMetric):
        return spec.points, "mid"
    assert not isinstance(spec, (spec_models.CombinedMetric, *spec_models.BASELINE_METRICS))
    return spec.points, spec.side


def metric_confidence(pose: PoseArrays, points: tuple[str, ...], side: str) -> float:
    """How well the model saw the points a metric uses: their lowest visibility (0..1).

    ``near`` takes the better-seen side (that side dominates the blended value); ``mid``
    needs both sides; ``back`` is the back tracing's confidence.
    """
    if side == "back":
        return pose.back.confidence if pose.back is not None else 0.0
    if side == "near":
        return max(_side_visibility(pose, points, "left"), _side_visibility(pose, points, "right"))
    if side == "mid":
        return min(_side_visibility(pose, points, "left"), _side_visibility(pose, points, "right"))
    return _side_visibility(pose, points, side)


class MetricTable:
    """All of one spec's metrics, computed together for each frame (combined ones last).

    ``compute`` returns each metric's value and its confidence (the visibility of the
    landmarks it uses), so checks can stay silent about what the camera cannot see.
    """

    def __init__(self, metrics: dict[str, spec_models.MetricSpec]) -> None:
        # from_rest and from_rep_max metrics need the rep phase: the engine adds them (formcheck.metrics.baseline)
        self.names = tuple(
            name for name, metric in metrics.items() if not isinstance(metric, spec_models.BASELINE_METRICS)
        )
        self._functions = {
            name: build_metric(metric)
            for name, metric in metrics.items()
            if not isinstance(metric, (spec_models.CombinedMetric, *spec_models.BASELINE_METRICS))
        }
        self._points = {name: metric_points(metrics[name]) for name in self._functions}
        self._combined = {
            name: (metric.op, metric.of) for name, metric in metrics.items()
            if isinstance(metric, spec_models.CombinedMetric)
        }

    def compute(self, pose: PoseArrays) -> tuple[dict[str, float], dict[str, float]]:
        """(values, confidences) for one frame, both keyed by metric name."""
        with np.errstate(invalid="ignore", divide="ignore"):
            values = {name: function(pose) for name, function in self._functions.items()}
        confidences = {name: metric_confidence(pose, *self._points[name]) for name in self._functions}
        for name, (op, (first, second)) in self._combined.items():
            values[name] = _COMBINE[op](values[first], values[second])
            confidences[name] = min(confidences[first], confidences[second])
        return {name: values[name] for name in self.names}, {name: confidences[name] for name in self.names}
