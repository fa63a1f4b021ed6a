"""Words for people: the names the CLI, the annotated video and reports show instead of ids.

Fault names come from the fault vocabulary (``exercise_specs/faults.yaml``); a metric's label is its name
read aloud with its unit ("knee_bend_deg" -> "knee bend (deg)"), since metric names already say what they
are and end in their unit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from formcheck.specs.loader import FAULTS_FILE, default_spec_dir, load_fault_names

UNIT_WORDS: Final[dict[str, str]] = {"deg": "deg", "norm": "torso lengths", "ratio": "ratio", "s": "s"}


def fault_name(fault_id: str, spec_dir: Path | None = None) -> str:
    """The fault's name as a person reads it ("Knees caving in"); the id itself for one not in the vocabulary."""
    entry = load_fault_names((spec_dir or default_spec_dir()) / FAULTS_FILE).faults.get(fault_id)
    return entry.name if entry is not None else fault_id


def metric_label(metric: str) -> str:
    """A metric's name in words with its unit: "hip_above_knee_norm" -> "hip above knee (torso lengths)"."""
    stem, _, suffix = metric.rpartition("_")
    if stem and suffix in UNIT_WORDS:
        return f"{stem.replace('_', ' ')} ({UNIT_WORDS[suffix]})"
    return metric.replace("_", " ")
