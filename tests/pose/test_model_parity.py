"""Parity: our Tasks-API bundle (built from the wheel's legacy .tflite files plus normalisation
metadata, ``formcheck.pose.model``) gives the landmarks the legacy ``mp.solutions.pose`` gives.

Clip: ``Pichayanon-FiT-AI/squat_correct_5.mp4`` (front-view squat, 360x640, 30 fps), first 60 frames.
Figure: mean absolute difference of the 33 image landmarks (normalised x and y), i.e. in
fractions of the image size.

Settings where the two agree (measured on this clip, 2026-12, x86-64 CPU):

* Per frame, no tracking, no smoothing on either side: a fresh ``MediaPipePoseEstimator`` per
  frame (its first frame is a full detection + landmark pass, with no history to smooth against)
  against ``Pose(model_complexity=1, static_image_mode=True)``: mean 0.0002, worst frame 0.0004.
  This is the model-and-normalisation check. The project asks for agreement within 0.002; it is
  held to 0.001 here because a landmarker built with the wrong input range ([-1, 1] instead of
  [0, 1]) still gives 0.0033, so a looser bound would barely catch that mistake.
* Tracking with smoothing on both sides (how formcheck runs videos): our estimator in VIDEO mode
  against ``Pose(model_complexity=1, static_image_mode=False, smooth_landmarks=True)``: mean
  0.0020 (about 1 px here). The Tasks graph always smooths in VIDEO mode and its tracking crop and
  filter differ slightly from the legacy graph's, so this figure is held to 0.004; frame 0 (no
  history yet) agrees to 0.0002.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.pose import MediaPipePoseEstimator, PoseSettings, default_bundle
from formcheck.sources import Frame, open_source

FRAMES = 60
STATIC_MAX_MEAN_DIFF = 0.001  # the project's requirement is 0.002; see the module docstring
TRACKING_MAX_MEAN_DIFF = 0.004
# The model on the frames as they are: formcheck enlarges frames under 720 px (PoseSettings),
# which the legacy graph does not, and this test compares the models, not that choice.
AS_IS = PoseSettings(min_short_side_px=0)

mp = pytest.importorskip("mediapipe")


@pytest.fixture(scope="module")
def frames(squat_clip) -> list[Frame]:
    source = open_source(squat_clip)
    return [frame for frame, _ in zip(source.frames(), range(FRAMES))]


@pytest.fixture(scope="module")
def bundle():
    return default_bundle()


def legacy_landmarks(frames: list[Frame], static: bool) -> np.ndarray:
    with mp.solutions.pose.Pose(model_complexity=1, static_image_mode=static, smooth_landmarks=True,
                                enable_segmentation=False) as pose:
        results = [pose.process(frame.image).pose_landmarks for frame in frames]
    assert all(result is not None for result in results), "the legacy graph lost the person"
    return np.array([[[p.x, p.y] for p in result.landmark] for result in results])


def test_tasks_bundle_matches_legacy_pose_frame_by_frame(frames, bundle):
    ours = []
    for frame in frames:
        estimator = MediaPipePoseEstimator(bundle, AS_IS)  # a fresh stream per frame: no tracking, no smoothing
        try:
            pose = estimator.estimate(Frame(index=0, t_s=0.0, image=frame.image))
        finally:
            estimator.close()
        assert pose.has_person
        ours.append(pose.image_xy)
    difference = np.abs(np.array(ours, np.float64) - legacy_landmarks(frames, static=True))
    mean = float(difference.mean())
    worst_frame = float(difference.mean(axis=(1, 2)).max())
    assert mean < STATIC_MAX_MEAN_DIFF, (
        f"mean |Tasks - legacy| = {mean:.5f} of the image size over {len(frames)} frames (worst frame {worst_frame:.5f})"
    )
    assert worst_frame < STATIC_MAX_MEAN_DIFF, f"worst frame mean difference {worst_frame:.5f}"


def test_tasks_bundle_tracks_like_legacy_pose(frames, bundle):
    estimator = MediaPipePoseEstimator(bundle, AS_IS)
    try:
        poses = [estimator.estimate(frame) for frame in frames]
    finally:
        estimator.close()
    assert all(pose.has_person for pose in poses)
    difference = np.abs(np.array([pose.image_xy for pose in poses], np.float64) - legacy_landmarks(frames, static=False))
    mean = float(difference.mean())
    first = float(difference[0].mean())
    assert first < STATIC_MAX_MEAN_DIFF, f"frame 0 (no history yet) differs by {first:.5f} of the image size"
    assert mean < TRACKING_MAX_MEAN_DIFF, (
        f"mean |Tasks - legacy| while tracking = {mean:.5f} of the image size over {len(frames)} frames"
    )
