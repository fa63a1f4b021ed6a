"""Background analyses of uploaded clips, recorded in the database so a restart loses none.

The routes only ``submit``, ``get`` and ``delete``. Jobs run in a thread pool, independent of the request
that created them, so they outlive a client that disconnects. Each job calls ``analyze_video`` - the
function the CLI calls - so an upload gets the same review as ``formcheck analyze`` on the same file; it runs
in a child process (``formcheck.isolated``), so a file that crashes the native pose model fails its own job
and nothing else. The child also draws the annotated video into the job's folder.

Every job is a row of ``analyses``: its status and, once done, its review. Progress (frames so far) is kept
in memory by the embedded pool, as it changes many times a second; a queue worker (``formcheck.api.queue``)
writes it to the row, throttled, so any API process can report it. A service that starts finds the jobs a
stopped one left queued or running and runs them again, from the file they were given; with a queue, the
broker keeps them instead, and what no broker ever got (an API process that died between recording a job and
sending it) is sent again: at start and every ``RESEND_EVERY_S``, once it is ``UNSENT_GRACE_S`` old.

``JobRunner`` runs one recorded job, for the embedded pool and for a queue worker alike. Its writes are
idempotent: a job redelivered after its review was stored is not run again, and of two runs of one job only
the first to finish records its outcome.

Two kinds of job. An anonymous upload's file is deleted as soon as its analysis ends; its annotated video is
kept while the job is, the last ``jobs_kept`` finished ones. A trainer's job belongs to a client: its video
is kept by content hash (``formcheck.store.videos``), as is its annotated copy, until it is deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import CursorResult, func, select, update

from formcheck.api.errors import ServiceBusyError
from formcheck.api.uploads import as_sent
from formcheck.errors import FormcheckError
from formcheck.isolated import InternalAnalysisError, analyze_isolated
from formcheck.pose.cache import PoseCache
from formcheck.review.schema import Review
from formcheck.store.database import Database
from formcheck.store.errors import NotFoundError
from formcheck.store.models import Analysis, Client, Judgement, utc_now
from formcheck.store.videos import VideoFolder

logger = logging.getLogger(__name__)

ANNOTATED_VIDEO = "annotated.mp4"
PENDING = ("queued", "running")
# A job recorded this long ago and still not handed to the broker was left by an API process that died
# between the two steps (sending takes milliseconds; the margin covers a slow database and clock skew
# between API machines). Sending it twice is harmless: a worker runs a finished job no more.
UNSENT_GRACE_S = 60.0
RESEND_EVERY_S = 60.0
FINISHED = ("done", "failed")


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Owner:
    """Whom a trainer's job belongs to: a client and the date of the session filmed."""

    trainer_id: int
    client_id: int
    session_date: dt.date


@dataclass
class Progress:
    """A running job's progress, in memory only (it changes with every frame)."""

    progress: float = 0.0
    frames_done: int = 0
    stage: Literal["pose", "video"] | None = None


@dataclass
class Job:
    """One analysis as read from its row (a copy: changing it changes nothing).

    Attributes:
        id: random hex id, the handle clients poll.
        exercise: the exercise id the clip is analysed as.
        filename: the client's name for the file (for display only).
        status: queued -> running -> done or failed.
        progress: 0..1, frames decoded over frames expected (1 when done).
        frames_done: frames through the pose model so far (all of the clip's when done).
        stage: while running, ``pose`` (frames through the model) then ``video`` (drawing the
            annotated video, which has no progress of its own).
        error: the one-line reason when failed.
        review: the review when done.
        video: the annotated video when done (if the store writes them).
        owner: the trainer, client and session date of a trainer's job; None for an anonymous upload.
        judgements: the trainer's verdicts on its faults, oldest first.
    """

    id: str
    exercise: str
    filename: str | None
    status: JobStatus = JobStatus.QUEUED
    progress: float = 0.0
    frames_done: int = 0
    stage: Literal["pose", "video"] | None = None
    error: str | None = None
    review: Review | None = None
    video: Path | None = None
    owner: Owner | None = None
    judgements: list[Judgement] = dataclasses.field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


ProgressCallback = Callable[[str, Progress], None]
"""Told a job's id and its progress (a copy) each time it changes."""


