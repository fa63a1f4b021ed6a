"""Score formcheck against hand-labelled clips (``formcheck.labels/1``, see shared/labels/README.md).

For every labelled clip of a catalogue exercise (and every ``catalogue_exercise: null`` clip,
analysed as its ``wrong_as`` exercise, which must count 0 reps) it reports:

* rep count: exact, within the labels' partial-rep tolerance ``[reps, reps + partial_reps]``,
  the error outside that range, and whether it is off by at most one from the reps the review claims
  to have seen (``claimed_error``);
* rep timing: labelled reps matched to counted ones (same rep when their spans overlap by
  half), with the start and end differences;
* faults: precision (of the faults formcheck reported, how many a coach labelled) and
  recall (of the labelled faults, how many formcheck found), matched as the README says.

An exercise whose spec does not count its reps (``reps.not_counted``: the movement is within the
pose model's noise) is left out of the count and timing figures; its clips say ``counts_reps: false``.

A clip whose count is short while some of its labelled reps fall in the review's unseen spans (the camera
cut away from the whole body) is still a count miss, but listed apart as not seen by the camera
(``not_seen_by_camera``): the review said those reps were not seen, so "off by at most one" is judged on
the reps it did see.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from formcheck.calibration import HELD_OUT_SOURCES, RepValue, analyze_with_decisions, fit_all, rep_values, source_group
from formcheck.errors import FormcheckError
from formcheck.pipeline import analyze_video, poses_for, resolve_model
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import PoseTrack
from formcheck.review.schema import Review
from formcheck.specs import catalogue, default_spec_dir
from formcheck.specs.loader import FITTED_FILE, bare_catalogue, load_fitted, with_fitted
from formcheck.specs.models import ExerciseSpec, TurningPointFault

TIMING_TOLERANCE_S = 0.5  # labels are good to ~0.3 s; the counter confirms a rep a little after it ends
UNSEEN_OVERLAP = 0.5  # share of a labelled rep's time in unseen spans from which the rep was not seen


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
    # fault id -> [reported, reported and labelled, labelled, labelled and found]
    faults_by_id: dict[str, list[int]] = field(default_factory=dict)
    unseen_spans: list[list[float]] = field(default_factory=list)  # the review's, [start_s, end_s]
    unseen_reps: int = 0  # labelled reps at least UNSEEN_OVERLAP inside the unseen spans

    @property
    def not_seen_by_camera(self) -> bool:
        """Short of the labels, with labelled reps the review said it could not see."""
        return self.count_error < 0 and self.unseen_reps > 0

    @property
    def claimed_error(self) -> int:
        """The count's error against the reps the review claims to have seen: the unseen labelled reps may
        be missing from it (range ``[reps - unseen_reps, reps + partial_reps]``)."""
        return count_error(self.counted, self.labelled_reps - self.unseen_reps, self.partial_reps + self.unseen_reps)


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


def unseen_reps(labelled: list[list[float]], review: Review) -> int:
    """Labelled reps with at least ``UNSEEN_OVERLAP`` of their time in the review's unseen spans."""
    return sum(
        end_s > start_s and sum(overlap_s((start_s, end_s), (span.start_s, span.end_s)) for span in review.unseen_spans)
        >= UNSEEN_OVERLAP * (end_s - start_s)
        for start_s, end_s in labelled
    )


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


def faults_by_id(review: Review, labels: list[dict[str, Any]]) -> dict[str, list[int]]:
    """``score_faults`` by fault id: id -> [reported, reported and labelled, labelled, labelled and found]."""
    counts: dict[str, list[int]] = {}
    for fault_id in sorted({f.id for f in review.faults} | {label["id"] for label in labels}):
        mine = [label for label in labels if label["id"] == fault_id]
        only = review.model_copy(update={
            "faults": [f for f in review.faults if f.id == fault_id],
            "reps": [rep.model_copy(update={"faults": [f for f in rep.faults if f.id == fault_id]}) for rep in review.reps],
        })
        reported, correct, labelled, found, _, _ = score_faults(only, mine)
        counts[fault_id] = [reported, correct, labelled, found]
    return counts


