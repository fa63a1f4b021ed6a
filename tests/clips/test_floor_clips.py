"""Golden results on real clips for the floor exercises: single_leg_bridge, bird_dog, dead_bug, plank,
side_plank, pelvic_tilt and cat_cow.

Clips and labels are read from ../shared (the tests skip when it is absent); poses come from the cache
(``formcheck.pose.cache.PoseCache``), so the model runs once per clip. Tolerances:

* rep / hold-rep counts within the labels' range [reps, reps + partial_reps]; reps by working side
  equal to the labels' ``per_side`` where labelled;
* wrong-exercise clips (``catalogue_exercise: null``) analysed as their ``wrong_as``: 0 reps, 0 holds;
* rep times for the rep exercises whose reps start and end at rest (bridge, bird dog, dead bug): every
  labelled rep has a counted rep overlapping it by half, starting and ending within 0.5 s of it (labels
  are good to 0.3 s). Cat-cow is matched by overlap only: a cat-cow rep ends when the cow is reached,
  its label at the end of the cow;
* pelvic tilts are not counted (the spec's ``reps.not_counted``: the tilt turns the hip angle by 3-4 deg,
  within the pose model's machine-to-machine noise); the clip's count is an expected miss and its review
  must say why;
* hold time per clip: found / labelled (recall) and found / reported (precision) at least the figures
  in ``HOLD_FLOORS`` (measured, less 0.05; the active side plank's label is one span over all its dips,
  which end holds, hence its low recall);
* faults: correct-form clips report none (precision first); the labelled pikes are all found and
  every reported event overlaps one; checks that the camera view cannot judge say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from formcheck.evaluation import overlap_s
from formcheck.review.schema import Review
from tests.clips.conftest import clip_labels

FLOOR = ("single_leg_bridge", "bird_dog", "dead_bug", "plank", "side_plank", "pelvic_tilt", "cat_cow")
TIMED_REPS = ("single_leg_bridge", "bird_dog", "dead_bug")
TIME_TOLERANCE_S = 0.5

T = "TomNotchYmk-lightweight-human-pose-estimation-3d-demo.pytorch"
ACTIVE_SIDE_PLANK = f"{T}/active_side_plank.mp4"
DIVYA_DEAD_BUG = "divyashankarachar-divya-workout/Dead_Bug.mp4"
ELBOW_PIKE = f"{T}/elbow_pike.mp4"
PELVIC_TILT = "polybag/podsazeni_panve.mp4"
# Known misses, kept visible (strict xfail) and pinned by their own tests below:
KNOWN_MISSES: dict[str, str] = {
    PELVIC_TILT: "pelvic tilts are not counted: the 3-4 deg tilt is within the pose model's noise",
}
TIMING_MISSES: dict[str, str] = {}
HOLD_FLOORS = {  # clip: (recall, precision) floors, measured less 0.05
    f"{T}/plank.mp4": (0.95, 0.83),
    ELBOW_PIKE: (0.69, 0.52),
    "BE-PROJECTS2018-GroupNo23-Health-and-Fitness-Assistant/legpl.mp4": (0.95, 0.95),
    "BE-PROJECTS2018-GroupNo23-Health-and-Fitness-Assistant/shouldert.mp4": (0.94, 0.95),
    f"{T}/side_plank.mp4": (0.93, 0.81),
    ACTIVE_SIDE_PLANK: (0.71, 0.95),
    "Goondoc08-Chloe-Workout/bird-dog.gif": (0.95, 0.59),
    "polybag/bird_dog.mp4": (0.89, 0.77),
    # re-measured when the hold's top moved to the camera-view hip angle and a held position came to be left
    # only clearly past its bound: 1.0-2.4 s found as filmed, 0.9-2.4 with noise, for 1.0-1.8 labelled
    "Abhinash-Padhi-SIH-FitCircuit/SingleLegBridge.mp4": (0.95, 0.48),
    "polybag/kocici_hrbet.mp4": (0.85, 0.79),
}


LABELS = clip_labels()
floor_clips = sorted(p for p, label in LABELS.items() if label["catalogue_exercise"] in FLOOR)
wrong_clips = sorted(p for p, label in LABELS.items() if label["catalogue_exercise"] is None and label.get("wrong_as") in FLOOR)
Analyze = Callable[[str, str], Review]


@pytest.fixture(scope="module")
def analyze(analyze_clip: Analyze) -> Analyze:
    """The shared clip fixture (tests/clips/conftest.py), under this module's name."""
    return analyze_clip


