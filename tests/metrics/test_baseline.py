"""``from_rest`` metrics: a metric's change since the person last stood at rest, frame by frame."""

from __future__ import annotations

import math

import pytest

from formcheck.metrics.baseline import REST_BASELINE_S, RestBaselines
from formcheck.specs.models import FromRestMetric, HeightDifferenceMetric

METRICS = {
    "heel_lift_norm": HeightDifferenceMetric(kind="height_difference", points=("foot_index", "heel")),
    "heel_rise_norm": FromRestMetric(kind="from_rest", of="heel_lift_norm"),
}


def feed(baselines: RestBaselines, readings: list[tuple[float, float, bool]]) -> list[float]:
    return [baselines.update(t_s, {"heel_lift_norm": value}, at_rest)["heel_rise_norm"] for t_s, value, at_rest in readings]


def test_nothing_until_the_person_has_been_at_rest():
    assert all(math.isnan(value) for value in feed(RestBaselines(METRICS), [(0.0, 0.3, False), (0.1, 0.4, False)]))


def test_the_rep_reads_against_the_median_of_the_last_second_at_rest():
    baselines = RestBaselines(METRICS)
    # 2 s at rest: 0.5 for the first second (forgotten), then 0.1 with one 0.9 glitch (outvoted)
    rest = [(i / 10, 0.5 if i < 10 else (0.9 if i == 15 else 0.1), True) for i in range(20)]
    feed(baselines, rest)
    during_rep = feed(baselines, [(2.0, 0.25, False), (2.5, 0.1, False), (3.0, float("nan"), False)])
    assert during_rep[:2] == pytest.approx([0.15, 0.0])
    assert math.isnan(during_rep[2])


def test_the_baseline_is_frozen_during_the_rep_and_renewed_at_the_next_rest():
    baselines = RestBaselines(METRICS)
    feed(baselines, [(0.0, 0.1, True), (0.5, 0.1, True)])
    assert feed(baselines, [(1.0, 0.3, False), (1.5, 0.3, False)]) == pytest.approx([0.2, 0.2])
    later = 1.5 + 2 * REST_BASELINE_S
    feed(baselines, [(later, 0.3, True), (later + 0.5, 0.3, True)])
    assert feed(baselines, [(later + 1.0, 0.3, False)]) == pytest.approx([0.0])


def test_unseen_readings_at_rest_do_not_move_the_baseline():
    baselines = RestBaselines(METRICS)
    feed(baselines, [(0.0, 0.1, True), (0.1, float("nan"), True)])
    assert feed(baselines, [(0.2, 0.2, False)]) == pytest.approx([0.1])
