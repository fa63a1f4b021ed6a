"""The annotated video: every source frame, same size and timing, drawn from the review."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import source_info, squat_frames
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.engine import analyze_poses
from formcheck.errors import SourceError
from formcheck.pipeline import review_with_poses
from formcheck.pose.cache import PoseCache
from formcheck.render.video import _frame_lines, write_annotated_video
from formcheck.sources import open_source
from formcheck.specs import load_spec


def test_annotated_video_keeps_every_frame_and_its_timing(squat_clip: Path, tmp_path: Path) -> None:
    review, track = review_with_poses(squat_clip, "squat", cache=PoseCache())
    target = tmp_path / "annotated.mp4"
    write_annotated_video(squat_clip, track.frames, review, target)
    original, annotated = open_source(squat_clip), open_source(target)
    originals, copies = list(original.frames()), list(annotated.frames())
    assert len(copies) == len(originals)
    assert (annotated.info.width, annotated.info.height) == (original.info.width, original.info.height)
    assert annotated.info.duration_s == pytest.approx(original.info.duration_s, abs=0.1)
    # the top band carries the text: it differs from the source there, and the skeleton is drawn below it
    middle = len(copies) // 2
    assert not np.array_equal(copies[middle].image[:20], originals[middle].image[:20])
    assert np.abs(copies[middle].image[40:].astype(int) - originals[middle].image[40:].astype(int)).mean() > 1


def test_a_turning_point_cue_is_drawn_at_the_bottom_not_while_standing() -> None:
    """A forward lean judged at the bottom of a squat is drawn from the bottom (its span, and a second more to
    read it), not from the rep's start, while the person still stands tall."""
    frames = squat_frames(1, depth_deg=135.0, hip_per_knee=1.1)
    review = analyze_poses(frames, load_spec("squat"), source_info(frames))
    [rep] = review.reps
    [fault] = rep.faults
    assert fault.id == "forward_lean"
    assert fault.cue not in [text for text, _ in _frame_lines(review, rep.start_s + 0.2)]
    assert fault.cue in [text for text, _ in _frame_lines(review, rep.turn_s)]


def test_cli_writes_the_annotated_video(squat_clip: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.mp4"
    result = CliRunner().invoke(app, ["analyze", str(squat_clip), "-e", "squat", "--annotate", str(target)])
    assert result.exit_code == 0, result.output
    assert open_source(target).info.frames > 0


def test_unwritable_target_is_a_source_error(squat_clip: Path, tmp_path: Path) -> None:
    review, track = review_with_poses(squat_clip, "squat", cache=PoseCache())
    with pytest.raises(SourceError, match="cannot write the annotated video"):
        write_annotated_video(squat_clip, track.frames, review, tmp_path / "missing-folder" / "out.mp4")
