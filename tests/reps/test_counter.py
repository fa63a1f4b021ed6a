"""The rep counter on synthetic one-metric series at 30 fps.

Series are built from ``hold`` / ``ramp`` / ``waves`` (tests/helpers.py): ``waves(n, rest, turn)``
is n smooth swings rest -> turn -> rest of 2 s each, turning 1 s into each swing. Times asserted
below are read off those definitions, with a tolerance of a few frames: a rep starts when the
metric last stood within 15 % of ``min_range`` of rest and ends when it is back by
``return_fraction`` of the swing.
"""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise

import numpy as np
import pytest
from helpers import FPS, concat, hold, ramp, waves

from formcheck.reps.counter import Phase, RepCounter

TIME_TOLERANCE_S = 0.25


def count(values, rest: str = "low", min_range: float = 35.0, in_position=True, **options) -> RepCounter:
    """Feed a whole series (in_position: a bool or one bool per frame) and finish the stream."""
    counter = RepCounter(rest=rest, min_range=min_range, **options)
    flags = np.broadcast_to(np.asarray(in_position, bool), (len(values),))
    for index, (value, flag) in enumerate(zip(values, flags)):
        counter.update(index / FPS, float(value), bool(flag))
    counter.finish()
    return counter


def assert_reps_at(counter: RepCounter, expected: list[tuple[float, float, float]]) -> None:
    """Each rep's (start, turn, end) within TIME_TOLERANCE_S of the expected times."""
    got = [(rep.start_s, rep.turn_s, rep.end_s) for rep in counter.reps]
    assert len(got) == len(expected), f"reps at {got}, expected {expected}"
    for rep_times, wanted in zip(got, expected):
        assert np.allclose(rep_times, wanted, atol=TIME_TOLERANCE_S), f"reps at {got}, expected about {expected}"


# --- clean reps ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reps", [1, 3, 8])
def test_clean_sine_counts_every_cycle(reps):
    counter = count(concat(hold(0, 1.0), waves(reps, 0, 100), hold(0, 1.0)))
    assert counter.count == reps
    assert counter.partial_reps == 0
    # swing k starts at 1 + 2k s, turns at 2 + 2k s; it is back 70 % of the way at about 2.63 + 2k s
    assert_reps_at(counter, [(1.17 + 2 * k, 2.0 + 2 * k, 2.63 + 2 * k) for k in range(reps)])


def test_rep_event_values():
    counter = count(concat(hold(10, 1.0), waves(2, 10, 110), hold(10, 1.0)))
    rep = counter.reps[0]
    assert rep.rest_value == pytest.approx(10.0, abs=1.0)
    assert rep.turn_value == pytest.approx(110.0, abs=1.0)
    assert rep.range == pytest.approx(100.0, abs=1.0)
    assert rep.out_s == pytest.approx(rep.turn_s - rep.start_s)
    # the way back is timed from the last frame within 15 % of min_range of the turn (a smooth wave leaves
    # it about 0.13 s after its peak), so a pause at the turn is not counted as lowering
    assert rep.left_turn_s is not None and rep.turn_s < rep.left_turn_s < rep.turn_s + 0.25
    assert rep.return_s == pytest.approx(rep.end_s - rep.left_turn_s)


def test_a_pause_at_the_turn_is_not_part_of_the_way_back():
    """A bridge held 1 s at the top, then dropped in 0.1 s: the way back lasts about 0.1 s, not 1.1."""
    counter = count(concat(hold(40, 1.0), ramp(40, 5, 1.0), hold(5, 1.0), ramp(5, 40, 0.1), hold(40, 1.0)),
                    rest="high", min_range=20)
    (rep,) = counter.reps
    assert rep.return_s < 0.25


def test_update_returns_the_rep_on_the_frame_that_completes_it():
    counter = RepCounter(rest="low", min_range=35)
    values = concat(hold(0, 1.0), waves(2, 0, 100), hold(0, 1.0))
    events = [counter.update(i / FPS, float(v), True) for i, v in enumerate(values)]
    completed = [(i, event) for i, event in enumerate(events) if event is not None]
    assert [event for _, event in completed] == counter.reps
    assert all(event.end_s == pytest.approx(i / FPS) for i, event in completed)


