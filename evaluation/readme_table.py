"""Print the README's accuracy table from evaluation/metrics.json (written by ``formcheck eval``).

    .venv/bin/python evaluation/readme_table.py [evaluation/metrics.json]

Paste the output over the tables under "Accuracy" in README.md: the leave-one-source-out fault figures
(the headline), then the in-sample table of every figure.
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


def proportion(figure: dict[str, Any]) -> str:
    """``0.85 (17/20, 0.64-0.95)``: rate, count and 95 % Wilson interval."""
    if not figure["n"]:
        return "-"
    low, high = figure["ci95"]
    return f"{figure['rate']:.2f} ({figure['k']}/{figure['n']}, {low:.2f}-{high:.2f})"


LOSO_KEYS = ("count_within_tolerance", "count_off_by_at_most_one", "fault_precision", "fault_recall")
LOSO_HEADER = "| group | clips | count ok | off by <= 1 | fault precision | fault recall |"


def _loso_rows(table_: dict[str, Any], names: dict[str, str]) -> list[str]:
    rows = [("**all**", table_["overall"])]
    rows += [(names.get(name, name), figures) for name, figures in table_["by_exercise"].items()]
    rows += [(f"view: {name}", figures) for name, figures in table_["by_view"].items()]
    rows += [
        (f"fault: {name} ({'refit' if figures['refit'] else 'fixed'})", figures)
        for name, figures in table_["by_fault"].items()
    ]
    return ["| " + " | ".join([name, str(f["clips"])] + [proportion(f[key]) for key in LOSO_KEYS]) + " |" for name, f in rows]


def loso_tables(metrics: dict[str, Any]) -> str:
    """The out-of-source table, the in-sample one over the same clips, and the held-out sources' line."""
    loso = metrics["loso"]
    names = {"wrong_exercise": "wrong exercise (must count 0)"}
    rule = "| " + " | ".join(["---"] * 6) + " |"
    held = loso["held_out"]["overall"]
    return "\n".join([
        "Out of source (each source group scored with the fitted thresholds refitted on the other groups):",
        "",
        LOSO_HEADER, rule, *_loso_rows(loso["out_of_source"], names),
        "",
        "In sample (the same clips, thresholds fitted on all of them):",
        "",
        LOSO_HEADER, rule, *_loso_rows(loso["in_sample"], names),
        "",
        (f"Held-out test source{'s' if len(loso['held_out_sources']) > 1 else ''} "
        f"({', '.join(loso['held_out_sources'])}, {held['clips']} clips, in no fit): count ok "
        f"{proportion(held['count_within_tolerance'])}, fault precision {proportion(held['fault_precision'])}, "
        f"fault recall {proportion(held['fault_recall'])}."),
    ])


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "metrics.json"
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if "loso" in loaded:
        print(loso_tables(loaded))
        print()
    print(table(loaded))
