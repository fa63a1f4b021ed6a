"""The database schema (SQLAlchemy 2 ORM). Alembic's migrations in ``migrations/versions`` create it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class Trainer(Base):
    """A sign-in: a name and the SHA-256 of the token printed once by ``formcheck trainers add``."""

    __tablename__ = "trainers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    clients: Mapped[list[Client]] = relationship(back_populates="trainer", cascade="all, delete-orphan")


class Client(Base):
    """A person a trainer follows; only that trainer sees them."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    trainer: Mapped[Trainer] = relationship(back_populates="clients")
    analyses: Mapped[list[Analysis]] = relationship(back_populates="client", cascade="all, delete-orphan")


class Analysis(Base):
    """One analysis job. A trainer's belongs to a client, an exercise and a session date and keeps its video;
    an anonymous one (no client) deletes its upload when done and is forgotten past ``jobs_kept``."""

    __tablename__ = "analyses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    exercise: Mapped[str] = mapped_column(String(64))
    session_date: Mapped[dt.date | None] = mapped_column(Date)
    filename: Mapped[str | None] = mapped_column(String(255))
    video: Mapped[str] = mapped_column(String(500), doc="the file analysed: an upload, or a kept video")
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    review: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Written (throttled) by a queue worker, so any API process can report the job; the embedded pool keeps
    # its progress in memory instead.
    progress: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    frames_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stage: Mapped[str | None] = mapped_column(String(16))
    worker: Mapped[str | None] = mapped_column(String(255), doc="the queue worker that last took the job")
    sent_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), doc="when the job was handed to the queue's broker (None: not yet, or no queue)"
    )

    client: Mapped[Client | None] = relationship(back_populates="analyses")
    judgements: Mapped[list[Judgement]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="Judgement.id"
    )


class Judgement(Base):
    """A trainer's verdict on a fault: ``confirm`` or ``dismiss`` a flagged one, or ``add`` one the checks missed.

    The fault is placed by its rep (1-based) or, for a fault outside reps, by its time span.
    """

    __tablename__ = "judgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    fault_id: Mapped[str] = mapped_column(String(64))
    rep: Mapped[int | None] = mapped_column(Integer)
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    analysis: Mapped[Analysis] = relationship(back_populates="judgements")
