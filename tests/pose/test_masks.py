"""The pose stage returns a person-segmentation mask on request (for the coming spine-shape checks)."""

from __future__ import annotations

import numpy as np

from formcheck.pose import MediaPipePoseEstimator, PoseSettings, default_bundle
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
