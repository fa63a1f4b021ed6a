"""The pose cache: exact round trips, keys that change with what the landmarks depend on, and a
damaged entry that is a miss (the model runs again), never a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import make_pose_frame, stick_figure

from formcheck.landmarks import PoseFrame, PoseStatus
from formcheck.pose.cache import PoseCache, cache_key, default_cache_dir
from formcheck.pose.estimator import PoseSettings
from formcheck.sources.base import SourceInfo

INFO = SourceInfo(path="/videos/squat.mp4", fps=30.0, frames=4, duration_s=0.133, width=640, height=480, rotation=-90)
MODEL = "a" * 64
SETTINGS = PoseSettings().cache_key()


def track() -> list[PoseFrame]:
    image_xy, world = stick_figure(knee_flexion_deg=60.0)
    rng = np.random.default_rng(5)
    visibility = rng.uniform(0.0, 1.0, 33).astype(np.float32)
    return [
        make_pose_frame(0, 0.0, image_xy=image_xy, world_xyz=world, visibility=visibility, image_wh=(480, 640)),
        make_pose_frame(1, 1 / 30, status=PoseStatus.NO_PERSON, image_wh=(480, 640)),
        make_pose_frame(2, 2 / 30 + 1e-7, image_xy=image_xy + 0.01, world_xyz=world, visibility=visibility,
                        status=PoseStatus.LOW_VISIBILITY, image_wh=(480, 640)),
        make_pose_frame(3, 0.1, image_xy=image_xy * 1.2, world_xyz=world, visibility=visibility,
                        status=PoseStatus.PARTLY_OUT_OF_FRAME, image_wh=(480, 640)),
    ]


def assert_same_frames(loaded: list[PoseFrame], stored: list[PoseFrame]) -> None:
    assert len(loaded) == len(stored)
    for got, want in zip(loaded, stored):
        assert (got.frame_index, got.t_s, got.status, got.image_wh) == (want.frame_index, want.t_s, want.status,
                                                                          want.image_wh)
        np.testing.assert_array_equal(got.image_xy, want.image_xy)  # NaNs compare equal here
        np.testing.assert_array_equal(got.world_xyz, want.world_xyz)
        np.testing.assert_array_equal(got.visibility, want.visibility)
        assert got.image_xy.dtype == np.float32


@pytest.mark.parametrize("warning", [None, "decoding stopped at frame 3 (0.10 s): the file is damaged after that"])
def test_store_then_load_round_trips_exactly(tmp_path, warning):
    cache = PoseCache(tmp_path)
    frames = track()
    cache.store("key", frames, INFO, warning)
    loaded = cache.load("key")
    assert loaded is not None
    loaded_frames, loaded_info, loaded_warning = loaded
    assert_same_frames(loaded_frames, frames)
    assert np.isnan(loaded_frames[1].image_xy).all() and not loaded_frames[1].has_person
    assert loaded_info == INFO
    assert loaded_warning == warning


def test_empty_track_round_trips(tmp_path):
    cache = PoseCache(tmp_path)
    cache.store("empty", [], INFO, None)
    assert cache.load("empty") == ([], INFO, None)


def test_missing_entry_is_a_miss(tmp_path):
    assert PoseCache(tmp_path / "never-created").load("nothing") is None


def test_store_leaves_only_the_entry(tmp_path):
    PoseCache(tmp_path).store("key", track(), INFO, None)
    assert [p.name for p in tmp_path.iterdir()] == ["key.npz"]


def test_cache_dir_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    assert PoseCache().directory == tmp_path


def _entry(tmp_path: Path) -> tuple[PoseCache, Path]:
    cache = PoseCache(tmp_path)
    cache.store("key", track(), INFO, None)
    return cache, tmp_path / "key.npz"


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 200] = bytes(b ^ 0xFF for b in data[middle: middle + 200])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_text("not a cache entry"), id="replaced by text"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="truncated"),
        pytest.param(_flip_bytes, id="bytes flipped in the middle"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty file"),
        pytest.param(lambda p: p.unlink() or p.mkdir(), id="a folder in its place"),
    ],
)
def test_damaged_entry_is_a_miss(tmp_path, damage):
    cache, entry = _entry(tmp_path)
    damage(entry)
    assert cache.load("key") is None


def test_entry_missing_an_array_is_a_miss(tmp_path):
    cache, entry = _entry(tmp_path)
    with np.load(entry) as data:
        arrays = {name: data[name] for name in data.files if name != "visibility"}
    np.savez_compressed(entry, **arrays)
    assert cache.load("key") is None


def test_damaged_entry_is_replaced_by_the_next_store(tmp_path):
    cache, entry = _entry(tmp_path)
    entry.write_text("junk")
    cache.store("key", track(), INFO, None)
    assert cache.load("key") is not None


# --- keys ----------------------------------------------------------------------------------------
@pytest.fixture()
def video(tmp_path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"pretend video bytes" * 100)
    return path


def test_key_is_stable(video):
    assert cache_key(video, MODEL, SETTINGS) == cache_key(video, MODEL, SETTINGS)


def test_key_follows_content_not_name(video, tmp_path):
    copy = tmp_path / "renamed.mov"
    shutil.copy(video, copy)
    assert cache_key(copy, MODEL, SETTINGS) == cache_key(video, MODEL, SETTINGS)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda video: (video.write_bytes(video.read_bytes() + b"x"), MODEL, SETTINGS), id="file content"),
        pytest.param(lambda video: (None, "b" * 64, SETTINGS), id="model hash"),
        pytest.param(lambda video: (None, MODEL, PoseSettings(min_detection_confidence=0.6).cache_key()),
                     id="detection threshold"),
        pytest.param(lambda video: (None, MODEL, PoseSettings(min_presence_confidence=0.6).cache_key()),
                     id="presence threshold"),
        pytest.param(lambda video: (None, MODEL, PoseSettings(min_tracking_confidence=0.6).cache_key()),
                     id="tracking threshold"),
        # SETTINGS is the key of a frame the model sees at its own size; a small one is enlarged.
        pytest.param(lambda video: (None, MODEL, PoseSettings().cache_key(360, 640)), id="small frame enlarged"),
    ],
)
def test_key_changes_with_what_the_landmarks_depend_on(video, change):
    before = cache_key(video, MODEL, SETTINGS)
    _, model, settings = change(video)
    assert cache_key(video, model, settings) != before


def test_frames_the_model_sees_as_they_are_share_one_key():
    """Enlarging is keyed only where it happens, so big clips keep the poses cached before it."""
    assert PoseSettings().cache_key(1280, 720) == PoseSettings().cache_key(1920, 1080) == SETTINGS


def test_key_is_a_safe_file_name(video):
    key = cache_key(video, MODEL, SETTINGS)
    assert key.isalnum() and len(key) >= 16


def test_ctrl_c_keeps_the_frames_seen_and_is_not_cached(tmp_path, squat_clip, monkeypatch):
    """Ctrl-C part-way (the way a webcam session ends) reviews what was seen and says so."""
    from formcheck.pose import estimator as estimator_module
    from formcheck.pose.run import estimate_source

    real_estimate = estimator_module.MediaPipePoseEstimator.estimate
    calls = {"n": 0}

    def interrupt_after_20(self, frame):
        calls["n"] += 1
        if calls["n"] > 20:
            raise KeyboardInterrupt
        return real_estimate(self, frame)

    monkeypatch.setattr(estimator_module.MediaPipePoseEstimator, "estimate", interrupt_after_20)
    cache = PoseCache(tmp_path / "cache")
    track = estimate_source(squat_clip, cache=cache)
    assert len(track.frames) == 20
    assert track.decode_warning and "stopped by the user" in track.decode_warning
    assert not list((tmp_path / "cache").glob("*.npz")), "a partial track must not be cached as the clip's poses"