def _base(label: dict[str, Any]) -> dict[str, Any]:
    exercise = label["catalogue_exercise"]
    analysed_as = exercise or label["wrong_as"]
    return {
        "path": label["path"], "exercise": exercise or f"not {analysed_as}", "analysed_as": analysed_as,
        "view": label["view"], "labelled_reps": label["reps"], "partial_reps": label.get("partial_reps", 0),
    }


def failed_clip(label: dict[str, Any], error: FormcheckError) -> ClipResult:
    """The result of a clip that could not be analysed."""
    return ClipResult(**_base(label), counted=0, within_tolerance=False, count_error=-label["reps"], reps_matched=0,
                      start_errors_s=[], end_errors_s=[], faults_reported=0, faults_reported_correct=0,
                      faults_labelled=0, faults_found=0, error=str(error))


def score_review(label: dict[str, Any], review: Review) -> ClipResult:
    """Score one clip's review against its label."""
    off_by = count_error(review.rep_count, label["reps"], label.get("partial_reps", 0))
    starts, ends = match_rep_times(label.get("rep_times") or [], review)
    reported, correct, labelled, found, missed, false_ids = score_faults(review, label.get("faults") or [])
    labelled_holds = [tuple(span) for span in label.get("holds") or []]
    found_holds = [(hold.start_s, hold.end_s) for hold in review.holds]
    return ClipResult(
        **_base(label), counted=review.rep_count, within_tolerance=off_by == 0, count_error=off_by,
        reps_matched=len(starts), start_errors_s=starts, end_errors_s=ends, faults_reported=reported,
        faults_reported_correct=correct, faults_labelled=labelled, faults_found=found, missed_faults=missed,
        false_faults=false_ids, per_side_labelled=label.get("per_side"), per_side_counted=review.summary.per_side,
        hold_labelled_s=round(sum(end - start for start, end in labelled_holds), 2),
        hold_found_s=round(sum(overlap_s(a, b) for a in labelled_holds for b in found_holds), 2),
        hold_reported_s=round(sum(end - start for start, end in found_holds), 2),
        counts_reps=not any(warning.id == "not_counted" for warning in review.warnings),
        faults_by_id=faults_by_id(review, label.get("faults") or []),
        unseen_spans=[[span.start_s, span.end_s] for span in review.unseen_spans],
        unseen_reps=unseen_reps(label.get("rep_times") or [], review),
    )


def evaluate_clip(label: dict[str, Any], clips_dir: Path, cache: PoseCache) -> ClipResult:
    try:
        review = analyze_video(clips_dir / label["path"], label["catalogue_exercise"] or label["wrong_as"], cache=cache)
    except FormcheckError as error:
        return failed_clip(label, error)
    return score_review(label, review)


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def _per_side_matches(result: ClipResult) -> bool:
    """Counted reps by side equal the labels' (sides with 0 reps may be left out on either side)."""
    labelled = {side: n for side, n in (result.per_side_labelled or {}).items() if n}
    counted = {side: n for side, n in (result.per_side_counted or {}).items() if n}
    return labelled == counted


