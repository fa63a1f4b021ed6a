"""The engine: pose frames in, a review out. Pure: no files, no model, no clock.

``ExerciseSession.step`` takes one ``PoseFrame`` at a time and says what happened in it
(phase, rep count, new faults, the cue to show); ``finish`` builds the ``Review``. A recorded
video and a live stream go through the same calls, so they get the same reps and faults.
``analyze_poses`` runs a whole recorded track.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from formcheck.faults.rules import SustainedCheck, holds, judge_rep
from formcheck.landmarks import Landmark, PoseFrame, PoseStatus
from formcheck.metrics.smoothing import make_filter
from formcheck.metrics.table import MetricTable, PoseArrays
from formcheck.metrics.view import ViewTracker
from formcheck.reps.counter import RepCounter, RepEvent
from formcheck.review.schema import (
    CheckStatus, FaultEvent, MostCommonFault, Processing, Rep, Review, ReviewSource, ReviewWarning, Summary,
)
from formcheck.sources.base import SourceInfo
from formcheck.specs import models as spec_models

STATUS_WARNING_MIN_S = 0.5  # shorter dropouts are tracking blips, not worth a warning
STATUS_MESSAGES = {
    PoseStatus.NO_PERSON: "no person in view",
    PoseStatus.LOW_VISIBILITY: "body hard to see (light, clothing or occlusion): results here are less certain",
    PoseStatus.PARTLY_OUT_OF_FRAME: "part of the body is out of frame: step back so the whole body shows",
}
_VIEW_ADVICE = {"side": "turn side-on to the camera", "front": "face the camera", "oblique": "turn half-way to the camera"}


@dataclass(frozen=True)
class FrameFeedback:
    """What one frame changed: for live feedback and progress displays."""

    t_s: float
    status: PoseStatus
    phase: str
    view: str | None
    rep_count: int
    metrics: dict[str, float]
    new_faults: list[FaultEvent]
    completed_rep: Rep | None
    cue: str | None
    guidance: str | None = None  # camera or position advice, e.g. "step back: feet out of frame"


def _rounded(value: float, digits: int = 2) -> float | None:
    return None if value != value else round(float(value), digits)


def missing_parts(pose: PoseFrame) -> str | None:
    """Name the body part cut off by the frame edge, e.g. 'feet out of frame'."""
    parts = {
        "feet": (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL),
        "knees": (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
        "hips": (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
        "head": (Landmark.NOSE,),
        "shoulders": (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    }
    cut = [name for name, points in parts.items() if np.any((pose.image_xy[list(points)] < -0.02) | (pose.image_xy[list(points)] > 1.02))]
    return f"{' and '.join(cut)} out of frame" if cut else None


class ExerciseSession:
    """Analyses one set of one exercise, frame by frame.

    Args:
        spec: the exercise spec.
        smoothing: landmark filter name (see ``formcheck.metrics.smoothing``).
    """

    def __init__(self, spec: spec_models.ExerciseSpec, smoothing: str = "one_euro") -> None:
        self.spec = spec
        self._metrics = MetricTable(spec.metrics)
        self._image_filter = make_filter(smoothing)
        self._world_filter = make_filter(smoothing)
        self._views = ViewTracker()
        rep_spec = spec.reps
        self._counter = RepCounter(
            rest=rep_spec.rest, min_range=rep_spec.min_range, return_fraction=rep_spec.return_fraction,
            min_duration_s=rep_spec.min_duration_s, max_duration_s=rep_spec.max_duration_s,
        )
        self._sustained = [SustainedCheck(rule) for rule in spec.faults if isinstance(rule, spec_models.SustainedFault)]
        self._per_rep_rules = [rule for rule in spec.faults if not isinstance(rule, spec_models.SustainedFault)]
        self._per_rep_faults: list[FaultEvent] = []
        self._reps: list[Rep] = []
        self._times: list[float] = []
        self._series: dict[str, list[float]] = {name: [] for name in self._metrics.names}
        self._statuses: list[PoseStatus] = []
        self._judged_frames: Counter[str] = Counter()
        self._person_frames = 0
        self._view_counts: Counter[str] = Counter()
        self._side_visibility = np.zeros(2)
        self._cue: str | None = None
        self._cue_until_s = -1.0
        self._ever_in_position = False

    # --- per frame --------------------------------------------------------------------------
    def step(self, pose: PoseFrame) -> FrameFeedback:
        """Analyse the next frame (frames must come in time order)."""
        t_s = pose.t_s
        scale = np.asarray(pose.image_wh, np.float64)
        image_px = self._image_filter.update(t_s, pose.image_xy.astype(np.float64) * scale)
        world_m = self._world_filter.update(t_s, pose.world_xyz.astype(np.float64))
        view: str | None = None
        metrics: dict[str, float]
        if pose.has_person:
            arrays = PoseArrays(image_px=image_px, world_m=world_m, visibility=pose.visibility.astype(np.float64))
            metrics = self._metrics.compute(arrays)
            view = self._views.update(t_s, world_m)
            self._person_frames += 1
            if view:
                self._view_counts[view] += 1
            self._side_visibility += [
                pose.visibility[[Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE]].sum(),
                pose.visibility[[Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE]].sum(),
            ]
        else:
            metrics = {name: float("nan") for name in self._metrics.names}
        self._times.append(t_s)
        self._statuses.append(pose.status)
        for name in self._metrics.names:
            self._series[name].append(metrics[name])

        in_position = pose.has_person and all(holds(condition, metrics) for condition in self.spec.position)
        self._ever_in_position |= in_position
        rep_event = self._counter.update(t_s, metrics[self.spec.reps.metric], in_position)
        phase = self._counter.phase.value

        new_faults: list[FaultEvent] = []
        for check in self._sustained:
            judged = view in check.rule.views
            if judged:
                self._judged_frames[check.rule.id] += 1
            confirmed = check.update(t_s, metrics, phase, judged)
            if confirmed is not None:
                new_faults.append(confirmed)
        for rule in self._per_rep_rules:
            if view in rule.views and pose.has_person:
                self._judged_frames[rule.id] += 1

        completed = self._complete_rep(rep_event, view) if rep_event is not None else None
        if completed is not None:
            new_faults.extend(fault for fault in completed.faults if fault.metric is None or fault not in new_faults)
        if new_faults:
            self._cue, self._cue_until_s = new_faults[-1].cue, t_s + 2.0
        cue = self._cue if t_s <= self._cue_until_s else None
        return FrameFeedback(
            t_s=t_s, status=pose.status, phase=phase, view=view, rep_count=self._counter.count, metrics=metrics,
            new_faults=new_faults, completed_rep=completed, cue=cue, guidance=self._guidance(pose, view),
        )

    def _guidance(self, pose: PoseFrame, view: str | None) -> str | None:
        if not pose.has_person:
            return "no one in view: step into the picture"
        cut = missing_parts(pose)
        if cut:
            return f"step back: {cut}"
        if view is not None and view not in self.spec.views:
            return f"{_VIEW_ADVICE[self.spec.views[0]]} ({self.spec.camera})"
        return None

    def _metrics_at(self, index: int) -> dict[str, float]:
        return {name: values[index] for name, values in self._series.items()}

    def _complete_rep(self, event: RepEvent, view: str | None) -> Rep:
        first = int(np.searchsorted(self._times, event.start_s))
        turn = min(int(np.searchsorted(self._times, event.turn_s)), len(self._times) - 1)
        rep_values = np.asarray(self._series[self.spec.reps.metric][first:], np.float64)
        measured = not np.all(np.isnan(rep_values))
        metrics_at = {
            "turn": self._metrics_at(turn),
            "rep_metric_max": self._metrics_at(first + int(np.nanargmax(rep_values)) if measured else turn),
            "rep_metric_min": self._metrics_at(first + int(np.nanargmin(rep_values)) if measured else turn),
        }
        turn_metrics = metrics_at["turn"]
        index = len(self._reps) + 1
        faults: list[FaultEvent] = []
        for rule in self._per_rep_rules:
            if view not in rule.views:
                continue
            fault = judge_rep(rule, event, metrics_at)
            if fault is not None:
                fault = fault.model_copy(update={"rep": index})
                faults.append(fault)
                self._per_rep_faults.append(fault)
        rep = Rep(
            index=index, start_s=round(event.start_s, 3), end_s=round(event.end_s, 3), turn_s=round(event.turn_s, 3),
            side=None, range=round(event.range, 1), tempo_out_s=round(event.out_s, 2),
            tempo_return_s=round(event.return_s, 2), faults=faults,
            metrics={name: _rounded(value) for name, value in turn_metrics.items()},
        )
        self._reps.append(rep)
        return rep

    # --- end of the set ----------------------------------------------------------------------
    def finish(self, source: SourceInfo, processing: Processing | None = None, decode_warning: str | None = None) -> Review:
        """Close open events and build the review."""
        self._counter.finish()
        for check in self._sustained:
            check.finish()
        sustained_events = [event for check in self._sustained for event in check.events]
        reps = [self._attach_sustained(rep, sustained_events) for rep in self._reps]
        all_faults = sorted(
            [event.model_copy(update={"rep": self._rep_at(event, reps)}) for event in sustained_events]
            + self._per_rep_faults,
            key=lambda event: (event.start_s, event.id),
        )
        overall_view = self._views.overall()
        return Review(
            exercise=self.spec.id,
            source=ReviewSource(**source.__dict__),
            view=overall_view,
            near_side=self._near_side(),
            rep_count=len(reps),
            reps=reps,
            holds=[],
            faults=all_faults,
            warnings=self._warnings(overall_view, decode_warning),
            checks=self._check_statuses(overall_view),
            summary=self._summary(reps, processing),
            series={"t_s": [round(t, 3) for t in self._times]}
            | {name: [_rounded(v) for v in values] for name, values in self._series.items()},
        )

    def _attach_sustained(self, rep: Rep, events: list[FaultEvent]) -> Rep:
        inside = [
            event.model_copy(update={"rep": rep.index})
            for event in events
            if event.start_s <= rep.end_s and event.end_s >= rep.start_s
        ]
        if not inside:
            return rep
        faults = sorted(rep.faults + inside, key=lambda event: (event.start_s, event.id))
        return rep.model_copy(update={"faults": faults})

    @staticmethod
    def _rep_at(event: FaultEvent, reps: list[Rep]) -> int | None:
        for rep in reps:
            if event.start_s <= rep.end_s and event.end_s >= rep.start_s:
                return rep.index
        return None

    def _near_side(self) -> str | None:
        if self._person_frames == 0:
            return None
        left, right = self._side_visibility / self._person_frames
        if abs(left - right) < 0.2:  # both sides equally visible: the camera is in front
            return None
        return "left" if left > right else "right"

    def _warnings(self, overall_view: str | None, decode_warning: str | None) -> list[ReviewWarning]:
        warnings: list[ReviewWarning] = []
        end_s = self._times[-1] if self._times else 0.0
        if not self._times:
            return [ReviewWarning(id="no_frames", message="the source had no frames", start_s=0.0, end_s=0.0)]
        for status, message in STATUS_MESSAGES.items():
            for start_s, stop_s in _spans(self._times, [s is status for s in self._statuses]):
                if stop_s - start_s >= STATUS_WARNING_MIN_S or (status is PoseStatus.NO_PERSON and self._person_frames == 0):
                    warnings.append(ReviewWarning(id=status.value, message=message, start_s=round(start_s, 3), end_s=round(stop_s, 3)))
        if overall_view is not None and overall_view not in self.spec.views:
            warnings.append(ReviewWarning(
                id="wrong_view",
                message=f"filmed from the {overall_view}; {self.spec.title} needs a {' or '.join(self.spec.views)} view: "
                f"{self.spec.camera}",
                start_s=0.0, end_s=round(end_s, 3),
            ))
        if self._person_frames and not self._ever_in_position:
            warnings.append(ReviewWarning(
                id="not_in_position",
                message=f"never saw the starting position of {self.spec.title}: is this the right exercise?",
                start_s=0.0, end_s=round(end_s, 3),
            ))
        if decode_warning:
            warnings.append(ReviewWarning(id="decode_error", message=decode_warning, start_s=round(end_s, 3), end_s=round(end_s, 3)))
        return sorted(warnings, key=lambda warning: warning.start_s)

    def _check_statuses(self, overall_view: str | None) -> list[CheckStatus]:
        statuses = []
        for rule in self.spec.faults:
            judged = self._judged_frames[rule.id] / self._person_frames if self._person_frames else 0.0
            reason = None
            if judged == 0:
                seen = overall_view or "no usable view"
                reason = f"needs a {' or '.join(rule.views)} view; the camera saw {seen}"
            statuses.append(CheckStatus(id=rule.id, judged_fraction=round(judged, 3), skipped_reason=reason))
        return statuses

    def _summary(self, reps: list[Rep], processing: Processing | None) -> Summary:
        counts = Counter(fault.id for rep in reps for fault in rep.faults)
        most_common = None
        if counts:
            fault_id, count = counts.most_common(1)[0]
            cue = next(rule.cue for rule in self.spec.faults if rule.id == fault_id)
            most_common = MostCommonFault(id=fault_id, count=count, cue=cue)
        prescription = None
        if self.spec.prescription.reps:
            low, high = self.spec.prescription.reps
            target = f"{low}" if low == high else f"{low}-{high}"
            prescription = f"{len(reps)} of {target} reps"
        return Summary(
            clean_reps=sum(1 for rep in reps if not rep.faults),
            partial_reps=self._counter.partial_reps,
            most_common_fault=most_common,
            prescription=prescription,
            processing=processing,
        )


def _spans(times: list[float], flags: list[bool]) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for t_s, flag in zip(times, flags):
        if flag and start is None:
            start = t_s
        elif not flag and start is not None:
            spans.append((start, t_s))
            start = None
    if start is not None:
        spans.append((start, times[-1]))
    return spans


def analyze_poses(
    poses: Iterable[PoseFrame],
    spec: spec_models.ExerciseSpec,
    source: SourceInfo,
    processing: Processing | None = None,
    decode_warning: str | None = None,
) -> Review:
    """Review a whole recorded track."""
    session = ExerciseSession(spec)
    for pose in poses:
        session.step(pose)
    return session.finish(source, processing, decode_warning)