class JobRunner:
    """Runs one recorded job: ``analyze_video`` in a child process, its outcome written to the job's row.

    Args:
        database: where the jobs are recorded.
        cache: pose cache for ``analyze_video`` (None: always run the model).
        output_dir: where each anonymous job gets a private folder (``<output_dir>/<job id>/``) for its
            annotated video. None: no annotated videos.
        videos: where trainers' videos and their annotated copies are kept.
    """

    def __init__(
        self, database: Database, cache: PoseCache | None = None, output_dir: Path | None = None,
        videos: VideoFolder | None = None,
    ) -> None:
        self.database = database
        self.cache = cache
        self.output_dir = output_dir
        self.videos = videos

    def folder(self, job_id: str, kept: bool) -> Path | None:
        if kept:
            return None if self.videos is None else self.videos.analysis_folder(job_id)
        return None if self.output_dir is None else self.output_dir / job_id

    def remove_folder(self, job_id: str, kept: bool) -> None:
        folder = self.folder(job_id, kept)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def record(self, job_id: str, **changes: object) -> bool:
        """Write ``changes`` to the job's row unless it is finished (or gone); True when written."""
        with self.database.session() as session:
            result = session.execute(
                update(Analysis).where(Analysis.id == job_id, Analysis.status.not_in(FINISHED)).values(**changes)
            )
            session.commit()
        assert isinstance(result, CursorResult)
        return bool(result.rowcount)

    def run(self, job_id: str, on_progress: ProgressCallback, worker: str | None = None) -> JobStatus | None:
        """Run the job, unless it is finished or gone (a redelivery); ``worker`` names who runs it.

        Returns:
            The outcome this run recorded: done or failed; None when it recorded nothing (the job was
            finished, by this run's twin or before it started, or deleted).
        """
        with self.database.session() as session:
            row = session.get(Analysis, job_id)
            if row is None or row.status in FINISHED:
                return None
            video, exercise, filename, kept = Path(row.video), row.exercise, row.filename, row.client_id is not None
        progress = Progress(stage="pose")

        def on_frame(done: int, expected: int) -> None:
            # Frame counts from the container header can be off; never claim to be done early.
            progress.frames_done, progress.progress = done, round(min(done / expected, 0.99) if expected else 0.0, 3)
            on_progress(job_id, dataclasses.replace(progress))

        def on_drawing() -> None:
            progress.stage = "video"
            on_progress(job_id, dataclasses.replace(progress))

        folder = self.folder(job_id, kept)
        annotated = None
        if folder is not None:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            annotated = folder / ANNOTATED_VIDEO
        on_progress(job_id, dataclasses.replace(progress))
        self.record(job_id, status=JobStatus.RUNNING.value, worker=worker)
        failed = "internal error"
        outcome = None
        try:
            review = analyze_isolated(
                video, exercise, cache=self.cache, progress=on_frame, annotated=annotated, on_drawing=on_drawing
            )
        except FormcheckError as error:
            failed = as_sent(str(error), video, filename)
            logger.warning("analysis %s failed: %s", job_id, failed)
        except InternalAnalysisError as error:  # a bug in the child: log its traceback, tell the client
            logger.error("analysis %s failed:\n%s", job_id, error)
        except Exception as error:  # a bug here: keep the service up, log the traceback, tell the client
            logger.exception("analysis %s failed", job_id)
            failed = f"internal error: {error.__class__.__name__}"
        else:
            # The stored file's name is ours; the review names the file the client sent.
            source = review.source.model_copy(update={"path": filename or "upload"})
            done = review.model_copy(update={"source": source}).model_dump(mode="json", by_alias=True)
            if self.record(job_id, status=JobStatus.DONE.value, review=done, finished_at=utc_now()):
                outcome = JobStatus.DONE
                logger.info("analysis %s stored", job_id)
            failed = ""
        finally:
            if failed and self.record(job_id, status=JobStatus.FAILED.value, error=failed, finished_at=utc_now()):
                outcome = JobStatus.FAILED
                self.remove_folder(job_id, kept)  # a failed job keeps nothing, nor a half-written video
            if not kept:
                video.unlink(missing_ok=True)
        return outcome


