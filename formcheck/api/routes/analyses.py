"""POST /analyses and GET /analyses/{id}: review an uploaded clip in the background; its annotated
video and the page that shows both to a person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile, status
from fastapi.responses import FileResponse

from formcheck.api.deps import JobStoreDep, OptionalTrainerDep, SessionDep, SettingsDep, TrainerDep
from formcheck.api.jobs import Job, JobStatus, JobStore, Owner
from formcheck.api.schemas import JobPublic, JudgementIn, JudgementPublic
from formcheck.api.uploads import ACCEPTED, as_sent, save_upload
from formcheck.errors import SourceError
from formcheck.sources import open_source
from formcheck.specs import load_spec
from formcheck.store.accounts import client_of
from formcheck.store.errors import NotFoundError, NotSignedInError
from formcheck.store.judgements import add_judgement
from formcheck.store.models import Trainer

router = APIRouter(prefix="/analyses", tags=["analyses"])

RESULT_PAGE = Path(__file__).resolve().parents[2] / "web" / "result.html"

ERRORS = {
    401: {"description": "a client is named but no trainer is signed in"},
    404: {"description": "no job with that id (or another trainer's)"},
    409: {"description": "the analysis is not done"},
    413: {"description": "the file is over the upload limit"},
    415: {"description": f"not a video ({ACCEPTED})"},
    422: {"description": "unknown exercise, empty file, a video it cannot analyse, or a form field missing"},
    503: {"description": "too many analyses waiting (see Retry-After)"},
}


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=JobPublic, summary="Upload a clip for analysis",
    responses={code: ERRORS[code] for code in (401, 404, 413, 415, 422, 503)},
)
def create_analysis(
    file: Annotated[UploadFile, File(description=f"the video ({ACCEPTED})")],
    exercise: Annotated[str, Form(description="exercise id, see GET /exercises")],
    settings: SettingsDep,
    jobs: JobStoreDep,
    session: SessionDep,
    trainer: OptionalTrainerDep,
    response: Response,
    client: Annotated[int | None, Form(description="a signed-in trainer's client: the analysis and video are kept")] = None,
    session_date: Annotated[dt.date | None, Form(description="the day the session was filmed (default: today)")] = None,
) -> JobPublic:
    """Store the upload and queue its analysis; answers at once with the job to poll.

    The analysis is `formcheck analyze` on the same file, so the review is the same. Without `client` the
    upload is anonymous: deleted once analysed, the job forgotten past `FORMCHECK_JOBS_KEPT`.
    """
    load_spec(exercise)  # an unknown exercise fails now, not after the upload is stored
    owner = None
    if client is not None:
        if trainer is None:
            raise NotSignedInError("sign in to file an analysis under a client")
        owner = Owner(trainer.id, client_of(session, trainer, client).id, session_date or dt.date.today())
    # Hand the connection back before the upload is copied and analysed: many uploads at once would hold
    # every pooled connection while the job store waits for one to record their jobs.
    session.close()
    jobs.check_room()  # a full queue refuses before reading the upload
    video = save_upload(file.file, file.filename, settings.upload_dir, settings.max_upload_bytes)
    try:
        # Header, picture size and first frame now, so a video that cannot be analysed is a 422
        # here rather than a failed job later.
        open_source(video)
    except SourceError as error:
        video.unlink(missing_ok=True)
        raise SourceError(as_sent(str(error), video, file.filename)) from None
    job = jobs.submit(video, exercise, filename=file.filename, owner=owner)
    response.headers["Location"] = f"/analyses/{job.id}"
    return JobPublic.from_job(job)


def visible_job(jobs: JobStore, job_id: str, trainer: Trainer | None) -> Job:
    """The job, if the asker may see it: an anonymous one to anyone with its id, a trainer's to that trainer.

    Raises:
        NotFoundError: unknown, or another trainer's (answered alike, so ids of others' analyses leak nothing).
    """
    job = jobs.get(job_id)
    if job is None or (job.owner is not None and (trainer is None or job.owner.trainer_id != trainer.id)):
        raise NotFoundError(f"no analysis with id {job_id!r}")
    return job


def _own_job(jobs: JobStore, job_id: str, trainer: Trainer) -> Job:
    """One of the trainer's analyses (an anonymous one is nobody's to judge or delete)."""
    job = visible_job(jobs, job_id, trainer)
    if job.owner is None:
        raise NotFoundError(f"no analysis with id {job_id!r} among your clients'")
    return job


@router.get("/{job_id}", response_model=JobPublic, summary="Poll an analysis", responses={404: ERRORS[404]})
def get_analysis(job_id: str, jobs: JobStoreDep, trainer: OptionalTrainerDep) -> JobPublic:
    """Status and progress; the review once the status is `done`, the reason once it is `failed`."""
    return JobPublic.from_job(visible_job(jobs, job_id, trainer))


@router.delete(
    "/{job_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a trainer's analysis and its files",
    responses={code: ERRORS[code] for code in (401, 404)},
)
def delete_analysis(job_id: str, jobs: JobStoreDep, trainer: TrainerDep) -> None:
    """The analysis, its judgements, its annotated video and its video (unless another analysis has the same clip)."""
    jobs.delete(_own_job(jobs, job_id, trainer).id)


@router.post(
    "/{job_id}/judgements", status_code=status.HTTP_201_CREATED, response_model=JudgementPublic,
    summary="Confirm, dismiss or add a fault", responses={code: ERRORS[code] for code in (401, 404, 409, 422)},
)
def judge_analysis(job_id: str, judgement: JudgementIn, jobs: JobStoreDep, session: SessionDep, trainer: TrainerDep) -> JudgementPublic:
    """The trainer's verdict, kept with the analysis; `formcheck labels export` turns verdicts into labelled clips."""
    job = _own_job(jobs, job_id, trainer)
    if job.status is not JobStatus.DONE or job.review is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"analysis {job_id} is {job.status.value}: nothing to judge yet")
    stored = add_judgement(
        session, job.id, job.review, judgement.verdict, judgement.fault_id, rep=judgement.rep, start_s=judgement.start_s,
        end_s=judgement.end_s, note=judgement.note,
    )
    return JudgementPublic.of(stored)


@router.get(
    "/{job_id}/video", response_class=FileResponse, summary="The annotated video of a finished analysis",
    responses={200: {"content": {"video/mp4": {}}}, 404: {"description": "no job with that id, or it is not done"}},
)
def get_video(job_id: str, jobs: JobStoreDep, trainer: OptionalTrainerDep) -> FileResponse:
    """The clip with skeleton, rep count and cues drawn on (H.264 in MP4). Range requests are answered (206),
    so a browser can seek. It is kept as long as the job is (the last `FORMCHECK_JOBS_KEPT` finished ones)."""
    job = visible_job(jobs, job_id, trainer)
    if job.video is None or not job.video.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"analysis {job_id!r} has no annotated video (yet)")
    return FileResponse(job.video, media_type="video/mp4")


@router.get("/{job_id}/view", include_in_schema=False)
def view_analysis() -> FileResponse:
    """The result page (static: its script reads the id from the address and fetches the JSON)."""
    return FileResponse(RESULT_PAGE)
