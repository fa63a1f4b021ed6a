"""Dependencies as named types, so handler signatures read as what they use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from formcheck.api.jobs import JobStore
from formcheck.api.settings import Settings
from formcheck.store.accounts import trainer_by_token
from formcheck.store.database import Database
from formcheck.store.errors import NotSignedInError
from formcheck.store.models import Trainer

TOKEN_COOKIE = "formcheck_token"


def get_settings(connection: HTTPConnection) -> Settings:
    """The settings the app was built with (HTTP and WebSocket routes alike)."""
    settings: Settings = connection.app.state.settings
    return settings


def get_jobs(connection: HTTPConnection) -> JobStore:
    """The app's job store."""
    jobs: JobStore = connection.app.state.jobs
    return jobs


def get_session(connection: HTTPConnection) -> Iterator[Session]:
    """A database session for one request."""
    database: Database = connection.app.state.database
    with database.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
JobStoreDep = Annotated[JobStore, Depends(get_jobs)]
SessionDep = Annotated[Session, Depends(get_session)]


def current_trainer(connection: HTTPConnection, session: SessionDep) -> Trainer | None:
    """The signed-in trainer (``Authorization: Bearer <token>`` or the sign-in cookie), None when anonymous.

    Raises:
        NotSignedInError: a token is sent but signs nobody in.
    """
    authorization = connection.headers.get("authorization", "")
    token = authorization[len("bearer "):] if authorization.lower().startswith("bearer ") else None
    token = token or connection.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    trainer = trainer_by_token(session, token)
    if trainer is None:
        raise NotSignedInError("the sign-in token is not valid (a trainer's token is printed by `formcheck trainers add`)")
    return trainer


OptionalTrainerDep = Annotated[Trainer | None, Depends(current_trainer)]


def signed_in_trainer(trainer: OptionalTrainerDep) -> Trainer:
    if trainer is None:
        raise NotSignedInError("sign in first: a trainer's token as `Authorization: Bearer <token>`, or on /trainer")
    return trainer


TrainerDep = Annotated[Trainer, Depends(signed_in_trainer)]
