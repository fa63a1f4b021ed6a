"""The hold tracker on synthetic in-position flags at 30 fps."""

from __future__ import annotations

import pytest
from helpers import FPS

from formcheck.reps.holds import REENTER_S, HoldTracker


def track(flags: list[bool], min_s: float = 0.5, release_s: float = 0.2) -> HoldTracker:
    tracker = HoldTracker(min_s, release_s)
    for index, flag in enumerate(flags):
        tracker.update(index / FPS, flag, {})
    tracker.finish()
    return tracker


def frames(seconds: float, flag: bool) -> list[bool]:
    return [flag] * round(seconds * FPS)


def test_a_brief_wobble_does_not_split_a_hold():
    tracker = track(frames(1.0, True) + frames(0.1, False) + frames(1.0, True))
    [hold] = tracker.holds
    assert hold.duration_s == pytest.approx(2.1, abs=0.05)


def test_leaving_for_longer_than_release_ends_the_hold():
    tracker = track(frames(1.0, True) + frames(0.4, False) + frames(1.0, True))
    assert len(tracker.holds) == 2


def test_a_frame_back_in_position_mid_way_out_does_not_bridge_the_way_out():
    """A hip dip out of a side plank for 0.4 s, with one noisy frame read back in position at its
    bottom: still two holds; the blip neither restarts the release clock nor extends the hold."""
    out = frames(0.2, False) + [True] + frames(0.2, False)
    tracker = track(frames(1.0, True) + out + frames(1.0, True))
    assert len(tracker.holds) == 2
    assert tracker.holds[0].end_s == pytest.approx(1.0 - 1 / FPS, abs=0.01)


def test_a_return_that_lasts_resumes_the_hold():
    flags = frames(1.0, True) + frames(0.15, False) + frames(REENTER_S + 0.05, True) + frames(0.15, False) + frames(1.0, True)
    [hold] = track(flags).holds
    assert hold.duration_s == pytest.approx((len(flags) - 1) / FPS)


def test_short_holds_are_dropped():
    assert track(frames(0.3, True) + frames(1.0, False)).holds == []
