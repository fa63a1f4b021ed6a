"""The squat's knee checks on the synthetic stick figure of ``test_standing_synthetic`` (both legs bending).

* ``knee_valgus`` (front view): the knees closer together than the ankles at the bottom (knee-to-ankle
  separation ratio under 1.0, ``exercise_specs/squat.yaml``). The figure's knees stand straight over its
  ankles (ratio 1.0), so a knee moved in by ``knee_in_m`` at the bottom reads (0.24 - 2 x in) / 0.24.
* ``knee_past_toes`` (side view): the knees far past the toes while the hips are still high (a squat led by
  the knees); deeper, knees past the toes are the normal full squat and are not judged.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_standing_synthetic import Leg, Pose, dip, fault_ids, film, review, skipped

SQUAT_SECONDS = 1.0 + 3 * 3.0 + 1.0


def squats(thigh: float = 80.0, knee: float = 110.0, trunk: float = 20.0, knee_in_m: float = 0.0) -> Callable[[float], Pose]:
    """Stand 1 s, then three 2-s squats 1 s apart down to the given thigh swing, knee bend and trunk lean;
    at the bottom each knee moves ``knee_in_m`` towards the mid-line (negative: out)."""
    def pose_at(t_s: float) -> Pose:
        depth = max(dip(t_s, 1.0 + 3.0 * k, 2.0) for k in range(3))
        leg = Leg(thigh=thigh * depth, knee=knee * depth, knee_in_m=knee_in_m * depth)
        return Pose(trunk=trunk * depth, left=leg, right=leg)
    return pose_at


def test_knees_caving_in_are_flagged_on_every_rep_from_the_front() -> None:
    result = review("squat", film(squats(knee_in_m=0.03), SQUAT_SECONDS, "front"))  # ratio 0.75
    assert result.rep_count == 3
    assert fault_ids(result) == {"knee_valgus"}
    assert all("knee_valgus" in {fault.id for fault in rep.faults} for rep in result.reps)
    assert all(rep.metrics["knee_width_ratio"] == pytest.approx(0.75, abs=0.02) for rep in result.reps)


def test_knees_just_inside_the_ankles_are_caving_in() -> None:
    result = review("squat", film(squats(knee_in_m=0.01), SQUAT_SECONDS, "front"))  # ratio 0.92
    assert all("knee_valgus" in {fault.id for fault in rep.faults} for rep in result.reps)


@pytest.mark.parametrize("knee_in_m", [0.0, -0.03])
def test_knees_over_the_feet_or_pushed_out_are_not_flagged(knee_in_m: float) -> None:
    result = review("squat", film(squats(knee_in_m=knee_in_m), SQUAT_SECONDS, "front"))
    assert result.rep_count == 3
    assert "knee_valgus" not in fault_ids(result)


def test_knee_valgus_is_never_judged_side_on() -> None:
    result = review("squat", film(squats(knee_in_m=0.03), SQUAT_SECONDS, "side"))
    assert "knee_valgus" not in fault_ids(result)
    assert "needs a front view" in (skipped(result, "knee_valgus") or "")


def test_knees_leading_a_high_squat_are_past_the_toes() -> None:
    # thighs only 40 deg forward (hips 0.66 torso lengths above the knees), shins 70 deg forward: the knees
    # 0.47 torso lengths ahead of the toes
    result = review("squat", film(squats(thigh=40.0, knee=110.0, trunk=10.0), SQUAT_SECONDS, "side"))
    assert result.rep_count == 3
    assert "knee_past_toes" in fault_ids(result)
    front = review("squat", film(squats(thigh=40.0, knee=110.0, trunk=10.0), SQUAT_SECONDS, "front"))
    assert "knee_past_toes" not in fault_ids(front)
    assert "needs a side view" in (skipped(front, "knee_past_toes") or "")


def test_knees_past_the_toes_at_the_bottom_of_a_full_squat_are_not_a_fault() -> None:
    # a full squat: thighs past horizontal, shins 65 deg forward, the knees 0.44 torso lengths past the toes
    # at the bottom; while the hips are still above the depth line the knees are at most 0.31 past them
    result = review("squat", film(squats(thigh=100.0, knee=165.0, trunk=20.0), SQUAT_SECONDS, "side"))
    assert result.rep_count == 3
    assert all(rep.metrics["knee_past_toes_norm"] > 0.4 for rep in result.reps)
    assert "knee_past_toes" not in fault_ids(result)


def test_a_normal_squat_is_silent_from_either_view() -> None:
    for view in ("side", "front"):
        result = review("squat", film(squats(), SQUAT_SECONDS, view))
        assert result.rep_count == 3
        assert not fault_ids(result) & {"knee_valgus", "knee_past_toes"}
