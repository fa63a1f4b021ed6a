"""Score formcheck against hand-labelled clips (``formcheck.labels/1``, see shared/labels/README.md).

For every labelled clip of a catalogue exercise (and every ``catalogue_exercise: null`` clip,
analysed as its ``wrong_as`` exercise, which must count 0 reps) it reports:

* rep count: exact, within the labels' partial-rep tolerance ``[reps, reps + partial_reps]``,
  the error outside that range, and whether it is off by at most one;
* rep timing: labelled reps matched to counted ones (same rep when their spans overlap by
  half), with the start and end differences;
* faults: precision (of the faults formcheck reported, how many a coach labelled) and
  recall (of the labelled faults, how many formcheck found), matched as the README says.

An exercise whose spec does not count its reps (``reps.not_counted``: the movement is within the
pose model's noise) is left out of the count and timing figures; its clips say ``counts_reps: false``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from formcheck.errors import FormcheckError
from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.review.schema import Review
from formcheck.specs import catalogue

TIMING_TOLERANCE_S = 0.5  # labels are good to ~0.3 s; the counter confirms a rep a little after it ends


@dataclass
class ClipResult:
    path: str
    exercise: str
    analysed_as: str
    view: str
    labelled_reps: int
    partial_reps: int
    counted: int
    within_tolerance: bool
    count_error: int
    reps_matched: int
    start_errors_s: list[float]
    end_errors_s: list[float]
    faults_reported: int
    faults_reported_correct: int
    faults_labelled: int
    faults_found: int
    error: str | None = None
    per_side_labelled: dict[str, int] | None = None
    per_side_counted: dict[str, int] | None = None
    hold_labelled_s: float = 0.0
    hold_found_s: float = 0.0
    hold_reported_s: float = 0.0
    missed_faults: list[str] = field(default_factory=list)
    false_faults: list[str] = field(default_factory=list)
    counts_reps: bool = True  # false: the spec does not count this exercise's reps (reps.not_counted)


def count_error(counted: int, reps: int, partial: int) -> int:
    """Signed distance from the accepted range [reps, reps + partial] (0 inside it)."""
    if counted < reps:
        return counted - reps
    if counted > reps + partial:
        return counted - (reps + partial)
    return 0


def overlap_s(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Seconds two time spans share (0 when apart)."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def match_rep_times(labelled: list[list[float]], review: Review) -> tuple[list[float], list[float]]:
    """Pair labelled and counted reps that overlap by at least half the shorter one."""
    starts, ends = [], []
    used: set[int] = set()
    for start_s, end_s in labelled:
        best, best_overlap = None, 0.0
        for rep in review.reps:
            if rep.index in used:
                continue
            shared = overlap_s((start_s, end_s), (rep.start_s, rep.end_s))
            shorter = min(end_s - start_s, rep.end_s - rep.start_s)
            if shorter > 0 and shared / shorter >= 0.5 and shared > best_overlap:
                best, best_overlap = rep, shared
        if best is not None:
            used.add(best.index)
            starts.append(round(best.start_s - start_s, 3))
            ends.append(round(best.end_s - end_s, 3))
    return starts, ends


def _fault_is_labelled(fault_id: str, rep_index: int | None, span: tuple[float, float], labels: list[dict[str, Any]]) -> bool:
    for label in labels:
        if label["id"] != fault_id:
            continue
        if "span" in label and overlap_s(span, tuple(label["span"])) > 0:
            return True
        if "reps" in label and rep_index is not None and rep_index in label["reps"]:
            return True
    return False


def score_faults(review: Review, labels: list[dict[str, Any]]) -> tuple[int, int, int, int, list[str], list[str]]:
    """(reported, reported and labelled, labelled, labelled and found, missed ids, false ids)."""
    reported = correct = 0
    false_ids = []
    for fault in review.faults:
        reported += 1
        if _fault_is_labelled(fault.id, fault.rep, (fault.start_s, fault.end_s), labels):
            correct += 1
        else:
            false_ids.append(fault.id)
    labelled = found = 0
    missed = []
    reps_by_index = {rep.index: rep for rep in review.reps}
    for label in labels:
        if "reps" in label:
            for rep_index in label["reps"]:
                labelled += 1
                rep = reps_by_index.get(rep_index)
                if rep is not None and any(f.id == label["id"] for f in rep.faults):
                    found += 1
                else:
                    missed.append(label["id"])
        else:
            labelled += 1
            span = tuple(label["span"])
            if any(f.id == label["id"] and overlap_s((f.start_s, f.end_s), span) > 0 for f in review.faults):
                found += 1
            else:
                missed.append(label["id"])
    return reported, correct, labelled, found, missed, false_ids


def evaluate_clip(label: dict[str, Any], clips_dir: Path, cache: PoseCache) -> ClipResult:
    exercise = label["catalogue_exercise"]
    analysed_as = exercise or label["wrong_as"]
    base = {
        "path": label["path"], "exercise": exercise or f"not {analysed_as}", "analysed_as": analysed_as,
        "view": label["view"], "labelled_reps": label["reps"], "partial_reps": label.get("partial_reps", 0),
    }
    try:
        review = analyze_video(clips_dir / label["path"], analysed_as, cache=cache)
    except FormcheckError as error:
        return ClipResult(**base, counted=0, within_tolerance=False, count_error=-label["reps"], reps_matched=0,
                          start_errors_s=[], end_errors_s=[], faults_reported=0, faults_reported_correct=0,
                          faults_labelled=0, faults_found=0, error=str(error))
    off_by = count_error(review.rep_count, label["reps"], label.get("partial_reps", 0))
    starts, ends = match_rep_times(label.get("rep_times") or [], review)
    reported, correct, labelled, found, missed, false_ids = score_faults(review, label.get("faults") or [])
    labelled_holds = [tuple(span) for span in label.get("holds") or []]
    found_holds = [(hold.start_s, hold.end_s) for hold in review.holds]
    return ClipResult(
        **base, counted=review.rep_count, within_tolerance=off_by == 0, count_error=off_by, reps_matched=len(starts),
        start_errors_s=starts, end_errors_s=ends, faults_reported=reported, faults_reported_correct=correct,
        faults_labelled=labelled, faults_found=found, missed_faults=missed, false_faults=false_ids,
        per_side_labelled=label.get("per_side"), per_side_counted=review.summary.per_side,
        hold_labelled_s=round(sum(end - start for start, end in labelled_holds), 2),
        hold_found_s=round(sum(overlap_s(a, b) for a in labelled_holds for b in found_holds), 2),
        hold_reported_s=round(sum(end - start for start, end in found_holds), 2),
        counts_reps=not any(warning.id == "not_counted" for warning in review.warnings),
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def _per_side_matches(result: ClipResult) -> bool:
    """Counted reps by side equal the labels' (sides with 0 reps may be left out on either side)."""
    labelled = {side: n for side, n in (result.per_side_labelled or {}).items() if n}
    counted = {side: n for side, n in (result.per_side_counted or {}).items() if n}
    return labelled == counted


