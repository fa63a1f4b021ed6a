"""The frame type every source yields and the facts a review records about its source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame.

    Attributes:
        index: 0-based index in the source.
        t_s: presentation time in seconds (from the container, so variable frame rates keep
            their real timing).
        image: (H, W, 3) uint8 RGB, already rotated as the container asks.
    """

    index: int
    t_s: float
    image: npt.NDArray[np.uint8]


@dataclass(frozen=True)
class SourceInfo:
    """What the review records about its source (``source`` in the review JSON)."""

    path: str
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int
    rotation: int


class FrameSource(Protocol):
    """Anything that yields frames and describes itself."""

    @property
    def info(self) -> SourceInfo: ...

    def frames(self) -> Iterator[Frame]: ...

    @property
    def decode_warning(self) -> str | None:
        """Set when decoding stopped early on damaged data (frames before it are kept)."""
        ...
