"""Causal filters for landmark streams, chosen by name.

Filters are causal (they see only past frames) so that a recorded video and a live stream
give the same numbers frame for frame. A gap (NaN, no person) resets the filter: gaps stay
gaps, nothing is invented across them.

``one_euro`` (Casiez et al., CHI 2012) adapts its cut-off to speed: still landmarks are
smoothed hard (jitter removed), fast ones lightly (little lag). With the defaults below
(min_cutoff 1.5 Hz, beta 0.4 on normalised coordinates) the lag is about 1/(2*pi*fc):
~0.1 s when a landmark is nearly still, and under ~0.03 s at rep speed, well inside the
±0.3 s to which rep times are labelled.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class StreamFilter(Protocol):
    def update(self, t_s: float, values: FloatArray) -> FloatArray: ...


def _alpha(cutoff_hz: FloatArray | float, dt_s: float) -> FloatArray:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz, np.float64))
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Vectorised One Euro filter over an array of values (any shape, filtered element-wise)."""

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.4, derivative_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.derivative_cutoff_hz = derivative_cutoff_hz
        self._last_t_s: float | None = None
        self._value: FloatArray | None = None
        self._derivative: FloatArray | None = None

    def update(self, t_s: float, values: FloatArray) -> FloatArray:
        values = np.asarray(values, np.float64)
        if self._value is None or self._last_t_s is None or t_s <= self._last_t_s:
            self._reset(t_s, values)
            return values.copy()
        dt_s = t_s - self._last_t_s
        fresh = np.isnan(self._value) & ~np.isnan(values)  # points that reappear after a gap restart
        derivative = (values - self._value) / dt_s
        derivative = np.where(np.isnan(derivative), 0.0, derivative)
        assert self._derivative is not None
        smoothed_derivative = self._derivative + _alpha(self.derivative_cutoff_hz, dt_s) * (derivative - self._derivative)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(smoothed_derivative)
        smoothed = self._value + _alpha(cutoff, dt_s) * (values - self._value)
        smoothed = np.where(fresh, values, smoothed)
        smoothed = np.where(np.isnan(values), np.nan, smoothed)
        self._value, self._derivative, self._last_t_s = smoothed, np.where(fresh, 0.0, smoothed_derivative), t_s
        return smoothed.copy()

    def _reset(self, t_s: float, values: FloatArray) -> None:
        self._value = values.copy()
        self._derivative = np.zeros_like(values)
        self._last_t_s = t_s


class NoFilter:
    def update(self, t_s: float, values: FloatArray) -> FloatArray:
        return np.asarray(values, np.float64).copy()


FILTERS: dict[str, type[OneEuroFilter | NoFilter]] = {"one_euro": OneEuroFilter, "none": NoFilter}


def make_filter(name: str) -> StreamFilter:
    """A new filter by name (``one_euro`` or ``none``)."""
    try:
        return FILTERS[name]()
    except KeyError:
        raise ValueError(f"unknown filter {name!r}; choose one of {', '.join(sorted(FILTERS))}") from None
