"""The pose noise of each metric: how far a metric moves when only the pixels change.

Measured by ``benchmarks/noise.py`` on the labelled clips and their re-encoded, mirrored and
half-size copies, and written to ``evaluation/noise.json``; the figures below are that file's
``metric_kinds`` p95 (a test keeps them in step). The statistic is the 95th percentile of
``|value(copy) - value(original)|`` over aligned frames: the difference of two readings of the same
movement, which is also the noise of a swing (the difference of two readings of one track).

Noise is kept by metric kind, so a new spec gets a noise level from what its metrics are made of;
a combined metric takes its parts' noise (a difference adds them in quadrature, max/min/mean keep
the larger).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import LANDMARK_COUNT, Landmark, PoseFrame
from formcheck.specs import models as spec_models

# evaluation/noise.json "rep_range" -> p95 by exercise: |range(copy) - range(original)| of the same rep, in the
# rep metric's unit: the noise of a counted rep's swing itself (the readings at rest and at the turning point)
REP_RANGE_NOISE: Final[dict[str, float]] = {
    "bird_dog": 2.96,
    "cat_cow": 2.1,
    "dead_bug": 10.4,
    "forward_lunge": 10.83,
    "glute_bridge": 6.9,
    "hip_hinge": 13.3,
    "reverse_lunge": 12.62,
    "single_leg_bridge": 2.92,
    "single_leg_deadlift": 7.075,
    "squat": 6.25,
}

# evaluation/noise.json "metric_kinds" -> p95, in each kind's unit: the noise of one reading (against a bound)
METRIC_KIND_NOISE: Final[dict[str, float]] = {
    "forward_offset": 0.0318,
    "height_difference": 0.0447,
    "inclination": 3.247,
    "joint_flexion/image": 5.4719,
    "joint_flexion/view": 6.2619,
    "joint_flexion/world": 11.6011,
    "left_right_height": 0.0411,
    "left_right_tilt": 14.8442,
    "line_bend": 3.6925,
    "twist": 4.8917,
    "width_ratio": 0.3637,
}

UNITS: Final[dict[str, str]] = {
    "joint_flexion": "deg", "inclination": "deg", "line_bend": "deg", "left_right_tilt": "deg", "twist": "deg",
    "forward_offset": "torso lengths", "height_difference": "torso lengths", "left_right_height": "torso lengths",
    "width_ratio": "ratio",
}


def kind_key(metric: spec_models.MetricSpec) -> str:
    """The key of a (non-combined) metric's kind in the noise table: joint flexion by its space."""
    if isinstance(metric, spec_models.JointFlexionMetric):
        return f"joint_flexion/{metric.space}"
    return metric.kind


def rep_noise(spec: spec_models.ExerciseSpec) -> float | None:
    """The noise of a rep's swing for this exercise: measured on its own reps where the labelled clips have
    some, else the per-frame noise of its rep metric (a new exercise, or one never counted)."""
    if spec.reps is None:
        return None
    measured = REP_RANGE_NOISE.get(spec.id)
    return measured if measured is not None else metric_noise(spec.metrics, spec.reps.metric)


def metric_noise(metrics: dict[str, spec_models.MetricSpec], name: str) -> float | None:
    """The measured noise (p95) of one reading of a spec's metric, in its unit; None when its kind was
    never measured."""
    metric = metrics[name]
    if isinstance(metric, spec_models.BASELINE_METRICS):  # a difference of two readings
        source = metric_noise(metrics, metric.of)
        return None if source is None else math.hypot(source, source)
    if isinstance(metric, spec_models.CombinedMetric):
        parts = [metric_noise(metrics, part) for part in metric.of]
        if any(part is None for part in parts):
            return None
        first, second = (float(part) for part in parts if part is not None)
        if metric.op in ("difference", "abs_difference"):
            return math.hypot(first, second)
        return max(first, second)
    return METRIC_KIND_NOISE.get(kind_key(metric))


def metric_unit(metrics: dict[str, spec_models.MetricSpec], name: str) -> str:
    metric = metrics[name]
    if isinstance(metric, spec_models.BASELINE_METRICS):
        return metric_unit(metrics, metric.of)
    if isinstance(metric, spec_models.CombinedMetric):
        return metric_unit(metrics, metric.of[0])
    return UNITS.get(metric.kind, "")


Z95: Final = 1.959964  # |N(0, s)| has its 95th percentile at Z95 * s


def _landmark_table(
    landmarks: dict[str, Any], space: str, axes: str, scale: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(sigma, lag-1 correlation), each (33, len(axes)), from ``evaluation/noise.json``'s ``landmarks``."""
    table = landmarks[space]["by_landmark"]
    sigma = np.zeros((LANDMARK_COUNT, len(axes)))
    rho = np.zeros((LANDMARK_COUNT, len(axes)))
    for landmark in Landmark:
        for axis, letter in enumerate(axes):
            figures = table[landmark.name.lower()][letter]
            sigma[landmark.value, axis] = scale * (figures["p95"] or 0.0) / Z95
            rho[landmark.value, axis] = min(max(figures["lag1_autocorrelation"] or 0.0, 0.0), 0.99)
    return sigma, rho


def add_landmark_noise(
    frames: list[PoseFrame], landmarks: dict[str, Any], seed: int, scale: dict[str, float] | None = None
) -> list[PoseFrame]:
    """The frames with seeded Gaussian noise added to every landmark, as a new recording of the same
    movement would read: per landmark and axis an AR(1) series whose |value| has the measured 95th
    percentile (times ``scale[space]``) and whose frame-to-frame correlation is the measured one (the
    pose model's errors persist over a few frames; white noise would be smoothed away).

    ``landmarks`` is ``evaluation/noise.json``'s ``landmarks``; ``scale`` its ``landmark_noise_scale``,
    which makes the metrics' noise match theirs (independent noise per landmark moves angles more than
    the model's errors, which move neighbouring landmarks together)."""
    scale = scale or {}
    rng = np.random.default_rng(seed)
    image_sigma, image_rho = _landmark_table(landmarks, "image_xy", "xy", scale.get("image_xy", 1.0))
    world_sigma, world_rho = _landmark_table(landmarks, "world_xyz", "xyz", scale.get("world_xyz", 1.0))
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
