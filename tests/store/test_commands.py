"""`formcheck trainers` and `formcheck labels export`: the CLI's doors onto the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from helpers import source_info, squat_frames
from typer.testing import CliRunner

from formcheck.api.settings import load_settings
from formcheck.cli import app
from formcheck.engine import analyze_poses
from formcheck.specs import load_spec
from formcheck.store.accounts import add_client, trainer_by_name, trainer_by_token
from formcheck.store.database import Database, open_database
from formcheck.store.errors import InvalidRecordError
from formcheck.store.judgements import add_judgement
from formcheck.store.models import Analysis

runner = CliRunner()


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("FORMCHECK_DATABASE_URL", database_url)
    return open_database(database_url)


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def test_trainers_add_prints_the_token_once_and_stores_its_hash(database: Database) -> None:
    added = runner.invoke(app, ["trainers", "add", "Ana"])
    again = runner.invoke(app, ["trainers", "add", "Ana"])
    listed = runner.invoke(app, ["trainers", "list"])

    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    with database.session() as session:
        trainer = trainer_by_token(session, token)
        assert trainer is not None and trainer.name == "Ana" and token not in trainer.token_sha256
    assert again.exit_code == 1 and one_error_line(again.stderr) == "error: a trainer named 'Ana' already exists"
    assert listed.stdout.split() == ["Ana"]


def test_labels_export_writes_a_trainers_judged_clips(database: Database, tmp_path: Path) -> None:
    assert runner.invoke(app, ["trainers", "add", "Ana"]).exit_code == 0
    frames = squat_frames(3, depth_deg=135.0, hip_per_knee=1.1)
    review = analyze_poses(frames, load_spec("squat"), source_info(frames))
    video = tmp_path / ("ab" * 32 + ".mp4")
    video.write_bytes(b"clip")
    with database.session() as session:
        client = add_client(session, trainer_by_name(session, "Ana"), "Carla")
        session.add(Analysis(id="c" * 32, client_id=client.id, exercise="squat", session_date=dt.date(2026, 11, 3),
                             video=str(video), status="done", review=review.model_dump(mode="json", by_alias=True)))
        session.commit()
        add_judgement(session, "c" * 32, review, "dismiss", "forward_lean", rep=1)

    exported = runner.invoke(app, ["labels", "export", str(tmp_path / "out"), "--trainer", "Ana"])

    assert exported.exit_code == 0, exported.output
    [clip] = yaml.safe_load((tmp_path / "out" / "clips.yaml").read_text(encoding="utf-8"))["clips"]
    assert clip["faults"] == [{"id": "forward_lean", "reps": [2, 3]}]
    assert (tmp_path / "out" / clip["path"]).read_bytes() == b"clip"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trainer", "Nobody"], "error: no trainer named 'Nobody'"),
        (["--trainer", "Ana", "--client", "99"], "error: no client with id 99"),
    ],
)
def test_labels_export_names_what_it_cannot_find(database: Database, tmp_path: Path, args: list[str], message: str) -> None:
    assert runner.invoke(app, ["trainers", "add", "Ana"]).exit_code == 0

    result = runner.invoke(app, ["labels", "export", str(tmp_path / "out"), *args])

    assert result.exit_code == 1 and one_error_line(result.stderr) == message


def test_the_database_defaults_to_a_sqlite_file_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)

    assert load_settings().database == f"sqlite:///{tmp_path / 'data' / 'formcheck.sqlite3'}"
    assert runner.invoke(app, ["trainers", "add", "Ana"]).exit_code == 0
    assert (tmp_path / "data" / "formcheck.sqlite3").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "error: FORMCHECK_DATABASE_URL: not a database URL: 'not a url'"),
        ("postgresql+psycopg://someone:secret@127.0.0.1:1/formcheck", "error: cannot open the database postgresql+psycopg://someone:***@127.0.0.1:1/formcheck:"),
    ],
)
def test_a_bad_database_url_is_one_line_without_the_password(monkeypatch: pytest.MonkeyPatch, url: str, message: str) -> None:
    monkeypatch.setenv("FORMCHECK_DATABASE_URL", url)

    result = runner.invoke(app, ["trainers", "list"])

    assert result.exit_code == 1
    assert one_error_line(result.stderr).startswith(message)
    assert "secret" not in result.stderr


def test_an_empty_name_is_refused(database: Database) -> None:
    result = runner.invoke(app, ["trainers", "add", "  "])

    assert result.exit_code == 1 and one_error_line(result.stderr) == f"error: {InvalidRecordError('a trainer needs a name')}"
