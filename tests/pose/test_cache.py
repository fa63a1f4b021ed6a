"""The pose cache: exact round trips, keys that change with what the landmarks depend on, a
damaged, mismatched or expired entry that is a miss (the model runs again), never a crash, and a
store that fails without failing the analysis."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import make_pose_frame, stick_figure

from formcheck.back.shape import BackShape
from formcheck.landmarks import PoseFrame, PoseStatus
from formcheck.pose import cache as cache_module
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

    real_estimate = estimator_module.MediaPipePoseEstimator.estimate_prepared
    calls = {"n": 0}

    def interrupt_after_20(self, model_input):
        calls["n"] += 1
        if calls["n"] > 20:
            raise KeyboardInterrupt
        return real_estimate(self, model_input)

    monkeypatch.setattr(estimator_module.MediaPipePoseEstimator, "estimate_prepared", interrupt_after_20)
    cache = PoseCache(tmp_path / "cache")
    track = estimate_source(squat_clip, cache=cache)
    assert len(track.frames) == 20
    assert [pose.frame_index for pose in track.frames] == list(range(20))
    assert "formcheck-read-ahead" not in {thread.name for thread in threading.enumerate()}, "the reader stopped"
    assert track.decode_warning and "stopped by the user" in track.decode_warning
    assert not list((tmp_path / "cache").glob("*.npz")), "a partial track must not be cached as the clip's poses"


# --- a hit belongs to the file asked for ---------------------------------------------------------
def test_hit_carries_the_path_asked_for_now(tmp_path, video):
    """The entry was first stored for an upload's temporary copy; a later hit names the file asked for."""
    upload = tmp_path / "upload-3f9a.tmp"
    shutil.copy(video, upload)
    cache = PoseCache(tmp_path / "cache")
    stored_info = SourceInfo(path=str(upload), fps=30.0, frames=4, duration_s=0.133, width=640, height=480, rotation=0)
    cache.store("key", track(), stored_info, None, upload)
    upload.unlink()
    loaded = cache.load("key", video)
    assert loaded is not None
    assert loaded[1].path == str(video)
    assert loaded[1] == SourceInfo(str(video), 30.0, 4, 0.133, 640, 480, 0)


def test_hit_for_a_file_of_another_size_is_a_miss(tmp_path, video):
    cache = PoseCache(tmp_path / "cache")
    cache.store("key", track(), INFO, None, video)
    assert cache.load("key", video) is not None
    video.write_bytes(video.read_bytes() + b"x")
    assert cache.load("key", video) is None


def test_entry_stored_without_its_size_is_a_miss_for_a_file(tmp_path, video):
    """An entry that cannot be checked against the file is not trusted for it."""
    cache = PoseCache(tmp_path / "cache")
    cache.store("key", track(), INFO, None)
    assert cache.load("key") is not None
    assert cache.load("key", video) is None


def _rewrite_entry(entry: Path, change) -> None:
    with np.load(entry) as data:
        arrays = {name: data[name] for name in data.files}
    change(arrays)
    np.savez_compressed(entry, **arrays)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda arrays: arrays.update(meta=np.array(str(arrays["meta"]).replace(
            '"frame_count": 4', '"frame_count": 3'))), id="recorded count below the arrays"),
        pytest.param(lambda arrays: arrays.update(meta=np.array(str(arrays["meta"]).replace(
            '"frame_count": 4', '"frame_count": 5'))), id="recorded count above the arrays"),
        pytest.param(lambda arrays: arrays.update(visibility=np.concatenate([arrays["visibility"]] * 2)),
                     id="one array longer"),
    ],
)
def test_entry_whose_frame_count_does_not_match_its_arrays_is_a_miss(tmp_path, change):
    cache, entry = _entry(tmp_path)
    _rewrite_entry(entry, change)
    assert cache.load("key") is None


