"""Stills for the report: each rep's turning point and each fault's worst moment, with the skeleton drawn."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import SourceError
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.render.overlay import draw_skeleton
from formcheck.review.schema import FaultEvent, Review
from formcheck.sources import open_source

MAX_STILL_SIDE_PX = 480  # enough to see a posture in print; keeps a report of a 4K clip small
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Still:
    """One picture for the report: the source time it shows and the JPEG bytes."""

    t_s: float
    jpeg: bytes


@dataclass(frozen=True)
class Stills:
    """The report's pictures: by rep index, and by fault id (its worst event)."""

    reps: dict[int, Still]
    faults: dict[str, Still]


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


def grab_stills(review: Review, video: Path, cache: PoseCache | None = None) -> Stills:
    """Decode the frames nearest each rep's turn and each fault's worst moment and draw their poses.

    The poses come from ``estimate_source`` (the pose cache makes that a lookup for a clip already analysed).

    Raises:
        SourceError: the video cannot be read, or is not the one reviewed (another frame count).
    """
    track = estimate_source(video, cache=cache)
    if track.source.frames != review.source.frames:
        raise SourceError(
            f"{video}: {track.source.frames} frames, but the review is of a video of {review.source.frames}: "
            "not the video reviewed"
        )
    poses = track.frames
    if not poses:
        return Stills({}, {})
    pose_times = np.array([pose.t_s for pose in poses])

    def nearest(t_s: float) -> int:
        return int(np.argmin(np.abs(pose_times - t_s)))

    wanted_reps = {rep.index: nearest(rep.turn_s) for rep in review.reps}
    wanted_faults = {fault_id: nearest(worst_moment(review, event)) for fault_id, event in worst_events(review).items()}
    by_frame = {poses[k].frame_index: k for k in {*wanted_reps.values(), *wanted_faults.values()}}
    drawn: dict[int, Still] = {}
    for frame in open_source(video).frames():
        k = by_frame.get(frame.index)
        if k is not None:
            drawn[k] = Still(frame.t_s, _jpeg(draw_skeleton(frame.image, poses[k])))
            if len(drawn) == len(by_frame):
                break
    return Stills(
        reps={index: drawn[k] for index, k in wanted_reps.items() if k in drawn},
        faults={fault_id: drawn[k] for fault_id, k in wanted_faults.items() if k in drawn},
    )


def _jpeg(image_rgb: npt.NDArray[np.uint8]) -> bytes:
    height, width = image_rgb.shape[:2]
    scale = min(1.0, MAX_STILL_SIDE_PX / max(height, width))
    if scale < 1.0:
        image_rgb = cv2.resize(image_rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("cv2 could not encode a still as JPEG")
    return encoded.tobytes()
