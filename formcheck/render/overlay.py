"""Draw a pose skeleton on a frame (for annotated videos, debugging and reports)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.landmarks import SKELETON_EDGES, PoseFrame

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
