"""Trainers, their sign-in tokens and their clients.

A token is 32 random bytes, so a plain SHA-256 of it is enough to store: there is no guessable password to
slow an attacker down on, and a lookup by hash stays one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from formcheck.store.errors import InvalidRecordError, NotFoundError
from formcheck.store.models import Client, Trainer

MAX_NAME_CHARS = 200


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidRecordError(f"a {what} needs a name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise InvalidRecordError(f"a {what}'s name is at most {MAX_NAME_CHARS} characters")
    return cleaned


def add_trainer(session: Session, name: str) -> tuple[Trainer, str]:
    """Create a trainer; returns it with its sign-in token, which is stored only as a hash (shown once)."""
    token = secrets.token_urlsafe(32)
    trainer = Trainer(name=_name(name, "trainer"), token_sha256=token_sha256(token))
    session.add(trainer)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidRecordError(f"a trainer named {trainer.name!r} already exists") from None
    return trainer, token


def trainers(session: Session) -> list[Trainer]:
    return list(session.scalars(select(Trainer).order_by(Trainer.name)))


def trainer_by_name(session: Session, name: str) -> Trainer:
    trainer = session.scalar(select(Trainer).where(Trainer.name == name))
    if trainer is None:
        raise NotFoundError(f"no trainer named {name!r}")
    return trainer


def trainer_by_token(session: Session, token: str) -> Trainer | None:
    return session.scalar(select(Trainer).where(Trainer.token_sha256 == token_sha256(token)))


def add_client(session: Session, trainer: Trainer, name: str) -> Client:
    client = Client(trainer_id=trainer.id, name=_name(name, "client"))
    session.add(client)
    session.commit()
    return client


def clients(session: Session, trainer: Trainer) -> list[Client]:
    return list(session.scalars(select(Client).where(Client.trainer_id == trainer.id).order_by(Client.name, Client.id)))


def client_of(session: Session, trainer: Trainer, client_id: int) -> Client:
    """The trainer's client; another trainer's is as unknown as one that does not exist."""
    client = session.scalar(select(Client).where(Client.id == client_id, Client.trainer_id == trainer.id))
    if client is None:
        raise NotFoundError(f"no client with id {client_id}")
    return client
