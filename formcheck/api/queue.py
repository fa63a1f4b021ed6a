"""Analyses on many machines: Celery with the broker ``FORMCHECK_BROKER_URL`` names (Redis).

The API records each job's row, then sends its id to the broker; ``formcheck worker`` (``run_worker``), on any
machine that reaches the broker, the database and the upload and data folders, takes it and runs it with the
``JobRunner`` the embedded pool uses, so the review is the same.

Nothing lost, nothing twice: a message is acknowledged only once its task returned (``acks_late``), that is
once the outcome is stored. A worker that dies leaves its message unacknowledged; the broker hands it to
another worker ``job_timeout_s`` after it was taken (Redis's visibility timeout), so that timeout must exceed
the longest analysis. A redelivered job is run only if its row is not finished, and only the first outcome
is written (``JobRunner.record``). A bad video fails its job with its reason and the task returns normally:
it is never retried.

Each worker runs its analyses on threads (``--pool threads``): every analysis already runs in a child
process of its own (``formcheck.isolated``), which a prefork pool's daemonic children could not start.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from celery import Celery
from kombu.exceptions import OperationalError

from formcheck.api.errors import ServiceBusyError
from formcheck.api.jobs import JobRunner, Progress
from formcheck.api.settings import Settings
from formcheck.errors import FormcheckError
from formcheck.pose.cache import PoseCache
from formcheck.store.database import open_database
from formcheck.store.videos import VideoFolder

logger = logging.getLogger(__name__)

TASK = "formcheck.analyse"
QUEUE = "formcheck-analyses"
PROGRESS_EVERY_S = 1.0  # a worker writes a job's progress to its row at most this often


def celery_app(settings: Settings) -> Celery:
    """The Celery app on ``settings.broker_url``, configured for late acknowledgement.

    Raises:
        FormcheckError: FORMCHECK_BROKER_URL is not set.
    """
    if not settings.broker_url:
        raise FormcheckError("FORMCHECK_BROKER_URL is not set: name the broker, e.g. redis://queue-host:6379/0")
    app = Celery("formcheck", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        worker_prefetch_multiplier=1,  # a worker holds no job it has not started: the others take them
        task_default_queue=QUEUE,
        task_ignore_result=True,  # outcomes live in the database
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.job_timeout_s,
            # Look for a dead worker's jobs every few seconds, not Kombu's default of every 100 s.
            "unacked_restore_interval": min(10.0, settings.job_timeout_s / 4),
            "unacked_restore_throttle": 1,
        },
    )
    return app


def enqueuer(settings: Settings) -> Callable[[str], None]:
    """What ``JobStore`` calls with each new job's id: send it to the broker."""
    app = celery_app(settings)

    def enqueue(job_id: str) -> None:
        try:
            app.send_task(TASK, args=[job_id], retry=False)
        except OperationalError as error:
            logger.error("analysis %s not queued: %s", job_id, error)
            raise ServiceBusyError("the analysis queue cannot be reached; try again in a minute") from None

    return enqueue


class ThrottledProgress:
    """Writes each job's progress to its row at most every ``PROGRESS_EVERY_S``, and at once when its stage changes."""

    def __init__(self, runner: JobRunner) -> None:
        self._runner = runner
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, str | None]] = {}

    def __call__(self, job_id: str, progress: Progress) -> None:
        now = time.monotonic()
        with self._lock:
            written_at, stage = self._last.get(job_id, (-PROGRESS_EVERY_S, None))
            if now - written_at < PROGRESS_EVERY_S and progress.stage == stage:
                return
            self._last[job_id] = (now, progress.stage)
        self._runner.record(job_id, progress=progress.progress, frames_done=progress.frames_done, stage=progress.stage)

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._last.pop(job_id, None)


def worker_name() -> str:
    return f"formcheck@{socket.gethostname()}"


def run_worker(settings: Settings, concurrency: int, name: str | None = None) -> None:
    """Run queued analyses until stopped (Ctrl+C or SIGTERM: the jobs under way finish first).

    Args:
        concurrency: analyses at once (each uses a CPU core fully).
        name: the worker's name, recorded on the jobs it takes (default ``formcheck@<host name>``).

    Raises:
        FormcheckError: FORMCHECK_BROKER_URL is not set, or the database cannot be opened.
    """
    app = celery_app(settings)
    database = open_database(settings.database)
    cache = PoseCache(max_age_days=settings.pose_cache_days) if settings.pose_cache else None
    runner = JobRunner(database, cache=cache, output_dir=settings.upload_dir, videos=VideoFolder(settings.data_dir))
    progress = ThrottledProgress(runner)
    name = name or worker_name()

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def analyse(job_id: str) -> None:
        try:
            runner.run(job_id, progress, worker=name)
        finally:
            progress.forget(job_id)

    app.worker_main([
        "worker", f"--concurrency={concurrency}", "--pool=threads", f"--hostname={name}", "--loglevel=INFO",
        # Workers need not know of each other: no gossip, mingle or heartbeats to pay for.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ])
