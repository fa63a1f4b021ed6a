"""Golden results on real clips for the standing and kneeling exercises: forward_lunge,
reverse_lunge, single_leg_deadlift, half_kneeling_hip_flexor_stretch and hamstring_stretch.

Clips and labels are read from ../shared (tests skip when it is absent); poses come from the
cache, so the model runs once per clip. Tolerances:

* rep counts within the labels' range [reps, reps + partial_reps]; reps by working side equal to
  the labels' ``per_side`` where labelled;
* rep times: every counted rep ends within 0.6 s of its labelled end and starts at most 1.2 s
  after its labelled start (and never more than 0.3 s before it). A lunge's label starts when the
  foot leaves the floor, the rep signal (the lesser knee bend) once the foot has landed and both
  knees bend: measured 0.24-1.07 s later;
* holds: the labelled hold time found at least 90 % (recall), and at least 80 % of the reported hold
  time inside a labelled hold (precision; rising out of a fold with straight knees still reads as
  the fold for about half a second);
* faults: correct-form clips report none (precision first); labelled spans are all found and every
  reported event overlaps one;
* the hamstring flexibility angle within 90-110 deg (see the test);
* camera views: a side-view lunge never reports knee_valgus, a front-view one never knee_past_toes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from formcheck.evaluation import overlap_s
from formcheck.review.schema import Review
from tests.clips.conftest import clip_labels

Analyze = Callable[[str, str], Review]
LABELS = clip_labels()
STANDING = (
    "forward_lunge", "reverse_lunge", "single_leg_deadlift", "half_kneeling_hip_flexor_stretch", "hamstring_stretch",
)
SLDL_CLIP = "TomNotchYmk-lightweight-human-pose-estimation-3d-demo.pytorch/one_legged_dead_lift.mp4"
# Known miss, kept visible: the how-to video cuts to close-ups of the standing foot and knee during
# reps 2-5 (4.45-8.7 s and 10.95-14.2 s), where no whole body is in view; 2-3 of 6 reps are counted, and
# the review reports the close-ups as unseen spans (the evaluation lists the clip apart as not seen).
KNOWN_MISSES = {SLDL_CLIP: "reps 2-5 happen in close-up cuts, reported as unseen"}
SLDL_CUTS = [(4.45, 8.7), (10.95, 14.2)]  # from the labels' notes
CUT_TOLERANCE_S = 0.25  # the labels read cut times off frames by eye; the first lost frame trails a cut by up to 0.15 s
HIP_FLEXOR_CLIP = "ndnam0109-fitness-content/hip_flexor_stretch.mp4"
HAMSTRING_CLIP = "ndnam0109-fitness-content/standing_crossed_leg_hamstring.mp4"
START_LATE_S, START_EARLY_S, END_TOLERANCE_S = 1.2, 0.3, 0.6

standing_clips = sorted(path for path, label in LABELS.items() if label["catalogue_exercise"] in STANDING)
rep_clips = [p for p in standing_clips if LABELS[p].get("rep_times") and p not in KNOWN_MISSES]
hold_clips = [p for p in standing_clips if LABELS[p].get("holds")]
lunge_clips = [p for p in standing_clips if LABELS[p]["catalogue_exercise"] in ("forward_lunge", "reverse_lunge")]


def _param(path: str) -> pytest.param:
    marks = [pytest.mark.xfail(reason=KNOWN_MISSES[path], strict=True)] if path in KNOWN_MISSES else []
    return pytest.param(path, id=path.split("/")[-1], marks=marks)


def _review(analyze_clip: Analyze, path: str) -> Review:
    return analyze_clip(path, LABELS[path]["catalogue_exercise"])


def test_the_labels_cover_every_standing_exercise() -> None:
    if not LABELS:
        pytest.skip("../shared/labels is not beside the repository")
    assert {LABELS[path]["catalogue_exercise"] for path in standing_clips} == set(STANDING)


@pytest.mark.parametrize("path", [_param(path) for path in standing_clips])
def test_count_within_label_tolerance(analyze_clip: Analyze, path: str) -> None:
    label, review = LABELS[path], _review(analyze_clip, path)
    assert label["reps"] <= review.rep_count <= label["reps"] + label["partial_reps"], (
        f"counted {review.rep_count}, labelled {label['reps']} (+{label['partial_reps']} partial)"
    )


def test_single_leg_deadlift_counts_the_reps_in_the_wide_shot(analyze_clip: Analyze) -> None:
    """The known miss, pinned: the reps in the wide shot are counted; the close-up cuts give no usable
    pose, so whether a swing there passes the one-leg requirement is left to chance (the free hip reads
    about 110 deg): 2 counted here, 3 on a re-encoded copy. Never more than labelled, never a fault; the
    close-ups are the review's unseen spans, each with its warning."""
    review = analyze_clip(SLDL_CLIP, "single_leg_deadlift")
    assert 2 <= review.rep_count <= 3
    assert len(review.unseen_spans) == len(SLDL_CUTS)
    for span, (start_s, end_s) in zip(review.unseen_spans, SLDL_CUTS):
        assert span.start_s == pytest.approx(start_s, abs=CUT_TOLERANCE_S), span
        assert span.end_s == pytest.approx(end_s, abs=CUT_TOLERANCE_S), span
    assert [(w.start_s, w.end_s) for w in review.warnings if w.id == "unseen"] == [
        (span.start_s, span.end_s) for span in review.unseen_spans
    ]
    assert review.summary.unseen_s == pytest.approx(sum(end - start for start, end in SLDL_CUTS), abs=2 * CUT_TOLERANCE_S)
    assert review.reps[0].start_s == pytest.approx(0.5, abs=0.5) and review.reps[0].end_s == pytest.approx(3.0, abs=0.5)
    assert [fault.id for fault in review.faults] == []


