"""GET /programs and GET /safety serve the guided session's stages and the seeds' safety rules; /exercises its guides."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from formcheck.program import default_program_dir, load_program
from formcheck.safety import SAFETY_FILE
from tests.api.conftest import ClientFactory


def test_lists_every_stage_with_each_exercise_and_its_dose(client: TestClient) -> None:
    body = client.get("/programs").json()

    assert [stage["id"] for stage in body] == ["advanced", "beginner", "intermediate"]
    beginner = next(stage for stage in body if stage["id"] == "beginner")
    shipped = load_program(default_program_dir() / "beginner.yaml")
    assert beginner["name"] == shipped.name
    assert [entry["exercise"] for entry in beginner["exercises"]] == [entry.exercise for entry in shipped.exercises]
    bridge = beginner["exercises"][1]
    assert (bridge["sets"], bridge["reps"], bridge["dose_text"]) == (2, [8, 15], "2 x 8-15 reps")
    assert bridge["note"] == "lift only as high as is comfortable"


def test_stages_come_from_the_configured_folder(make_client: ClientFactory, tmp_path: Path) -> None:
    folder = tmp_path / "programs"
    (folder / "safety").mkdir(parents=True)
    shutil.copyfile(default_program_dir() / SAFETY_FILE, folder / SAFETY_FILE)
    (folder / "trial.yaml").write_text(
        "name: Trial\ndescription: one squat set\nexercises:\n  - {exercise: squat, sets: 1, reps: [3, 3]}\n", encoding="utf-8"
    )
    body = make_client(program_dir=folder).get("/programs").json()
    assert [(stage["id"], stage["exercises"][0]["dose_text"]) for stage in body] == [("trial", "1 x 3 reps")]


def test_a_broken_program_is_the_servers_fault(make_client: ClientFactory, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: Bad\ndescription: x\nexercises:\n  - {exercise: nope, reps: [1, 1]}\n")
    response = make_client(program_dir=tmp_path).get("/programs")
    assert response.status_code == 500
    assert "unknown exercise 'nope'" in response.json()["detail"]


def test_safety_rules_name_their_seed(client: TestClient) -> None:
    body = client.get("/safety").json()
    assert any("Stop before any pain occurs" in rule["text"] for rule in body["before"])
    assert any("travel down into your legs" in rule["text"] for rule in body["stop"])
    assert all(rule["source"].startswith("seed 00") for rule in body["before"] + body["stop"])


def test_exercises_carry_what_they_train_and_a_start_figure(client: TestClient) -> None:
    bridge = next(entry for entry in client.get("/exercises").json() if entry["id"] == "glute_bridge")
    assert "glutes" in bridge["trains"]
    figure = bridge["start_figure"]
    assert figure["view"] == "side"
    assert {"head", "near_knee", "far_ankle"} <= set(figure["points"])
    assert ["near_hip", "near_knee"] in figure["bones"]
