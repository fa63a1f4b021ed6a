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
