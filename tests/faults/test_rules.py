"""Fault rules on synthetic per-frame values at 30 fps.

``SustainedCheck`` is fed one frame at a time: (t_s, the frame's metrics, the rep phase, whether
the camera view lets the check be judged). ``judge_rep`` looks at one completed rep.
"""

from __future__ import annotations

import pytest
from helpers import FPS

from formcheck.faults.rules import RELEASE_S, SustainedCheck, holds, judge_rep, outside
from formcheck.reps.counter import RepEvent
from formcheck.specs.models import Condition, SustainedFault, TempoFault, TurningPointFault

HEELS_UP = {"kind": "sustained", "id": "heels_up", "metric": "heel_lift_norm", "max": 0.2,
            "phases": ["out", "turn", "return"], "min_duration_s": 0.3, "views": ["side"], "cue": "Keep your heels down"}


def sustained(**changes) -> SustainedCheck:
    return SustainedCheck(SustainedFault.model_validate(HEELS_UP | changes))


def feed(check: SustainedCheck, values, phase="turn", judged=True, metric="heel_lift_norm", t0: float = 0.0, extra=None):
    """Feed one value per frame; returns the events confirmed on the way (live cues)."""
    confirmed = []
    phases = [phase] * len(values) if isinstance(phase, str) else phase
    flags = [judged] * len(values) if isinstance(judged, bool) else judged
    for index, (value, frame_phase, flag) in enumerate(zip(values, phases, flags)):
        metrics = {metric: float(value)} | (extra or {})
        event = check.update(t0 + index / FPS, metrics, frame_phase, flag)
        if event is not None:
            confirmed.append(event)
    return confirmed


def frames(seconds: float, value: float) -> list[float]:
    return [value] * round(seconds * FPS)


# --- outside --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "minimum", "maximum", "expected"),
    [
        (0.5, None, 1.0, False), (1.0, None, 1.0, False), (1.01, None, 1.0, True),
        (0.5, 0.7, None, True), (0.7, 0.7, None, False),
        (0.5, 0.0, 1.0, False), (-0.1, 0.0, 1.0, True), (1.1, 0.0, 1.0, True),
        (float("nan"), 0.0, 1.0, False),
    ],
)
def test_outside(value, minimum, maximum, expected):
    assert outside(value, minimum, maximum) is expected


# --- sustained -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "widen_by", "expected"),
    [(-7.9, None, True), (-8.1, None, False), (-10.5, 2.6, True), (-10.7, 2.6, False), (float("nan"), 2.6, False)],
)
def test_a_held_condition_widens_by_the_noise(value, widen_by, expected):
    condition = Condition(metric="body_line_deg", min=-8.0, max=25.0)
    assert holds(condition, {"body_line_deg": value}, widen_by=widen_by) is expected


@pytest.mark.parametrize(
    ("seconds_outside", "fires"),
    [(0.1, False), (0.25, False), (0.4, True), (1.0, True)],
)
def test_sustained_fires_only_after_min_duration(seconds_outside, fires):
    check = sustained()
    confirmed = feed(check, frames(0.5, 0.1) + frames(seconds_outside, 0.5) + frames(0.5, 0.1))
    check.finish()
    assert (len(confirmed), len(check.events)) == ((1, 1) if fires else (0, 0))


def test_sustained_event_times_and_confirmation():
    check = sustained()
    confirmed = feed(check, frames(0.5, 0.1) + frames(1.0, 0.5) + frames(0.5, 0.1))
    check.finish()
    [live] = confirmed
    [event] = check.events
    assert live.start_s == pytest.approx(0.5, abs=1 / FPS)
    assert live.end_s == pytest.approx(0.8, abs=1 / FPS), "confirmed as soon as it lasted min_duration_s"
    assert event.start_s == pytest.approx(0.5, abs=1 / FPS)
    assert event.end_s == pytest.approx(1.5 - 1 / FPS, abs=1 / FPS), "the closed event ends at the last frame outside"
    assert (event.id, event.metric, event.severity, event.cue) == ("heels_up", "heel_lift_norm", "warning",
                                                                   "Keep your heels down")


@pytest.mark.parametrize(
    ("phase", "fires"),
    [("out", True), ("turn", True), ("return", True), ("rest", False), ("setup", False)],
)
def test_sustained_only_in_the_listed_phases(phase, fires):
    check = sustained()
    feed(check, frames(1.0, 0.5), phase=phase)
    check.finish()
    assert bool(check.events) is fires


def test_sustained_only_while_judged():
    check = sustained()
    feed(check, frames(1.0, 0.5), judged=False)
    check.finish()
    assert check.events == []


