"""POST /analyses and GET /analyses/{id}: review an uploaded clip in the background; its annotated
video and the page that shows both to a person."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Response, UploadFile, status
from fastapi.responses import FileResponse

from formcheck.api.deps import JobStoreDep, SettingsDep
from formcheck.api.jobs import Job, JobStore
from formcheck.api.schemas import JobPublic
from formcheck.api.uploads import ACCEPTED, as_sent, save_upload
from formcheck.errors import SourceError
from formcheck.sources import open_source
from formcheck.specs import load_spec

router = APIRouter(prefix="/analyses", tags=["analyses"])

RESULT_PAGE = Path(__file__).resolve().parents[2] / "web" / "result.html"

ERRORS = {
    404: {"description": "no job with that id"},
    413: {"description": "the file is over the upload limit"},
    415: {"description": f"not a video ({ACCEPTED})"},
    422: {"description": "unknown exercise, empty file, a video it cannot analyse, or a form field missing"},
    503: {"description": "too many analyses waiting (see Retry-After)"},
}


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=JobPublic, summary="Upload a clip for analysis",
    responses={code: ERRORS[code] for code in (413, 415, 422, 503)},
)
def create_analysis(
    file: Annotated[UploadFile, File(description=f"the video ({ACCEPTED})")],
    exercise: Annotated[str, Form(description="exercise id, see GET /exercises")],
    settings: SettingsDep,
    jobs: JobStoreDep,
    response: Response,
) -> JobPublic:
    """Store the upload and queue its analysis; answers at once with the job to poll.

    The analysis is `formcheck analyze` on the same file, so the review is the same.
    """
    load_spec(exercise)  # an unknown exercise fails now, not after the upload is stored
    jobs.check_room()  # a full queue refuses before reading the upload
    video = save_upload(file.file, file.filename, settings.upload_dir, settings.max_upload_bytes)
    try:
        # Header, picture size and first frame now, so a video that cannot be analysed is a 422
        # here rather than a failed job later.
        open_source(video)
    except SourceError as error:
        video.unlink(missing_ok=True)
        raise SourceError(as_sent(str(error), video, file.filename)) from None
    job = jobs.submit(video, exercise, filename=file.filename)
    response.headers["Location"] = f"/analyses/{job.id}"
    return JobPublic.from_job(job)


def _job(jobs: JobStore, job_id: str) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no analysis with id {job_id!r}")
    return job


@router.get("/{job_id}", response_model=JobPublic, summary="Poll an analysis", responses={404: ERRORS[404]})
def get_analysis(job_id: str, jobs: JobStoreDep) -> JobPublic:
    """Status and progress; the review once the status is `done`, the reason once it is `failed`."""
    return JobPublic.from_job(_job(jobs, job_id))


@router.get(
    "/{job_id}/video", response_class=FileResponse, summary="The annotated video of a finished analysis",
    responses={200: {"content": {"video/mp4": {}}}, 404: {"description": "no job with that id, or it is not done"}},
)
def get_video(job_id: str, jobs: JobStoreDep) -> FileResponse:
    """The clip with skeleton, rep count and cues drawn on (H.264 in MP4). Range requests are answered (206),
    so a browser can seek. It is kept as long as the job is (the last `FORMCHECK_JOBS_KEPT` finished ones)."""
    job = _job(jobs, job_id)
    if job.video is None or not job.video.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"analysis {job_id!r} has no annotated video (yet)")
    return FileResponse(job.video, media_type="video/mp4")


@router.get("/{job_id}/view", include_in_schema=False)
def view_analysis() -> FileResponse:
    """The result page (static: its script reads the id from the address and fetches the JSON)."""
    return FileResponse(RESULT_PAGE)
