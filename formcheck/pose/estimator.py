"""MediaPipe PoseLandmarker in VIDEO mode (tracking between frames), returning ``PoseFrame``s."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import PoseModelError
from formcheck.landmarks import LANDMARK_COUNT, Landmark, PoseFrame, PoseStatus
from formcheck.pose.mediapipe_import import import_mediapipe
from formcheck.pose.model import ModelBundle
from formcheck.pose.native_log import filter_native_logs
from formcheck.sources.base import Frame
from formcheck.sources.limits import FRAME_LIMITS, FrameLimits, FrameSizeError

# The landmarks a whole-body exercise needs; their visibility decides a frame's status.
BODY_LANDMARKS = (
    Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE,
)
# A body landmark this far outside the image (fraction of its size) counts as cut off.
OUT_OF_FRAME_MARGIN = 0.02
LOW_VISIBILITY = 0.5
# The model's tracker is fed capture times; a gap longer than this is fed as this, so a jump of
# years between two live frames cannot flood the native log or overflow its clock.
MAX_TIMESTAMP_STEP_MS = 5000
MAX_MODEL_THREADS = 4


@dataclass(frozen=True)
class PoseSettings:
    """Model thresholds (MediaPipe's defaults) and whether to return segmentation masks."""

    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    segmentation_masks: bool = False
    # Frames whose shorter side is under this are enlarged before the model sees them. On small
    # frames the model's tracker drifts off a partly hidden body (a 406x720 barbell squat loses
    # the legs after 2 s at its own size and keeps them at 1.5x and 2x); it costs ~0.6 ms a frame.
    min_short_side_px: int = 720
    # ...but never more than this, so a tiny frame never becomes a huge one.
    max_upscale: float = 4.0
    # CPU threads the model's network runs on (XNNPACK). The landmarks are the same bit for bit
    # whatever the count (tests/pose/test_run.py); 2 threads make the model ~1.3x faster for ~1.5x
    # the CPU. 1 by default, and in the services: XNNPACK's threads wait for each other by spinning,
    # so two processes that each take the cores are many times slower than one thread each (two
    # queue workers on 2 cores: 12 clips in 224 s against 23 s). Only the CLI, which knows what runs
    # beside it, takes more (``threads_per_job``). Not part of the cache key: it changes no result.
    model_threads: int = 1

    def upscale_factor(self, width: int, height: int) -> float:
        """How much a frame of this size is enlarged before the model sees it (1.0: not at all)."""
        short_side = min(width, height)
        if self.min_short_side_px <= 0 or short_side <= 0 or short_side >= self.min_short_side_px:
            return 1.0
        return min(self.min_short_side_px / short_side, self.max_upscale)

    def cache_key(self, width: int = 0, height: int = 0) -> str:
        key = f"det{self.min_detection_confidence}-pres{self.min_presence_confidence}-trk{self.min_tracking_confidence}"
        factor = self.upscale_factor(width, height)
        return key if factor == 1.0 else f"{key}-up{factor:.4f}"


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def threads_per_job(jobs: int) -> int:
    """Model threads for each of ``jobs`` analyses running at once: the cores shared out, at least 1,
    at most ``MAX_MODEL_THREADS`` (past 4 the small network gains little)."""
    return max(1, min(MAX_MODEL_THREADS, usable_cores() // max(1, jobs)))


@dataclass(frozen=True)
class ModelInput:
    """A frame as the model takes it: its picture (enlarged when small) and the facts its pose keeps.

    The decoded frame itself is not kept, so a queue of these holds one picture each.
    """

    frame_index: int
    t_s: float
    image_wh: tuple[int, int]  # the frame's own size, which the pose's coordinates refer to
    image: Any  # mediapipe.Image (untyped)


class PoseEstimator(Protocol):
    """One person's pose, frame by frame, in time order. One instance per video or live session."""

    def estimate(self, frame: Frame) -> PoseFrame: ...

    def close(self) -> None: ...


def frame_status(image_xy: npt.NDArray[np.float32], visibility: npt.NDArray[np.float32]) -> PoseStatus:
    """Classify a detected pose: cut off by the frame edge, poorly visible, or fine.

    A body landmark outside the image is "partly out of frame"; otherwise a mean body
    visibility under 0.5 is "low visibility". Side-on floor exercises hide one side, so
    this is a warning for the review, not a reason to drop the frame.
    """
    body = list(BODY_LANDMARKS)
    xy = image_xy[body]
    outside = (xy < -OUT_OF_FRAME_MARGIN) | (xy > 1 + OUT_OF_FRAME_MARGIN)
    if outside.any():
        return PoseStatus.PARTLY_OUT_OF_FRAME
    if float(visibility[body].mean()) < LOW_VISIBILITY:
        return PoseStatus.LOW_VISIBILITY
    return PoseStatus.OK


def _threaded_base_options(model_path: str, threads: int) -> Any:
    """The Tasks API's ``BaseOptions``, with the XNNPACK delegate on ``threads`` threads when over 1.

    Python's ``BaseOptions`` has no thread count (the graph then runs XNNPACK on one thread on
    Linux); its protobuf does, so the subclass sets it where the options become that protobuf.
    """
    from mediapipe.calculators.tensor.inference_calculator_pb2 import InferenceCalculatorOptions
    from mediapipe.tasks.cc.core.proto.acceleration_pb2 import Acceleration
    from mediapipe.tasks.python import BaseOptions

    class ThreadedBaseOptions(BaseOptions):  # type: ignore[misc]
        def to_pb2(self) -> Any:
            proto = super().to_pb2()
            proto.acceleration.CopyFrom(
                Acceleration(xnnpack=InferenceCalculatorOptions.Delegate.Xnnpack(num_threads=threads))
            )
            return proto

    return ThreadedBaseOptions(model_asset_path=model_path) if threads > 1 else BaseOptions(model_asset_path=model_path)


class MediaPipePoseEstimator:
    """``PoseLandmarker`` in VIDEO mode. Timestamps must increase; equal ones are nudged forward.

    Every frame's size is checked against ``limits`` before the model sees it: the model
    aborts the whole process on some shapes instead of raising.
    """

    def __init__(self, bundle: ModelBundle, settings: PoseSettings | None = None, limits: FrameLimits = FRAME_LIMITS) -> None:
        self._mp = import_mediapipe()
        from mediapipe.tasks.python import vision

        self.settings = settings or PoseSettings()
        self.limits = limits
        options = vision.PoseLandmarkerOptions(
            base_options=_threaded_base_options(str(bundle.path), self.settings.model_threads),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=self.settings.min_detection_confidence,
            min_pose_presence_confidence=self.settings.min_presence_confidence,
            min_tracking_confidence=self.settings.min_tracking_confidence,
            output_segmentation_masks=self.settings.segmentation_masks,
        )
        filter_native_logs()
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise PoseModelError(f"{bundle.path}: the pose model could not be loaded ({error})") from error
        self._last_timestamp_ms = 0
        self._last_t_ms: int | None = None

    def estimate(self, frame: Frame) -> PoseFrame:
        return self.estimate_prepared(self.prepare(frame))

    def prepare(self, frame: Frame) -> ModelInput:
        """Check a frame and make the model's picture of it (enlarged when small).

        Reads no model state, so a reading thread can run it while the model works on the
        frame before (``formcheck.pose.run``).
        """
        height, width = frame.image.shape[:2]
        self.limits.check(width, height, f"frame {frame.index + 1}")
        if frame.image.ndim != 3 or frame.image.shape[2] != 3 or frame.image.dtype != np.uint8:
            raise FrameSizeError(f"frame {frame.index + 1}: expected an RGB picture, got an array of {frame.image.shape}")
        pixels = frame.image
        factor = self.settings.upscale_factor(width, height)
        if factor != 1.0:
            size = (round(width * factor), round(height * factor))
            pixels = np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_CUBIC), np.uint8)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(pixels))
        return ModelInput(frame.index, frame.t_s, (width, height), image)

    def estimate_prepared(self, prepared: ModelInput) -> PoseFrame:
        """The pose in a prepared frame; frames must come in time order."""
        width, height = prepared.image_wh
        timestamp_ms = self._model_timestamp_ms(prepared.t_s)
        result = self._landmarker.detect_for_video(prepared.image, timestamp_ms)
        if not result.pose_landmarks:
            return PoseFrame.missing(prepared.frame_index, prepared.t_s, (width, height))
        image_landmarks = result.pose_landmarks[0]
        world_landmarks = result.pose_world_landmarks[0]
        image_xy = np.array([[p.x, p.y] for p in image_landmarks], np.float32)
        world_xyz = np.array([[p.x, p.y, p.z] for p in world_landmarks], np.float32)
        visibility = np.array([p.visibility or 0.0 for p in image_landmarks], np.float32)
        mask = None
        if self.settings.segmentation_masks and result.segmentation_masks:
            model_wh = (prepared.image.width, prepared.image.height)
            mask = np.asarray(result.segmentation_masks[0].numpy_view(), np.float32).reshape(model_wh[::-1])
            if model_wh != (width, height):
                mask = np.asarray(cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA), np.float32)
        assert image_xy.shape[0] == LANDMARK_COUNT
        return PoseFrame(
            frame_index=prepared.frame_index,
            t_s=prepared.t_s,
            status=frame_status(image_xy, visibility),
            image_xy=image_xy,
            world_xyz=world_xyz,
            visibility=visibility,
            image_wh=(width, height),
            mask=mask,
        )

    def _model_timestamp_ms(self, t_s: float) -> int:
        """The model's clock: the frames' own times, each step forced into 1 ms .. 5 s."""
        t_ms = round(t_s * 1000) if math.isfinite(t_s) else (self._last_t_ms or 0)
        if self._last_t_ms is None:
            timestamp_ms = min(max(t_ms, 0), MAX_TIMESTAMP_STEP_MS)
        else:
            timestamp_ms = self._last_timestamp_ms + min(max(t_ms - self._last_t_ms, 1), MAX_TIMESTAMP_STEP_MS)
        self._last_t_ms = t_ms
        self._last_timestamp_ms = timestamp_ms
        return timestamp_ms

    def close(self) -> None:
        self._landmarker.close()
