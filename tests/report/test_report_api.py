"""GET /analyses/{id}/report: the same page for a finished upload, under its own strict policy."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from formcheck.api.jobs import Job, JobStatus
from formcheck.api.main import create_app
from formcheck.api.security import report_policy
from formcheck.api.settings import Settings
from formcheck.report import REPORT_CSS
from formcheck.report.plots import measured_series
from formcheck.review.schema import Review

HOSTS = ["testserver"]


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(upload_dir=tmp_path, allowed_hosts=HOSTS)))


def test_report_of_a_finished_upload(client: TestClient, faulty_squat: Path, faulty_review: Review) -> None:
    with faulty_squat.open("rb") as video:
        job = client.post("/analyses", files={"file": ("squat.mp4", video, "video/mp4")}, data={"exercise": "squat"}).json()
    deadline = time.monotonic() + 60
    while client.get(f"/analyses/{job['id']}").json()["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    answer = client.get(f"/analyses/{job['id']}/report")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == report_policy(REPORT_CSS)
    page = answer.text
    assert "3 of 8-12 reps" in page and "squat.mp4" in page
    assert page.count('<figure class="plot"') == len(measured_series(faulty_review, "knee_bend_deg"))
    # The upload is gone; the stills come from the annotated video the job keeps.
    assert page.count('<figure class="keyframe"') == faulty_review.rep_count
    assert page.count('<figure class="worst"') == len({fault.id for fault in faulty_review.faults})


def test_without_the_annotated_video_the_report_says_why_it_has_no_stills(
    client: TestClient, faulty_review: Review
) -> None:
    class Done:
        def get(self, job_id: str) -> Job:
            return Job(id=job_id, exercise="squat", filename=None, status=JobStatus.DONE, review=faulty_review)

    client.app.state.jobs = Done()  # type: ignore[attr-defined]
    page = client.get("/analyses/abc/report").text
    assert '<figure class="keyframe"' not in page
    assert "No keyframes in this report: this analysis has no annotated video to take them from" in page


def test_report_of_an_unknown_or_unfinished_analysis(client: TestClient) -> None:
    assert client.get("/analyses/nope/report").status_code == 404

    class Running:
        def get(self, job_id: str) -> Job:
            return Job(id=job_id, exercise="squat", filename=None, status=JobStatus.RUNNING)

    client.app.state.jobs = Running()  # type: ignore[attr-defined]
    answer = client.get("/analyses/abc/report")
    assert answer.status_code == 409 and answer.json()["detail"] == "analysis abc is running: no report"


def test_report_policy_allows_only_its_own_style() -> None:
    policy = report_policy(REPORT_CSS)
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert report_policy(REPORT_CSS + " ") != policy and "unsafe" not in policy and "img-src data:;" in policy
