"""The picture sizes formcheck accepts, checked before a frame is decoded or reaches the pose model.

The pose model asserts (and takes the whole process down) on extreme shapes: a 1x60 GIF
enlarged for the model became 720x43200. A decoded 8000x8000 frame costs 570 MB. So every
door checks the size it is told (container header, image header, JPEG header) before
decoding, and the pose stage checks each frame again before the model sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.errors import SourceError


class FrameSizeError(SourceError):
    """A frame's width, height, shape or pixel count is outside ``FrameLimits``."""


@dataclass(frozen=True)
class FrameLimits:
    """Bounds on one frame's picture.

    Attributes:
        min_side_px: a body under this many pixels across cannot be analysed (the model's
            detector works on a 224 px square; below 64 px a person is a few pixels wide).
        max_side_px: 8192, above 8K UHD (7680 px), the largest a camera films.
        max_pixels: 40 million, above 8K UHD (33.2 MP); the decoded RGB frame is 120 MB.
        max_aspect: 4:1 either way; phone portrait is 16:9 (1.8), cinema 2.4:1. A thinner
            strip holds no whole body and is what broke the model.
    """

    min_side_px: int = 64
    max_side_px: int = 8192
    max_pixels: int = 40_000_000
    max_aspect: float = 4.0

    def problem(self, width: int, height: int) -> str | None:
        """Why a ``width`` x ``height`` frame cannot be analysed, or None when it can."""
        size = f"{width}x{height} px"
        if width <= 0 or height <= 0:
            return f"the picture has no size ({size})"
        if min(width, height) < self.min_side_px:
            return f"the picture is {size}: too small to find a body (each side must be at least {self.min_side_px} px)"
        if max(width, height) > self.max_side_px or width * height > self.max_pixels:
            return (
                f"the picture is {size}: too large (at most {self.max_side_px} px a side and "
                f"{self.max_pixels / 1e6:g} million pixels)"
            )
        if max(width, height) / min(width, height) > self.max_aspect:
            return f"the picture is {size}: too thin a strip to hold a body (at most {self.max_aspect:g}:1)"
        return None

    def check(self, width: int, height: int, what: str) -> None:
        """Raise ``FrameSizeError`` naming ``what`` (a file, "frame 3") when the size is out of bounds."""
        problem = self.problem(width, height)
        if problem is not None:
            raise FrameSizeError(f"{what}: {problem}")


FRAME_LIMITS = FrameLimits()
