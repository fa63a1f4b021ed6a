"""The exercise spec schema. One YAML file per exercise; the file stem is the exercise id.

A spec names its metrics (built from the kinds in ``formcheck.metrics.table``), the position
that shows the person is set up for the exercise, how a rep is counted, and the fault checks
with the phases and camera views in which each is valid. Every model forbids unknown keys,
so a typo fails loudly with the file and the field instead of silently doing nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

View = Literal["side", "front", "oblique"]
# "setup": before the start position is first seen (or the whole time, for a front-view check of an
# exercise whose rep signal cannot be measured from the front).
Phase = Literal["setup", "rest", "out", "turn", "return"]
Severity = Literal["info", "warning", "major"]
BodyPoint = Literal[
    "nose", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index",
]
SideChoice = Literal["near", "left", "right", "mid"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JointFlexionMetric(StrictModel):
    """Flexion at the middle point, degrees: 0 = straight, 90 = right angle.

    ``space``: ``world`` (the model's 3-D guess, any view), ``image`` (as the camera sees it,
    true only side-on) or ``view`` (image side-on, world facing the camera, blended between).
    """

    kind: Literal["joint_flexion"]
    points: tuple[BodyPoint, BodyPoint, BodyPoint]
    side: SideChoice = "near"
    space: Literal["world", "image", "view"] = "world"
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


class LineBendMetric(StrictModel):
    """Signed bend at points[1] away from the straight line points[0]-points[2] (image), degrees.

    0 = the three points in line; positive when points[1] lies above the line (image up: hips
    piked in a plank), negative below (hips sagging). NaN when the line points[0]-points[2] is
    steeper than 60 degrees from the image horizontal (no clear up or down): for lying, plank and
    quadruped positions.
    """

    kind: Literal["line_bend"]
    points: tuple[BodyPoint, BodyPoint, BodyPoint]
    side: SideChoice = "near"
    description: str = ""


class LeftRightTiltMetric(StrictModel):
    """The line from the left to the right ``point`` against the image horizontal, degrees 0..90 (image):
    0 = level hips or shoulders. Valid from the front, back or above, where both sides show apart.

    With ``lifted_by`` the tilt is signed by the side of the lifted limb, the side whose ``lifted_by``
    point stands higher (the reaching leg's ankle in a bird dog): + when ``point`` is higher on that side
    (the hip turns open towards the lifted leg), - when lower (it drops), -90..90; NaN while the two
    ``lifted_by`` points are level (no limb lifted, so no side to sign by)."""

    kind: Literal["left_right_tilt"]
    point: BodyPoint
    lifted_by: BodyPoint | None = None
    description: str = ""


class TwistMetric(StrictModel):
    """How far the left-to-right line through points[0] is turned against the one through
    points[1] about the vertical axis (3-D world), degrees 0..180, unsigned: 0 = square (the
    shoulders face where the hips face). NaN when either line is more than 60 degrees from
    horizontal (lying on one side). World depth is guessed by the model, so trust it from the
    front or back; side-on the far side's depth is least certain."""

    kind: Literal["twist"]
    points: tuple[BodyPoint, BodyPoint]
    description: str = ""


class BackShapeMetric(StrictModel):
    """The back's shape traced from the pose model's person mask (``formcheck.back``): ``flexion``, the
    back edge's mean bow from its own end-to-end line between hip and shoulder, in trunk lengths (+ rounding,
    - arching); ``lumbar``, the slope of the edge's lowest third against the hip-shoulder chord, degrees
    (+ the low back flattens or rounds, - it arches). Side and oblique views only; NaN where the back cannot
    be traced with confidence (front view, an arm or a bar across the back, a soft mask edge). A spec that
    uses one turns the masks on; the others pay nothing for them."""

    kind: Literal["back_shape"]
    measure: Literal["flexion", "lumbar"]
    description: str = ""


class CombinedMetric(StrictModel):
    """Two other metrics of the same spec combined: ``difference`` (first minus second),
    ``max``, ``min`` or ``mean`` - e.g. the larger of the left and right knee bends in a lunge;
    ``abs_difference`` (|first - second|) - e.g. how far one leg has moved away from the other in
    an alternating exercise, whichever leg it is."""

    kind: Literal["combine"]
    op: Literal["difference", "max", "min", "mean", "abs_difference"]
    of: tuple[str, str]
    description: str = ""


class FromRestMetric(StrictModel):
    """Another metric's change since the person last stood at rest between reps: its value minus its
    median over the last second at rest (the person's own baseline, so the camera's angle and the
    person's build cancel), e.g. how far the heels have risen since standing. Needs ``reps`` (rest is
    the rep counter's); judged only by faults and measurements, since the rep phase it reads comes
    from the position and rep metrics."""

    kind: Literal["from_rest"]
    of: str
    description: str = ""


class FromRepMaxMetric(StrictModel):
    """Another metric's change since the rep metric's highest reading of the rep under way: in a hinge
    (hip flexion), since the bottom, whether the rep started there (a pull from the floor) or turned there
    (a Romanian deadlift), so the way up reads against the same bottom in both. The bottom's value is the
    median over the readings within one reading's noise of the rep metric's highest (they cannot be told
    from it). NaN until the rep counter knows which end is rest. Needs ``reps``; judged only by faults and
    measurements, like ``from_rest``."""

    kind: Literal["from_rep_max"]
    of: str
    description: str = ""


# Metrics the engine adds from the rep counter's state (formcheck.metrics.baseline), not from one frame
BASELINE_METRICS = (FromRestMetric, FromRepMaxMetric)


MetricSpec = Annotated[
    JointFlexionMetric | InclinationMetric | ForwardOffsetMetric | HeightDifferenceMetric
    | LeftRightHeightMetric | WidthRatioMetric | CombinedMetric | FromRestMetric | FromRepMaxMetric
    | LineBendMetric | LeftRightTiltMetric
    | TwistMetric | BackShapeMetric,
    Field(discriminator="kind"),
]


GeometricMetric = Annotated[
    JointFlexionMetric | InclinationMetric | ForwardOffsetMetric | HeightDifferenceMetric
    | LeftRightHeightMetric | WidthRatioMetric | LineBendMetric | LeftRightTiltMetric | TwistMetric
    | BackShapeMetric,
    Field(discriminator="kind"),
]

MEASURE_KEYS = frozenset({"units", "views"})


class Measure(StrictModel):
    """One entry of the shared vocabulary (``exercise_specs/measures.yaml``): a named piece of geometry.

    In the file the geometry's fields sit beside ``units`` and ``views``; they are read into ``definition``.
    """

    units: Literal["deg", "torso_lengths", "ratio"]
    views: tuple[View, ...] = Field(min_length=1, description="camera views the measure means what it says from")
    definition: GeometricMetric

    @model_validator(mode="before")
    @classmethod
    def _gather_definition(cls, data: Any) -> Any:
        if isinstance(data, dict) and "definition" not in data:
            return {
                **{key: value for key, value in data.items() if key in MEASURE_KEYS},
                "definition": {key: value for key, value in data.items() if key not in MEASURE_KEYS},
            }
        return data


class FaultName(StrictModel):
    """One entry of the fault vocabulary (``exercise_specs/faults.yaml``)."""

    name: str = Field(min_length=1, description="what a person reads, e.g. 'Knees caving in'")
    sees: str = Field(min_length=1, description="what a coach sees (the labels' meaning of the id)")


class FaultsFile(StrictModel):
    """``faults.yaml``: every fault id a spec may use."""

    schema_id: Literal["formcheck.faults/1"] = Field(alias="schema")
    faults: dict[str, FaultName]


class MeasuresFile(StrictModel):
    """``measures.yaml``: every measure a spec may list, by name."""

    schema_id: Literal["formcheck.measures/1"] = Field(alias="schema")
    measures: dict[str, Measure]


class Origin(StrictModel):
    """Where a threshold comes from. ``kind``:

    * ``citation``: a published criterion (``text`` quotes or names it);
    * ``baseline``: the person's own value (``text`` says how it is measured);
    * ``fitted``: fitted by code (``formcheck calibrate``) from the labelled clips as the midpoint of the
      margin between the reps labelled with the fault and the reps of clips without it; the value and
      margin live in ``fitted.yaml`` beside the specs, and the spec's own value is the fixed fallback used
      while no clean separation exists (``text``: optional, what the fit rests on);
    * ``design``: a fixed engineering choice (``text`` gives the reason).

    ``margin`` is in the threshold's own unit (the metric's, seconds for a duration, a fraction for
    ``return_fraction``), null where it cannot be measured (no labelled clip of the exercise: ``text`` says
    so). ``formcheck margins`` measures every one that is not a fault's bound on the labelled clips (held-out
    sources left out); negative means a labelled case falls on the wrong side. By threshold:

    * a fault's bound: the distance from the threshold to the nearest value on either side that it was set
      to separate; a ``fitted`` threshold's margin is recorded by the calibration instead, so it must be
      left out here;
    * a condition (``{metric, min, max}``): the smallest clearance (distance from the bound, positive on the
      allowed side) of the value at the moments the condition decides, over the labelled reps or holds:
      ``reps.require`` and the ``when`` of a turning_point check: the value at each labelled rep's turn (or
      the check's ``at`` moment; the median over the frames within 15 % of the swing of it, as the engine
      reads it); a rep exercise's ``position``: the median over the 0.5 s before each labelled rep starts
      (the rest it starts from); the ``when`` of a sustained check in a rep exercise: its largest clearance
      within each labelled rep (the gate opens in every rep by at least the margin); ``hold.position``, a
      hold exercise's ``position`` and its checks' ``when``: the 5th percentile of the clearance over the
      frames inside the labelled holds;
    * ``reps.min_range``: the smallest labelled rep's swing (the rep metric's turn minus its rest before it,
      on the labelled span widened by the labels' 0.3 s accuracy, after a 5-frame running median) minus
      min_range; ``return_fraction``: the smallest fraction of its swing a labelled rep returns by, minus the
      setting; ``min_duration_s``: the shortest labelled rep minus it; ``max_duration_s``: it minus the
      longest labelled rep; ``confirm_s``: the shortest time a labelled rep stays back (past return_fraction
      of the way) before going out again or the clip ending, minus it;
    * ``hold.min_s``: the shortest labelled hold minus it; ``hold.release_s``: the smaller of the shortest
      gap between labelled holds minus it and it minus the longest stretch out of position inside a
      labelled hold;
    * a measurement's target: null (a goal for the person, not a line between labelled cases).
    """

    kind: Literal["citation", "baseline", "fitted", "design"]
    text: str = ""
    margin: float | None = None

    @model_validator(mode="after")
    def _says_enough(self) -> Origin:
        if self.kind == "fitted":
            if "margin" in self.model_fields_set:
                raise ValueError("a fitted threshold's margin is recorded by `formcheck calibrate` in fitted.yaml")
        else:
            if not self.text.strip():
                raise ValueError(f"a {self.kind} origin needs text (the criterion, the measurement or the reason)")
            if "margin" not in self.model_fields_set:
                raise ValueError(f"a {self.kind} origin must name its margin (a number, or null when not measured)")
        return self


def _origin_required(schema: dict[str, Any]) -> None:
    """In the JSON Schema (the spec-file format) ``origin`` is required, as the loader requires it."""
    schema.setdefault("required", []).append("origin")


def _origins_required(info: ValidationInfo, every_threshold: bool) -> bool:
    """Whether this validation must find origins: in a spec file (a spec built in code, for tests and
    experiments, may leave them out); with ``every_threshold`` (conditions, rep and hold settings, targets)
    not for a draft (a spec being written, loaded to measure its margins with ``formcheck margins``)."""
    context = info.context if isinstance(info.context, dict) else {}
    return bool(context.get("spec_file")) and not (every_threshold and context.get("origins_pending"))


def _check_origin_given(origin: Origin | None, info: ValidationInfo, every_threshold: bool = False) -> None:
    if origin is None and _origins_required(info, every_threshold):
        raise ValueError("origin: every threshold in a spec file names its origin (citation, baseline, fitted or design)")


def _check_not_fitted(origin: Origin | None, field: str = "origin") -> None:
    if origin is not None and origin.kind == "fitted":
        raise ValueError(f"{field}: only turning_point thresholds can be fitted by `formcheck calibrate` so far")


def _check_setting_origins(model: BaseModel, settings: tuple[str, ...], origins: dict[str, Origin], info: ValidationInfo) -> None:
    """``origins`` names exactly the numeric ``settings`` the file sets (none fitted); a setting left at its
    default has its origin in the field's description."""
    given = [name for name in settings if name in model.model_fields_set]
    for name, origin in origins.items():
        if name not in given:
            reason = "is not set here (its default's origin is in the format's description)" if name in settings else (
                f"is no numeric setting (those are: {', '.join(settings)})")
            raise ValueError(f"origins.{name}: {reason}")
        _check_not_fitted(origin, f"origins.{name}")
    missing = [name for name in given if name not in origins]
    if missing and _origins_required(info, every_threshold=True):
        raise ValueError(f"origins: every setting the file sets names its origin; missing: {', '.join(missing)}")


class Condition(StrictModel):
    """A metric inside bounds: ``min <= value <= max`` (either bound may be left out)."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_origin_required)

    metric: str
    min: float | None = None
    max: float | None = None
    origin: Origin | None = Field(
        default=None, description="where the bounds come from (see Origin; not fitted); required in spec files"
    )

    @model_validator(mode="after")
    def _has_a_bound(self, info: ValidationInfo) -> Condition:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        _check_origin_given(self.origin, info, every_threshold=True)
        _check_not_fitted(self.origin)
        return self


REP_SETTINGS = ("min_range", "return_fraction", "min_duration_s", "max_duration_s", "confirm_s")
HOLD_SETTINGS = ("min_s", "release_s")


class SideRule(StrictModel):
    """Which side worked in a rep: the side whose metric is larger (``pick: max``) or smaller at
    the turning point, e.g. the front leg of a lunge bends its knee less than... (see specs)."""

    left: str
    right: str
    pick: Literal["max", "min"]


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
    return_fraction: float = Field(
        default=0.7, gt=0, le=1,
        description="origin of the default (design): 70 % of the way back is back at rest for a rep's return, "
        "while a pause part-way up (a bounce, a breath at the turn) does not end the rep",
    )
    min_duration_s: float = Field(
        default=0.4, ge=0,
        description="origin of the default (design): no exercise of the catalogue is done in under 0.4 s a rep; "
        "a shorter swing is a landmark jump",
    )
    max_duration_s: float = Field(
        default=20.0, gt=0,
        description="origin of the default (design): a slow rep takes well under 20 s; a longer swing is a "
        "change of position, not a rep",
    )
    confirm_s: float = Field(
        default=0.0, ge=0, le=2.0,
        description="the return must last this long to end the rep (bridges brief landmark glitches mid-rep); "
        "origin of the default (design): 0, the rep ends as soon as it is back",
    )
    origins: dict[str, Origin] = Field(
        default_factory=dict,
        description="the origin of each numeric setting the file sets (min_range, return_fraction, "
        "min_duration_s, max_duration_s, confirm_s), by name: exactly those set; required in spec files",
    )
    side: SideRule | None = Field(default=None, description="set for one-sided exercises: reps are counted per side")
    require: tuple[Condition, ...] = Field(
        default=(),
        description="all must hold at the turning point for the swing to count (tells a single-leg deadlift from "
        "a two-legged one, a lunge from a squat); a swing that fails them is not a rep",
    )
    not_counted: str | None = Field(
        default=None,
        description="why these reps cannot be counted reliably from landmarks (a swing within the pose model's "
        "noise); when given, no rep is counted and every review says why instead (the metric is still measured)",
    )

    @model_validator(mode="after")
    def _settings_name_origins(self, info: ValidationInfo) -> RepSpec:
        _check_setting_origins(self, REP_SETTINGS, self.origins, info)
        return self


class HoldSpec(StrictModel):
    """A held position: every condition true for at least ``min_s`` (gaps under ``release_s`` bridged).

    With ``counts_as_reps`` the holds are the exercise's reps (plank intervals, stretches); a spec that also
    counts reps (a side plank's hip dips) reports its counted reps when a set has any, else its holds.
    """

    position: tuple[Condition, ...] = Field(min_length=1)
    min_s: float = Field(
        default=2.0, ge=0,
        description="origin of the default (design): a position kept under 2 s is passed through, not held",
    )
    release_s: float = Field(
        default=0.5, ge=0,
        description="origin of the default (design): half a second out of position is a wobble or a landmark "
        "glitch, not the end of the hold",
    )
    counts_as_reps: bool = False
    side: SideRule | None = None
    origins: dict[str, Origin] = Field(
        default_factory=dict,
        description="the origin of each numeric setting the file sets (min_s, release_s), by name: exactly those "
        "set; required in spec files",
    )

    @model_validator(mode="after")
    def _settings_name_origins(self, info: ValidationInfo) -> HoldSpec:
        _check_setting_origins(self, HOLD_SETTINGS, self.origins, info)
        return self


class Measurement(StrictModel):
    """A figure reported once for the clip, e.g. the hamstring flexibility test's forward bend."""

    id: str
    metric: str
    take: Literal["max", "min"]
    during: Literal["any", "holds", "reps"] = Field(
        default="any", description="only frames inside holds (or reps) count, so warm-up moves cannot set the figure"
    )
    target_min: float | None = None
    target_max: float | None = None
    origin: Origin | None = Field(
        default=None, description="where the target comes from (see Origin; not fitted); required in spec files "
        "when a target is set"
    )
    unit: str = "deg"
    description: str = ""

    @model_validator(mode="after")
    def _target_names_its_origin(self, info: ValidationInfo) -> Measurement:
        if self.target_min is None and self.target_max is None:
            if self.origin is not None:
                raise ValueError("origin: only a target (target_min, target_max) has an origin")
            return self
        _check_origin_given(self.origin, info, every_threshold=True)
        _check_not_fitted(self.origin)
        return self


class _MetricFault(StrictModel):
    """A fault judged on one metric: it fires when the value leaves [min, max] (good form's bounds)."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_origin_required)

    id: str
    metric: str
    min: float | None = None
    max: float | None = None
    origin: Origin | None = Field(default=None, description="where the bound comes from (see Origin); required in spec files")
    when: tuple[Condition, ...] = Field(default=(), description="judged only while all of these hold")
    views: tuple[View, ...]
    severity: Severity = "warning"
    cue: str
    description: str = ""

    @model_validator(mode="after")
    def _has_a_bound(self, info: ValidationInfo) -> _MetricFault:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both (the fault fires outside them)")
        _check_origin_given(self.origin, info)
        return self

    @property
    def origin_kind(self) -> str | None:
        return self.origin.kind if self.origin is not None else None

    @property
    def bound(self) -> Literal["min", "max"] | None:
        """The one bound a fitted threshold moves (None when the fault has both)."""
        if self.min is not None and self.max is not None:
            return None
        return "min" if self.min is not None else "max"


class TurningPointFault(_MetricFault):
    """Judged once per rep on a metric's value at one moment of the rep.

    ``at`` picks the moment: ``turn`` (the turning point, farthest from rest), or the frame
    where the rep metric is highest / lowest (``rep_metric_max`` / ``rep_metric_min``), which
    is what a deadlift needs: its deepest point is the rest end when it starts at the floor.
    """

    kind: Literal["turning_point"]
    at: Literal["turn", "rep_metric_max", "rep_metric_min"] = "turn"

    @model_validator(mode="after")
    def _fitted_has_one_bound(self) -> TurningPointFault:
        if self.origin_kind == "fitted" and self.bound is None:
            raise ValueError("origin: a fitted threshold needs exactly one bound (min or max)")
        return self


class SustainedFault(_MetricFault):
    """Fires when a metric stays outside [min, max] for ``min_duration_s`` in the named phases."""

    kind: Literal["sustained"]
    phases: tuple[Phase, ...]
    min_duration_s: float = Field(default=0.2, ge=0)

    @model_validator(mode="after")
    def _not_fitted(self) -> SustainedFault:
        _check_not_fitted(self.origin)
        return self


class TempoFault(StrictModel):
    """Fires when a rep's outward (``out``) or return half is too quick.

    ``min_s`` bounds the half's duration; ``max_speed`` bounds its mean speed, the rep's range
    over the half's duration (rep-metric units per second, deg/s for an angle), so a short,
    shallow rep is not called rushed for covering its small range in little time.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_origin_required)

    kind: Literal["tempo"]
    id: str
    half: Literal["out", "return"]
    min_s: float | None = Field(default=None, gt=0)
    max_speed: float | None = Field(default=None, gt=0)
    origin: Origin | None = Field(default=None, description="where the bound comes from (see Origin); required in spec files")
    views: tuple[View, ...] = ("side", "front", "oblique")
    severity: Severity = "info"
    cue: str
    description: str = ""

    @model_validator(mode="after")
    def _has_one_bound(self, info: ValidationInfo) -> TempoFault:
        if (self.min_s is None) == (self.max_speed is None):
            raise ValueError("give exactly one of min_s (seconds) or max_speed (rep-metric units per second)")
        _check_origin_given(self.origin, info)
        _check_not_fitted(self.origin)
        return self


FaultSpec = Annotated[TurningPointFault | SustainedFault | TempoFault, Field(discriminator="kind")]


class FittedThreshold(StrictModel):
    """One threshold fitted by ``formcheck calibrate`` (an entry of ``fitted.yaml``).

    For a ``max`` bound the fault values lie above: ``value`` is the midpoint between the largest value of a
    rep without the fault and the smallest of a rep labelled with it, ``margin`` half the gap between them
    (the mirror for ``min``). With no clean separation (or no reps on one side) ``value`` is null, the spec's
    fixed value stays, and ``margin`` is minus half the overlap (null with no reps on one side).
    """

    bound: Literal["min", "max"]
    value: float | None
    margin: float | None
    fault_reps: int = Field(ge=0, description="reps labelled with the fault whose value was judged")
    no_fault_reps: int = Field(ge=0, description="judged reps of clips not labelled with the fault")
    fault_range: tuple[float, float] | None = Field(description="smallest and largest value of the fault reps")
    no_fault_range: tuple[float, float] | None = Field(description="smallest and largest value of the others")
    sources: tuple[str, ...] = Field(description="the source groups the reps came from")


class FittedFile(StrictModel):
    """``fitted.yaml``: every fitted threshold, by exercise id and fault id."""

    schema_id: Literal["formcheck.fitted/1"] = Field(alias="schema")
    held_out: tuple[str, ...] = Field(default=(), description="source groups kept out of the fit (test sources)")
    thresholds: dict[str, dict[str, FittedThreshold]]


class Prescription(StrictModel):
    """The dose the seeds prescribe (shown in reviews as "8 of 8-15 reps")."""

    reps: tuple[int, int] | None = None
    sets: int | None = None
    hold_s: tuple[float, float] | None = None
    rest_s: float | None = None
    per_side: bool = False
    tempo: str | None = None

    def reps_text(self, unit: str = "reps") -> str | None:
        """e.g. "8-15 reps per side"."""
        if self.reps is None:
            return None
        low, high = self.reps
        return f"{low if low == high else f'{low}-{high}'} {unit}{' per side' if self.per_side else ''}"

    def hold_text(self) -> str | None:
        """e.g. "30-60 s" (one hold)."""
        if self.hold_s is None:
            return None
        low_s, high_s = self.hold_s
        return f"{low_s:.0f} s" if low_s == high_s else f"{low_s:.0f}-{high_s:.0f} s"

    def amount(self) -> str | None:
        """The whole dose of one set, e.g. "8-12 reps per side, 5 s hold" or "30-60 s hold"."""
        parts = [text for text in (self.reps_text(), self.hold_text()) if text]
        if self.hold_s is not None:
            parts[-1] += " hold" + (" per side" if self.per_side and self.reps is None else "")
        return ", ".join(parts) or None


class ExerciseSpec(StrictModel):
    id: str
    title: str
    description: str
    variants: tuple[str, ...] = ()
    views: tuple[View, ...] = Field(min_length=1)
    camera: str = Field(description="one line telling the person where to put the camera")
    prescription: Prescription = Prescription()
    measures: tuple[str, ...] = Field(
        default=(), description="shared measures (exercise_specs/measures.yaml) this exercise uses, by name"
    )
    metrics: dict[str, MetricSpec] = Field(
        default_factory=dict,
        description=(
            "every metric the spec judges: the listed measures, resolved by the loader, and this exercise's own "
            "combinations of them (kind: combine), e.g. the working hip, and changes since rest (kind: from_rest) or since the rep metric's highest reading (kind: from_rep_max)"
        ),
    )
    position: tuple[Condition, ...] = Field(
        default=(), description="all must hold for the person to count as set up for this exercise"
    )
    reps: RepSpec | None = None
    hold: HoldSpec | None = None
    measurements: tuple[Measurement, ...] = ()
    faults: tuple[FaultSpec, ...] = ()
    warning: str | None = Field(default=None, description="a caution from the seeds, shown with the exercise")

    @property
    def reads_back_shape(self) -> bool:
        """Whether a metric reads the back's shape, so the pose stage must produce person masks."""
        return any(isinstance(metric, BackShapeMetric) for metric in self.metrics.values())

    @model_validator(mode="after")
    def _references_exist(self) -> ExerciseSpec:
        known = set(self.metrics)
        order = list(self.metrics)
        for name, metric in self.metrics.items():
            if isinstance(metric, CombinedMetric):
                for operand in metric.of:
                    # a combination of combinations (each leg's stretch, then the more stretched leg) is computed
                    # in file order, so its operands come first
                    if operand not in known or (
                        isinstance(self.metrics[operand], CombinedMetric) and order.index(operand) > order.index(name)
                    ) or isinstance(self.metrics[operand], BASELINE_METRICS):
                        raise ValueError(
                            f"metrics.{name}.of: {operand!r} must name a measure, or a combination defined above it"
                        )
            if isinstance(metric, BASELINE_METRICS):
                if metric.of not in known or isinstance(self.metrics[metric.of], BASELINE_METRICS):
                    raise ValueError(f"metrics.{name}.of: {metric.of!r} must name a metric that is not {metric.kind}")
                if self.reps is None:
                    raise ValueError(f"metrics.{name}: a {metric.kind} metric needs reps (it reads the rep counter)")
        if self.reps is None and self.hold is None:
            raise ValueError("give reps, hold or both")
        references: list[tuple[str, str]] = [(f"position[{i}].metric", c.metric) for i, c in enumerate(self.position)]
        if self.reps is not None:
            references.append(("reps.metric", self.reps.metric))
            references += [(f"reps.require[{i}].metric", c.metric) for i, c in enumerate(self.reps.require)]
            if self.reps.side is not None:
                references += [("reps.side.left", self.reps.side.left), ("reps.side.right", self.reps.side.right)]
        if self.hold is not None:
            references += [(f"hold.position[{i}].metric", c.metric) for i, c in enumerate(self.hold.position)]
            if self.hold.side is not None:
                references += [("hold.side.left", self.hold.side.left), ("hold.side.right", self.hold.side.right)]
        from_reps = {name: metric.kind for name, metric in self.metrics.items() if isinstance(metric, BASELINE_METRICS)}
        for where, metric_name in references:
            if metric_name in from_reps:
                raise ValueError(
                    f"{where}: {metric_name!r} is a {from_reps[metric_name]} metric: it reads the rep phase, which this "
                    "field decides"
                )
        references += [(f"measurements[{i}].metric", m.metric) for i, m in enumerate(self.measurements)]
        for where, metric_name in references:
            if metric_name not in known:
                raise ValueError(f"{where}: unknown metric {metric_name!r}")
        seen: set[str] = set()
        for index, fault in enumerate(self.faults):
            fault_metric = getattr(fault, "metric", None)
            if fault_metric is not None and fault_metric not in known:
                raise ValueError(f"faults[{index}].metric: unknown metric {fault_metric!r}")
            for condition_index, condition in enumerate(getattr(fault, "when", ())):
                if condition.metric not in known:
                    raise ValueError(f"faults[{index}].when[{condition_index}].metric: unknown metric {condition.metric!r}")
            if fault.id in seen:
                raise ValueError(f"faults[{index}].id: {fault.id!r} is used twice")
            seen.add(fault.id)
        return self
