"""The back's shape from the person-segmentation mask: the back edge traced from hip to shoulder.

The 33 landmarks have no point on the back between the shoulders and the hips; in a side or
oblique view the back edge of the body's silhouette is that line. This stage reads only the
mask and the landmarks of one frame (no mediapipe here) and returns a ``BackShape``.

Geometry (image pixels, y down):
    chord: hip H -> shoulder S on the near side (left/right blended by visibility^4, as the
        metric table's ``near`` side); L = |S - H| is the trunk length.
    back normal n: perpendicular to the chord, pointing away from the chest. The chest side is
        where the knees are (hinge, squat, quadruped, bridge, dead bug: the knee lies off the
        chord on the front of the body); when the knee is within ``KNEE_OFF_CHORD_MIN`` of the
        chord line (standing tall), the feet decide (toes ahead of heels = facing).
    stations: ``STATIONS`` points at fractions ``T_FIRST``..``T_LAST`` of the chord; from each,
        a ray along n is sampled (bilinear) until the mask first falls below 0.5: that crossing
        (sub-pixel) is the back edge there. The chord's ends are left out: at the hip the ray
        meets the buttock, at the shoulder the neck and arm.

Measures (all relative to the traced contour's own end-to-end line, so the body's thickness
and where the landmarks sit inside it cancel out):
    flexion_norm: mean signed deviation of the contour from the straight line through its first
        and last station (the area between them divided by that line's length), in trunk
        lengths. + the back bows outward (away from the chest: rounding), - inward (arching).
        A parabola-shaped bow of sagitta s reads 2/3 s / L.
    bow_max_norm: the signed deviation of largest size, in trunk lengths.
    lumbar_deg: the slope of the lumbar third of the contour (the stations in the first third
        of the span, hip end) against the chord, least squares; + the edge moves outward going
        up the back (lordosis lost: the low back rounds, the pelvis tucks), - inward (lordosis,
        arching). A standing back reads negative (buttock out, waist in): compare a person
        against their own neutral moment. The landmarks give the hip as one point, so a
        "pelvis line" from the hip to the back edge is perpendicular to the chord by
        construction: this slope is the same information as the angle against it (90 - slope).
    confidence (0..1) and reason: the product of the view (1 side-on, 0 front-on, linear
        across the oblique band), the mask's sharpness at the crossings (a soft edge: blur,
        loose clothing), and the share of stations kept (a ray that leaves the image, never
        leaves the body, or jumps away from its neighbours: an arm or a bar across the back).
        ``reason`` names the weakest factor when confidence is under ``LOW_CONFIDENCE``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark, PoseFrame
from formcheck.metrics.view import FRONT_MAX_DEG, SIDE_MIN_DEG, body_yaw_deg

FloatArray = npt.NDArray[np.float64]

STATIONS = 17
T_FIRST = 0.1
T_LAST = 0.9
RAY_LENGTH = 0.6  # trunk lengths: a back edge further out than this is not the back
RAY_STEP_PX = 0.5
MIN_TRUNK_PX = 20.0  # shorter chords are too small to trace
KNEE_OFF_CHORD_MIN = 0.15  # trunk lengths: closer to the chord line, the knee does not tell the chest side
JUMP = 0.04  # trunk lengths off a cubic through the other stations: a limb or a bar, not the back
MIN_KEPT = 0.6  # share of stations kept, or the frame is not judged
# Mask edge width (0.9 -> 0.1) in trunk lengths: sharp at or under GOOD, unusable at BAD.
EDGE_WIDTH_GOOD = 0.04
EDGE_WIDTH_BAD = 0.15
LOW_CONFIDENCE = 0.5
NEAR_SIDE_WEIGHT_POWER = 4.0


@dataclass(frozen=True)
class BackShape:
    """One frame's back shape; NaN measures with confidence 0 when not judged (see ``reason``).

    Attributes:
        flexion_norm: mean bow of the back edge from its end-to-end line, trunk lengths, + rounding.
        bow_max_norm: largest bow, signed, trunk lengths.
        lumbar_deg: lumbar third's slope against the chord, + flexed (lordosis lost), - arched.
        confidence: 0..1, see the module docstring.
        reason: why confidence is low, or None.
        contour_px: (STATIONS, 2) traced back edge in image pixels, NaN rows at dropped stations.
    """

    flexion_norm: float
    bow_max_norm: float
    lumbar_deg: float
    confidence: float
    reason: str | None
    contour_px: FloatArray

    @property
    def traced(self) -> bool:
        """Whether the back was traced with confidence: only then are its measures read and its line drawn."""
        return self.confidence >= LOW_CONFIDENCE

    def line_px(self) -> list[tuple[float, float]]:
        """The traced back edge in pixels, hip to shoulder; empty where it was not ``traced``, so what is drawn is
        what was measured."""
        if not self.traced:
            return []
        return [(float(x), float(y)) for x, y in self.contour_px if not (math.isnan(x) or math.isnan(y))]

    @classmethod
    def not_judged(cls, reason: str) -> BackShape:
        nan = float("nan")
        return cls(nan, nan, nan, 0.0, reason, np.full((STATIONS, 2), np.nan))


def station_fractions() -> FloatArray:
    return np.linspace(T_FIRST, T_LAST, STATIONS)


def sample_bilinear(mask: npt.NDArray[np.float32], points: FloatArray) -> FloatArray:
    """The mask at (..., 2) pixel points (x, y), bilinear; NaN outside the image."""
    height, width = mask.shape
    x, y = points[..., 0], points[..., 1]
    inside = (x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)
    xc, yc = np.clip(x, 0, width - 1), np.clip(y, 0, height - 1)
    x0 = np.minimum(np.floor(xc).astype(np.intp), width - 2 if width > 1 else 0)
    y0 = np.minimum(np.floor(yc).astype(np.intp), height - 2 if height > 1 else 0)
    fx, fy = xc - x0, yc - y0
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    # read the four neighbours, then widen: casting the whole mask first would copy every pixel of the frame
    top = mask[y0, x0].astype(np.float64) * (1 - fx) + mask[y0, x1].astype(np.float64) * fx
    bottom = mask[y1, x0].astype(np.float64) * (1 - fx) + mask[y1, x1].astype(np.float64) * fx
    values = top * (1 - fy) + bottom * fy
    return np.where(inside, values, np.nan)


def _edge(profile: FloatArray) -> tuple[float, float]:
    """Distance (px) along one ray to the first 0.5 crossing, and the edge's 0.9->0.1 width; NaN when none."""
    nan = float("nan")
    if not profile.size or not profile[0] >= 0.5:
        return nan, nan
    below = np.flatnonzero(~(profile >= 0.5))  # NaN (off the image) counts as leaving
    if not below.size:
        return nan, nan
    j = int(below[0])
    if math.isnan(profile[j]):
        return nan, nan  # the ray left the image before it left the body
    before, after = profile[j - 1], profile[j]
    crossing = (j - 1 + (before - 0.5) / (before - after)) * RAY_STEP_PX
    high = np.flatnonzero(profile[:j] >= 0.9)
    low_after = np.flatnonzero(~(profile[j:] > 0.1))
    start = int(high[-1]) if high.size else 0
    end = j + int(low_after[0]) if low_after.size else profile.size
    return float(crossing), float((end - start) * RAY_STEP_PX)