def test_sustained_time_unjudged_does_not_count_towards_min_duration():
    check = sustained()
    # 0.2 s outside, then 0.2 s unjudged (wrong view), then 0.2 s outside: never 0.3 s in a row
    values = frames(0.2, 0.5) + frames(0.2, 0.5) + frames(0.2, 0.5)
    judged = [True] * 6 + [False] * 6 + [True] * 6
    feed(check, values, judged=judged)
    check.finish()
    assert check.events == []


def test_sustained_nan_is_never_a_fault():
    check = sustained()
    feed(check, frames(1.0, float("nan")))
    check.finish()
    assert check.events == []


@pytest.mark.parametrize(
    ("gap_s", "events"),
    [
        pytest.param(0.1, 1, id="brief return inside bounds: one event"),
        pytest.param(RELEASE_S - 1 / FPS, 1, id="just under RELEASE_S: one event"),
        pytest.param(0.5, 2, id="long return inside bounds: two events"),
    ],
)
def test_sustained_debounces_brief_returns(gap_s, events):
    check = sustained()
    feed(check, frames(0.5, 0.1) + frames(0.6, 0.5) + frames(gap_s, 0.1) + frames(0.6, 0.5) + frames(0.5, 0.1))
    check.finish()
    assert len(check.events) == events
    assert check.events[0].start_s == pytest.approx(0.5, abs=1 / FPS)
    if events == 1:
        assert check.events[0].end_s == pytest.approx(0.5 + 1.2 + gap_s - 1 / FPS, abs=1.5 / FPS)


@pytest.mark.parametrize(
    ("bounds", "values", "worst"),
    [
        pytest.param({"max": 0.2}, [0.3, 0.6, 0.45, 0.25], 0.6, id="max rule: the highest value"),
        pytest.param({"min": 0.7, "max": None}, [0.6, 0.4, 0.55, 0.65], 0.4, id="min rule: the lowest value"),
    ],
)
def test_sustained_reports_the_worst_value(bounds, values, worst):
    check = sustained(**bounds)
    per_value = [v for value in values for v in frames(0.25, value)]
    feed(check, per_value)
    check.finish()
    [event] = check.events
    assert event.worst_value == pytest.approx(worst)


def test_sustained_worst_value_with_both_bounds():
    check = sustained(min=0.7, max=1.5, id="knee_width", metric="heel_lift_norm")
    feed(check, frames(0.25, 0.6) + frames(0.25, 0.3) + frames(0.25, 0.5))
    check.finish()
    [event] = check.events
    assert event.worst_value == pytest.approx(0.3)


def test_sustained_when_conditions_gate_the_check():
    check = sustained(when=[{"metric": "hip_above_knee_norm", "max": 0.0}])
    feed(check, frames(1.0, 0.5), extra={"hip_above_knee_norm": 0.3})
    check.finish()
    assert check.events == [], "the condition does not hold: not judged"
    feed(check, frames(1.0, 0.5), extra={"hip_above_knee_norm": -0.2}, t0=2.0)
    check.finish()
    assert len(check.events) == 1


def test_sustained_open_event_closes_at_finish():
    check = sustained()
    feed(check, frames(0.5, 0.1) + frames(1.0, 0.5))
    assert check.events == []
    check.finish()
    assert len(check.events) == 1


# --- per rep --------------------------------------------------------------------------------------
REP = RepEvent(start_s=1.0, turn_s=2.0, end_s=2.6, rest_value=0.0, turn_value=100.0, range=100.0)


def moments(turn: dict, **others: dict) -> dict[str, dict[str, float]]:
    return {"turn": turn, "rep_metric_max": others.get("rep_metric_max", turn),
            "rep_metric_min": others.get("rep_metric_min", turn)}


def turning_point(**changes) -> TurningPointFault:
    rule = {"kind": "turning_point", "id": "shallow_depth", "metric": "hip_above_knee_norm", "max": 0.4,
            "views": ["side"], "cue": "Sit deeper"}
    return TurningPointFault.model_validate(rule | changes)


