"""The pose stage returns a person-segmentation mask on request, and traces the back from it (formcheck.back)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.pose import MediaPipePoseEstimator, PoseSettings, default_bundle
from formcheck.pose.child import ChildPoseEstimator
from formcheck.sources import open_source


def test_masks_come_back_image_sized_and_cover_the_person(squat_clip) -> None:
    estimator = MediaPipePoseEstimator(default_bundle(), PoseSettings(segmentation_masks=True))
    try:
        frames = [estimator.estimate(frame) for _, frame in zip(range(5), open_source(squat_clip).frames())]
    finally:
        estimator.close()
    pose = frames[-1]
    assert pose.mask is not None
    width, height = pose.image_wh
    assert pose.mask.shape == (height, width)
    assert 0.0 <= float(pose.mask.min()) and float(pose.mask.max()) <= 1.0
    # the hips lie inside the person's silhouette; the image corner does not
    hip_x, hip_y = ((pose.image_xy[23] + pose.image_xy[24]) / 2 * [width, height]).astype(int)
    assert pose.mask[hip_y, hip_x] > 0.5
    assert pose.mask[2, 2] < 0.5


def test_masks_are_off_by_default(squat_clip) -> None:
    estimator = MediaPipePoseEstimator(default_bundle())
    try:
        pose = estimator.estimate(next(iter(open_source(squat_clip).frames())))
    finally:
        estimator.close()
    assert pose.mask is None and np.isfinite(pose.image_xy).all()


@pytest.mark.parametrize(
    ("width", "height", "factor"),
    [
        pytest.param(360, 640, 2.0, id="portrait 360p doubled"),
        pytest.param(640, 360, 2.0, id="landscape 360p doubled"),
        pytest.param(406, 720, 720 / 406, id="narrow portrait: the short side to 720"),
        pytest.param(1280, 720, 1.0, id="720p as it is"),
        pytest.param(1920, 1080, 1.0, id="1080p as it is"),
    ],
)
def test_small_frames_are_enlarged_to_a_720_px_short_side(width, height, factor) -> None:
    assert PoseSettings().upscale_factor(width, height) == pytest.approx(factor)


def test_enlarging_can_be_turned_off() -> None:
    assert PoseSettings(min_short_side_px=0).upscale_factor(360, 640) == 1.0


def test_an_enlarged_frame_still_gives_image_fractions_and_an_image_sized_mask(squat_clip) -> None:
    """The 360x640 clip goes in enlarged 2x; landmarks (fractions of the image) and the mask come
    back for the frame as it is, and agree with the model run on the frame as it is."""
    frame = next(iter(open_source(squat_clip).frames()))
    poses = {}
    for side in (720, 0):
        estimator = MediaPipePoseEstimator(default_bundle(), PoseSettings(segmentation_masks=True, min_short_side_px=side))
        try:
            poses[side] = estimator.estimate(frame)
        finally:
            estimator.close()
    enlarged, as_is = poses[720], poses[0]
    assert enlarged.image_wh == as_is.image_wh == (360, 640)
    assert enlarged.mask is not None and enlarged.mask.shape == (640, 360)
    # the same person in the same place: within 1 % of the image on average
    assert float(np.abs(enlarged.image_xy - as_is.image_xy).mean()) < 0.01


def test_a_session_that_reads_the_back_gets_it_traced_in_the_child_without_the_mask(squat_clip) -> None:
    """The live path: the mask stays in the model's child process; the frame comes back with its back shape."""
    estimator = ChildPoseEstimator(default_bundle(), back_shape=True)
    try:
        frames = [estimator.estimate(frame) for _, frame in zip(range(3), open_source(squat_clip).frames())]
    finally:
        estimator.close()
    assert all(frame.mask is None and frame.back is not None for frame in frames)
    # traced from the mask: this front-view squat gives the reason its back is not judged
    assert {frame.back.reason for frame in frames if frame.back is not None} == {
        "front view: the back's profile cannot be seen"}
