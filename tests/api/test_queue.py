"""Analyses on queue workers (``formcheck.api.queue``): the runner's idempotent writes, progress from the row,
a broker that cannot be reached, and the real thing: two ``formcheck worker`` processes on a Redis broker, one
killed (SIGKILL, its whole process group) mid-job, and every review stored once with ``formcheck analyze``'s
rep counts. The Redis tests start their own ``redis-server`` and skip when there is none."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update
from typer.testing import CliRunner

from formcheck.api.errors import ServiceBusyError
from formcheck.api.jobs import UNSENT_GRACE_S, JobRunner, JobStatus, JobStore, Progress
from formcheck.api.queue import PROGRESS_EVERY_S, ThrottledProgress
from formcheck.cli import app
from formcheck.pipeline import analyze_video
from formcheck.pose.cache import PoseCache
from formcheck.store.database import open_database
from formcheck.store.models import Analysis, utc_now
from tests.api.conftest import ClientFactory
from tests.conftest import POSTGRES_URL_VARIABLE

# The 12 shortest labelled clips of catalogue exercises: 25 to 114 frames each.
CLIPS = [
    "Abhinash-Padhi-SIH-FitCircuit/DeadBug.mp4",
    "Abhinash-Padhi-SIH-FitCircuit/SingleLegBridge.mp4",
    "844247707-png-power-pwa/glute_bridge.mp4",
    "Pichayanon-FiT-AI/squat_correct_2.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad010.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad013.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad005.mp4",
    "Goondoc08-to-be-frank/glute-bridge.mp4",
    "BichraiX-AI-Deadlift-Analysis/good020.mp4",
    "Pichayanon-FiT-AI/squat_correct_4.mp4",
    "BichraiX-AI-Deadlift-Analysis/bad007.mp4",
    "Pichayanon-FiT-AI/squat_correct_5.mp4",
]
JOB_TIMEOUT_S = 15  # the broker's visibility timeout here: a dead worker's job goes to the other this soon
DONE_TIMEOUT_S = 150.0


def _job_row(runner: JobRunner, video: Path, status: str = "queued") -> str:
    with runner.database.session() as session:
        session.add(Analysis(id="a" * 32, exercise="squat", filename="set.mp4", video=str(video), status=status))
        session.commit()
    return "a" * 32


def _row(runner: JobRunner, job_id: str) -> Analysis:
    with runner.database.session() as session:
        row = session.get(Analysis, job_id)
        assert row is not None
        return row


def test_a_bad_video_fails_once_with_its_reason_and_a_redelivery_changes_nothing(database_url: str, tmp_path: Path) -> None:
    runner = JobRunner(open_database(database_url), output_dir=tmp_path / "out")
    video = tmp_path / "upload.mp4"
    video.write_bytes(b"not a video at all")
    job_id = _job_row(runner, video)
    assert runner.run(job_id, lambda *_: None, worker="w1") is JobStatus.FAILED
    failed = _row(runner, job_id)
    assert failed.status == "failed" and "set.mp4" in (failed.error or "") and failed.worker == "w1"
    assert not video.exists() and not (tmp_path / "out" / job_id).exists()

    video.write_bytes(b"not a video at all")  # the broker hands the same message over again
    progress: list[object] = []
    assert runner.run(job_id, lambda *seen: progress.append(seen), worker="w2") is None
    assert progress == [], "a finished job is not run again"
    again = _row(runner, job_id)
    assert (again.status, again.error, again.worker, again.finished_at) == ("failed", failed.error, "w1", failed.finished_at)


def test_a_stored_review_is_written_once_whatever_redelivers_it(database_url: str, tmp_path: Path) -> None:
    runner = JobRunner(open_database(database_url))
    job_id = _job_row(runner, tmp_path / "gone.mp4", status="running")
    assert runner.record(job_id, status="done", review={"first": True})
    assert not runner.record(job_id, status="done", review={"second": True}), "a finished row is never rewritten"
    assert not runner.record(job_id, status="failed", error="late twin")
    progress: list[object] = []
    assert runner.run(job_id, lambda *seen: progress.append(seen)) is None
    assert progress == [], "a redelivered finished job is not run again"
    row = _row(runner, job_id)
    assert (row.status, row.review, row.error) == ("done", {"first": True}, None)
    runner.database.close()


def test_the_queue_cap_counts_the_jobs_every_api_process_queued(database_url: str, squat_clip: Path, tmp_path: Path) -> None:
    """Two API processes on one database share one cap: a job queued through one takes room from the other."""
    sent: list[str] = []
    first, second = (JobStore(database=open_database(database_url), max_queued=2, enqueue=sent.append) for _ in range(2))
    for store in (first, second):
        upload = tmp_path / f"{len(sent)}.mp4"
        shutil.copy(squat_clip, upload)
        store.submit(upload, "squat")
    upload = tmp_path / "third.mp4"
    shutil.copy(squat_clip, upload)
    with pytest.raises(ServiceBusyError, match="2 analyses are already waiting"):
        first.submit(upload, "squat")
    assert len(sent) == 2 and not upload.exists(), "the refused upload is neither queued nor kept"


def test_a_job_recorded_by_an_api_that_died_before_sending_it_is_sent_once_it_is_old(
    database_url: str, squat_clip: Path, tmp_path: Path,
) -> None:
    """The API records a job, then sends it to the broker: one that died between the two left a row no worker
    will ever see. Another API process (or this one, restarted) sends it, once it is old enough that no live
    process can still be about to; jobs already sent are not sent again."""
    database = open_database(database_url)
    sent: list[str] = []
    jobs = JobStore(database=database, enqueue=sent.append)
    upload = tmp_path / "sent.mp4"
    shutil.copy(squat_clip, upload)
    delivered = jobs.submit(upload, "squat")
    recorded_at = utc_now() - dt.timedelta(seconds=UNSENT_GRACE_S + 5)
    with database.session() as session:
        session.add_all([
            Analysis(id="died-before-sending", exercise="squat", video=str(upload), status="queued", created_at=recorded_at),
            Analysis(id="being-sent-now", exercise="squat", video=str(upload), status="queued"),
        ])
        session.execute(update(Analysis).where(Analysis.id == delivered.id).values(created_at=recorded_at))
        session.commit()
    assert sent == [delivered.id]
    assert jobs.resume() == 1
    assert sent == [delivered.id, "died-before-sending"], "only the old unsent job is sent, once"
    assert jobs.resend_unsent() == 0, "a job sent is marked so"
    with database.session() as session:
        assert session.get(Analysis, "died-before-sending").sent_at is not None  # type: ignore[union-attr]
        assert session.get(Analysis, "being-sent-now").sent_at is None  # type: ignore[union-attr]

    def broker_down(job_id: str) -> None:
        raise ServiceBusyError("the analysis queue cannot be reached")

    with database.session() as session:
        session.execute(update(Analysis).where(Analysis.id == "being-sent-now").values(created_at=recorded_at))
        session.commit()
    other = JobStore(database=database, enqueue=broker_down)
    assert other.resend_unsent() == 0, "a broker that cannot be reached leaves the job for the next round"
    assert jobs.resend_unsent() == 1 and sent[-1] == "being-sent-now"
    jobs.shutdown()
    other.shutdown()
    database.close()


def test_a_queue_workers_progress_is_read_from_the_row(tmp_path: Path, squat_clip: Path) -> None:
    sent: list[str] = []
    database = open_database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    jobs = JobStore(database=database, enqueue=sent.append)
    upload = tmp_path / "upload.mp4"
    shutil.copy(squat_clip, upload)
    job = jobs.submit(upload, "squat", filename="set.mp4")
    assert sent == [job.id], "the job went to the broker, not to this process's pool"
    assert jobs.resume() == 0, "with a broker, a restarted server leaves the jobs it sent to it"

    runner = JobRunner(database)
    write = ThrottledProgress(runner)
    runner.record(job.id, status="running")
    write(job.id, Progress(0.25, 28, "pose"))
    write(job.id, Progress(0.5, 57, "pose"))  # within PROGRESS_EVERY_S of the last write: not written
    seen = jobs.get(job.id)
    assert seen is not None and (seen.status, seen.progress, seen.frames_done, seen.stage) == (JobStatus.RUNNING, 0.25, 28, "pose")
    write(job.id, Progress(0.5, 57, "video"))  # a new stage is written at once
    seen = jobs.get(job.id)
    assert seen is not None and (seen.progress, seen.stage) == (0.5, "video")
    time.sleep(PROGRESS_EVERY_S)
    write(job.id, Progress(0.75, 80, "video"))
    seen = jobs.get(job.id)
    assert seen is not None and seen.frames_done == 80
    jobs.shutdown()


def test_a_broker_that_cannot_be_reached_answers_503_and_keeps_nothing(
    make_client: ClientFactory, squat_clip: Path, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(broker_url=f"redis://127.0.0.1:{port}/0")
    response = client.post(
        "/analyses", files={"file": ("set.mp4", squat_clip.read_bytes(), "video/mp4")}, data={"exercise": "squat"}
    )
    assert response.status_code == 503 and response.headers["retry-after"]
    assert "queue cannot be reached" in response.json()["detail"]
    assert not any((tmp_path / "uploads").glob("*.mp4")), "the refused upload is deleted"


def test_the_worker_command_names_the_missing_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMCHECK_BROKER_URL", raising=False)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 1 and "FORMCHECK_BROKER_URL is not set" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A private ``redis-server`` on loopback, in a temporary folder, stopped after the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (Debian: apt-get install redis-server; .ci/run does)")
    import redis

    port = _free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline and server.poll() is None, "redis-server did not start"
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=30)


def _start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "formcheck", "worker", "--concurrency", "1", "--name", name],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,  # its own group: killed whole
        )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def test_a_worker_killed_mid_job_loses_nothing_and_no_review_is_stored_twice(
    redis_url: str, database_url: str, make_client: ClientFactory, shared: Path, tmp_path: Path
) -> None:
    """Once per run, on the database many machines would share: PostgreSQL where there is one, else SQLite."""
    if database_url.startswith("sqlite") and os.environ.get(POSTGRES_URL_VARIABLE):
        pytest.skip("run on PostgreSQL instead (a minute per run is enough)")
    labels = {clip["path"]: clip for clip in yaml.safe_load((shared / "labels" / "clips.yaml").read_text())["clips"]}
    clips = [(shared / "clips" / path, str(labels[path]["catalogue_exercise"])) for path in CLIPS]

    settings = {"broker_url": redis_url, "database_url": database_url, "job_timeout_s": JOB_TIMEOUT_S}
    client = make_client(upload_dir=tmp_path / "uploads", data_dir=tmp_path / "data", max_queued_jobs=len(clips), **settings)
    env = os.environ | {f"FORMCHECK_{name.upper()}": str(value) for name, value in settings.items()} | {
        "FORMCHECK_UPLOAD_DIR": str(tmp_path / "uploads"), "FORMCHECK_DATA_DIR": str(tmp_path / "data"),
        # The workers run the model (a private, empty cache: a job lasts long enough to be killed in) and keep
        # the poses, which `formcheck analyze` then reads instead of running the model a second time.
        "FORMCHECK_POSE_CACHE": "true", "FORMCHECK_CACHE_DIR": str(tmp_path / "poses"),
    }
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = [_start_worker("w1@test", env, logs[0]), _start_worker("w2@test", env, logs[1])]
    database = open_database(database_url)
    try:
        ids = {}
        for path, exercise in clips:
            response = client.post(
                "/analyses", files={"file": (path.name, path.read_bytes(), "video/mp4")}, data={"exercise": exercise}
            )
            assert response.status_code == 202, response.text
            ids[response.json()["id"]] = path.name

        def running_on_w1() -> list[str]:
            with database.session() as session:
                return list(session.scalars(
                    Analysis.__table__.select().with_only_columns(Analysis.id)
                    .where(Analysis.status == "running", Analysis.worker == "w1@test")
                ))

        deadline = time.monotonic() + 90
        while not running_on_w1():
            assert time.monotonic() < deadline and workers[0].poll() is None, logs[0].read_text()
            time.sleep(0.05)
        os.killpg(workers[0].pid, signal.SIGKILL)
        killed_at = time.monotonic()
        workers[0].wait(timeout=30)
        assert running_on_w1(), "the worker was killed while it ran a job"

        deadline = time.monotonic() + DONE_TIMEOUT_S
        while (jobs := {job_id: client.get(f"/analyses/{job_id}").json() for job_id in ids}) and any(
            job["status"] in ("queued", "running") for job in jobs.values()
        ):
            assert time.monotonic() < deadline and workers[1].poll() is None, logs[1].read_text()[-3000:]
            time.sleep(0.5)
        print(f"all done {time.monotonic() - killed_at:.1f} s after the kill")
    finally:
        for worker in workers:
            _stop(worker)
        database.close()

    references = {path.name: analyze_video(path, exercise, cache=PoseCache(tmp_path / "poses")) for path, exercise in clips}
    assert all(review.summary.processing and review.summary.processing.pose_from_cache for review in references.values())
    expected = {name: review.rep_count for name, review in references.items()}
    assert {ids[job_id]: (job["status"], job["error"]) for job_id, job in jobs.items()} == {
        name: ("done", None) for name in expected
    }
    assert {ids[job_id]: job["review"]["rep_count"] for job_id, job in jobs.items()} == expected
    stored = Counter(re.findall(r"analysis ([0-9a-f]{32}) stored", "".join(log.read_text() for log in logs)))
    assert stored == Counter(dict.fromkeys(ids, 1)), "each review is stored once, by one worker"
