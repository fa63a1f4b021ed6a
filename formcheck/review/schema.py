"""The review: what formcheck concluded about one recording, as other programs read it.

Field names and meanings are stable within ``formcheck.review/1``; ``docs/review.schema.json``
is generated from these models (``formcheck schema``) and a test keeps it in step.
Times are seconds from the start of the source. Values that could not be measured are null.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

REVIEW_SCHEMA_ID: Final = "formcheck.review/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FaultEvent(_Model):
    id: str = Field(description="fault id, e.g. forward_lean (see the labels README for the list)")
    start_s: float = Field(
        description="when the body was first in the faulty position: for a turning-point fault, the first of the "
        "unbroken frames around the moment judged (the turn, or the rep metric's extreme) where the metric is beyond "
        "its bound, within the stretch judged (the rep metric within 15 % of the swing of that moment), not the rep's "
        "start; for a tempo fault, the start of the half-rep timed; for a sustained fault, its first frame outside",
    )
    end_s: float = Field(
        description="when the faulty position ended: the last of those frames (a turning-point fault spans at least "
        "the moment's frame); for a tempo fault, the end of the half-rep timed; for a sustained fault, its last frame "
        "outside",
    )
    severity: Literal["info", "warning", "major"]
    cue: str = Field(description="what to tell the person, in a few words")
    rep: int | None = Field(None, description="1-based index of the rep it happened in, if any")
    metric: str | None = Field(None, description="the metric the decision was made from")
    worst_value: float | None = Field(None, description="the metric's worst value during the event")
    margin: float | None = Field(
        None,
        description="how far the decision cleared its threshold, in the unit of the value judged (tempo checks: "
        "seconds, or the rep metric's unit per second): a turning-point fault's value beyond its bound (the lesser "
        "of the value at the moment and over the stretch around it), a sustained fault's worst value beyond it",
    )
    noise: float | None = Field(
        None, description="the measured pose noise of the value judged, in its unit (95th percentile of the change "
        "when only the pixels change, evaluation/noise.json): a margin below it is a close call",
    )


class Rep(_Model):
    index: int = Field(description="1-based, in time order")
    start_s: float
    end_s: float
    turn_s: float = Field(description="time of the turning point (bottom of a squat, top of a bridge)")
    side: Literal["left", "right"] | None = Field(None, description="working side for one-sided exercises")
    range: float = Field(description="how far the rep metric swung, in its unit")
    margin: float | None = Field(
        None, description="how far the swing cleared the smallest swing that counts (the spec's reps.min_range), "
        "in the rep metric's unit",
    )
    noise: float | None = Field(
        None, description="the measured pose noise of a swing of the rep metric, in its unit (95th percentile of the "
        "change in a swing when only the pixels change, evaluation/noise.json): a margin below it is not counted",
    )
    tempo_out_s: float = Field(description="time from leaving rest to the turning point (down, in a squat)")
    tempo_return_s: float = Field(description="time from the turning point back to rest (up, in a squat)")
    faults: list[FaultEvent]
    metrics: dict[str, float | None] = Field(description="every metric's value at the turning point")


class UncountedRep(_Model):
    start_s: float
    end_s: float
    turn_s: float
    range: float = Field(description="how far the rep metric swung, in its unit")
    margin: float = Field(description="how far the swing cleared reps.min_range: less than the pose noise")
    reason: str = Field(description="why it was not counted, in plain words")


class Hold(_Model):
    start_s: float
    end_s: float
    good_form_s: float = Field(description="time in the hold with no fault active")
    fault_s: dict[str, float] = Field(default_factory=dict, description="time with each fault active")
    side: Literal["left", "right"] | None = None


class Measurement(_Model):
    id: str
    value: float | None
    unit: str
    at_s: float | None
    target_met: bool | None = Field(None, description="null when the spec sets no target or nothing was measured")
    description: str


class ReviewWarning(_Model):
    id: Literal[
        "no_person", "low_visibility", "partly_out_of_frame", "wrong_view", "not_in_position", "decode_error",
        "no_frames", "caution", "not_counted", "unseen",
    ]
    message: str
    start_s: float
    end_s: float


class UnseenSpan(_Model):
    start_s: float = Field(description="the first frame the camera did not show the whole body in")
    end_s: float = Field(description="the frame after the last one")
    description: str = Field(description="what happened there, in plain words")


class CheckStatus(_Model):
    id: str
    judged_fraction: float = Field(description="share of the frames with a person in which the check could be judged")
    skipped_reason: str | None = Field(None, description="why the check was not judged, when it never was")


class ReviewSource(_Model):
    path: str
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int
    rotation: int


class MostCommonFault(_Model):
    id: str
    count: int
    cue: str


class Processing(_Model):
    frames_per_s: float
    x_real_time: float
    pose_from_cache: bool


class Summary(_Model):
    clean_reps: int
    partial_reps: int
    per_side: dict[str, int] | None = Field(None, description="reps (or holds) by working side, one-sided exercises")
    hold_s: float | None = Field(None, description="total time held, hold exercises")
    good_form_s: float | None = Field(None, description="total time held with good form, hold exercises")
    most_common_fault: MostCommonFault | None
    prescription: str | None = Field(None, description='e.g. "8 of 8-15 reps"')
    unseen_s: float = Field(0.0, description="seconds in the review's unseen spans")
    processing: Processing | None = None


class Review(_Model):
    schema_id: Literal["formcheck.review/1"] = Field(REVIEW_SCHEMA_ID, alias="schema")
    exercise: str
    source: ReviewSource
    view: Literal["side", "front", "oblique"] | None = Field(description="the camera view seen (median over the clip)")
    near_side: Literal["left", "right"] | None = Field(None, description="body side nearer the camera")
    rep_count: int
    reps: list[Rep]
    uncounted_reps: list[UncountedRep] = Field(
        default_factory=list,
        description="complete swings past reps.min_range by less than the pose noise: too close to the line to count "
        "from this recording; each is also a partial rep in the summary",
    )
    holds: list[Hold]
    unseen_spans: list[UnseenSpan] = Field(
        default_factory=list,
        description="spans after the set began in which the camera cut away from the whole body (e.g. to a close-up "
        "of a foot): reps and hold time there were not seen and are not in the count",
    )
    faults: list[FaultEvent] = Field(description="every fault event, also those outside reps")
    warnings: list[ReviewWarning]
    checks: list[CheckStatus]
    measurements: list[Measurement] = Field(default_factory=list)
    summary: Summary
    series: dict[str, list[float | None]] = Field(
        description="t_s and each metric per analysed frame: the values the decisions were made from"
    )

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)
