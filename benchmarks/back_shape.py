"""Evidence for the back-shape stage (formcheck/back): per-rep back measures on labelled clips.

Reps come from the ordinary review (``analyze_video`` over the warm pose cache); a second pass runs
the pose model with segmentation masks and measures the back on every ``stride``-th frame (60 fps
clips at stride 2). For each rep it prints the back flexion and lumbar slope at the rep's most
leaning trunk (the deepest hinge, the bottom of a squat) minus the same rep's most upright moments
before and after it (lockout in a deadlift, standing in a squat): the person's own baseline, so posture and
clothing cancel out. Then, per deadlift source, rounded-back reps against correct ones, and whether
one threshold on the flexion change separates them, fitted on the other sources (leave one source
out). Also the butt-wink squat against its correct side views, the cat-cow's flexed and extended
spans (a check of the sign), and the pose loop's speed with and without masks on a 720p hinge clip.

    FORMCHECK_CACHE_DIR=/tmp/fccache_loso .venv/bin/python benchmarks/back_shape.py [--stills DIR] [--no-speed]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import yaml

from formcheck.back.shape import LOW_CONFIDENCE, BackShape, measure_back
from formcheck.landmarks import Landmark
from formcheck.metrics.geometry import inclination_deg
from formcheck.pipeline import analyze_video
from formcheck.pose import MediaPipePoseEstimator, default_bundle
from formcheck.pose.cache import PoseCache
from formcheck.pose.estimator import PoseSettings
from formcheck.sources import open_source

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT.parent / "shared/clips"
LABELS = ROOT.parent / "shared/labels/clips.yaml"
DEADLIFTS = [
    "TBY66-Intelligent-Deadlift-Diagnosis-System/0016a_1.mp4",
    "TBY66-Intelligent-Deadlift-Diagnosis-System/0016a_2.mp4",
    "TBY66-Intelligent-Deadlift-Diagnosis-System/0016c_1.mp4",
    "TBY66-Intelligent-Deadlift-Diagnosis-System/0016c_2.mp4",
    "TBY66-Intelligent-Deadlift-Diagnosis-System/0016r_1.mp4",
    "TBY66-Intelligent-Deadlift-Diagnosis-System/0016r_2.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad005.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad007.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad011.mp4",
    "BichraiX-AI-Deadlift-Analysis/good016.mp4",
    "BichraiX-AI-Deadlift-Analysis/good018.mp4",
    "BichraiX-AI-Deadlift-Analysis/good020.mp4",
    "mattiolato98-deadlift-visual-analyzer/Bad/000002.mp4",
    "mattiolato98-deadlift-visual-analyzer/Good/000001.mp4",
]
SQUATS = [
    "Pichayanon-FiT-AI/squat_incorrect_6.mp4",
    "Pichayanon-FiT-AI/squat_correct_7.mp4",
    "Pichayanon-FiT-AI/squat_correct_8.mp4",
    "Pichayanon-FiT-AI/squat_correct_2.mp4",
]
CAT_COW = "polybag/kocici_hrbet.mp4"
SPEED_CLIP = "BichraiX-AI-Deadlift-Analysis/good018.mp4"  # 1280x720 hinge
TURN_WINDOW_S = 0.1  # frames this close to the turning point read the rep's bottom
END_WINDOW_S = 0.25  # ...and this close to the rep's start or end its standing baseline


@dataclass
class Track:
    t_s: list[float] = field(default_factory=list)
    shapes: list[BackShape] = field(default_factory=list)
    lean_deg: list[float] = field(default_factory=list)  # mid-hip to mid-shoulder from vertical
    stills: dict[float, np.ndarray] = field(default_factory=dict)


def mask_pass(path: Path, stride: int, still_times: list[float]) -> Track:
    """The pose model with masks over the clip, the back measured on every ``stride``-th frame."""
    estimator = MediaPipePoseEstimator(default_bundle(), PoseSettings(segmentation_masks=True))
    track = Track()
    wanted = sorted(still_times)
    try:
        for frame in open_source(path).frames():
            if frame.index % stride:
                continue
            pose = estimator.estimate(frame)
            shape = measure_back(pose)
            track.t_s.append(frame.t_s)
            track.shapes.append(shape)
            hips = pose.image_xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0) * pose.image_wh
            shoulders = pose.image_xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(axis=0) * pose.image_wh
            track.lean_deg.append(float(inclination_deg(hips, shoulders)))
            while wanted and frame.t_s >= wanted[0]:
                track.stills[wanted.pop(0)] = draw(frame.image, pose.mask, shape)
    finally:
        estimator.close()
    return track


def draw(image: np.ndarray, mask: np.ndarray | None, shape: BackShape) -> np.ndarray:
    """The frame with the mask's outline (green) and the traced back edge (red dots)."""
    picture = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    if mask is not None:
        contours, _ = cv2.findContours((mask >= 0.5).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(picture, contours, -1, (0, 200, 0), 1)
    for x, y in shape.contour_px:
        if np.isfinite(x):
            cv2.circle(picture, (round(x), round(y)), 3, (0, 0, 255), -1)
    text = f"flex {shape.flexion_norm:+.3f} lumbar {shape.lumbar_deg:+.1f} conf {shape.confidence:.2f}"
    cv2.putText(picture, text, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 255), 2)
    return picture