def _drop_jumps(fractions: FloatArray, offsets: FloatArray, trunk_px: float) -> FloatArray:
    """NaN where a station sits more than ``JUMP`` off a cubic through the others (worst first).

    A cubic follows a back's S-curve (lordosis below, kyphosis above) but not a bar or an arm,
    which pushes a few neighbouring stations out at once (a running median would keep them).
    """
    kept = offsets.copy()
    while True:
        valid = ~np.isnan(kept)
        if valid.sum() < max(MIN_KEPT * kept.size, 5):
            return kept
        fit = np.polyval(np.polyfit(fractions[valid], kept[valid], 3), fractions)
        residual = np.where(valid, np.abs(kept - fit), 0.0)
        worst = int(np.argmax(residual))
        if residual[worst] <= JUMP * trunk_px:
            return kept
        kept[worst] = np.nan


def chest_side_sign(hip: FloatArray, shoulder: FloatArray, knee: FloatArray, facing_sign: float) -> float:
    """+1 when the back normal is the chord direction turned (x, y) -> (y, -x), else -1.

    Facing image right, upright, the chord points up (0, -1) and the back is at -x: (y, -x) = (-1, 0).
    """
    chord = shoulder - hip
    length = float(np.linalg.norm(chord))
    n0 = np.array([chord[1], -chord[0]]) / length
    knee_off = float(np.dot(knee - hip, n0)) / length
    if abs(knee_off) >= KNEE_OFF_CHORD_MIN:
        return -1.0 if knee_off > 0 else 1.0
    return facing_sign


def _view_weight(yaw_deg: float) -> float:
    if math.isnan(yaw_deg):
        return 0.0
    return float(np.clip((yaw_deg - FRONT_MAX_DEG) / (SIDE_MIN_DEG - FRONT_MAX_DEG), 0.0, 1.0))


