"""What leaves the server, per resource. The review itself is the public ``Review`` model."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from formcheck.api.jobs import Job
from formcheck.review.schema import Review
from formcheck.specs.models import ExerciseSpec, Prescription


class ExercisePublic(BaseModel):
    """One catalogue entry: enough to pick an exercise and set the camera up."""

    id: str = Field(description="pass this as `exercise` to POST /analyses and WS /ws/live")
    title: str
    description: str
    views: list[Literal["side", "front", "oblique"]] = Field(description="camera views the checks are valid for")
    camera: str = Field(description="where to put the camera, in one line")
    prescription: Prescription

    @classmethod
    def from_spec(cls, spec: ExerciseSpec) -> ExercisePublic:
        return cls(
            id=spec.id, title=spec.title, description=spec.description, views=list(spec.views), camera=spec.camera,
            prescription=spec.prescription,
        )


class JobPublic(BaseModel):
    """An analysis job as clients poll it."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    exercise: str
    filename: str | None
    progress: float = Field(ge=0, le=1, description="share of the frames analysed; 1 when done")
    frames_done: int
    error: str | None = Field(description="why the analysis failed, when it did")
    review: Review | None = Field(description="the review, when done")

    @classmethod
    def from_job(cls, job: Job) -> JobPublic:
        return cls(
            id=job.id, status=job.status.value, exercise=job.exercise, filename=job.filename, progress=job.progress,
            frames_done=job.frames_done, error=job.error, review=job.review,
        )
