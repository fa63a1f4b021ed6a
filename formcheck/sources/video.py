"""Video files through PyAV (FFmpeg): mp4, mov, avi, webm, mkv, animated GIF.

PyAV gives container timestamps (variable frame rate stays correct) and the display
rotation of phone videos, which OpenCV's reader does not expose reliably.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from formcheck.errors import SourceError
from formcheck.sources.base import Frame, SourceInfo
from formcheck.sources.limits import FRAME_LIMITS, FrameSizeError

# What a folder of clips is searched for (``formcheck analyze FOLDER``); a single file is tried whatever its name.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".webm", ".mkv", ".gif", ".mpg", ".mpeg", ".wmv", ".3gp"})

# Frame rates outside this range are a time base or a broken header, not a rate (phones film
# slow motion at up to 960 fps).
MIN_FPS = 1.0
MAX_FPS = 1000.0


def upright(image: npt.NDArray[np.uint8], rotation_deg: int) -> npt.NDArray[np.uint8]:
    """Rotate a decoded image as its display matrix asks.

    ``rotation_deg`` is the display matrix's counter-clockwise rotation (PyAV's
    ``VideoFrame.rotation``; a portrait phone clip usually says -90). Showing the frame
    upright means turning it counter-clockwise by that angle.
    """
    quarter_turns = round(rotation_deg / 90) % 4
    if quarter_turns == 0:
        return image
    return np.ascontiguousarray(np.rot90(image, k=quarter_turns))


class VideoFileSource:
    """Decodes one video file. Open it with :func:`formcheck.sources.open_source`."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.decode_warning: str | None = None
        try:
            with av.open(str(path)) as container:
                if not container.streams.video:
                    raise SourceError(f"{path}: no video stream (is this an audio or data file?)")
                stream = container.streams.video[0]
                if stream.codec_context.width and stream.codec_context.height:  # known before decoding
                    FRAME_LIMITS.check(stream.codec_context.width, stream.codec_context.height, str(path))
                rotation = self._first_rotation(container, stream)
                fps = self._frame_rate(stream)
                width, height = stream.codec_context.width, stream.codec_context.height
            frame_count, duration_s = self._length(path, fps)
        except SourceError:
            raise
        except (av.error.FFmpegError, ValueError, IndexError) as error:
            raise SourceError(f"{path}: not a video formcheck can read (the file is damaged or in no video format)") from error
        if rotation % 180:
            width, height = height, width
        FRAME_LIMITS.check(width, height, str(path))
        self.info = SourceInfo(
            path=str(path),
            fps=round(fps, 3),
            frames=int(frame_count),
            duration_s=round(duration_s, 3),
            width=width,
            height=height,
            rotation=rotation,
        )

    @staticmethod
    def _frame_rate(stream: av.video.stream.VideoStream) -> float:
        """The container's average rate, unless broken timestamps make it absurd next to the codec's.

        Some encoders write their time base (15360, 30000) where the codec's frame rate belongs,
        so a rate is believed only between ``MIN_FPS`` and ``MAX_FPS``.
        """
        container_rate = float(stream.average_rate or stream.guessed_rate or 0.0)
        codec_rate = float(stream.codec_context.framerate or 0.0)
        container_plausible = MIN_FPS <= container_rate <= MAX_FPS
        if MIN_FPS <= codec_rate <= MAX_FPS and (
            not container_plausible or not 0.5 <= container_rate / codec_rate <= 2.0
        ):
            return codec_rate
        return container_rate if container_plausible else 0.0

    @staticmethod
    def _length(path: Path, fps: float) -> tuple[int, float]:
        """(frames, duration_s) from the container, or from counting packets when it does not say.

        Raw H.264 or a stream whose frames all carry time 0 has no usable duration; counting its
        packets (no decoding) gives the frame count, and frames / fps the duration.
        """
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            frames = int(stream.frames or 0)
            if stream.duration and stream.time_base:
                duration_s = float(stream.duration * stream.time_base)
            else:
                duration_s = container.duration / av.time_base if container.duration else 0.0
            if not frames:
                frames = sum(1 for packet in container.demux(stream) if packet.size)
        if fps and duration_s < 0.5 * (frames - 1) / fps:
            duration_s = frames / fps
        return frames, duration_s

    @staticmethod
    def _first_rotation(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> int:
        for frame in container.decode(stream):
            return round(frame.rotation or 0)
        raise SourceError(f"{container.name}: the video has no decodable frame")

    def frames(self) -> Iterator[Frame]:
        """Yield upright RGB frames. Damage part-way stops decoding and sets ``decode_warning``."""
        index = 0
        last_t_s = -1.0
        frame_s = 1.0 / (self.info.fps or 30.0)
        try:
            with av.open(str(self._path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                for video_frame in container.decode(stream):
                    t_s = float(video_frame.time) if video_frame.time is not None else index * frame_s
                    if t_s <= last_t_s:  # missing, repeated or out-of-order timestamps: one frame period on
                        t_s = last_t_s + frame_s
                    last_t_s = t_s
                    if (video_frame.width, video_frame.height) != (stream.codec_context.width, stream.codec_context.height):
                        FRAME_LIMITS.check(video_frame.width, video_frame.height, f"{self._path}: frame {index + 1}")
                    image = upright(np.asarray(video_frame.to_ndarray(format="rgb24"), np.uint8), self.info.rotation)
                    yield Frame(index=index, t_s=t_s, image=image)
                    index += 1
            # Containers often promise a few frames more than they hold (edit lists); only a
            # real gap (half a second, or 5 %) means the file was cut short.
            if self.info.frames - index > max(0.5 * (self.info.fps or 30.0), 0.05 * self.info.frames):
                self.decode_warning = (
                    f"the file is cut short: {index} of {self.info.frames} frames decoded, the rest is missing"
                )
        except av.error.FFmpegError as error:
            if index == 0:
                raise SourceError(f"{self._path}: the video could not be decoded ({error})") from error
            self.decode_warning = f"decoding stopped at frame {index} ({t_s:.2f} s): the file is damaged after that"
        except FrameSizeError as error:
            if index == 0:
                raise
            self.decode_warning = f"decoding stopped at frame {index} ({t_s:.2f} s): {error}"
