"""Where the annotated video's text and timeline go, for any frame size (pure geometry, no pixels).

Sizes follow the frame so a clip stays readable when a phone shrinks it to 360 px wide: capitals are at least
1/25 of the frame height (and 1/40 of its width, so a landscape clip shrunk to a phone's width still reads),
lines wrap to the frame's width instead of shrinking, and everything lies inside the frame.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from PIL import ImageFont

Colour = tuple[int, int, int]
# DejaVu Sans Bold ships with matplotlib: the same font everywhere, nothing fetched at run time.
FONT_FILE = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
MIN_CAP_PER_HEIGHT = 1 / 25
MIN_CAP_PER_WIDTH = 1 / 40
MAX_BAND_FRACTION = 0.45  # the band never hides more than this of the frame: cues drop to their names first


@functools.lru_cache(maxsize=16)
def font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size_px)


def cap_height(size_px: int) -> int:
    """The height of a capital letter in pixels at this font size (what "text height" means here)."""
    top, bottom = font(size_px).getbbox("H")[1::2]
    return int(bottom - top)


def font_size_for(width: int, height: int) -> int:
    """The smallest font size whose capitals meet the size rule for a frame of this size."""
    needed = max(height * MIN_CAP_PER_HEIGHT, width * MIN_CAP_PER_WIDTH)
    size = max(8, math.floor(needed / 0.73))  # DejaVu's capitals are about 0.73 of the size
    while cap_height(size) < needed:
        size += 1
    return size


@dataclass(frozen=True)
class TextLine:
    """One line of text with its box (left, top, width, height) in frame pixels, outline included."""

    text: str
    colour: Colour
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class Layout:
    """A frame's text lines, the translucent band behind them (rows 0..band_bottom) and the timeline box."""

    font_px: int
    outline_px: int
    lines: tuple[TextLine, ...]
    band_bottom: int
    timeline: tuple[int, int, int, int]  # left, top, right, bottom (exclusive)


def outline_px(font_px: int) -> int:
    return max(1, round(font_px / 14))


def text_box(text: str, font_px: int) -> tuple[int, int]:
    """Width and height of ``text`` drawn with its outline."""
    ascent, descent = font(font_px).getmetrics()
    stroke = outline_px(font_px)
    return math.ceil(font(font_px).getlength(text)) + 2 * stroke, ascent + descent + 2 * stroke


def wrap(text: str, font_px: int, max_width: int) -> list[str]:
    """``text`` in lines no wider than ``max_width``, broken between words (inside a word only if it is too long)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_box(candidate, font_px)[0] <= max_width:
            lines[-1] = candidate
            continue
        while len(word) > 1 and text_box(word, font_px)[0] > max_width:
            cut = len(word) - 1
            while cut > 1 and text_box(word[:cut], font_px)[0] > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


Row = list[tuple[str, Colour, str]]  # the texts of one line: (text, colour, "left" | "right")


def _with_captions(rows: list[Row], captions: list[tuple[tuple[str, Colour], tuple[str, Colour]]], size: int,
                   usable: int, max_rows: int) -> tuple[list[Row], bool]:
    """``rows`` followed by each caption's name and cue rows, within ``max_rows``: the names first (in order, while
    they fit), then the cues that still fit; whether every cue fitted."""
    names = [[[(part, colour, "left")] for part in wrap(name, size, usable)] for (name, colour), _ in captions]
    cues = [[[(part, colour, "left")] for part in wrap(cue, size, usable)] for _, (cue, colour) in captions]
    used, kept_names, kept_cues = len(rows), list[bool](), list[bool]()
    for name_rows in names:
        kept_names.append(used + len(name_rows) <= max_rows)
        used += len(name_rows) if kept_names[-1] else 0
    for cue_rows, named in zip(cues, kept_names):
        kept_cues.append(named and used + len(cue_rows) <= max_rows)
        used += len(cue_rows) if kept_cues[-1] else 0
    placed: list[Row] = list(rows)
    for name_rows, cue_rows, named, cued in zip(names, cues, kept_names, kept_cues):
        placed += (name_rows if named else []) + (cue_rows if cued else [])
    return placed, all(kept_cues)


def layout_frame(
    width: int, height: int, header: tuple[tuple[str, Colour], tuple[str, Colour]],
    captions: list[tuple[tuple[str, Colour], tuple[str, Colour]]],
) -> Layout:
    """Place the header (title on the left, counter on the right, or below it when both do not fit) and each
    caption (a fault's name, then its cue) in a band along the top, and the timeline along the bottom.

    A cue that would push the band past ``MAX_BAND_FRACTION`` of the height is left out (its name stays).
    """
    size = font_size_for(width, height)
    pad = max(4, size // 3)
    usable = width - 2 * pad
    (title, title_colour), (counter, counter_colour) = header
    line_height = text_box("Hg", size)[1]
    counter_rows: list[Row] = [[(part, counter_colour, "left")] for part in wrap(counter, size, usable)]
    max_rows = (int(height * MAX_BAND_FRACTION) - 2 * pad) // line_height
    if text_box(title, size)[0] + pad + text_box(counter, size)[0] <= usable:
        rows = _with_captions([[(title, title_colour, "left"), (counter, counter_colour, "right")]], captions, size,
                              usable, max_rows)[0]
    else:
        title_rows: list[Row] = [[(part, title_colour, "left")] for part in wrap(title, size, usable)]
        rows, complete = _with_captions(title_rows + counter_rows, captions, size, usable, max_rows)
        if not complete:  # the title on rows of its own gives way to a cue
            rows = _with_captions(counter_rows, captions, size, usable, max_rows)[0]
    lines: list[TextLine] = []
    for number, row in enumerate(rows):
        top = pad + number * line_height
        for text, colour, align in row:
            text_width = text_box(text, size)[0]
            left = pad if align == "left" else width - pad - text_width
            lines.append(TextLine(text, colour, left, top, text_width, line_height))
    band_bottom = min(height, pad + len(rows) * line_height + pad)
    thickness = max(4, round(height / 90))
    bottom = height - pad - thickness  # the playhead reaches one thickness below the bar
    return Layout(size, outline_px(size), tuple(lines), band_bottom,
                  (pad, bottom - thickness, width - pad, bottom))
