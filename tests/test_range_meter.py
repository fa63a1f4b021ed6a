"""The range meter: the swing away from the latest rest, over the swing that counts a rep."""

from __future__ import annotations

import pytest

from formcheck.range_meter import RangeMeter
from formcheck.specs.models import RepSpec


def meter(rest: str) -> RangeMeter:
    return RangeMeter(RepSpec.model_validate({"metric": "knee", "rest": rest, "min_range": 40}))


@pytest.mark.parametrize(("rest", "away", "expected"), [("low", 50.0, 0.5), ("high", -50.0, 0.5), ("either", -50.0, 0.5),
                                                        ("low", -50.0, 0.0), ("high", 50.0, 0.0)])
def test_swing_in_the_reps_direction_over_the_counting_swing(rest: str, away: float, expected: float) -> None:
    reading = meter(rest)
    assert reading.update(0.0, 30.0, "setup") is None  # no rest seen yet
    reading.update(0.1, 30.0, "rest")
    assert reading.update(0.2, 30.0 + away * 0.4, "out") == pytest.approx(expected)


def test_rest_level_follows_the_latest_second_of_rest() -> None:
    reading = meter("low")
    reading.update(0.0, 0.0, "rest")
    reading.update(2.0, 20.0, "rest")  # the person settled lower: the old rest is over a second old
    assert reading.update(2.1, 40.0, "out") == pytest.approx(0.5)
    assert reading.update(2.2, float("nan"), "out") is None
