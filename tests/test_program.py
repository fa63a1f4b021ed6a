"""Programs: the shipped session files load against the catalogue; bad ones fail with a path."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.errors import SpecError
from formcheck.program import ProgramEntry, load_program

PROGRAMS = sorted((Path(__file__).resolve().parents[1] / "programs").glob("*.yaml"))


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_shipped_programs_load(path: Path) -> None:
    program = load_program(path)
    assert program.exercises


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\ndescription: y\nexercises:\n  - {exercise: squatt, reps: [8, 12]}\n",
         "exercises[0].exercise: unknown exercise 'squatt'"),
        ("name: x\ndescription: y\nexercises:\n  - {exercise: squat}\n", "exercises[0]: give reps or hold_s"),
        ("name: x\ndescription: y\nexercises:\n  - {exercise: squat, reps: [8, 12], colour: red}\n",
         "exercises[0].colour: Extra inputs are not permitted"),
        ("name: x\nexercises: [\n", "not valid YAML"),
    ],
)
def test_bad_programs_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as error:
        load_program(path)
    assert str(error.value) == f"{path}: {message}" or str(error.value).endswith(message)


@pytest.mark.parametrize(
    ("entry", "dose"),
    [
        ({"exercise": "squat", "sets": 3, "reps": (8, 12)}, "3 x 8-12 reps"),
        ({"exercise": "bird_dog", "sets": 2, "reps": (10, 10), "per_side": True}, "2 x 10 reps per side"),
        ({"exercise": "hamstring_stretch", "hold_s": (30, 60), "per_side": True}, "1 x 30-60 s hold per side"),
    ],
)
def test_dose_reads_like_a_prescription(entry: dict, dose: str) -> None:
    assert ProgramEntry(**entry).dose() == dose


def test_program_command_shows_the_plan() -> None:
    result = CliRunner().invoke(app, ["program", str(PROGRAMS[0])])
    assert result.exit_code == 0, result.output
    assert "reps" in result.output or "hold" in result.output
