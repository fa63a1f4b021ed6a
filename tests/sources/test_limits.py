"""The input bounds: what each size gets, and that pictures are refused from their header alone."""

from __future__ import annotations

import pytest
from PIL import Image

from formcheck.pose.estimator import PoseSettings
from formcheck.sources import open_source
from formcheck.sources.limits import FRAME_LIMITS, FrameSizeError


@pytest.mark.parametrize(
    ("size", "verdict"),
    [
        ((64, 64), None),
        ((640, 480), None),
        ((7680, 4320), None),  # 8K UHD
        ((1080, 1920), None),  # portrait phone
        ((256, 1024), None),  # exactly 4:1
        ((63, 200), "too small"),
        ((1, 60), "too small"),
        ((0, 100), "no size"),
        ((8193, 2100), "too large"),
        ((8000, 8000), "too large"),  # 64 MP
        ((257, 1029), "too thin"),
        ((4000, 100), "too thin"),
    ],
)
def test_bounds(size: tuple[int, int], verdict: str | None) -> None:
    problem = FRAME_LIMITS.problem(*size)
    assert (problem is None) if verdict is None else (problem is not None and verdict in problem)


def test_enlargement_for_the_model_is_capped_at_4x() -> None:
    settings = PoseSettings()
    assert settings.upscale_factor(640, 360) == pytest.approx(2.0)
    assert settings.upscale_factor(100, 64) == pytest.approx(4.0)  # 720 / 64 would be 11.25


def test_a_huge_image_is_refused_from_its_header(tmp_path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (10000, 10000)).save(path)  # 12 MB of pixels on disk as a few kB; 300 MB decoded
    with pytest.raises(FrameSizeError, match=r"huge.png: the picture is 10000x10000 px: too large"):
        open_source(path)


def test_a_thin_strip_is_refused_with_its_size(tmp_path) -> None:
    path = tmp_path / "strip.png"
    Image.new("RGB", (10, 600)).save(path)
    with pytest.raises(FrameSizeError, match=r"strip.png: the picture is 10x600 px: too small to find a body"):
        open_source(path)
