"""Does a clip's review survive what an unseen clip would do to it? Re-encode, mirror and shrink
every labelled clip and evaluate the copies against the same labels.

    .venv/bin/python benchmarks/robustness.py [--work DIR]

* ``copy``: decoded and re-encoded (H.264, CRF 20) with the same timestamps; the pose model
  sees slightly different pixels, as it would from another phone or upload path.
* ``mirror``: the same, flipped left to right; the person faces the other way. Labels that
  name a side (per-side counts) do not apply to the mirror and are not read from its figures.
* ``half``: the same at half the width and height, as from an older phone or a shrunk upload.

The copies go to ``--work`` (default ``/tmp/formcheck-robustness``) and are made once; the
pose cache makes a second run fast. Prints the evaluation's overall figures for the labelled
clips and each copy, and the clips whose count or faults differ from the originals'.
Still images and GIFs are left out (they are not re-encoded).
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import yaml

from formcheck.evaluation import evaluate, load_labels
from formcheck.sources import open_source

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".webm", ".mkv"}
MS = Fraction(1, 1000)
VARIANTS = ("copy", "mirror", "half")


def write_copy(source_path: Path, target: Path, variant: str) -> None:
    """Re-encode ``source_path`` (upright, timestamps kept to the millisecond) to ``target``."""
    source = open_source(source_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.mp4")
    width, height = source.info.width, source.info.height
    if variant == "half":  # even sizes, as H.264 in yuv420p needs
        width, height = width // 4 * 2, height // 4 * 2
    with av.open(str(partial), "w") as container:
        stream = container.add_stream("libx264", rate=1000)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast", "bf": "0"}
        last_pts = -1
        for frame in source.frames():
            image = frame.image
            if variant == "mirror":
                image = np.ascontiguousarray(image[:, ::-1])
            elif variant == "half":
                image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
            video_frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            last_pts = max(round(frame.t_s * 1000), last_pts + 1)
            video_frame.pts, video_frame.time_base = last_pts, MS
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    partial.rename(target)


def make_copies(labels: list[dict[str, Any]], clips: Path, work: Path) -> dict[str, Path]:
    """Write each variant of each labelled video (``labels`` holds videos only) once."""
    roots = {variant: work / variant for variant in VARIANTS}
    for label in labels:
        path = clips / label["path"]
        if not path.is_file():
            continue
        for name, root in roots.items():
            target = root / label["path"]
            if not target.exists():
                write_copy(path, target, name)
    return roots


def overall_line(name: str, metrics: dict[str, Any]) -> str:
    overall = metrics["overall"]
    return (
        f"{name:8s} clips {overall['clips']:3d}  count ok {overall['count_within_tolerance']:.3f}  "
        f"off<=1 {overall['count_off_by_at_most_one']:.3f}  fault precision {overall['fault_precision']:.2f} "
        f"({overall['faults_reported']})  recall {overall['fault_recall']:.2f} ({overall['faults_labelled']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=SHARED / "labels/clips.yaml")
    parser.add_argument("--clips", type=Path, default=SHARED / "clips")
    parser.add_argument("--work", type=Path, default=Path("/tmp/formcheck-robustness"))
    args = parser.parse_args()
    labels = [label for label in load_labels(args.labels) if Path(label["path"]).suffix.lower() in VIDEO_SUFFIXES]
    roots = make_copies(labels, args.clips, args.work)
    video_labels = args.work / "video-labels.yaml"  # the same labels, videos only, for every run
    video_labels.write_text(yaml.safe_dump({"schema": "formcheck.labels/1", "clips": labels}), encoding="utf-8")
    results = {"original": evaluate(video_labels, args.clips)}
    results.update({name: evaluate(video_labels, root) for name, root in roots.items()})
    for name, metrics in results.items():
        print(overall_line(name, metrics))
    original = {clip["path"]: clip for clip in results["original"]["clips"]}
    for name in roots:
        for clip in results[name]["clips"]:
            before = original[clip["path"]]
            if (clip["within_tolerance"], clip["false_faults"]) != (before["within_tolerance"], before["false_faults"]):
                print(f"  {name}: {clip['path']}: counted {clip['counted']} (original {before['counted']}, "
                      f"labelled {clip['labelled_reps']}+{clip['partial_reps']}), false faults {clip['false_faults']}")


if __name__ == "__main__":
    main()
