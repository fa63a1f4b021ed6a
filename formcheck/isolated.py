"""``analyze_video`` in a child process, so an input that crashes the native pose model costs one job.

The pose model is C++; on some inputs it aborts the process instead of raising (an OpenCV
assertion on a frame shape, for one). Frames are checked before they reach it
(``formcheck.sources.limits``), but a service holding other people's jobs cannot bet on
that check being complete. Each analysis runs in a child forked from a small server process
that has the pipeline already imported (fast to start); a child that dies turns into a
``AnalysisCrashedError`` for its own job, and the service carries on.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from formcheck.errors import FormcheckError, SourceError
from formcheck.pipeline import review_with_poses
from formcheck.pose.cache import PoseCache
from formcheck.pose.child import child_context, describe_exit
from formcheck.pose.run import ProgressCallback
from formcheck.render.video import write_annotated_video
from formcheck.review.schema import Review

# Progress messages at most this often (frames), so the pipe carries little.
PROGRESS_EVERY_FRAMES = 10


class AnalysisCrashedError(SourceError):
    """The child process analysing a file died (a native crash): the file cannot be analysed."""


class InternalAnalysisError(Exception):
    """A bug in the child: its traceback, for the service's log."""


def _child(
    connection: Connection, video: str, exercise: str, cache: PoseCache | None, annotated: Path | None,
    model_path: Path | None, model_threads: int,
) -> None:
    def on_frame(done: int, expected: int) -> None:
        if done % PROGRESS_EVERY_FRAMES == 0:
            connection.send(("progress", done, expected))

    try:
        review, track = review_with_poses(
            video, exercise, model_path, cache=cache, progress=on_frame, model_threads=model_threads
        )
        if annotated is not None:
            # Here, beside the poses: they never cross the pipe, and a crash still costs only this job.
            connection.send(("drawing",))
            write_annotated_video(video, track.frames, review, annotated)
    except FormcheckError as error:
        connection.send(("failed", str(error)))
    except BaseException:  # noqa: BLE001 - a bug: the parent logs it
        connection.send(("bug", traceback.format_exc()))
    else:
        connection.send(("done", review))
    finally:
        connection.close()


def analyze_isolated(
    video: Path,
    exercise: str,
    cache: PoseCache | None = None,
    progress: ProgressCallback | None = None,
    annotated: Path | None = None,
    on_drawing: Callable[[], None] | None = None,
    model_path: Path | None = None,
    model_threads: int = 1,
) -> Review:
    """``analyze_video(video, exercise, model_path, cache, progress)`` in a child process.

    Args:
        annotated: when given, the child also writes the annotated video here
            (``write_annotated_video``), calling ``on_drawing`` as it starts.
        model_threads: CPU threads for the child's pose model (``threads_per_job``).

    Raises:
        FormcheckError: what ``analyze_video`` raises (as its message).
        AnalysisCrashedError: the child died without an answer.
        InternalAnalysisError: a bug in the child, with its traceback.
    """
    context = child_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(  # type: ignore[attr-defined]
        target=_child, args=(sender, str(video), exercise, cache, annotated, model_path, model_threads), name="formcheck-analysis", daemon=True
    )
    process.start()
    sender.close()  # the child holds the only sending end: its death ends the pipe
    answer: tuple[object, ...] | None = None
    try:
        while answer is None:
            try:
                message = receiver.recv()
            except EOFError:
                break
            if message[0] == "progress":
                if progress is not None:
                    progress(int(message[1]), int(message[2]))
            elif message[0] == "drawing":
                if on_drawing is not None:
                    on_drawing()
            else:
                answer = message
    finally:
        receiver.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
    if answer is None:
        raise AnalysisCrashedError(
            f"{video}: the analysis stopped unexpectedly ({describe_exit(process.exitcode)}); "
            "the file cannot be analysed"
        )
    kind, payload = answer[0], answer[1]
    if kind == "done":
        assert isinstance(payload, Review)
        return payload
    if kind == "failed":
        raise FormcheckError(str(payload))
    raise InternalAnalysisError(str(payload))