def test_phases_follow_the_swing():
    counter = RepCounter(rest="low", min_range=35)
    values = concat(hold(0, 1.0), waves(1, 0, 100))
    phases = []
    for i, v in enumerate(values):
        counter.update(i / FPS, float(v), True)
        phases.append(counter.phase)
    assert phases[0] is Phase.REST
    order = [phase for k, phase in enumerate(phases) if k == 0 or phase is not phases[k - 1]]
    assert order == [Phase.REST, Phase.OUT, Phase.TURN, Phase.RETURN, Phase.REST]


# --- noise and partial reps -------------------------------------------------------------------------
@pytest.mark.parametrize("peak_to_peak", [5.0, 15.0])
def test_jitter_around_rest_counts_nothing(peak_to_peak):
    rng = np.random.default_rng(3)
    values = 5.0 + rng.uniform(-peak_to_peak / 2, peak_to_peak / 2, size=int(10 * FPS))
    counter = count(values, min_range=35)
    assert counter.count == 0
    assert counter.partial_reps == 0


def test_fast_jitter_is_not_a_partial_rep():
    rng = np.random.default_rng(3)
    values = 5.0 + rng.uniform(-15, 15, size=int(10 * FPS))  # 30 peak to peak: between 0.5 and 1.0 x min_range
    counter = count(values, min_range=35)
    assert counter.count == 0
    assert counter.partial_reps == 0, f"{counter.partial_reps} partial reps from 10 s of standing still"


@pytest.mark.parametrize(
    ("depth", "reps", "partial"),
    [
        pytest.param(0.4 * 35, 0, 0, id="wobble under half the range: nothing"),
        pytest.param(0.7 * 35, 0, 1, id="half-depth dip: one partial"),
        pytest.param(0.95 * 35, 0, 1, id="just short of the range: one partial"),
        pytest.param(1.2 * 35, 1, 0, id="full range: one rep"),
    ],
)
def test_dip_depth_decides_rep_partial_or_nothing(depth, reps, partial):
    counter = count(concat(hold(0, 1.0), waves(1, 0, depth), hold(0, 1.0)), min_range=35)
    assert (counter.count, counter.partial_reps) == (reps, partial)


def test_rep_still_under_way_at_the_end_is_partial():
    values = concat(hold(0, 1.0), waves(2, 0, 100), waves(1, 0, 100)[: int(1.2 * FPS)])  # stops just past the bottom
    counter = count(values)
    assert counter.count == 2
    assert counter.partial_reps == 1


# --- set-up and position ----------------------------------------------------------------------------
def test_motion_before_in_position_never_counts():
    values = concat(hold(0, 1.0), waves(3, 0, 100), hold(0, 1.0), waves(2, 0, 100), hold(0, 1.0))
    set_up_ends = int(8.0 * FPS)  # the first three swings and the second of standing are set-up
    in_position = np.arange(len(values)) >= set_up_ends - int(0.5 * FPS)
    counter = count(values, in_position=in_position)
    assert counter.count == 2
    assert_reps_at(counter, [(8.17, 9.0, 9.63), (10.17, 11.0, 11.63)])


def test_nothing_counts_when_never_in_position():
    counter = count(concat(hold(0, 1.0), waves(3, 0, 100), hold(0, 1.0)), in_position=False)
    assert counter.count == 0
    assert counter.phase is Phase.REST or counter.phase is Phase.SETUP


def test_a_rep_needs_to_start_from_rest_in_position():
    # in position only while at the bottom of the first swing: the swing itself was never a rep from rest
    values = concat(hold(0, 1.0), waves(1, 0, 100), hold(0, 1.0))
    in_position = np.zeros(len(values), bool)
    in_position[int(1.9 * FPS): int(2.1 * FPS)] = True
    assert count(values, in_position=in_position).count == 0


