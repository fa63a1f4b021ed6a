"""Analyses through the queue: clips per minute with 1 and 2 workers, and the queue's own cost per job.

Starts a private ``redis-server`` on loopback and a SQLite database in a temporary folder, then:
  throughput   the clips submitted at once (``JobStore.submit``, as ``POST /analyses`` does) to 1 worker, then
               to 2 (``formcheck worker --concurrency 1`` each, pose cache off), timed from the first
               submission to the last review stored;
  overhead     each clip alone, pose cache warm so the model does not run: through one worker (submit, wait
               for the stored review) against ``analyze_isolated`` in this process (the embedded pool's
               way), the median difference per job.

  .venv/bin/python benchmarks/queue_speed.py [--clips N]

The clips are the N shortest labelled .mp4 clips of catalogue exercises (the SIGKILL test's 12, in
``tests/api/test_queue.py``, are the same).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from formcheck.api.jobs import JobStore
from formcheck.api.queue import enqueuer
from formcheck.api.settings import Settings
from formcheck.isolated import analyze_isolated
from formcheck.pose.cache import PoseCache
from formcheck.sources import open_source
from formcheck.store.database import open_database

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    import redis

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.terminate()
        server.wait()


@contextmanager
def workers(count: int, env: dict[str, str], folder: Path) -> Iterator[None]:
    started = []
    for number in range(count):
        with (folder / f"worker{number}.log").open("wb") as log:
            started.append(subprocess.Popen(
                [sys.executable, "-m", "formcheck", "worker", "--concurrency", "1", "--name", f"bench{number}@here"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            ))
    time.sleep(3)  # the workers connect before the clock starts
    try:
        yield
    finally:
        for worker in started:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait()


def run_all(jobs: JobStore, clips: list[tuple[Path, str]], uploads: Path) -> float:
    """Seconds from the first submission to the last stored review, the clips submitted at once."""
    copies = []
    for number, (path, exercise) in enumerate(clips):
        copy = uploads / f"{number}-{path.name}"
        shutil.copy(path, copy)
        copies.append((copy, exercise))
    started = time.perf_counter()
    ids = [jobs.submit(copy, exercise).id for copy, exercise in copies]
    while any((job := jobs.get(job_id)) is None or job.status.value in ("queued", "running") for job_id in ids):
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    failed = [job_id for job_id in ids if (job := jobs.get(job_id)) is None or job.status.value != "done"]
    if failed:
        raise SystemExit(f"{len(failed)} jobs did not finish: see the worker logs")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=12, help="how many clips, shortest first")
    args = parser.parse_args()
    labels = yaml.safe_load((SHARED / "labels/clips.yaml").read_text())["clips"]
    catalogue = [(SHARED / "clips" / label["path"], str(label["catalogue_exercise"]))
                 for label in labels if label["catalogue_exercise"] and label["path"].endswith(".mp4")]
    clips = sorted(catalogue, key=lambda clip: open_source(clip[0]).info.frames)[: args.clips]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start, {len(clips)} clips\n")
    with tempfile.TemporaryDirectory() as scratch, redis_server(Path(scratch)) as broker_url:
        folder = Path(scratch)
        uploads, poses = folder / "uploads", folder / "poses"
        uploads.mkdir()
        settings = Settings(broker_url=broker_url, database_url=f"sqlite:///{folder / 'db.sqlite3'}",
                            upload_dir=uploads, data_dir=folder / "data", max_queued_jobs=1000)
        database = open_database(settings.database)
        jobs = JobStore(database=database, max_queued=1000, enqueue=enqueuer(settings))
        env = os.environ | {
            "FORMCHECK_BROKER_URL": broker_url, "FORMCHECK_DATABASE_URL": settings.database_url or "",
            "FORMCHECK_UPLOAD_DIR": str(uploads), "FORMCHECK_DATA_DIR": str(folder / "data"),
            "FORMCHECK_CACHE_DIR": str(poses),
        }
        for count in (1, 2):
            with workers(count, env | {"FORMCHECK_POSE_CACHE": "false"}, folder):
                elapsed = run_all(jobs, clips, uploads)
            print(f"{count} worker{'s' if count > 1 else ''} (concurrency 1 each), pose cache off: {elapsed:.1f} s, "
                  f"{len(clips) / elapsed * 60:.1f} clips/min")

        cache = PoseCache(poses)
        direct, queued = [], []
        with workers(1, env | {"FORMCHECK_POSE_CACHE": "true"}, folder):
            for path, exercise in clips:
                run_all(jobs, [(path, exercise)], uploads)  # fills the worker's cache with this clip's poses
                started = time.perf_counter()
                analyze_isolated(path, exercise, cache=cache)
                direct.append(time.perf_counter() - started)
                queued.append(run_all(jobs, [(path, exercise)], uploads))
        print(f"\none job at a time, poses from the cache: in a child process here {statistics.median(direct):.2f} s, "
              f"through the broker and a worker {statistics.median(queued):.2f} s (median): the queue adds "
              f"{statistics.median(q - d for q, d in zip(queued, direct, strict=True)):.2f} s a job")
        jobs.shutdown()
        database.close()


if __name__ == "__main__":
    main()
