"""Processing speed of the whole pipeline (decode -> pose -> engine), no pose cache, beside the raw
pose loop on the same clip (decode + the model's own calls, nothing else: what any MediaPipe
checker pays at least).

Prints frames/s and x real time for each clip, so the README's speed figures can be
reproduced:  .venv/bin/python benchmarks/speed.py [CLIP ...]
By default it times one 720p and one 1080p clip from ../shared/clips and the shipped sample.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from formcheck.pipeline import analyze_video
from formcheck.pose import MediaPipePoseEstimator, default_bundle
from formcheck.sources import open_source

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIPS = [
    (ROOT / "samples/squat_side.mp4", "squat"),
    (ROOT.parent / "shared/clips/Pichayanon-FiT-AI/squat_correct_7.mp4", "squat"),  # 1280x720
    (ROOT.parent / "shared/clips/luizfcharry-MrPose/squat.mp4", "squat"),  # 1280x720
    (ROOT.parent / "shared/clips/mattiolato98-deadlift-visual-analyzer/Good/000001.mp4", "hip_hinge"),  # 1920x1080
    (ROOT.parent / "shared/clips/TomNotchYmk-lightweight-human-pose-estimation-3d-demo.pytorch/plank.mp4", "squat"),  # 1920x1080
]


def raw_pose_loop_s(path: Path) -> float:
    """Seconds to decode every frame and run the pose model on it, with nothing else."""
    estimator = MediaPipePoseEstimator(default_bundle())
    started = time.perf_counter()
    for frame in open_source(path).frames():
        estimator.estimate(frame)
    elapsed = time.perf_counter() - started
    estimator.close()
    return elapsed


def main() -> None:
    clips = [(Path(arg), "squat") for arg in sys.argv[1:]] or DEFAULT_CLIPS
    print(f"{'clip':60s} {'size':>10s} {'frames':>7s} {'video s':>8s} {'wall s':>7s} {'frames/s':>9s} {'x real time':>11s} {'raw loop frames/s':>18s} {'raw x real time':>16s}")
    for path, exercise in clips:
        if not path.exists():
            print(f"{path}: missing, skipped")
            continue
        started = time.perf_counter()
        review = analyze_video(path, exercise, cache=None)
        wall_s = time.perf_counter() - started
        raw_s = raw_pose_loop_s(path)
        source = review.source
        frames = len(review.series["t_s"])
        print(
            f"{path.name[:60]:60s} {source.width:>4d}x{source.height:<5d} {frames:7d} {source.duration_s:8.1f} {wall_s:7.1f} "
            f"{frames / wall_s:9.1f} {source.duration_s / wall_s:11.2f} {frames / raw_s:18.1f} {source.duration_s / raw_s:16.2f}"
        )


if __name__ == "__main__":
    main()