class JobStore:
    """Jobs as database rows, run by a thread pool or, given ``enqueue``, by queue workers.

    Args:
        workers: analyses that run at the same time (in this process: without ``enqueue``).
        jobs_kept: finished anonymous jobs remembered; past it, the oldest are forgotten (trainers' are kept).
        max_queued: jobs waiting; past it ``submit`` refuses with ``ServiceBusyError``.
        cache: pose cache for ``analyze_video`` (None: always run the model).
        output_dir: where each anonymous job gets a private folder (``<output_dir>/<job id>/``) for its
            annotated video; the folder is deleted when the job fails or is forgotten. None: no annotated videos.
        database: where the jobs are recorded (None: a private in-memory database, gone with the store).
        videos: where trainers' videos and their annotated copies are kept (needed for trainers' jobs).
        enqueue: hands a new job's id to queue workers (``formcheck.api.queue``), raising ``ServiceBusyError``
            when it cannot; None: this process runs the job.
    """

    def __init__(
        self, workers: int = 1, jobs_kept: int = 200, max_queued: int = 32, cache: PoseCache | None = None,
        output_dir: Path | None = None, database: Database | None = None, videos: VideoFolder | None = None,
        enqueue: Callable[[str], None] | None = None,
    ) -> None:
        if database is None:
            database = Database("sqlite://")
            database.migrate()
        self._database = database
        self._runner = JobRunner(database, cache=cache, output_dir=output_dir, videos=videos)
        self._enqueue = enqueue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analysis")
        self._progress: dict[str, Progress] = {}
        self._lock = threading.Lock()  # queue room is counted and the new row added as one step
        self._stopping = threading.Event()
        self._resender: threading.Thread | None = None
        self._jobs_kept = jobs_kept
        self._max_queued = max_queued
        self._videos = videos

    def _queue_full(self) -> ServiceBusyError | None:
        with self._database.session() as session:
            queued = session.scalar(select(func.count()).select_from(Analysis).where(Analysis.status == "queued"))
        if (queued or 0) < self._max_queued:
            return None
        return ServiceBusyError(f"{self._max_queued} analyses are already waiting; try again in a minute")

    def check_room(self) -> None:
        """Raise ``ServiceBusyError`` when the queue is full (before an upload is stored)."""
        refusal = self._queue_full()
        if refusal is not None:
            raise refusal

    def submit(self, video: Path, exercise: str, filename: str | None = None, owner: Owner | None = None) -> Job:
        """Queue an analysis of ``video``. An anonymous job's file is deleted when the job ends (or now, if
        refused); a trainer's (``owner``) is moved into the kept videos and stays.

        Returns:
            The new job (status ``queued``).

        Raises:
            ServiceBusyError: ``max_queued`` jobs are already waiting.
        """
        if owner is not None:
            if self._videos is None:
                raise FormcheckError("this job store keeps no videos: it cannot take a trainer's upload")
            self.check_room()  # before the file is moved where a refusal would not delete it
            video = self._videos.keep(video)
        row = Analysis(
            id=uuid.uuid4().hex, exercise=exercise, filename=filename, video=str(video), status="queued",
            client_id=owner.client_id if owner else None, session_date=owner.session_date if owner else None,
        )
        with self._lock:
            refusal = self._queue_full()
            if refusal is None:
                with self._database.session() as session:
                    session.add(row)
                    session.commit()
        if refusal is not None:
            if owner is None:
                video.unlink(missing_ok=True)
            raise refusal
        self._forget_old()
        try:
            self._start(row.id)
        except ServiceBusyError:
            if owner is None:
                video.unlink(missing_ok=True)
            raise
        return Job(id=row.id, exercise=exercise, filename=filename, owner=owner)

    def _start(self, job_id: str) -> None:
        if self._enqueue is None:
            self._executor.submit(self._run_here, job_id)
            return
        try:
            self._enqueue(job_id)
        except ServiceBusyError as error:  # the broker is down: refuse the upload rather than keep a job nobody runs
            self._runner.record(job_id, status=JobStatus.FAILED.value, error=str(error), finished_at=utc_now())
            raise
        self._runner.record(job_id, sent_at=utc_now())

    def resend_unsent(self) -> int:
        """Send the broker the queued jobs it never got (recorded over ``UNSENT_GRACE_S`` ago); returns how many.

        A broker that cannot be reached now leaves them for the next try.
        """
        assert self._enqueue is not None
        recorded_before = utc_now() - dt.timedelta(seconds=UNSENT_GRACE_S)
        with self._database.session() as session:
            unsent = list(session.scalars(
                select(Analysis.id).where(
                    Analysis.status == JobStatus.QUEUED.value, Analysis.sent_at.is_(None),
                    Analysis.created_at < recorded_before,
                ).order_by(Analysis.created_at)
            ))
        for sent, job_id in enumerate(unsent):
            try:
                self._enqueue(job_id)
            except ServiceBusyError:
                return sent
            self._runner.record(job_id, sent_at=utc_now())
            logger.warning("analysis %s was recorded but never queued: sent now", job_id)
        return len(unsent)

    def _resend_regularly(self) -> None:
        while not self._stopping.wait(RESEND_EVERY_S):
            try:
                self.resend_unsent()
            except Exception:  # a database hiccup: log it, try again next round
                logger.exception("sending unsent analyses failed")

    def resume(self) -> int:
        """Queue again the jobs a stopped service left queued or running; returns how many.

        One whose file is gone (an anonymous upload swept away) fails, saying so. With queue workers the broker
        keeps their jobs and hands a stopped worker's to another: only the jobs it never got are sent (now and
        every ``RESEND_EVERY_S``).
        """
        if self._enqueue is not None:
            resent = self.resend_unsent()
            if self._resender is None:
                self._resender = threading.Thread(target=self._resend_regularly, name="resend-unsent", daemon=True)
                self._resender.start()
            return resent
        with self._database.session() as session:
            rows = list(session.scalars(select(Analysis).where(Analysis.status.in_(PENDING)).order_by(Analysis.created_at)))
            for row in rows:
                if Path(row.video).is_file():
                    row.status = "queued"
                else:
                    row.status, row.error = "failed", "the service stopped before analysing this video, and it is gone"
            session.commit()
        again = [row.id for row in rows if row.status == "queued"]
        for job_id in again:
            self._start(job_id)
        return len(again)

    def files_in_use(self) -> set[str]:
        """Names in ``output_dir`` that recorded jobs still need: waiting uploads and kept jobs' folders."""
        with self._database.session() as session:
            rows = session.execute(select(Analysis.id, Analysis.video, Analysis.status).where(Analysis.client_id.is_(None)))
            return {Path(video).name if status in PENDING else job_id for job_id, video, status in rows}

    def get(self, job_id: str) -> Job | None:
        """The job, or None for an unknown (or forgotten) id."""
        with self._database.session() as session:
            row = session.get(Analysis, job_id)
            return None if row is None else self._job(row)

    def jobs_of(self, client_id: int) -> list[Job]:
        """A client's jobs, oldest session first."""
        with self._database.session() as session:
            rows = session.scalars(
                select(Analysis).where(Analysis.client_id == client_id).order_by(Analysis.session_date, Analysis.created_at)
            )
            return [self._job(row) for row in rows]

    def _job(self, row: Analysis) -> Job:
        """The job of ``row`` (read within its session: the owner comes from the client row)."""
        status = JobStatus(row.status)
        review = Review.model_validate(row.review) if row.review is not None else None
        with self._lock:
            live = self._progress.get(row.id)
        if status is JobStatus.DONE:
            live = Progress(1.0)
        elif live is None:  # not run here: a queue worker's, from the row
            live = Progress(row.progress, row.frames_done, row.stage if status is JobStatus.RUNNING else None)  # type: ignore[arg-type]
        folder = self._runner.folder(row.id, row.client_id is not None)
        owner = None
        if row.client is not None and row.session_date is not None:
            owner = Owner(trainer_id=row.client.trainer_id, client_id=row.client.id, session_date=row.session_date)
        return Job(
            id=row.id, exercise=row.exercise, filename=row.filename, status=status, progress=live.progress,
            frames_done=review.source.frames if review is not None else live.frames_done, stage=live.stage,
            error=row.error, review=review,
            video=folder / ANNOTATED_VIDEO if folder is not None and status is JobStatus.DONE else None, owner=owner,
            judgements=list(row.judgements),
        )

    def delete(self, job_id: str) -> None:
        """Delete a trainer's job with its files (its video too, unless another job uses the same clip)."""
        with self._database.session() as session:
            row = session.get(Analysis, job_id)
            if row is None:
                raise NotFoundError(f"no analysis with id {job_id!r}")
            session.delete(row)
            session.commit()
        self._remove_files([(job_id, row.video)])

    def delete_client(self, client_id: int) -> None:
        """Delete a client with every job of theirs and its files."""
        with self._database.session() as session:
            client = session.get(Client, client_id)
            if client is None:
                raise NotFoundError(f"no client with id {client_id}")
            files = [(row.id, row.video) for row in client.analyses]
            session.delete(client)
            session.commit()
        self._remove_files(files)

    def _remove_files(self, jobs: list[tuple[str, str]]) -> None:
        if self._videos is None:
            return
        with self._database.session() as session:
            for job_id, video in jobs:
                still_used = session.scalar(select(func.count()).select_from(Analysis).where(Analysis.video == video))
                self._videos.remove(job_id, Path(video), video_still_used=bool(still_used))

    def shutdown(self) -> None:
        """Stop taking work; queued jobs are cancelled (they stay queued, for the next start), running ones finish."""
        self._stopping.set()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run_here(self, job_id: str) -> None:
        try:
            self._runner.run(job_id, self._set_progress)
        finally:
            with self._lock:
                self._progress.pop(job_id, None)

    def _set_progress(self, job_id: str, progress: Progress) -> None:
        with self._lock:
            self._progress[job_id] = progress

    def _forget_old(self) -> None:
        """Forget the oldest finished anonymous jobs past ``jobs_kept``, with their folders."""
        with self._database.session() as session:
            finished = select(Analysis.id).where(Analysis.client_id.is_(None), Analysis.status.not_in(PENDING))
            total = session.scalar(select(func.count()).select_from(Analysis).where(Analysis.client_id.is_(None))) or 0
            excess = total - self._jobs_kept
            if excess <= 0:
                return
            old = list(session.scalars(finished.order_by(Analysis.created_at).limit(excess)))
            for job_id in old:
                session.delete(session.get(Analysis, job_id))
            session.commit()
        for job_id in old:
            self._runner.remove_folder(job_id, kept=False)
