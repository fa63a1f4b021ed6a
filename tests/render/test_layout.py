"""The annotated video's layout: readable on a phone at any frame size, and nothing outside the frame."""

from __future__ import annotations

import pytest

from formcheck.render.layout import cap_height, layout_frame, text_box, wrap

WHITE, RED = (255, 255, 255), (255, 60, 50)
LONG_CUE = "Stop just above the point where your pelvis tucks under - keep the low back neutral"


@pytest.mark.parametrize("width, height", [(360, 640), (360, 202), (1080, 1920), (1080, 608)])
def test_captions_meet_the_size_rule_and_stay_inside_the_frame(width: int, height: int) -> None:
    layout = layout_frame(width, height, (("Hip hinge / deadlift", WHITE), ("Rep 10 of 8-12", WHITE)),
                          [(("Rounded back", RED), ("Flat back - chest proud, brace before you lift", WHITE)),
                           (("Pelvis tucking under", RED), (LONG_CUE, WHITE))])
    assert cap_height(layout.font_px) >= height / 25
    assert cap_height(layout.font_px) >= width / 40  # a landscape clip shrunk to a phone's width still reads
    assert layout.lines
    for line in layout.lines:
        assert 0 <= line.left and line.left + line.width <= width, line
        assert 0 <= line.top and line.top + line.height <= layout.band_bottom <= height, line
    left, top, right, bottom = layout.timeline
    thickness = bottom - top
    assert 0 <= left < right <= width
    assert layout.band_bottom < top - thickness and bottom + thickness <= height  # the playhead's reach included


def test_a_cue_too_long_for_the_band_gives_way_but_its_fault_name_stays() -> None:
    layout = layout_frame(202, 360, (("Squat", WHITE), ("Rep 1 of 8-12", WHITE)),
                          [(("Leaning forward", RED), ("Chest up - keep your trunk more upright", WHITE)),
                           (("Not deep enough", RED), ("Sit deeper - hips down toward knee height", WHITE))])
    texts = " ".join(line.text for line in layout.lines)
    assert "Leaning forward" in texts and "Not deep" in texts
    assert layout.band_bottom <= 0.45 * 360


def test_the_title_gives_way_to_a_cue_on_a_narrow_frame() -> None:
    layout = layout_frame(360, 640, (("Hip hinge / deadlift", WHITE), ("Rep 4 of 8-12", WHITE)),
                          [(("Rounded back", RED), ("Flat back - chest proud, brace before you lift", WHITE))])
    texts = " ".join(line.text for line in layout.lines)
    assert "Hip hinge" not in texts
    assert "Rep 4 of 8-12" in texts and "before you lift" in texts


def test_wrapping_breaks_between_words_and_inside_a_word_only_when_it_must() -> None:
    size = 30
    cue = "Sit deeper - hips down toward knee height"
    lines = wrap(cue, size, 200)
    assert len(lines) > 1 and " ".join(lines) == cue
    assert all(text_box(line, size)[0] <= 200 for line in lines)
    pieces = wrap("Supercalifragilistic", size, 120)
    assert len(pieces) > 1 and "".join(pieces) == "Supercalifragilistic"
    assert all(text_box(piece, size)[0] <= 120 for piece in pieces)
