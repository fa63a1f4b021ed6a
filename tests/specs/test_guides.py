"""Exercise guides: every exercise has one, its figure has one body standing on the floor, and errors name the field."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import yaml

from formcheck.errors import SpecError
from formcheck.specs import catalogue, default_spec_dir
from formcheck.specs.guide import GUIDE_DIR, SEGMENT_M, StartPose, figure, guides, load_guide_file
from formcheck.specs.loader import FAULTS_FILE, MEASURES_FILE

SHIPPED = guides()
SQUAT_GUIDE = yaml.safe_load((default_spec_dir() / GUIDE_DIR / "squat.yaml").read_text(encoding="utf-8"))


def one_exercise_folder(folder: Path, guide: dict | None) -> Path:
    """A spec folder holding the shipped squat spec, with ``guide`` as its guide (None: no guide)."""
    for name in ("squat.yaml", MEASURES_FILE, FAULTS_FILE):
        shutil.copyfile(default_spec_dir() / name, folder / name)
    (folder / GUIDE_DIR).mkdir()
    if guide is not None:
        (folder / GUIDE_DIR / "squat.yaml").write_text(yaml.safe_dump(guide), encoding="utf-8")
    return folder


def test_every_exercise_has_a_guide_drawn_from_a_view_it_is_filmed_from() -> None:
    assert list(SHIPPED) == list(catalogue())
    for exercise_id, guide in SHIPPED.items():
        assert guide.start.view in catalogue()[exercise_id].views
        assert guide.trains.strip()


@pytest.mark.parametrize("exercise_id", list(SHIPPED))
def test_every_figure_has_the_same_body_on_the_floor(exercise_id: str) -> None:
    drawn = figure(SHIPPED[exercise_id].start)
    points = drawn.points
    lowest = min(min(y for _, y in points.values()), points["head"][1] - drawn.head_radius)
    assert lowest == pytest.approx(0, abs=1e-3)
    for depth in ("near", "far"):
        assert math.dist(points[f"{depth}_knee"], points[f"{depth}_ankle"]) == pytest.approx(SEGMENT_M["shin"], abs=0.003)
        assert math.dist(points[f"{depth}_elbow"], points[f"{depth}_wrist"]) == pytest.approx(SEGMENT_M["forearm"], abs=0.003)
    assert {name for bone in drawn.bones for name in bone} <= set(points)


def test_standing_figures_stand_and_lying_ones_lie() -> None:
    squat, bridge = figure(SHIPPED["squat"].start).points, figure(SHIPPED["glute_bridge"].start).points
    assert squat["head"][1] > 1.4  # a standing adult's head
    assert bridge["head"][1] < 0.2 and bridge["near_knee"][1] > 0.3  # lying, knees up


def test_seen_from_the_front_the_shoulders_have_width() -> None:
    side = StartPose.model_validate(SQUAT_GUIDE["start"])
    front = side.model_copy(update={"view": "front"})
    assert figure(side).points["near_shoulder"] == figure(side).points["far_shoulder"]
    assert math.dist(figure(front).points["near_shoulder"], figure(front).points["far_shoulder"]) == pytest.approx(0.38, abs=0.01)


def test_a_bad_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "squat.yaml"
    path.write_text(yaml.safe_dump(SQUAT_GUIDE | {"start": SQUAT_GUIDE["start"] | {"trunk": 270}}), encoding="utf-8")
    with pytest.raises(SpecError, match=r"squat.yaml: start.trunk: Input should be less than or equal to 180"):
        load_guide_file(path)


def test_a_missing_guide_is_named(tmp_path: Path) -> None:
    folder = one_exercise_folder(tmp_path, None)
    with pytest.raises(SpecError, match=r"guides/squat.yaml: missing: every exercise needs a guide"):
        guides(folder)


def test_a_guide_for_a_view_the_spec_is_not_filmed_from_is_refused(tmp_path: Path) -> None:
    folder = one_exercise_folder(tmp_path, SQUAT_GUIDE | {"start": SQUAT_GUIDE["start"] | {"view": "front"}})
    assert guides(folder)["squat"].start.view == "front"  # squat is filmed from the front too
    other = tmp_path / "other"
    other.mkdir()
    one_exercise_folder(other, SQUAT_GUIDE)
    spec = yaml.safe_load((other / "squat.yaml").read_text(encoding="utf-8"))
    spec["views"] = ["front"]
    (other / "squat.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError, match=r"start.view: 'side' is not one of the spec's views \['front'\]"):
        guides(other)


def test_a_guide_for_no_exercise_is_refused(tmp_path: Path) -> None:
    folder = one_exercise_folder(tmp_path, SQUAT_GUIDE)
    (folder / GUIDE_DIR / "sqaut.yaml").write_text(yaml.safe_dump(SQUAT_GUIDE), encoding="utf-8")
    with pytest.raises(SpecError, match=r"sqaut.yaml: no exercise spec has the id 'sqaut'"):
        guides(folder)
