"""Shared fixtures: the shared data folder (clips, images, labels) and the shipped specs.

The shared data lives beside the repository (``../shared``); tests that need it skip with a
reason when it is absent, so the unit tests still run on a bare checkout.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TESTS = Path(__file__).resolve().parent
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# ``from helpers import ...`` works from every test folder.
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


FAULTY_SQUAT = "Pichayanon-FiT-AI/squat_incorrect_4.mp4"  # its path in the labels


@pytest.fixture(scope="module", autouse=True)
def module_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A module's services (a server a module's tests share) keep their database and videos in the module's
    own folder, never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORMCHECK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's own service keeps its database and videos in the test's own folder."""
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))


POSTGRES_URL_VARIABLE = "FORMCHECK_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, and a PostgreSQL database created on the server that
    ``FORMCHECK_TEST_POSTGRES_URL`` names (``.ci/run`` starts one) and dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'formcheck.sqlite3'}"
        return
    server = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_URL_VARIABLE} (e.g. postgresql+psycopg://user@127.0.0.1:5432/postgres); .ci/run does")
    name = f"formcheck_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _shared_file(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"shared data not available: {path} (clone the shared data beside the repository)")
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder; skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def squat_clip() -> Path:
    """A front-view bodyweight squat, 2 labelled reps, 3.8 s at 30 fps, 360x640."""
    return _shared_file("clips/Pichayanon-FiT-AI/squat_correct_5.mp4")


@pytest.fixture(scope="session")
def faulty_squat() -> Path:
    """A side-on squat with faults in every rep: 3 labelled reps, all shallow and leaning forward, 8.9 s, 202x360."""
    return _shared_file(f"clips/{FAULTY_SQUAT}")


@pytest.fixture(scope="session")
def bird_dog_gif() -> Path:
    """An animated GIF (42 frames, 10 fps, 700x700)."""
    return _shared_file("clips/Goondoc08-Chloe-Workout/bird-dog.gif")


@pytest.fixture(scope="session")
def bridge_image() -> Path:
    """A still photo of a glute bridge (850x567 JPEG)."""
    return _shared_file("images/Bridge/Butt_Lift_Bridge_0.jpg")