def trace_back(
    mask: npt.NDArray[np.float32], hip: FloatArray, shoulder: FloatArray, side_sign: float, yaw_deg: float = 90.0
) -> BackShape:
    """The back shape from a mask and the near-side hip and shoulder (pixels); see the module docstring.

    ``side_sign`` is ``chest_side_sign``'s answer; ``yaw_deg`` the body's yaw to the camera (90 side-on).
    """
    hip, shoulder = np.asarray(hip, np.float64), np.asarray(shoulder, np.float64)
    if not (np.isfinite(hip).all() and np.isfinite(shoulder).all()):
        return BackShape.not_judged("no hip or shoulder")
    trunk = float(np.linalg.norm(shoulder - hip))
    if trunk < MIN_TRUNK_PX:
        return BackShape.not_judged("the trunk is too small in the image")
    view = _view_weight(yaw_deg)
    if view == 0.0:
        return BackShape.not_judged("front view: the back's profile cannot be seen")
    along = (shoulder - hip) / trunk
    normal = side_sign * np.array([along[1], -along[0]])
    t = station_fractions()
    steps = np.arange(0.0, RAY_LENGTH * trunk, RAY_STEP_PX)
    origins = hip + t[:, None] * (shoulder - hip)
    rays = origins[:, None, :] + steps[None, :, None] * normal
    profiles = sample_bilinear(mask, rays)
    edges = [_edge(profile) for profile in profiles]
    offsets = np.array([e[0] for e in edges])
    widths = np.array([e[1] for e in edges])
    offsets = _drop_jumps(t, offsets, trunk)
    kept = ~np.isnan(offsets)
    kept_share = float(kept.mean())
    contour = np.where(kept[:, None], origins + np.nan_to_num(offsets)[:, None] * normal, np.nan)
    if kept_share < MIN_KEPT:
        return BackShape(*(float("nan"),) * 3, 0.0, "the back edge is lost along most of the back", contour)
    width_norm = float(np.median(widths[kept])) / trunk
    sharpness = float(np.clip((EDGE_WIDTH_BAD - width_norm) / (EDGE_WIDTH_BAD - EDGE_WIDTH_GOOD), 0.0, 1.0))
    confidence = view * sharpness * kept_share
    reason = None
    if confidence < LOW_CONFIDENCE:
        factors = {
            "oblique view": view,
            "soft mask edge along the back (blur or loose clothing)": sharpness,
            "the back edge jumps or is lost at some stations (an arm or a bar across the back?)": kept_share,
        }
        reason = min(factors, key=lambda name: factors[name])
    flexion, bow_max = _bow(contour[kept], normal, trunk)
    lumbar = _lumbar_deg(t[kept] * trunk, offsets[kept], t[kept])
    return BackShape(flexion, bow_max, lumbar, confidence, reason, contour)


def _bow(points: FloatArray, normal: FloatArray, trunk: float) -> tuple[float, float]:
    """Mean and largest signed deviation from the end-to-end line, trunk lengths, + outward."""
    first, last = points[0], points[-1]
    span = float(np.linalg.norm(last - first))
    direction = (last - first) / span
    outward = np.array([-direction[1], direction[0]])
    if float(np.dot(outward, normal)) < 0:
        outward = -outward
    deviation = (points - first) @ outward
    position = (points - first) @ direction
    area = float(np.sum((deviation[1:] + deviation[:-1]) / 2 * np.diff(position)))
    largest = float(deviation[int(np.argmax(np.abs(deviation)))])
    return area / span / trunk, largest / trunk


def _lumbar_deg(along_px: FloatArray, offsets_px: FloatArray, fractions: FloatArray) -> float:
    lumbar = fractions <= T_FIRST + (T_LAST - T_FIRST) / 3 + 1e-9
    if int(lumbar.sum()) < 3:
        return float("nan")
    slope = float(np.polyfit(along_px[lumbar], offsets_px[lumbar], 1)[0])
    return math.degrees(math.atan(slope))


def _near(frame: PoseFrame, left: Landmark, right: Landmark, image_px: FloatArray) -> FloatArray:
    weights = frame.visibility[[left, right]].astype(np.float64) ** NEAR_SIDE_WEIGHT_POWER
    if weights.sum() == 0:
        weights = np.array([0.5, 0.5])
    return np.asarray((weights[0] * image_px[left] + weights[1] * image_px[right]) / weights.sum(), np.float64)


def measure_back(frame: PoseFrame) -> BackShape:
    """The back shape of one frame that carries a mask (``PoseSettings(segmentation_masks=True)``)."""
    if frame.mask is None:
        return BackShape.not_judged("no segmentation mask")
    if not frame.has_person:
        return BackShape.not_judged("no person")
    image_px = frame.image_xy.astype(np.float64) * np.asarray(frame.image_wh, np.float64)
    hip = _near(frame, Landmark.LEFT_HIP, Landmark.RIGHT_HIP, image_px)
    shoulder = _near(frame, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, image_px)
    knee = _near(frame, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, image_px)
    if float(np.linalg.norm(shoulder - hip)) < MIN_TRUNK_PX:
        return BackShape.not_judged("the trunk is too small in the image")
    toes = (image_px[Landmark.LEFT_FOOT_INDEX] + image_px[Landmark.RIGHT_FOOT_INDEX]) / 2
    heels = (image_px[Landmark.LEFT_HEEL] + image_px[Landmark.RIGHT_HEEL]) / 2
    facing = 1.0 if toes[0] >= heels[0] else -1.0
    side = chest_side_sign(hip, shoulder, knee, facing)
    return trace_back(frame.mask, hip, shoulder, side, body_yaw_deg(frame.world_xyz.astype(np.float64)))


def with_back_shape(frame: PoseFrame) -> PoseFrame:
    """The frame with its back shape measured from its mask, and the mask dropped."""
    return replace(frame, back=measure_back(frame), mask=None)
