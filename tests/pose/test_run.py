"""The pose stage over a whole source reads frames ahead on a thread: it must return exactly what the
plain serial loop (decode a frame, run the model on it) returns, frame for frame, and keep the serial
loop's handling of a file damaged part-way."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from video_files import write_video

from formcheck.back.shape import with_back_shape
from formcheck.landmarks import PoseFrame
from formcheck.pose import MediaPipePoseEstimator, PoseSettings, default_bundle
from formcheck.pose.run import estimate_source
from formcheck.sources import open_source

SAMPLE = Path(__file__).resolve().parents[2] / "samples/squat_side.mp4"


def serial_loop(clip: Path, settings: PoseSettings | None = None, back_shape: bool = False) -> tuple[list[PoseFrame], str | None]:
    """The loop before read-ahead: each frame decoded, then given to the model, one after the other."""
    source = open_source(clip)
    estimator = MediaPipePoseEstimator(default_bundle(), settings)
    try:
        poses = [estimator.estimate(frame) for frame in source.frames()]
    finally:
        estimator.close()
    return ([with_back_shape(pose) for pose in poses] if back_shape else poses), source.decode_warning


def assert_same_poses(read_ahead: list[PoseFrame], serial: list[PoseFrame]) -> None:
    assert len(read_ahead) == len(serial)
    for mine, theirs in zip(read_ahead, serial, strict=True):
        assert (mine.frame_index, mine.t_s, mine.status, mine.image_wh) == (
            theirs.frame_index, theirs.t_s, theirs.status, theirs.image_wh)
        for name in ("image_xy", "world_xyz", "visibility"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name), equal_nan=True), (mine.frame_index, name)
        if theirs.back is None:
            assert mine.back is None
        else:
            assert mine.back is not None
            for field in dataclasses.fields(theirs.back):
                value, expected = getattr(mine.back, field.name), getattr(theirs.back, field.name)
                if isinstance(expected, str | None):
                    assert value == expected, (mine.frame_index, field.name)
                else:
                    assert np.array_equal(value, expected, equal_nan=True), (mine.frame_index, field.name)


def test_read_ahead_gives_the_serial_loops_poses_on_the_sample():
    track = estimate_source(SAMPLE)
    serial, warning = serial_loop(SAMPLE)
    assert_same_poses(track.frames, serial)
    assert track.decode_warning == warning


def test_read_ahead_gives_the_serial_loops_poses_on_a_labelled_720p_clip(shared):
    clip = shared / "clips/Pichayanon-FiT-AI/squat_correct_7.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} not in the shared data")
    track = estimate_source(clip)
    assert_same_poses(track.frames, serial_loop(clip)[0])


def test_read_ahead_gives_the_serial_loops_back_shapes(squat_clip):
    """The masks come back from an enlarged picture made on the reading thread, resized to the frame's size."""
    track = estimate_source(squat_clip, back_shape=True)
    serial, _ = serial_loop(squat_clip, PoseSettings(segmentation_masks=True), back_shape=True)
    assert sum(pose.back is not None for pose in serial) > 0
    assert_same_poses(track.frames, serial)


def test_a_file_damaged_part_way_keeps_the_frames_before_it_and_the_warning(tmp_path):
    clip = write_video(tmp_path / "whole.mp4", frames=60, fps=30, size=(128, 96), options={"movflags": "faststart"})
    data = bytearray(clip.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 20_000] = bytes(20_000)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    track = estimate_source(damaged)
    serial, warning = serial_loop(damaged)
    assert 0 < len(track.frames) < 60
    assert warning is not None and warning.startswith(f"decoding stopped at frame {len(track.frames)} ")
    assert track.decode_warning == warning
    assert_same_poses(track.frames, serial)


@pytest.mark.parametrize("threads", [2, 3])
def test_more_model_threads_give_the_same_poses_on_the_sample(threads):
    """Not part of the cache key: a clip analysed with the cores shared out must read the same."""
    track = estimate_source(SAMPLE, settings=PoseSettings(model_threads=threads))
    assert_same_poses(track.frames, serial_loop(SAMPLE)[0])


def test_more_model_threads_give_the_same_poses_and_back_shapes_on_a_labelled_1080p_clip(shared):
    clip = shared / "clips/mattiolato98-deadlift-visual-analyzer/Good/000001.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} not in the shared data")
    track = estimate_source(clip, settings=PoseSettings(model_threads=2), back_shape=True)
    serial, _ = serial_loop(clip, PoseSettings(segmentation_masks=True), back_shape=True)
    assert sum(pose.back is not None for pose in serial) > 0
    assert_same_poses(track.frames, serial)
