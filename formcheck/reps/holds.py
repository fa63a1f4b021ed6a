"""Time held positions (planks, stretches, the top of a bridge, a bird dog's reach).

A hold starts when the position's conditions all hold and ends when they have failed for
longer than ``release_s`` (a wobble does not split a hold). Once out of position, a return
counts only after ``REENTER_S`` back in: a frame or two that the pose noise puts back inside
the position mid-movement (a hip dip of a side plank) neither ends the way out nor restarts the
release clock. Holds shorter than ``min_s`` are dropped. While held, each frame's time goes to "good form" when no fault is active, and
to each active fault otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

REENTER_S = 0.1  # back in position this long (after leaving it) before the hold goes on


@dataclass
class HoldEvent:
    start_s: float
    end_s: float
    good_form_s: float = 0.0
    fault_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    side: str | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class HoldTracker:
    """One-verb state machine: ``update(t_s, in_position, active_faults)`` per frame.

    ``active_faults`` maps each fault happening now to when it began. A fault is confirmed only
    after its debounce, so the time from its start to its confirmation is moved from good form
    to the fault once it is confirmed.
    """

    def __init__(self, min_s: float, release_s: float) -> None:
        self.min_s = min_s
        self.release_s = release_s
        self.holds: list[HoldEvent] = []
        self._current: HoldEvent | None = None
        self._last_in_s = 0.0
        self._last_t_s: float | None = None
        self._credited: set[str] = set()  # faults already counted in the current hold
        self._in_since_s: float | None = None  # start of the current run of in-position frames
        self._confirmed_in = False  # that run is the hold going on (not a brief return mid-way out)

    @property
    def holding(self) -> bool:
        return self._current is not None

    def update(self, t_s: float, in_position: bool, active_faults: dict[str, float]) -> HoldEvent | None:
        """Feed one frame; returns a hold that this frame ended (when long enough), else None."""
        dt_s = 0.0 if self._last_t_s is None else min(t_s - self._last_t_s, self.release_s)
        self._last_t_s = t_s
        if in_position:
            if self._in_since_s is None:
                self._in_since_s = t_s
            if self._current is None:
                self._current = HoldEvent(start_s=t_s, end_s=t_s)
                self._confirmed_in = True
            elif self._confirmed_in or t_s - self._in_since_s >= REENTER_S:
                self._confirmed_in = True
                self._credit(dt_s, active_faults)
                self._current.end_s = t_s
            else:  # back, but not yet for REENTER_S: the next frame out decides whether the hold ended
                return None
            self._last_in_s = t_s
            return None
        self._in_since_s, self._confirmed_in = None, False
        if self._current is not None and t_s - self._last_in_s > self.release_s:
            return self._close()
        return None

    def finish(self) -> HoldEvent | None:
        return self._close() if self._current is not None else None

    def _credit(self, dt_s: float, active_faults: dict[str, float]) -> None:
        assert self._current is not None
        for fault_id, since_s in active_faults.items():
            if fault_id not in self._credited:  # newly confirmed: back-date it to its start
                already_s = self._current.end_s - max(since_s, self._current.start_s)  # up to the last frame
                earlier_s = min(max(0.0, already_s), self._current.good_form_s)
                self._current.good_form_s -= earlier_s
                self._current.fault_s[fault_id] += earlier_s
        self._credited = set(active_faults)
        if active_faults:
            for fault_id in active_faults:
                self._current.fault_s[fault_id] += dt_s
        else:
            self._current.good_form_s += dt_s

    def _close(self) -> HoldEvent | None:
        hold, self._current = self._current, None
        self._credited = set()
        if hold is None or hold.duration_s < self.min_s:
            return None
        self.holds.append(hold)
        return hold
