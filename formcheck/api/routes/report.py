"""GET /analyses/{id}/report: the report to send, for a finished analysis (the CLI's `formcheck report` page)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import HTMLResponse

from formcheck.api.deps import JobStoreDep, OptionalTrainerDep
from formcheck.api.jobs import JobStatus
from formcheck.api.routes.analyses import visible_job
from formcheck.api.security import report_policy
from formcheck.report import REPORT_CSS, build_report
from formcheck.report.stills import annotated_stills

router = APIRouter(prefix="/analyses", tags=["analyses"])

# The job store deletes an upload once it is analysed and keeps only its annotated video, for as long as the job.
NO_VIDEO = "this analysis has no annotated video to take them from (the service does not keep the uploaded video)"


# Named analysis_id, not job_id: no operation path in /docs then contains another's ("/analyses/{job_id}").
@router.get(
    "/{analysis_id}/report", response_class=HTMLResponse, summary="The report of a finished analysis",
    responses={404: {"description": "no job with that id (or another trainer's)"}, 409: {"description": "the analysis is not done"}},
)
def get_report(analysis_id: str, jobs: JobStoreDep, trainer: OptionalTrainerDep) -> HTMLResponse:
    """One self-contained HTML page (inline style, pictures as data: URIs) that prints to PDF; its stills come
    from the annotated video (GET /analyses/{id}/video), the one copy of the upload the service keeps."""
    job = visible_job(jobs, analysis_id, trainer)
    if job.status is not JobStatus.DONE or job.review is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"analysis {analysis_id} is {job.status.value}: no report")
    stills = annotated_stills(job.review, job.video) if job.video is not None and job.video.is_file() else None
    page = build_report(job.review, stills, NO_VIDEO)
    return HTMLResponse(page, headers={"content-security-policy": report_policy(REPORT_CSS)})
