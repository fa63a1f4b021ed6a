"""Fit the ``fitted`` thresholds of the exercise specs from the labelled clips (``formcheck calibrate``).

A per-rep (``turning_point``) check decides on one number per rep: its metric at the rep's moment
(``at``), which must be outside the bound both at that frame and over the stretch of the rep around it
(see ``formcheck.faults.rules.judge_rep``). For a ``max`` bound the check fires when the smaller of the
two exceeds it, for a ``min`` bound when the larger falls below it: that number is the rep's *decision
value*. A rep the check does not judge (a view it does not allow, a ``when`` gate that does not hold,
landmarks too poorly seen) has none.

For every threshold whose origin is ``fitted``, the calibration runs the engine on the labelled clips
(poses from the cache), takes the decision values of the reps labelled with the fault and of the reps
of clips of that exercise not labelled with it, and sets the threshold at the midpoint of the margin
between the two sets (the largest value without the fault and the smallest with it, for a ``max``
bound; the mirror for ``min``), recording the margin. Where the two overlap, or one is empty, no value
is fitted and the spec's fixed value stays (flagged). Clips are grouped by source (the clip folder's
name up to its first '-': folders of one owner are one group); the held-out sources stay out of every
fit, so they can test it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from formcheck.engine import ExerciseSession
from formcheck.errors import FormcheckError
from formcheck.faults.rules import holds
from formcheck.landmarks import PoseFrame
from formcheck.pipeline import poses_for, resolve_model
from formcheck.pose.cache import PoseCache
from formcheck.reps.counter import RepEvent
from formcheck.review.schema import Rep, Review
from formcheck.sources.base import SourceInfo
from formcheck.specs import models as spec_models
from formcheck.specs.loader import bare_catalogue
from formcheck.specs.models import FittedFile, FittedThreshold

HELD_OUT_SOURCES = ("isilunveren",)  # a test source: kept out of every fit, reported apart
DIGITS = 4  # fitted values and margins are written rounded to this many decimals


def source_group(clip_path: str) -> str:
    """The source group of a labelled clip: its folder's name up to the first '-' (one owner's folders
    ``Goondoc08-Chloe-Workout`` and ``Goondoc08-to-be-frank`` are one group)."""
    return clip_path.split("/", 1)[0].split("-", 1)[0]


def decision_value(
    rule: spec_models.TurningPointFault, at_moment: dict[str, float], around: dict[str, float]
) -> float:
    """The one number a rep's check decides on (NaN: not judged): for a ``max`` bound the smaller of the
    metric at the moment and over the stretch around it, for ``min`` the larger; NaN when either is
    unmeasured or a ``when`` gate fails at either."""
    if not all(holds(condition, at_moment) and holds(condition, around) for condition in rule.when):
        return math.nan
    value, stretch = at_moment.get(rule.metric, math.nan), around.get(rule.metric, math.nan)
    if math.isnan(value) or math.isnan(stretch):
        return math.nan
    return min(value, stretch) if rule.bound == "max" else max(value, stretch)


class _ProbeSession(ExerciseSession):
    """The engine's session, also keeping each rep's decision value for every turning_point check,
    read from the same moments and stretches the engine judged the rep at."""

    def __init__(self, spec: spec_models.ExerciseSpec) -> None:
        super().__init__(spec)
        self.rules = [
            rule for rule in spec.faults if isinstance(rule, spec_models.TurningPointFault) and rule.bound is not None
        ]
        self.decisions: list[dict[str, float]] = []

    def _complete_rep(self, event: RepEvent, view: str | None) -> Rep:
        rep = super()._complete_rep(event, view)
        metrics_at, around = self._judging_context(event)  # the moments the engine judged this rep at
        self.decisions.append({
            rule.id: decision_value(rule, metrics_at[rule.at], around[rule.at]) if view in rule.views else math.nan
            for rule in self.rules
        })
        return rep


def analyze_with_decisions(
    frames: Iterable[PoseFrame], spec: spec_models.ExerciseSpec, source: SourceInfo, decode_warning: str | None = None
) -> tuple[Review, list[dict[str, float]]]:
    """``analyze_poses`` that also returns, for each rep of the review, each turning_point check's
    decision value by fault id."""
    session = _ProbeSession(spec)
    for pose in frames:
        session.step(pose)
    return session.finish(source, None, decode_warning), session.decisions


@dataclass(frozen=True)
class RepValue:
    """One rep's decision value for one check, and whether a coach labelled the fault on it."""

    exercise: str
    fault_id: str
    source: str
    clip: str
    rep: int
    value: float
    fault: bool


def rep_values(
    label: dict[str, Any], review: Review, decisions: Sequence[dict[str, float]], spec: spec_models.ExerciseSpec
) -> list[RepValue]:
    """The judged reps of one labelled clip of the spec's exercise, for each fitted check: labelled
    with the fault (its ``reps`` list names the rep, or its ``span`` overlaps it) or from a clip not
    labelled with it. Reps of a clip labelled with the fault on other reps are left out."""
    if label.get("catalogue_exercise") != spec.id:
        return []
    labels = label.get("faults") or []
    out: list[RepValue] = []
    for rule in spec.faults:
        if not isinstance(rule, spec_models.TurningPointFault) or rule.origin_kind != "fitted":
            continue
        mine = [entry for entry in labels if entry["id"] == rule.id]
        for rep, values in zip(review.reps, decisions):
            value = values.get(rule.id, math.nan)
            if math.isnan(value):
                continue
            labelled = any(
                rep.index in entry.get("reps", ())
                or ("span" in entry and min(rep.end_s, entry["span"][1]) > max(rep.start_s, entry["span"][0]))
                for entry in mine
            )
            if mine and not labelled:
                continue
            out.append(RepValue(spec.id, rule.id, source_group(label["path"]), label["path"], rep.index, value, labelled))
    return out


