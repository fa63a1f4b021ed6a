"""A pose estimator whose model runs in a child process, so a native crash ends one session only.

The live service holds many people's sessions in one process. The model is C++ and can abort
the process instead of raising; frames are checked before they reach it, but the check
cannot prove the model never crashes. ``ChildPoseEstimator`` keeps the same interface as
``MediaPipePoseEstimator`` and sends each frame to its own child (forked from a server that
has the model's code imported, so it starts in a fraction of a second). A child that dies
turns into a ``PoseModelError`` for that session; the others never notice.
"""

from __future__ import annotations

import multiprocessing
import signal
from dataclasses import replace
from multiprocessing.connection import Connection

from formcheck.back.shape import with_back_shape
from formcheck.errors import FormcheckError, PoseModelError
from formcheck.landmarks import PoseFrame
from formcheck.pose.estimator import MediaPipePoseEstimator, PoseSettings
from formcheck.pose.model import ModelBundle
from formcheck.sources.base import Frame


def child_context() -> multiprocessing.context.BaseContext:
    """Forkserver where there is one (fast starts, no inherited threads), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["formcheck.isolated", "formcheck.pose.child"])
        return context
    return multiprocessing.get_context("spawn")


def describe_exit(code: int | None) -> str:
    """``killed by SIGABRT`` or ``exit code 1``: how a child process ended."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _serve(connection: Connection, bundle: ModelBundle, settings: PoseSettings, back_shape: bool) -> None:
    try:
        estimator = MediaPipePoseEstimator(bundle, settings)
    except FormcheckError as error:
        connection.send(error)
        return
    connection.send("ready")
    try:
        while (frame := connection.recv()) is not None:
            try:
                pose = estimator.estimate(frame)
                # traced here, so the mask (megabytes a frame) never crosses the pipe
                connection.send(with_back_shape(pose) if back_shape else pose)
            except FormcheckError as error:
                connection.send(error)
    except EOFError:  # the parent went away
        pass
    finally:
        estimator.close()


class ChildPoseEstimator:
    """``MediaPipePoseEstimator`` in a child process; one per session, frames in time order.

    Raises (from the constructor and ``estimate``):
        PoseModelError: the model cannot be loaded, or the child died.
    """

    def __init__(self, bundle: ModelBundle, settings: PoseSettings | None = None, back_shape: bool = False) -> None:
        """``back_shape``: trace each frame's back from the person mask in the child (``formcheck.back``)."""
        settings = replace(settings or PoseSettings(), segmentation_masks=True) if back_shape else settings
        context = child_context()
        self._connection, child_end = context.Pipe()
        self._process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child_end, bundle, settings or PoseSettings(), back_shape), name="formcheck-pose",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self._frames = 0
        answer = self._receive("while loading")
        if answer != "ready":
            self.close()
            raise answer if isinstance(answer, FormcheckError) else PoseModelError(f"pose model child: {answer!r}")

    def _receive(self, moment: str) -> object:
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            self._process.join(timeout=5)
            raise PoseModelError(
                f"the pose model stopped {moment} ({describe_exit(self._process.exitcode)}); this session cannot go on"
            ) from None

    def estimate(self, frame: Frame) -> PoseFrame:
        self._frames += 1
        try:
            self._connection.send(frame)
        except OSError:
            pass  # the child is gone; _receive says how
        answer = self._receive(f"on frame {self._frames}")
        if isinstance(answer, FormcheckError):
            raise answer
        assert isinstance(answer, PoseFrame)
        return answer

    def close(self) -> None:
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