# --- which end is rest ------------------------------------------------------------------------------
def test_rest_high_counts_an_inverted_signal():
    counter = count(concat(hold(180, 1.0), waves(4, 180, 90), hold(180, 1.0)), rest="high", min_range=35)
    assert counter.count == 4
    assert all(rep.rest_value == pytest.approx(180, abs=1) and rep.turn_value == pytest.approx(90, abs=1)
               for rep in counter.reps)
    assert_reps_at(counter, [(1.17 + 2 * k, 2.0 + 2 * k, 2.63 + 2 * k) for k in range(4)])


def test_rest_low_ignores_an_inverted_signal():
    """With rest="low", dips below a high rest level are the return half, never a rep on their own."""
    counter = count(concat(hold(180, 1.0), waves(4, 180, 90), hold(180, 1.0)), rest="low", min_range=35)
    assert counter.count <= 3, "an inverted signal may be read as reps from the bottom, but never as more"


@pytest.mark.parametrize(
    ("values", "rest", "turn"),
    [
        pytest.param(concat(hold(0, 1.0), waves(4, 0, 100), hold(0, 1.0)), 0, 100, id="from lockout (low end)"),
        pytest.param(concat(hold(100, 1.0), waves(4, 100, 0), hold(100, 1.0)), 100, 0, id="from the floor (high end)"),
    ],
)
def test_rest_either_counts_the_same_from_either_end(values, rest, turn):
    counter = count(values, rest="either", min_range=40, return_fraction=0.65, min_duration_s=0.5)
    assert counter.count == 4
    assert counter.partial_reps == 0
    assert [round(rep.rest_value) for rep in counter.reps] == [rest] * 4
    assert [round(rep.turn_value) for rep in counter.reps] == [turn] * 4
    assert_reps_at(counter, [(1.17 + 2 * k, 2.0 + 2 * k, 2.6 + 2 * k) for k in range(4)])


SET_UP_CASES = [
    # (first value, end held, far end of the reps)
    pytest.param(50, 0, 90, id="mid-range, to lockout, then reps down"),
    pytest.param(50, 100, 10, id="mid-range, to the floor, then reps up"),
]


@pytest.mark.parametrize(("start", "rest", "turn"), SET_UP_CASES)
def test_rest_either_set_up_swing_straight_into_position_is_not_a_rep(start, rest, turn):
    """Start mid-range, move at once to one end, hold there 1 s, then 3 reps: only the 3 reps count."""
    values = concat(ramp(start, rest, 0.7), hold(rest, 1.0), waves(3, rest, turn), hold(rest, 1.0))
    counter = count(values, rest="either", min_range=40, return_fraction=0.65, min_duration_s=0.5)
    assert (counter.count, counter.partial_reps) == (3, 0)
    assert [round(rep.rest_value) for rep in counter.reps] == [rest] * 3
    # reps begin at 1.7 s (after the 0.7 s move and the 1 s hold), 2 s apart
    assert_reps_at(counter, [(1.87 + 2 * k, 2.7 + 2 * k, 3.3 + 2 * k) for k in range(3)])


@pytest.mark.xfail(
    strict=True,
    reason="known limitation: with rest='either', a still moment mid-range is taken for the rest end; the set-up "
    "move to the real rest end counts as rep 1 (the count is right, the first rep's times are not). Waiting for the "
    "first return to settle fixed this case but broke single-rep deadlift clips that end right after the rep",
)
@pytest.mark.parametrize(("start", "rest", "turn"), SET_UP_CASES)
def test_rest_either_set_up_after_a_pause_mid_range_is_not_a_rep(start, rest, turn):
    """Hold mid-range 0.5 s (walking in, gripping the bar), move to one end, hold 1 s, then 3 reps."""
    values = concat(hold(start, 0.5), ramp(start, rest, 0.7), hold(rest, 1.0), waves(3, rest, turn), hold(rest, 1.0))
    counter = count(values, rest="either", min_range=40, return_fraction=0.65, min_duration_s=0.5)
    got = [(round(r.start_s, 2), round(r.turn_s, 2), round(r.end_s, 2), round(r.rest_value), round(r.turn_value))
           for r in counter.reps]
    assert (counter.count, counter.partial_reps) == (3, 0), got
    assert [round(rep.rest_value) for rep in counter.reps] == [rest] * 3, got
    assert_reps_at(counter, [(2.37 + 2 * k, 3.2 + 2 * k, 3.8 + 2 * k) for k in range(3)])


