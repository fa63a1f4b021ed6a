"""A client's trends per exercise, one point per analysed session, from the stored reviews."""

from __future__ import annotations

import datetime as dt
from statistics import median

from pydantic import BaseModel, Field

from formcheck.review.schema import Review


class SessionPoint(BaseModel):
    analysis: str
    date: dt.date
    reps: int
    clean_share: float | None = Field(description="clean reps over reps counted (null: no reps)")
    fault_rates: dict[str, float] = Field(description="fault id -> share of the reps it was flagged in")
    range_reached: float | None = Field(description="median swing of the rep metric (depth or range), in its unit")


def session_point(analysis: str, date: dt.date, review: Review) -> SessionPoint:
    reps = review.rep_count
    rates: dict[str, float] = {}
    if reps:
        for fault_id in sorted({fault.id for rep in review.reps for fault in rep.faults}):
            rates[fault_id] = round(sum(any(f.id == fault_id for f in rep.faults) for rep in review.reps) / reps, 3)
    return SessionPoint(
        analysis=analysis, date=date, reps=reps,
        clean_share=round(review.summary.clean_reps / reps, 3) if reps else None, fault_rates=rates,
        range_reached=round(median(rep.range for rep in review.reps), 2) if review.reps else None,
    )


def trends(sessions: list[tuple[str, dt.date, Review]]) -> dict[str, list[SessionPoint]]:
    """Exercise id -> its sessions' points, oldest first."""
    by_exercise: dict[str, list[SessionPoint]] = {}
    for analysis, date, review in sorted(sessions, key=lambda session: session[1]):
        by_exercise.setdefault(review.exercise, []).append(session_point(analysis, date, review))
    return by_exercise
