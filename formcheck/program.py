"""Programs: a session of exercises with their dose, run exercise by exercise.

A program file (YAML, see ``programs/``) lists exercises from the catalogue with sets and
reps or hold times. ``formcheck program FILE VIDEO...`` reviews one recording per entry and
reports each against its dose ("8 of 8-15 reps").
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from formcheck.errors import SpecError
from formcheck.specs import catalogue
from formcheck.specs.loader import _field_path
from formcheck.specs.models import Prescription


class ProgramEntry(Prescription):
    """One exercise of a session and its dose (the spec's prescription fields, required here)."""

    exercise: str
    sets: int = Field(default=1, ge=1)
    note: str = ""

    @model_validator(mode="after")
    def _has_a_dose(self) -> ProgramEntry:
        if self.reps is None and self.hold_s is None:
            raise ValueError("give reps or hold_s")
        return self

    def dose(self) -> str:
        return f"{self.sets} x {self.amount()}"


class Program(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    source: str = ""
    exercises: tuple[ProgramEntry, ...] = Field(min_length=1)


def load_program(path: Path) -> Program:
    """Load a program and check every exercise id against the catalogue.

    Raises:
        SpecError: unreadable file, bad YAML, an invalid field or an unknown exercise.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise SpecError(f"{path}: not valid YAML") from error
    try:
        program = Program.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = _field_path(tuple(first["loc"]), raw)
        raise SpecError(f"{path}: {location}: {first['msg'].removeprefix('Value error, ')}") from error
    known = catalogue()
    for index, entry in enumerate(program.exercises):
        if entry.exercise not in known:
            raise SpecError(f"{path}: exercises[{index}].exercise: unknown exercise {entry.exercise!r}")
    return program


def default_program_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "programs"


def load_programs(folder: Path) -> dict[str, Program]:
    """Every program of a folder (its ``*.yaml`` files), by file name without ``.yaml``, in name order.

    Raises:
        SpecError: the folder is missing, or a program in it does not load.
    """
    if not folder.is_dir():
        raise SpecError(f"{folder}: program folder not found")
    return {path.stem: load_program(path) for path in sorted(folder.glob("*.yaml"))}