def _review(analyze: Analyze, path: str) -> Review:
    return analyze(path, LABELS[path]["catalogue_exercise"])


def _param(path: str, misses: dict[str, str] | None = None) -> Any:
    reason = (misses or {}).get(path)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(path, id=path.split("/")[-1], marks=marks)


def test_the_labels_cover_every_floor_exercise() -> None:
    if not LABELS:
        pytest.skip("shared labels not available")
    assert {LABELS[p]["catalogue_exercise"] for p in floor_clips} == set(FLOOR)
    assert {LABELS[p]["wrong_as"] for p in wrong_clips} == {"plank", "bird_dog", "dead_bug", "cat_cow"}


@pytest.mark.parametrize("path", [_param(p, KNOWN_MISSES) for p in floor_clips])
def test_count_within_label_tolerance(analyze: Analyze, path: str) -> None:
    label, review = LABELS[path], _review(analyze, path)
    assert label["reps"] <= review.rep_count <= label["reps"] + label["partial_reps"], (
        f"counted {review.rep_count}, labelled {label['reps']} (+{label['partial_reps']} partial)"
    )


@pytest.mark.parametrize("path", [_param(p, KNOWN_MISSES) for p in floor_clips if LABELS[p].get("per_side")])
def test_reps_by_working_side(analyze: Analyze, path: str) -> None:
    labelled = {side: n for side, n in LABELS[path]["per_side"].items() if n}
    assert _review(analyze, path).summary.per_side == labelled


@pytest.mark.parametrize("path", [_param(p) for p in wrong_clips])
def test_wrong_exercise_counts_nothing(analyze: Analyze, path: str) -> None:
    review = analyze(path, LABELS[path]["wrong_as"])
    assert review.rep_count == 0 and review.holds == []


@pytest.mark.parametrize(
    "path",
    [_param(p, TIMING_MISSES) for p in floor_clips
     if LABELS[p]["catalogue_exercise"] in TIMED_REPS and LABELS[p].get("rep_times")],
)
def test_rep_times(analyze: Analyze, path: str) -> None:
    review = _review(analyze, path)
    for start_s, end_s in LABELS[path]["rep_times"]:
        matches = [
            rep for rep in review.reps
            if overlap_s((start_s, end_s), (rep.start_s, rep.end_s)) >= 0.5 * min(end_s - start_s, rep.end_s - rep.start_s)
        ]
        assert matches, f"no counted rep overlaps the labelled rep {start_s}-{end_s} s"
        rep = matches[0]
        assert abs(rep.start_s - start_s) <= TIME_TOLERANCE_S and abs(rep.end_s - end_s) <= TIME_TOLERANCE_S, (
            f"counted {rep.start_s}-{rep.end_s} s for labelled {start_s}-{end_s} s"
        )


def test_every_labelled_cat_cow_rep_overlaps_a_counted_one(analyze: Analyze) -> None:
    path = "polybag/kocici_hrbet.mp4"
    if path not in LABELS:
        pytest.skip("shared labels not available")
    review = _review(analyze, path)
    for start_s, end_s in LABELS[path]["rep_times"]:
        assert any(overlap_s((start_s, end_s), (rep.start_s, rep.end_s)) > 0 for rep in review.reps)


def test_pelvic_tilt_says_its_reps_are_not_counted(analyze: Analyze) -> None:
    """No count rather than a guess: the same clip counted 2 of 2 here and 0 of 2 on a fresh machine."""
    if PELVIC_TILT not in LABELS:
        pytest.skip("shared labels not available")
    review = _review(analyze, PELVIC_TILT)
    assert review.rep_count == 0 and review.reps == []
    assert "not_counted" in {warning.id for warning in review.warnings}
    assert "not_in_position" not in {warning.id for warning in review.warnings}
    assert review.faults == []


@pytest.mark.parametrize("path", [_param(p) for p in sorted(HOLD_FLOORS) if p in LABELS])
def test_hold_time(analyze: Analyze, path: str) -> None:
    labelled = [tuple(span) for span in LABELS[path]["holds"]]
    found = [(hold.start_s, hold.end_s) for hold in _review(analyze, path).holds]
    shared = sum(overlap_s(a, b) for a in labelled for b in found)
    recall = shared / sum(end - start for start, end in labelled)
    precision = shared / sum(end - start for start, end in found) if found else 0.0
    floor_recall, floor_precision = HOLD_FLOORS[path]
    assert recall >= floor_recall and precision >= floor_precision, f"recall {recall:.2f}, precision {precision:.2f}"


