"""The programme's safety rules (``programs/safety/rules.yaml``): shown before the first set, and on 'pain'.

They come from the seeds the low-back programme is built on; each line names the seed it says.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from formcheck.specs.loader import _invalid, _read_yaml

SAFETY_FILE = Path("safety") / "rules.yaml"


class SafetyRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, description="the rule, as the person reads it")
    source: str = Field(min_length=1, description="the seed that says it")


class SafetyRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    before: tuple[SafetyRule, ...] = Field(min_length=1, description="read before the first set")
    stop: tuple[SafetyRule, ...] = Field(min_length=1, description="shown when the person reports pain")


def load_safety(program_dir: Path) -> SafetyRules:
    """Raises:
    SpecError: the file is unreadable, not YAML, or a field fails validation (named)."""
    path = program_dir / SAFETY_FILE
    raw = _read_yaml(path)
    try:
        return SafetyRules.model_validate(raw)
    except ValidationError as error:
        raise _invalid(path, raw, error) from error
