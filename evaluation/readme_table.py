"""Print the README's accuracy table from evaluation/metrics.json (written by ``formcheck eval``).

    .venv/bin/python evaluation/readme_table.py [evaluation/metrics.json]

Paste the output over the table under "Accuracy" in README.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HEADER = (
    "| group | clips | count exact | count ok | off by <= 1 | rep time error s | per side exact "
    "| hold time recall / precision | fault precision (reported) | fault recall (labelled) |"
)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def row(name: str, figures: dict[str, Any]) -> str:
    recall, precision = figures["hold_time_recall"], figures["hold_time_precision"]
    holds = "-" if recall is None and precision is None else f"{_fmt(recall)} / {_fmt(precision)}"
    cells = [
        name, str(figures["clips"]), _fmt(figures["count_exact"]), _fmt(figures["count_within_tolerance"]),
        _fmt(figures["count_off_by_at_most_one"]), _fmt(figures["rep_time_mean_abs_error_s"]),
        _fmt(figures["per_side_exact"]), holds,
        f"{_fmt(figures['fault_precision'])} ({figures['faults_reported']})",
        f"{_fmt(figures['fault_recall'])} ({figures['faults_labelled']})",
    ]
    return "| " + " | ".join(cells) + " |"


def table(metrics: dict[str, Any]) -> str:
    names = {"wrong_exercise": "wrong exercise (must count 0)"}
    lines = [HEADER, "| " + " | ".join(["---"] * 10) + " |", row("**all**", metrics["overall"])]
    lines += [row(names.get(name, name), figures) for name, figures in metrics["by_exercise"].items()]
    lines += [row(f"view: {name}", figures) for name, figures in metrics["by_view"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "metrics.json"
    print(table(json.loads(path.read_text(encoding="utf-8"))))