def lean_moments(track: Track, start_s: float, end_s: float) -> tuple[float, list[float]]:
    """Within a rep (widened by ``END_WINDOW_S``): the time of the most leaning trunk (the deepest
    hinge) and the times of the most upright one before and after it (lockout, standing). The
    review's turning point follows the spec's rep metric, which in some one-rep clips lands on a
    standing frame; the trunk's lean is what the back's load follows."""
    inside = [(t, lean) for t, lean in zip(track.t_s, track.lean_deg, strict=True)
              if start_s - END_WINDOW_S <= t <= end_s + END_WINDOW_S and np.isfinite(lean)]
    if not inside:
        return (start_s + end_s) / 2, [start_s, end_s]
    bottom = max(inside, key=lambda item: item[1])[0]
    before = [item for item in inside if item[0] < bottom] or inside
    after = [item for item in inside if item[0] > bottom] or inside
    return bottom, [min(before, key=lambda item: item[1])[0], min(after, key=lambda item: item[1])[0]]


def window_median(track: Track, centres: list[float], half_s: float, attribute: str) -> float:
    values = [
        getattr(shape, attribute)
        for t, shape in zip(track.t_s, track.shapes, strict=True)
        if shape.confidence >= LOW_CONFIDENCE and any(abs(t - c) <= half_s for c in centres)
    ]
    return float(statistics.median(values)) if values else float("nan")


@dataclass
class RepRow:
    source: str
    clip: str
    rep: int
    faulty: bool
    flexion_delta: float
    lumbar_delta: float
    bottom_confidence: float


def rep_rows(relative: str, exercise: str, fault: str, labels: dict[str, dict], stride: int, stills: Path | None) -> tuple[list[RepRow], Track]:
    path = CLIPS / relative
    review = analyze_video(path, exercise, cache=PoseCache())
    entry = labels[relative]
    faulty_reps = {rep for f in entry.get("faults") or [] if f["id"] == fault for rep in f.get("reps", [])}
    track = mask_pass(path, stride, [rep.turn_s for rep in review.reps[:1]] if stills else [])
    # (the still is taken at the review's turning point: the frame the review itself shows)
    if stills:
        for t, picture in track.stills.items():
            cv2.imwrite(str(stills / f"{path.stem}_{t:.2f}s.png"), picture)
    rows = []
    for rep in review.reps:
        bottom, ends = lean_moments(track, rep.start_s, rep.end_s)
        confidences = [s.confidence for t, s in zip(track.t_s, track.shapes, strict=True) if abs(t - bottom) <= TURN_WINDOW_S]
        rows.append(RepRow(
            relative.split("/")[0], path.name, rep.index, rep.index in faulty_reps,
            window_median(track, [bottom], TURN_WINDOW_S, "flexion_norm") - window_median(track, ends, END_WINDOW_S, "flexion_norm"),
            window_median(track, [bottom], TURN_WINDOW_S, "lumbar_deg") - window_median(track, ends, END_WINDOW_S, "lumbar_deg"),
            float(np.median(confidences)) if confidences else float("nan"),
        ))
        print(f"  {path.name:16s} rep {rep.index:2d} {'FAULT' if rep.index in faulty_reps else 'ok   '} "
              f"d_flexion {rows[-1].flexion_delta:+.3f} L  d_lumbar {rows[-1].lumbar_delta:+6.1f} deg  conf {rows[-1].bottom_confidence:.2f}",
              flush=True)
    return rows, track


