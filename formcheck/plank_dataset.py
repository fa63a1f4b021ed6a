"""Score the plank spec's checks frame by frame on a labelled landmark dataset.

The dataset is Exercise-Correction's plank set (``shared/data/exercise-correction/plank_*.csv``,
see the README beside it): one row per video frame, a label (``C`` correct, ``H`` hips too
high, ``L`` hips too low) and 17 MediaPipe landmarks as normalised ``x, y, z, visibility``.
There is no time between rows, so a check is judged on its per-frame condition: the
frame is seen in one of the check's views, the metric's landmarks are visible enough
(``MIN_CONFIDENCE``, as in the engine), the check's ``when`` conditions hold, and the metric
is outside its bounds. ``min_duration_s`` and phases, which need time, are not applied.

Conversions (``row_to_frame``):
    * image_xy: the row's ``x, y`` as they are; ``image_wh`` (default 1280x720) turns them into
      pixels for angles. The videos' size is not recorded; 16:9 is the usual phone/webcam
      landscape frame, and it puts the upper arm (vertical in a plank) at 0.49 torso lengths,
      near the 0.52-0.63 MediaPipe gives on the labelled plank clips (4:3 gives 0.63);
      ``benchmarks/plank_dataset.py`` reports both.
    * world_xyz: metres approximated from the image: ``(x * W, y * H, z * W)`` pixels (MediaPipe's
      ``z`` is on the scale of ``x``), centred between the hips and scaled so that the torso
      (mid-hip to mid-shoulder) is ``ASSUMED_TORSO_M`` long. Used for the camera view and
      3-D joint angles.
    * landmarks the dataset lacks (eyes, ears, mouth, hands) are NaN with visibility 0.

The baseline is the usual single fixed-threshold rule: the shoulder-hip-ankle angle in the
image (on the better-seen side) under ``BASELINE_STRAIGHT_DEG`` means "not straight", called
hips high when the hip lies above the shoulder-ankle line and hips sagging when below.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.engine import MIN_CONFIDENCE
from formcheck.faults.rules import holds, outside
from formcheck.landmarks import LANDMARK_COUNT, Landmark, PoseFrame, PoseStatus
from formcheck.metrics import geometry
from formcheck.metrics.table import MetricTable, PoseArrays, line_bend_deg
from formcheck.metrics.view import body_yaw_deg, classify_yaw
from formcheck.specs import models as spec_models

DATASET_LANDMARKS: tuple[str, ...] = (
    "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
LABEL_FAULTS: dict[str, str | None] = {"C": None, "H": "hips_high", "L": "hips_sagging"}
DEFAULT_IMAGE_WH = (1280, 720)
ASSUMED_TORSO_M = 0.5  # mid-hip to mid-shoulder of an adult, metres
BASELINE_STRAIGHT_DEG = 170.0


@dataclass(frozen=True)
class LabelledPose:
    """One dataset row: its label (``C``, ``H`` or ``L``) and its landmarks as a ``PoseFrame``."""

    label: str
    frame: PoseFrame

    @property
    def fault(self) -> str | None:
        """The product fault id the label stands for (None for a correct plank)."""
        return LABEL_FAULTS[self.label]


@dataclass(frozen=True)
class Score:
    """Per-frame detection figures for one fault class."""

    fault: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else None


def row_to_frame(values: Mapping[str, float], index: int = 0, image_wh: tuple[int, int] = DEFAULT_IMAGE_WH) -> PoseFrame:
    """A ``PoseFrame`` from one row's ``<landmark>_x/_y/_z/_v`` values (see the module docstring)."""
    image_xy = np.full((LANDMARK_COUNT, 2), np.nan)
    depth = np.full(LANDMARK_COUNT, np.nan)
    visibility = np.zeros(LANDMARK_COUNT)
    for name in DATASET_LANDMARKS:
        point = Landmark[name.upper()]
        image_xy[point] = (values[f"{name}_x"], values[f"{name}_y"])
        depth[point] = values[f"{name}_z"]
        visibility[point] = values[f"{name}_v"]
    width, height = image_wh
    pixels = np.column_stack([image_xy[:, 0] * width, image_xy[:, 1] * height, depth * width])
    mid_hip = (pixels[Landmark.LEFT_HIP] + pixels[Landmark.RIGHT_HIP]) / 2
    mid_shoulder = (pixels[Landmark.LEFT_SHOULDER] + pixels[Landmark.RIGHT_SHOULDER]) / 2
    torso_px = float(np.linalg.norm((mid_shoulder - mid_hip)[:2]))
    metres_per_px = ASSUMED_TORSO_M / torso_px if torso_px > 0 else float("nan")
    world = (pixels - mid_hip) * metres_per_px
    return PoseFrame(
        frame_index=index, t_s=0.0, status=PoseStatus.OK, image_xy=image_xy.astype(np.float32),
        world_xyz=world.astype(np.float32), visibility=visibility.astype(np.float32), image_wh=image_wh,
    )


