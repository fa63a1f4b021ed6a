"""The engine's noise table is the measured one (evaluation/noise.json, from benchmarks/noise.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formcheck.reps.noise import METRIC_KIND_NOISE, REP_RANGE_NOISE, metric_noise, rep_noise
from formcheck.specs import catalogue, load_spec
from formcheck.specs import models as spec_models

NOISE_FILE = Path(__file__).resolve().parents[2] / "evaluation" / "noise.json"


def test_the_table_is_the_measured_one() -> None:
    measured = json.loads(NOISE_FILE.read_text())
    assert METRIC_KIND_NOISE == {kind: f["p95"] for kind, f in measured["metric_kinds"].items() if f["p95"] is not None}
    assert REP_RANGE_NOISE == {name: f["p95"] for name, f in measured["rep_range"].items() if f["p95"] is not None}
    assert measured["statistic"].startswith("95th percentile of |value(copy) - value(original)|")
    assert set(measured["copies"]) == {"copy", "mirror", "half"}


@pytest.mark.parametrize("exercise", sorted(catalogue()))
def test_every_rep_metric_has_a_noise_level(exercise: str) -> None:
    spec = load_spec(exercise)
    if spec.reps is not None:
        assert metric_noise(spec.metrics, spec.reps.metric) is not None
        assert rep_noise(spec) is not None


def test_combined_metrics_take_their_parts_noise() -> None:
    metrics: dict[str, spec_models.MetricSpec] = {
        "a": spec_models.JointFlexionMetric(kind="joint_flexion", points=("hip", "knee", "ankle"), space="world"),
        "b": spec_models.InclinationMetric(kind="inclination", points=("hip", "shoulder")),
        "diff": spec_models.CombinedMetric(kind="combine", op="difference", of=("a", "b")),
        "most": spec_models.CombinedMetric(kind="combine", op="max", of=("a", "b")),
    }
    a, b = METRIC_KIND_NOISE["joint_flexion/world"], METRIC_KIND_NOISE["inclination"]
    assert metric_noise(metrics, "diff") == pytest.approx((a**2 + b**2) ** 0.5)
    assert metric_noise(metrics, "most") == pytest.approx(max(a, b))
