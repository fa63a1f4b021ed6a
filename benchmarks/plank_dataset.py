"""The plank spec's checks against a fixed-threshold rule on the Exercise-Correction plank landmarks.

Per frame (the rows have no time between them): precision and recall of hips_high (label H) and
hips_sagging (label L), and how many correct frames (label C) were flagged with anything, for
    * spec: exercise_specs/plank.yaml's checks (see formcheck/plank_dataset.py for how a row becomes a
      frame and what "the check's condition holds" means);
    * baseline N: shoulder-hip-ankle angle under N degrees = not straight, sag or pike by the side of
      the line (N = 170 and 160).
Both files are run at the assumed 16:9 frame and, as a sensitivity check, at 4:3.

    .venv/bin/python benchmarks/plank_dataset.py [DATA_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from formcheck.plank_dataset import FAULTS, RuleScores, evaluate, load_rows
from formcheck.specs import load_spec

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "exercise-correction"
FILES = ("plank_test.csv", "plank_kaggle.csv")
FRAMES = {"16:9": (1280, 720), "4:3": (960, 720)}


def _ratio(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def _line(name: str, scores: RuleScores) -> str:
    cells = []
    for fault in FAULTS:
        score = scores.faults[fault]
        cells.append(f"{_ratio(score.precision):>6s} {_ratio(score.recall):>6s}")
    flagged = f"{scores.correct_frames_flagged}/{scores.correct_frames}"
    return f"  {name:14s} " + "   ".join(cells) + f"   {flagged:>9s}"


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR
    spec = load_spec("plank")
    for file_name in FILES:
        path = data_dir / file_name
        if not path.is_file():
            print(f"{path}: not found")
            continue
        for frame_name, image_wh in FRAMES.items():
            rows = load_rows(path, image_wh)
            counts = {label: sum(1 for row in rows if row.label == label) for label in "CHL"}
            print(f"{file_name} ({len(rows)} frames: C {counts['C']}, H {counts['H']}, L {counts['L']}), frame {frame_name}")
            print(f"  {'rule':14s} {'hips_high':>13s}   {'hips_sagging':>13s}   {'C flagged':>9s}")
            print(f"  {'':14s} {'prec':>6s} {'recall':>6s}   {'prec':>6s} {'recall':>6s}")
            print(_line("spec", evaluate(rows, spec)["spec"]))
            for degrees in (170.0, 160.0):
                print(_line(f"baseline {degrees:.0f}", evaluate(rows, spec, baseline_deg=degrees)["baseline"]))
            print()


if __name__ == "__main__":
    main()
