"""Choose the source for a path or camera index, with clear errors for unusable input."""

from __future__ import annotations

from pathlib import Path

from formcheck.errors import SourceError
from formcheck.sources.base import FrameSource
from formcheck.sources.image import IMAGE_SUFFIXES, ImageSource
from formcheck.sources.video import VideoFileSource
from formcheck.sources.webcam import WebcamSource


def open_source(target: str | Path) -> FrameSource:
    """Open a video file, a still image, or a webcam (a bare integer such as ``"0"``).

    Raises:
        SourceError: the file is missing, empty, a directory, or not a readable video/image.
    """
    text = str(target)
    if text.isdigit():
        return WebcamSource(int(text))
    path = Path(text)
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a video file")
    if path.stat().st_size == 0:
        raise SourceError(f"{path}: the file is empty (0 bytes)")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path)
