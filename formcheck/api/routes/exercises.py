"""GET /exercises: the catalogue, read from the spec files."""

from __future__ import annotations

from fastapi import APIRouter

from formcheck.api.schemas import ExercisePublic
from formcheck.specs import catalogue

router = APIRouter(prefix="/exercises", tags=["exercises"])


@router.get("", response_model=list[ExercisePublic], summary="List the exercises formcheck knows")
def list_exercises() -> list[ExercisePublic]:
    """Every exercise in the catalogue, in id order, with the views and dose its spec gives."""
    return [ExercisePublic.from_spec(spec) for spec in catalogue().values()]
