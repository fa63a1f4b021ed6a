"""Fault rules by kind. Each check is judged only in the camera views its spec allows.

* ``sustained``: per frame; a metric outside [min, max] during the named phases for at
  least ``min_duration_s`` opens an event, which closes after ``RELEASE_S`` back inside.
* ``turning_point``: once per rep, on a metric's value at the rep's turning point; the event spans
  the frames around that moment where the body is in the faulty position.
* ``tempo``: once per rep, on the duration (or mean speed) of its outward or return half; the event
  spans that half.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.reps.counter import RepEvent
from formcheck.review.schema import FaultEvent
from formcheck.specs import models as spec_models

RELEASE_S = 0.15  # back within bounds this long ends an event (debounce)
MIN_HALF_S = 0.05  # a half shorter than this (a glitch) is timed as this long, never as zero


def outside(value: float, minimum: float | None, maximum: float | None) -> bool:
    """True when a measured value lies outside [minimum, maximum] (NaN is never outside)."""
    if math.isnan(value):
        return False
    return (minimum is not None and value < minimum) or (maximum is not None and value > maximum)


def holds(condition: spec_models.Condition, metrics: dict[str, float], widen_by: float | None = None) -> bool:
    """True when the condition's metric is measured and inside its bounds, each bound moved out by
    ``widen_by`` when given (a position already held is left only when a reading clears its bound by more
    than the metric's noise: one within the noise of the bound cannot be told from it)."""
    value = metrics[condition.metric]
    margin = widen_by or 0.0
    return not math.isnan(value) and not outside(
        value,
        condition.min - margin if condition.min is not None else None,
        condition.max + margin if condition.max is not None else None,
    )


def _distance_outside(value: float, minimum: float | None, maximum: float | None) -> float:
    return max(minimum - value if minimum is not None else 0.0, value - maximum if maximum is not None else 0.0)


@dataclass
class _OpenEvent:
    start_s: float
    last_outside_s: float
    worst: float
    reported: bool = False


class SustainedCheck:
    """Per-frame check with debounce; ``update`` returns an event when one is confirmed or closed."""

    def __init__(self, rule: spec_models.SustainedFault) -> None:
        self.rule = rule
        self._open: _OpenEvent | None = None
        self.events: list[FaultEvent] = []

    def update(self, t_s: float, metrics: dict[str, float], phase: str, judged: bool) -> FaultEvent | None:
        """Feed one frame. Returns a newly confirmed event (for live cues), else None."""
        value = metrics[self.rule.metric]
        active = (
            judged
            and phase in self.rule.phases
            and all(holds(condition, metrics) for condition in self.rule.when)
            and outside(value, self.rule.min, self.rule.max)
        )
        if active:
            if self._open is None:
                self._open = _OpenEvent(start_s=t_s, last_outside_s=t_s, worst=value)
            self._open.last_outside_s = t_s
            if _distance_outside(value, self.rule.min, self.rule.max) > _distance_outside(
                self._open.worst, self.rule.min, self.rule.max
            ):
                self._open.worst = value
            if not self._open.reported and t_s - self._open.start_s >= self.rule.min_duration_s:
                self._open.reported = True
                return self._event(self._open.start_s, t_s, self._open.worst)
            return None
        if self._open is not None and t_s - self._open.last_outside_s >= RELEASE_S:
            self._close()
        return None

    @property
    def active_since_s(self) -> float | None:
        """When the fault now happening began (a confirmed, open event), else None."""
        return self._open.start_s if self._open is not None and self._open.reported else None

    def finish(self) -> None:
        if self._open is not None:
            self._close()

    def _close(self) -> None:
        assert self._open is not None
        if self._open.reported:
            self.events.append(self._event(self._open.start_s, self._open.last_outside_s, self._open.worst))
        self._open = None

    def _event(self, start_s: float, end_s: float, worst: float) -> FaultEvent:
        return FaultEvent(
            id=self.rule.id, start_s=round(start_s, 3), end_s=round(end_s, 3), severity=self.rule.severity,
            cue=self.rule.cue, metric=self.rule.metric, worst_value=round(worst, 2),
            margin=round(_distance_outside(worst, self.rule.min, self.rule.max), 3),
        )


def judge_rep(
    rule: spec_models.TurningPointFault | spec_models.TempoFault,
    rep: RepEvent,
    metrics_at: dict[str, dict[str, float]],
    around: dict[str, dict[str, float]] | None = None,
    span: tuple[float, float] | None = None,
) -> FaultEvent | None:
    """A per-rep fault for a rep (complete, or seen up to past its turn), or None when the rep passes.

    ``metrics_at`` maps each moment a rule can name (``turn``, ``rep_metric_max``,
    ``rep_metric_min``) to every metric's value at that moment of the rep. ``around``, when
    given, holds each metric's median over the stretch of the rep around each moment: the
    metric must then be outside its bounds at the moment *and* around it, and the ``when``
    conditions must hold at both, so a one-frame landmark glitch at the moment neither raises
    a fault nor opens the gate to one (precision first).

    ``span`` is where a turning-point fault happened (start, end): the frames around the moment where the
    metric is beyond its bound; without it, the rep's turning instant.
    """
    if isinstance(rule, spec_models.TurningPointFault):
        moment = metrics_at[rule.at]
        value = moment.get(rule.metric, float("nan"))
        if not outside(value, rule.min, rule.max) or not all(holds(condition, moment) for condition in rule.when):
            return None
        margin = _distance_outside(value, rule.min, rule.max)
        if around is not None:
            stretch = around[rule.at]
            stretch_value = stretch.get(rule.metric, float("nan"))
            if not outside(stretch_value, rule.min, rule.max):
                return None
            if not all(holds(condition, stretch) for condition in rule.when):
                return None
            margin = min(margin, _distance_outside(stretch_value, rule.min, rule.max))
        start_s, end_s = span if span is not None else (rep.turn_s, rep.turn_s)
        return FaultEvent(
            id=rule.id, start_s=round(start_s, 3), end_s=round(end_s, 3), severity=rule.severity,
            cue=rule.cue, metric=rule.metric, worst_value=round(value, 2), margin=round(margin, 3),
        )
    duration_s = rep.out_s if rule.half == "out" else rep.return_s
    if rule.min_s is not None:
        too_quick, worst, margin = duration_s < rule.min_s, duration_s, rule.min_s - duration_s
    else:
        assert rule.max_speed is not None
        speed = abs(rep.range) / max(duration_s, MIN_HALF_S)
        too_quick, worst, margin = speed > rule.max_speed, speed, speed - rule.max_speed
    if not too_quick:
        return None
    start_s, end_s = (rep.start_s, rep.turn_s) if rule.half == "out" else (rep.turn_s, rep.end_s)
    return FaultEvent(
        id=rule.id, start_s=round(start_s, 3), end_s=round(end_s, 3), severity=rule.severity, cue=rule.cue,
        worst_value=round(worst, 2), margin=round(margin, 3),
    )
