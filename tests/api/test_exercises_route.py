"""GET /exercises lists the spec catalogue."""

from __future__ import annotations

from fastapi.testclient import TestClient

from formcheck.specs import catalogue


def test_lists_every_spec_with_what_a_picker_needs(client: TestClient) -> None:
    response = client.get("/exercises")

    assert response.status_code == 200
    body = response.json()
    assert [entry["id"] for entry in body] == list(catalogue())
    squat = next(entry for entry in body if entry["id"] == "squat")
    spec = catalogue()["squat"]
    assert squat["title"] == spec.title
    assert squat["description"] == spec.description
    assert squat["views"] == list(spec.views)
    assert squat["camera"] == spec.camera
    assert squat["prescription"]["reps"] == list(spec.prescription.reps or ())


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/exercises", "/analyses", "/analyses/{job_id}"} <= set(paths)
