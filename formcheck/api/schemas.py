"""What leaves the server, per resource. The review itself is the public ``Review`` model."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from formcheck.api.jobs import Job
from formcheck.program import Program, ProgramEntry
from formcheck.review.schema import Review
from formcheck.review.words import fault_name, metric_label
from formcheck.specs import load_spec
from formcheck.specs.guide import Figure, figure, guides
from formcheck.specs.models import ExerciseSpec, Prescription
from formcheck.store.history import SessionPoint
from formcheck.store.judgements import Verdict
from formcheck.store.models import Judgement


class ExercisePublic(BaseModel):
    """One catalogue entry: enough to pick an exercise and set the camera up."""

    id: str = Field(description="pass this as `exercise` to POST /analyses and WS /ws/live")
    title: str
    description: str
    views: list[Literal["side", "front", "oblique"]] = Field(description="camera views the checks are valid for")
    camera: str = Field(description="where to put the camera, in one line")
    prescription: Prescription
    trains: str = Field(description="what the exercise trains, in a person's words (its guide)")
    start_figure: Figure = Field(description="the start position as a stick figure to draw (its guide)")

    @classmethod
    def from_spec(cls, spec: ExerciseSpec) -> ExercisePublic:
        guide = guides()[spec.id]
        return cls(
            id=spec.id, title=spec.title, description=spec.description, views=list(spec.views), camera=spec.camera,
            prescription=spec.prescription, trains=guide.trains, start_figure=figure(guide.start),
        )


class ProgramEntryPublic(ProgramEntry):
    """One exercise of a program with its dose, also in words."""

    dose_text: str = Field(description='the dose in words, e.g. "2 x 8-15 reps"')


class ProgramPublic(BaseModel):
    """A program stage (``programs/<id>.yaml``): its exercises in order, each with its dose."""

    id: str = Field(description="the file name without .yaml")
    name: str
    description: str
    source: str
    exercises: list[ProgramEntryPublic]

    @classmethod
    def from_program(cls, program_id: str, program: Program) -> ProgramPublic:
        return cls(
            id=program_id, name=program.name, description=program.description, source=program.source,
            exercises=[ProgramEntryPublic(**entry.model_dump(), dose_text=entry.dose()) for entry in program.exercises],
        )


class ReviewWords(BaseModel):
    """The review's ids as a person reads them (``formcheck.review.words``), so a page needs no vocabulary."""

    title: str = Field(description="the exercise's title")
    rep_metric: str | None = Field(description="the metric reps are counted on (a key of each rep's `metrics`)")
    rep_metric_label: str | None = Field(description='that metric in words with its unit, e.g. "knee bend (deg)"')
    faults: dict[str, str] = Field(description="fault id -> name, for every fault and check in the review")

    @classmethod
    def of(cls, review: Review) -> ReviewWords:
        spec = load_spec(review.exercise)
        rep_metric = spec.reps.metric if spec.reps is not None else None
        ids = [fault.id for fault in review.faults] + [check.id for check in review.checks]
        return cls(
            title=spec.title, rep_metric=rep_metric, rep_metric_label=metric_label(rep_metric) if rep_metric else None,
            faults={fault_id: fault_name(fault_id) for fault_id in ids},
        )


class JudgementIn(BaseModel):
    """A trainer's verdict on a fault: place it by `rep`, or by `start_s` (and `end_s` when adding)."""

    verdict: Verdict = Field(description="confirm or dismiss a flagged fault, or add one the checks missed")
    fault_id: str = Field(max_length=64, description="a fault id (see the labels README)")
    rep: int | None = Field(None, ge=1, description="the rep it is in (1-based)")
    start_s: float | None = Field(None, ge=0, description="for a fault outside reps: a time inside it (its start, to add)")
    end_s: float | None = Field(None, ge=0, description="to add a fault outside reps: its end")
    note: str = Field("", max_length=2000)


class JudgementPublic(JudgementIn):
    id: int
    created_at: dt.datetime

    @classmethod
    def of(cls, judgement: Judgement) -> JudgementPublic:
        return cls.model_validate(judgement, from_attributes=True)


class JobPublic(BaseModel):
    """An analysis job as clients poll it."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    exercise: str
    filename: str | None
    progress: float = Field(ge=0, le=1, description="share of the frames analysed; 1 when done")
    frames_done: int
    stage: Literal["pose", "video"] | None = Field(
        description="while running: `pose` (frames through the pose model), then `video` (drawing the annotated video)"
    )
    error: str | None = Field(description="why the analysis failed, when it did")
    review: Review | None = Field(description="the review, when done")
    words: ReviewWords | None = Field(description="the review's exercise, measure and faults in words, when done")
    video: str | None = Field(description="URL of the annotated video (mp4, H.264), when done")
    page: str = Field(description="URL of the page showing this analysis to a person")
    client: int | None = Field(description="the client it belongs to (a trainer's analysis); null for an anonymous one")
    session_date: dt.date | None = Field(description="the day the session was filmed (a trainer's analysis)")
    judgements: list[JudgementPublic] = Field(description="the trainer's verdicts on its faults, oldest first")

    @classmethod
    def from_job(cls, job: Job) -> JobPublic:
        return cls(
            id=job.id, status=job.status.value, exercise=job.exercise, filename=job.filename, progress=job.progress,
            frames_done=job.frames_done, stage=job.stage, error=job.error, review=job.review,
            words=ReviewWords.of(job.review) if job.review is not None else None,
            video=f"/analyses/{job.id}/video" if job.video is not None else None, page=f"/analyses/{job.id}/view",
            client=job.owner.client_id if job.owner else None, session_date=job.owner.session_date if job.owner else None,
            judgements=[JudgementPublic.of(judgement) for judgement in job.judgements],
        )


class ClientIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ClientPublic(BaseModel):
    id: int
    name: str
    page: str = Field(description="URL of the client's history page")


class SessionPublic(BaseModel):
    """One analysis in a client's history."""

    id: str
    exercise: str
    session_date: dt.date
    status: Literal["queued", "running", "done", "failed"]
    filename: str | None
    page: str
    report: str


class HistoryWords(BaseModel):
    """The ids of a client's history as a person reads them (``formcheck.review.words``)."""

    exercises: dict[str, str] = Field(description="exercise id -> title")
    faults: dict[str, str] = Field(description="fault id -> name")
    range: dict[str, str] = Field(description="exercise id -> what its range reached measures, with its unit")

    @classmethod
    def of(cls, exercises: set[str], fault_ids: set[str]) -> HistoryWords:
        specs = {exercise: load_spec(exercise) for exercise in sorted(exercises)}
        return cls(
            exercises={exercise: spec.title for exercise, spec in specs.items()},
            faults={fault_id: fault_name(fault_id) for fault_id in sorted(fault_ids)},
            range={exercise: metric_label(spec.reps.metric) for exercise, spec in specs.items() if spec.reps is not None},
        )


class ClientHistory(ClientPublic):
    sessions: list[SessionPublic] = Field(description="every analysis, oldest session first")
    trends: dict[str, list[SessionPoint]] = Field(description="exercise id -> one point per analysed session")
    words: HistoryWords = Field(description="the exercise and fault ids above in words")
