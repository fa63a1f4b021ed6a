"""Frame sources: video files, still images and webcams, all yielding upright RGB ``Frame``s."""

from formcheck.sources.base import Frame, FrameSource, SourceInfo
from formcheck.sources.open import open_source

__all__ = ["Frame", "FrameSource", "SourceInfo", "open_source"]
