"""Processing speed: the pose model alone, the plain serial loop, and `formcheck analyze` on the same clips.

For each clip, frames/s of:
  model alone     the pose model (formcheck's PoseLandmarker, on the threads a lone analysis gives it:
                  one per core, ``threads_per_job(1)``) on frames already decoded and enlarged when
                  small, in memory (64 at a time, only the model's calls timed): the ceiling;
  serial loop     decode a frame, run the same model on it (MediaPipe's default: one thread), next
                  frame (the plain loop);
  mp.solutions    the same serial loop through MediaPipe's legacy ``mp.solutions.pose`` (same model
                  weights, what a plain MediaPipe checker runs);
  analyze         the whole ``formcheck analyze CLIP -e EXERCISE --no-cache`` process, start-up included
                  (decode, pose, back shape where the spec reads it, engine, review, printing);
(with --baseline DIR, also the analyze process of the checkout in DIR, e.g. a worktree of the commit
before a change), and analyze / serial loop. Each figure is the median of --repeat runs, interleaved, so a busy
machine slows all of them alike.

With --folder, also the folder command on 8 labelled squat clips (720p and 1080p, 4.8-16.7 s):
`formcheck analyze DIR --jobs 1` against `--jobs N` (N = the cores), with the CPU each run used.

  .venv/bin/python benchmarks/speed.py [--repeat 3] [--folder] [CLIP ...]

By default it times the shipped sample, two 720p and two 1080p clips from ../shared/clips.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from formcheck.folder import default_jobs
from formcheck.pose import MediaPipePoseEstimator, PoseSettings, default_bundle
from formcheck.pose.estimator import threads_per_job
from formcheck.sources import open_source

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIPS = [
    (ROOT / "samples/squat_side.mp4", "squat"),  # 360x640
    (ROOT.parent / "shared/clips/Pichayanon-FiT-AI/squat_correct_7.mp4", "squat"),  # 1280x720
    (ROOT.parent / "shared/clips/luizfcharry-MrPose/squat.mp4", "squat"),  # 1280x720
    (ROOT.parent / "shared/clips/mattiolato98-deadlift-visual-analyzer/Good/000001.mp4", "hip_hinge"),  # 1920x1080
    (ROOT.parent / "shared/clips/TomNotchYmk-lightweight-human-pose-estimation-3d-demo.pytorch/plank.mp4", "squat"),  # 1920x1080
]
# The folder figure: 8 labelled squat clips from four sources.
FOLDER_CLIPS = [
    ROOT.parent / "shared/clips" / name for name in (
        "Pichayanon-FiT-AI/squat_correct_1.mp4", "Pichayanon-FiT-AI/squat_correct_7.mp4",
        "Pichayanon-FiT-AI/squat_incorrect_4.mp4", "luizfcharry-MrPose/squat.mp4",
        "844247707-png-power-pwa/squat_correct_reps.mp4", "rohanx01-Squat-Analysis-Model/squat.mp4",
        "isilunveren-form-guard/squat_bad_correct_half.mp4", "Pichayanon-FiT-AI/squat_correct_2.mp4",
    )
]
DECODED_AT_ONCE = 64  # frames held in memory for the model-alone figure (a 1080p frame is 6 MB)


def model_alone_s(path: Path) -> float:
    """Seconds the pose model spends on every frame, the frames decoded and prepared (enlarged) beforehand."""
    estimator = MediaPipePoseEstimator(default_bundle(), PoseSettings(model_threads=threads_per_job(1)))
    frames = open_source(path).frames()
    spent = 0.0
    while batch := [estimator.prepare(frame) for frame in itertools.islice(frames, DECODED_AT_ONCE)]:
        started = time.perf_counter()
        for model_input in batch:
            estimator.estimate_prepared(model_input)
        spent += time.perf_counter() - started
    estimator.close()
    return spent


def serial_loop_s(path: Path) -> float:
    """Seconds to decode every frame and run the pose model on it, one after the other."""
    estimator = MediaPipePoseEstimator(default_bundle())
    started = time.perf_counter()
    for frame in open_source(path).frames():
        estimator.estimate(frame)
    elapsed = time.perf_counter() - started
    estimator.close()
    return elapsed


def solutions_loop_s(path: Path) -> float:
    """The serial loop through MediaPipe's legacy ``mp.solutions.pose`` (the full model, as formcheck's)."""
    import mediapipe as mp

    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        started = time.perf_counter()
        for frame in open_source(path).frames():
            pose.process(frame.image)
        return time.perf_counter() - started


def analyze_process_s(command: list[str], checkout: Path = ROOT) -> float:
    """Wall seconds of a whole ``formcheck`` process (the one in ``checkout``), start-up included."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "formcheck", *command], cwd=checkout, capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONPATH": str(checkout)})
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: a clip of a folder could not be read, which the table shows
        raise SystemExit(f"formcheck {' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def median_s(measures: list[Callable[[], float]], repeat: int) -> list[float]:
    """Each measure's median over ``repeat`` rounds, the measures interleaved within a round."""
    rounds = [[measure() for measure in measures] for _ in range(repeat)]
    return [statistics.median(column) for column in zip(*rounds, strict=True)]


def clip_table(clips: list[tuple[Path, str]], repeat: int, baseline: Path | None) -> None:
    print(f"{'':55s}| frames/s")
    print(
        f"{'clip':28s} {'size':>10s} {'frames':>6s} {'video s':>7s} | {'model alone':>11s} "
        f"{'serial loop':>11s} {'mp.solutions':>12s} {'analyze':>8s}" + (f" {'baseline':>8s}" if baseline else "")
        + f" | {'analyze/serial':>14s} {'x real time':>11s}"
    )
    for path, exercise in clips:
        source = open_source(path)
        frames = sum(1 for _ in source.frames())
        info = source.info
        command = ["analyze", str(path), "-e", exercise, "--no-cache"]
        measures: list[Callable[[], float]] = [partial(model_alone_s, path), partial(serial_loop_s, path), partial(solutions_loop_s, path),
                    partial(analyze_process_s, command)]
        if baseline is not None:
            measures.append(partial(analyze_process_s, command, baseline))
        alone, serial, solutions, analyze, *before = median_s(measures, repeat)
        print(
            f"{path.name[:28]:28s} {info.width:>4d}x{info.height:<5d} {frames:6d} {info.duration_s:7.1f} | "
            f"{frames / alone:11.1f} {frames / serial:11.1f} {frames / solutions:12.1f} {frames / analyze:8.1f}"
            + "".join(f" {frames / seconds:8.1f}" for seconds in before)
            + f" | {serial / analyze:14.2f} {info.duration_s / analyze:11.2f}"
        )


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``): the folder's clips run in
    the forkserver's children, which no rusage of this process counts; on an idle machine the difference
    is what the run used."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_s(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds the machine spent meanwhile) of one ``formcheck`` process."""
    before = machine_busy_s()
    wall = analyze_process_s(command)
    return wall, machine_busy_s() - before


