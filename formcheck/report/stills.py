"""Stills for the report: each rep's turning point, each hold's middle and each fault's worst moment, with the
skeleton drawn."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import SourceError
from formcheck.pipeline import poses_for
from formcheck.pose.cache import PoseCache
from formcheck.render.video import FramePainter
from formcheck.review.schema import FaultEvent, Review
from formcheck.sources import Frame, open_source
from formcheck.specs import load_spec

MAX_STILL_SIDE_PX = 480  # enough to see a posture in print; keeps a report of a 4K clip small
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Still:
    """One picture for the report: the source time it shows and the JPEG bytes."""

    t_s: float
    jpeg: bytes


@dataclass(frozen=True)
class Stills:
    """The report's pictures: by rep index, by hold number (from 1), and by fault id (its worst event)."""

    reps: dict[int, Still]
    faults: dict[str, Still]
    holds: dict[int, Still]


def worst_events(review: Review) -> dict[str, FaultEvent]:
    """Each fault id's event that cleared its threshold by the most (the first, when none has a margin)."""
    worst: dict[str, FaultEvent] = {}
    for fault in review.faults:
        held = worst.get(fault.id)
        if held is None or (fault.margin or -math.inf) > (held.margin or -math.inf):
            worst[fault.id] = fault
    return worst


def worst_moment(review: Review, fault: FaultEvent) -> float:
    """The time in the fault's span at which its metric was at its worst value (its start when unknown)."""
    times = review.series.get("t_s", [])
    values = review.series.get(fault.metric or "", [])
    if fault.worst_value is None or not values:
        return fault.start_s
    in_span = [
        (abs(value - fault.worst_value), t_s) for t_s, value in zip(times, values)
        if t_s is not None and value is not None and fault.start_s <= t_s <= fault.end_s
    ]
    return min(in_span)[1] if in_span else fault.start_s


def _wanted(review: Review) -> tuple[dict[int, float], dict[str, float], dict[int, float]]:
    """The source times to show: each rep's turn, by rep index; each fault's worst moment, by fault id; each
    hold's middle, by hold number (a plank or a stretch is judged over its hold, not at a turn)."""
    reps = {rep.index: rep.turn_s for rep in review.reps}
    faults = {fault_id: worst_moment(review, event) for fault_id, event in worst_events(review).items()}
    holds = {number: (hold.start_s + hold.end_s) / 2 for number, hold in enumerate(review.holds, start=1)}
    return reps, faults, holds


def _nearest_frames(video: Path, times: set[float]) -> dict[float, Frame]:
    """The decoded frame nearest each time (one pass, stopping a second past the last time asked)."""
    best: dict[float, Frame] = {}
    if not times:
        return best
    last = max(times)
    for frame in open_source(video).frames():
        for t_s in times:
            held = best.get(t_s)
            if held is None or abs(frame.t_s - t_s) < abs(held.t_s - t_s):
                best[t_s] = frame
        if frame.t_s > last + 1.0:
            break
    return best


def _stills(review: Review, video: Path, draw: Callable[[Frame], npt.NDArray[np.uint8]]) -> Stills:
    reps, faults, holds = _wanted(review)
    frames = _nearest_frames(video, {*reps.values(), *faults.values(), *holds.values()})
    drawn = {t_s: Still(frame.t_s, _jpeg(draw(frame))) for t_s, frame in frames.items()}
    return Stills(
        reps={index: drawn[t_s] for index, t_s in reps.items() if t_s in drawn},
        faults={fault_id: drawn[t_s] for fault_id, t_s in faults.items() if t_s in drawn},
        holds={number: drawn[t_s] for number, t_s in holds.items() if t_s in drawn},
    )


def grab_stills(review: Review, video: Path, cache: PoseCache | None = None) -> Stills:
    """The frames of the source video nearest each rep's turn and each fault's worst moment, drawn as in the
    annotated video (skeleton, the spec's angles, the segment at fault in red, captions).

    The poses come from ``poses_for`` (the pose cache makes that a lookup for a clip already analysed).

    Raises:
        SourceError: the video cannot be read, or is not the one reviewed (another frame count).
    """
    spec = load_spec(review.exercise)
    track = poses_for(video, spec, cache=cache)
    if track.source.frames != review.source.frames:
        raise SourceError(
            f"{video}: {track.source.frames} frames, but the review is of a video of {review.source.frames}: "
            "not the video reviewed"
        )
    poses = {pose.frame_index: pose for pose in track.frames}
    painter = FramePainter(review, spec)
    return _stills(review, video, lambda frame: painter.paint(frame.image, poses.get(frame.index), frame.t_s))


def annotated_stills(review: Review, annotated_video: Path) -> Stills:
    """The same moments taken from the review's annotated video (already drawn): what the service keeps of an
    upload, which it deletes once analysed.

    Raises:
        SourceError: the video cannot be read.
    """
    return _stills(review, annotated_video, lambda frame: frame.image)


def _jpeg(image_rgb: npt.NDArray[np.uint8]) -> bytes:
    height, width = image_rgb.shape[:2]
    scale = min(1.0, MAX_STILL_SIDE_PX / max(height, width))
    if scale < 1.0:
        image_rgb = cv2.resize(image_rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("cv2 could not encode a still as JPEG")
    return encoded.tobytes()
