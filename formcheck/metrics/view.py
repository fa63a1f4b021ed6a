"""Which way the camera sees the person, from the 3-D landmarks.

The yaw of the shoulder line and of the hip line against the image plane (world
coordinates) is ~0 deg when the person faces the camera (or turns their back to it) and
~90 deg side-on. The view of a stretch of video is the median over recent frames, so a
passing arm swing does not flip it.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.metrics.geometry import yaw_to_camera_deg

FRONT_MAX_DEG = 30.0
SIDE_MIN_DEG = 60.0
WINDOW_S = 1.5


def body_yaw_deg(world_m: npt.NDArray[np.float64]) -> float:
    shoulders = yaw_to_camera_deg(world_m[Landmark.LEFT_SHOULDER], world_m[Landmark.RIGHT_SHOULDER])
    hips = yaw_to_camera_deg(world_m[Landmark.LEFT_HIP], world_m[Landmark.RIGHT_HIP])
    return float((shoulders + hips) / 2)


def classify_yaw(yaw_deg: float) -> str:
    if yaw_deg < FRONT_MAX_DEG:
        return "front"
    if yaw_deg > SIDE_MIN_DEG:
        return "side"
    return "oblique"


class ViewTracker:
    """Running camera view over the last ``WINDOW_S`` seconds."""

    def __init__(self) -> None:
        self._recent: deque[tuple[float, float]] = deque()
        self.all_yaws_deg: list[float] = []

    def update(self, t_s: float, world_m: npt.NDArray[np.float64]) -> str | None:
        yaw = body_yaw_deg(world_m)
        if not math.isnan(yaw):
            self._recent.append((t_s, yaw))
            self.all_yaws_deg.append(yaw)
        while self._recent and self._recent[0][0] < t_s - WINDOW_S:
            self._recent.popleft()
        if not self._recent:
            return None
        return classify_yaw(float(np.median([y for _, y in self._recent])))

    def overall(self) -> str | None:
        if not self.all_yaws_deg:
            return None
        return classify_yaw(float(np.median(self.all_yaws_deg)))
