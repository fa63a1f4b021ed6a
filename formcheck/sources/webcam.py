"""A live camera by index, timed by the wall clock (cameras give no reliable timestamps)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import cv2
import numpy as np

from formcheck.errors import SourceError
from formcheck.sources.base import Frame, SourceInfo


class WebcamSource:
    def __init__(self, index: int, max_duration_s: float | None = None) -> None:
        # OpenCV logs its own backend probing on failure; our one-line error says it better.
        previous = cv2.getLogLevel()
        cv2.setLogLevel(0)  # 0 = silent
        try:
            self._capture = cv2.VideoCapture(index)
        finally:
            cv2.setLogLevel(previous)
        if not self._capture.isOpened():
            raise SourceError(f"camera {index}: could not be opened (is it connected and free?)")
        self._max_duration_s = max_duration_s
        self.decode_warning: str | None = None
        width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.info = SourceInfo(path=f"camera:{index}", fps=fps, frames=0, duration_s=0.0, width=width, height=height, rotation=0)

    def frames(self) -> Iterator[Frame]:
        start = time.monotonic()
        index = 0
        try:
            while True:
                ok, bgr = self._capture.read()
                t_s = time.monotonic() - start
                if not ok or (self._max_duration_s is not None and t_s > self._max_duration_s):
                    return
                yield Frame(index=index, t_s=t_s, image=np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8))
                index += 1
        finally:
            self._capture.release()
