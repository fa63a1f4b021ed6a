"""Draw on a frame: the pose skeleton, body segments, angles at joints, outlined text and a timeline
(for annotated videos, debugging and reports). Where things go is decided by the caller (``layout``)."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from formcheck.landmarks import SKELETON_EDGES, PoseFrame
from formcheck.render.layout import Colour, Layout, font, outline_px

Image8 = npt.NDArray[np.uint8]
Point = tuple[float, float]
BAND_SHADE = 0.4  # the band keeps 40 % of the picture's brightness: the body still shows through

VISIBLE = 0.5


def draw_skeleton(image_rgb: npt.NDArray[np.uint8], pose: PoseFrame, label: str | None = None) -> npt.NDArray[np.uint8]:
    """A copy of the RGB image with the pose's bones and joints drawn (faint where barely visible)."""
    canvas = image_rgb.copy()
    if not pose.has_person:
        return canvas
    height, width = canvas.shape[:2]
    points = pose.image_xy * np.array([width, height], np.float32)
    thickness = max(2, round(min(width, height) / 200))
    for start, end in SKELETON_EDGES:
        if np.isnan(points[[start, end]]).any():
            continue
        seen = min(pose.visibility[start], pose.visibility[end]) >= VISIBLE
        colour = (0, 220, 120) if seen else (120, 120, 120)
        cv2.line(canvas, tuple(int(v) for v in points[start]), tuple(int(v) for v in points[end]), colour, thickness, cv2.LINE_AA)
    for index, (x, y) in enumerate(points):
        if np.isnan(x) or index < 11:
            continue
        colour = (255, 200, 0) if pose.visibility[index] >= VISIBLE else (120, 120, 120)
        cv2.circle(canvas, (int(x), int(y)), thickness + 1, colour, -1, cv2.LINE_AA)
    if label:
        cv2.putText(canvas, label, (10, 10 + 12 * thickness), cv2.FONT_HERSHEY_SIMPLEX, thickness / 4, (255, 255, 255), max(1, thickness // 2), cv2.LINE_AA)
    return canvas


def line_thickness(width: int, height: int) -> int:
    return max(2, round(min(width, height) / 200))


def draw_polylines(image: Image8, polylines: Sequence[Sequence[Point]], colour: Colour, thickness: int) -> None:
    """Each polyline (pixel points, in order) drawn over the image, in place."""
    for points in polylines:
        for start, end in itertools.pairwise(points):
            cv2.line(image, (round(start[0]), round(start[1])), (round(end[0]), round(end[1])), colour, thickness,
                     cv2.LINE_AA)


@functools.lru_cache(maxsize=256)
def _text_patch(text: str, font_px: int, colour: Colour) -> Image8:
    """``text`` in ``colour`` outlined in black, as an RGBA patch (cached: the same lines recur frame after frame)."""
    stroke = outline_px(font_px)
    ascent, descent = font(font_px).getmetrics()
    size = (math.ceil(font(font_px).getlength(text)) + 2 * stroke, ascent + descent + 2 * stroke)
    patch = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(patch).text((stroke, stroke), text, font=font(font_px), fill=(*colour, 255), stroke_width=stroke,
                               stroke_fill=(0, 0, 0, 255))
    return np.asarray(patch, np.uint8)


def draw_text(image: Image8, text: str, left: int, top: int, font_px: int, colour: Colour) -> None:
    """Outlined text with its box's top-left corner at (left, top), clipped to the image, in place."""
    patch = _text_patch(text, font_px, colour)
    height, width = image.shape[:2]
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + patch.shape[1], width), min(top + patch.shape[0], height)
    if x1 <= x0 or y1 <= y0:
        return
    part = patch[y0 - top:y1 - top, x0 - left:x1 - left]
    alpha = part[..., 3:4].astype(np.float32) / 255
    region = image[y0:y1, x0:x1]
    region[:] = (part[..., :3] * alpha + region * (1 - alpha)).astype(np.uint8)


def draw_layout_text(image: Image8, layout: Layout) -> None:
    """The translucent band and the layout's text lines, in place."""
    band = image[: layout.band_bottom]
    band[:] = (band * BAND_SHADE).astype(np.uint8)
    for line in layout.lines:
        draw_text(image, line.text, line.left, line.top, layout.font_px, line.colour)


def draw_angle(image: Image8, vertex: Point, reference: Point, towards: Point, text: str, font_px: int,
               colour: Colour, thickness: int, below: int = 0) -> None:
    """An angle at ``vertex`` from the ``reference`` direction (a dashed ray) to the direction of ``towards``:
    an arc between them and ``text`` beside it, kept below row ``below`` (the caption band), in place."""
    radius = 1.5 * font_px
    reference_deg = math.degrees(math.atan2(reference[1], reference[0]))
    towards_deg = math.degrees(math.atan2(towards[1] - vertex[1], towards[0] - vertex[0]))
    sweep = (towards_deg - reference_deg + 180) % 360 - 180  # the short way round
    centre = (round(vertex[0]), round(vertex[1]))
    norm = math.hypot(*reference) or 1.0
    for step in range(0, 4, 2):  # two dashes make the reference ray
        start = (vertex[0] + reference[0] / norm * radius * (0.25 + step * 0.3),
                 vertex[1] + reference[1] / norm * radius * (0.25 + step * 0.3))
        end = (vertex[0] + reference[0] / norm * radius * (0.25 + (step + 1) * 0.3),
               vertex[1] + reference[1] / norm * radius * (0.25 + (step + 1) * 0.3))
        draw_polylines(image, [[start, end]], (255, 255, 255), max(1, thickness // 2))
    cv2.ellipse(image, centre, (round(radius * 0.8), round(radius * 0.8)), 0, reference_deg, reference_deg + sweep,
                colour, thickness, cv2.LINE_AA)
    middle = math.radians(reference_deg + sweep / 2)
    width, height = font(font_px).getlength(text), font_px
    label_x = vertex[0] + math.cos(middle) * radius * 1.25 - width / 2
    label_y = vertex[1] + math.sin(middle) * radius * 1.25 - height / 2
    image_height, image_width = image.shape[:2]
    left = int(min(max(label_x, 0), image_width - width - 2 * outline_px(font_px)))
    top = int(min(max(label_y, below), image_height - 1.4 * height))
    draw_text(image, text, left, top, font_px, colour)


def draw_timeline(image: Image8, box: tuple[int, int, int, int], duration_s: float, reps: Sequence[tuple[float, float]],
                  faults: Sequence[tuple[float, float]], t_s: float, fault_colour: Colour) -> None:
    """A bar across ``box``: reps as light blocks, fault spans in ``fault_colour`` over them, the playhead at
    ``t_s`` (reaching one bar height above and below), in place."""
    left, top, right, bottom = box
    span = max(duration_s, 1e-6)

    def x_at(t: float) -> int:
        return left + round(min(max(t / span, 0.0), 1.0) * (right - left - 1))

    bar = image[top:bottom, left:right]
    bar[:] = (bar * BAND_SHADE).astype(np.uint8)
    for start, end in reps:
        image[top:bottom, x_at(start):max(x_at(end), x_at(start) + 1)] = (200, 200, 200)
    for start, end in faults:  # at least 3 px wide: a turn judged on one frame still shows
        first = min(x_at(start), right - 3)
        image[top:bottom, first:max(x_at(end), first + 3)] = fault_colour
    thickness = bottom - top
    x = x_at(t_s)
    image[max(0, top - thickness):bottom + thickness, max(left, x - 1):min(right, x + 2)] = (255, 255, 255)
