"""Review every video in a folder, several at once, for a trainer with a backlog on one computer.

Each clip is reviewed exactly as ``formcheck analyze CLIP`` reviews it, in its own child process
with its own pose model (``formcheck.isolated``: a clip that crashes the native model costs only
that clip). ``jobs`` clips run at once (the model keeps about one core busy, so the default is one
per core); the outcomes come back in the folder's order whatever order they finish in, and a clip
that cannot be analysed reports its reason without stopping the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError, SourceError
from formcheck.isolated import InternalAnalysisError, analyze_isolated
from formcheck.pipeline import resolve_model, write_review_json
from formcheck.pose.cache import PoseCache
from formcheck.pose.estimator import threads_per_job, usable_cores
from formcheck.review.schema import Review
from formcheck.sources.video import VIDEO_SUFFIXES
from formcheck.specs import load_spec


def default_jobs() -> int:
    """One worker per core this process may run on."""
    return usable_cores()


def videos_in(folder: Path) -> list[Path]:
    """The folder's video files, by name (not its subfolders, nor hidden files).

    Raises:
        SourceError: the folder cannot be read or holds no video file.
    """
    try:
        entries = list(folder.iterdir())
    except OSError as error:
        raise SourceError(f"{folder}: cannot read the folder ({error.strerror})") from error
    videos = sorted(
        entry for entry in entries
        if entry.is_file() and entry.suffix.lower() in VIDEO_SUFFIXES and not entry.name.startswith(".")
    )
    if not videos:
        raise SourceError(f"{folder}: no video files in this folder (looked for {', '.join(sorted(VIDEO_SUFFIXES))})")
    return videos


@dataclass(frozen=True)
class FolderRun:
    """What every clip of a folder is reviewed with, and the folders its files are written to.

    A clip's files are named after the whole clip name (``a.mp4.json``, ``a.mp4.annotated.mp4``), so
    ``a.mp4`` and ``a.mov`` never overwrite each other's, nor the clips themselves.
    """

    exercise: str
    model_path: Path | None = None
    use_cache: bool = True
    json_dir: Path | None = None
    annotate_dir: Path | None = None


@dataclass(frozen=True)
class ClipOutcome:
    """One clip's review, or the one-line reason it has none (without the clip's path, which the row names).

    ``bug`` holds the traceback when the reason is a fault in formcheck, not in the clip.
    """

    path: Path
    review: Review | None = None
    reason: str | None = None
    bug: str | None = None


def review_clip(run: FolderRun, path: Path, stopped: threading.Event, model_threads: int = 1) -> ClipOutcome:
    """Review one clip in its own child process and write its files; never raises for a bad clip."""
    annotated = run.annotate_dir / f"{path.name}.annotated.mp4" if run.annotate_dir is not None else None
    try:
        review = analyze_isolated(
            path, run.exercise, PoseCache() if run.use_cache else None, annotated=annotated, model_path=run.model_path,
            model_threads=model_threads,
        )
        if stopped.is_set():  # Ctrl-C reached the child too: what it reviewed is part of the clip, not the clip
            return ClipOutcome(path, reason="interrupted")
        if run.json_dir is not None:
            write_review_json(review, run.json_dir / f"{path.name}.json")
        return ClipOutcome(path, review=review)
    except FormcheckError as error:
        return ClipOutcome(path, reason=str(error).removeprefix(f"{path}: "))
    except InternalAnalysisError as error:
        return ClipOutcome(path, reason="internal error", bug=str(error))


def review_folder(
    videos: list[Path], run: FolderRun, jobs: int, on_done: Callable[[ClipOutcome], None] | None = None
) -> list[ClipOutcome]:
    """Review ``videos``, ``jobs`` at once; the outcomes in the order of ``videos``.

    ``on_done`` is called in this thread as each clip finishes, in the order they finish.

    Raises:
        UnknownExerciseError: no spec for the exercise (before any clip starts).
        PoseModelError: the pose model cannot be built or read (before any clip starts).
        FormcheckError: an output folder cannot be made.
    """
    load_spec(run.exercise)
    resolve_model(run.model_path)  # built here once, not by every child at once
    for folder in (run.json_dir, run.annotate_dir):
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise FormcheckError(f"{folder}: cannot make the output folder ({error.strerror})") from error
    outcomes: dict[int, ClipOutcome] = {}
    stopped = threading.Event()
    at_once = max(1, min(jobs, len(videos)))
    model_threads = threads_per_job(at_once)  # the cores shared out among the clips that run together
    # threads, each waiting on its clip's child process, which does the work
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="formcheck-clip") as pool:
        futures: dict[Future[ClipOutcome], int] = {
            pool.submit(review_clip, run, video, stopped, model_threads): index for index, video in enumerate(videos)
        }
        try:
            for future in as_completed(futures):
                outcomes[futures[future]] = future.result()
                if on_done is not None:
                    on_done(outcomes[futures[future]])
        except KeyboardInterrupt:
            stopped.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [outcomes[index] for index in range(len(videos))]
