"""Geometry on landmark coordinates. Every function takes arrays of points, shape (..., D).

Conventions (all results in degrees unless the name says otherwise):
    joint_angle_deg(a, b, c): the angle at ``b`` between b->a and b->c, 0..180; 180 is a
        straight joint. Works in 2-D (image) and 3-D (world).
    inclination_deg(a, b, reference): angle between the segment a->b and the vertical (or
        horizontal) axis of the image, 0..90, unsigned; 0 means the segment lies along the
        reference axis. Image y grows downwards; direction along the segment is ignored.
    signed_inclination_deg(a, b): the segment a->b's angle from image vertical, -180..180,
        positive when b lies to the right of a ("leaning towards image right").
Points with NaN give NaN.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def joint_angle_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at ``b`` in degrees (0..180) between the rays b->a and b->c."""
    first = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    second = np.asarray(c, np.float64) - np.asarray(b, np.float64)
    dot = np.sum(first * second, axis=-1)
    norms = np.linalg.norm(first, axis=-1) * np.linalg.norm(second, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.clip(dot / norms, -1.0, 1.0)
    return np.asarray(np.degrees(np.arccos(cosine)), np.float64)


def inclination_deg(a: FloatArray, b: FloatArray, reference: str = "vertical") -> FloatArray:
    """Unsigned angle (0..90) between the line through a and b and the image's vertical or horizontal."""
    delta = np.asarray(b, np.float64)[..., :2] - np.asarray(a, np.float64)[..., :2]
    from_vertical = np.degrees(np.arctan2(np.abs(delta[..., 0]), np.abs(delta[..., 1])))
    if reference == "vertical":
        return np.asarray(from_vertical, np.float64)
    if reference == "horizontal":
        return np.asarray(90.0 - from_vertical, np.float64)
    raise ValueError(f"reference must be 'vertical' or 'horizontal', got {reference!r}")


def signed_inclination_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    """Angle (-180..180) of the segment a->b from image "up", positive towards image right."""
    delta = np.asarray(b, np.float64)[..., :2] - np.asarray(a, np.float64)[..., :2]
    return np.asarray(np.degrees(np.arctan2(delta[..., 0], -delta[..., 1])), np.float64)


def distance(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64), axis=-1), np.float64)


def yaw_to_camera_deg(left: FloatArray, right: FloatArray) -> FloatArray:
    """How far the left->right axis (shoulders or hips, world coordinates) turns away from the image plane.

    0 means the person squarely faces (or turns their back to) the camera; 90 means side-on.
    """
    delta = np.asarray(right, np.float64) - np.asarray(left, np.float64)
    return np.asarray(np.degrees(np.arctan2(np.abs(delta[..., 2]), np.abs(delta[..., 0]))), np.float64)
