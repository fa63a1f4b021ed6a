"""Review every video in a folder, several at once, for a trainer with a backlog on one computer.

The clips are shared out to ``jobs`` worker processes, each with its own pose model (the model keeps
about one core busy, so the default is one worker per core). Each clip is reviewed exactly as
``formcheck analyze CLIP`` reviews it (``formcheck.pipeline``); the outcomes come back in the
folder's order whatever order they finish in, and a clip that cannot be analysed reports its reason
without stopping the others.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError, SourceError
from formcheck.pipeline import review_with_poses, write_review_files
from formcheck.pose.cache import PoseCache
from formcheck.review.schema import Review
from formcheck.sources.video import VIDEO_SUFFIXES
from formcheck.specs import load_spec


def default_jobs() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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


def review_clip(run: FolderRun, path: Path) -> ClipOutcome:
    """Review one clip and write its files; runs in a worker process and never raises for a bad clip."""
    try:
        review, track = review_with_poses(path, run.exercise, run.model_path, PoseCache() if run.use_cache else None)
        if track.interrupted:  # Ctrl-C reached this worker too: the whole run stops, a part-clip is no review
            raise KeyboardInterrupt
        write_review_files(
            path, review, track,
            run.json_dir / f"{path.name}.json" if run.json_dir is not None else None,
            run.annotate_dir / f"{path.name}.annotated.mp4" if run.annotate_dir is not None else None,
        )
        return ClipOutcome(path, review=review)
    except FormcheckError as error:
        return ClipOutcome(path, reason=str(error).removeprefix(f"{path}: "))
    except Exception as error:  # noqa: BLE001 - a bug shows on its clip's row; the other clips go on
        return ClipOutcome(path, reason=f"internal error: {error.__class__.__name__}: {error}", bug=traceback.format_exc())


def review_folder(
    videos: list[Path], run: FolderRun, jobs: int, on_done: Callable[[ClipOutcome], None] | None = None
) -> list[ClipOutcome]:
    """Review ``videos`` in ``jobs`` worker processes; the outcomes in the order of ``videos``.

    ``on_done`` is called in this process as each clip finishes, in the order they finish.

    Raises:
        UnknownExerciseError: no spec for the exercise (before any worker starts).
        FormcheckError: an output folder cannot be made.
    """
    load_spec(run.exercise)
    for folder in (run.json_dir, run.annotate_dir):
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise FormcheckError(f"{folder}: cannot make the output folder ({error.strerror})") from error
    outcomes: dict[int, ClipOutcome] = {}
    # spawn, not fork: a forked copy of a process running threads (the progress bar's, a pose
    # model's) can deadlock, and each worker loads its own model anyway
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(videos))), mp_context=context) as pool:
        futures: dict[Future[ClipOutcome], int] = {
            pool.submit(review_clip, run, video): index for index, video in enumerate(videos)
        }
        try:
            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool as error:  # the model can take its process down on some inputs
                    outcome = ClipOutcome(videos[index], reason="internal error: the worker process analysing it died",
                                          bug=repr(error))
                outcomes[index] = outcome
                if on_done is not None:
                    on_done(outcome)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [outcomes[index] for index in range(len(videos))]