# --- gaps and timing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gap_s", "reps", "partial"),
    [
        pytest.param(0.3, 3, 0, id="0.3 s gap mid-rep"),
        pytest.param(0.9, 3, 0, id="0.9 s gap mid-rep"),
        pytest.param(1.5, 2, 1, id="1.5 s gap abandons the rep"),
    ],
)
def test_nan_gaps(gap_s, reps, partial):
    values = concat(hold(0, 1.0), waves(3, 0, 100), hold(0, 1.0))
    first = int(1.5 * FPS)  # on the way down of the first rep
    values[first: first + round(gap_s * FPS)] = np.nan
    counter = count(values)
    assert (counter.count, counter.partial_reps) == (reps, partial)


def test_gap_does_not_shift_rep_times():
    values = concat(hold(0, 1.0), waves(2, 0, 100), hold(0, 1.0))
    values[int(1.8 * FPS): int(2.2 * FPS)] = np.nan  # the bottom of rep 1 is not seen
    counter = count(values)
    assert counter.count == 2
    assert counter.reps[0].start_s == pytest.approx(1.17, abs=TIME_TOLERANCE_S)
    assert counter.reps[1].turn_s == pytest.approx(4.0, abs=TIME_TOLERANCE_S)


@pytest.mark.parametrize(
    ("period_s", "reps", "rejected"),
    [
        pytest.param(0.3, 0, 3, id="0.3 s swings are too fast"),
        pytest.param(2.0, 3, 0, id="2 s swings count"),
    ],
)
def test_min_duration_rejects_too_fast_swings(period_s, reps, rejected):
    values = concat(hold(0, 1.0), waves(3, 0, 100, period_s=period_s), hold(0, 1.0))
    counter = count(values, min_duration_s=0.5)
    assert (counter.count, counter.rejected_reps) == (reps, rejected)


def test_max_duration_rejects_too_slow_swings():
    values = concat(hold(0, 1.0), waves(1, 0, 100, period_s=12.0), hold(0, 1.0))
    counter = count(values, max_duration_s=5.0)
    assert (counter.count, counter.rejected_reps) == (0, 1)


@pytest.mark.parametrize(
    ("rest", "raises"),
    [
        ("low", does_not_raise()),
        ("high", does_not_raise()),
        ("either", does_not_raise()),
        ("bottom", pytest.raises(ValueError, match="rest must be low, high or either, got 'bottom'")),
    ],
)
def test_rest_choices(rest, raises):
    with raises:
        RepCounter(rest=rest, min_range=10)


# --- confirm_s: a brief landmark glitch mid-rep ------------------------------------------------------
def _rep_with_glitch(glitch_s: float) -> np.ndarray:
    """One 3 s swing 0 -> 100 -> 0 whose value drops to rest for ``glitch_s`` at its top."""
    values = concat(hold(0, 1.0), waves(1, 0, 100, period_s=3.0), hold(0, 1.0))
    top = int(2.5 * FPS)
    values[top: top + round(glitch_s * FPS)] = 0.0
    return values


@pytest.mark.parametrize(("confirm_s", "reps"), [(0.0, 2), (0.4, 1)])
def test_confirm_s_bridges_a_short_glitch(confirm_s: float, reps: int) -> None:
    counter = count(_rep_with_glitch(0.2), confirm_s=confirm_s)
    assert counter.count == reps


def test_a_rep_back_at_rest_as_the_stream_ends_counts() -> None:
    values = concat(hold(0, 1.0), waves(1, 0, 100))  # ends right as the rep is back
    counter = count(values, confirm_s=0.4)
    assert counter.count == 1


