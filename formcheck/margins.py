"""Measure the margins of the spec thresholds that are not a fault's bound (``formcheck margins``).

A fault's bound has its margin in its spec (or, fitted, in ``fitted.yaml``). Every other threshold (the
conditions of ``position``, ``reps.require``, ``hold.position`` and fault ``when`` gates, and the numeric
settings of the rep counter and the hold a spec sets) gets its margin here, measured on the labelled clips
of its exercise (the held-out sources left out, as in the calibration) exactly as ``Origin`` defines it.
The engine runs on each clip (poses from the cache) for the metric series it judges on; the labels give
the moments: each labelled rep's span and turning point, each labelled hold's span.

``origin_entries`` turns the margins into ready-to-paste ``origin:`` entries for a spec file.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.calibration import HELD_OUT_SOURCES, source_group
from formcheck.engine import ExerciseSession
from formcheck.errors import FormcheckError
from formcheck.landmarks import PoseFrame
from formcheck.pipeline import poses_for, resolve_model
from formcheck.pose.cache import PoseCache
from formcheck.reps.counter import TURN_FRACTION
from formcheck.specs import models as spec_models

Floats = npt.NDArray[np.float64]
Span = tuple[float, float]

REST_BEFORE_S = 0.5  # a rep exercise's position is read over this long before each labelled rep starts
HOLD_PERCENTILE = 5  # a hold's conditions: this percentile of the clearance over the labelled holds' frames
LABEL_ACCURACY_S = 0.3  # labelled rep times are good to about this (shared/labels/README.md)
SMOOTHING_FRAMES = 5  # running median before a labelled rep's swing and return are read (drops landmark jumps)
DIGITS = 3  # margins and the values seen are reported rounded to this many decimals


@dataclass(frozen=True)
class LabelledClip:
    """One labelled clip of an exercise: the metric series the engine judged on, and the labelled spans."""

    path: str
    times: Floats
    series: dict[str, Floats]
    reps: tuple[Span, ...]
    holds: tuple[Span, ...]


@dataclass(frozen=True)
class Margin:
    """One threshold's margin (None: not measured) and what it was measured on (``seen``), in words."""

    where: str  # the field path in the spec file, e.g. ``position[0]`` or ``reps.min_range``
    threshold: str  # e.g. ``trunk_lean_deg max 35`` or ``min_range 40``
    margin: float | None
    seen: str


class _SeriesSession(ExerciseSession):
    """The engine's session, handing out the per-frame metric series it judged on."""

    def series(self) -> tuple[Floats, dict[str, Floats]]:
        return np.asarray(self._times, np.float64), {
            name: np.asarray(values, np.float64) for name, values in self._series.items()
        }


def metric_series(frames: Iterable[PoseFrame], spec: spec_models.ExerciseSpec) -> tuple[Floats, dict[str, Floats]]:
    """The times and each metric's per-frame values, as the engine computes them for ``spec``."""
    session = _SeriesSession(spec)
    for pose in frames:
        session.step(pose)
    return session.series()


def _spans(label: dict[str, Any], key: str) -> tuple[Span, ...]:
    return tuple((float(start), float(end)) for start, end in label.get(key) or ())


def labelled_clip(label: dict[str, Any], times: Floats, series: dict[str, Floats]) -> LabelledClip:
    return LabelledClip(label["path"], times, series, _spans(label, "rep_times"), _spans(label, "holds"))


def clearance(condition: spec_models.Condition, values: Floats) -> Floats:
    """How far each value lies inside the condition's bounds (negative: outside), the nearer bound's."""
    sides = [values - condition.min] if condition.min is not None else []
    if condition.max is not None:
        sides.append(condition.max - values)
    return np.minimum.reduce(sides) if len(sides) > 1 else sides[0]


