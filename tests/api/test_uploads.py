"""Recognising a video container from its first bytes; storing it privately."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from formcheck.api.uploads import save_upload, sniff_video_suffix


@pytest.mark.parametrize(
    ("head", "suffix"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00", ".mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00", ".mp4"),  # QuickTime .mov
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81", ".mkv"),  # WebM and Matroska
        (b"RIFF\x10\x00\x00\x00AVI LIST", ".avi"),
        (b"GIF89a\x10\x00\x10\x00\x00\x00", ".gif"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),  # RIFF, but audio
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", None),  # a JPEG photo
        (b"hello world!", None),
    ],
    ids=["mp4", "mov", "webm-mkv", "avi", "gif", "wav", "jpeg", "text"],
)
def test_sniff_video_suffix(head: bytes, suffix: str | None) -> None:
    assert sniff_video_suffix(head) == suffix


def test_a_stored_upload_is_private_to_the_user(tmp_path: Path) -> None:
    head = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    stored = save_upload(io.BytesIO(head), "clip.mp4", tmp_path / "uploads", max_bytes=10_000)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