def load_rows(path: Path, image_wh: tuple[int, int] = DEFAULT_IMAGE_WH) -> list[LabelledPose]:
    """Every row of a plank landmark CSV as a labelled ``PoseFrame``.

    Raises:
        ValueError: a row has a label other than C, H or L.
    """
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            label = row["label"].strip()
            if label not in LABEL_FAULTS:
                raise ValueError(f"{path}: row {index + 2}: label must be one of C, H, L, got {label!r}")
            values = {key: float(value) for key, value in row.items() if key != "label"}
            rows.append(LabelledPose(label=label, frame=row_to_frame(values, index, image_wh)))
    return rows


def _arrays(frame: PoseFrame) -> PoseArrays:
    scale = np.asarray(frame.image_wh, np.float64)
    return PoseArrays(
        image_px=frame.image_xy.astype(np.float64) * scale, world_m=frame.world_xyz.astype(np.float64),
        visibility=frame.visibility.astype(np.float64),
    )


def frame_view(frame: PoseFrame) -> str | None:
    """The camera view of one frame (the engine takes the median over 1.5 s; here there is one frame)."""
    yaw = body_yaw_deg(frame.world_xyz.astype(np.float64))
    return None if math.isnan(yaw) else classify_yaw(yaw)


def judge_frame(spec: spec_models.ExerciseSpec, frame: PoseFrame, table: MetricTable | None = None) -> dict[str, bool]:
    """For each sustained check of the spec: does its per-frame condition hold on this frame?"""
    table = table or MetricTable(spec.metrics)
    values, confidences = table.compute(_arrays(frame))
    view = frame_view(frame)
    verdicts = {}
    for rule in spec.faults:
        if not isinstance(rule, spec_models.SustainedFault):
            continue
        verdicts[rule.id] = (
            view in rule.views
            and confidences[rule.metric] >= MIN_CONFIDENCE
            and all(holds(condition, values) for condition in rule.when)
            and outside(values[rule.metric], rule.min, rule.max)
        )
    return verdicts


def baseline_fault(frame: PoseFrame, straight_deg: float = BASELINE_STRAIGHT_DEG) -> str | None:
    """The single fixed-threshold rule: shoulder-hip-ankle angle under ``straight_deg`` = not straight."""
    arrays = _arrays(frame)
    sides = ("left", "right")
    seen = [min(arrays.visibility[Landmark[f"{side.upper()}_{p}"]] for p in ("SHOULDER", "HIP", "ANKLE")) for side in sides]
    side = sides[int(np.argmax(seen))].upper()
    shoulder, hip, ankle = (arrays.image_px[Landmark[f"{side}_{p}"]] for p in ("SHOULDER", "HIP", "ANKLE"))
    angle = float(geometry.joint_angle_deg(shoulder, hip, ankle))
    if not angle < straight_deg:
        return None
    bend = line_bend_deg(shoulder, hip, ankle)
    if math.isnan(bend):
        return None
    return "hips_high" if bend > 0 else "hips_sagging"


def score(labels: Sequence[str | None], flagged: Sequence[set[str]], fault: str) -> Score:
    """Precision and recall of one fault class: ``labels`` are each frame's labelled fault (or None)."""
    tp = sum(1 for label, found in zip(labels, flagged) if label == fault and fault in found)
    fp = sum(1 for label, found in zip(labels, flagged) if label != fault and fault in found)
    fn = sum(1 for label, found in zip(labels, flagged) if label == fault and fault not in found)
    return Score(fault=fault, true_positives=tp, false_positives=fp, false_negatives=fn)


@dataclass(frozen=True)
class RuleScores:
    """One rule's figures on a dataset: per fault class, and how many correct frames it flagged."""

    faults: dict[str, Score]
    correct_frames: int
    correct_frames_flagged: int


def _rule_scores(labels: Sequence[str | None], flagged: Sequence[set[str]]) -> RuleScores:
    return RuleScores(
        faults={fault: score(labels, flagged, fault) for fault in FAULTS},
        correct_frames=sum(1 for label in labels if label is None),
        correct_frames_flagged=sum(1 for label, found in zip(labels, flagged) if label is None and found),
    )


FAULTS = ("hips_high", "hips_sagging")


def evaluate(
    rows: Iterable[LabelledPose], spec: spec_models.ExerciseSpec, baseline_deg: float = BASELINE_STRAIGHT_DEG,
) -> dict[str, RuleScores]:
    """``{"spec": ..., "baseline": ...}``: the spec's checks and the fixed-threshold rule on every row."""
    rows = list(rows)
    table = MetricTable(spec.metrics)
    labels = [row.fault for row in rows]
    ours = [{fault for fault, hit in judge_frame(spec, row.frame, table).items() if hit} for row in rows]
    baseline = [{fault} if (fault := baseline_fault(row.frame, baseline_deg)) else set() for row in rows]
    return {"spec": _rule_scores(labels, ours), "baseline": _rule_scores(labels, baseline)}