def _running_median(values: Floats, frames: int = SMOOTHING_FRAMES) -> Floats:
    if values.size < frames:
        return values
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(values, frames // 2, mode="edge"), frames)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN window stays NaN
        return np.asarray(np.nanmedian(windows, axis=1), np.float64)


def _in_span(clip: LabelledClip, span: Span) -> npt.NDArray[np.bool_]:
    return (clip.times >= span[0]) & (clip.times <= span[1])


def _away_sign(values: Floats, rest: str) -> float:
    """+1 when moving away from rest raises the rep metric, -1 when it lowers it (``rest: either``: away from
    where the labelled rep starts)."""
    if rest != "either":
        return 1.0 if rest == "low" else -1.0
    start = values[~np.isnan(values)][0]
    return 1.0 if np.nanmax(values) - start >= start - np.nanmin(values) else -1.0


@dataclass(frozen=True)
class LabelledRep:
    """What one labelled rep shows: its swing, the fraction of it that it returns by, how long it then stays
    back (at or past ``return_fraction`` of the way), its duration, each metric at the moments a per-rep check
    can be judged at (the median over the frames within 15 % of the swing of the turn, or of the rep metric's
    largest or smallest value, as the engine reads them), and each metric's series over the rep (smoothed)."""

    swing: float
    returned: float
    back_s: float
    duration_s: float
    at: dict[str, dict[str, float]]
    during: dict[str, Floats]


def labelled_rep(clip: LabelledClip, span: Span, reps: spec_models.RepSpec) -> LabelledRep | None:
    """None when the rep metric is not measured inside the span. The swing and return are read on the span
    widened by the labels' accuracy (``LABEL_ACCURACY_S`` each side), so a label a little short still holds
    the whole movement."""
    widened = _in_span(clip, (span[0] - LABEL_ACCURACY_S, span[1] + LABEL_ACCURACY_S))
    smoothed = _running_median(clip.series[reps.metric])
    values = smoothed[widened]
    if values.size == 0 or np.all(np.isnan(values)):
        return None
    sign = _away_sign(values, reps.rest)
    away = sign * values
    peak = int(np.nanargmax(away))
    rest, back = float(np.nanmin(away[: peak + 1])), float(np.nanmin(away[peak:]))
    swing = float(away[peak]) - rest
    frames = np.flatnonzero(widened)
    moments = {"turn": values[peak], "rep_metric_max": np.nanmax(values), "rep_metric_min": np.nanmin(values)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a metric unmeasured there stays NaN
        at = {
            moment: {
                name: float(np.nanmedian(series[frames[np.abs(values - target) <= (1 - TURN_FRACTION) * swing]]))
                for name, series in clip.series.items()
            }
            for moment, target in moments.items()
        }
    level = float(away[peak]) - reps.return_fraction * swing
    return LabelledRep(
        swing=swing, returned=(float(away[peak]) - back) / swing if swing > 0 else math.nan,
        back_s=_time_back(clip.times, sign * smoothed, int(frames[peak]), level),
        duration_s=span[1] - span[0], at=at,
        during={name: _running_median(series[_in_span(clip, span)]) for name, series in clip.series.items()},
    )


def _time_back(times: Floats, away: Floats, peak: int, level: float) -> float:
    """From the turn at frame ``peak``: how long ``away`` (the rep metric, rising away from rest) stays at or
    under the return ``level`` once it gets there, until it goes out again or the clip ends, in seconds."""
    with np.errstate(invalid="ignore"):
        back = away[peak:] <= level
    if not back.any():
        return 0.0
    first = peak + int(np.argmax(back))
    out_again = np.flatnonzero(~back[first - peak:])
    last = first + int(out_again[0]) if out_again.size else len(times) - 1
    return float(times[last] - times[first])


def _fmt(value: float) -> str:
    return f"{round(value, DIGITS):g}"


def _range(values: Sequence[float]) -> str:
    return f"{_fmt(min(values))}..{_fmt(max(values))}"


def _smallest(values: Sequence[float]) -> float:
    return round(min(values), DIGITS)


def _count(n: int, what: str, clips: int) -> str:
    return f"{n} labelled {what}{'s' if n != 1 else ''} ({clips} clip{'s' if clips != 1 else ''})"


def _condition_text(condition: spec_models.Condition) -> str:
    bounds = [f"min {condition.min:g}"] if condition.min is not None else []
    bounds += [f"max {condition.max:g}"] if condition.max is not None else []
    return f"{condition.metric} {' '.join(bounds)}"


class _Measurer:
    """The margins of one spec's thresholds on its labelled clips."""

    def __init__(self, spec: spec_models.ExerciseSpec, clips: Sequence[LabelledClip]) -> None:
        self.spec = spec
        self.clips = clips
        self.exercise = spec.id
        self.reps: list[tuple[LabelledClip, Span, LabelledRep]] = []
        if spec.reps is not None:
            for clip in clips:
                for span in clip.reps:
                    rep = labelled_rep(clip, span, spec.reps)
                    if rep is not None:
                        self.reps.append((clip, span, rep))
        self.hold_clips = [clip for clip in clips if clip.holds]

    def _none(self, what: str) -> str:
        if not self.clips:
            return f"no labelled clip of {self.exercise}"
        return f"no {what} labelled in the {len(self.clips)} clip{'s' if len(self.clips) != 1 else ''} of {self.exercise}"

    def _rep_clips(self) -> int:
        return len({id(clip) for clip, _, _ in self.reps})

    def at_moment(self, where: str, condition: spec_models.Condition, moment: str = "turn") -> Margin:
        """The value at each labelled rep's ``moment`` (the turn, or the rep metric's extreme)."""
        values = [rep.at[moment][condition.metric] for _, _, rep in self.reps]
        values = [value for value in values if not math.isnan(value)]
        if not values:
            return Margin(where, _condition_text(condition), None, self._none("rep"))
        clear = clearance(condition, np.asarray(values))
        place = "turning point" if moment == "turn" else f"{moment.replace('_', ' ')}"
        seen = f"at the {place} of {_count(len(values), 'rep', self._rep_clips())}: {_range(values)}"
        return Margin(where, _condition_text(condition), _smallest(list(clear)), seen)

    def opens_in_reps(self, where: str, condition: spec_models.Condition) -> Margin:
        """A gate of a check judged over the rep: its largest clearance within each labelled rep."""
        widest = []
        for _, _, rep in self.reps:
            clear = clearance(condition, rep.during[condition.metric])
            if not np.all(np.isnan(clear)):
                widest.append(float(np.nanmax(clear)))
        if not widest:
            return Margin(where, _condition_text(condition), None, self._none("rep"))
        seen = (
            f"the largest clearance within each of {_count(len(widest), 'rep', self._rep_clips())}: "
            f"{_range(widest)}"
        )
        return Margin(where, _condition_text(condition), _smallest(widest), seen)

    def before_reps(self, where: str, condition: spec_models.Condition) -> Margin:
        values = []
        for clip, span, _ in self.reps:
            before = clip.series[condition.metric][_in_span(clip, (span[0] - REST_BEFORE_S, span[0]))]
            if before.size and not np.all(np.isnan(before)):
                values.append(float(np.nanmedian(before)))
        if not values:
            return Margin(where, _condition_text(condition), None, self._none("rep"))
        clear = clearance(condition, np.asarray(values))
        seen = f"over the {REST_BEFORE_S:g} s before {_count(len(values), 'rep', self._rep_clips())} start: {_range(values)}"
        return Margin(where, _condition_text(condition), _smallest(list(clear)), seen)

    def in_holds(self, where: str, condition: spec_models.Condition) -> Margin:
        parts = [clip.series[condition.metric][_in_span(clip, span)] for clip in self.hold_clips for span in clip.holds]
        values = np.concatenate(parts) if parts else np.empty(0)
        values = values[~np.isnan(values)]
        if not values.size:
            return Margin(where, _condition_text(condition), None, self._none("hold"))
        low, high = np.percentile(values, [HOLD_PERCENTILE, 100 - HOLD_PERCENTILE])
        margin = float(np.percentile(clearance(condition, values), HOLD_PERCENTILE))
        holds = sum(len(clip.holds) for clip in self.hold_clips)
        seen = (
            f"inside {_count(holds, 'hold', len(self.hold_clips))}: {_fmt(low)}..{_fmt(high)} "
            f"({HOLD_PERCENTILE}th-{100 - HOLD_PERCENTILE}th percentile)"
        )
        return Margin(where, _condition_text(condition), round(margin, DIGITS), seen)

    def rep_setting(self, name: str, value: float) -> Margin:
        threshold = f"{name} {value:g}"
        if not self.reps:
            return Margin(f"reps.{name}", threshold, None, self._none("rep"))
        reps = [rep for _, _, rep in self.reps]
        count = _count(len(reps), "rep", self._rep_clips())
        if name == "min_range":
            swings = [rep.swing for rep in reps]
            return Margin(f"reps.{name}", threshold, _smallest([s - value for s in swings]), f"swings of {count}: {_range(swings)}")
        if name == "return_fraction":
            fractions = [rep.returned for rep in reps if not math.isnan(rep.returned)]
            if not fractions:
                return Margin(f"reps.{name}", threshold, None, self._none("rep"))
            return Margin(
                f"reps.{name}", threshold, _smallest([f - value for f in fractions]),
                f"fraction of the swing returned in {count}: {_range(fractions)}",
            )
        if name in ("min_duration_s", "max_duration_s"):
            durations = [rep.duration_s for rep in reps]
            gaps = [d - value for d in durations] if name == "min_duration_s" else [value - d for d in durations]
            return Margin(f"reps.{name}", threshold, _smallest(gaps), f"durations of {count}: {_range(durations)} s")
        backs = [rep.back_s for rep in reps]
        return Margin(
            f"reps.{name}", threshold, _smallest([b - value for b in backs]),
            f"time back at rest after the return in {count}: {_range(backs)} s",
        )

    def hold_setting(self, name: str, value: float, hold: spec_models.HoldSpec) -> Margin:
        threshold = f"{name} {value:g}"
        if not self.hold_clips:
            return Margin(f"hold.{name}", threshold, None, self._none("hold"))
        spans = [(clip, span) for clip in self.hold_clips for span in sorted(clip.holds)]
        count = _count(len(spans), "hold", len(self.hold_clips))
        if name == "min_s":
            durations = [end - start for _, (start, end) in spans]
            return Margin(f"hold.{name}", threshold, _smallest([d - value for d in durations]), f"{count}: {_range(durations)} s")
        gaps = [
            later[0] - earlier[1] for clip in self.hold_clips
            for earlier, later in zip(sorted(clip.holds), sorted(clip.holds)[1:])
        ]
        outs = [_longest_out(clip, span, hold.position) for clip, span in spans]
        sides = [value - max(outs)] + ([min(gaps) - value] if gaps else [])
        seen = f"longest stretch out of position inside {count}: {_fmt(max(outs))} s" + (
            f"; gaps between them: {_range(gaps)} s" if gaps else ""
        )
        return Margin(f"hold.{name}", threshold, _smallest(sides), seen)


def _longest_out(clip: LabelledClip, span: Span, position: Sequence[spec_models.Condition]) -> float:
    """The longest run of frames inside the span where the hold's position does not hold, in seconds."""
    inside = _in_span(clip, span)
    times = clip.times[inside]
    with np.errstate(invalid="ignore"):
        held = np.logical_and.reduce([clearance(c, clip.series[c.metric][inside]) >= 0 for c in position])
    longest, since = 0.0, None
    for t_s, ok in zip(times, held):
        if not ok and since is None:
            since = t_s
        elif ok and since is not None:
            longest, since = max(longest, t_s - since), None
    if since is not None:
        longest = max(longest, float(times[-1]) - since)
    return float(longest)


def spec_margins(spec: spec_models.ExerciseSpec, clips: Sequence[LabelledClip]) -> list[Margin]:
    """Every condition's and every set rep or hold setting's margin (see ``Origin``), in file order."""
    measure = _Measurer(spec, clips)
    rep_exercise = spec.reps is not None
    margins = [
        (measure.before_reps if rep_exercise else measure.in_holds)(f"position[{i}]", condition)
        for i, condition in enumerate(spec.position)
    ]
    if spec.reps is not None:
        margins += [measure.rep_setting(name, getattr(spec.reps, name)) for name in spec_models.REP_SETTINGS
                    if name in spec.reps.model_fields_set]
        margins += [measure.at_moment(f"reps.require[{i}]", c) for i, c in enumerate(spec.reps.require)]
    if spec.hold is not None:
        margins += [measure.in_holds(f"hold.position[{i}]", c) for i, c in enumerate(spec.hold.position)]
        margins += [measure.hold_setting(name, getattr(spec.hold, name), spec.hold) for name in spec_models.HOLD_SETTINGS
                    if name in spec.hold.model_fields_set]
    for index, fault in enumerate(spec.faults):
        for i, condition in enumerate(getattr(fault, "when", ())):
            where = f"faults[{index}].when[{i}]"
            if not rep_exercise:
                margins.append(measure.in_holds(where, condition))
            elif isinstance(fault, spec_models.TurningPointFault):
                margins.append(measure.at_moment(where, condition, fault.at))
            else:
                margins.append(measure.opens_in_reps(where, condition))
    return margins


def trace_labels(
    labels: Iterable[dict[str, Any]],
    clips_dir: Path,
    specs: dict[str, spec_models.ExerciseSpec],
    cache: PoseCache | None = None,
    held_out: Sequence[str] = HELD_OUT_SOURCES,
    on_clip: Callable[[str], None] | None = None,
) -> dict[str, list[LabelledClip]]:
    """The labelled clips of each spec's exercise (held-out sources and unreadable clips left out)."""
    bundle = resolve_model(None)
    traced: dict[str, list[LabelledClip]] = {exercise: [] for exercise in specs}
    for label in labels:
        spec = specs.get(label.get("catalogue_exercise") or "")
        if spec is None or source_group(label["path"]) in held_out:
            continue
        if on_clip is not None:
            on_clip(label["path"])
        try:
            track = poses_for(clips_dir / label["path"], spec, bundle, cache)
        except FormcheckError:
            continue
        traced[spec.id].append(labelled_clip(label, *metric_series(track.frames, spec)))
    return traced


def _origin(margin: Margin, what: str) -> str:
    value = "null" if margin.margin is None else f"{margin.margin:g}"
    return f"{{kind: design, margin: {value}, text: {json.dumps(f'{what}; {margin.seen}')}}}"


_WHAT = {
    "position": "the set-up position",
    "reps.require": "what tells this exercise's rep from a look-alike",
    "hold.position": "the held position",
    "when": "where in the movement the check is judged",
    "reps": "the rep counter's setting",
    "hold": "the hold's setting",
}


def origin_entries(spec: spec_models.ExerciseSpec, margins: Sequence[Margin]) -> str:
    """Ready-to-paste origins: each condition rewritten with its ``origin``, and the ``origins:`` mapping of
    ``reps`` and of ``hold`` (kind ``design``; text: what the threshold is for, and the values seen)."""
    lines = [f"# exercise_specs/{spec.id}.yaml"]
    settings: dict[str, list[str]] = {"reps": [], "hold": []}
    for margin in margins:
        section, _, name = margin.where.partition(".")
        if section in settings and "[" not in name:
            settings[section].append(f"    {name}: {_origin(margin, _WHAT[section])}")
            continue
        kind = "when" if ".when[" in margin.where else margin.where.split("[")[0]
        metric, *bounds = margin.threshold.split()
        fields = ", ".join(f"{key}: {value}" for key, value in zip(bounds[::2], bounds[1::2]))
        lines.append(f"# {margin.where}")
        lines.append(f"- {{metric: {metric}, {fields},\n   origin: {_origin(margin, _WHAT[kind])}}}")
    for section, entries in settings.items():
        if entries:
            lines += [f"# {section}: (beside its settings)", "  origins:", *entries]
    return "\n".join(lines)
