"""Annotated video for trainers and their clients: the skeleton, the angles the spec measures at their joints,
the body segment at fault in red while the fault lasts, the exercise and fault names in words with the cue, a rep
counter against the prescription and a timeline of reps and faults, drawn from a finished review (nothing is
decided here: every number comes from the review, the geometry from the spec)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from formcheck.errors import SourceError
from formcheck.landmarks import PoseFrame
from formcheck.metrics.table import landmark, metric_points
from formcheck.render.layout import Colour, Layout, layout_frame
from formcheck.render.overlay import (
    VISIBLE,
    Point,
    draw_angle,
    draw_layout_text,
    draw_polylines,
    draw_skeleton,
    draw_timeline,
    line_thickness,
)
from formcheck.review.schema import FaultEvent, Review
from formcheck.review.words import fault_name
from formcheck.sources import open_source
from formcheck.specs import load_spec
from formcheck.specs import models as spec_models

FAULT_COLOUR: Colour = (255, 60, 50)
TEXT_COLOUR: Colour = (255, 255, 255)
ANGLE_COLOUR: Colour = (255, 220, 40)
BACK_COLOUR: Colour = (80, 200, 255)
CAPTION_MIN_S = 1.5  # a turn judged on one frame is still on screen long enough to read its cue
MAX_ANGLES = 3  # more arcs than this hide the body they measure

Segments = list[tuple[tuple[str, ...], str]]  # body points joined in order, and the side they are taken on


@dataclass(frozen=True)
class AngleMark:
    """An angle the spec measures, drawn at its joint: ``points`` as the metric names them, ``reference`` the
    direction it is measured from (``extension``: the first segment carried on through the joint)."""

    metric: str
    points: tuple[str, ...]
    side: str
    reference: str


def angle_marks(spec: spec_models.ExerciseSpec) -> list[AngleMark]:
    """The joint angles and inclinations to draw: the rep metric first, then those faults are judged on, then the
    other measures; one per joint (the first wins), at most ``MAX_ANGLES``."""
    judged = [fault.metric for fault in spec.faults if not isinstance(fault, spec_models.TempoFault)]
    order = ([spec.reps.metric] if spec.reps is not None else []) + judged + list(spec.metrics)
    marks: dict[str, AngleMark] = {}
    for name in order:
        metric = spec.metrics.get(name)
        if isinstance(metric, spec_models.JointFlexionMetric):
            vertex, mark = metric.points[1], AngleMark(name, metric.points, metric.side, "extension")
        elif isinstance(metric, spec_models.InclinationMetric):
            vertex, mark = metric.points[0], AngleMark(name, metric.points, metric.side, metric.reference)
        else:
            continue
        if vertex not in marks and len(marks) < MAX_ANGLES:
            marks[vertex] = mark
    return list(marks.values())


def made_from(spec: spec_models.ExerciseSpec, metric: str | None) -> list[str]:
    """The metric and every metric it is computed from (through combinations and changes since rest)."""
    definition = spec.metrics.get(metric) if metric is not None else None
    if metric is None or definition is None:
        return []
    if isinstance(definition, spec_models.CombinedMetric):
        return [metric, *(name for operand in definition.of for name in made_from(spec, operand))]
    if isinstance(definition, spec_models.BASELINE_METRICS):
        return [metric, *made_from(spec, definition.of)]
    return [metric]


def fault_segments(spec: spec_models.ExerciseSpec, metric: str | None) -> Segments:
    """The body points a fault's metric is measured on; none for a tempo fault, which judges the movement's speed,
    not a segment, nor for the back's shape, whose traced line is drawn instead (``back_line``)."""
    derived = (spec_models.CombinedMetric, *spec_models.BASELINE_METRICS, spec_models.BackShapeMetric)
    return [metric_points(spec.metrics[name]) for name in made_from(spec, metric)
            if not isinstance(spec.metrics[name], derived)]


def _pixels(pose: PoseFrame, point: str, side: str) -> npt.NDArray[np.float64]:
    if side == "mid":
        both = [pose.image_xy[landmark(point, hand)] for hand in ("left", "right")]
        xy: npt.NDArray[np.float64] = (both[0].astype(np.float64) + both[1]) / 2
    else:
        xy = pose.image_xy[landmark(point, side)].astype(np.float64)
    scaled: npt.NDArray[np.float64] = xy * np.asarray(pose.image_wh, np.float64)
    return scaled