def separation(rows: list[RepRow]) -> None:
    """Per source: the spread of each class; out of source: a threshold fitted on the others."""
    sources = sorted({r.source for r in rows})
    for source in sources:
        for faulty in (True, False):
            values = [r.flexion_delta for r in rows if r.source == source and r.faulty == faulty and np.isfinite(r.flexion_delta)]
            if values:
                print(f"  {source[:40]:40s} {'rounded' if faulty else 'correct'}: n={len(values):2d} "
                      f"min {min(values):+.3f} median {statistics.median(values):+.3f} max {max(values):+.3f}")
    for held_out in sources:
        train = [r for r in rows if r.source != held_out and np.isfinite(r.flexion_delta)]
        bad = [r.flexion_delta for r in train if r.faulty]
        good = [r.flexion_delta for r in train if not r.faulty]
        if not bad or not good:
            print(f"  held out {held_out}: no rounded or no correct reps in the other sources")
            continue
        threshold = (max(good) + min(bad)) / 2 if max(good) < min(bad) else max(good)
        test = [r for r in rows if r.source == held_out and np.isfinite(r.flexion_delta)]
        flagged = [r for r in test if r.flexion_delta > threshold]
        true = sum(r.faulty for r in flagged)
        positives = sum(r.faulty for r in test)
        print(f"  held out {held_out[:40]:40s} threshold {threshold:+.3f} (train gap {min(bad) - max(good):+.3f}): "
              f"flagged {len(flagged)}, true {true}/{positives} rounded, false {len(flagged) - true}/{len(test) - positives} correct")


def cat_cow(labels: dict[str, dict]) -> None:
    entry = labels[CAT_COW]
    track = mask_pass(CLIPS / CAT_COW, 1, [])
    for name, spans in (("cat (flexed)", entry["holds"]), ("cow (extended)", entry["cow_spans"])):
        for start, end in spans:
            shapes = [s for t, s in zip(track.t_s, track.shapes, strict=True) if start <= t <= end and s.confidence >= LOW_CONFIDENCE]
            if shapes:
                print(f"  {name:15s} {start:4.1f}-{end:4.1f} s: flexion {statistics.median(s.flexion_norm for s in shapes):+.3f} L  "
                      f"lumbar {statistics.median(s.lumbar_deg for s in shapes):+6.1f} deg  ({len(shapes)} frames)")
            else:
                print(f"  {name:15s} {start:4.1f}-{end:4.1f} s: no confident frame")


def speed() -> None:
    path = CLIPS / SPEED_CLIP
    for masks in (False, True):
        estimator = MediaPipePoseEstimator(default_bundle(), PoseSettings(segmentation_masks=masks))
        started = time.perf_counter()
        count = 0
        back_s = 0.0
        for frame in open_source(path).frames():
            pose = estimator.estimate(frame)
            if masks:
                back_started = time.perf_counter()
                measure_back(pose)
                back_s += time.perf_counter() - back_started
            count += 1
        elapsed = time.perf_counter() - started
        estimator.close()
        extra = f", of which the back stage {back_s / count * 1000:.1f} ms a frame" if masks else ""
        print(f"  {path.name} masks {'on ' if masks else 'off'}: {count / elapsed:5.1f} frames/s{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stills", type=Path, help="write the first rep's turning point with the traced back here")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    if args.stills:
        args.stills.mkdir(parents=True, exist_ok=True)
    labels = {c["path"]: c for c in yaml.safe_load(LABELS.read_text())["clips"]}
    started = time.process_time()
    rows: list[RepRow] = []
    print("Deadlifts: back change at the deepest hinge against the rep's own lockout")
    for relative in DEADLIFTS:
        rows += rep_rows(relative, "hip_hinge", "rounded_back", labels, 2 if "TBY66" in relative else 1, args.stills)[0]
    separation(rows)
    print("Squats: back change at the bottom against the rep's own standing ends")
    for relative in SQUATS:
        rep_rows(relative, "squat", "butt_wink", labels, 1, args.stills)
    print("Cat-cow: flexed against extended spans")
    cat_cow(labels)
    if not args.no_speed:
        print("Speed: the pose loop with and without masks")
        speed()
    print(f"CPU {time.process_time() - started:.0f} s")


if __name__ == "__main__":
    main()