def fit_threshold(bound: str, values: Iterable[RepValue]) -> FittedThreshold:
    """The midpoint of the margin between the fault and no-fault values (see the module's doc)."""
    chosen = list(values)
    fault = sorted(v.value for v in chosen if v.fault)
    clean = sorted(v.value for v in chosen if not v.fault)
    value = margin = None
    if fault and clean:
        # max bound: fault values lie above (gap = smallest fault - largest clean); min: the mirror
        low, high = (clean[-1], fault[0]) if bound == "max" else (fault[-1], clean[0])
        margin = round((high - low) / 2, DIGITS)
        if high > low:
            value = round((high + low) / 2, DIGITS)
    return FittedThreshold(
        bound="max" if bound == "max" else "min", value=value, margin=margin, fault_reps=len(fault),
        no_fault_reps=len(clean),
        fault_range=(round(fault[0], DIGITS), round(fault[-1], DIGITS)) if fault else None,
        no_fault_range=(round(clean[0], DIGITS), round(clean[-1], DIGITS)) if clean else None,
        sources=tuple(sorted({v.source for v in chosen})),
    )


def fit_all(
    specs: dict[str, spec_models.ExerciseSpec], samples: Iterable[RepValue], leave_out: Iterable[str] = ()
) -> dict[str, dict[str, FittedThreshold]]:
    """Every fitted threshold of ``specs``, from the samples of the source groups not in ``leave_out``."""
    skipped = set(leave_out)
    kept = [sample for sample in samples if sample.source not in skipped]
    fitted: dict[str, dict[str, FittedThreshold]] = {}
    for spec in specs.values():
        for rule in spec.faults:
            if isinstance(rule, spec_models.TurningPointFault) and rule.origin_kind == "fitted":
                assert rule.bound is not None
                mine = [s for s in kept if s.exercise == spec.id and s.fault_id == rule.id]
                fitted.setdefault(spec.id, {})[rule.id] = fit_threshold(rule.bound, mine)
    return fitted


def fitted_file(thresholds: dict[str, dict[str, FittedThreshold]], held_out: Sequence[str]) -> FittedFile:
    return FittedFile.model_validate({"schema": "formcheck.fitted/1", "held_out": tuple(held_out), "thresholds": thresholds})


HEADER = """\
# Thresholds fitted by `formcheck calibrate` from the labelled clips (do not edit by hand: rerun it).
# For each check whose origin is `fitted`: value = the midpoint of the margin between the reps labelled
# with the fault and the reps of clips without it, margin = half that gap (negative: they overlap, and the
# spec's fixed value stays). Source groups in held_out were kept out of the fit.
"""


def write_fitted(fitted: FittedFile, path: Path) -> None:
    data = fitted.model_dump(by_alias=True, mode="json")
    for faults in data["thresholds"].values():
        for entry in faults.values():
            entry["sources"] = list(entry["sources"])
    path.write_text(HEADER + yaml.safe_dump(data, sort_keys=False, width=120), encoding="utf-8")


def collect(
    labels: Iterable[dict[str, Any]],
    analyse: Callable[[dict[str, Any], spec_models.ExerciseSpec], tuple[Review, list[dict[str, float]]] | None],
    specs: dict[str, spec_models.ExerciseSpec],
) -> list[RepValue]:
    """Every labelled clip's rep values, ``analyse`` giving a clip's review and decisions (None: unreadable)."""
    samples: list[RepValue] = []
    for label in labels:
        spec = specs.get(label.get("catalogue_exercise") or "")
        if spec is None:
            continue
        analysed = analyse(label, spec)
        if analysed is not None:
            samples += rep_values(label, analysed[0], analysed[1], spec)
    return samples


def calibrate(
    labels: Iterable[dict[str, Any]],
    clips_dir: Path,
    cache: PoseCache | None = None,
    spec_dir: Path | None = None,
    held_out: Sequence[str] = HELD_OUT_SOURCES,
    on_clip: Callable[[str], None] | None = None,
) -> tuple[FittedFile, list[RepValue]]:
    """Fit every ``fitted`` threshold of the specs in ``spec_dir`` on the labelled clips (poses from
    ``cache``), leaving the ``held_out`` source groups out. Returns the fitted file and the rep values."""
    specs = bare_catalogue(spec_dir)
    bundle = resolve_model(None)
    skipped = set(held_out)

    def analyse(label: dict[str, Any], spec: spec_models.ExerciseSpec) -> tuple[Review, list[dict[str, float]]] | None:
        if source_group(label["path"]) in skipped:
            return None
        if on_clip is not None:
            on_clip(label["path"])
        try:
            track = poses_for(clips_dir / label["path"], spec, bundle, cache)
        except FormcheckError:
            return None
        return analyze_with_decisions(track.frames, spec, track.source, track.decode_warning)

    samples = collect(labels, analyse, specs)
    return fitted_file(fit_all(specs, samples, leave_out=skipped), sorted(skipped)), samples
