"""The pose stage's output type: 33 BlazePose landmarks for one frame.

Nothing here imports mediapipe: the pose stage converts its results into ``PoseFrame``
so every later stage (metrics, reps, faults, review) works on plain numpy arrays, and
tests can build frames by hand.

Coordinates:
    image_xy: (33, 2) float32, x and y divided by the image width and height (0..1 inside
        the image; values outside mean the point was extrapolated beyond the frame edge).
        y grows downwards.
    world_xyz: (33, 3) float32, metres, origin between the hips, y grows downwards,
        axes aligned with the camera (the model's 3-D estimate).
    visibility: (33,) float32 in 0..1, the model's confidence that the point is visible.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # the back stage reads PoseFrames; a frame only carries its result
    from formcheck.back.shape import BackShape

LANDMARK_COUNT = 33


class Landmark(enum.IntEnum):
    """BlazePose landmark indices, by name."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Bones drawn by overlays (pairs of landmarks).
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
)


class PoseStatus(str, enum.Enum):
    """What the pose stage could see in one frame."""

    OK = "ok"
    NO_PERSON = "no_person"
    LOW_VISIBILITY = "low_visibility"
    PARTLY_OUT_OF_FRAME = "partly_out_of_frame"


def _check_shape(name: str, array: npt.NDArray[np.float32], expected: tuple[int, ...]) -> None:
    if array.shape != expected:
        raise ValueError(f"PoseFrame.{name}: expected shape {expected}, got {array.shape}")


@dataclass(frozen=True)
class PoseFrame:
    """One frame's pose. See the module docstring for the coordinate conventions.

    Attributes:
        frame_index: index of the frame in its source (0-based).
        t_s: presentation time in seconds from the start of the source.
        status: what could be seen; ``NO_PERSON`` frames hold NaN landmarks.
        image_xy: (33, 2) normalised image coordinates.
        world_xyz: (33, 3) metric coordinates.
        visibility: (33,) visibility in 0..1.
        image_wh: the image's width and height in pixels (after rotation).
        mask: optional (H, W) float32 person-segmentation mask in 0..1, when asked for.
        back: the back's shape traced from the mask (``formcheck.back``), when a spec asks for it; the mask
            itself is dropped once traced (a clip's masks would not fit in memory).
    """

    frame_index: int
    t_s: float
    status: PoseStatus
    image_xy: npt.NDArray[np.float32]
    world_xyz: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    image_wh: tuple[int, int]
    mask: npt.NDArray[np.float32] | None = field(default=None, compare=False, repr=False)
    back: BackShape | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        _check_shape("image_xy", self.image_xy, (LANDMARK_COUNT, 2))
        _check_shape("world_xyz", self.world_xyz, (LANDMARK_COUNT, 3))
        _check_shape("visibility", self.visibility, (LANDMARK_COUNT,))

    @classmethod
    def missing(cls, frame_index: int, t_s: float, image_wh: tuple[int, int]) -> PoseFrame:
        """A frame in which no person was found (all landmarks NaN, visibility 0)."""
        return cls(
            frame_index=frame_index,
            t_s=t_s,
            status=PoseStatus.NO_PERSON,
            image_xy=np.full((LANDMARK_COUNT, 2), np.nan, np.float32),
            world_xyz=np.full((LANDMARK_COUNT, 3), np.nan, np.float32),
            visibility=np.zeros(LANDMARK_COUNT, np.float32),
            image_wh=image_wh,
        )

    @property
    def has_person(self) -> bool:
        return self.status is not PoseStatus.NO_PERSON

    def point(self, landmark: Landmark) -> npt.NDArray[np.float32]:
        """The landmark's image position in pixels, (x, y)."""
        return np.asarray(self.image_xy[landmark] * np.asarray(self.image_wh, np.float32), np.float32)