def test_estimate_source_hit_names_the_file_asked_for(tmp_path, squat_clip, monkeypatch):
    """Through the pose stage: analyse one copy of a clip, then ask for another copy of it."""
    from formcheck.pose import run as run_module
    from formcheck.pose.model import ModelBundle

    class FakeEstimator:
        def __init__(self, bundle, settings):
            pass

        def prepare(self, frame):
            return frame

        def estimate_prepared(self, frame):
            height, width = frame.image.shape[:2]
            return make_pose_frame(frame.index, frame.t_s, image_wh=(width, height))

        def close(self):
            pass

    monkeypatch.setattr(run_module, "MediaPipePoseEstimator", FakeEstimator)
    bundle = ModelBundle(tmp_path / "model.task", MODEL)
    first, second = tmp_path / "upload-1.mp4", tmp_path / "my squat.mp4"
    shutil.copy(squat_clip, first)
    shutil.copy(squat_clip, second)
    cache = PoseCache(tmp_path / "cache")
    analysed = run_module.estimate_source(first, bundle=bundle, cache=cache)
    hit = run_module.estimate_source(second, bundle=bundle, cache=cache)
    assert (analysed.from_cache, hit.from_cache) == (False, True)
    assert hit.source.path == str(second)
    assert hit.source == run_module.estimate_source(second, bundle=bundle).source  # as a fresh analysis says


# --- a store that fails does not fail the analysis -----------------------------------------------
def test_store_into_an_unusable_folder_is_ignored(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    cache = PoseCache(blocked)
    cache.store("key", track(), INFO, None)
    assert cache.load("key") is None


def test_store_failing_mid_write_is_ignored_and_leaves_nothing(tmp_path, monkeypatch):
    def disk_full(file, **arrays):
        file.write(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module.np, "savez_compressed", disk_full)
    PoseCache(tmp_path).store("key", track(), INFO, None)
    assert list(tmp_path.iterdir()) == []


def test_entry_is_private_to_the_user(tmp_path):
    folder = tmp_path / "cache" / "poses"
    previous = os.umask(0o022)  # a usual umask would leave a new folder readable by everyone
    try:
        PoseCache(folder).store("key", track(), INFO, None)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "key.npz").stat().st_mode) == 0o600


# --- keys follow the decoders --------------------------------------------------------------------
@pytest.mark.parametrize(
    "module_name, attribute, value",
    [
        pytest.param("av", "__version__", "0.0.1", id="PyAV"),
        pytest.param("av", "library_versions", {"libavcodec": (1, 2, 3)}, id="FFmpeg libraries"),
        pytest.param("cv2", "__version__", "0.0.1", id="OpenCV"),
    ],
)
def test_key_changes_with_the_decoder_versions(video, monkeypatch, module_name, attribute, value):
    before = cache_key(video, MODEL, SETTINGS)
    monkeypatch.setattr(getattr(cache_module, module_name), attribute, value)
    assert cache_key(video, MODEL, SETTINGS) != before


# --- expiry ----------------------------------------------------------------------------------------
DAY_S = 86400.0


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.parametrize(
    "max_age_days, age_days, kept",
    [
        pytest.param(30, 29, True, id="younger than the limit"),
        pytest.param(30, 31, False, id="older than the limit"),
        pytest.param(1, 2, False, id="a shorter limit"),
        pytest.param(None, 3650, True, id="no limit"),
    ],
)
def test_expired_entry_is_a_miss_and_deleted(tmp_path, max_age_days, age_days, kept):
    cache = PoseCache(tmp_path, max_age_days=max_age_days)
    cache.store("key", track(), INFO, None)
    _age(tmp_path / "key.npz", age_days * DAY_S)
    assert (cache.load("key") is not None) is kept
    assert (tmp_path / "key.npz").exists() is kept


def test_default_expiry_is_thirty_days(tmp_path):
    cache = PoseCache(tmp_path)
    cache.store("key", track(), INFO, None)
    _age(tmp_path / "key.npz", 31 * DAY_S)
    assert cache.load("key") is None