def summarise(results: list[ClipResult]) -> dict[str, Any]:
    """Aggregate figures for a group of clips (count and timing figures over the clips whose reps are counted)."""
    counting = [r for r in results if r.counts_reps]
    timed = [abs(e) for r in counting for e in r.start_errors_s + r.end_errors_s]
    labelled_timed = sum(1 for r in counting for _ in range(r.reps_matched))
    return {
        "clips": len(results),
        "clips_counting_reps": len(counting),
        "count_exact": _ratio(sum(r.counted == r.labelled_reps for r in counting), len(counting)),
        "count_within_tolerance": _ratio(sum(r.within_tolerance for r in counting), len(counting)),
        "count_off_by_at_most_one": _ratio(sum(abs(r.count_error) <= 1 for r in counting), len(counting)),
        "count_mean_abs_error": _ratio(sum(abs(r.count_error) for r in counting), len(counting)),
        "max_abs_count_error": max((abs(r.count_error) for r in counting), default=0),
        "reps_matched_in_time": labelled_timed,
        "rep_time_mean_abs_error_s": _ratio(sum(timed), len(timed)),
        "rep_time_within_tolerance": _ratio(sum(e <= TIMING_TOLERANCE_S for e in timed), len(timed)),
        "per_side_exact": _ratio(
            sum(_per_side_matches(r) for r in counting if r.per_side_labelled),
            sum(1 for r in counting if r.per_side_labelled),
        ),
        "hold_time_recall": _ratio(sum(r.hold_found_s for r in results), sum(r.hold_labelled_s for r in results)),
        "hold_time_precision": _ratio(
            sum(r.hold_found_s for r in results if r.hold_labelled_s),
            sum(r.hold_reported_s for r in results if r.hold_labelled_s),
        ),
        "fault_precision": _ratio(sum(r.faults_reported_correct for r in results), sum(r.faults_reported for r in results)),
        "fault_recall": _ratio(sum(r.faults_found for r in results), sum(r.faults_labelled for r in results)),
        "faults_reported": sum(r.faults_reported for r in results),
        "faults_labelled": sum(r.faults_labelled for r in results),
    }


def load_labels(labels_path: Path) -> list[dict[str, Any]]:
    try:
        document = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FormcheckError(f"{labels_path}: cannot read the labels ({error})") from error
    if not isinstance(document, dict) or document.get("schema") != "formcheck.labels/1":
        raise FormcheckError(f"{labels_path}: not a formcheck.labels/1 file")
    return list(document["clips"])


def evaluate(
    labels_path: Path,
    clips_dir: Path,
    cache: PoseCache | None = None,
    exercises: set[str] | None = None,
    on_clip: Callable[[ClipResult], None] | None = None,
) -> dict[str, Any]:
    """Evaluate every clip whose exercise (or ``wrong_as``) is in the catalogue."""
    known = set(catalogue())
    chosen = exercises & known if exercises else known
    cache = cache or PoseCache()
    results = []
    for label in load_labels(labels_path):
        analysed_as = label["catalogue_exercise"] or label.get("wrong_as")
        if analysed_as not in chosen:
            continue
        result = evaluate_clip(label, clips_dir, cache)
        results.append(result)
        if on_clip:
            on_clip(result)
    by_exercise: dict[str, list[ClipResult]] = defaultdict(list)
    by_view: dict[str, list[ClipResult]] = defaultdict(list)
    for result in results:
        by_exercise[result.exercise if not result.exercise.startswith("not ") else "wrong_exercise"].append(result)
        by_view[result.view].append(result)
    return {
        "schema": "formcheck.evaluation/1",
        "overall": summarise(results),
        "by_exercise": {name: summarise(group) for name, group in sorted(by_exercise.items())},
        "by_view": {name: summarise(group) for name, group in sorted(by_view.items())},
        "clips": [asdict(result) for result in results],
    }


def write_metrics(metrics: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
