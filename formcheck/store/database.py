"""Open the database named by a SQLAlchemy URL and bring its schema up to date with Alembic."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from formcheck.errors import FormcheckError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x666F726D  # any fixed number: PostgreSQL's advisory lock for formcheck's migrations
SQLITE_BUSY_TIMEOUT_S = 30  # analyses finishing together wait for each other's write, not fail


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite: without it no delete cascades
    cursor.close()


class Database:
    """An engine and its session factory. ``sqlite://`` (no path) is a private in-memory database."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise FormcheckError(f"FORMCHECK_DATABASE_URL: not a database URL: {url!r}") from None
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            options["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
            if parsed.database in (None, "", ":memory:"):
                options["poolclass"] = StaticPool  # one connection, or each would see its own empty database
            else:
                Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.url = parsed
        self.engine: Engine = create_engine(parsed, **options)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.session: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (a new database gets every table).

        Raises:
            FormcheckError: the database cannot be reached, naming it without its password.
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self._migration_lock(), self.engine.begin() as connection:
                if self.url.get_backend_name() == "postgresql":
                    # Held to the end of this transaction: the API and every worker start together on a new
                    # database, and the second to arrive waits here, then finds the schema done.
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as error:
            where = self.url.render_as_string(hide_password=True)
            raise FormcheckError(f"cannot open the database {where}: {str(error.orig).strip().splitlines()[0]}") from None

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """For a SQLite file, a lock file beside it, so that processes migrating at once take turns (SQLite
        would fail the second writer of a transaction that began by reading); nothing for other databases."""
        path = self.url.database if self.url.get_backend_name() == "sqlite" else None
        if path in (None, "", ":memory:"):
            yield
            return
        with open(f"{path}.migrate-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """The database at ``url``, migrated to the newest schema."""
    database = Database(url)
    database.migrate()
    return database
