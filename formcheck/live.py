"""Live coaching: JPEG frames from a camera in, per-frame feedback and coaching cues out.

A ``LiveSession`` is one person's set on one camera. It owns its pose tracker (MediaPipe in
VIDEO mode keeps state between frames, so trackers are never shared) and an
``ExerciseSession`` - the same engine a recorded clip goes through, so a set streamed live
gets the same reps and faults as the same set uploaded. What the engine finds, the
``CuePolicy`` turns into coaching: one cue at a time, long enough to read, not repeated
every frame, spoken at most once per rep.

Nothing here knows about WebSockets or JSON; ``formcheck.api`` is the door to the network.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.engine import ExerciseSession, FrameFeedback
from formcheck.errors import MessageError, SourceError
from formcheck.landmarks import PoseFrame
from formcheck.pose import ModelBundle, PoseEstimator, default_bundle
from formcheck.pose.child import ChildPoseEstimator
from formcheck.range_meter import RangeMeter
from formcheck.review.schema import Processing, Review
from formcheck.setup_check import brightness, setup_advice
from formcheck.sources.base import Frame, SourceInfo
from formcheck.sources.image import image_size
from formcheck.sources.limits import FRAME_LIMITS
from formcheck.specs.models import ExerciseSpec

SEVERITY_RANK = {"info": 0, "warning": 1, "major": 2}


@dataclass(frozen=True)
class CueCandidate:
    """A fault the engine just confirmed, as something to tell the person.

    Attributes:
        fault_id: the spec's fault id (cooldowns are per fault).
        text: the cue to show and speak.
        severity: ``info``, ``warning`` or ``major``; a worse fault wins a tie for the banner.
        rep: 1-based rep the fault belongs to (the rep in progress for faults seen mid-rep).
    """

    fault_id: str
    text: str
    severity: str
    rep: int


@dataclass(frozen=True)
class CueDecision:
    """What the cue banner shows after one frame.

    Attributes:
        text: the cue on screen, or None for an empty banner.
        fault_id: the fault the cue is about, or None.
        speak: True only on the frame the cue first appears, and only for the first cue of a rep.
    """

    text: str | None = None
    fault_id: str | None = None
    speak: bool = False


class CuePolicy:
    """Coaching, not nagging: turns the engine's fault stream into one readable cue at a time.

    Rules (times on the stream's clock, not the wall clock, so replays and tests are exact):

    * One cue at a time, shown for ``display_s`` so it can be read from the floor; a new fault
      never cuts the one on screen short.
    * A fault that arrives while a cue is showing waits (one waiting slot; the more severe
      fault keeps it) and shows next, unless it waited longer than ``max_wait_s`` - stale
      advice about a rep already gone is worse than none.
    * Each fault has a ``cooldown_s`` from the moment its cue last appeared: repeating the same
      correction every rep is nagging.
    * ``speak`` is set at most once per rep: talking over every frame is noise.

    Args:
        display_s: how long a cue stays on screen.
        cooldown_s: minimum time between two appearances of the same fault's cue.
        max_wait_s: how long a waiting cue stays worth showing.
    """

    def __init__(self, display_s: float = 2.5, cooldown_s: float = 6.0, max_wait_s: float = 2.0) -> None:
        self.display_s = display_s
        self.cooldown_s = cooldown_s
        self.max_wait_s = max_wait_s
        self._shown: CueCandidate | None = None
        self._shown_at_s = 0.0
        self._waiting: CueCandidate | None = None
        self._waiting_since_s = 0.0
        self._last_shown_s: dict[str, float] = {}
        self._last_spoken_rep = 0

    def _cooling(self, fault_id: str, t_s: float) -> bool:
        last_s = self._last_shown_s.get(fault_id)
        return last_s is not None and t_s - last_s < self.cooldown_s

    def update(self, t_s: float, candidates: list[CueCandidate]) -> CueDecision:
        """Feed one frame's newly confirmed faults; returns what the banner shows now.

        Args:
            t_s: the frame's time in seconds (must not go backwards).
            candidates: faults confirmed in this frame (often none).

        Returns:
            The banner's cue after this frame.
        """
        fresh = [c for c in candidates if not self._cooling(c.fault_id, t_s)]
        if fresh:
            best = max(fresh, key=lambda c: SEVERITY_RANK.get(c.severity, 0))
            if self._waiting is None or SEVERITY_RANK.get(best.severity, 0) >= SEVERITY_RANK.get(self._waiting.severity, 0):
                self._waiting, self._waiting_since_s = best, t_s
        if self._shown is not None and t_s - self._shown_at_s >= self.display_s:
            self._shown = None
        speak = False
        if self._shown is None and self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            if t_s - self._waiting_since_s <= self.max_wait_s and not self._cooling(waiting.fault_id, t_s):
                self._shown, self._shown_at_s = waiting, t_s
                self._last_shown_s[waiting.fault_id] = t_s
                if waiting.rep > self._last_spoken_rep:
                    speak, self._last_spoken_rep = True, waiting.rep
        if self._shown is None:
            return CueDecision()
        return CueDecision(text=self._shown.text, fault_id=self._shown.fault_id, speak=speak)


def cue_candidates(feedback: FrameFeedback) -> list[CueCandidate]:
    """The faults an engine step confirmed, tagged with the rep each belongs to.

    Per-rep faults carry their rep; a fault confirmed mid-movement belongs to the rep in progress.
    """
    return [
        CueCandidate(fault.id, fault.cue, fault.severity, fault.rep if fault.rep is not None else feedback.rep_count + 1)
        for fault in feedback.new_faults
    ]


def decode_jpeg(data: bytes, frame_number: int) -> npt.NDArray[np.uint8]:
    """A JPEG (or any image OpenCV reads) as an (H, W, 3) uint8 RGB array.

    The size is read from the header first: an 8000x8000 frame would cost 570 MB to decode.

    Raises:
        MessageError: the bytes are not a decodable image, or its size is out of bounds.
    """
    try:
        width, height = image_size(io.BytesIO(data), f"frame {frame_number}")
    except SourceError:
        raise MessageError(f"frame {frame_number}: not a decodable JPEG image") from None
    problem = FRAME_LIMITS.problem(width, height)
    if problem is not None:
        raise MessageError(f"frame {frame_number}: {problem}")
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise MessageError(f"frame {frame_number}: not a decodable JPEG image")
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


@dataclass(frozen=True)
class LiveUpdate:
    """Everything one processed frame produced.

    Attributes:
        t_ms: the client's capture time, as sent.
        pose: the pose found in the frame.
        feedback: the engine's view of the frame (status, phase, reps, faults, guidance).
        cue: what the cue banner shows.
        setup_advice: what to fix before a set can start (``formcheck.setup_check``); None when ready.
        range_fraction: the rep under way's swing over the swing that counts (``formcheck.range_meter``); None
            for holds, and before the first rest.
        counting: the frame came after ``LiveSession.begin`` (its reps are the set's).
    """

    t_ms: int
    pose: PoseFrame
    feedback: FrameFeedback
    cue: CueDecision
    setup_advice: str | None = None
    range_fraction: float | None = None
    counting: bool = False


class LiveSession:
    """One person's live set: decode, track, analyse, coach - frame by frame, in capture order.

    Not thread-safe: call it from one thread at a time (the API gives each session its own).

    Args:
        spec: the exercise.
        estimator: this session's own pose tracker; ``close`` releases it.
        cue_policy: the coaching rules (defaults to ``CuePolicy()``).
    """

    def __init__(self, spec: ExerciseSpec, estimator: PoseEstimator, cue_policy: CuePolicy | None = None) -> None:
        self.spec = spec
        self._estimator = estimator
        self._engine = ExerciseSession(spec)
        self._cues = cue_policy or CuePolicy()
        self._range = RangeMeter(spec.reps) if spec.reps is not None else None
        self._begun = False
        self._first_t_ms: int | None = None
        self._last_t_s = 0.0
        self._frames = 0
        self._image_wh = (0, 0)
        self._busy_s = 0.0

    @classmethod
    def open(cls, spec: ExerciseSpec, bundle: ModelBundle | None = None) -> LiveSession:
        """A session with a fresh MediaPipe tracker in its own child process (a few hundred ms:
        the model loads), so a native crash ends this session and no other.

        Raises:
            PoseModelError: the pose model cannot be built or loaded.
        """
        return cls(spec, ChildPoseEstimator(bundle or default_bundle(), back_shape=spec.reads_back_shape))

    def begin(self) -> None:
        """Start the set over from the next frame: the guided session's set-up and countdown are not part of it.

        The pose tracker carries on (it follows the person across); the engine, the cues and the range meter
        start afresh, so reps made while getting into position are not counted.
        """
        self._engine = ExerciseSession(self.spec)
        self._cues = CuePolicy(self._cues.display_s, self._cues.cooldown_s, self._cues.max_wait_s)
        self._range = RangeMeter(self.spec.reps) if self.spec.reps is not None else None
        self._begun = True

    @property
    def frames(self) -> int:
        """Frames processed so far."""
        return self._frames

    def process(self, t_ms: int, jpeg: bytes) -> LiveUpdate:
        """Analyse one camera frame.

        Args:
            t_ms: the client's capture time in milliseconds (any epoch; must increase). The
                session's clock starts at the first frame, so ``t_s`` is relative to it.
            jpeg: the encoded frame.

        Raises:
            MessageError: the frame cannot be decoded.
            PoseModelError: the session's pose model process died.
        """
        started = time.perf_counter()
        image = decode_jpeg(jpeg, self._frames + 1)
        if self._first_t_ms is None:
            self._first_t_ms = t_ms
            self._image_wh = (image.shape[1], image.shape[0])
        t_s = (t_ms - self._first_t_ms) / 1000.0
        pose = self._estimator.estimate(Frame(index=self._frames, t_s=t_s, image=image))
        feedback = self._engine.step(pose)
        cue = self._cues.update(t_s, cue_candidates(feedback))
        range_fraction = None
        if self._range is not None and self.spec.reps is not None:
            range_fraction = self._range.update(t_s, feedback.metrics[self.spec.reps.metric], feedback.phase)
        self._frames += 1
        self._last_t_s = t_s
        self._busy_s += time.perf_counter() - started
        return LiveUpdate(
            t_ms=t_ms, pose=pose, feedback=feedback, cue=cue, setup_advice=setup_advice(feedback, brightness(image)),
            range_fraction=range_fraction, counting=self._begun,
        )

    def finish(self) -> Review:
        """The review of the set so far, exactly as a recorded clip's would be built."""
        duration_s = self._last_t_s
        fps = (self._frames - 1) / duration_s if self._frames > 1 and duration_s > 0 else 0.0
        width, height = self._image_wh
        source = SourceInfo(
            path="live", fps=round(fps, 3), frames=self._frames, duration_s=round(duration_s, 3),
            width=width, height=height, rotation=0,
        )
        processing = None
        if self._frames:
            busy_s = max(self._busy_s, 1e-6)
            processing = Processing(
                frames_per_s=round(self._frames / busy_s, 1), x_real_time=round(duration_s / busy_s, 2), pose_from_cache=False
            )
        return self._engine.finish(source, processing)

    def close(self) -> None:
        """Release the pose tracker (its native graph and threads)."""
        self._estimator.close()
