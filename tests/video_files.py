"""Small test videos written with PyAV: grey frames getting brighter, with a marker to check orientation."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

MARKER = 8  # a white square this many pixels wide in the top-left corner of every written frame


def write_video(path: Path, frames: int = 20, fps: int = 25, size: tuple[int, int] = (128, 64), codec: str = "mpeg4",
                container_format: str | None = None, rotation: int | None = None, options: dict | None = None,
                same_timestamps: bool = False) -> Path:
    """Write a small test video: grey frames getting brighter, a white marker top-left.

    ``same_timestamps`` stamps every packet with time 0, as broken muxers and screen recorders do.
    """
    width, height = size
    try:
        av.codec.Codec(codec, "w")
    except ValueError:  # UnknownCodecError: depends on the FFmpeg build inside PyAV
        pytest.skip(f"PyAV has no {codec} encoder")
    with av.open(str(path), "w", format=container_format, options=options or {}) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for index in range(frames):
            image = np.full((height, width, 3), 40 + 5 * index, np.uint8)
            image[:MARKER, :MARKER] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = None  # let the encoder (or nobody) number them
            for packet in stream.encode(frame):
                _mux(container, packet, same_timestamps)
        for packet in stream.encode():
            _mux(container, packet, same_timestamps)
    return path


def _mux(container: av.container.OutputContainer, packet: av.Packet, same_timestamps: bool) -> None:
    if same_timestamps:
        packet.pts = packet.dts = 0
    container.mux(packet)
