"""A still image as a one-frame source (for checking a position from a photo)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from formcheck.errors import SourceError
from formcheck.sources.base import Frame, SourceInfo
from formcheck.sources.limits import FRAME_LIMITS

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def image_size(path_or_file: Path | BinaryIO, name: str) -> tuple[int, int]:
    """(width, height) from an image's header alone, before anything is decoded.

    Raises:
        SourceError: the bytes are not an image Pillow recognises.
    """
    try:
        with warnings.catch_warnings():  # our own limits judge the size; Pillow's bomb warning is noise
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path_or_file) as image:
                width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as error:
        raise SourceError(f"{name}: not an image formcheck can read") from error
    return int(width), int(height)


class ImageSource:
    def __init__(self, path: Path) -> None:
        FRAME_LIMITS.check(*image_size(path, str(path)), str(path))
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise SourceError(f"{path}: not an image formcheck can read")
        self._image: npt.NDArray[np.uint8] = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8)
        height, width = self._image.shape[:2]
        self.decode_warning: str | None = None
        self.info = SourceInfo(path=str(path), fps=0.0, frames=1, duration_s=0.0, width=width, height=height, rotation=0)

    def frames(self) -> Iterator[Frame]:
        yield Frame(index=0, t_s=0.0, image=self._image)
