"""Exercise guides: what an exercise trains and its start position, for the guided session's start screen.

A guide lives beside its spec (``exercise_specs/guides/<id>.yaml``) and changes nothing the engine judges.
The start position is stored as the direction of each body segment, not as joint coordinates: with fixed
segment lengths every figure has the same body, and a typo bends a limb instead of stretching it.
Directions are degrees in the picture: 0 = the way the figure faces, 90 = up, -90 = down, 180 = behind.
"""

from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from formcheck.errors import SpecError
from formcheck.specs.loader import _invalid, _read_yaml, catalogue, default_spec_dir

GUIDE_DIR = "guides"
# One body for every figure, in metres (about a 1.75 m adult).
SEGMENT_M = {"trunk": 0.50, "head": 0.25, "upper_arm": 0.30, "forearm": 0.28, "thigh": 0.44, "shin": 0.43, "foot": 0.14}
HEAD_RADIUS_M = 0.10
# Seen from the front, the shoulders and hips have width, across the trunk.
HALF_WIDTH_M = {"shoulder": 0.19, "hip": 0.12}

Degrees = float


class Arm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    upper_arm: Degrees = Field(ge=-180, le=180)
    forearm: Degrees = Field(ge=-180, le=180)


class Leg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    thigh: Degrees = Field(ge=-180, le=180)
    shin: Degrees = Field(ge=-180, le=180)
    foot: Degrees = Field(ge=-180, le=180)


class StartPose(BaseModel):
    """The start position as segment directions; ``near`` limbs are drawn in front of ``far`` ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    view: Literal["side", "front"] = Field(description="the camera's view of the figure: the spec's camera placement")
    trunk: Degrees = Field(ge=-180, le=180, description="hip to shoulder")
    head: Degrees = Field(ge=-180, le=180, description="shoulder to the head's centre")
    near_arm: Arm
    far_arm: Arm
    near_leg: Leg
    far_leg: Leg


class Guide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trains: str = Field(min_length=1, description="what the exercise trains, in a person's words")
    start: StartPose


class Figure(BaseModel):
    """A start position as points to draw: metres, y up, the lowest point on the floor (y = 0)."""

    model_config = ConfigDict(frozen=True)

    view: Literal["side", "front"]
    points: dict[str, tuple[float, float]] = Field(description="joint name -> (x, y) in metres, y up")
    bones: list[tuple[str, str]] = Field(description="pairs of joint names to join, far side first")
    head_radius: float


def _towards(point: tuple[float, float], degrees: float, length: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    return point[0] + length * math.cos(radians), point[1] + length * math.sin(radians)


def figure(pose: StartPose) -> Figure:
    """The joints of a start position, placed so that its lowest point touches the floor."""
    hip = (0.0, 0.0)
    shoulder = _towards(hip, pose.trunk, SEGMENT_M["trunk"])
    points = {"head": _towards(shoulder, pose.head, SEGMENT_M["head"])}
    bones: list[tuple[str, str]] = []
    across = pose.trunk - 90  # the direction across the trunk, for widths seen from the front
    for depth, sign in (("far", 1.0), ("near", -1.0)):
        width = 1.0 if pose.view == "front" else 0.0
        points[f"{depth}_shoulder"] = _towards(shoulder, across, sign * width * HALF_WIDTH_M["shoulder"])
        points[f"{depth}_hip"] = _towards(hip, across, sign * width * HALF_WIDTH_M["hip"])
        arm: Arm = getattr(pose, f"{depth}_arm")
        leg: Leg = getattr(pose, f"{depth}_leg")
        points[f"{depth}_elbow"] = _towards(points[f"{depth}_shoulder"], arm.upper_arm, SEGMENT_M["upper_arm"])
        points[f"{depth}_wrist"] = _towards(points[f"{depth}_elbow"], arm.forearm, SEGMENT_M["forearm"])
        points[f"{depth}_knee"] = _towards(points[f"{depth}_hip"], leg.thigh, SEGMENT_M["thigh"])
        points[f"{depth}_ankle"] = _towards(points[f"{depth}_knee"], leg.shin, SEGMENT_M["shin"])
        points[f"{depth}_toe"] = _towards(points[f"{depth}_ankle"], leg.foot, SEGMENT_M["foot"])
        chain = ("shoulder", "elbow", "wrist"), ("hip", "knee", "ankle", "toe")
        bones += [(f"{depth}_{a}", f"{depth}_{b}") for joints in chain for a, b in itertools.pairwise(joints)]
    bones += [("far_shoulder", "near_shoulder"), ("far_hip", "near_hip"), ("far_shoulder", "far_hip"),
              ("near_shoulder", "near_hip")]
    floor = min(y for _, y in points.values())
    floor = min(floor, points["head"][1] - HEAD_RADIUS_M)
    placed = {name: (round(x, 3), round(y - floor, 3)) for name, (x, y) in points.items()}
    return Figure(view=pose.view, points=placed, bones=bones, head_radius=HEAD_RADIUS_M)


def load_guide_file(path: Path) -> Guide:
    """Raises:
    SpecError: unreadable, bad YAML, or a field that fails validation (named)."""
    raw = _read_yaml(path)
    try:
        return Guide.model_validate(raw)
    except ValidationError as error:
        raise _invalid(path, raw, error) from error


@functools.lru_cache(maxsize=8)
def guides(spec_dir: Path | None = None) -> dict[str, Guide]:
    """Every exercise's guide, by id; each must exist, and its figure's view must be one the spec is filmed from.

    Raises:
        SpecError: a guide missing, invalid, for no known exercise, or drawn from a view the spec does not use.
    """
    folder = (spec_dir or default_spec_dir()) / GUIDE_DIR
    specs = catalogue(spec_dir)
    found = {path.stem: path for path in sorted(folder.glob("*.yaml"))}
    for exercise_id in found.keys() - specs.keys():
        raise SpecError(f"{found[exercise_id]}: no exercise spec has the id {exercise_id!r}")
    loaded: dict[str, Guide] = {}
    for exercise_id, spec in specs.items():
        if exercise_id not in found:
            raise SpecError(f"{folder / (exercise_id + '.yaml')}: missing: every exercise needs a guide")
        guide = load_guide_file(found[exercise_id])
        if guide.start.view not in spec.views:
            raise SpecError(f"{found[exercise_id]}: start.view: {guide.start.view!r} is not one of the spec's views {list(spec.views)}")
        loaded[exercise_id] = guide
    return loaded