def _better_seen(pose: PoseFrame, points: tuple[str, ...]) -> str:
    """The side whose points the model saw best, as the metrics' ``near`` side leans on it."""
    def seen(side: str) -> float:
        return float(min(pose.visibility[landmark(point, side)] for point in points))
    return "left" if seen("left") >= seen("right") else "right"


def polylines(pose: PoseFrame, points: tuple[str, ...], side: str) -> list[list[Point]]:
    """The points joined in order on the side meant (both sides for a left-right measure, ``mid``), in pixels;
    one point alone is joined across from left to right."""
    if side == "mid" and len(points) == 1:
        lines = [[_pixels(pose, points[0], "left"), _pixels(pose, points[0], "right")]]
    else:
        sides = ["left", "right"] if side == "mid" else [_better_seen(pose, points) if side == "near" else side]
        lines = [[_pixels(pose, point, hand) for point in points] for hand in sides]
    return [[(float(x), float(y)) for x, y in line] for line in lines if not np.isnan(np.asarray(line)).any()]


def active_faults(review: Review, t_s: float) -> list[FaultEvent]:
    """Fault events under way at ``t_s``: from their start to their end (the span the body was at fault)."""
    return [fault for fault in review.faults if fault.start_s <= t_s <= fault.end_s]


def captions(review: Review, t_s: float) -> list[tuple[str, str]]:
    """(fault name, cue) for each fault to show at ``t_s``: during its span, and at least ``CAPTION_MIN_S`` from
    its start so it can be read; each fault once."""
    shown: dict[str, str] = {}
    for fault in review.faults:
        if fault.start_s <= t_s <= max(fault.end_s, fault.start_s + CAPTION_MIN_S) and fault.id not in shown:
            shown[fault.id] = fault.cue
    return [(fault_name(fault_id), cue) for fault_id, cue in shown.items()]


def counter(review: Review, spec: spec_models.ExerciseSpec, t_s: float) -> str:
    """The rep (or hold) under way or last done against the prescription, e.g. "Rep 3 of 8-12"."""
    dose = spec.prescription
    if review.reps or spec.reps is not None:
        started = [rep for rep in review.reps if rep.start_s <= t_s]
        wanted = "" if dose.reps is None else " of " + (
            f"{dose.reps[0]}" if dose.reps[0] == dose.reps[1] else f"{dose.reps[0]}-{dose.reps[1]}")
        if not started:
            return (dose.reps_text() or "Reps") if dose.reps is not None else "Rep 0"
        rep = started[-1]
        if rep.side is None:
            return f"Rep {rep.index}{wanted}"
        number = sum(1 for other in started if other.side == rep.side)
        return f"Rep {number}{wanted} ({rep.side})"
    started_holds = [hold for hold in review.holds if hold.start_s <= t_s]
    wanted = "" if dose.hold_text() is None else f" of {dose.hold_text()}"
    if not started_holds:
        return f"Hold{wanted}"
    hold = started_holds[-1]
    return f"Hold {len(started_holds)}: {min(t_s, hold.end_s) - hold.start_s:.0f} s{wanted}"


