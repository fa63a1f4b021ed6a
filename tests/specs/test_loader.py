"""Spec loading: every shipped spec loads, and every error is one line "<path>: <field path>: <reason>".

Messages are pinned word for word (as pre-commit's clientlib tests do), so a change to what
a spec author reads is a deliberate one. Each case writes the shipped squat spec with one
change into tmp_path.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from formcheck.errors import SpecError, UnknownExerciseError
from formcheck.specs import ExerciseSpec, catalogue, default_spec_dir, load_spec, load_spec_file
from formcheck.specs.loader import FAULTS_FILE, FITTED_FILE, MEASURES_FILE, load_measures, spec_files
from formcheck.specs.models import SustainedFault, TempoFault, TurningPointFault

SHIPPED = spec_files(default_spec_dir())
AN_ORIGIN = {"kind": "design", "margin": None, "text": "a test's condition"}
SQUAT = yaml.safe_load((default_spec_dir() / "squat.yaml").read_text(encoding="utf-8"))


def write_spec(folder: Path, change: Callable[[dict], None] | None = None, stem: str = "squat") -> Path:
    data = copy.deepcopy(SQUAT)
    if change is not None:
        change(data)
    path = folder / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for vocabulary in (MEASURES_FILE, FAULTS_FILE):  # the vocabularies it draws from
        shutil.copyfile(default_spec_dir() / vocabulary, folder / vocabulary)
    return path


def load_error(path: Path) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    message = str(caught.value)
    assert "\n" not in message, "spec errors are one line"
    return message


@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_every_shipped_spec_loads(path):
    spec = load_spec_file(path)
    assert isinstance(spec, ExerciseSpec)
    assert spec.id == path.stem
    assert spec.views, "a spec names the camera views it supports"


def test_catalogue_has_the_first_slice_exercises():
    assert {"squat", "hip_hinge", "glute_bridge"} <= set(catalogue())
    assert list(catalogue()) == sorted(catalogue()), "alphabetical order"


def test_a_valid_copy_loads(tmp_path):
    assert load_spec_file(write_spec(tmp_path)).id == "squat"


def set_key(*keys: str, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        node = data
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[keys[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(set_key("colour", value="red"), "colour: Extra inputs are not permitted", id="unknown top-level key"),
        pytest.param(set_key("views", value="side"), "views: Input should be a valid tuple", id="wrong type: views"),
        pytest.param(set_key("reps", "min_range", value="deep"),
                     "reps.min_range: Input should be a valid number, unable to parse string as a number",
                     id="wrong type: min_range"),
        pytest.param(set_key("reps", "min_range", value=0), "reps.min_range: Input should be greater than 0",
                     id="min_range 0"),
        pytest.param(set_key("reps", "min_range", value=-5), "reps.min_range: Input should be greater than 0",
                     id="min_range negative"),
        pytest.param(set_key("faults", "1", "metric", value="nope_deg"), "faults[1].metric: unknown metric 'nope_deg'",
                     id="fault with an unknown metric"),
        pytest.param(set_key("reps", "metric", value="nope_deg"), "reps.metric: unknown metric 'nope_deg'",
                     id="rep metric unknown"),
        pytest.param(set_key("position", value=[{"metric": "nope_deg", "max": 1, "origin": AN_ORIGIN}]),
                     "position[0].metric: unknown metric 'nope_deg'", id="position metric unknown"),
        pytest.param(set_key("position", value=[{"metric": "trunk_lean_deg", "min": 50, "max": 35}]),
                     "position[0]: min (50.0) must not exceed max (35.0)", id="position min above max"),
        pytest.param(set_key("position", value=[{"metric": "trunk_lean_deg"}]), "position[0]: give min, max or both",
                     id="position without bounds"),
        pytest.param(set_key("faults", "1", "id", value="shallow_depth"), "faults[1].id: 'shallow_depth' is used twice",
                     id="fault id used twice"),
        pytest.param(set_key("views", value=["top"]), "views[0]: Input should be 'side', 'front' or 'oblique'",
                     id="unknown view"),
        pytest.param(set_key("views", value=[]), "views: Tuple should have at least 1 item after validation, not 0",
                     id="no views"),
        pytest.param(lambda data: data.pop("title"), "title: Field required", id="missing field"),
        pytest.param(set_key("id", value="squats"), "id: must equal the file name 'squat', got 'squats'",
                     id="id not matching the file name"),
        pytest.param(lambda data: data.pop("id"), "id: must equal the file name 'squat', got None", id="id missing"),
        pytest.param(lambda data: data["faults"][0].pop("origin"), "faults[0]: origin: every threshold in a spec file names its origin (citation, baseline, fitted or design)", id="no origin"),
        pytest.param(set_key("faults", "0", "origin", value={"kind": "guess", "text": "x"}),
                     "faults[0].origin.kind: Input should be 'citation', 'baseline', 'fitted' or 'design'",
                     id="unknown origin kind"),
        pytest.param(set_key("faults", "0", "origin", value={"kind": "design", "margin": 1}),
                     "faults[0].origin: a design origin needs text (the criterion, the measurement or the reason)",
                     id="design without a reason"),
        pytest.param(set_key("faults", "0", "origin", value={"kind": "citation", "text": "NSCA"}),
                     "faults[0].origin: a citation origin must name its margin (a number, or null when not measured)",
                     id="citation without a margin"),
        pytest.param(set_key("faults", "0", "origin", value={"kind": "fitted", "margin": 0.05}),
                     "faults[0].origin: a fitted threshold's margin is recorded by `formcheck calibrate` in fitted.yaml",
                     id="fitted with a hand margin"),
        pytest.param(set_key("faults", "0", "min", value=0.0),
                     "faults[0]: origin: a fitted threshold needs exactly one bound (min or max)",
                     id="fitted with two bounds"),
        pytest.param(set_key("faults", "3", "origin", value={"kind": "fitted"}),
                     "faults[3]: origin: only turning_point thresholds can be fitted by `formcheck calibrate` so far",
                     id="fitted sustained check"),
        pytest.param(set_key("position", value=[{"metric": "heel_rise_norm", "max": 1, "origin": AN_ORIGIN}]),
                     "position[0].metric: 'heel_rise_norm' is a from_rest metric: it reads the rep phase, which this field "
                     "decides", id="from_rest metric in the position"),
        pytest.param(set_key("reps", "metric", value="heel_rise_norm"),
                     "reps.metric: 'heel_rise_norm' is a from_rest metric: it reads the rep phase, which this field "
                     "decides", id="from_rest rep metric"),
        pytest.param(set_key("metrics", "heel_rise_norm", "of", value="nope_norm"),
                     "metrics.heel_rise_norm.of: 'nope_norm' must name a metric that is not from_rest",
                     id="from_rest of an unknown metric"),
    ],
)
def test_spec_errors_pinned(tmp_path, change, message):
    path = write_spec(tmp_path, change)
    assert load_error(path) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(set_key("faults", "0", "max_deg", value=3), "faults[0].max_deg: Extra inputs are not permitted",
                     id="unknown key in a fault"),
        pytest.param(set_key("metrics", "hip_minus_knee_flexion_deg", "op", value="sum"),
                     "metrics.hip_minus_knee_flexion_deg.op: Input should be 'difference', 'max', 'min', 'mean' or "
                     "'abs_difference'", id="bad value in a metric"),
    ],
)
def test_spec_error_paths_leave_out_the_kind(tmp_path, change, message):
    path = write_spec(tmp_path, change)
    assert load_error(path) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("id: squat\ntitle: [unclosed\n", "not valid YAML (line 3)", id="unclosed bracket"),
        pytest.param("id: squat\n\ttitle: tab\n", "not valid YAML (line 2)", id="tab indentation"),
        pytest.param("- squat\n- lunge\n", "expected a mapping of fields at the top level", id="a list"),
        pytest.param("", "expected a mapping of fields at the top level", id="empty file"),
        pytest.param("just words\n", "expected a mapping of fields at the top level", id="a bare string"),
    ],
)
def test_invalid_yaml(tmp_path, text, message):
    path = tmp_path / "squat.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_error(path) == f"{path}: {message}"


def test_missing_file(tmp_path):
    path = tmp_path / "squat.yaml"
    assert load_error(path) == f"{path}: cannot be read (No such file or directory)"


def test_a_folder_instead_of_a_file(tmp_path):
    path = tmp_path / "squat.yaml"
    path.mkdir()
    assert load_error(path) == f"{path}: cannot be read (Is a directory)"


def test_load_spec_unknown_id_lists_the_known_ids():
    with pytest.raises(UnknownExerciseError) as caught:
        load_spec("nope")
    known = ", ".join(catalogue())
    assert str(caught.value) == f"unknown exercise 'nope'; choose one of: {known}"
    assert isinstance(caught.value, SpecError), "an unknown exercise is a spec error to the CLI and the API"


def test_load_spec_from_another_folder(tmp_path):
    write_spec(tmp_path)
    assert load_spec("squat", spec_dir=tmp_path).id == "squat"
    with pytest.raises(UnknownExerciseError, match="choose one of: squat$"):
        load_spec("hip_hinge", spec_dir=tmp_path)


def test_catalogue_of_a_missing_folder(tmp_path):
    with pytest.raises(SpecError) as caught:
        catalogue(tmp_path / "nowhere")
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: exercise spec folder not found"


def test_one_bad_spec_in_the_folder_names_that_file(tmp_path):
    write_spec(tmp_path)
    bad = write_spec(tmp_path, set_key("id", value="wrong"), stem="lunge")
    with pytest.raises(SpecError) as caught:
        catalogue(tmp_path)
    assert str(caught.value) == f"{bad}: id: must equal the file name 'lunge', got 'wrong'"


def test_every_shipped_threshold_names_its_origin_and_margin():
    """Fitted ones get their margin from fitted.yaml; the others state it (or null: not measured)."""
    for spec in catalogue().values():
        for fault in spec.faults:
            assert isinstance(fault, TurningPointFault | SustainedFault | TempoFault)
            assert fault.origin is not None, (spec.id, fault.id)
            assert fault.origin.kind == "fitted" or "margin" in fault.origin.model_fields_set, (spec.id, fault.id)


FITTED = {"schema": "formcheck.fitted/1", "held_out": ["isilunveren"], "thresholds": {"squat": {"shallow_depth": {
    "bound": "max", "value": 0.3, "margin": 0.02, "fault_reps": 3, "no_fault_reps": 9, "fault_range": [0.32, 0.6],
    "no_fault_range": [0.0, 0.28], "sources": ["a", "b"],
}}}}


def _shallow(spec: ExerciseSpec) -> float | None:
    fault = next(f for f in spec.faults if f.id == "shallow_depth")
    assert isinstance(fault, TurningPointFault)
    return fault.max


def test_fitted_values_are_laid_over_the_spec(tmp_path):
    path = write_spec(tmp_path)
    assert _shallow(load_spec_file(path)) == 0.22  # the fixed value, with no fitted.yaml
    (tmp_path / FITTED_FILE).write_text(yaml.safe_dump(FITTED), encoding="utf-8")
    assert _shallow(load_spec_file(path)) == 0.3
    assert list(catalogue(tmp_path)) == ["squat"], "fitted.yaml is no spec"


def test_an_unseparable_fit_keeps_the_fixed_value(tmp_path):
    path = write_spec(tmp_path)
    data = copy.deepcopy(FITTED)
    data["thresholds"]["squat"]["shallow_depth"] |= {"value": None, "margin": -0.01}
    (tmp_path / FITTED_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    assert _shallow(load_spec_file(path)) == 0.22


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(lambda d: d["thresholds"]["squat"]["forward_lean"].update(bound="min"),
                     "squat.forward_lean: bound 'min', but the spec bounds 'max'", id="wrong bound"),
        pytest.param(lambda d: d["thresholds"]["squat"].update(heels_up=d["thresholds"]["squat"]["forward_lean"]),
                     "squat.heels_up: no turning_point fault of that id with origin fitted", id="not a fitted check"),
        pytest.param(lambda d: d["thresholds"]["squat"]["forward_lean"].update(value="high"),
                     "thresholds.squat.forward_lean.value: Input should be a valid number, unable to parse string as a "
                     "number", id="bad value"),
    ],
)
def test_fitted_file_errors_pinned(tmp_path, change, message):
    path = write_spec(tmp_path)
    data = copy.deepcopy(FITTED)
    data["thresholds"]["squat"]["forward_lean"] = dict(data["thresholds"]["squat"]["shallow_depth"])
    change(data)
    fitted_path = tmp_path / FITTED_FILE
    fitted_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_error(path) == f"{fitted_path}: {message}"


def add_metric(name: str, definition: dict) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["metrics"][name] = definition

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(set_key("measures", value=["knee_flexion_deg", "elbow_bend_deg"]),
                     "measures[1]: unknown measure 'elbow_bend_deg' (the shared measures are in {measures})",
                     id="unknown measure"),
        pytest.param(set_key("measures", value=["knee_flexion_deg", "knee_flexion_deg"]),
                     "measures[1]: 'knee_flexion_deg' is listed twice", id="listed twice"),
        pytest.param(add_metric("elbow_bend_deg", {"kind": "joint_flexion", "points": ["shoulder", "elbow", "wrist"]}),
                     "metrics.elbow_bend_deg: geometry is named once, in {measures}: add it there and list it under "
                     "measures (a spec's own metrics combine measures or take their change since rest)", id="geometry in a spec"),
        pytest.param(add_metric("knee_flexion_deg", {"kind": "combine", "op": "min", "of": ["hip_flexion_deg"]}),
                     "metrics.knee_flexion_deg: is a shared measure; list it under measures instead",
                     id="a shared name redefined"),
    ],
)
def test_measure_errors_pinned(tmp_path, change, message):
    path = write_spec(tmp_path, change)
    assert load_error(path) == f"{path}: " + message.format(measures=tmp_path / MEASURES_FILE)


def test_a_fault_from_a_view_its_measure_is_not_valid_from_is_refused(tmp_path):
    path = write_spec(tmp_path)
    measures = yaml.safe_load((tmp_path / MEASURES_FILE).read_text(encoding="utf-8"))
    measures["measures"]["trunk_lean_deg"]["views"] = ["front"]
    (tmp_path / MEASURES_FILE).write_text(yaml.safe_dump(measures, sort_keys=False), encoding="utf-8")
    index = next(i for i, fault in enumerate(SQUAT["faults"]) if fault["id"] == "forward_lean")
    load_measures.cache_clear()
    assert load_error(path) == (
        f"{path}: faults[{index}].views: trunk_lean_deg is not valid from side, oblique (its views in measures.yaml: front)"
    )


def test_a_bad_measure_names_the_measures_file_and_field(tmp_path):
    path = write_spec(tmp_path)
    measures = yaml.safe_load((tmp_path / MEASURES_FILE).read_text(encoding="utf-8"))
    measures["measures"]["knee_flexion_deg"]["space"] = "pixels"
    (tmp_path / MEASURES_FILE).write_text(yaml.safe_dump(measures, sort_keys=False), encoding="utf-8")
    load_measures.cache_clear()
    assert load_error(path) == (
        f"{tmp_path / MEASURES_FILE}: measures.knee_flexion_deg.space: Input should be 'world', 'image' or 'view'"
    )


def test_every_shared_measure_is_used_by_a_spec():
    used = {name for spec in catalogue().values() for name in spec.measures}
    table = load_measures(default_spec_dir() / MEASURES_FILE)
    assert set(table.measures) == used, "a measure no spec lists is dead vocabulary"