@pytest.mark.parametrize("path", [pytest.param(p, id=p.split("/")[-1]) for p in standing_clips if LABELS[p].get("per_side")])
def test_reps_per_working_side(analyze_clip: Analyze, path: str) -> None:
    review = _review(analyze_clip, path)
    labelled = {side: n for side, n in LABELS[path]["per_side"].items() if n}
    assert review.summary.per_side == labelled


@pytest.mark.parametrize("path", [pytest.param(p, id=p.split("/")[-1]) for p in rep_clips])
def test_rep_times_match_labels(analyze_clip: Analyze, path: str) -> None:
    review = _review(analyze_clip, path)
    for (start_s, end_s), rep in zip(LABELS[path]["rep_times"], review.reps):
        assert -START_EARLY_S <= rep.start_s - start_s <= START_LATE_S, f"rep {rep.index} starts {rep.start_s}, labelled {start_s}"
        assert abs(rep.end_s - end_s) <= END_TOLERANCE_S, f"rep {rep.index} ends {rep.end_s}, labelled {end_s}"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.split("/")[-1]) for p in hold_clips])
def test_hold_time_overlaps_labels(analyze_clip: Analyze, path: str) -> None:
    review = _review(analyze_clip, path)
    labelled = [tuple(span) for span in LABELS[path]["holds"]]
    found = [(hold.start_s, hold.end_s) for hold in review.holds]
    shared = sum(overlap_s(a, b) for a in labelled for b in found)
    assert shared / sum(end - start for start, end in labelled) >= 0.9
    assert shared / sum(end - start for start, end in found) >= 0.8


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.split("/")[-1]) for p in standing_clips if LABELS[p]["form"] == "correct"]
)
def test_correct_form_clips_report_no_faults(analyze_clip: Analyze, path: str) -> None:
    assert [fault.id for fault in _review(analyze_clip, path).faults] == []


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.split("/")[-1]) for p in standing_clips if LABELS[p].get("faults")]
)
def test_labelled_fault_spans_found_and_nothing_else(analyze_clip: Analyze, path: str) -> None:
    review = _review(analyze_clip, path)
    labels = LABELS[path]["faults"]
    for label in labels:
        assert any(
            fault.id == label["id"] and overlap_s((fault.start_s, fault.end_s), tuple(label["span"])) > 0
            for fault in review.faults
        ), f"{label['id']} over {label['span']} not found"
    for fault in review.faults:
        assert any(
            fault.id == label["id"] and overlap_s((fault.start_s, fault.end_s), tuple(label["span"])) > 0 for label in labels
        ), f"{fault.id} at {fault.start_s}-{fault.end_s} is not labelled"