@pytest.mark.parametrize(
    ("bounds", "value", "fires"),
    [
        pytest.param({"max": 0.4}, 0.55, True, id="max: above fires"),
        pytest.param({"max": 0.4}, 0.4, False, id="max: at the bound passes"),
        pytest.param({"max": 0.4}, 0.1, False, id="max: below passes"),
        pytest.param({"min": 0.0}, -0.2, True, id="min: below fires"),
        pytest.param({"min": 0.0}, 0.2, False, id="min: above passes"),
        pytest.param({"min": 0.0, "max": 0.4}, 0.5, True, id="both: above fires"),
        pytest.param({"min": 0.0, "max": 0.4}, -0.1, True, id="both: below fires"),
        pytest.param({"max": 0.4}, float("nan"), False, id="not measured: passes"),
    ],
)
def test_turning_point(bounds, value, fires):
    fault = judge_rep(turning_point(**bounds), REP, moments({"hip_above_knee_norm": value}))
    assert (fault is not None) is fires
    if fires:
        assert (fault.id, fault.start_s, fault.end_s, fault.metric) == ("shallow_depth", 2.0, 2.0, "hip_above_knee_norm")
        assert fault.worst_value == pytest.approx(value)


def test_turning_point_spans_the_faulty_stretch_it_is_given_not_the_rep():
    """A turning-point fault happens where the body was in the faulty position (the engine finds those frames
    around the moment); without them, at the turning instant - never over the whole rep (1.0-2.6 s)."""
    fault = judge_rep(turning_point(), REP, moments({"hip_above_knee_norm": 0.9}), span=(1.8, 2.2))
    assert fault is not None and (fault.start_s, fault.end_s) == (1.8, 2.2)


def test_turning_point_reads_the_moment_it_names():
    rule = turning_point(at="rep_metric_min")
    assert judge_rep(rule, REP, moments({"hip_above_knee_norm": 0.1}, rep_metric_min={"hip_above_knee_norm": 0.9}))
    assert judge_rep(rule, REP, moments({"hip_above_knee_norm": 0.9}, rep_metric_min={"hip_above_knee_norm": 0.1})) is None


def test_turning_point_when_condition():
    rule = turning_point(when=[{"metric": "knee_flexion_deg", "min": 90}])
    assert judge_rep(rule, REP, moments({"hip_above_knee_norm": 0.9, "knee_flexion_deg": 60})) is None
    assert judge_rep(rule, REP, moments({"hip_above_knee_norm": 0.9, "knee_flexion_deg": 100})) is not None


def test_turning_point_when_condition_must_hold_over_the_stretch_too():
    """A gate met at the moment only (one deep frame) does not open the check: the stretch around it must agree."""
    rule = turning_point(when=[{"metric": "knee_flexion_deg", "min": 90}])
    at_moment = moments({"hip_above_knee_norm": 0.9, "knee_flexion_deg": 100})
    assert judge_rep(rule, REP, at_moment, moments({"hip_above_knee_norm": 0.9, "knee_flexion_deg": 80})) is None
    assert judge_rep(rule, REP, at_moment, moments({"hip_above_knee_norm": 0.9, "knee_flexion_deg": 95})) is not None


@pytest.mark.parametrize(
    ("half", "rep", "fires", "span", "duration"),
    [
        pytest.param("out", RepEvent(1.0, 1.2, 2.6, 0, 100, 100), True, (1.0, 1.2), 0.2, id="out: too quick down"),
        pytest.param("out", RepEvent(1.0, 2.0, 2.1, 0, 100, 100), False, None, None, id="out: slow down, quick up"),
        pytest.param("return", RepEvent(1.0, 2.0, 2.1, 0, 100, 100), True, (2.0, 2.1), 0.1, id="return: too quick"),
        pytest.param("return", RepEvent(1.0, 1.2, 2.6, 0, 100, 100), False, None, None, id="return: slow"),
        pytest.param("out", RepEvent(1.0, 1.35, 2.6, 0, 100, 100), False, None, None, id="out: exactly min_s passes"),
    ],
)
def test_tempo(half, rep, fires, span, duration):
    rule = TempoFault.model_validate({"kind": "tempo", "id": "fast_lowering", "half": half, "min_s": 0.35, "cue": "Slower"})
    fault = judge_rep(rule, rep, moments({}))
    assert (fault is not None) is fires
    if fires:
        assert (fault.start_s, fault.end_s) == span
        assert fault.worst_value == pytest.approx(duration)
        assert fault.severity == "info"
        assert fault.metric is None