def _killed_store(cache: PoseCache, key: str, monkeypatch) -> Path:
    """The temporary file a writer leaves when it is killed before renaming it into place."""
    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(cache_module.os, "replace", killed)
        with pytest.raises(KeyboardInterrupt):
            cache.store(key, track(), INFO, None)
    (temp,) = cache.directory.glob(f".{key}.*")
    return temp


def test_sweep_removes_expired_entries_and_stray_temporary_files(tmp_path, monkeypatch):
    cache = PoseCache(tmp_path, max_age_days=30)
    old, fresh = "0" * 32, "f" * 32
    for key in (old, fresh):
        cache.store(key, track(), INFO, None)
    _age(tmp_path / f"{old}.npz", 31 * DAY_S)
    stray, writing = _killed_store(cache, old, monkeypatch), _killed_store(cache, fresh, monkeypatch)
    _age(stray, 2 * 3600)
    _age(writing, 60)  # as if still being written
    assert cache.sweep() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{fresh}.npz", writing.name])


def test_sweep_leaves_files_the_cache_did_not_write(tmp_path):
    """A cache folder set to a shared place (/tmp, a home folder) loses nobody else's old files."""
    others = [tmp_path / name for name in ("notes.txt", "results.npz", ".editor.swp.tmp", "a" * 32 + ".npz.bak")]
    for path in others:
        path.write_text("not the cache's")
        _age(path, 365 * DAY_S)
    assert PoseCache(tmp_path, max_age_days=1).sweep() == 0
    assert all(path.exists() for path in others)


def test_sweep_without_expiry_keeps_entries(tmp_path):
    cache = PoseCache(tmp_path, max_age_days=None)
    cache.store("key", track(), INFO, None)
    _age(tmp_path / "key.npz", 3650 * DAY_S)
    assert cache.sweep() == 0
    assert cache.load("key") is not None


def test_sweep_of_a_missing_folder_removes_nothing(tmp_path):
    assert PoseCache(tmp_path / "never-created").sweep() == 0


def _traced(frames: list[PoseFrame]) -> list[PoseFrame]:
    """The frames with back shapes as the back stage leaves them: one traced, the others not judged."""
    contour = np.column_stack([np.linspace(10.0, 20.0, 17), np.linspace(300.0, 100.0, 17)])
    contour[3] = np.nan  # a dropped station
    traced = BackShape(0.05, 0.08, 12.5, 0.9, None, contour)
    return [
        dataclasses.replace(frame, back=traced if index == 0 else BackShape.not_judged("no person"))
        for index, frame in enumerate(frames)
    ]


def test_back_shapes_round_trip_beside_the_landmarks(tmp_path):
    cache = PoseCache(tmp_path)
    frames = _traced(track())
    cache.store("key", frames, INFO, None)
    loaded = cache.load("key", with_back=True)
    assert loaded is not None
    assert_same_frames(loaded[0], frames)
    first, second = loaded[0][0].back, loaded[0][1].back
    assert first is not None and second is not None
    assert (first.flexion_norm, first.bow_max_norm, first.lumbar_deg, first.confidence, first.reason) == pytest.approx(
        (0.05, 0.08, 12.5, 0.9, None))
    np.testing.assert_array_equal(first.contour_px, frames[0].back.contour_px)  # NaN rows kept
    assert second.reason == "no person" and math.isnan(second.flexion_norm)
    plain = cache.load("key")  # a run that does not read the back gets the landmarks alone
    assert plain is not None and plain[0][0].back is None


def test_an_entry_without_back_shapes_is_a_miss_for_a_run_that_needs_them(tmp_path):
    cache = PoseCache(tmp_path)
    cache.store("key", track(), INFO, None)
    assert cache.load("key") is not None
    assert cache.load("key", with_back=True) is None
