"""Load exercise specs from YAML, turning every problem into one ``SpecError`` line.

The message names the file, the path to the field and the reason, e.g.
``exercise_specs/squat.yaml: reps.min_range: Input should be greater than 0``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from formcheck.errors import SpecError, UnknownExerciseError
from formcheck.specs.models import ExerciseSpec


def default_spec_dir() -> Path:
    configured = os.environ.get("FORMCHECK_SPEC_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "exercise_specs"


def _field_path(location: tuple[int | str, ...], raw: object = None) -> str:
    """``faults[2].max_deg`` from pydantic's error location.

    Walking the raw YAML alongside drops the tag pydantic inserts for a discriminated union
    (``faults[2].turning_point.max_deg``): a part that is no key of its mapping but equals
    the mapping's ``kind``.
    """
    text = ""
    node = raw
    for part in location:
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return text


def load_spec_file(path: Path) -> ExerciseSpec:
    """Load and validate one spec file.

    Raises:
        SpecError: unreadable file, bad YAML, or a field that fails validation.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SpecError(f"{path}: not valid YAML{where}") from error
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping of fields at the top level")
    if raw.get("id") != path.stem:
        raise SpecError(f"{path}: id: must equal the file name {path.stem!r}, got {raw.get('id')!r}")
    try:
        return ExerciseSpec.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = _field_path(tuple(first["loc"]), raw)
        message = first["msg"].removeprefix("Value error, ")
        prefix = f"{location}: " if location else ""
        raise SpecError(f"{path}: {prefix}{message}") from error


@functools.lru_cache(maxsize=8)
def catalogue(spec_dir: Path | None = None) -> dict[str, ExerciseSpec]:
    """Every spec in the folder, by id, in alphabetical order."""
    folder = spec_dir or default_spec_dir()
    if not folder.is_dir():
        raise SpecError(f"{folder}: exercise spec folder not found")
    return {path.stem: load_spec_file(path) for path in sorted(folder.glob("*.yaml"))}


def load_spec(exercise_id: str, spec_dir: Path | None = None) -> ExerciseSpec:
    """The spec for one exercise id.

    Raises:
        UnknownExerciseError: no spec has that id (the message lists the known ones).
    """
    specs = catalogue(spec_dir)
    if exercise_id not in specs:
        raise UnknownExerciseError(f"unknown exercise {exercise_id!r}; choose one of: {', '.join(specs)}")
    return specs[exercise_id]
