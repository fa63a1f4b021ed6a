"""Metrics measured against the person's own baseline: each ``from_rest`` metric is another metric's
change since the person last stood at rest between reps.

Absolute bounds on some measures judge the camera as much as the person: a heel's height above the
toes reads 0.1 torso lengths on a flat-footed stance filmed from a little above. The same person's
value at rest, a second before the rep, carries the same camera and build, so the change from it is
what the rep did. Causal, one frame at a time, so live and recorded input agree.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from formcheck.specs import models as spec_models

REST_BASELINE_S = 1.0  # the baseline is the median over this last stretch at rest (a second of standing)


class RestBaselines:
    """The ``from_rest`` metrics of one spec, frame by frame.

    While the rep counter is at rest each source metric's recent values are kept; once a rep begins
    the baseline is frozen at their median, and every frame reads source minus baseline (NaN until the
    person has been seen at rest).
    """

    def __init__(self, metrics: dict[str, spec_models.MetricSpec]) -> None:
        self.sources = {
            name: metric.of for name, metric in metrics.items() if isinstance(metric, spec_models.FromRestMetric)
        }
        self._recent: dict[str, deque[tuple[float, float]]] = {source: deque() for source in self.sources.values()}
        self._baseline = {source: float("nan") for source in self.sources.values()}

    def update(self, t_s: float, values: dict[str, float], at_rest: bool) -> dict[str, float]:
        """Each from_rest metric's value in this frame, from the source metrics' ``values``."""
        if at_rest:
            for source, recent in self._recent.items():
                if not np.isnan(values[source]):
                    recent.append((t_s, values[source]))
                while recent and recent[0][0] < t_s - REST_BASELINE_S:
                    recent.popleft()
                if recent:
                    self._baseline[source] = float(np.median([value for _, value in recent]))
        return {name: values[source] - self._baseline[source] for name, source in self.sources.items()}


REP_MAX_WINDOW_S = 10.0  # readings kept for the rep's highest point: longer than any rep with its rest before


class RepMaxBaselines:
    """The ``from_rep_max`` metrics of one spec, frame by frame: each source's change since the rep
    metric's highest reading in the rep under way (a hinge's bottom).

    Readings are kept from where the rep metric last began rising (the counter's out half when rest is
    its low end, its return half when rest is its high end), so the highest of them is this rep's
    bottom: the turn of a Romanian deadlift, the set-up at the floor before a pull. The bottom's value
    is each source's median over the kept readings whose rep metric stands within ``band`` (one
    reading's noise) of that highest one, which cannot be told from it; one frame would carry its own
    noise into every change read against it. Causal: the reference only ever uses readings already seen.
    """

    def __init__(self, metrics: dict[str, spec_models.MetricSpec], rep_metric: str | None, band: float) -> None:
        self.sources = {
            name: metric.of for name, metric in metrics.items() if isinstance(metric, spec_models.FromRepMaxMetric)
        }
        self._rep_metric = rep_metric
        self._band = band
        self._readings: deque[tuple[float, float, dict[str, float]]] = deque()  # (t_s, rep metric, sources)
        self._phase: str | None = None

    def update(self, t_s: float, values: dict[str, float], phase: str, direction: float | None) -> dict[str, float]:
        """Each from_rep_max metric's value in this frame; ``phase`` and ``direction`` are the rep
        counter's (``direction`` None: not yet known which end is rest, and every value is NaN)."""
        if not self.sources or self._rep_metric is None:
            return {}
        rising_half = "out" if direction == 1.0 else "return"
        if direction is not None and phase == rising_half and self._phase != phase:
            self._readings.clear()
        self._phase = phase
        if not np.isnan(values[self._rep_metric]):
            self._readings.append((t_s, values[self._rep_metric], {source: values[source] for source in self.sources.values()}))
        while self._readings and self._readings[0][0] < t_s - REP_MAX_WINDOW_S:
            self._readings.popleft()
        if direction is None or not self._readings:
            return {name: float("nan") for name in self.sources}
        top = max(rep_value for _, rep_value, _ in self._readings)
        bottom = [sources for _, rep_value, sources in self._readings if rep_value >= top - self._band]
        result = {}
        for name, source in self.sources.items():
            seen = [sources[source] for sources in bottom if not np.isnan(sources[source])]
            result[name] = values[source] - float(np.median(seen)) if seen else float("nan")
        return result
