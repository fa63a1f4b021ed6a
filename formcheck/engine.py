"""The engine: pose frames in, a review out. Pure: no files, no model, no clock.

``ExerciseSession.step`` takes one ``PoseFrame`` at a time and says what happened in it
(phase, rep count, new faults, the cue to show, camera guidance); ``finish`` builds the
``Review``. A recorded video and a live stream go through the same calls, so they get the
same reps and faults. ``analyze_poses`` runs a whole recorded track.

A check speaks only when it can see: in a camera view its spec allows, and when the
landmarks its metric uses are visible enough (``MIN_CONFIDENCE``). Otherwise it stays
silent for that frame, and the review says which checks were never judged and why.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from formcheck.back.shape import BackShape
from formcheck.faults.rules import SustainedCheck, holds, judge_rep, outside
from formcheck.framing import FramingTracker
from formcheck.landmarks import Landmark, PoseFrame, PoseStatus
from formcheck.metrics.baseline import RepMaxBaselines, RestBaselines
from formcheck.metrics.smoothing import make_filter
from formcheck.metrics.table import MetricTable, PoseArrays
from formcheck.metrics.view import ViewTracker
from formcheck.reps.counter import TURN_FRACTION, Phase, RepCounter, RepEvent
from formcheck.reps.holds import HoldEvent, HoldTracker
from formcheck.reps.noise import metric_noise, metric_unit, rep_noise
from formcheck.review.schema import (
    CheckStatus,
    FaultEvent,
    Hold,
    Measurement,
    MostCommonFault,
    Processing,
    Rep,
    Review,
    ReviewSource,
    ReviewWarning,
    Summary,
    UncountedRep,
    UnseenSpan,
)
from formcheck.sources.base import SourceInfo
from formcheck.specs import models as spec_models

MIN_CONFIDENCE = 0.5  # landmark visibility below which a check does not judge the frame
# A spec's smallest rep (reps.min_range) must be at least this many times its rep metric's swing noise,
# so that noise alone (at most the noise level, at the 95th percentile) stays clearly short of a rep;
# otherwise its reps are not counted: the movement is too small to judge reliably from landmarks.
SPEC_NOISE_FACTOR = 2.0
TOO_SMALL = "too small to judge reliably from this view"
MEASURE_STRETCH_S = 0.5  # a measurement (e.g. the hamstring test's bend) is the value held over this long
# A review's rep starts and ends where the metric is this close to rest: this share of the rep's swing, or the
# rep metric's measured noise where that is larger (a reading within the noise of rest cannot be told from it)
REST_BAND = 0.1
MOVING_PHASES = (Phase.OUT.value, Phase.TURN.value, Phase.RETURN.value)  # a rep (or a swing) under way
STATUS_WARNING_MIN_S = 0.5  # shorter dropouts are tracking blips, not worth a warning
STATUS_MESSAGES = {
    PoseStatus.NO_PERSON: "no person in view",
    PoseStatus.LOW_VISIBILITY: "body hard to see (light, clothing or occlusion): results here are less certain",
    PoseStatus.PARTLY_OUT_OF_FRAME: "part of the body is out of frame",
}
UNSEEN_MESSAGE = "the camera cut away from the whole body: reps or hold time here were not seen and may be missing from the review"
_VIEW_ADVICE = {"side": "turn side-on to the camera", "front": "face the camera", "oblique": "turn half-way to the camera"}
_BODY_PARTS = {
    "feet": (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL),
    "knees": (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
    "hips": (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    "hands": (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST),
    "shoulders": (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    "head": (Landmark.NOSE,),
}
_SIDE_POINTS = {
    "left": [Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE],
    "right": [Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE],
}


@dataclass(frozen=True)
class FrameFeedback:
    """What one frame changed: for live feedback and progress displays."""

    t_s: float
    status: PoseStatus
    phase: str
    view: str | None
    rep_count: int
    metrics: dict[str, float]
    # confirmed in this frame (a per-rep fault as soon as its rep's turn is known, else when the rep completes);
    # ``rep`` is the rep they happen in
    new_faults: list[FaultEvent]
    completed_rep: Rep | None
    guidance: str | None  # camera or position advice, e.g. "step back: feet out of frame"
    holding: bool


def _rounded(value: float, digits: int = 2) -> float | None:
    return None if math.isnan(value) else round(float(value), digits)


def missing_parts(pose: PoseFrame) -> str | None:
    """Name the body parts cut off by the frame edge, e.g. 'feet out of frame'."""
    cut = [
        name for name, points in _BODY_PARTS.items()
        if np.any((pose.image_xy[list(points)] < -0.02) | (pose.image_xy[list(points)] > 1.02))
    ]
    return f"{' and '.join(cut)} out of frame" if cut else None


def _pick_side(rule: spec_models.SideRule | None, metrics: dict[str, float]) -> str | None:
    if rule is None:
        return None
    left, right = metrics[rule.left], metrics[rule.right]
    if math.isnan(left) or math.isnan(right):
        return None
    if rule.pick == "max":
        return "left" if left >= right else "right"
    return "left" if left <= right else "right"


class ExerciseSession:
    """Analyses one set of one exercise, frame by frame.

    Args:
        spec: the exercise spec.
        smoothing: landmark filter name (see ``formcheck.metrics.smoothing``).
    """

    def __init__(self, spec: spec_models.ExerciseSpec, smoothing: str = "one_euro") -> None:
        self.spec = spec
        self._metrics = MetricTable(spec.metrics)
        self._baselines = RestBaselines(spec.metrics)
        self._image_filter = make_filter(smoothing)
        self._world_filter = make_filter(smoothing)
        self._back_filter = make_filter(smoothing)
        self._views = ViewTracker()
        # Read only at ``finish``: the review names where the camera cut away; counting and judging are unchanged.
        self._framing = FramingTracker()
        self._noise = {name: metric_noise(spec.metrics, name) for name in spec.metrics}
        self._rep_noise = rep_noise(spec) or 0.0
        rep_metric = spec.reps.metric if spec.reps is not None else None
        self._rep_max = RepMaxBaselines(spec.metrics, rep_metric, self._reading_noise(rep_metric or "") or 0.0)
        self.not_counted = self._not_counted_reason()
        self._counter = (
            RepCounter(
                rest=spec.reps.rest, min_range=spec.reps.min_range, return_fraction=spec.reps.return_fraction,
                min_duration_s=spec.reps.min_duration_s, max_duration_s=spec.reps.max_duration_s,
                accept=self._meets_rep_requirements, confirm_s=spec.reps.confirm_s, min_margin=self._rep_noise,
            )
            # Reps that cannot be counted reliably (``reps.not_counted``, or a movement within the noise): none is.
            if spec.reps is not None and self.not_counted is None else None
        )
        self._holds = HoldTracker(spec.hold.min_s, spec.hold.release_s) if spec.hold is not None else None
        self._sustained = [SustainedCheck(rule) for rule in spec.faults if isinstance(rule, spec_models.SustainedFault)]
        self._per_rep_rules = [rule for rule in spec.faults if not isinstance(rule, spec_models.SustainedFault)]
        self._per_rep_faults: list[FaultEvent] = []
        # The swing under way: the turn its checks were last judged at live, and the faults already cued for it.
        self._judged_turn_s: float | None = None
        self._cued: set[str] = set()
        self._reps: list[Rep] = []
        self._rep_events: list[RepEvent] = []
        self._times: list[float] = []
        self._series: dict[str, list[float]] = {name: [] for name in spec.metrics}
        self._confidence: dict[str, list[float]] = {name: [] for name in spec.metrics}
        self._statuses: list[PoseStatus] = []
        self._cut_parts: Counter[str] = Counter()
        self._judged_frames: Counter[str] = Counter()
        self._unseen_frames: Counter[str] = Counter()
        self._person_frames = 0
        self._side_visibility = np.zeros(2)
        self._ever_in_position = False
        self._last_view: str | None = None

    def _not_counted_reason(self) -> str | None:
        """Why this spec's reps are not counted: the spec says so, or its smallest rep is not clearly
        above its rep metric's pose noise."""
        reps = self.spec.reps
        if reps is None:
            return None
        if reps.not_counted:
            return reps.not_counted
        if reps.min_range < SPEC_NOISE_FACTOR * self._rep_noise:
            unit = metric_unit(self.spec.metrics, reps.metric)
            return (
                f"{TOO_SMALL}: a rep moves {reps.metric} by {reps.min_range:g} {unit}, and the pose alone moves it by up "
                f"to {self._rep_noise:.1f} {unit}"
            )
        return None

    def _reading_noise(self, metric: str) -> float | None:
        """The noise of one reading about the true value (p95): the measured noise is that of the difference
        of two readings of the same movement, which adds two readings' noise in quadrature."""
        noise = self._noise.get(metric)
        return None if noise is None else noise / math.sqrt(2.0)

    def _with_noise(self, fault: FaultEvent) -> FaultEvent:
        noise = self._noise.get(fault.metric) if fault.metric is not None else None
        return fault if noise is None else fault.model_copy(update={"noise": round(noise, 3)})

    @property
    def _holds_are_reps(self) -> bool:
        """Holds are the reps when the spec counts none, or when its holds count as reps and this set has no
        counted rep: a side plank held still counts its holds, one with hip dips counts the dips."""
        if self.spec.reps is None:
            return True
        if self.spec.hold is None or not self.spec.hold.counts_as_reps:
            return False
        return self._counter is None or self._counter.count == 0

    @property
    def rep_count(self) -> int:
        if self._holds_are_reps:
            return len(self._holds.holds) if self._holds is not None else 0
        return self._counter.count if self._counter is not None else 0

    # --- per frame --------------------------------------------------------------------------
    def step(self, pose: PoseFrame) -> FrameFeedback:
        """Analyse the next frame (frames must come in time order)."""
        t_s = pose.t_s
        scale = np.asarray(pose.image_wh, np.float64)
        # Filter in normalised coordinates (what the filter is tuned for), so a 480p and a 4K
        # copy of a clip are smoothed alike; then scale to pixels for undistorted angles.
        image_px = self._image_filter.update(t_s, pose.image_xy.astype(np.float64)) * scale
        world_m = self._world_filter.update(t_s, pose.world_xyz.astype(np.float64))
        view: str | None = None
        if pose.has_person:
            arrays = PoseArrays(
                image_px=image_px, world_m=world_m, visibility=pose.visibility.astype(np.float64),
                back=self._smoothed_back(t_s, pose.back),
            )
            metrics, confidences = self._metrics.compute(arrays)
            view = self._views.update(t_s, world_m)
            self._person_frames += 1
            self._side_visibility += [pose.visibility[points].sum() for points in _SIDE_POINTS.values()]
        else:
            metrics = {name: float("nan") for name in self._metrics.names}
            confidences = {name: 0.0 for name in self._metrics.names}
        self._times.append(t_s)
        self._statuses.append(pose.status)
        self._framing.update(pose)
        cut = missing_parts(pose) if pose.has_person else None
        if pose.status is PoseStatus.PARTLY_OUT_OF_FRAME:
            self._cut_parts[cut or "part of the body out of frame"] += 1
        in_position = pose.has_person and all(holds(condition, metrics) for condition in self.spec.position)
        self._ever_in_position |= in_position
        rep_event = None
        if self._counter is not None:
            assert self.spec.reps is not None
            rep_event = self._counter.update(t_s, metrics[self.spec.reps.metric], in_position)
            phase = self._counter.phase.value
        else:
            phase = Phase.TURN.value if self._holds is not None and self._holds.holding else Phase.REST.value
        metrics |= self._baselines.update(t_s, metrics, phase == Phase.REST.value)
        metrics |= self._rep_max.update(t_s, metrics, phase, self._counter.direction if self._counter is not None else None)
        confidences |= {
            name: confidences[source] for name, source in (self._baselines.sources | self._rep_max.sources).items()
        }
        for name in self._series:
            self._series[name].append(metrics[name])
            self._confidence[name].append(confidences[name])

        new_faults = self._step_checks(t_s, metrics, confidences, phase, view, pose.has_person)
        new_faults += self._judge_turn(t_s, view)
        if self._holds is not None:
            assert self.spec.hold is not None
            in_hold = pose.has_person and all(
                holds(condition, metrics, widen_by=self._reading_noise(condition.metric) if self._holds.holding else None)
                for condition in self.spec.hold.position
            )
            self._ever_in_position |= in_hold
            self._holds.update(t_s, in_hold, {
                check.rule.id: since_s for check in self._sustained if (since_s := check.active_since_s) is not None
            })

        if phase in MOVING_PHASES:  # mid-rep: the rep to come
            new_faults = [fault.model_copy(update={"rep": self.rep_count + 1}) for fault in new_faults]
        self._last_view = view
        completed = self._complete_rep(rep_event, view) if rep_event is not None else None
        if completed is not None:  # what was not already cued at its turn
            new_faults.extend(fault for fault in completed.faults if fault.id not in self._cued)
        if phase not in MOVING_PHASES:  # the swing is over
            self._judged_turn_s, self._cued = None, set()
        return FrameFeedback(
            t_s=t_s, status=pose.status, phase=phase, view=view, rep_count=self.rep_count, metrics=metrics,
            new_faults=new_faults, completed_rep=completed, guidance=self._guidance(pose.has_person, cut, view),
            holding=self._holds is not None and self._holds.holding,
        )

    def _smoothed_back(self, t_s: float, back: BackShape | None) -> BackShape | None:
        """The back's measures smoothed like the landmarks they are traced between."""
        if back is None:
            return None
        values = np.array([back.flexion_norm, back.bow_max_norm, back.lumbar_deg], np.float64)
        flexion, bow_max, lumbar = (float(value) for value in self._back_filter.update(t_s, values))
        return replace(back, flexion_norm=flexion, bow_max_norm=bow_max, lumbar_deg=lumbar)

    def _meets_rep_requirements(self, event: RepEvent) -> bool:
        assert self.spec.reps is not None
        if not self.spec.reps.require:
            return True
        bottom = self._metrics_near(event, event.turn_value)
        return all(holds(condition, bottom) for condition in self.spec.reps.require)

    def _turn_frame(self, event: RepEvent) -> int:
        return min(int(np.searchsorted(self._times, event.turn_s)), len(self._times) - 1)

    def _rep_frames(self, event: RepEvent) -> tuple[int, npt.NDArray[np.float64]]:
        """The rep's first frame index and its rep-metric values, start to end."""
        assert self.spec.reps is not None
        first = int(np.searchsorted(self._times, event.start_s))
        last = int(np.searchsorted(self._times, event.end_s, side="right"))
        return first, np.asarray(self._series[self.spec.reps.metric][first:last], np.float64)

    def _near(self, event: RepEvent, target: float) -> tuple[int, npt.NDArray[np.bool_]]:
        """The rep's first frame index, and which of its frames have the rep metric within 15 % of the swing
        of ``target``."""
        first, rep_values = self._rep_frames(event)
        with np.errstate(invalid="ignore"):
            near = np.abs(rep_values - target) <= (1 - TURN_FRACTION) * abs(event.turn_value - event.rest_value)
        return first, near

    def _metrics_near(self, event: RepEvent, target: float, seen_only: bool = False) -> dict[str, float]:
        """Each metric's median over the rep's frames where the rep metric stands within 15 % of
        the swing from ``target`` (the turning value: the bottom; or the rep metric's extreme).
        One frame, even the turning point, can catch a limb mid-move (a lunge's back hip swinging
        through as the person pushes up); the stretch around it says what the rep did.
        ``seen_only`` leaves out frames where a metric's landmarks were too poorly seen to judge
        (NaN when none is left)."""
        first, near = self._near(event, target)
        frames = first + np.flatnonzero(near)
        if frames.size == 0:
            turn = self._turn_frame(event)
            return self._seen_metrics_at(turn) if seen_only else self._metrics_at(turn)
        medians: dict[str, float] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN metric stays NaN
            for name, values in self._series.items():
                picked = np.asarray(values, np.float64)[frames]
                if seen_only:
                    picked = picked[np.asarray(self._confidence[name], np.float64)[frames] >= MIN_CONFIDENCE]
                medians[name] = float(np.nanmedian(picked)) if picked.size else float("nan")
        return medians

    def _judged(self, rule: spec_models.FaultSpec, view: str | None, confidence: float) -> bool:
        return view in rule.views and confidence >= MIN_CONFIDENCE

    def _step_checks(
        self, t_s: float, metrics: dict[str, float], confidences: dict[str, float], phase: str, view: str | None,
        has_person: bool,
    ) -> list[FaultEvent]:
        new_faults: list[FaultEvent] = []
        for check in self._sustained:
            judged = self._judged(check.rule, view, confidences[check.rule.metric])
            self._count_judgement(check.rule, view, judged, has_person)
            confirmed = check.update(t_s, metrics, phase, judged)
            if confirmed is not None:
                new_faults.append(self._with_noise(confirmed))
        for rule in self._per_rep_rules:
            confidence = confidences.get(getattr(rule, "metric", ""), 1.0)
            self._count_judgement(rule, view, self._judged(rule, view, confidence), has_person)
        return new_faults

    def _count_judgement(self, rule: spec_models.FaultSpec, view: str | None, judged: bool, has_person: bool) -> None:
        if judged:
            self._judged_frames[rule.id] += 1
        elif has_person and view in rule.views:
            self._unseen_frames[rule.id] += 1

    def _guidance(self, has_person: bool, cut: str | None, view: str | None) -> str | None:
        if not has_person:
            return "no one in view: step into the picture"
        if cut:
            return f"step back: {cut}"
        if view is not None and view not in self.spec.views:
            return f"{_VIEW_ADVICE[self.spec.views[0]]} ({self.spec.camera})"
        return None

    def _metrics_at(self, index: int) -> dict[str, float]:
        return {name: values[index] for name, values in self._series.items()}

    def _seen_metrics_at(self, index: int) -> dict[str, float]:
        """Metric values at a frame, NaN where their landmarks were too poorly seen to judge."""
        return {
            name: values[index] if self._confidence[name][index] >= MIN_CONFIDENCE else float("nan")
            for name, values in self._series.items()
        }

    def _moment_frames(self, event: RepEvent) -> dict[str, int]:
        """The frame of each moment a per-rep check can be judged at: the turn, the rep metric's extremes."""
        first, rep_values = self._rep_frames(event)
        turn = self._turn_frame(event)
        measured = not np.all(np.isnan(rep_values))
        return {
            "turn": turn,
            "rep_metric_max": first + int(np.nanargmax(rep_values)) if measured else turn,
            "rep_metric_min": first + int(np.nanargmin(rep_values)) if measured else turn,
        }

    def _judging_context(self, event: RepEvent) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
        """For each moment a per-rep check can be judged at (the turn, the rep metric's extremes): the
        metrics seen at that frame, and over the stretch of the rep around it."""
        assert self.spec.reps is not None
        moments = self._moment_frames(event)
        metrics_at = {moment: self._seen_metrics_at(frame) for moment, frame in moments.items()}
        around = {
            moment: self._metrics_near(event, self._series[self.spec.reps.metric][frame], seen_only=True)
            for moment, frame in moments.items()
        }
        return metrics_at, around

    def _faulty_span(self, rule: spec_models.TurningPointFault, event: RepEvent, moment: int) -> tuple[float, float]:
        """Where the body was in the faulty position at the moment judged: the unbroken run of the rep's
        frames around it that are in the stretch judged (the rep metric within 15 % of the swing of its value
        at the moment) and where the rule's metric, well enough seen, is beyond its bound; at least the
        moment's frame. Not the whole rep: a forward lean at the bottom is not drawn while the person stands
        tall, and a bound on depth, which a standing person is beyond too, covers only the bottom."""
        assert self.spec.reps is not None
        first, near = self._near(event, self._series[self.spec.reps.metric][moment])
        values = self._series[rule.metric][first:first + len(near)]
        seen = self._confidence[rule.metric][first:first + len(near)]
        faulty = [
            bool(at_moment) and confidence >= MIN_CONFIDENCE and outside(value, rule.min, rule.max)
            for at_moment, value, confidence in zip(near, values, seen)
        ]
        low = high = moment - first
        while low > 0 and faulty[low - 1]:
            low -= 1
        while high + 1 < len(faulty) and faulty[high + 1]:
            high += 1
        return self._times[first + low], self._times[first + high]

    def _judge(
        self, event: RepEvent, view: str | None, rules: list[spec_models.TurningPointFault | spec_models.TempoFault]
    ) -> list[FaultEvent]:
        """The faults of ``rules`` (those judged in this view) in a rep, from the frames seen of it."""
        metrics_at, around = self._judging_context(event)
        moments = self._moment_frames(event)
        faults = []
        for rule in rules:
            if view not in rule.views:
                continue
            span = (
                self._faulty_span(rule, event, moments[rule.at]) if isinstance(rule, spec_models.TurningPointFault)
                else None
            )
            fault = judge_rep(rule, event, metrics_at, around, span)
            if fault is not None:
                faults.append(self._with_noise(fault))
        return faults

    def _known_at_turn(self, rule: spec_models.TurningPointFault | spec_models.TempoFault) -> bool:
        """Whether a per-rep check is decided once the turn has passed: it reads the turn (or the rep metric's
        extreme on the turning side, where the turn is), or it times the outward half."""
        if isinstance(rule, spec_models.TempoFault):
            return rule.half == "out"
        assert self._counter is not None and self._counter.direction is not None
        return rule.at in ("turn", "rep_metric_max" if self._counter.direction > 0 else "rep_metric_min")

    def _judge_turn(self, t_s: float, view: str | None) -> list[FaultEvent]:
        """Live cues at the moment: the per-rep faults decided by the turn, judged as soon as the turn is
        known (the rep metric is back from its extreme by more than the counter's turn band: phase RETURN)
        on the frames seen so far, by the same rules and stretches as the completed rep: about 0.2 s after
        the bottom of a squat (at most 0.5 s on the labelled clips) rather than when the rep is 70 % back
        (0.4 s, up to 1 s), with the person already standing.

        Only a swing that already has what a counted rep needs (``RepCounter.could_count``: its range, its
        ``require`` conditions at the turn, its duration so far) is judged, so a swing that is not a rep stays
        silent; until then it is asked again each frame, and what is never cued here is cued when the rep
        completes. The review keeps the completed rep's verdict; a deeper turn after a bounce is judged
        again, cueing only faults not yet cued for the swing."""
        counter = self._counter
        if counter is None or counter.phase is not Phase.RETURN:
            return []
        swing = counter.swing_so_far(t_s)
        if swing is None or swing.turn_s == self._judged_turn_s or not counter.could_count(swing):
            return []
        self._judged_turn_s = swing.turn_s
        faults = [
            fault for fault in self._judge(swing, view, [rule for rule in self._per_rep_rules if self._known_at_turn(rule)])
            if fault.id not in self._cued
        ]
        self._cued |= {fault.id for fault in faults}
        return faults

    def _complete_rep(self, event: RepEvent, view: str | None) -> Rep:
        assert self.spec.reps is not None
        turn = self._turn_frame(event)
        index = len(self._reps) + 1
        faults = [fault.model_copy(update={"rep": index}) for fault in self._judge(event, view, self._per_rep_rules)]
        self._per_rep_faults += faults
        rep = Rep(
            index=index, start_s=round(event.start_s, 3), end_s=round(event.end_s, 3), turn_s=round(event.turn_s, 3),
            side=_pick_side(self.spec.reps.side, self._metrics_near(event, event.turn_value)), range=round(event.range, 1),
            margin=round(event.range - self.spec.reps.min_range, 2), noise=round(self._rep_noise, 2) or None,
            tempo_out_s=round(event.out_s, 2), tempo_return_s=round(event.return_s, 2), faults=faults,
            metrics={name: _rounded(value) for name, value in self._metrics_at(turn).items()},
        )
        self._reps.append(rep)
        self._rep_events.append(event)
        return rep

    # --- end of the set ----------------------------------------------------------------------
    def finish(self, source: SourceInfo, processing: Processing | None = None, decode_warning: str | None = None) -> Review:
        """Close open events and build the review."""
        if self._counter is not None:
            last_rep = self._counter.finish()
            if last_rep is not None:  # back at rest as the recording ended, not yet confirmed
                self._complete_rep(last_rep, self._last_view)
        for check in self._sustained:
            check.finish()
        if self._holds is not None:
            self._holds.finish()
        sustained_events = [self._with_noise(event) for check in self._sustained for event in check.events]
        reps = [self._attach_sustained(rep, sustained_events) for rep in self._refined_reps()]
        all_faults = sorted(
            [event.model_copy(update={"rep": self._rep_at(event, reps)}) for event in sustained_events]
            + self._per_rep_faults,
            key=lambda event: (event.start_s, event.id),
        )
        overall_view = self._views.overall()
        hold_events = self._holds.holds if self._holds is not None else []
        holds = [self._hold_model(hold) for hold in hold_events]
        unseen = self._unseen_spans(reps, holds)
        return Review(
            exercise=self.spec.id,
            source=ReviewSource(**source.__dict__),
            view=overall_view,
            near_side=self._near_side(),
            rep_count=self.rep_count,
            reps=reps,
            uncounted_reps=self._uncounted_reps(),
            holds=holds,
            unseen_spans=unseen,
            faults=all_faults,
            warnings=self._warnings(overall_view, decode_warning, unseen),
            checks=self._check_statuses(overall_view),
            measurements=self._measurements(),
            summary=self._summary(reps, hold_events, [hold.side for hold in holds], processing, unseen),
            series={"t_s": [round(t, 3) for t in self._times]}
            | {name: [_rounded(v) for v in values] for name, values in self._series.items()},
        )

    def _unseen_spans(self, reps: list[Rep], holds: list[Hold]) -> list[UnseenSpan]:
        """Where the camera cut away from the whole body once the set began (its first rep or hold; before
        it the person moves into position, and with neither nothing was claimed that a cut could explain)."""
        starts = [spans[0].start_s for spans in (reps, holds) if spans]
        if not starts or not self._times:
            return []
        return [
            UnseenSpan(start_s=span.start_s, end_s=span.end_s, description=UNSEEN_MESSAGE)
            for span in self._framing.unseen_spans(set_start_s=min(starts))
        ]

    def _uncounted_reps(self) -> list[UncountedRep]:
        if self._counter is None or self.spec.reps is None:
            return []
        unit = metric_unit(self.spec.metrics, self.spec.reps.metric)
        return [
            UncountedRep(
                start_s=round(event.start_s, 3), end_s=round(event.end_s, 3), turn_s=round(event.turn_s, 3),
                range=round(event.range, 1), margin=round(event.range - self.spec.reps.min_range, 2),
                reason=f"{TOO_SMALL}: the swing cleared the smallest rep ({self.spec.reps.min_range:g} {unit}) by "
                f"{event.range - self.spec.reps.min_range:.1f} {unit}, less than the pose noise ({self._rep_noise:.1f} {unit})",
            )
            for event in self._counter.uncertain
        ]

    def _refined_reps(self) -> list[Rep]:
        """Reps with start and end moved to where the metric stands within ``REST_BAND`` of rest (or within
        the rep metric's noise of it).

        Live, a rep is confirmed as soon as it is 70 % back (so the count appears at once);
        once the set is over, the review can say when each rep really began and ended.
        """
        if self._counter is None or self._counter.direction is None or not self._reps:
            return self._reps
        assert self.spec.reps is not None
        direction = self._counter.direction
        times = np.asarray(self._times)
        u = direction * np.asarray(self._series[self.spec.reps.metric], np.float64)
        # the measured noise of the rep metric (of two readings' difference), not one reading's (_reading_noise)
        rest_noise = self._noise.get(self.spec.reps.metric) or 0.0
        refined: list[Rep] = []
        for position, (rep, event) in enumerate(zip(self._reps, self._rep_events)):
            near_rest = u <= direction * event.rest_value + max(REST_BAND * event.range, rest_noise)
            # Search outward from where the counter saw the rep leave and regain rest, so a landmark
            # glitch inside the rep cannot pass for its start or end.
            left_rest = int(np.searchsorted(times, event.start_s, side="right"))
            regained_rest = int(np.searchsorted(times, event.end_s))
            earliest = int(np.searchsorted(times, refined[-1].end_s, side="right")) if refined else 0
            latest = (
                int(np.searchsorted(times, self._rep_events[position + 1].start_s)) if position + 1 < len(self._reps)
                else len(times)
            )
            before = np.flatnonzero(near_rest[earliest:left_rest])
            after = np.flatnonzero(near_rest[regained_rest:latest])
            start_s = float(times[earliest + before[-1]]) if before.size else rep.start_s
            end_s = float(times[regained_rest + after[0]]) if after.size else rep.end_s
            refined.append(rep.model_copy(update={
                "start_s": round(min(start_s, rep.start_s), 3), "end_s": round(end_s, 3),
                "tempo_out_s": round(event.turn_s - min(start_s, rep.start_s), 2),
                "tempo_return_s": round(end_s - event.turn_s, 2),
            }))
        return refined

    def _hold_model(self, hold: HoldEvent) -> Hold:
        side = self._side_of_hold(hold)
        return Hold(
            start_s=round(hold.start_s, 3), end_s=round(hold.end_s, 3), good_form_s=round(hold.good_form_s, 2),
            fault_s={fault_id: round(seconds, 2) for fault_id, seconds in sorted(hold.fault_s.items())}, side=side,
        )

    def _side_of_hold(self, hold: HoldEvent) -> str | None:
        if self.spec.hold is None or self.spec.hold.side is None:
            return None
        first = int(np.searchsorted(self._times, hold.start_s))
        last = int(np.searchsorted(self._times, hold.end_s, side="right"))
        votes: Counter[str] = Counter()
        for index in range(first, last):
            side = _pick_side(self.spec.hold.side, self._metrics_at(index))
            if side is not None:
                votes[side] += 1
        return votes.most_common(1)[0][0] if votes else None

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

    def _warnings(
        self, overall_view: str | None, decode_warning: str | None, unseen: list[UnseenSpan]
    ) -> list[ReviewWarning]:
        if not self._times:
            return [ReviewWarning(id="no_frames", message="the source had no frames", start_s=0.0, end_s=0.0)]
        warnings: list[ReviewWarning] = []
        end_s = round(self._times[-1], 3)
        for status, message in STATUS_MESSAGES.items():
            if status is PoseStatus.PARTLY_OUT_OF_FRAME and self._cut_parts:
                message = f"{self._cut_parts.most_common(1)[0][0]}: step back or move the camera so the whole body shows"
            for start_s, stop_s in _spans(self._times, [s is status for s in self._statuses]):
                if stop_s - start_s >= STATUS_WARNING_MIN_S or (status is PoseStatus.NO_PERSON and self._person_frames == 0):
                    warnings.append(ReviewWarning(id=status.value, message=message, start_s=round(start_s, 3), end_s=round(stop_s, 3)))
        if overall_view is not None and overall_view not in self.spec.views:
            warnings.append(ReviewWarning(
                id="wrong_view",
                message=f"filmed from the {overall_view}; {self.spec.title} needs a {' or '.join(self.spec.views)} view: "
                f"{self.spec.camera}",
                start_s=0.0, end_s=end_s,
            ))
        if self._person_frames and not self._ever_in_position:
            warnings.append(ReviewWarning(
                id="not_in_position",
                message=f"never saw the starting position of {self.spec.title}: is this the right exercise?",
                start_s=0.0, end_s=end_s,
            ))
        if self.spec.warning:
            warnings.append(ReviewWarning(id="caution", message=self.spec.warning, start_s=0.0, end_s=end_s))
        if self.not_counted:
            warnings.append(ReviewWarning(
                id="not_counted", message=f"reps are not counted: {self.not_counted}", start_s=0.0, end_s=end_s,
            ))
        warnings += [
            ReviewWarning(id="unseen", message=span.description, start_s=span.start_s, end_s=span.end_s) for span in unseen
        ]
        if decode_warning:
            warnings.append(ReviewWarning(id="decode_error", message=decode_warning, start_s=end_s, end_s=end_s))
        return sorted(warnings, key=lambda warning: warning.start_s)

    def _check_statuses(self, overall_view: str | None) -> list[CheckStatus]:
        statuses = []
        for rule in self.spec.faults:
            judged = self._judged_frames[rule.id] / self._person_frames if self._person_frames else 0.0
            reason = None
            if judged == 0:
                if self._unseen_frames[rule.id]:
                    reason = "the body parts it needs were not visible enough"
                else:
                    reason = f"needs a {' or '.join(rule.views)} view; the camera saw {overall_view or 'no usable view'}"
            statuses.append(CheckStatus(id=rule.id, judged_fraction=round(judged, 3), skipped_reason=reason))
        return statuses

    def _measurements(self) -> list[Measurement]:
        results = []
        for spec in self.spec.measurements:
            values = np.asarray(self._series[spec.metric], np.float64)
            if spec.during != "any":
                spans = (
                    [(h.start_s, h.end_s) for h in (self._holds.holds if self._holds is not None else [])]
                    if spec.during == "holds" else [(rep.start_s, rep.end_s) for rep in self._reps]
                )
                times = np.asarray(self._times)
                inside = np.zeros(len(times), bool)
                for start_s, end_s in spans:
                    inside |= (times >= start_s) & (times <= end_s)
                values = np.where(inside, values, np.nan)
            values = _held_values(np.asarray(self._times), values)
            if np.all(np.isnan(values)):
                results.append(Measurement(id=spec.id, value=None, unit=spec.unit, at_s=None, description=spec.description))
                continue
            index = int(np.nanargmax(values) if spec.take == "max" else np.nanargmin(values))
            value = float(values[index])
            target = None
            if spec.target_min is not None or spec.target_max is not None:
                target = (spec.target_min is None or value >= spec.target_min) and (spec.target_max is None or value <= spec.target_max)
            results.append(Measurement(
                id=spec.id, value=round(value, 1), unit=spec.unit, at_s=round(self._times[index], 3), target_met=target,
                description=spec.description,
            ))
        return results

    def _summary(
        self, reps: list[Rep], hold_events: list[HoldEvent], hold_sides: list[str | None], processing: Processing | None,
        unseen: list[UnseenSpan],
    ) -> Summary:
        counts = Counter(fault.id for rep in reps for fault in rep.faults)
        most_common = None
        if counts:
            fault_id, count = counts.most_common(1)[0]
            cue = next(rule.cue for rule in self.spec.faults if rule.id == fault_id)
            most_common = MostCommonFault(id=fault_id, count=count, cue=cue)
        per_side: dict[str, int] | None = None
        if self.spec.reps is not None and self.spec.reps.side is not None and not self._holds_are_reps:
            per_side = dict(Counter(str(rep.side) for rep in reps if rep.side is not None))
        elif self.spec.hold is not None and self.spec.hold.side is not None:
            per_side = dict(Counter(side for side in hold_sides if side is not None))
        return Summary(
            # for holds counted as reps, a clean one is a hold with no fault time
            clean_reps=(
                sum(1 for hold in hold_events if not any(hold.fault_s.values()))
                if self._holds_are_reps else sum(1 for rep in reps if not rep.faults)
            ),
            partial_reps=self._counter.partial_reps if self._counter is not None else 0,
            per_side=per_side,
            hold_s=round(sum(h.duration_s for h in hold_events), 2) if self._holds is not None else None,
            good_form_s=round(sum(h.good_form_s for h in hold_events), 2) if self._holds is not None else None,
            most_common_fault=most_common,
            prescription=self._prescription_line(hold_events),
            processing=processing,
            unseen_s=round(sum(span.end_s - span.start_s for span in unseen), 2),
        )

    def _prescription_line(self, hold_events: list[HoldEvent]) -> str | None:
        """e.g. "8 of 8-12 reps per side; longest hold 4 s of 5 s"."""
        dose = self.spec.prescription
        parts = []
        reps_asked = dose.reps_text("reps" if self.spec.reps is not None else "holds")
        if reps_asked and self.not_counted:
            parts.append(f"{reps_asked} asked, not counted")
        elif reps_asked:
            parts.append(f"{self.rep_count} of {reps_asked}")
        hold_asked = dose.hold_text()
        if hold_asked:
            longest_s = max((h.duration_s for h in hold_events), default=0.0)
            parts.append(f"longest hold {longest_s:.0f} s of {hold_asked}")
        return "; ".join(parts) or None


def _held_values(times: npt.NDArray[np.float64], values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each frame's value as the median over the ``MEASURE_STRETCH_S`` around it (measured frames only;
    NaN stays NaN): a measurement is a value held for a moment, not one frame's peak, which is where the
    pose noise is largest (the extreme of noisy readings overshoots, and its time jumps about)."""
    held = np.full_like(values, np.nan)
    measured = np.flatnonzero(~np.isnan(values))
    half_s = MEASURE_STRETCH_S / 2
    for index in measured:
        low = int(np.searchsorted(times, times[index] - half_s))
        high = int(np.searchsorted(times, times[index] + half_s, side="right"))
        held[index] = float(np.nanmedian(values[low:high]))
    return held


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
