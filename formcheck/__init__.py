"""formcheck: exercise form checking from video.

The pipeline, one package per stage: ``sources`` (frames) -> ``pose`` (landmarks) ->
``metrics`` (angles, distances) -> ``reps`` / ``faults`` -> ``review``; ``engine`` runs the
stages after pose for one set, ``pipeline`` wires them for a file.
"""

from formcheck.engine import ExerciseSession, analyze_poses
from formcheck.errors import FormcheckError, PoseModelError, SourceError, SpecError, UnknownExerciseError
from formcheck.pipeline import analyze_video
from formcheck.review.schema import Review
from formcheck.specs import catalogue, load_spec

__all__ = [
    "ExerciseSession", "FormcheckError", "PoseModelError", "Review", "SourceError", "SpecError", "UnknownExerciseError",
    "analyze_poses", "analyze_video", "catalogue", "load_spec",
]
