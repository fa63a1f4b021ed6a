"""Trainers' judgements as labelled clips in the formcheck.labels/1 format, for ``formcheck eval --labels``.

An export folder holds ``clips.yaml`` and ``videos/`` beside it, each clip's path relative to the folder, so
``formcheck eval --labels DIR/clips.yaml --clips DIR`` scores the checks against what the trainer said. A clip
is exported once its trainer judged at least one of its faults: only then does it say more than the checks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from formcheck.review.schema import Review
from formcheck.specs import load_spec
from formcheck.store.judgements import labelled_faults
from formcheck.store.models import Analysis, Client, Judgement, Trainer

LABELS_FILE = "clips.yaml"
VIDEOS_DIR = "videos"


def _place(video: Path, target: Path) -> None:
    """Link the video into the export (no copy of a large file), copying where a link cannot be made."""
    if target.exists():
        return
    try:
        os.link(video, target)
    except OSError:
        shutil.copy2(video, target)


def _clip(row: Analysis, client: Client) -> dict[str, Any]:
    review = Review.model_validate(row.review)
    spec = load_spec(row.exercise)
    faults = labelled_faults(review, row.judgements)
    notes = "; ".join(f"{j.verdict} {j.fault_id}: {j.note}" for j in row.judgements if j.note)
    return {
        "path": f"{VIDEOS_DIR}/{Path(row.video).name}",
        "activity": spec.title.lower(),
        "catalogue_exercise": row.exercise,
        "view": spec.views[0],  # the view the exercise is filmed from; the trainer does not label it
        "side": None,
        "reps": review.rep_count,
        "partial_reps": 0,
        "form": "incorrect" if faults else "correct",
        "faults": faults,
        "notes": f"client {client.name}, session {row.session_date}, analysis {row.id}" + (f"; {notes}" if notes else ""),
    }


def export_labels(session: Session, trainer: Trainer, folder: Path, client: Client | None = None) -> int:
    """Write the trainer's judged clips (of one client, or all) into ``folder``; returns how many clips."""
    query = (
        select(Analysis, Client).join(Client, Analysis.client_id == Client.id)
        .where(Client.trainer_id == trainer.id, Analysis.status == "done")
        .where(Analysis.id.in_(select(Judgement.analysis_id)))
        .order_by(Analysis.session_date, Analysis.created_at)
    )
    if client is not None:
        query = query.where(Client.id == client.id)
    (folder / VIDEOS_DIR).mkdir(parents=True, exist_ok=True)
    clips = []
    for row, owner in session.execute(query):
        clips.append(_clip(row, owner))
        _place(Path(row.video), folder / VIDEOS_DIR / Path(row.video).name)
    document = {"schema": "formcheck.labels/1", "clips": clips}
    (folder / LABELS_FILE).write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return len(clips)
