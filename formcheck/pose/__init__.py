"""The pose stage: frames in, ``PoseFrame``s out. The only package that imports mediapipe."""

from formcheck.pose.estimator import MediaPipePoseEstimator, PoseEstimator, PoseSettings
from formcheck.pose.model import ModelBundle, default_bundle, user_bundle

__all__ = ["MediaPipePoseEstimator", "ModelBundle", "PoseEstimator", "PoseSettings", "default_bundle", "user_bundle"]
