"""The exercise spec schema. One YAML file per exercise; the file stem is the exercise id.

A spec names its metrics (built from the kinds in ``formcheck.metrics.table``), the position
that shows the person is set up for the exercise, how a rep is counted, and the fault checks
with the phases and camera views in which each is valid. Every model forbids unknown keys,
so a typo fails loudly with the file and the field instead of silently doing nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

View = Literal["side", "front", "oblique"]
Phase = Literal["rest", "out", "turn", "return"]
Severity = Literal["info", "warning", "major"]
BodyPoint = Literal[
    "nose", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index",
]
SideChoice = Literal["near", "left", "right", "mid"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JointFlexionMetric(StrictModel):
    """Flexion at the middle point, degrees: 0 = straight, 90 = right angle."""

    kind: Literal["joint_flexion"]
    points: tuple[BodyPoint, BodyPoint, BodyPoint]
    side: SideChoice = "near"
    space: Literal["world", "image"] = "world"
    description: str = ""


class InclinationMetric(StrictModel):
    """The segment points[0]->points[1] against the image vertical or horizontal, degrees 0..90."""

    kind: Literal["inclination"]
    points: tuple[BodyPoint, BodyPoint]
    reference: Literal["vertical", "horizontal"] = "vertical"
    side: SideChoice = "near"
    description: str = ""


class ForwardOffsetMetric(StrictModel):
    """How far points[1] lies ahead of points[0] in the facing direction, in torso lengths (image)."""

    kind: Literal["forward_offset"]
    points: tuple[BodyPoint, BodyPoint]
    side: SideChoice = "near"
    description: str = ""


class HeightDifferenceMetric(StrictModel):
    """How far points[1] lies above points[0] in the image, in torso lengths."""

    kind: Literal["height_difference"]
    points: tuple[BodyPoint, BodyPoint]
    side: SideChoice = "near"
    description: str = ""


class LeftRightHeightMetric(StrictModel):
    """|height of left point - height of right point| in torso lengths (image): level hips/shoulders."""

    kind: Literal["left_right_height"]
    point: BodyPoint
    description: str = ""


class WidthRatioMetric(StrictModel):
    """Distance between the left and right points[0] over that of points[1] (image x): knees vs feet."""

    kind: Literal["width_ratio"]
    points: tuple[BodyPoint, BodyPoint]
    description: str = ""


class DifferenceMetric(StrictModel):
    """One metric minus another (both declared in the same spec, neither a difference itself)."""

    kind: Literal["difference"]
    of: tuple[str, str]
    description: str = ""


MetricSpec = Annotated[
    JointFlexionMetric | InclinationMetric | ForwardOffsetMetric | HeightDifferenceMetric
    | LeftRightHeightMetric | WidthRatioMetric | DifferenceMetric,
    Field(discriminator="kind"),
]


class Condition(StrictModel):
    """A metric inside bounds: ``min <= value <= max`` (either bound may be left out)."""

    metric: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _has_a_bound(self) -> Condition:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class RepSpec(StrictModel):
    """How reps are counted from one metric's swings.

    A rep is a swing away from the rest end of the movement and back: out by at least
    ``min_range``, back by at least ``return_fraction`` of the way out. ``rest`` says which
    end is the resting one (``low``: the metric is small at rest, e.g. knee flexion when
    standing); ``either`` lets the first position decide (deadlifts start at the floor or at
    lockout).
    """

    metric: str
    rest: Literal["low", "high", "either"]
    min_range: float = Field(gt=0)
    return_fraction: float = Field(default=0.7, gt=0, le=1)
    min_duration_s: float = Field(default=0.4, ge=0)
    max_duration_s: float = Field(default=20.0, gt=0)
    per_side: bool = False


class TurningPointFault(StrictModel):
    """Judged once per rep on a metric's value at one moment of the rep.

    ``at`` picks the moment: ``turn`` (the turning point, farthest from rest), or the frame
    where the rep metric is highest / lowest (``rep_metric_max`` / ``rep_metric_min``), which
    is what a deadlift needs: its deepest point is the rest end when it starts at the floor.
    """

    kind: Literal["turning_point"]
    id: str
    metric: str
    at: Literal["turn", "rep_metric_max", "rep_metric_min"] = "turn"
    when: tuple[Condition, ...] = Field(default=(), description="judged only when all of these hold at that moment")
    min: float | None = None
    max: float | None = None
    views: tuple[View, ...]
    severity: Severity = "warning"
    cue: str
    description: str = ""

    @model_validator(mode="after")
    def _has_a_bound(self) -> TurningPointFault:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both (the fault fires outside them)")
        return self


class SustainedFault(StrictModel):
    """Fires when a metric stays outside [min, max] for ``min_duration_s`` in the named phases."""

    kind: Literal["sustained"]
    id: str
    metric: str
    min: float | None = None
    max: float | None = None
    phases: tuple[Phase, ...]
    when: tuple[Condition, ...] = Field(default=(), description="the check applies only while all of these hold")
    min_duration_s: float = Field(default=0.2, ge=0)
    views: tuple[View, ...]
    severity: Severity = "warning"
    cue: str
    description: str = ""

    @model_validator(mode="after")
    def _has_a_bound(self) -> SustainedFault:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both (the fault fires outside them)")
        return self


class TempoFault(StrictModel):
    """Fires when a rep's outward (``out``) or return half is quicker than ``min_s``."""

    kind: Literal["tempo"]
    id: str
    half: Literal["out", "return"]
    min_s: float = Field(gt=0)
    views: tuple[View, ...] = ("side", "front", "oblique")
    severity: Severity = "info"
    cue: str
    description: str = ""


