"""When per-rep faults reach a live session: how long after each rep's turning point its faults are emitted.

Streams every labelled clip's cached poses through ``ExerciseSession.step`` (the engine a live session runs)
and, for each per-rep fault of the finished review (``turning_point`` and ``tempo`` checks), finds the frame
whose ``new_faults`` first carried it. Prints, per kind and per exercise/fault, the delay from the rep's ``turn_s`` (median and max),
the slowest five, the faults cued live that the review does not keep (a swing later rejected, or a verdict that changed with
the rest of the rep), and the review's faults that were never cued.

    FORMCHECK_CACHE_DIR=... python benchmarks/fault_timing.py ../shared
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from formcheck.engine import ExerciseSession
from formcheck.pipeline import resolve_model
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.specs import catalogue


def main(shared: Path) -> None:
    labels = yaml.safe_load((shared / "labels" / "clips.yaml").read_text())["clips"]
    specs = catalogue()
    cache, bundle = PoseCache(), resolve_model(None)
    delays: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, str]] = []
    uncued: list[str] = []
    unkept: list[str] = []
    for label in labels:
        spec = specs.get(label.get("catalogue_exercise") or "")
        kinds = {rule.id: rule.kind for rule in spec.faults if rule.kind != "sustained"} if spec is not None else {}
        if spec is None or spec.reps is None or not kinds:
            continue
        track = estimate_source(shared / "clips" / label["path"], bundle=bundle, cache=cache)
        session = ExerciseSession(spec)
        emitted: dict[tuple[int | None, str], float] = {}
        for frame in track.frames:
            for fault in session.step(frame).new_faults:
                if fault.id in kinds:
                    emitted.setdefault((fault.rep, fault.id), frame.t_s)
        review = session.finish(track.source)
        kept = set()
        for rep in review.reps:
            for fault in rep.faults:
                if fault.id not in kinds:
                    continue
                kept.add((rep.index, fault.id))
                if (rep.index, fault.id) in emitted:
                    delay_s = emitted[(rep.index, fault.id)] - rep.turn_s
                    delays[kinds[fault.id]].append(delay_s)
                    delays[f"  {spec.id}/{fault.id}"].append(delay_s)
                    slowest.append((delay_s, f"{label['path']} rep {rep.index} {fault.id} (turn {rep.turn_s} s)"))
                else:
                    uncued.append(f"{label['path']} rep {rep.index} {fault.id}")
        unkept += [f"{label['path']} rep {rep} {fault_id}" for rep, fault_id in emitted if (rep, fault_id) not in kept]
    for kind, values in sorted(delays.items(), key=lambda item: (not item[0].startswith(("turning", "tempo")), item[0])):
        print(f"{kind}: {len(values)} faults, emitted after the turn: median {np.median(values):.2f} s, "
              f"max {np.max(values):.2f} s, min {np.min(values):.2f} s")
    print("slowest:", *[f"{delay_s:.2f} s {what}" for delay_s, what in sorted(slowest, reverse=True)[:5]], sep="\n  ")
    print(f"cued live but not in the review: {len(unkept)}", *unkept, sep="\n  ")
    print(f"in the review but never cued: {len(uncued)}", *uncued, sep="\n  ")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
