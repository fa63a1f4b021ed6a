"""The storage layer on SQLite and on PostgreSQL: schema, trainers and tokens, clients, judgements, labels."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers import source_info, squat_frames
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from formcheck.engine import analyze_poses
from formcheck.review.schema import Review
from formcheck.specs import load_spec
from formcheck.store.accounts import add_client, add_trainer, client_of, clients, trainer_by_token
from formcheck.store.database import Database, open_database
from formcheck.store.errors import InvalidRecordError, NotFoundError
from formcheck.store.history import trends
from formcheck.store.judgements import add_judgement, labelled_faults
from formcheck.store.labels import export_labels
from formcheck.store.models import Analysis, Base, Trainer


@pytest.fixture(scope="module")
def leaning_review() -> Review:
    """Three synthetic side-view squats, each flagged forward_lean (the trunk leans 61 degrees)."""
    frames = squat_frames(3, depth_deg=135.0, hip_per_knee=1.1)
    return analyze_poses(frames, load_spec("squat"), source_info(frames))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    opened = open_database(database_url)
    yield opened
    opened.close()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as session:
        yield session


def _analysis(session: Session, client_id: int, review: Review, video: Path, date: dt.date) -> Analysis:
    row = Analysis(
        id=f"{client_id:04d}{date:%Y%m%d}".ljust(32, "0"), client_id=client_id, exercise="squat", session_date=date,
        filename="set.mp4", video=str(video), status="done", review=review.model_dump(mode="json", by_alias=True),
    )
    session.add(row)
    session.commit()
    return row


def test_the_migration_creates_every_table_and_runs_again_harmlessly(database: Database) -> None:
    database.migrate()

    assert {"trainers", "clients", "analyses", "judgements", "alembic_version"} <= set(inspect(database.engine).get_table_names())


def test_processes_that_start_together_on_a_new_database_migrate_it_in_turn(database_url: str) -> None:
    """The API and every worker open the database as they start: on a new one, all at once."""
    starting = threading.Barrier(4)
    failures: list[BaseException] = []

    def open_it() -> None:
        database = Database(database_url)
        starting.wait()
        try:
            database.migrate()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    database = Database(database_url)
    assert {"trainers", "clients", "analyses", "judgements"} <= set(inspect(database.engine).get_table_names())
    database.close()


def test_the_migrations_build_exactly_the_models_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == [], "a model changed without a migration (add one under formcheck/store/migrations/versions)"


def test_a_trainer_signs_in_with_the_token_shown_once_which_is_stored_hashed(session: Session) -> None:
    trainer, token = add_trainer(session, "  Ana   Lopez ")

    assert trainer.name == "Ana Lopez"
    assert len(token) >= 40 and token not in trainer.token_sha256
    found = trainer_by_token(session, token)
    assert found is not None and found.id == trainer.id
    assert trainer_by_token(session, token + "x") is None


@pytest.mark.parametrize(("name", "message"), [("", "a trainer needs a name"), ("x" * 201, "at most 200 characters")])
def test_a_bad_trainer_name_is_refused(session: Session, name: str, message: str) -> None:
    with pytest.raises(InvalidRecordError, match=message):
        add_trainer(session, name)


def test_a_taken_trainer_name_is_refused(session: Session) -> None:
    add_trainer(session, "Ana")

    with pytest.raises(InvalidRecordError, match="a trainer named 'Ana' already exists"):
        add_trainer(session, "Ana")


def test_a_trainer_sees_only_their_own_clients(session: Session) -> None:
    ana, _ = add_trainer(session, "Ana")
    ben, _ = add_trainer(session, "Ben")
    anas = add_client(session, ana, "Carla")
    add_client(session, ben, "Dario")

    assert [client.name for client in clients(session, ana)] == ["Carla"]
    assert client_of(session, ana, anas.id).name == "Carla"
    with pytest.raises(NotFoundError, match=f"no client with id {anas.id}"):
        client_of(session, ben, anas.id)


def _client_with_analysis(session: Session, review: Review, tmp_path: Path) -> tuple[Trainer, Analysis]:
    trainer, _ = add_trainer(session, "Ana")
    client = add_client(session, trainer, "Carla")
    video = tmp_path / "videos" / ("ab" * 32 + ".mp4")
    video.parent.mkdir()
    video.write_bytes(b"the clip")
    return trainer, _analysis(session, client.id, review, video, dt.date(2026, 11, 3))


@pytest.mark.parametrize(
    ("verdict", "fault_id", "where", "message"),
    [
        ("dismiss", "forward_lean", {"rep": 4}, "no forward_lean flagged in rep 4 to dismiss"),
        ("confirm", "heels_up", {"rep": 1}, "no heels_up flagged in rep 1 to confirm"),
        ("add", "wobbly_knees", {"rep": 1}, "unknown fault id 'wobbly_knees'"),
        ("add", "heels_up", {"rep": 9}, "rep 9 is not one of the 3 reps counted"),
        ("add", "heels_up", {"start_s": 2.0}, "a fault added by time needs 0 <= start_s < end_s"),
        ("add", "heels_up", {}, "a judgement places its fault by rep or by start_s"),
    ],
)
def test_a_judgement_that_names_no_fault_it_can_apply_to_is_refused(
    session: Session, leaning_review: Review, tmp_path: Path, verdict: str, fault_id: str, where: dict[str, float],
    message: str,
) -> None:
    _, analysis = _client_with_analysis(session, leaning_review, tmp_path)

    with pytest.raises(InvalidRecordError, match=message):
        add_judgement(session, analysis.id, leaning_review, verdict, fault_id, **where)  # type: ignore[arg-type]


def test_judgements_make_the_labelled_faults(session: Session, leaning_review: Review, tmp_path: Path) -> None:
    _, analysis = _client_with_analysis(session, leaning_review, tmp_path)
    add_judgement(session, analysis.id, leaning_review, "dismiss", "forward_lean", rep=2, note="long femurs: fine")
    add_judgement(session, analysis.id, leaning_review, "confirm", "forward_lean", rep=1)
    add_judgement(session, analysis.id, leaning_review, "add", "heels_up", rep=3, note="heels lift")
    add_judgement(session, analysis.id, leaning_review, "add", "knee_valgus", start_s=1.0, end_s=2.5)
    session.refresh(analysis)

    assert labelled_faults(leaning_review, analysis.judgements) == [
        {"id": "forward_lean", "reps": [1, 3]}, {"id": "heels_up", "reps": [3]}, {"id": "knee_valgus", "span": [1.0, 2.5]},
    ]


def test_the_export_writes_judged_clips_in_the_labels_format(session: Session, leaning_review: Review, tmp_path: Path) -> None:
    trainer, analysis = _client_with_analysis(session, leaning_review, tmp_path)
    other = add_client(session, trainer, "Unjudged")
    _analysis(session, other.id, leaning_review, Path(analysis.video), dt.date(2026, 11, 4))
    add_judgement(session, analysis.id, leaning_review, "dismiss", "forward_lean", rep=2, note="fine")

    assert export_labels(session, trainer, tmp_path / "export") == 1

    document = yaml.safe_load((tmp_path / "export" / "clips.yaml").read_text(encoding="utf-8"))
    assert document["schema"] == "formcheck.labels/1"
    [clip] = document["clips"]
    assert clip["path"] == f"videos/{Path(analysis.video).name}"
    assert (tmp_path / "export" / clip["path"]).read_bytes() == b"the clip"
    assert clip["catalogue_exercise"] == "squat" and clip["reps"] == 3 and clip["form"] == "incorrect"
    assert clip["faults"] == [{"id": "forward_lean", "reps": [1, 3]}]
    assert "dismiss forward_lean: fine" in clip["notes"]


def test_deleting_a_client_deletes_their_analyses_and_judgements(session: Session, leaning_review: Review, tmp_path: Path) -> None:
    trainer, analysis = _client_with_analysis(session, leaning_review, tmp_path)
    add_judgement(session, analysis.id, leaning_review, "dismiss", "forward_lean", rep=2)

    session.delete(client_of(session, trainer, analysis.client_id or 0))
    session.commit()

    assert session.get(Analysis, analysis.id) is None
    assert export_labels(session, trainer, tmp_path / "export") == 0


def test_trends_give_each_session_its_clean_share_fault_rates_and_range(leaning_review: Review) -> None:
    clean = analyze_poses(frames := squat_frames(2, depth_deg=120.0, hip_per_knee=0.95), load_spec("squat"), source_info(frames))

    points = trends([("b", dt.date(2026, 11, 10), clean), ("a", dt.date(2026, 11, 3), leaning_review)])["squat"]

    assert [point.analysis for point in points] == ["a", "b"]
    assert points[0].clean_share == 0.0 and points[0].fault_rates == {"forward_lean": 1.0}
    assert points[1].clean_share == 1.0 and points[1].fault_rates == {}
    assert points[0].range_reached is not None and points[1].range_reached is not None
    assert points[0].range_reached > points[1].range_reached  # 135 degrees of knee bend against 120