# The good-form time may exceed the labelled one by this much (precision first: each trunk_lean event needs
# 0.5 s past its bound before it counts, and the three-quarter view foreshortens the rock, so each of the three
# rocks is seen from a little after the coach sees it to a little before), and fall short of it by at most this.
GOOD_FORM_OVER_S, GOOD_FORM_UNDER_S = 2.5, 1.0


def test_hip_flexor_stretch_is_on_the_kneeling_leg(analyze_clip: Analyze) -> None:
    """One side only; his left knee is down behind him (checked on the frames), so the left hip is stretched.
    The good-form time is the labelled hold less the labelled trunk_lean spans (12.5 - 6.0 = 6.5 s)."""
    review = analyze_clip(HIP_FLEXOR_CLIP, "half_kneeling_hip_flexor_stretch")
    assert [hold.side for hold in review.holds] == ["left"]
    (hold,) = review.holds
    label = LABELS[HIP_FLEXOR_CLIP]
    held_s = sum(end - start for start, end in label["holds"])
    labelled_good_s = held_s - sum(fault["span"][1] - fault["span"][0] for fault in label["faults"])
    assert labelled_good_s - GOOD_FORM_UNDER_S <= hold.good_form_s <= labelled_good_s + GOOD_FORM_OVER_S


def test_hamstring_flexibility_angle(analyze_clip: Analyze) -> None:
    """The seeds' test, measured as the largest hip flexion (trunk against thigh).

    In the second fold the trunk reads 77 deg from vertical side-on with straight knees and the thighs
    leaning back a little, so the hip angle is about 100 deg: 90-110 deg allows for the model's placing
    of shoulders and hips. It is past the 70-degree mark, although with a rounded back (which the
    landmarks count as hip bend), hence the rounded_back faults reported beside it.
    """
    review = analyze_clip(HAMSTRING_CLIP, "hamstring_stretch")
    (measured,) = review.measurements
    assert measured.id == "hamstring_flexibility_deg"
    assert 90.0 <= measured.value <= 110.0
    assert 11.2 <= measured.at_s <= 15.4  # inside the second labelled hold
    assert measured.target_met is True
    assert {fault.id for fault in review.faults} == {"rounded_back"}


@pytest.mark.parametrize("path", [pytest.param(p, id=p.split("/")[-1]) for p in lunge_clips])
def test_lunge_checks_speak_only_from_their_views(analyze_clip: Analyze, path: str) -> None:
    review = _review(analyze_clip, path)
    reported = {fault.id for fault in review.faults}
    statuses = {check.id: check for check in review.checks}
    if review.view == "side":
        assert "knee_valgus" not in reported and "trunk_twist" not in reported
        assert statuses["knee_valgus"].judged_fraction == 0.0
        assert "needs a front view" in statuses["knee_valgus"].skipped_reason
    if review.view == "front":
        assert "knee_past_toes" not in reported and "shallow_depth" not in reported
        assert statuses["knee_past_toes"].judged_fraction == 0.0
        assert "needs a side view" in statuses["knee_past_toes"].skipped_reason


def test_the_lunge_views_include_a_side_and_a_front_clip(analyze_clip: Analyze) -> None:
    """The view test above must see both kinds of clip, or it proves nothing."""
    views = {_review(analyze_clip, path).view for path in lunge_clips}
    assert {"side", "front"} <= views


@pytest.mark.parametrize(
    "path",
    ["TBY66-Intelligent-Deadlift-Diagnosis-System/0016c_1.mp4", "TBY66-Intelligent-Deadlift-Diagnosis-System/0016r_1.mp4"],
)
def test_two_legged_deadlifts_are_not_single_leg_reps(analyze_clip: Analyze, path: str) -> None:
    assert analyze_clip(path, "single_leg_deadlift").rep_count == 0


@pytest.mark.parametrize("path", ["luizfcharry-MrPose/squat.mp4", "rohanx01-Squat-Analysis-Model/squat.mp4"])
def test_squats_are_not_lunges(analyze_clip: Analyze, path: str) -> None:
    assert analyze_clip(path, "forward_lunge").rep_count == 0
