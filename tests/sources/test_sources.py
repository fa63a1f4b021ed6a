"""Frame sources: unusable input fails with one clear SourceError line; usable input gives upright
RGB frames with increasing timestamps. Videos are written with PyAV into tmp_path."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest
from video_files import write_video

from formcheck.errors import SourceError
from formcheck.sources import open_source


def source_error(target: Path) -> str:
    with pytest.raises(SourceError) as caught:
        source = open_source(target)
        list(source.frames())
    message = str(caught.value)
    assert "\n" not in message, f"one line, got {message!r}"
    assert "Traceback" not in message
    assert message.startswith(f"{target}: "), f"the message names the file first: {message!r}"
    return message


# --- unusable input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda p: p, "file not found", id="missing file"),
        pytest.param(lambda p: p.write_bytes(b"") and p, "the file is empty (0 bytes)", id="zero bytes"),
        pytest.param(lambda p: p.mkdir() or p, "is a folder, not a video file", id="a folder"),
    ],
)
def test_unusable_paths_pinned(tmp_path, make, reason):
    target = tmp_path / "clip.mp4"
    make(target)
    assert source_error(target) == f"{target}: {reason}"


def test_zero_byte_file_named_like_a_video(tmp_path):
    target = tmp_path / "clip.mov"
    target.touch()
    assert source_error(target) == f"{target}: the file is empty (0 bytes)"


def _text(path: Path) -> None:
    path.write_text("this is a shopping list, not a video\n" * 20)


def _first_2kb(path: Path, clip) -> None:
    path.write_bytes(clip.read_bytes()[:2048])


def _random_after_header(path: Path, clip) -> None:
    rng = np.random.default_rng(1)
    path.write_bytes(clip.read_bytes()[:4096] + rng.integers(0, 256, 200_000, dtype=np.uint8).tobytes())


def _random_bytes(path: Path) -> None:
    path.write_bytes(np.random.default_rng(2).integers(0, 256, 50_000, dtype=np.uint8).tobytes())


def _audio_only(path: Path) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        samples = np.zeros((1, 1024 * 20), np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p, clip: _text(p), id="text file named .mp4"),
        pytest.param(lambda p, clip: _random_bytes(p), id="random bytes"),
        pytest.param(_first_2kb, id="first 2 KB of a real clip"),
        pytest.param(_random_after_header, id="random bytes after a valid header"),
        pytest.param(lambda p, clip: p.write_bytes(clip.read_bytes()[: len(clip.read_bytes()) // 2]),
                     id="first half of a clip with its index at the end"),
        pytest.param(lambda p, clip: _audio_only(p), id="audio only"),
    ],
)
def test_not_a_readable_video(tmp_path, request, make):
    target = tmp_path / "clip.mp4"

    class RealClip:  # only the cases cut from a real clip need the shared data
        def read_bytes(self) -> bytes:
            return request.getfixturevalue("squat_clip").read_bytes()

    make(target, RealClip())
    message = source_error(target)
    assert "Error" not in message.removeprefix(f"{target}: "), "no exception class names for the user"


def test_text_file_named_like_an_image(tmp_path):
    target = tmp_path / "photo.jpg"
    _text(target)
    assert source_error(target) == f"{target}: not an image formcheck can read"


def test_source_error_is_a_formcheck_error():
    from formcheck.errors import FormcheckError

    assert issubclass(SourceError, FormcheckError)


def test_damage_part_way_keeps_the_frames_before_it_and_warns(tmp_path):
    clip = write_video(tmp_path / "whole.mp4", frames=60, fps=30, size=(128, 96), options={"movflags": "faststart"})
    data = bytearray(clip.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 20_000] = bytes(20_000)  # a run of zeros in the middle of the picture data
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    source = open_source(damaged)
    frames = list(source.frames())
    assert 0 < len(frames) < 60
    assert source.decode_warning is not None
    assert source.decode_warning.startswith(f"decoding stopped at frame {len(frames)} ")


def test_cut_short_video_warns(tmp_path):
    clip = write_video(tmp_path / "whole.mp4", frames=60, fps=30, size=(128, 96), options={"movflags": "faststart"})
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    source = open_source(cut)
    frames = list(source.frames())
    assert source.info.frames == 60 and len(frames) < 40
    assert source.decode_warning is not None, f"{len(frames)} of {source.info.frames} frames and no warning"


# --- usable input ---------------------------------------------------------------------------------
def test_real_clip(squat_clip):
    source = open_source(squat_clip)
    frames = list(source.frames())
    info = source.info
    assert (info.width, info.height, info.rotation, info.frames) == (360, 640, 0, 114)
    assert info.fps == pytest.approx(30.0)
    assert info.duration_s == pytest.approx(3.8, abs=0.05)
    assert len(frames) == info.frames
    assert [frame.index for frame in frames] == list(range(len(frames)))
    assert frames[0].image.shape == (640, 360, 3) and frames[0].image.dtype == np.uint8
    times = np.array([frame.t_s for frame in frames])
    assert np.all(np.diff(times) > 0)
    assert np.diff(times) == pytest.approx(np.full(len(times) - 1, 1 / 30), abs=2e-3)
    assert source.decode_warning is None


def test_animated_gif(bird_dog_gif):
    source = open_source(bird_dog_gif)
    frames = list(source.frames())
    assert len(frames) == 42
    assert source.info.frames == 42
    assert (source.info.width, source.info.height) == (700, 700)
    assert frames[0].image.shape == (700, 700, 3)
    times = [frame.t_s for frame in frames]
    assert all(later > earlier for earlier, later in itertools.pairwise(times)), "timestamps strictly increase"


def test_still_image_is_one_frame(bridge_image):
    source = open_source(bridge_image)
    frames = list(source.frames())
    assert len(frames) == 1
    assert frames[0].t_s == 0.0
    assert frames[0].image.shape == (567, 850, 3)
    assert (source.info.width, source.info.height, source.info.frames) == (850, 567, 1)


def test_image_frames_are_rgb(tmp_path):
    import cv2

    path = tmp_path / "red.png"
    bgr = np.zeros((64, 96, 3), np.uint8)  # the smallest pictures formcheck takes are 64 px a side
    bgr[..., 2] = 255  # red in OpenCV's BGR order
    cv2.imwrite(str(path), bgr)
    [frame] = open_source(path).frames()
    assert frame.image[0, 0].tolist() == [255, 0, 0]


def marker_corner(image: np.ndarray) -> str:
    rows, cols = np.where(image[..., 0] > 200)
    height, width = image.shape[:2]
    vertical = "top" if rows.mean() < height / 2 else "bottom"
    horizontal = "left" if cols.mean() < width / 2 else "right"
    return f"{vertical}-{horizontal}"


@pytest.mark.parametrize(
    ("rotation", "corner"),
    [
        # the display matrix turns the picture counter-clockwise by `rotation` degrees
        pytest.param(None, "top-left", id="no rotation"),
        pytest.param(90, "bottom-left", id="90 counter-clockwise"),
        pytest.param(-90, "top-right", id="90 clockwise (a portrait phone clip)"),
        pytest.param(180, "bottom-right", id="upside down"),
    ],
)
def test_display_rotation_comes_out_upright(tmp_path, rotation, corner):
    path = write_video(tmp_path / "rotated.mp4", frames=5, size=(128, 64), rotation=rotation)
    source = open_source(path)
    frames = list(source.frames())
    quarter_turn = rotation is not None and rotation % 180 != 0
    expected_wh = (64, 128) if quarter_turn else (128, 64)
    assert (source.info.width, source.info.height) == expected_wh
    assert source.info.rotation % 360 == (rotation or 0) % 360
    assert frames[0].image.shape[:2] == (expected_wh[1], expected_wh[0])
    assert marker_corner(frames[0].image) == corner


NO_USABLE_TIMESTAMPS = [
    # (file name, container format, codec, every packet stamped 0)
    pytest.param("pts_unset.mp4", None, "mpeg4", False, id="mp4, frame.pts left unset (PyAV numbers the frames)"),
    pytest.param("no_pts.h264", "h264", "libx264", False, id="raw H.264 stream: no timestamps at all (e.g. raspivid)"),
    pytest.param("same_pts.mkv", None, "mpeg4", True, id="mkv, every frame at time 0"),
    pytest.param("same_pts.nut", None, "mpeg4", True, id="nut, every frame at time 0"),
    pytest.param("same_pts.ts", "mpegts", "mpeg4", True, id="mpegts, every frame at time 0"),
]


@pytest.mark.parametrize(("name", "container_format", "codec", "same_timestamps"), NO_USABLE_TIMESTAMPS)
def test_frames_without_usable_timestamps_are_one_frame_period_apart(tmp_path, name, container_format, codec,
                                                                      same_timestamps):
    """Regression (fixed in 27cb642): frames without usable timestamps used to be 1 ms apart."""
    path = write_video(tmp_path / name, frames=20, fps=25, codec=codec, container_format=container_format,
                       same_timestamps=same_timestamps)
    source = open_source(path)
    times = np.array([frame.t_s for frame in source.frames()])
    assert len(times) == 20
    assert source.info.fps == pytest.approx(25.0)
    assert times[0] == pytest.approx(0.0)
    np.testing.assert_allclose(np.diff(times), 1 / 25, atol=1e-6)


def test_mov_with_all_frames_at_time_zero_uses_the_codec_frame_rate(tmp_path):
    path = write_video(tmp_path / "same_pts.mov", frames=20, fps=25, same_timestamps=True)
    source = open_source(path)
    times = np.array([frame.t_s for frame in source.frames()])
    assert source.info.fps == pytest.approx(25.0), f"fps {source.info.fps}"
    np.testing.assert_allclose(np.diff(times), 1 / 25, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "container_format", "codec", "same_timestamps"),
    NO_USABLE_TIMESTAMPS,
)
def test_duration_and_frame_count_without_usable_timestamps(tmp_path, name, container_format, codec, same_timestamps):
    path = write_video(tmp_path / name, frames=20, fps=25, codec=codec, container_format=container_format,
                       same_timestamps=same_timestamps)
    info = open_source(path).info
    assert info.duration_s == pytest.approx(20 / 25, abs=0.05), f"duration_s {info.duration_s}"
    assert info.frames == 20, f"frames {info.frames}"


@pytest.mark.parametrize(
    ("clip", "fps"),
    [
        pytest.param("clips/Pichayanon-FiT-AI/squat_correct_1.mp4", 30.12, id="codec rate 15360 (a time base)"),
        pytest.param("clips/mattiolato98-deadlift-visual-analyzer/Good/000001.mp4", 29.97, id="codec rate 30000"),
    ],
)
def test_a_time_base_in_the_codec_frame_rate_is_not_taken_for_the_rate(shared, clip, fps):
    """Regression: these clips used to report 15360 and 30000 fps (the encoder's time base)."""
    assert open_source(shared / clip).info.fps == pytest.approx(fps, abs=0.01)
