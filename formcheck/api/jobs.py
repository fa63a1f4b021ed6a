"""Background analyses of uploaded clips: an in-process job store.

The routes only ``submit`` and ``get``; that small interface is what a task queue (Celery)
and a database would implement later, without the routes changing. Jobs run in a thread
pool, independent of the request that created them, so they outlive a client that
disconnects. Each job calls ``analyze_video`` - the function the CLI calls - so an upload
gets the same review as ``formcheck analyze`` on the same file; it runs in a child process
(``formcheck.isolated``), so a file that crashes the native pose model fails its own job
and nothing else. The child also draws the annotated video into the job's folder; that video
is the one output kept on disk, for as long as the job itself is kept (see ``JobStore``).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import shutil
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from formcheck.api.errors import ServiceBusyError
from formcheck.api.uploads import as_sent
from formcheck.errors import FormcheckError
from formcheck.isolated import InternalAnalysisError, analyze_isolated
from formcheck.pose.cache import PoseCache
from formcheck.review.schema import Review

logger = logging.getLogger(__name__)

ANNOTATED_VIDEO = "annotated.mp4"


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    """One analysis. ``JobStore.get`` hands out copies, so readers never see a half-made update.

    Attributes:
        id: random hex id, the handle clients poll.
        exercise: the exercise id the clip is analysed as.
        filename: the client's name for the file (for display only).
        status: queued -> running -> done or failed.
        progress: 0..1, frames decoded over frames expected (1 when done).
        frames_done: frames through the pose model so far.
        stage: while running, ``pose`` (frames through the model) then ``video`` (drawing the
            annotated video, which has no progress of its own).
        error: the one-line reason when failed.
        review: the review when done.
        video: the annotated video when done (if the store writes them).
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

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class JobStore:
    """Jobs in a dict under a lock, run by a thread pool.

    Args:
        workers: analyses that run at the same time.
        jobs_kept: finished jobs remembered; past it, the oldest finished ones are forgotten.
        cache: pose cache for ``analyze_video`` (None: always run the model).
        output_dir: where each job gets a private folder (``<output_dir>/<job id>/``) for its
            annotated video; the folder is deleted when the job fails or is forgotten, and by
            ``sweep_uploads`` when the service starts again. None: no annotated videos.
    """

    def __init__(
        self, workers: int = 1, jobs_kept: int = 200, max_queued: int = 32, cache: PoseCache | None = None,
        output_dir: Path | None = None,
    ) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analysis")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._jobs_kept = jobs_kept
        self._max_queued = max_queued
        self._cache = cache
        self._output_dir = output_dir

    def _queue_full(self) -> ServiceBusyError | None:
        """The refusal when ``max_queued`` jobs already wait (call with the lock held)."""
        if sum(job.status is JobStatus.QUEUED for job in self._jobs.values()) < self._max_queued:
            return None
        return ServiceBusyError(f"{self._max_queued} analyses are already waiting; try again in a minute")

    def check_room(self) -> None:
        """Raise ``ServiceBusyError`` when the queue is full (before an upload is stored)."""
        with self._lock:
            refusal = self._queue_full()
        if refusal is not None:
            raise refusal

    def submit(self, video: Path, exercise: str, filename: str | None = None) -> Job:
        """Queue an analysis of ``video``; the file is deleted when the job ends (or now, if refused).

        Returns:
            A copy of the new job (status ``queued``).

        Raises:
            ServiceBusyError: ``max_queued`` jobs are already waiting.
        """
        job = Job(id=uuid.uuid4().hex, exercise=exercise, filename=filename)
        with self._lock:
            refusal = self._queue_full()
            if refusal is None:
                self._jobs[job.id] = job
                forgotten = self._forget_old()
                snapshot = dataclasses.replace(job)
        for old in forgotten if refusal is None else []:
            self._remove_folder(old)
        if refusal is not None:
            video.unlink(missing_ok=True)
            raise refusal
        self._executor.submit(self._run, job.id, video)
        return snapshot

    def get(self, job_id: str) -> Job | None:
        """A copy of the job, or None for an unknown (or forgotten) id."""
        with self._lock:
            job = self._jobs.get(job_id)
            return dataclasses.replace(job) if job is not None else None

    def shutdown(self) -> None:
        """Stop taking work; queued jobs are cancelled, running ones finish."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                for name, value in changes.items():
                    setattr(job, name, value)

    def _forget_old(self) -> list[str]:
        """Forget the oldest finished jobs past ``jobs_kept`` (call with the lock held); their ids."""
        finished = [job_id for job_id, job in self._jobs.items() if job.finished]
        forgotten = finished[: max(0, len(self._jobs) - self._jobs_kept)]
        for job_id in forgotten:
            del self._jobs[job_id]
        return forgotten

    def _folder(self, job_id: str) -> Path | None:
        return None if self._output_dir is None else self._output_dir / job_id

    def _remove_folder(self, job_id: str) -> None:
        folder = self._folder(job_id)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self, job_id: str, video: Path) -> None:
        job = self.get(job_id)
        if job is None:
            return

        def on_frame(done: int, expected: int) -> None:
            # Frame counts from the container header can be off; never claim to be done early.
            progress = min(done / expected, 0.99) if expected else 0.0
            self._update(job_id, frames_done=done, progress=round(progress, 3))

        folder = self._folder(job_id)
        annotated = None
        if folder is not None:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            annotated = folder / ANNOTATED_VIDEO
        self._update(job_id, status=JobStatus.RUNNING, stage="pose")
        try:
            review = analyze_isolated(
                video, job.exercise, cache=self._cache, progress=on_frame, annotated=annotated,
                on_drawing=lambda: self._update(job_id, stage="video"),
            )
        except FormcheckError as error:
            reason = as_sent(str(error), video, job.filename)
            logger.warning("analysis %s failed: %s", job_id, reason)
            self._update(job_id, status=JobStatus.FAILED, stage=None, error=reason)
        except InternalAnalysisError as error:  # a bug in the child: log its traceback, tell the client
            logger.error("analysis %s failed:\n%s", job_id, error)
            self._update(job_id, status=JobStatus.FAILED, stage=None, error="internal error")
        except Exception as error:  # a bug here: keep the service up, log the traceback, tell the client
            logger.exception("analysis %s failed", job_id)
            self._update(job_id, status=JobStatus.FAILED, stage=None, error=f"internal error: {error.__class__.__name__}")
        else:
            # The stored file's name is ours; the review names the file the client sent.
            source = review.source.model_copy(update={"path": job.filename or "upload"})
            self._update(
                job_id, status=JobStatus.DONE, stage=None, progress=1.0, review=review.model_copy(update={"source": source}),
                video=annotated,
            )
        finally:
            video.unlink(missing_ok=True)
            finished = self.get(job_id)
            if finished is None or finished.status is not JobStatus.DONE:
                self._remove_folder(job_id)  # a failed job keeps nothing, nor a half-written video
