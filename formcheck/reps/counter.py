"""Count reps from one metric's swings, with hysteresis, a set-up state and partial reps.

The counter works on ``u``, the metric turned so that moving away from rest increases it
(``u = value`` when the rest end is low, ``-value`` when high). A rep is:

    rest --(u rises min_range above the rest level)--> out/turn
         --(u falls back by return_fraction of the swing)--> rest   => one rep

* The rest level is the lowest ``u`` seen in rest over the last few seconds, so slow drift
  (the person shuffles) does not add up to a rep.
* Hysteresis: the way out needs the full ``min_range``; jitter smaller than that never
  leaves rest, and bounces near the turning point never end a rep early.
* Set-up: nothing counts until the person has been seen in the exercise's start position
  (``in_position``); a rep can only start from a rest frame in that position.
* A swing that leaves rest by at least half of ``min_range`` but turns back before the full
  range, or a rep still under way when the stream ends, is a partial rep: reported, never counted.
* A full swing that clears ``min_range`` by less than ``min_margin`` (the pose noise of the
  metric) is too close to the line to judge: it is a partial rep, kept in ``uncertain``.
* With ``rest="either"`` the first full swing decides which end is rest (a deadlift may
  start at the floor or at lockout).
"""

from __future__ import annotations

import enum
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PARTIAL_FRACTION = 0.5  # of min_range: a smaller wobble is not even a partial rep
WOBBLE_SMOOTHING_S = 0.15  # time constant of the smoothing applied before judging partial reps
LEAVE_FRACTION = 0.15  # of min_range: the rep starts when u last stood this close to rest
TURN_FRACTION = 0.85  # of the swing: not rising but within 15 % of the peak is the turning point
REST_WINDOW_S = 3.0
START_MEDIAN_FRAMES = 5  # readings a rep's start is judged over (1/6 s at 30 fps)
# The rest level a rep's start is measured from: this percentile of the stand's readings. Measured over the 362
# labelled rep starts and ends, as filmed / with the measured noise, mean error (s): lowest 0.156 / 0.175,
# 10th 0.156 / 0.173, 20th 0.157 / 0.170, 25th 0.158 / 0.171, median 0.164 / 0.176; the 20th also keeps the
# squat whose knee bends 2-3 deg before the rep within 1 s of its label in 59 of 60 noise seeds (the lowest: 49).
START_REST_PERCENTILE = 20.0
SETTLE_S = 0.2  # with rest="either", the first rest must be held this long ...
SETTLE_FRACTION = 0.25  # ... moving less than this fraction of min_range
MAX_GAP_S = 1.0  # a longer gap in the signal (person lost) abandons the rep in progress


class Phase(str, enum.Enum):
    SETUP = "setup"
    REST = "rest"
    OUT = "out"
    TURN = "turn"
    RETURN = "return"


@dataclass(frozen=True)
class RepEvent:
    """A completed rep. Values are the metric's own (not ``u``)."""

    start_s: float
    turn_s: float
    end_s: float
    rest_value: float
    turn_value: float
    range: float
    left_turn_s: float | None = None  # last time the metric stood near its turning value (after any pause there)

    @property
    def out_s(self) -> float:
        return self.turn_s - self.start_s

    @property
    def return_s(self) -> float:
        """The way back, from leaving the turn: a pause at the top of a bridge is not part of its lowering."""
        return self.end_s - (self.left_turn_s if self.left_turn_s is not None else self.turn_s)


