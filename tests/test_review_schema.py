"""The documented JSON Schema (docs/review.schema.json) is the one the models generate."""

from __future__ import annotations

import json
from pathlib import Path

from formcheck.review.schema import REVIEW_SCHEMA_ID, Review
from formcheck.specs.models import ExerciseSpec

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "review.schema.json"
SPEC_SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "exercise-spec.schema.json"
STABLE_FIELDS = {"schema", "exercise", "source", "view", "rep_count", "reps", "holds", "faults", "warnings", "series"}


def test_documented_schema_matches_the_models() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == Review.model_json_schema(by_alias=True), (
        "regenerate with: formcheck schema --out docs/review.schema.json"
    )


def test_stable_fields_are_in_the_schema() -> None:
    schema = Review.model_json_schema(by_alias=True)
    assert STABLE_FIELDS <= set(schema["properties"])
    assert schema["properties"]["schema"]["const"] == REVIEW_SCHEMA_ID


def test_documented_spec_schema_matches_the_models() -> None:
    assert json.loads(SPEC_SCHEMA_FILE.read_text()) == ExerciseSpec.model_json_schema(by_alias=True), (
        "regenerate with: formcheck schema --spec --out docs/exercise-spec.schema.json"
    )