@pytest.mark.parametrize("path", [_param(p) for p in floor_clips if not LABELS[p].get("faults")])
def test_correct_form_reports_no_fault(analyze: Analyze, path: str) -> None:
    assert [(f.id, f.start_s) for f in _review(analyze, path).faults] == []


def test_elbow_pike_pikes_are_hips_high(analyze: Analyze) -> None:
    if ELBOW_PIKE not in LABELS:
        pytest.skip("shared labels not available")
    review = _review(analyze, ELBOW_PIKE)
    spans = [tuple(fault["span"]) for fault in LABELS[ELBOW_PIKE]["faults"]]
    assert all(any(f.id == "hips_high" and overlap_s((f.start_s, f.end_s), span) > 0 for f in review.faults) for span in spans)
    assert all(any(overlap_s((f.start_s, f.end_s), span) > 0 for span in spans) for f in review.faults)
    assert {f.id for f in review.faults} == {"hips_high"}


def test_arched_bridge_is_low_back_arch(analyze: Analyze) -> None:
    """The labelled "low-back-driven" bridge holds its hips 12-16 deg above the knee-shoulder line: flagged over
    its labelled span (the correct bridges top out at 7.5 at most, test_correct_form_reports_no_fault)."""
    path = "844247707-png-power-pwa/glute_bridge.mp4"
    if path not in LABELS:
        pytest.skip("shared labels not available")
    (start_s, end_s), = [fault["span"] for fault in LABELS[path]["faults"]]
    arches = [f for f in analyze(path, "glute_bridge").faults if f.id == "low_back_arch"]
    assert arches and all(f.start_s < end_s and f.end_s > start_s for f in arches)


def test_active_side_plank_dips_end_holds_without_faults(analyze: Analyze) -> None:
    """Each hip dip drops the hips out of line (a hold rep ends); no dip lasts long enough to be a sag."""
    if ACTIVE_SIDE_PLANK not in LABELS:
        pytest.skip("shared labels not available")
    review = _review(analyze, ACTIVE_SIDE_PLANK)
    assert review.faults == []
    assert review.summary.per_side == {"right": review.rep_count}  # on the right hand


def test_divya_dead_bug_far_leg_glitch_neither_splits_nor_cuts_a_rep(analyze: Analyze) -> None:
    """Side-on, the far (right) leg's landmarks jump back onto the near leg for up to half a second
    mid-rep. The spec's confirm_s (0.6 s) keeps each far-leg rep whole: 3 reps a side, every rep at
    its labelled time (with 0.4 s, two far-leg reps ended at the glitch, and a half-size copy of the
    clip counted 8)."""
    if DIVYA_DEAD_BUG not in LABELS:
        pytest.skip("shared labels not available")
    review = _review(analyze, DIVYA_DEAD_BUG)
    assert review.summary.per_side == {"left": 3, "right": 3}
    for (start_s, end_s), rep in zip(LABELS[DIVYA_DEAD_BUG]["rep_times"], review.reps):
        assert abs(rep.start_s - start_s) <= TIME_TOLERANCE_S and abs(rep.end_s - end_s) <= TIME_TOLERANCE_S


def test_side_view_checks_say_why_they_are_skipped(analyze: Analyze) -> None:
    """Square and level hips need the camera at the head or feet: side-on they are never judged."""
    for path, exercise, check in [
        ("polybag/bird_dog.mp4", "bird_dog", "hip_rotation"),
        ("Abhinash-Padhi-SIH-FitCircuit/DeadBug.mp4", "dead_bug", "hip_rotation"),
        ("Abhinash-Padhi-SIH-FitCircuit/SingleLegBridge.mp4", "single_leg_bridge", "hip_drop"),
    ]:
        if path not in LABELS:
            pytest.skip("shared labels not available")
        status = {c.id: c for c in analyze(path, exercise).checks}[check]
        assert status.judged_fraction == 0.0 and "front" in (status.skipped_reason or "")


def test_side_plank_is_judged_from_the_front(analyze: Analyze) -> None:
    review = analyze(f"{T}/side_plank.mp4", "side_plank")
    assert review.view == "front"
    assert all(check.judged_fraction > 0.5 for check in review.checks)


def test_cat_cow_carries_the_seed_caution(analyze: Analyze) -> None:
    review = analyze("polybag/kocici_hrbet.mp4", "cat_cow")
    assert any(w.id == "caution" and "no rehabilitative benefit" in w.message for w in review.warnings)
