"""Measure the camera-cut detector (``formcheck.framing``) over every labelled clip.

For each clip: the largest departure of the image's scale (log pixels per metre) from the current shot's
reference that held ``CONFIRM_S``, the largest single-frame departure, the frames outside the main shot,
and each departure with its pose statuses (their share not OK is what ``MIN_LOST_SHARE`` is measured
from). Poses come from the cache.

    FORMCHECK_CACHE_DIR=... python benchmarks/framing_departures.py ../shared
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from formcheck.framing import CONFIRM_S, FramingTracker
from formcheck.pipeline import resolve_model
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source


def main(shared: Path) -> None:
    labels = yaml.safe_load((shared / "labels" / "clips.yaml").read_text())["clips"]
    cache, bundle = PoseCache(), resolve_model(None)
    for label in labels:
        frames = estimate_source(shared / "clips" / label["path"], bundle=bundle, cache=cache).frames
        tracker = FramingTracker()
        steps = [tracker.update(frame) for frame in frames]
        times = np.array([frame.t_s for frame in frames])
        departures = np.array([np.nan if step.departure is None else abs(step.departure) for step in steps])
        held = max(
            (float(np.nanmin(departures[window])) for index in range(len(times))
             if (window := (times > times[index] - CONFIRM_S) & (times <= times[index]) & ~np.isnan(departures)).any()),
            default=0.0,
        )
        departed = sum(frame.has_person and not step.main for frame, step in zip(frames, steps))
        print(f"held={held:.3f} max={np.nanmax(departures, initial=0.0):.3f} departed={departed} {label['path']}")
        for span in tracker.departures():
            statuses = Counter(frame.status.value for frame in frames if span.start_s <= frame.t_s < span.end_s)
            print(f"    {span}  {dict(statuses)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