@pytest.mark.parametrize(
    ("rep", "fires", "speed"),
    [
        # A full squat (100 deg) dropped in 0.3 s: 333 deg/s.
        pytest.param(RepEvent(1.0, 1.3, 2.6, 0, 100, 100), True, 333.33, id="deep and quick: fires"),
        # A quarter squat (40 deg) in the same 0.3 s: 133 deg/s, a controlled pace for its depth.
        pytest.param(RepEvent(1.0, 1.3, 2.6, 0, 40, 40), False, None, id="shallow and quick: passes"),
        pytest.param(RepEvent(1.0, 1.5, 2.6, 0, 125, 125), False, None, id="exactly max_speed passes"),
        # A zero-length half (a glitch) is timed as MIN_HALF_S, not divided by zero.
        pytest.param(RepEvent(1.0, 1.0, 2.6, 0, 100, 100), True, 2000.0, id="zero-length half"),
    ],
)
def test_tempo_max_speed_judges_range_over_time(rep, fires, speed):
    rule = TempoFault.model_validate(
        {"kind": "tempo", "id": "fast_lowering", "half": "out", "max_speed": 250, "cue": "Slower"}
    )
    fault = judge_rep(rule, rep, moments({}))
    assert (fault is not None) is fires
    if fires:
        assert fault.worst_value == pytest.approx(speed, abs=0.01)


@pytest.mark.parametrize(
    "bounds",
    [pytest.param({}, id="neither"), pytest.param({"min_s": 0.3, "max_speed": 200}, id="both")],
)
def test_tempo_needs_exactly_one_bound(bounds):
    with pytest.raises(ValueError, match="exactly one of min_s"):
        TempoFault.model_validate({"kind": "tempo", "id": "fast_lowering", "half": "out", "cue": "Slower", **bounds})


@pytest.mark.parametrize(
    ("at_moment", "around_moment", "fires"),
    [
        pytest.param(0.9, 0.8, True, id="outside at the moment and around it: fires"),
        pytest.param(0.9, 0.2, False, id="a one-frame glitch at the moment: silent"),
        pytest.param(0.2, 0.9, False, id="outside only around (e.g. shallower before the deepest frame): silent"),
    ],
)
def test_turning_point_needs_the_moment_and_its_surroundings_to_agree(at_moment, around_moment, fires):
    rule = turning_point()
    fault = judge_rep(rule, REP, moments({"hip_above_knee_norm": at_moment}),
                      around=moments({"hip_above_knee_norm": around_moment}))
    assert (fault is not None) is fires
    if fires:
        assert fault.worst_value == pytest.approx(at_moment)  # the moment's own value is reported


# --- margins: how far each decision cleared its line ----------------------------------------------
@pytest.mark.parametrize(
    ("bounds", "values", "margin"),
    [
        pytest.param({"max": 0.2}, [0.3, 0.6, 0.45], 0.4, id="max rule: worst value minus the bound"),
        pytest.param({"min": 0.7, "max": None}, [0.6, 0.4, 0.65], 0.3, id="min rule: the bound minus worst value"),
    ],
)
def test_sustained_margin_is_the_worst_value_beyond_the_bound(bounds, values, margin):
    check = sustained(**bounds)
    feed(check, [v for value in values for v in frames(0.25, value)])
    check.finish()
    [event] = check.events
    assert event.margin == pytest.approx(margin)


def test_sustained_margin_of_a_live_cue_is_the_worst_so_far():
    [confirmed] = feed(sustained(), frames(0.4, 0.25) + frames(0.4, 0.5))
    assert confirmed.margin == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("at_moment", "around_moment", "margin"),
    [
        pytest.param(0.9, 0.8, 0.4, id="the stretch is the closer call"),
        pytest.param(0.6, 0.8, 0.2, id="the moment is the closer call"),
    ],
)
def test_turning_point_margin_is_the_closer_of_the_moment_and_the_stretch(at_moment, around_moment, margin):
    fault = judge_rep(turning_point(), REP, moments({"hip_above_knee_norm": at_moment}),
                      around=moments({"hip_above_knee_norm": around_moment}))
    assert fault is not None
    assert fault.margin == pytest.approx(margin)


def test_turning_point_margin_below_a_min_bound():
    fault = judge_rep(turning_point(max=None, min=0.0), REP, moments({"hip_above_knee_norm": -0.25}))
    assert fault is not None and fault.margin == pytest.approx(0.25)


def test_tempo_margins():
    quick = TempoFault.model_validate({"kind": "tempo", "id": "fast_lowering", "half": "out", "min_s": 0.35, "cue": "x"})
    fault = judge_rep(quick, RepEvent(1.0, 1.2, 2.6, 0, 100, 100), moments({}))
    assert fault is not None and fault.margin == pytest.approx(0.15)  # seconds short of min_s
    fast = TempoFault.model_validate({"kind": "tempo", "id": "fast_lowering", "half": "out", "max_speed": 250, "cue": "x"})
    fault = judge_rep(fast, RepEvent(1.0, 1.3, 2.6, 0, 100, 100), moments({}))
    assert fault is not None and fault.margin == pytest.approx(83.33, abs=0.01)  # deg/s over max_speed
