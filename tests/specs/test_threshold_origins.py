"""Every threshold of a spec file names its origin: conditions, the rep counter's and the hold's settings,
measurement targets (faults: see test_loader). Errors name the file, the field and the reason."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from formcheck.errors import SpecError
from formcheck.specs import catalogue, default_spec_dir, load_spec_file
from formcheck.specs.loader import FAULTS_FILE, MEASURES_FILE, load_bare_spec_file
from formcheck.specs.models import HOLD_SETTINGS, REP_SETTINGS, Condition, ExerciseSpec

BRIDGE = yaml.safe_load((default_spec_dir() / "glute_bridge.yaml").read_text(encoding="utf-8"))


def write_bridge(folder: Path, change: Callable[[dict], None]) -> Path:
    data = copy.deepcopy(BRIDGE)
    change(data)
    path = folder / "glute_bridge.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for vocabulary in (MEASURES_FILE, FAULTS_FILE):
        shutil.copyfile(default_spec_dir() / vocabulary, folder / vocabulary)
    return path


def _set_unset_confirm(data: dict) -> None:
    data["reps"]["origins"]["confirm_s"] = {"kind": "design", "text": "x", "margin": None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(lambda data: data["position"][0].pop("origin"),
                     "position[0]: origin: every threshold in a spec file names its origin (citation, baseline, fitted "
                     "or design)", id="condition without origin"),
        pytest.param(lambda data: data["position"][0].update(origin={"kind": "fitted"}),
                     "position[0]: origin: only turning_point thresholds can be fitted by `formcheck calibrate` so far",
                     id="fitted condition"),
        pytest.param(lambda data: data["reps"]["origins"].pop("min_duration_s"),
                     "reps: origins: every setting the file sets names its origin; missing: min_duration_s",
                     id="set rep setting without origin"),
        pytest.param(_set_unset_confirm,
                     "reps: origins.confirm_s: is not set here (its default's origin is in the format's description)",
                     id="origin of a setting left at its default"),
        pytest.param(lambda data: data["reps"]["origins"].update(rest={"kind": "design", "text": "x", "margin": None}),
                     "reps: origins.rest: is no numeric setting (those are: min_range, return_fraction, min_duration_s, "
                     "max_duration_s, confirm_s)", id="origin of no setting"),
        pytest.param(lambda data: data["reps"]["origins"].update(min_range={"kind": "fitted"}),
                     "reps: origins.min_range: only turning_point thresholds can be fitted by `formcheck calibrate` so far",
                     id="fitted setting"),
    ],
)
def test_a_threshold_without_its_origin_is_refused(tmp_path, change, message):
    path = write_bridge(tmp_path, change)
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_draft_loads_without_them(tmp_path):
    path = write_bridge(tmp_path, lambda data: data["position"][0].pop("origin"))
    assert load_bare_spec_file(path, draft=True).position[0].origin is None


def test_a_spec_built_in_code_needs_none():
    assert Condition(metric="knee", max=20).origin is None


def _conditions(spec: ExerciseSpec) -> list[tuple[str, Condition]]:
    found = [(f"position[{i}]", c) for i, c in enumerate(spec.position)]
    if spec.reps is not None:
        found += [(f"reps.require[{i}]", c) for i, c in enumerate(spec.reps.require)]
    if spec.hold is not None:
        found += [(f"hold.position[{i}]", c) for i, c in enumerate(spec.hold.position)]
    for index, fault in enumerate(spec.faults):
        found += [(f"faults[{index}].when[{i}]", c) for i, c in enumerate(getattr(fault, "when", ()))]
    return found


@pytest.mark.parametrize("spec_id", sorted(catalogue()))
def test_every_threshold_of_a_shipped_spec_names_its_origin_and_margin(spec_id):
    spec = catalogue()[spec_id]
    for where, condition in _conditions(spec):
        assert condition.origin is not None and "margin" in condition.origin.model_fields_set, (spec_id, where)
    for section, settings in ((spec.reps, REP_SETTINGS), (spec.hold, HOLD_SETTINGS)):
        if section is not None:
            assert set(section.origins) == {name for name in settings if name in section.model_fields_set}, spec_id
            assert all("margin" in origin.model_fields_set for origin in section.origins.values()), spec_id
    for measurement in spec.measurements:
        if measurement.target_min is not None or measurement.target_max is not None:
            assert measurement.origin is not None, (spec_id, measurement.id)
