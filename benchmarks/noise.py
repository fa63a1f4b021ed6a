"""How much do the landmarks and metrics move when nothing but the pixels changes? The noise level
that a decision's margin must clear, measured on the labelled clips and their re-encoded, mirrored
and half-size copies (``benchmarks/robustness.py`` makes them).

    PYTHONPATH=. .venv/bin/python benchmarks/noise.py [--work DIR] [--out evaluation/noise.json]

(``PYTHONPATH=.``: the engine of this checkout, whose reps are matched for ``rep_range``.)

Each copy keeps the original's timestamps (to the millisecond), so frames are aligned by time. The
person, the movement and the camera are the same; what differs is what the pose model saw. So
``|value(copy) - value(original)|`` over aligned frames is the pose noise a new recording of the
same movement would show.

Statistic: the **95th percentile of |value(copy) - value(original)|** over every aligned frame in
which both readings are judged (a person in view; for metrics, the metric's landmarks visible
enough to judge, ``engine.MIN_CONFIDENCE``), pooled over all clips and the three copies. A 90 %
interval for it comes from resampling whole clips (bootstrap, ``BOOTSTRAP_SEED``,
``BOOTSTRAP_RESAMPLES``), because frames of one clip are not independent.

* ``metric_kinds``: per metric kind (joint flexion split by its space), over every named metric of
  that kind in the spec the clip is analysed with (combined metrics are left out: the engine derives
  theirs from their parts). The engine reports it beside each fault's margin (``formcheck.reps.noise``),
  so a new spec gets a noise level from its metrics' kinds; also split by copy and by labelled view.
* ``metrics``: per named metric (``exercise.metric``), for reference.
* ``metric_kinds_swing``: the same for a change over ``SWING_LAG_S`` between any two frames (see
  ``swing_statistic``), for reference: larger than ``rep_range``, since a rep is read at its rest and
  turning point, where the pose is clearest, not mid-movement.
* ``rep_range``: |range(copy) - range(original)| of the same rep (turning points within 0.5 s), per
  exercise: the noise of a counted rep's swing itself. The engine judges rep margins and
  ``reps.min_range`` against it (``formcheck.reps.noise.rep_noise``); an exercise with no matched rep
  falls back to its rep metric kind's per-frame figure. Few reps for some exercises (see ``reps``).
* ``landmarks``: per landmark and coordinate, the 95th percentile of |image_xy(copy) - image_xy(original)|
  (normalised image units) and of world_xyz (metres), and the lag-1 autocorrelation of those
  differences frame to frame: what ``tests/clips`` adds as seeded noise in its noise variant
  (``formcheck.reps.noise.add_landmark_noise``), scaled by ``landmark_noise_scale`` so that the metrics'
  noise it causes matches ``metric_kinds`` (``injected_metric_kinds`` shows the match).

Mirrored copies: image x is flipped back and left/right landmarks swapped before comparing; metrics
that name a body side (``side: left|right``, or combined from them) are left out of the mirror's
figures, since the mirror measures the other leg. Still images and GIFs are left out.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.engine import MIN_CONFIDENCE, ExerciseSession
from formcheck.evaluation import load_labels
from formcheck.landmarks import LANDMARK_COUNT, Landmark, PoseFrame
from formcheck.pose.cache import PoseCache, cache_key
from formcheck.pose.estimator import PoseSettings
from formcheck.pose.model import default_bundle
from formcheck.pose.run import estimate_source
from formcheck.reps.noise import add_landmark_noise, kind_key
from formcheck.sources import open_source
from formcheck.specs import load_spec
from formcheck.specs import models as spec_models

sys.path.insert(0, str(Path(__file__).resolve().parent))
from robustness import SHARED, VARIANTS, VIDEO_SUFFIXES, make_copies

ROOT = Path(__file__).resolve().parents[1]
PERCENTILE = 95.0
BOOTSTRAP_SEED = 20240601
BOOTSTRAP_RESAMPLES = 400
MATCH_TURN_S = 0.5
NOISE_SEED = 20240603  # the injected-noise calibration's seed (plus the CRC-32 of each clip's path)
# metric kinds computed from image landmarks only, and from world landmarks only (view blends both)
IMAGE_KINDS = ("joint_flexion/image", "inclination", "forward_offset", "height_difference", "left_right_height",
               "width_ratio", "line_bend", "left_right_tilt")
WORLD_KINDS = ("joint_flexion/world", "twist")
SWING_LAG_S = 1.0  # a swing compares two readings about this far apart (half a rep)
Array = npt.NDArray[np.float64]


def mirror_permutation() -> list[int]:
    """Landmark index -> the index of the same body point on the other side."""
    names = {landmark.name: landmark.value for landmark in Landmark}
    order = list(range(LANDMARK_COUNT))
    for name, index in names.items():
        for this, other in (("LEFT_", "RIGHT_"), ("RIGHT_", "LEFT_")):
            if name.startswith(this):
                order[index] = names[other + name[len(this):]]
    return order


def metric_kind(spec: spec_models.ExerciseSpec, name: str) -> str | None:
    """The metric's kind (joint flexion by its space); None for a combined or from_rest metric, whose
    noise the engine derives from its parts."""
    metric = spec.metrics[name]
    if isinstance(metric, spec_models.CombinedMetric | spec_models.FromRestMetric):
        return None
    return kind_key(metric)


def names_a_side(spec: spec_models.ExerciseSpec, name: str) -> bool:
    """True when the metric measures a named body side (the mirror shows the other one)."""
    metric = spec.metrics[name]
    if isinstance(metric, spec_models.CombinedMetric):
        return any(names_a_side(spec, part) for part in metric.of)
    if isinstance(metric, spec_models.FromRestMetric):
        return names_a_side(spec, metric.of)
    return getattr(metric, "side", None) in ("left", "right")


def run_session(frames: list[PoseFrame], spec: spec_models.ExerciseSpec) -> ExerciseSession:
    session = ExerciseSession(spec)
    for frame in frames:
        session.step(frame)
    return session


def _ms(t_s: float) -> int:
    return round(t_s * 1000)


def compare(
    original: list[PoseFrame], copy: list[PoseFrame], spec: spec_models.ExerciseSpec, variant: str
) -> dict[str, Any]:
    """Absolute differences between the copy and the original, per metric and landmark coordinate."""
    by_time = {_ms(frame.t_s): i for i, frame in enumerate(copy)}
    pairs = [(i, by_time[_ms(frame.t_s)]) for i, frame in enumerate(original) if _ms(frame.t_s) in by_time]
    first, second = run_session(original, spec), run_session(copy, spec)
    metrics: dict[str, Array] = {}
    swings: dict[str, Array] = {}
    times = np.asarray([original[i].t_s for i, _ in pairs])
    lagged = np.searchsorted(times, times - SWING_LAG_S)
    for name in spec.metrics:
        if variant == "mirror" and names_a_side(spec, name):
            continue
        a = np.asarray(first._series[name], np.float64)
        b = np.asarray(second._series[name], np.float64)
        ca = np.asarray(first._confidence[name], np.float64)
        cb = np.asarray(second._confidence[name], np.float64)
        ia, ib = (np.asarray([p[k] for p in pairs], int) for k in (0, 1))
        if ia.size == 0:
            continue
        judged = (ca[ia] >= MIN_CONFIDENCE) & (cb[ib] >= MIN_CONFIDENCE) & ~np.isnan(a[ia]) & ~np.isnan(b[ib])
        metrics[name] = np.abs(a[ia] - b[ib])[judged]
        difference = np.where(judged, b[ib] - a[ia], np.nan)
        change = np.abs(difference - difference[lagged])[times - times[lagged] >= SWING_LAG_S - 0.1]
        swings[name] = change[~np.isnan(change)]
    order = mirror_permutation()
    image: list[Array] = []
    world: list[Array] = []
    for i, j in pairs:
        x, y = original[i], copy[j]
        if not (x.has_person and y.has_person):
            image.append(np.full((LANDMARK_COUNT, 2), np.nan))
            world.append(np.full((LANDMARK_COUNT, 3), np.nan))
            continue
        yi, yw, yv = y.image_xy.astype(np.float64), y.world_xyz.astype(np.float64), y.visibility
        if variant == "mirror":
            yi, yw, yv = yi[order], yw[order], yv[order]
            yi[:, 0] = 1.0 - yi[:, 0]
            yw[:, 0] = -yw[:, 0]
        seen = (x.visibility >= MIN_CONFIDENCE) & (yv >= MIN_CONFIDENCE)
        di = yi - x.image_xy.astype(np.float64)
        dw = yw - x.world_xyz.astype(np.float64)
        di[~seen], dw[~seen] = np.nan, np.nan
        image.append(di)
        world.append(dw)
    return {
        "metrics": metrics,
        "swings": swings,
        "image": np.asarray(image).reshape(-1, LANDMARK_COUNT, 2),
        "world": np.asarray(world).reshape(-1, LANDMARK_COUNT, 3),
        "reps": (first, second),
    }


def rep_range_differences(first: ExerciseSession, second: ExerciseSession) -> list[float]:
    """|range| differences of the reps both runs counted (same turning point within MATCH_TURN_S)."""
    differences = []
    for rep in first._reps:
        match = [other for other in second._reps if abs(other.turn_s - rep.turn_s) <= MATCH_TURN_S]
        if match:
            differences.append(abs(match[0].range - rep.range))
    return differences


def percentile_with_interval(per_clip: list[Array], rng: np.random.Generator) -> dict[str, Any]:
    """The pooled 95th percentile, and a 90 % bootstrap interval from resampling clips."""
    per_clip = [values for values in per_clip if values.size]
    if not per_clip:
        return {"p95": None, "frames": 0, "clips": 0}
    pooled = np.concatenate(per_clip)
    boots = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        picked = rng.integers(0, len(per_clip), len(per_clip))
        boots.append(np.percentile(np.concatenate([per_clip[k] for k in picked]), PERCENTILE))
    return {
        "p50": round(float(np.percentile(pooled, 50)), 4),
        "p95": round(float(np.percentile(pooled, PERCENTILE)), 4),
        "p95_interval_90": [round(float(np.percentile(boots, 5)), 4), round(float(np.percentile(boots, 95)), 4)],
        "frames": int(pooled.size),
        "clips": len(per_clip),
    }


def _reps(figures: dict[str, Any]) -> dict[str, Any]:
    """Rep-range figures count matched reps, not frames."""
    return {("reps" if key == "frames" else key): value for key, value in figures.items()}


def lag1_autocorrelation(series: list[Array]) -> float:
    """Frame-to-frame correlation of the differences (pooled over clips, NaN frames skipped)."""
    products, squares = 0.0, 0.0
    for values in series:
        centred = values - np.nanmean(values) if np.any(~np.isnan(values)) else values
        both = ~np.isnan(centred[1:]) & ~np.isnan(centred[:-1])
        products += float(np.sum(centred[1:][both] * centred[:-1][both]))
        squares += float(np.nansum(centred**2))
    return round(products / squares, 3) if squares else math.nan


def is_cached(cache: PoseCache, bundle: Any, video: Path) -> bool:
    source = open_source(video)
    key = cache_key(video, bundle.sha256, PoseSettings().cache_key(source.info.width, source.info.height))
    return (cache.directory / f"{key}.npz").is_file()


def calibrate(
    originals: list[tuple[list[PoseFrame], spec_models.ExerciseSpec, str]], landmarks: dict[str, Any],
    measured: dict[str, float], scale: dict[str, float],
) -> tuple[dict[str, float], dict[str, float]]:
    """The metric noise that ``add_landmark_noise`` at ``scale`` gives on the originals (p95 per kind),
    and the scale that makes it match ``measured``: per landmark space, the median over its metric kinds
    of measured / injected (metric noise grows in proportion to small landmark noise)."""
    kinds: dict[str, list[Array]] = defaultdict(list)
    for frames, spec, path in originals:
        noisy = add_landmark_noise(frames, landmarks, NOISE_SEED + zlib.crc32(path.encode()), scale)
        for name, values in compare(frames, noisy, spec, "copy")["metrics"].items():
            kind = metric_kind(spec, name)
            if kind is not None:
                kinds[kind].append(values)
    injected = {kind: float(np.percentile(np.concatenate(values), PERCENTILE)) for kind, values in kinds.items()}
    new_scale = {}
    for space, space_kinds in (("image_xy", IMAGE_KINDS), ("world_xyz", WORLD_KINDS)):
        ratios = [measured[kind] / injected[kind] for kind in space_kinds if injected.get(kind) and kind in measured]
        new_scale[space] = round(scale.get(space, 1.0) * float(np.median(ratios)), 3) if ratios else scale.get(space, 1.0)
    return {kind: round(value, 4) for kind, value in sorted(injected.items())}, new_scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=SHARED / "labels/clips.yaml")
    parser.add_argument("--clips", type=Path, default=SHARED / "clips")
    parser.add_argument("--work", type=Path, default=Path("/tmp/formcheck-robustness"))
    parser.add_argument("--out", type=Path, default=ROOT / "evaluation/noise.json")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--cached-only", action="store_true", help="skip clips whose poses are not cached yet")
    args = parser.parse_args()
    labels = [label for label in load_labels(args.labels) if Path(label["path"]).suffix.lower() in VIDEO_SUFFIXES]
    roots = {name: root for name, root in make_copies(labels, args.clips, args.work).items() if name in args.variants}
    cache, bundle = PoseCache(), default_bundle()
    kinds: dict[str, list[Array]] = defaultdict(list)
    swing_kinds: dict[str, list[Array]] = defaultdict(list)
    kinds_by_variant: dict[str, dict[str, list[Array]]] = defaultdict(lambda: defaultdict(list))
    kinds_by_view: dict[str, dict[str, list[Array]]] = defaultdict(lambda: defaultdict(list))
    named: dict[str, list[Array]] = defaultdict(list)
    rep_ranges: dict[str, list[Array]] = defaultdict(list)
    image: list[Array] = []
    world: list[Array] = []
    clips_used = 0
    originals: list[tuple[list[PoseFrame], spec_models.ExerciseSpec, str]] = []
    for number, label in enumerate(labels, 1):
        path = args.clips / label["path"]
        if not path.is_file():
            continue
        exercise = label["catalogue_exercise"] or label["wrong_as"]
        spec = load_spec(exercise)
        if args.cached_only and not all(is_cached(cache, bundle, p) for p in [path, *(r / label["path"] for r in roots.values())]):
            continue
        original = estimate_source(path, bundle=bundle, cache=cache).frames
        originals.append((original, spec, label["path"]))
        clips_used += 1
        for variant, root in roots.items():
            copy = estimate_source(root / label["path"], bundle=bundle, cache=cache).frames
            result = compare(original, copy, spec, variant)
            for name, values in result["metrics"].items():
                kind = metric_kind(spec, name)
                if kind is not None:
                    kinds[kind].append(values)
                    kinds_by_variant[variant][kind].append(values)
                    kinds_by_view[label["view"]][kind].append(values)
                named[f"{exercise}.{name}"].append(values)
            for name, values in result["swings"].items():
                kind = metric_kind(spec, name)
                if kind is not None:
                    swing_kinds[kind].append(values)
            if label["catalogue_exercise"]:
                rep_ranges[exercise].append(np.asarray(rep_range_differences(*result["reps"])))
            image.append(result["image"])
            world.append(result["world"])
        print(f"{number}/{len(labels)} {label['path']}", file=sys.stderr, flush=True)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    landmarks: dict[str, Any] = {}
    for space, arrays, unit in (("image_xy", image, "normalised image units"), ("world_xyz", world, "m")):
        axes = "xy" if space == "image_xy" else "xyz"
        table = {}
        for landmark in Landmark:
            per_axis = {}
            for axis, letter in enumerate(axes):
                series = [array[:, landmark.value, axis] for array in arrays]
                values = np.abs(np.concatenate(series))
                values = values[~np.isnan(values)]
                per_axis[letter] = {
                    "p95": round(float(np.percentile(values, PERCENTILE)), 5) if values.size else None,
                    "lag1_autocorrelation": lag1_autocorrelation(series),
                    "frames": int(values.size),
                }
            table[landmark.name.lower()] = per_axis
        landmarks[space] = {"unit": unit, "by_landmark": table}
    metric_kinds = {kind: percentile_with_interval(values, rng) for kind, values in sorted(kinds.items())}
    measured = {kind: figures["p95"] for kind, figures in metric_kinds.items() if figures["p95"] is not None}
    _, scale = calibrate(originals, landmarks, measured, {})
    injected, _ = calibrate(originals, landmarks, measured, scale)
    result = {
        "schema": "formcheck.noise/1",
        "statistic": "95th percentile of |value(copy) - value(original)| over aligned frames where both are judged "
        "(landmarks and metric confidence >= engine.MIN_CONFIDENCE), pooled over clips and copies; "
        "p95_interval_90: 5th-95th percentile of that figure over clip resamples",
        "seeds": {"bootstrap": BOOTSTRAP_SEED, "bootstrap_resamples": BOOTSTRAP_RESAMPLES},
        "copies": list(VARIANTS),
        "copy_settings": "H.264 CRF 20 veryfast, timestamps kept (benchmarks/robustness.py)",
        "clips": clips_used,
        "metric_kinds": metric_kinds,
        "swing_statistic": f"95th percentile of |d(t) - d(t - {SWING_LAG_S:g} s)|, d = value(copy) - value(original): "
        "the noise of a change between two readings of one track (a rep's swing), where a steady offset between "
        "the copies cancels",
        "metric_kinds_swing": {kind: percentile_with_interval(values, rng) for kind, values in sorted(swing_kinds.items())},
        "metric_kinds_by_copy": {
            variant: {kind: percentile_with_interval(values, rng)["p95"] for kind, values in sorted(by_kind.items())}
            for variant, by_kind in kinds_by_variant.items()
        },
        "metric_kinds_by_labelled_view": {
            view: {kind: percentile_with_interval(values, rng)["p95"] for kind, values in sorted(by_kind.items())}
            for view, by_kind in sorted(kinds_by_view.items())
        },
        "metrics": {name: percentile_with_interval(values, rng) for name, values in sorted(named.items())},
        "rep_range": {name: _reps(percentile_with_interval(values, rng)) for name, values in sorted(rep_ranges.items())},
        "landmarks": landmarks,
        "landmark_noise_scale": scale,
        "landmark_noise_scale_note": "add_landmark_noise (formcheck.reps.noise) draws independent AR(1) noise per landmark "
        "at the p95 above times this scale, fitted (median over the metric kinds of each space) so that the metrics' "
        f"noise matches metric_kinds; seed {NOISE_SEED} + CRC-32 of the clip path; injected_metric_kinds is the "
        "result, p95 on the originals",
        "injected_metric_kinds": injected,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for kind, figures in result["metric_kinds"].items():
        swing = result["metric_kinds_swing"].get(kind, {})
        print(f"{kind:28s} p95 {figures['p95']}  90% {figures.get('p95_interval_90')}  frames {figures['frames']}  "
              f"swing p95 {swing.get('p95')} {swing.get('p95_interval_90')}")


if __name__ == "__main__":
    main()
