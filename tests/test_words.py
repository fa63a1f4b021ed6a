"""Words for people: fault names from the vocabulary, metric labels from their names."""

from __future__ import annotations

import shutil

import pytest

from formcheck.errors import SpecError
from formcheck.review.words import fault_name, metric_label
from formcheck.specs import catalogue, default_spec_dir, load_spec_file
from formcheck.specs.loader import FAULTS_FILE, MEASURES_FILE, load_fault_names


@pytest.mark.parametrize(
    ("metric", "label"),
    [("knee_bend_deg", "knee bend (deg)"), ("hip_above_knee_norm", "hip above knee (torso lengths)"),
     ("knee_width_ratio", "knee width (ratio)"), ("leg_line", "leg line")],
)
def test_metric_labels(metric, label):
    assert metric_label(metric) == label


def test_fault_names_from_the_vocabulary():
    assert fault_name("knee_valgus") == "Knees caving in"
    assert fault_name("not_a_fault") == "not_a_fault"


def test_every_shipped_fault_id_has_a_name():
    names = load_fault_names(default_spec_dir() / FAULTS_FILE).faults
    used = {fault.id for spec in catalogue().values() for fault in spec.faults}
    assert used <= set(names)


def test_a_spec_with_an_unknown_fault_id_is_refused(tmp_path):
    for name in ("squat.yaml", MEASURES_FILE, FAULTS_FILE):
        shutil.copyfile(default_spec_dir() / name, tmp_path / name)
    path = tmp_path / "squat.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: heels_up", "id: heels_upp"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value) == (
        f"{path}: faults[4].id: unknown fault id 'heels_upp' (the fault ids are in {tmp_path / FAULTS_FILE})"
    )
