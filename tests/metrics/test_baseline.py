"""``from_rest`` and ``from_rep_max`` metrics: a metric's change since the person last stood at rest, or since
the rep metric's highest reading, frame by frame."""

from __future__ import annotations

import math

import pytest

from formcheck.metrics.baseline import REST_BASELINE_S, RepMaxBaselines, RestBaselines
from formcheck.specs.models import FromRepMaxMetric, FromRestMetric, HeightDifferenceMetric

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


# --- from_rep_max: a metric's change since the rep metric's highest reading -------------------------
HINGE_METRICS = {
    "hip_flexion_deg": HeightDifferenceMetric(kind="height_difference", points=("knee", "hip")),
    "trunk_lean_deg": HeightDifferenceMetric(kind="height_difference", points=("hip", "shoulder")),
    "trunk_from_bottom_deg": FromRepMaxMetric(kind="from_rep_max", of="trunk_lean_deg"),
}


def feed_hinge(baselines: RepMaxBaselines, readings: list[tuple[float, float, float, str]], direction: float | None) -> list[float]:
    """readings: (t_s, hip flexion, trunk lean, phase)"""
    return [
        baselines.update(t_s, {"hip_flexion_deg": hip, "trunk_lean_deg": trunk}, phase, direction)["trunk_from_bottom_deg"]
        for t_s, hip, trunk, phase in readings
    ]


def test_nothing_until_the_counter_knows_which_end_is_rest():
    baselines = RepMaxBaselines(HINGE_METRICS, "hip_flexion_deg", band=5.0)
    assert all(math.isnan(value) for value in feed_hinge(baselines, [(0.0, 120.0, 60.0, "rest")], None))


def test_a_pull_from_the_floor_reads_against_the_set_up_at_the_bottom():
    """Rest at the high end (direction -1): the set-up's readings within the band of the deepest one
    (a 70 glitch at 100 deg is outside it) give the bottom's median, 60."""
    baselines = RepMaxBaselines(HINGE_METRICS, "hip_flexion_deg", band=5.0)
    set_up = [(0.0, 128.0, 58.0, "rest"), (0.1, 130.0, 60.0, "rest"), (0.2, 129.0, 62.0, "rest"), (0.3, 100.0, 70.0, "rest")]
    feed_hinge(baselines, set_up, -1.0)
    assert feed_hinge(baselines, [(0.4, 80.0, 45.0, "out")], -1.0) == pytest.approx([-15.0])


def test_a_romanian_deadlift_reads_against_its_turn_and_forgets_it_at_the_next_rep():
    """Rest at the low end (direction +1): the reference is the turn; a new descent (out) starts afresh."""
    baselines = RepMaxBaselines(HINGE_METRICS, "hip_flexion_deg", band=5.0)
    rep = [(0.0, 10.0, 5.0, "rest"), (0.5, 60.0, 40.0, "out"), (1.0, 110.0, 55.0, "turn"), (1.5, 60.0, 30.0, "return")]
    assert feed_hinge(baselines, rep, 1.0)[-1] == pytest.approx(-25.0)
    standing = feed_hinge(baselines, [(2.0, 10.0, 5.0, "rest")], 1.0)
    assert standing == pytest.approx([-50.0])  # still the last turn: the way up ends standing
    next_rep = feed_hinge(baselines, [(3.0, 60.0, 35.0, "out"), (3.5, 80.0, 50.0, "out")], 1.0)
    assert next_rep == pytest.approx([0.0, 0.0])  # each new deepest reading is the bottom so far
