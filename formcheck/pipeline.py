"""Wire the stages for one recorded source: frames -> pose (cached) -> engine -> review.

This is the function every door calls (CLI, API, workers), so a clip gets the same review
whichever way it comes in.
"""

from __future__ import annotations

import time
from pathlib import Path

from formcheck.engine import analyze_poses
from formcheck.errors import FormcheckError
from formcheck.pose.cache import PoseCache
from formcheck.pose.estimator import PoseSettings
from formcheck.pose.model import ModelBundle, default_bundle, user_bundle
from formcheck.pose.run import PoseTrack, ProgressCallback, estimate_source
from formcheck.review.schema import Processing, Review
from formcheck.specs import ExerciseSpec, load_spec


def resolve_model(model_path: Path | None) -> ModelBundle:
    """The ``--model`` bundle when given, else the built-in one (built on first use)."""
    return user_bundle(model_path) if model_path is not None else default_bundle()


def poses_for(
    source: str | Path,
    spec: ExerciseSpec,
    bundle: ModelBundle | None = None,
    cache: PoseCache | None = None,
    progress: ProgressCallback | None = None,
    model_threads: int = 1,
) -> PoseTrack:
    """The poses ``spec`` is judged on: with the back's shape traced when its checks read it.

    Raises:
        SourceError: the input cannot be read.
        PoseModelError: the model cannot be built or loaded.
    """
    return estimate_source(
        source, bundle=bundle, settings=PoseSettings(model_threads=model_threads), cache=cache, progress=progress,
        back_shape=spec.reads_back_shape,
    )


def analyze_video(
    source: str | Path,
    exercise: str,
    model_path: Path | None = None,
    cache: PoseCache | None = None,
    progress: ProgressCallback | None = None,
) -> Review:
    """Review one recorded video (or still image) of one exercise.

    Raises:
        UnknownExerciseError: no spec for ``exercise``.
        SourceError: the file cannot be read.
        PoseModelError: the pose model cannot be built or loaded.
    """
    return review_with_poses(source, exercise, model_path, cache, progress)[0]


def covered_s(track: PoseTrack) -> float:
    """Seconds of the source the poses cover: all of it, or up to where Ctrl-C stopped the run."""
    frame_s = 1.0 / track.source.fps if track.source.fps else 0.0
    if track.interrupted and track.frames:
        return track.frames[-1].t_s - track.frames[0].t_s + frame_s
    return track.source.duration_s or len(track.frames) * frame_s


def review_with_poses(
    source: str | Path,
    exercise: str,
    model_path: Path | None = None,
    cache: PoseCache | None = None,
    progress: ProgressCallback | None = None,
    model_threads: int = 1,
) -> tuple[Review, PoseTrack]:
    """``analyze_video`` that also returns the poses it was made from (for annotated video).

    ``model_threads``: CPU threads for the pose model (``PoseSettings.model_threads``): the same
    review whatever the count, sooner with more when the cores are free.
    """
    spec = load_spec(exercise)  # fail on a bad exercise id before decoding anything
    bundle = resolve_model(model_path)
    started = time.perf_counter()
    track = poses_for(source, spec, bundle, cache, progress, model_threads)
    elapsed_s = max(time.perf_counter() - started, 1e-6)
    frames_per_s = len(track.frames) / elapsed_s
    real_time_s = covered_s(track)
    processing = Processing(
        frames_per_s=round(frames_per_s, 1),
        x_real_time=round(real_time_s / elapsed_s, 2),
        pose_from_cache=track.from_cache,
    )
    return analyze_poses(track.frames, spec, track.source, processing, track.decode_warning), track



def write_review_json(review: Review, path: Path) -> None:
    """Write the review JSON (``formcheck analyze --json``).

    Raises:
        FormcheckError: the file cannot be written.
    """
    try:
        path.write_text(review.to_json() + "\n", encoding="utf-8")
    except OSError as error:
        raise FormcheckError(f"{path}: cannot write the review ({error.strerror})") from error