def folder_table(clips: list[Path], repeat: int) -> None:
    """The folder command on links to the clips, one job against one per core (all as squats: the
    exercise changes the engine's small share, not the pose model's)."""
    jobs = default_jobs()
    with tempfile.TemporaryDirectory() as folder:
        for path in clips:
            os.symlink(path, Path(folder) / f"{path.parent.name}_{path.name}")  # two sources name theirs squat.mp4
        frames = sum(sum(1 for _ in open_source(path).frames()) for path in clips)
        runs: dict[int, list[tuple[float, float]]] = {count: [] for count in (1, jobs)}
        for _ in range(repeat):
            for count, measured in runs.items():
                measured.append(process_cpu_s(["analyze", folder, "-e", "squat", "--no-cache", "--jobs", str(count)]))
    print(f"\nfolder of {len(clips)} clips, {frames} frames, median of {repeat}:")
    walls: dict[int, float] = {}
    for count, measured in runs.items():
        wall = statistics.median(w for w, _ in measured)
        cpu = statistics.median(c for _, c in measured)
        walls[count] = wall
        print(f"  --jobs {count}: {wall:.1f} s ({frames / wall:.1f} frames/s), machine CPU {cpu:.1f} s "
              f"({cpu / len(clips):.2f} s a clip, {cpu / wall:.2f} cores busy)")
    print(f"  --jobs {jobs} is {walls[1] / walls[jobs]:.2f}x --jobs 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clips", nargs="*", type=Path, help="clips to time, as squats (default: the README's)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each figure; the median is printed")
    parser.add_argument("--folder", action="store_true", help="also time the folder command, --jobs 1 against one per core")
    parser.add_argument("--folder-only", action="store_true", help="time only the folder command")
    parser.add_argument("--baseline", type=Path, help="also time `formcheck analyze` from this checkout (another commit)")
    args = parser.parse_args()
    clips = [(path, "squat") for path in args.clips] or DEFAULT_CLIPS
    missing = [path for path, _ in clips if not path.exists()]
    for path in missing:
        print(f"{path}: missing, skipped")
    clips = [(path, exercise) for path, exercise in clips if path not in missing]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start, median of {args.repeat}\n")
    if not args.folder_only:
        clip_table(clips, args.repeat, args.baseline)
    if args.folder or args.folder_only:
        folder_clips = [path for path in FOLDER_CLIPS if path.exists()]
        folder_table(folder_clips, args.repeat)


if __name__ == "__main__":
    main()
