"""Small builders so tests state their data in a few lines.

* ``make_pose_frame`` / ``pose_arrays``: one frame's landmarks, everything not given filled in.
* ``stick_figure``: a whole-body pose from a few joint angles, seen from the side or the front,
  standing or lying, in image (normalised) and world (metres) coordinates.
* ``squat_frames``: a set of squats as ``PoseFrame``s (knee and hip bend follow a cosine).
* ``hold`` / ``ramp`` / ``waves`` / ``series_times``: synthetic one-metric series for the rep counter.

Angles in the figure are "flexion" angles as the metric table defines them: 0 = straight joint.
Segment orientations are measured from vertical-up, positive towards the way the person faces.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from formcheck.landmarks import LANDMARK_COUNT, Landmark, PoseFrame, PoseStatus
from formcheck.metrics.table import PoseArrays
from formcheck.sources.base import SourceInfo

FPS = 30.0
IMAGE_WH = (1000, 1000)
PX_PER_M = 400.0  # image scale of the stick figure (a 1.75 m person is ~700 px tall)

# Segment lengths in metres.
SHIN_M = 0.43
THIGH_M = 0.45
TORSO_M = 0.52
NECK_M = 0.22  # shoulder to ear along the trunk
ANKLE_HEIGHT_M = 0.08
HEEL_BACK_M = 0.06
TOE_FORWARD_M = 0.16
UPPER_ARM_M = 0.28
FOREARM_M = 0.26
# Half widths (left/right offset from the body's mid-plane), metres.
# Shoulders, hips, knees and ankles share one width so each side's joints lie in one plane and
# the 3-D joint angles equal the angles the figure was built with.
HALF_WIDTH_M = {"shoulder": 0.12, "hip": 0.12, "knee": 0.12, "ankle": 0.12, "foot": 0.12, "arm": 0.2, "head": 0.05}


# --- single frames -------------------------------------------------------------------------------
def make_pose_frame(
    index: int = 0,
    t_s: float | None = None,
    image_xy: np.ndarray | None = None,
    world_xyz: np.ndarray | None = None,
    visibility: float | np.ndarray = 1.0,
    status: PoseStatus = PoseStatus.OK,
    image_wh: tuple[int, int] = IMAGE_WH,
) -> PoseFrame:
    """A ``PoseFrame`` with sensible defaults (all landmarks at the image centre, fully visible)."""
    if status is PoseStatus.NO_PERSON:
        return PoseFrame.missing(index, index / FPS if t_s is None else t_s, image_wh)
    return PoseFrame(
        frame_index=index,
        t_s=index / FPS if t_s is None else t_s,
        status=status,
        image_xy=np.full((LANDMARK_COUNT, 2), 0.5, np.float32) if image_xy is None else np.asarray(image_xy, np.float32),
        world_xyz=np.zeros((LANDMARK_COUNT, 3), np.float32) if world_xyz is None else np.asarray(world_xyz, np.float32),
        visibility=np.broadcast_to(np.asarray(visibility, np.float32), (LANDMARK_COUNT,)).copy(),
        image_wh=image_wh,
    )


def pose_arrays(points_px: dict[Landmark, Sequence[float]], visibility: dict[Landmark, float] | None = None,
                world_m: dict[Landmark, Sequence[float]] | None = None) -> PoseArrays:
    """``PoseArrays`` from a few named pixel positions; every other landmark is NaN (visibility 1)."""
    image = np.full((LANDMARK_COUNT, 2), np.nan)
    world = np.full((LANDMARK_COUNT, 3), np.nan)
    seen = np.ones(LANDMARK_COUNT)
    for point, xy in points_px.items():
        image[point] = xy
    for point, xyz in (world_m or {}).items():
        world[point] = xyz
    for point, value in (visibility or {}).items():
        seen[point] = value
    return PoseArrays(image_px=image, world_m=world, visibility=seen)


# --- a stick figure ------------------------------------------------------------------------------
def _direction(orientation_deg: float) -> np.ndarray:
    """Unit vector (forward, up) of a segment at this orientation from vertical-up."""
    radians = math.radians(orientation_deg)
    return np.array([math.sin(radians), math.cos(radians)])


def sagittal_points(knee_flexion_deg: float, hip_flexion_deg: float, shin_lean_deg: float) -> dict[str, np.ndarray]:
    """Joint positions (forward, up) in metres in the body's mid-plane, ankle above the origin.

    The shin leans forward by ``shin_lean_deg``; the knee bends by ``knee_flexion_deg`` and the
    hip by ``hip_flexion_deg`` (so the trunk leans forward by shin_lean - knee + hip degrees).
    """
    ankle = np.array([0.0, ANKLE_HEIGHT_M])
    shin = shin_lean_deg
    thigh = shin - knee_flexion_deg
    trunk = thigh + hip_flexion_deg
    knee = ankle + SHIN_M * _direction(shin)
    hip = knee + THIGH_M * _direction(thigh)
    shoulder = hip + TORSO_M * _direction(trunk)
    ear = shoulder + NECK_M * _direction(trunk)
    elbow = shoulder + UPPER_ARM_M * _direction(180.0)
    wrist = elbow + FOREARM_M * _direction(180.0)
    return {
        "ankle": ankle, "knee": knee, "hip": hip, "shoulder": shoulder, "ear": ear, "elbow": elbow, "wrist": wrist,
        "heel": np.array([-HEEL_BACK_M, 0.0]), "foot_index": np.array([TOE_FORWARD_M, 0.0]),
        "nose": ear + np.array([0.08, -0.02]),
    }


_WIDTH_OF = {
    "shoulder": "shoulder", "elbow": "arm", "wrist": "arm", "pinky": "arm", "index": "arm", "thumb": "arm",
    "hip": "hip", "knee": "knee", "ankle": "ankle", "heel": "foot", "foot_index": "foot",
    "eye_inner": "head", "eye": "head", "eye_outer": "head", "ear": "head", "mouth": "head",
}


def _landmark_part(landmark: Landmark) -> tuple[str, int]:
    """('knee', +1) for LEFT_KNEE: the figure part a landmark sits on and its side (+1 left, -1 right, 0 none)."""
    name = landmark.name.lower()
    if name == "nose":
        return "nose", 0
    if name.startswith("mouth_"):
        return "mouth", (1 if name.endswith("left") else -1)
    side, _, part = name.partition("_")
    return part, (1 if side == "left" else -1)


def stick_figure(
    knee_flexion_deg: float = 0.0,
    hip_flexion_deg: float | None = None,
    shin_lean_deg: float | None = None,
    view: str = "side",
    facing: int = 1,
    lying: bool = False,
    side_lean_deg: float = 0.0,
    origin_px: tuple[float, float] = (500.0, 900.0),
    image_wh: tuple[int, int] = IMAGE_WH,
) -> tuple[np.ndarray, np.ndarray]:
    """(image_xy normalised (33, 2), world_xyz metres (33, 3)) of a person.

    Args:
        knee_flexion_deg, hip_flexion_deg: joint bends (hip defaults to 1.05 x knee, a squat).
        shin_lean_deg: forward shin lean (defaults to 0.35 x knee bend, so the trunk leans
            forward by 0.4 x knee bend).
        view: "side" (the body's mid-plane parallel to the image, left/right along depth) or
            "front" (facing the camera: left/right along image x, forward towards the camera).
        facing: +1 faces image right (side view), -1 image left.
        lying: turn the whole figure 90 degrees so it lies on its back along the floor.
        side_lean_deg: tilt the upper body sideways (towards its left) about the hips.
        origin_px: pixel position of the point between the feet on the floor.
    """
    hip_flexion_deg = 1.05 * knee_flexion_deg if hip_flexion_deg is None else hip_flexion_deg
    shin_lean_deg = 0.35 * knee_flexion_deg if shin_lean_deg is None else shin_lean_deg
    plane = sagittal_points(knee_flexion_deg, hip_flexion_deg, shin_lean_deg)
    body = np.zeros((LANDMARK_COUNT, 3))  # (forward, up, lateral towards the left) in metres
    for landmark in Landmark:
        part, side = _landmark_part(landmark)
        base = {"pinky": "wrist", "index": "wrist", "thumb": "wrist", "eye_inner": "ear", "eye": "ear",
                "eye_outer": "ear", "mouth": "nose"}.get(part, part)
        forward, up = plane[base]
        lateral = side * HALF_WIDTH_M.get(_WIDTH_OF.get(part, "head"), 0.05)
        if side_lean_deg and base in ("shoulder", "ear", "nose", "elbow", "wrist"):
            radians = math.radians(side_lean_deg)
            height = up - plane["hip"][1]
            lateral, up = (lateral * math.cos(radians) + height * math.sin(radians),
                           plane["hip"][1] + height * math.cos(radians) - lateral * math.sin(radians))
        if lying:
            forward, up = up, forward + 0.15  # head along the floor, chest (and bent knees) up
        body[landmark] = (forward, up, lateral)
    mid_hip = (body[Landmark.LEFT_HIP] + body[Landmark.RIGHT_HIP]) / 2
    forward, up, lateral = body.T
    if view == "side":
        image_px = np.stack([origin_px[0] + facing * forward * PX_PER_M, origin_px[1] - up * PX_PER_M], axis=1)
        world = np.stack([facing * (forward - mid_hip[0]), -(up - mid_hip[1]), lateral], axis=1)
    elif view == "front":
        # facing the camera, the person's left is on the image right
        image_px = np.stack([origin_px[0] + lateral * PX_PER_M, origin_px[1] - up * PX_PER_M], axis=1)
        world = np.stack([lateral, -(up - mid_hip[1]), -(forward - mid_hip[0])], axis=1)
    else:
        raise ValueError(f"view must be side or front, got {view!r}")
    return (image_px / np.asarray(image_wh, np.float64)).astype(np.float32), world.astype(np.float32)


def figure_frame(index: int, t_s: float, image_wh: tuple[int, int] = IMAGE_WH, visibility: float | np.ndarray = 0.95,
                 **figure: object) -> PoseFrame:
    """A ``PoseFrame`` of ``stick_figure(**figure)``."""
    image_xy, world_xyz = stick_figure(image_wh=image_wh, **figure)  # type: ignore[arg-type]
    return make_pose_frame(index, t_s, image_xy=image_xy, world_xyz=world_xyz, visibility=visibility, image_wh=image_wh)


def squat_bend(t_s: np.ndarray, reps: int, period_s: float, depth_deg: float, lead_s: float) -> np.ndarray:
    """Knee bend over time: 0 while standing, one (1 - cos) dip of ``depth_deg`` per rep after ``lead_s``."""
    phase = (t_s - lead_s) / period_s
    inside = (phase >= 0) & (phase < reps)
    return np.where(inside, depth_deg * (1 - np.cos(2 * np.pi * phase)) / 2, 0.0)


def squat_frames(
    reps: int = 3,
    period_s: float = 2.0,
    depth_deg: float = 100.0,
    lead_s: float = 1.0,
    tail_s: float = 1.0,
    fps: float = FPS,
    hip_per_knee: float = 1.05,
    side_lean_per_knee: float = 0.0,
    **figure: object,
) -> list[PoseFrame]:
    """A set of ``reps`` squats: stand ``lead_s``, squat, stand ``tail_s``.

    The hip bends ``hip_per_knee`` times the knee (the trunk then leans forward by
    (hip_per_knee - 0.65) x the knee bend); ``side_lean_per_knee`` tilts the upper body sideways
    in proportion too. Extra arguments go to ``stick_figure``.
    """
    times = np.arange(0.0, lead_s + reps * period_s + tail_s, 1.0 / fps)
    bends = squat_bend(times, reps, period_s, depth_deg, lead_s)
    return [
        figure_frame(i, float(t), knee_flexion_deg=float(k), hip_flexion_deg=hip_per_knee * float(k),
                     side_lean_deg=side_lean_per_knee * float(k), **figure)
        for i, (t, k) in enumerate(zip(times, bends))
    ]


def source_info(frames: Sequence[PoseFrame], path: str = "synthetic.mp4") -> SourceInfo:
    duration = frames[-1].t_s + 1.0 / FPS if frames else 0.0
    width, height = frames[0].image_wh if frames else IMAGE_WH
    return SourceInfo(path=path, fps=FPS, frames=len(frames), duration_s=round(duration, 3), width=width, height=height,
                      rotation=0)


# --- one-metric series for the rep counter ---------------------------------------------------------
def hold(value: float, seconds: float, fps: float = FPS) -> np.ndarray:
    return np.full(round(seconds * fps), float(value))


def ramp(start: float, stop: float, seconds: float, fps: float = FPS) -> np.ndarray:
    return np.linspace(start, stop, round(seconds * fps), endpoint=False)


def waves(count: int, rest: float, turn: float, period_s: float = 2.0, fps: float = FPS) -> np.ndarray:
    """``count`` smooth swings rest -> turn -> rest, each ``period_s`` long, turning half-way."""
    t_s = np.arange(0.0, count * period_s, 1.0 / fps)
    return rest + (turn - rest) * (1 - np.cos(2 * np.pi * t_s / period_s)) / 2


def concat(*parts: Iterable[float]) -> np.ndarray:
    return np.concatenate([np.asarray(list(part) if not isinstance(part, np.ndarray) else part, np.float64) for part in parts])


def series_times(values: Sequence[float], fps: float = FPS) -> np.ndarray:
    return np.arange(len(values)) / fps
