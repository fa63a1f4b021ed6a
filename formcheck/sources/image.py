"""A still image as a one-frame source (for checking a position from a photo)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import SourceError
from formcheck.sources.base import Frame, SourceInfo

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


class ImageSource:
    def __init__(self, path: Path) -> None:
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise SourceError(f"{path}: not an image formcheck can read")
        self._image: npt.NDArray[np.uint8] = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8)
        height, width = self._image.shape[:2]
        self.decode_warning: str | None = None
        self.info = SourceInfo(path=str(path), fps=0.0, frames=1, duration_s=0.0, width=width, height=height, rotation=0)

    def frames(self) -> Iterator[Frame]:
        yield Frame(index=0, t_s=0.0, image=self._image)
