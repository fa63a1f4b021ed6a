"""A seeded, bounded corpus of hostile inputs for the fuzz tests of every door (CLI, upload, socket).

Sizes from 1x1 to 10000x10000, extreme aspect ratios, random bytes, truncated and header-only
files. Everything is generated from ``SEED``, so a failure names a case that can be rebuilt.
Large pictures are written as flat PNG/GIF/JPEG, which compress to almost nothing: the
point is what their *header* claims, which must be refused before anything is decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image

SEED = 20261203

# (width, height): degenerate, thin strips, just inside and outside the bounds, huge.
FIXED_SIZES = [
    (1, 1), (1, 60), (60, 1), (1, 100), (10, 600), (63, 200), (64, 64), (100, 4000), (4000, 100),
    (500, 2001), (8193, 2100), (8000, 8000), (10000, 10000), (640, 480),
]


def random_sizes(count: int = 6) -> list[tuple[int, int]]:
    """Log-uniform sizes in 1..10000 (seeded)."""
    rng = np.random.default_rng(SEED)
    sides = np.exp(rng.uniform(0, np.log(10000), size=(count, 2))).astype(int)
    return [(int(w), int(h)) for w, h in np.maximum(sides, 1)]


SIZES = FIXED_SIZES + random_sizes()


def picture_bytes(width: int, height: int, fmt: str) -> bytes:
    """A flat picture of that size, encoded (PNG, JPEG, or a 3-frame GIF).

    Huge ones are one-bit (PNG) or grey (GIF, JPEG), so building the corpus stays cheap; the
    header still claims the full size.
    """
    huge = width * height > 4_000_000
    out = io.BytesIO()
    if fmt == "GIF":
        frames = [Image.new("L", (width, height), v) for v in ((60,) if huge else (60, 120, 180))]
        frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=40, loop=0)
    else:
        mode = ("1" if fmt == "PNG" else "L") if huge else "RGB"
        Image.new(mode, (width, height), 1 if mode == "1" else 128).save(out, format=fmt)
    return out.getvalue()


def video_bytes(width: int, height: int, frames: int = 3) -> bytes:
    """A short MPEG-4 (mp4 container) of that size; the encoder needs even sides."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        for index in range(frames):
            pixels = np.full((height, width, 3), 40 * index, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    """One corpus file: its name (with the suffix that says what it claims to be) and bytes."""

    name: str
    data: bytes


def file_cases(sample_video: Path) -> list[Case]:
    """Files for the CLI and the upload door: pictures, GIFs, videos, random and broken bytes."""
    rng = np.random.default_rng(SEED)
    cases: list[Case] = []
    for width, height in SIZES:
        cases.append(Case(f"still_{width}x{height}.png", picture_bytes(width, height, "PNG")))
        cases.append(Case(f"anim_{width}x{height}.gif", picture_bytes(width, height, "GIF")))
    for width, height in [(2, 2), (16, 600), (64, 64), (2, 1000), (96, 64)]:
        cases.append(Case(f"video_{width}x{height}.mp4", video_bytes(width, height)))
    sample = sample_video.read_bytes()
    cases += [
        Case("random.mp4", rng.bytes(4096)),
        Case("random_after_ftyp.mp4", sample[:12] + rng.bytes(20000)),
        Case("header_only.mp4", sample[:64]),
        Case("truncated_half.mp4", sample[: len(sample) // 2]),
        Case("random.png", rng.bytes(1000)),
        Case("png_header_only.png", picture_bytes(640, 480, "PNG")[:40]),
        Case("gif_header_only.gif", picture_bytes(64, 64, "GIF")[:30]),
    ]
    return cases


def frame_cases() -> list[tuple[str, bytes]]:
    """JPEG frames (and non-JPEG bytes) for the live socket."""
    rng = np.random.default_rng(SEED + 1)
    cases = [(f"jpeg_{w}x{h}", picture_bytes(w, h, "JPEG")) for w, h in SIZES]
    cases += [("random_bytes", rng.bytes(3000)), ("png_not_jpeg", picture_bytes(320, 240, "PNG"))]
    cases.append(("truncated_jpeg", picture_bytes(640, 480, "JPEG")[:300]))
    return cases


# Capture-time sequences: absurd values and jumps the socket must survive or refuse cleanly.
TIMESTAMP_CASES = {
    "zero_then_huge_jump": [0, 33, 10**15, 10**15 + 33],
    "max_uint64": [2**64 - 2, 2**64 - 1],
    "start_at_huge": [10**15, 10**15 + 33, 10**15 + 66],
}