class FramePainter:
    """Everything one review draws, worked out once; ``paint`` draws it on one frame."""

    def __init__(self, review: Review, spec: spec_models.ExerciseSpec) -> None:
        self.review, self.spec = review, spec
        self.marks = angle_marks(spec)
        self.times = np.asarray(review.series.get("t_s", []), np.float64)
        self.reps = [(rep.start_s, rep.end_s) for rep in review.reps] or [
            (hold.start_s, hold.end_s) for hold in review.holds]
        self.fault_spans = [(fault.start_s, fault.end_s) for fault in review.faults]

    def _value(self, metric: str, t_s: float) -> float | None:
        values = self.review.series.get(metric)
        if values is None or not len(self.times):
            return None
        index = int(np.argmin(np.abs(self.times - t_s)))
        return values[index]

    def paint(self, image: npt.NDArray[np.uint8], pose: PoseFrame | None, t_s: float) -> npt.NDArray[np.uint8]:
        height, width = image.shape[:2]
        thickness = line_thickness(width, height)
        faults = active_faults(self.review, t_s)
        layout = layout_frame(
            width, height, ((self.spec.title, TEXT_COLOUR), (counter(self.review, self.spec, t_s), TEXT_COLOUR)),
            [((name, FAULT_COLOUR), (cue, TEXT_COLOUR)) for name, cue in captions(self.review, t_s)],
        )
        seen = pose if pose is not None and pose.has_person else None
        image = draw_skeleton(image, seen) if seen is not None else image.copy()
        if seen is not None:
            at_fault = {name for fault in faults for name in made_from(self.spec, fault.metric)}
            back_at_fault = any(isinstance(self.spec.metrics[name], spec_models.BackShapeMetric) for name in at_fault)
            if seen.back is not None:
                draw_polylines(image, [seen.back.line_px()], FAULT_COLOUR if back_at_fault else BACK_COLOUR, 2 * thickness)
            for fault in faults:
                for points, side in fault_segments(self.spec, fault.metric):
                    draw_polylines(image, polylines(seen, points, side), FAULT_COLOUR, 2 * thickness)
        draw_layout_text(image, layout)
        if seen is not None:  # over the band's shade, below its text
            at_fault = {name for fault in faults for name in made_from(self.spec, fault.metric)}
            for mark in self.marks:
                self._draw_angle(image, seen, mark, t_s, layout, thickness,
                                 FAULT_COLOUR if mark.metric in at_fault else ANGLE_COLOUR)
        draw_timeline(image, layout.timeline, self.review.source.duration_s, self.reps, self.fault_spans, t_s,
                      FAULT_COLOUR)
        return image

    def _draw_angle(self, image: npt.NDArray[np.uint8], pose: PoseFrame, mark: AngleMark, t_s: float, layout: Layout,
                    thickness: int, colour: Colour) -> None:
        value = self._value(mark.metric, t_s)
        side = _better_seen(pose, mark.points) if mark.side == "near" else mark.side
        if value is None or math.isnan(value) or min(
                pose.visibility[landmark(point, hand)] for point in mark.points
                for hand in (("left", "right") if side == "mid" else (side,))) < VISIBLE:
            return
        joints = [_pixels(pose, point, side) for point in mark.points]
        if np.isnan(np.asarray(joints)).any():
            return
        if mark.reference == "extension":
            vertex, towards = joints[1], joints[2]
            reference = joints[1] - joints[0]
        else:
            vertex, towards = joints[0], joints[1]
            ahead = towards - vertex
            reference = np.array([0.0, -1.0 if ahead[1] <= 0 else 1.0]) if mark.reference == "vertical" else (
                np.array([1.0 if ahead[0] >= 0 else -1.0, 0.0]))
        draw_angle(image, (float(vertex[0]), float(vertex[1])), (float(reference[0]), float(reference[1])),
                   (float(towards[0]), float(towards[1])), f"{value:.0f}°", layout.font_px, colour, thickness,
                   layout.band_bottom)


def write_annotated_video(source: str | Path, poses: Sequence[PoseFrame], review: Review, target: Path) -> None:
    """Re-read ``source`` and write ``target`` (MP4, H.264 in yuv420p, index first so a browser starts playing
    before the whole file has arrived) with the review drawn on every frame, at the source's size and timing.

    Raises:
        SourceError: the source cannot be read or the target cannot be written.
    """
    painter = FramePainter(review, load_spec(review.exercise))
    by_index = {pose.frame_index: pose for pose in poses}
    fps = review.source.fps or 30.0
    rate = Fraction(round(fps * 1000), 1000)
    try:
        with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=rate, options={"crf": "23", "preset": "veryfast"})
            # yuv420p needs even sides: an odd source loses its last row or column
            stream.width, stream.height = review.source.width - review.source.width % 2, review.source.height - review.source.height % 2
            stream.pix_fmt = "yuv420p"
            tick = 1 / rate
            last_pts = -1
            for frame in open_source(source).frames():
                image = painter.paint(frame.image, by_index.get(frame.index), frame.t_s)
                video_frame = av.VideoFrame.from_ndarray(image[: stream.height, : stream.width], format="rgb24")
                # Source time on the output's frame grid, one tick past the last frame at least: a header's
                # average rate a little under the frames' own (29.94 for frames 1/30.1 s apart) would
                # otherwise put two frames on one tick, which the muxer refuses.
                last_pts = max(last_pts + 1, round(frame.t_s * rate))
                video_frame.pts, video_frame.time_base = last_pts, tick
                for packet in stream.encode(video_frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    except (OSError, av.error.FFmpegError) as error:
        raise SourceError(f"{target}: cannot write the annotated video ({error})") from error