# --- a swing too close to min_range to judge ---------------------------------------------------------
def test_a_swing_clearing_min_range_by_less_than_the_noise_is_partial():
    """min_range 35 with 5 of pose noise: a 38 swing could be a 33 one; it is partial, not counted or lost."""
    counter = count(concat(hold(0, 1.0), waves(1, 0, 38), hold(0, 1.0), waves(1, 0, 60), hold(0, 1.0)), min_margin=5.0)
    assert counter.count == 1
    assert counter.reps[0].range == pytest.approx(60, abs=1)
    assert counter.partial_reps == 1
    [uncertain] = counter.uncertain
    assert uncertain.range == pytest.approx(38, abs=1)


def test_without_a_noise_margin_the_small_swing_counts():
    counter = count(concat(hold(0, 1.0), waves(1, 0, 38), hold(0, 1.0)))
    assert (counter.count, counter.partial_reps, counter.uncertain) == (1, 0, [])



def test_a_lone_low_reading_at_rest_does_not_date_the_start_back():
    """3 s of standing that reads 3 and 7 by turns, with one reading of -5 early on, then a squat: the rep
    starts where the standing ends (3 s), not just after the lone low reading (0.5 s). Rest is judged over
    a few readings (a running median), so one low frame sets neither the rest level nor the start."""
    standing = np.where(np.arange(int(3.0 * FPS)) % 2 == 0, 3.0, 7.0)
    standing[int(0.5 * FPS)] = -5.0
    counter = count(concat(standing, waves(1, 5, 105), hold(5, 1.0)))
    assert counter.count == 1
    assert counter.reps[0].start_s == pytest.approx(3.1, abs=TIME_TOLERANCE_S)


def first_return(values, **options) -> tuple[RepCounter, float]:
    """Feed ``values`` up to the first frame in RETURN (the turn is known); the counter and that frame's time."""
    counter = RepCounter(**({"rest": "low", "min_range": 35.0} | options))
    for index, value in enumerate(values):
        counter.update(index / FPS, float(value), True)
        if counter.phase is Phase.RETURN:
            return counter, index / FPS
    raise AssertionError("the swing never turned")


def test_a_swing_past_its_turn_is_known_as_the_rep_it_will_be():
    """At the first frame of the return (15 % back from the peak) the swing so far has the rep's start,
    turn and range, and can count; at rest there is no swing."""
    values = concat(hold(0, 1), waves(1, 0, 90), hold(0, 1))
    counter, t_s = first_return(values)
    swing = counter.swing_so_far(t_s)
    assert swing is not None and counter.could_count(swing)
    assert swing.turn_s == pytest.approx(2.0, abs=1 / FPS) and swing.end_s == t_s < 2.5
    assert swing.range == pytest.approx(90, abs=0.5)
    [rep] = count(values).reps
    assert (swing.start_s, swing.turn_s, swing.range) == (rep.start_s, rep.turn_s, rep.range)
    assert RepCounter(rest="low", min_range=35.0).swing_so_far(0.0) is None


@pytest.mark.parametrize(
    ("values", "options"),
    [
        pytest.param(concat(hold(0, 1), waves(1, 0, 90), hold(0, 1)), {"accept": lambda rep: False}, id="refused by accept"),
        pytest.param(concat(hold(0, 1), waves(1, 0, 40), hold(0, 1)), {"min_margin": 10.0}, id="within the noise of min_range"),
        pytest.param(concat(hold(0, 1), waves(1, 0, 90, period_s=0.5), hold(0, 1)), {"min_duration_s": 0.4},
                     id="too quick so far"),
        pytest.param(concat(hold(0, 1), waves(1, 0, 90), hold(0, 1)), {"rest": "either"},
                     id="rest=either: the first swing may be set-up"),
    ],
)
def test_a_swing_past_its_turn_that_lacks_what_a_rep_needs_cannot_count(values, options):
    counter, t_s = first_return(values, **options)
    swing = counter.swing_so_far(t_s)
    assert swing is not None and not counter.could_count(swing)
