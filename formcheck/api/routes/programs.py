"""GET /programs and GET /safety: what the guided session offers, read from ``programs/``."""

from __future__ import annotations

from fastapi import APIRouter

from formcheck.api.deps import SettingsDep
from formcheck.api.schemas import ProgramPublic
from formcheck.program import load_programs
from formcheck.safety import SafetyRules, load_safety

router = APIRouter(tags=["guided session"])


@router.get("/programs", response_model=list[ProgramPublic], summary="List the program stages")
def list_programs(settings: SettingsDep) -> list[ProgramPublic]:
    """Every program stage (beginner, intermediate, advanced), in file-name order, each exercise with its dose."""
    return [ProgramPublic.from_program(program_id, program) for program_id, program in load_programs(settings.program_dir).items()]


@router.get("/safety", response_model=SafetyRules, summary="The programme's safety rules")
def safety(settings: SettingsDep) -> SafetyRules:
    """What to read before the first set, and what to do on pain, each line with the seed that says it."""
    return load_safety(settings.program_dir)