def summarise(results: list[ClipResult]) -> dict[str, Any]:
    """Aggregate figures for a group of clips (count and timing figures over the clips whose reps are counted;
    off by at most one from the reps the reviews claim to have seen)."""
    counting = [r for r in results if r.counts_reps]
    timed = [abs(e) for r in counting for e in r.start_errors_s + r.end_errors_s]
    labelled_timed = sum(1 for r in counting for _ in range(r.reps_matched))
    return {
        "clips": len(results),
        "clips_counting_reps": len(counting),
        "count_exact": _ratio(sum(r.counted == r.labelled_reps for r in counting), len(counting)),
        "count_within_tolerance": _ratio(sum(r.within_tolerance for r in counting), len(counting)),
        "count_off_by_at_most_one": _ratio(sum(abs(r.claimed_error) <= 1 for r in counting), len(counting)),
        "clips_not_seen_by_camera": sum(r.not_seen_by_camera for r in counting),
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


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of a proportion k / n (None when n is 0)."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)


def proportion(k: int, n: int) -> dict[str, Any]:
    """``{k, n, rate, ci95}``: a count out of a total, with its Wilson interval."""
    return {"k": k, "n": n, "rate": _ratio(k, n), "ci95": list(interval) if (interval := wilson(k, n)) else None}


def _fault_totals(results: list[ClipResult], fault_id: str | None = None) -> list[int]:
    """[reported, correct, labelled, found] over the clips (of one fault id, or all)."""
    totals = [0, 0, 0, 0]
    for result in results:
        rows = result.faults_by_id.values() if fault_id is None else [result.faults_by_id.get(fault_id, [0, 0, 0, 0])]
        for row in rows:
            totals = [a + b for a, b in zip(totals, row)]
    return totals


def loso_figures(results: list[ClipResult], fault_id: str | None = None) -> dict[str, Any]:
    """Counts within tolerance, off by <= 1, fault precision and recall, with counts and Wilson intervals."""
    counting = [r for r in results if r.counts_reps]
    reported, correct, labelled, found = _fault_totals(results, fault_id)
    return {
        "clips": len(results),
        "count_within_tolerance": proportion(sum(r.within_tolerance for r in counting), len(counting)),
        "count_off_by_at_most_one": proportion(sum(abs(r.claimed_error) <= 1 for r in counting), len(counting)),
        "fault_precision": proportion(correct, reported),
        "fault_recall": proportion(found, labelled),
    }


def _group_name(result: ClipResult) -> str:
    return result.exercise if not result.exercise.startswith("not ") else "wrong_exercise"


def loso_table(results: list[ClipResult], refit: set[str]) -> dict[str, Any]:
    """``loso_figures`` overall, by exercise, by view and by exercise/fault id (``refit``: whether the
    fault's threshold was refitted in each fold, or fixed in advance)."""
    by_exercise: dict[str, list[ClipResult]] = defaultdict(list)
    by_view: dict[str, list[ClipResult]] = defaultdict(list)
    by_fault: dict[str, list[ClipResult]] = defaultdict(list)
    for result in results:
        by_exercise[_group_name(result)].append(result)
        by_view[result.view].append(result)
        for fault_id in result.faults_by_id:
            by_fault[f"{result.analysed_as}/{fault_id}"].append(result)
    return {
        "overall": loso_figures(results),
        "by_exercise": {name: loso_figures(group) for name, group in sorted(by_exercise.items())},
        "by_view": {name: loso_figures(group) for name, group in sorted(by_view.items())},
        "by_fault": {
            name: loso_figures(group, name.split("/", 1)[1]) | {"refit": name in refit}
            for name, group in sorted(by_fault.items())
        },
    }


@dataclass
class _Clip:
    label: dict[str, Any]
    group: str
    track: PoseTrack | None
    result: ClipResult  # in-sample: the shipped specs


def _analyse(clip: _Clip, spec: ExerciseSpec) -> tuple[Review, list[dict[str, float]]]:
    assert clip.track is not None
    return analyze_with_decisions(clip.track.frames, spec, clip.track.source, clip.track.decode_warning)


def evaluate(
    labels_path: Path,
    clips_dir: Path,
    cache: PoseCache | None = None,
    exercises: set[str] | None = None,
    on_clip: Callable[[ClipResult], None] | None = None,
    loso: bool = True,
) -> dict[str, Any]:
    """Evaluate every clip whose exercise (or ``wrong_as``) is in the catalogue.

    With ``loso`` it also scores each source group with the ``fitted`` thresholds refitted on the other
    groups only (leave one source out), and the held-out sources (kept out of every fit) apart.
    """
    specs = catalogue()
    chosen = exercises & set(specs) if exercises else set(specs)
    cache = cache or PoseCache()
    bundle = resolve_model(None)
    clips: list[_Clip] = []
    samples: list[RepValue] = []
    for label in load_labels(labels_path):
        analysed_as = label["catalogue_exercise"] or label.get("wrong_as")
        if analysed_as not in chosen:
            continue
        try:
            track = poses_for(clips_dir / label["path"], specs[analysed_as], bundle, cache)
        except FormcheckError as error:
            clip = _Clip(label, source_group(label["path"]), None, failed_clip(label, error))
        else:
            clip = _Clip(label, source_group(label["path"]), track, failed_clip(label, FormcheckError("not run")))
            review, decisions = _analyse(clip, specs[analysed_as])
            clip.result = score_review(label, review)
            samples += rep_values(label, review, decisions, specs[analysed_as])
        clips.append(clip)
        if on_clip:
            on_clip(clip.result)
    results = [clip.result for clip in clips]
    by_exercise: dict[str, list[ClipResult]] = defaultdict(list)
    by_view: dict[str, list[ClipResult]] = defaultdict(list)
    for result in results:
        by_exercise[_group_name(result)].append(result)
        by_view[result.view].append(result)
    metrics: dict[str, Any] = {
        "schema": "formcheck.evaluation/1",
        "overall": summarise(results),
        "by_exercise": {name: summarise(group) for name, group in sorted(by_exercise.items())},
        "by_view": {name: summarise(group) for name, group in sorted(by_view.items())},
    }
    metrics["not_seen_by_camera"] = [result.path for result in results if result.counts_reps and result.not_seen_by_camera]
    if loso:
        metrics["loso"] = leave_one_source_out(clips, samples)
    metrics["clips"] = [asdict(result) for result in results]
    return metrics


def leave_one_source_out(clips: list[_Clip], samples: list[RepValue]) -> dict[str, Any]:
    """Score each source group with the fitted thresholds refitted on the other groups (held-out sources
    never fitted on), beside the in-sample figures of the same clips."""
    bare = bare_catalogue()
    refit = {
        f"{spec.id}/{rule.id}" for spec in bare.values() for rule in spec.faults
        if isinstance(rule, TurningPointFault) and rule.origin_kind == "fitted"
    }
    held_out = set(HELD_OUT_SOURCES)
    groups = sorted({clip.group for clip in clips} - held_out)
    out_of_source: list[ClipResult] = []
    folds: dict[str, Any] = {}
    for group in groups:
        fitted = fit_all(bare, samples, leave_out=held_out | {group})
        folds[group] = {
            "clips": sum(clip.group == group for clip in clips),
            "fitted": {
                f"{exercise}/{fault_id}": entry.value for exercise, faults in fitted.items() for fault_id, entry in faults.items()
            },
        }
        for clip in clips:
            if clip.group != group:
                continue
            if clip.track is None:
                out_of_source.append(clip.result)
                continue
            exercise = clip.result.analysed_as
            spec = with_fitted(bare[exercise], fitted.get(exercise, {}))
            out_of_source.append(score_review(clip.label, _analyse(clip, spec)[0]))
    full = fit_all(bare, samples, leave_out=held_out)
    shipped = load_fitted(default_spec_dir() / FITTED_FILE)
    current = shipped is not None and all(
        shipped.thresholds.get(exercise, {}).get(fault_id) == entry
        for exercise, faults in full.items() for fault_id, entry in faults.items()
    )
    return {
        "grouping": "clip folder name up to its first '-' (one owner's folders are one group)",
        "held_out_sources": sorted(held_out),
        "fitted_file_is_current": current,
        "groups": {group: folds[group]["clips"] for group in groups},
        "in_sample": loso_table([clip.result for clip in clips if clip.group not in held_out], refit),
        "out_of_source": loso_table(out_of_source, refit),
        "held_out": loso_table([clip.result for clip in clips if clip.group in held_out], refit),
        "fitted_now": {
            f"{exercise}/{fault_id}": {"value": entry.value, "margin": entry.margin}
            for exercise, faults in full.items() for fault_id, entry in faults.items()
        },
        "folds": {group: fold["fitted"] for group, fold in folds.items()},
        # where a fold's other groups have no clean fit (e.g. every labelled rep of the fault comes from the
        # held-out group), the spec's fixed value stays: that fold's figure for the fault is not out of source
        "fallback_folds": {
            name: [group for group, fold in folds.items() if fold["fitted"][name] is None and any(
                clip.group == group and clip.result.analysed_as == name.split("/")[0] for clip in clips)]
            for name in sorted(refit)
        },
    }


def write_metrics(metrics: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
