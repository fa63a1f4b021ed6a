"""Exercise specs: YAML files in ``exercise_specs/`` validated into pydantic models."""

from formcheck.specs.loader import catalogue, default_spec_dir, load_spec, load_spec_file
from formcheck.specs.models import ExerciseSpec

__all__ = ["ExerciseSpec", "catalogue", "default_spec_dir", "load_spec", "load_spec_file"]
