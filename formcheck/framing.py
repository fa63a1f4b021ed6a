"""Camera cuts: spans where the camera cut away from the whole body, so the set there was not seen.

How-to videos cut to close-ups (a foot, a knee) in the middle of a set. There the pose model loses the
body or fits a whole one to the part in view, and reps done in the close-up go uncounted. This module
follows the shots frame by frame; the review names the spans the camera did not show the body in
(``FramingTracker.unseen_spans``), so a short count is explained instead of claimed. It changes no count:
the engine judges every frame as before.

The signal is the image's scale: pixels per metre of body, the least-squares factor between the body's
landmarks in the image and the model's metric (world) landmarks projected onto the image plane. Unlike a
bone's length in pixels it does not change as the body bends or turns (both sides of the fit bend alike):
it moves only when the camera zooms or the person walks nearer or further. A cut makes it jump and stay;
walking drifts it slowly; a tracking glitch makes it jump for a frame or two and come back.

A framing change is not yet a loss: plank, v_ups and push_ups clips zoom or cut with the whole body still
in view, and a plate or a bad fit moves the scale of clips without a cut. A departed shot is unseen only
when the pose status (``PoseStatus``) says the body was lost in enough of its frames (``MIN_LOST_SHARE``).

Causal and cheap (a median over half a second of numbers per frame). A departure is held ``CONFIRM_S``
before it is called a cut; a glitch that comes back sooner is no departure.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass

import numpy as np

from formcheck.landmarks import PoseFrame, PoseStatus

_BODY = slice(11, 33)  # shoulders to feet: the face's landmarks are tiny and follow the head's turns

# Largest change of log(pixels per metre), against the median of the current shot's last
# ``REFERENCE_S``, that is still the same shot. Measured over the 68 labelled clips (the smallest departure
# held over ``CONFIRM_S``, largest per clip): the close-ups of one_legged_dead_lift.mp4 hold 0.21-0.48 (the foot
# close-up after 10.95 s only 0.21-0.25); the labelled cuts of plank.mp4 (13.7 s), v_ups.mp4 (16.7 s),
# push_ups.mp4 (2.6 s) and side_plank.mp4 (15.7 s) hold 0.27, 0.37, 0.40 and 0.76; but clips without a cut
# where the tracker struggles hold 0.27 (squats_quarter.mp4: a plate hides the trunk) and 0.18 (bad005.mp4),
# and side_plank.mp4's setup (lying down, 7.1 s) departs too. 0.17 finds every labelled cut; the false ones
# are told apart by ``MIN_LOST_SHARE`` and side_plank's by ``FramingTracker.unseen_spans``' set start.
MAX_SCALE_STEP = 0.17
# The reference is the median of this much of the shot: long enough to outvote a glitch frame, short
# enough that a person walking towards the camera (log scale rising ~0.3/s at a brisk step from 3 m)
# leaves it behind by under 0.1 (half the window times the rate).
REFERENCE_S = 0.5
# A departure must hold this long to be a cut: a one- or two-frame tracking glitch (e.g. dillonloh-gymai/bench.mp4's
# first frame, 0.92) comes back sooner; the shortest close-up of one_legged_dead_lift.mp4 lasts about 2 s.
CONFIRM_S = 0.2
# A shot that takes over within this long of the first person frame was a false start (the tracker
# settling on the first frames), not the main shot.
ESTABLISH_S = 0.5
# Share of a departed shot's frames whose pose status is not OK (no person, partly out of frame, low
# visibility) from which the shot lost the whole body. Measured over the 68 labelled clips
# (benchmarks/framing_departures.py): one_legged_dead_lift.mp4's close-ups 0.56 and 0.56; the departures
# of clips without a cut (squats_quarter.mp4 0.00 and 0.02, bad005.mp4 0.00) and the zooms that keep the
# body in view (plank.mp4, v_ups.mp4, push_ups.mp4: 0.00) at most 0.02. 0.30 sits mid-way: margin 0.26
# below the lost shots, 0.28 above the kept ones.
MIN_LOST_SHARE = 0.3


@dataclass(frozen=True)
class FramingStep:
    """One frame's framing.

    Attributes:
        log_scale: log of the frame's pixels per metre of body; None without a person.
        departure: ``log_scale`` less the current shot's reference (the median of its last ``REFERENCE_S``).
        main: the frame shows the body as the main shot does (false while a departure awaits confirmation).
    """

    log_scale: float | None
    main: bool
    departure: float | None


@dataclass(frozen=True)
class Departure:
    """A span in which the camera showed the body otherwise than in its main shot.

    Attributes:
        start_s: the first frame after the main shot's last frame.
        end_s: the main shot's first frame again (or the last frame).
        scale_ratio: the span's median pixels per metre over the main shot's (e.g. 1.4: a close-up).
        lost_share: share of its frames whose pose status is not OK (the body not wholly in view).
    """

    start_s: float
    end_s: float
    scale_ratio: float
    lost_share: float


@dataclass(frozen=True)
class UnseenSpan:
    """A departure that lost the whole body, from its first to the end of its last frame without it."""

    start_s: float
    end_s: float


def log_scale(pose: PoseFrame) -> float | None:
    """log(pixels per metre): the least-squares factor mapping the world landmarks' (x, y) onto the image's.

    None when the fit is undefined (no person, or landmarks all at one point)."""
    if not pose.has_person:
        return None
    image = pose.image_xy[_BODY].astype(np.float64) * np.asarray(pose.image_wh, np.float64)
    world = pose.world_xyz[_BODY, :2].astype(np.float64)
    keep = np.all(np.isfinite(image), axis=1) & np.all(np.isfinite(world), axis=1)
    if keep.sum() < 2:
        return None
    image, world = image[keep] - image[keep].mean(axis=0), world[keep] - world[keep].mean(axis=0)
    spread = float(np.sum(world * world))
    factor = float(np.sum(image * world)) / spread if spread > 0 else 0.0
    return float(np.log(factor)) if factor > 0 else None


class FramingTracker:
    """Follows the shots of a recording, frame by frame (frames in time order).

    The main shot is the first one that holds ``ESTABLISH_S``: a recording starts in the framing the set
    is filmed in (a camera set up before the set; a how-to clip's wide opening shot).
    """

    def __init__(self) -> None:
        self._reference: deque[tuple[float, float]] = deque()  # (t_s, log scale) of the current shot
        self._pending: list[tuple[float, float, float]] = []  # (t_s, log scale, departure), not yet a cut
        self._shot_is_main = True
        self._main_scale: float | None = None  # the main shot's reference when last in it
        self._main_since_s: float | None = None
        self._established = False  # the main shot has held ESTABLISH_S
        self._previous_main = False
        self._break_s: float | None = None  # first frame after the main shot's last frame
        self._open: tuple[float, list[float]] | None = None  # the departure under way: start, its scales
        self._departures: list[Departure] = []
        self._times: list[float] = []
        self._lost: list[bool] = []  # per frame: the pose status is not OK

    def update(self, pose: PoseFrame) -> FramingStep:
        """The framing of the next frame."""
        t_s = pose.t_s
        self._times.append(t_s)
        self._lost.append(pose.status is not PoseStatus.OK)
        if self._previous_main:
            self._break_s = t_s
        scale = log_scale(pose)
        step = self._step(t_s, scale)
        self._previous_main = step.main and scale is not None
        if self._open is not None and scale is not None and not step.main:
            self._open[1].append(scale)
        return step

    def _step(self, t_s: float, scale: float | None) -> FramingStep:
        if scale is None:
            return FramingStep(None, self._shot_is_main and not self._pending, None)
        if not self._reference:
            self._main_since_s = t_s
            self._accept(t_s, scale)
            return FramingStep(scale, True, 0.0)
        departure = scale - float(np.median([value for _, value in self._reference]))
        if abs(departure) <= MAX_SCALE_STEP:
            self._pending.clear()  # a glitch: its frames stay unjudged
            self._accept(t_s, scale)
            return FramingStep(scale, self._shot_is_main, departure)
        if self._pending and np.sign(self._pending[0][2]) != np.sign(departure):
            self._pending.clear()  # a swing to the other side is not the same departure held
        self._pending.append((t_s, scale, departure))
        if t_s - self._pending[0][0] < CONFIRM_S:
            return FramingStep(scale, False, departure)
        self._new_shot()
        return FramingStep(scale, self._shot_is_main, departure)

    def _accept(self, t_s: float, scale: float) -> None:
        self._reference.append((t_s, scale))
        while self._reference[0][0] < t_s - REFERENCE_S:
            self._reference.popleft()
        if self._shot_is_main:
            self._main_scale = float(np.median([value for _, value in self._reference]))
            assert self._main_since_s is not None
            self._established |= t_s - self._main_since_s >= ESTABLISH_S

    def _new_shot(self) -> None:
        """The pending departures held: they start a new shot."""
        pending, self._pending = self._pending, []
        if not self._established:
            self._main_scale = None  # a false start: the new shot is the main one
        self._reference = deque((pending_s, scale) for pending_s, scale, _ in pending)
        shot_scale = float(np.median([scale for _, scale, _ in pending]))
        was_main = self._shot_is_main
        self._shot_is_main = self._main_scale is None or abs(shot_scale - self._main_scale) <= MAX_SCALE_STEP
        if self._shot_is_main:
            self._main_since_s = pending[0][0]
            self._main_scale = shot_scale
            if self._open is not None:
                self._close(pending[0][0])
        elif was_main:
            self._open = (self._break_s if self._break_s is not None else pending[0][0], [scale for _, scale, _ in pending])

    def _close(self, end_s: float) -> None:
        assert self._open is not None
        self._departures.append(self._departure(end_s))
        self._open = None

    def _departure(self, end_s: float) -> Departure:
        assert self._open is not None and self._main_scale is not None
        start_s, scales = self._open
        ratio = float(np.exp(np.median(scales) - self._main_scale))
        first, stop = bisect_left(self._times, start_s), bisect_left(self._times, end_s)
        lost = self._lost[first:stop] or [False]
        return Departure(round(start_s, 3), round(end_s, 3), round(ratio, 2), round(sum(lost) / len(lost), 3))

    def departures(self) -> list[Departure]:
        """The departures from the main shot so far (one under way ends at the last frame)."""
        if self._open is None:
            return list(self._departures)
        return [*self._departures, self._departure(self._times[-1])]

    def unseen_spans(self, set_start_s: float) -> list[UnseenSpan]:
        """The departures that lost the whole body (``MIN_LOST_SHARE``) after the set began at ``set_start_s``
        (its first rep or hold), each from its first frame without the whole body in view to the frame after its
        last one.

        A departure before the set began is the person moving into position (side_plank.mp4 lies down after
        kneeling in the opening shot, 0.55 of its frames lost as the end card follows): no rep was there to miss.
        """
        spans = []
        for departure in self.departures():
            if departure.lost_share < MIN_LOST_SHARE or departure.start_s < set_start_s:
                continue
            first = bisect_left(self._times, departure.start_s)
            lost = [index for index in range(first, bisect_left(self._times, departure.end_s)) if self._lost[index]]
            end = min(lost[-1] + 1, len(self._times) - 1)
            spans.append(UnseenSpan(round(self._times[lost[0]], 3), round(self._times[end], 3)))
        return spans