FaultSpec = Annotated[TurningPointFault | SustainedFault | TempoFault, Field(discriminator="kind")]


class Prescription(StrictModel):
    """The dose the seeds prescribe (shown in reviews as "8 of 12 reps")."""

    reps: tuple[int, int] | None = None
    sets: int | None = None
    hold_s: float | None = None
    per_side: bool = False
    tempo: str | None = None


class ExerciseSpec(StrictModel):
    id: str
    title: str
    description: str
    variants: tuple[str, ...] = ()
    views: tuple[View, ...] = Field(min_length=1)
    camera: str = Field(description="one line telling the person where to put the camera")
    prescription: Prescription = Prescription()
    metrics: dict[str, MetricSpec]
    position: tuple[Condition, ...] = Field(
        default=(), description="all must hold for the person to count as set up for this exercise"
    )
    reps: RepSpec
    faults: tuple[FaultSpec, ...] = ()

    @model_validator(mode="after")
    def _references_exist(self) -> ExerciseSpec:
        known = set(self.metrics)
        for name, metric in self.metrics.items():
            if isinstance(metric, DifferenceMetric):
                for operand in metric.of:
                    if operand not in known or isinstance(self.metrics[operand], DifferenceMetric):
                        raise ValueError(f"metrics.{name}.of: {operand!r} must name a metric that is not a difference")
        for index, condition in enumerate(self.position):
            if condition.metric not in known:
                raise ValueError(f"position[{index}].metric: unknown metric {condition.metric!r}")
        if self.reps.metric not in known:
            raise ValueError(f"reps.metric: unknown metric {self.reps.metric!r}")
        seen: set[str] = set()
        for index, fault in enumerate(self.faults):
            metric = getattr(fault, "metric", None)
            if metric is not None and metric not in known:
                raise ValueError(f"faults[{index}].metric: unknown metric {metric!r}")
            for condition_index, condition in enumerate(getattr(fault, "when", ())):
                if condition.metric not in known:
                    raise ValueError(f"faults[{index}].when[{condition_index}].metric: unknown metric {condition.metric!r}")
            if fault.id in seen:
                raise ValueError(f"faults[{index}].id: {fault.id!r} is used twice")
            seen.add(fault.id)
        return self