class RepCounter:
    """One-verb state machine: ``update(t_s, value, in_position)`` per frame."""

    def __init__(
        self,
        rest: str,
        min_range: float,
        return_fraction: float = 0.7,
        min_duration_s: float = 0.4,
        max_duration_s: float = 20.0,
        accept: Callable[[RepEvent], bool] | None = None,
        confirm_s: float = 0.0,
        min_margin: float = 0.0,
    ) -> None:
        """Args:
            accept: asked about every complete swing before it counts (e.g. the exercise's
                conditions at the turning point); a swing it refuses is a rejected rep.
            confirm_s: how long the return must last before the rep counts; a shorter dip
                that goes back out (a landmark jumping for a few frames) does not end the rep.
                The rep's end is still where the return began.
            min_margin: how far a swing must clear ``min_range`` to count (the metric's pose
                noise); a complete swing that clears it by less is a partial rep, kept in ``uncertain``.
        """
        if rest not in ("low", "high", "either"):
            raise ValueError(f"rest must be low, high or either, got {rest!r}")
        self._direction: float | None = {"low": 1.0, "high": -1.0}.get(rest)
        self._direction_confirmed = self._direction is not None
        self.min_range = min_range
        self.return_fraction = return_fraction
        self.min_duration_s = min_duration_s
        self.max_duration_s = max_duration_s
        self._accept = accept
        self.confirm_s = confirm_s
        self.min_margin = min_margin
        self.uncertain: list[RepEvent] = []  # complete swings too close to min_range to judge (partial)
        self._returned: tuple[float, float] | None = None  # (t_s, value) where the return began
        self.phase = Phase.SETUP
        self.reps: list[RepEvent] = []
        self.partial_reps = 0
        self.rejected_reps = 0  # full swings too quick or too slow to be a rep
        self._rest_samples: deque[tuple[float, float]] = deque()  # (t_s, value) in rest, in position
        self._start_s = 0.0
        self._rest_u = 0.0
        self._peak_u = 0.0
        self._peak_s = 0.0
        self._max_wobble = 0.0
        self._held: tuple[float, float] | None = None  # (min, max) of the last held position
        self._near_peak_s = 0.0  # last time u stood within LEAVE_FRACTION * min_range of the peak
        self._smoothed_u: float | None = None  # for partial reps: jitter must not look like a dip
        self._wobble_start_s: float | None = None
        self._last_t_s: float | None = None
        self._wobble_clock_s = 0.0

    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def direction(self) -> float | None:
        """+1 when moving away from rest raises the metric, -1 when it lowers it, None until known."""
        return self._direction

    def update(self, t_s: float, value: float, in_position: bool) -> RepEvent | None:
        """Feed one frame; returns the rep that this frame completed, if any."""
        if math.isnan(value):  # NaN: the metric could not be measured in this frame
            if self._last_t_s is not None and t_s - self._last_t_s > MAX_GAP_S and self.phase is not Phase.SETUP:
                self._abandon()
            return None
        self._last_t_s = t_s
        if self.phase is Phase.SETUP:
            if in_position:
                self.phase = Phase.REST
                self._rest_samples.clear()
                self._remember_rest(t_s, value)
            return None
        if self.phase is Phase.REST:
            self._rest_step(t_s, value, in_position)
            return None
        return self._moving_step(t_s, value)

    def finish(self) -> RepEvent | None:
        """The stream ended. A rep already back (only waiting for ``confirm_s``) counts and is
        returned; one still under way is partial."""
        event = None
        if self._returned is not None:
            event = self._complete(*self._returned)
        elif self.phase in (Phase.OUT, Phase.TURN, Phase.RETURN):
            self.partial_reps += 1
        self.phase = Phase.REST
        return event

    # --- rest -----------------------------------------------------------------------------
    def _remember_rest(self, t_s: float, value: float) -> None:
        self._rest_samples.append((t_s, value))
        while self._rest_samples and self._rest_samples[0][0] < t_s - REST_WINDOW_S:
            self._rest_samples.popleft()

    def _rest_step(self, t_s: float, value: float, in_position: bool) -> None:
        if not self._rest_samples:
            if in_position:
                self._remember_rest(t_s, value)
            return
        direction = self._direction
        if direction is None:
            self._hold_anchor_if_settled()
            if self._held is None:
                self._remember_rest(t_s, value)
                return
        for sign in [direction] if direction is not None else [1.0, -1.0]:
            rest_u = self._rest_level(sign)
            swing = sign * value - rest_u
            if swing >= self.min_range:
                self._direction = sign
                self._begin_rep(t_s, sign * value, rest_u, sign)
                return
            if direction is not None:
                self._track_wobble(t_s, sign * value)
        if in_position:
            self._remember_rest(t_s, value)

    def _hold_anchor_if_settled(self) -> None:
        """With rest="either", remember the latest position held still for ``SETTLE_S``: only a
        held position can be the rest a rep starts from (set-up motion before it is not)."""
        latest_t_s = self._rest_samples[-1][0]
        if latest_t_s - self._rest_samples[0][0] < SETTLE_S:
            return
        recent = [v for t, v in self._rest_samples if t >= latest_t_s - SETTLE_S]
        if max(recent) - min(recent) <= SETTLE_FRACTION * self.min_range:
            self._held = (min(recent), max(recent))

    def _rest_level(self, sign: float) -> float:
        """The rest end of the movement in ``u`` units (lowest ``u`` seen while resting)."""
        if self._direction is None and self._held is not None:
            low, high = self._held
            return low if sign > 0 else -high
        return min(sign * v for _, v in self._rest_samples)

    def _track_wobble(self, t_s: float, u: float) -> None:
        """Count a partial rep: a dip at least half-way out that comes back, lasting at least
        ``min_duration_s``. Judged on ``u`` smoothed over ~0.15 s against the median rest level,
        so frame-to-frame jitter is never mistaken for a dip."""
        if self._smoothed_u is None:
            self._smoothed_u = u
        else:
            self._smoothed_u += (1.0 - math.exp(-(t_s - self._wobble_clock_s) / WOBBLE_SMOOTHING_S)) * (u - self._smoothed_u)
        self._wobble_clock_s = t_s
        assert self._direction is not None
        base_u = float(np.median([self._direction * v for _, v in self._rest_samples]))
        swing = self._smoothed_u - base_u
        if swing >= LEAVE_FRACTION * self.min_range:
            if self._wobble_start_s is None:
                self._wobble_start_s = t_s
            self._max_wobble = max(self._max_wobble, swing)
            return
        if (
            self._wobble_start_s is not None
            and self._max_wobble >= PARTIAL_FRACTION * self.min_range
            and t_s - self._wobble_start_s >= self.min_duration_s
        ):
            self.partial_reps += 1  # went half-way out and came back: a partial rep
        self._reset_wobble(keep_smoothing=True)

    def _reset_wobble(self, keep_smoothing: bool = False) -> None:
        self._max_wobble = 0.0
        self._wobble_start_s = None
        if not keep_smoothing:
            self._smoothed_u = None

    def _begin_rep(self, t_s: float, u: float, rest_u: float, sign: float) -> None:
        # The rep starts where the metric last stood near its rest level, both read over a few frames (a
        # running median) and the level taken low in the stand but not at its lowest: over a 3 s stand the
        # lowest of ~90 noisy readings sits at the noise's extreme, and the start would be dated back to the
        # last frame that noise put that low (or to a small real shift before the rep that noise lifts over it).
        times = [sample_t for sample_t, _ in self._rest_samples]
        steady = _running_median(np.array([sign * value for _, value in self._rest_samples]), START_MEDIAN_FRAMES)
        leave_level = float(np.percentile(steady, START_REST_PERCENTILE)) + LEAVE_FRACTION * self.min_range
        near_rest = np.flatnonzero(steady <= leave_level)
        start_s = times[near_rest[-1] + 1] if near_rest[-1] + 1 < len(times) else t_s
        self._start_s = start_s
        self._rest_u = rest_u
        self._peak_u, self._peak_s = u, t_s
        self._near_peak_s = t_s
        self._returned = None
        self._reset_wobble()
        self.phase = Phase.OUT

    # --- moving ---------------------------------------------------------------------------
    def _moving_step(self, t_s: float, value: float) -> RepEvent | None:
        assert self._direction is not None
        u = self._direction * value
        rising = u > self._peak_u
        if rising:
            self._peak_u, self._peak_s = u, t_s
        if u >= self._peak_u - LEAVE_FRACTION * self.min_range:
            self._near_peak_s = t_s
        swing = self._peak_u - self._rest_u
        if not self._direction_confirmed and u <= self._rest_u - self.min_range:
            self._reverse(t_s, u)
            return None
        if u <= self._peak_u - self.return_fraction * swing:
            if self._returned is None:
                self._returned = (t_s, value)
            if t_s - self._returned[0] >= self.confirm_s:
                return self._complete(*self._returned)
            self.phase = Phase.RETURN
            return None
        self._returned = None  # back out before the return was confirmed: a landmark glitch, not the end
        if rising:
            self.phase = Phase.OUT
        elif u >= self._peak_u - (1 - TURN_FRACTION) * swing:
            self.phase = Phase.TURN
        else:
            self.phase = Phase.RETURN
        return None

    def _reverse(self, t_s: float, u: float) -> None:
        """With rest="either": the first swing came back past where it started, so it was
        set-up, and the end it reached is the real rest (lifter walked in and set up at the
        floor, then pulled). Continue as the outward half of a rep in the other direction,
        started when the metric last left that end."""
        assert self._direction is not None
        self._direction = -self._direction
        self._rest_u, self._start_s = -self._peak_u, self._near_peak_s
        self._peak_u, self._peak_s = -u, t_s
        self._near_peak_s = t_s
        self._returned = None
        self.phase = Phase.OUT

    def swing_so_far(self, t_s: float) -> RepEvent | None:
        """The swing under way as a rep ending now (or where its return began, once it is back but not yet
        confirmed), for judging it before it completes; None when no swing is under way."""
        if self.phase not in (Phase.OUT, Phase.TURN, Phase.RETURN):
            return None
        return self._event(self._returned[0] if self._returned is not None else t_s)

    def could_count(self, swing: RepEvent) -> bool:
        """Whether a swing under way (``swing_so_far``) already has what a counted rep needs, so that what is
        judged of it now belongs to a rep: its direction is settled (with rest="either" the first swing may
        turn out to be set-up), it has lasted ``min_duration_s`` and not over ``max_duration_s``, its range
        clears ``min_range`` by ``min_margin``, and ``accept`` takes it. What it lacks now it may gain later
        (the duration), so a caller asks again."""
        return (
            self._direction_confirmed
            and self._duration_fits(swing.end_s - swing.start_s)
            and swing.range >= self.min_range + self.min_margin
            and (self._accept is None or self._accept(swing))
        )

    def _duration_fits(self, duration_s: float) -> bool:
        return self.min_duration_s <= duration_s <= self.max_duration_s

    def _event(self, end_s: float) -> RepEvent:
        assert self._direction is not None
        return RepEvent(
            start_s=self._start_s,
            turn_s=self._peak_s,
            end_s=end_s,
            rest_value=self._direction * self._rest_u,
            turn_value=self._direction * self._peak_u,
            range=self._peak_u - self._rest_u,
            left_turn_s=self._near_peak_s,
        )

    def _complete(self, t_s: float, value: float) -> RepEvent | None:
        assert self._direction is not None
        self._direction_confirmed = True
        self._returned = None
        duration_s = t_s - self._start_s
        self.phase = Phase.REST
        self._reset_wobble()
        self._rest_samples.clear()
        self._remember_rest(t_s, value)
        if not self._duration_fits(duration_s):
            self.rejected_reps += 1
            return None
        event = self._event(t_s)
        if self._accept is not None and not self._accept(event):
            self.rejected_reps += 1
            return None
        if event.range < self.min_range + self.min_margin:
            self.uncertain.append(event)
            self.partial_reps += 1
            return None
        self.reps.append(event)
        return event

    def _abandon(self) -> None:
        if self.phase in (Phase.OUT, Phase.TURN, Phase.RETURN):
            self.partial_reps += 1
        self.phase = Phase.REST
        self._rest_samples.clear()


def _running_median(values: npt.NDArray[np.float64], frames: int) -> npt.NDArray[np.float64]:
    """Each value replaced by the median of the ``frames`` readings centred on it (fewer at the ends)."""
    half = frames // 2
    return np.array([np.median(values[max(0, i - half): i + half + 1]) for i in range(len(values))])
