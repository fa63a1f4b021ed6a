"""GET /analyses/{id}/report: the report to send, for a finished analysis (the CLI's `formcheck report` page)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import HTMLResponse

from formcheck.api.deps import JobStoreDep
from formcheck.api.jobs import JobStatus
from formcheck.api.security import report_policy
from formcheck.report import REPORT_CSS, build_report

router = APIRouter(prefix="/analyses", tags=["analyses"])

# The job store deletes an upload once it is analysed, so the service has no frames to draw.
NO_VIDEO = (
    "the service deletes the uploaded video once it is analysed; save this review's JSON and run "
    "`formcheck report review.json --html report.html --video <the clip>` for a report with them"
)


# Named analysis_id, not job_id: no operation path in /docs then contains another's ("/analyses/{job_id}").
@router.get(
    "/{analysis_id}/report", response_class=HTMLResponse, summary="The report of a finished analysis",
    responses={404: {"description": "no job with that id"}, 409: {"description": "the analysis is not done"}},
)
def get_report(analysis_id: str, jobs: JobStoreDep) -> HTMLResponse:
    """One self-contained HTML page (inline style, pictures as data: URIs) that prints to PDF; no keyframes,
    since the video is not kept."""
    job = jobs.get(analysis_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no analysis with id {analysis_id!r}")
    if job.status is not JobStatus.DONE or job.review is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"analysis {analysis_id} is {job.status.value}: no report")
    return HTMLResponse(build_report(job.review, None, NO_VIDEO), headers={"content-security-policy": report_policy(REPORT_CSS)})
