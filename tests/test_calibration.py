"""Fitting thresholds (formcheck calibrate) and the leave-one-source-out figures, on hand-made values."""

from __future__ import annotations

import math

import pytest

from formcheck.calibration import RepValue, decision_value, fit_all, fit_threshold, source_group
from formcheck.evaluation import proportion, wilson
from formcheck.specs import catalogue
from formcheck.specs.models import TurningPointFault


def _values(fault: list[float], clean: list[float], source: str = "a") -> list[RepValue]:
    return [RepValue("squat", "shallow_depth", source, "x.mp4", i, v, True) for i, v in enumerate(fault, 1)] + [
        RepValue("squat", "shallow_depth", source, "y.mp4", i, v, False) for i, v in enumerate(clean, 1)
    ]


def test_a_max_bound_sits_at_the_midpoint_of_the_margin() -> None:
    fitted = fit_threshold("max", _values([0.3, 0.5], [0.0, 0.1]))
    assert fitted.value == pytest.approx(0.2) and fitted.margin == pytest.approx(0.1)
    assert fitted.fault_reps == 2 and fitted.no_fault_reps == 2
    assert fitted.fault_range == (0.3, 0.5) and fitted.no_fault_range == (0.0, 0.1)


def test_a_min_bound_is_the_mirror() -> None:
    fitted = fit_threshold("min", _values([-5.0, -1.0], [3.0, 10.0]))
    assert fitted.value == pytest.approx(1.0) and fitted.margin == pytest.approx(2.0)


def test_overlap_gives_no_value_and_a_negative_margin() -> None:
    fitted = fit_threshold("max", _values([0.3], [0.1, 0.4]))
    assert fitted.value is None and fitted.margin == pytest.approx(-0.05)


def test_no_fault_reps_gives_nothing_to_fit() -> None:
    fitted = fit_threshold("max", _values([], [0.1]))
    assert fitted.value is None and fitted.margin is None and fitted.fault_range is None


def test_a_left_out_source_does_not_move_the_fit() -> None:
    specs = {"squat": catalogue()["squat"]}
    samples = _values([0.3], [0.1], source="a") + _values([0.9], [0.7], source="b")
    with_both = fit_all(specs, samples)["squat"]["shallow_depth"]
    without_b = fit_all(specs, samples, leave_out={"b"})["squat"]["shallow_depth"]
    assert with_both.value is None  # 0.7 without the fault lies above 0.3 with it
    assert without_b.value == pytest.approx(0.2) and without_b.sources == ("a",)


def test_decision_value_needs_the_moment_and_the_stretch() -> None:
    rule = next(f for f in catalogue()["squat"].faults if f.id == "shallow_depth")
    assert isinstance(rule, TurningPointFault) and rule.bound == "max"
    assert decision_value(rule, {"hip_above_knee_norm": 0.5}, {"hip_above_knee_norm": 0.3}) == 0.3
    assert math.isnan(decision_value(rule, {"hip_above_knee_norm": 0.5}, {"hip_above_knee_norm": math.nan}))
    gated = next(f for f in catalogue()["squat"].faults if f.id == "butt_wink")
    assert isinstance(gated, TurningPointFault) and gated.bound == "min"
    below = {"hip_minus_knee_flexion_deg": -3.0, "hip_above_knee_norm": -0.3}
    assert decision_value(gated, below, below | {"hip_minus_knee_flexion_deg": -1.0}) == -1.0
    assert math.isnan(decision_value(gated, below, below | {"hip_above_knee_norm": 0.0}))  # gate shut around


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("Goondoc08-Chloe-Workout/a.mp4", "Goondoc08"),
        ("Goondoc08-to-be-frank/b.mp4", "Goondoc08"),
        ("polybag/bird_dog.mp4", "polybag"),
        ("isilunveren-form-guard/c.mp4", "isilunveren"),
    ],
)
def test_sources_group_by_the_folder_name_before_the_first_dash(path: str, group: str) -> None:
    assert source_group(path) == group


def test_wilson_interval_matches_the_textbook_values() -> None:
    assert wilson(0, 0) is None
    low, high = wilson(8, 10) or (0.0, 0.0)
    assert low == pytest.approx(0.490, abs=0.001) and high == pytest.approx(0.943, abs=0.001)
    assert wilson(10, 10) == (pytest.approx(0.722, abs=0.001), 1.0)
    assert proportion(3, 4) == {"k": 3, "n": 4, "rate": 0.75, "ci95": [0.301, 0.954]}
