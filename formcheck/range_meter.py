"""How far the rep under way has gone, as a share of the swing that counts a rep: the live range meter.

The rep counter's own rest level is internal to it; the meter keeps its own, from the frames the engine calls
rest, so it changes nothing the engine decides. 1.0 is the spec's ``min_range`` (a rep counts from there);
a good deep rep reads more.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.specs.models import RepSpec

REST_WINDOW_S = 1.0  # the rest level is the median of this much of the latest rest


class RangeMeter:
    """Per frame: the swing of the rep metric away from its latest rest level, over ``min_range``."""

    def __init__(self, reps: RepSpec) -> None:
        self._reps = reps
        self._rest: deque[tuple[float, float]] = deque()

    def update(self, t_s: float, value: float, phase: str) -> float | None:
        """The frame's share of a counting swing (0 at rest), or None before any rest or without a reading."""
        if math.isnan(value):
            return None
        if phase == "rest":
            self._rest.append((t_s, value))
            while self._rest[0][0] < t_s - REST_WINDOW_S:
                self._rest.popleft()
        if not self._rest:
            return None
        rest_level = float(np.median([level for _, level in self._rest]))
        away = value - rest_level
        swing = {"low": away, "high": -away, "either": abs(away)}[self._reps.rest]
        return round(max(0.0, swing) / self._reps.min_range, 3)
