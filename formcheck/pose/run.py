"""Run the pose stage over a whole source, through the cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from formcheck.back.shape import with_back_shape
from formcheck.landmarks import PoseFrame
from formcheck.pose.cache import PoseCache, cache_key
from formcheck.pose.estimator import MediaPipePoseEstimator, PoseSettings
from formcheck.pose.model import ModelBundle, default_bundle
from formcheck.sources import SourceInfo, open_source
from formcheck.sources.read_ahead import ReadAhead

# Called after each frame with (frames done, frames expected or 0 when unknown).
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class PoseTrack:
    """A whole source's poses, the facts about the source, and any decode warning.

    ``interrupted`` is set when Ctrl-C stopped the run: the frames are those seen before it.
    """

    frames: list[PoseFrame]
    source: SourceInfo
    decode_warning: str | None
    from_cache: bool
    interrupted: bool = False


def estimate_source(
    target: str | Path,
    bundle: ModelBundle | None = None,
    settings: PoseSettings | None = None,
    cache: PoseCache | None = None,
    progress: ProgressCallback | None = None,
    back_shape: bool = False,
) -> PoseTrack:
    """Poses for every frame of a video file or image (cached when ``cache`` is given).

    ``back_shape``: also trace each frame's back from the pose model's person mask (``formcheck.back``),
    for specs whose checks read the back's shape; it costs the masks, so only those ask.

    Raises:
        SourceError: the input cannot be read.
        PoseModelError: the model cannot be built or loaded.
    """
    source = open_source(target)
    bundle = bundle or default_bundle()
    settings = settings or PoseSettings()
    if back_shape:
        settings = replace(settings, segmentation_masks=True)
    video = Path(str(target))
    # masks asked for by a caller are not cached; the back shapes traced from them are
    use_cache = cache is not None and (back_shape or not settings.segmentation_masks) and video.is_file()
    key = cache_key(video, bundle.sha256, settings.cache_key(source.info.width, source.info.height)) if use_cache else ""
    if use_cache and cache is not None:
        cached = cache.load(key, video, with_back=back_shape)
        if cached is not None:
            cached_frames, info, warning = cached
            if progress:
                progress(len(cached_frames), len(cached_frames))
            return PoseTrack(cached_frames, info, warning, from_cache=True)
    estimator = MediaPipePoseEstimator(bundle, settings)
    frames: list[PoseFrame] = []
    stopped: str | None = None
    try:
        # Decoding and preparing the next frames overlaps the model's work on this one.
        with ReadAhead(source.frames(), estimator.prepare) as model_inputs:
            for model_input in model_inputs:
                pose = estimator.estimate_prepared(model_input)
                frames.append(with_back_shape(pose) if back_shape else pose)
                if progress:
                    progress(len(frames), source.info.frames)
    except KeyboardInterrupt:
        # Ctrl-C ends a webcam session (which has no end of its own) or a long file: keep what
        # was seen and review it, instead of losing the whole set.
        if not frames:
            raise
        stopped = f"stopped by the user at {frames[-1].t_s:.1f} s: the review covers the frames before it"
    finally:
        estimator.close()
    if stopped is not None:
        return PoseTrack(frames, source.info, stopped, from_cache=False, interrupted=True)
    if use_cache and cache is not None:
        cache.store(key, frames, source.info, source.decode_warning, video)
    return PoseTrack(frames, source.info, source.decode_warning, from_cache=False)
