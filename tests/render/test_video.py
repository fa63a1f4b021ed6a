"""The annotated video: every source frame, same size and timing, H.264 a browser plays, drawn from the review."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest
from helpers import source_info, squat_frames
from typer.testing import CliRunner

from formcheck.back.shape import LOW_CONFIDENCE, BackShape
from formcheck.cli import app
from formcheck.engine import analyze_poses
from formcheck.errors import SourceError
from formcheck.pipeline import review_with_poses
from formcheck.pose.cache import PoseCache
from formcheck.render.layout import layout_frame
from formcheck.render.video import (
    BACK_COLOUR,
    FAULT_COLOUR,
    FramePainter,
    angle_marks,
    captions,
    counter,
    fault_segments,
    write_annotated_video,
)
from formcheck.review.words import fault_name
from formcheck.sources import open_source
from formcheck.specs import load_spec


def test_annotated_video_is_browser_h264_with_every_frame_at_the_source_size(faulty_squat: Path, tmp_path: Path) -> None:
    clip = faulty_squat
    review, track = review_with_poses(clip, "squat", cache=PoseCache())
    target = tmp_path / "annotated.mp4"
    write_annotated_video(clip, track.frames, review, target)
    original, annotated = open_source(clip), open_source(target)
    originals, copies = list(original.frames()), list(annotated.frames())
    assert abs(len(copies) - len(originals)) <= 2
    assert (annotated.info.width, annotated.info.height) == (original.info.width, original.info.height)
    assert annotated.info.duration_s == pytest.approx(original.info.duration_s, abs=0.1)
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
    data = target.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # the index first: a browser plays while it downloads
    # the top band carries the text and the picture below it is drawn on
    middle = len(copies) // 2
    assert not np.array_equal(copies[middle].image[:20], originals[middle].image[:20])
    assert np.abs(copies[middle].image[60:].astype(int) - originals[middle].image[60:].astype(int)).mean() > 1


def test_a_fault_segment_is_red_only_within_its_span() -> None:
    """The forward lean judged at the bottom colours the trunk from the fault's start to its end, not while the
    person still stands tall or after the span (when its caption may still be up to be read)."""
    frames = squat_frames(1, depth_deg=135.0, hip_per_knee=1.1)
    review = analyze_poses(frames, load_spec("squat"), source_info(frames))
    [fault] = review.faults
    assert fault.id == "forward_lean" and fault.start_s < fault.end_s
    painter = FramePainter(review, load_spec("squat"))
    width, height = frames[0].image_wh
    layout = layout_frame(width, height, (("Squat", (0, 0, 0)), ("Rep 1", (0, 0, 0))), [])
    body = slice(layout.band_bottom + 200, layout.timeline[1] - 10)  # below any caption, above the timeline

    def red_pixels(t_s: float) -> int:
        pose = min(frames, key=lambda frame: abs(frame.t_s - t_s))
        image = painter.paint(np.zeros((height, width, 3), np.uint8), pose, pose.t_s)
        return int(np.all(image[body] == FAULT_COLOUR, axis=-1).sum())

    inside = (fault.start_s + fault.end_s) / 2
    assert red_pixels(inside) > 100
    assert red_pixels(review.reps[0].start_s + 0.1) == 0
    assert red_pixels(fault.end_s + 0.2) == 0
    assert fault_name(fault.id) in [name for name, _ in captions(review, fault.end_s + 0.2)]


def test_a_turning_point_cue_is_shown_from_the_bottom_not_while_standing() -> None:
    """A forward lean judged at the bottom of a squat is captioned from its span (and long enough to read it),
    by name and cue, not from the rep's start while the person still stands tall."""
    frames = squat_frames(1, depth_deg=135.0, hip_per_knee=1.1)
    review = analyze_poses(frames, load_spec("squat"), source_info(frames))
    [rep] = review.reps
    [fault] = rep.faults
    assert captions(review, rep.start_s + 0.2) == []
    assert captions(review, rep.turn_s) == [("Leaning forward", fault.cue)] == [(fault_name(fault.id), fault.cue)]


def test_the_counter_reads_against_the_prescription() -> None:
    frames = squat_frames(3)
    review = analyze_poses(frames, load_spec("squat"), source_info(frames))
    spec = load_spec("squat")
    assert counter(review, spec, 0.0) == "8-12 reps"
    assert counter(review, spec, review.reps[2].turn_s) == "Rep 3 of 8-12"
    assert counter(review, spec, review.reps[1].end_s + 0.01) == "Rep 2 of 8-12"  # until the next rep starts


def test_the_angles_drawn_are_the_rep_metric_and_the_judged_ones_one_per_joint() -> None:
    squat = [(mark.metric, mark.points[1 if mark.reference == "extension" else 0]) for mark in angle_marks(load_spec("squat"))]
    assert squat[0] == ("knee_bend_deg", "knee")  # the rep metric, at the knee
    assert ("trunk_lean_deg", "hip") in squat  # forward_lean is judged on it
    assert len({joint for _, joint in squat}) == len(squat)
    hinge = angle_marks(load_spec("hip_hinge"))
    assert hinge[0].metric == "hip_flexion_deg"


def test_a_fault_on_a_combined_or_since_rest_metric_colours_the_segments_it_is_measured_on() -> None:
    squat = load_spec("squat")
    assert fault_segments(squat, "hip_minus_knee_flexion_deg") == [
        (("shoulder", "hip", "knee"), "near"), (("hip", "knee", "ankle"), "near")]
    assert fault_segments(squat, "heel_rise_norm") == [(("foot_index", "heel"), "near")]
    assert fault_segments(squat, None) == []  # a tempo fault: the speed, no segment


def test_cli_writes_the_annotated_video(squat_clip: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.mp4"
    result = CliRunner().invoke(app, ["analyze", str(squat_clip), "-e", "squat", "--annotate", str(target)])
    assert result.exit_code == 0, result.output
    assert open_source(target).info.frames > 0


def test_a_header_rate_under_the_frames_own_rate_still_writes_every_frame(squat_clip: Path, tmp_path: Path) -> None:
    """A phone clip whose header says 29.94 fps while its frames come 1/30.1 s apart (``Bad/000002.mp4``) put two
    frames on one tick of the output's grid, and the muxer refused the file half-way ("Invalid argument")."""
    review, track = review_with_poses(squat_clip, "squat", cache=PoseCache())
    assert review.source.fps is not None
    slow_header = review.model_copy(update={"source": review.source.model_copy(update={"fps": review.source.fps * 0.97})})
    target = tmp_path / "out.mp4"
    write_annotated_video(squat_clip, track.frames, slow_header, target)
    assert abs(open_source(target).info.frames - len(list(open_source(squat_clip).frames()))) <= 2


def test_a_video_that_cannot_be_written_loses_neither_the_review_nor_its_json(squat_clip: Path, tmp_path: Path) -> None:
    review_json = tmp_path / "review.json"
    result = CliRunner().invoke(app, ["analyze", str(squat_clip), "-e", "squat", "--json", str(review_json),
                                      "--annotate", str(tmp_path / "missing-folder" / "out.mp4")])
    assert result.exit_code == 1
    assert "cannot write the annotated video" in result.output
    assert "2 reps" in result.output  # the review was shown before the video failed
    assert review_json.exists()


def test_unwritable_target_is_a_source_error(squat_clip: Path, tmp_path: Path) -> None:
    review, track = review_with_poses(squat_clip, "squat", cache=PoseCache())
    with pytest.raises(SourceError, match="cannot write the annotated video"):
        write_annotated_video(squat_clip, track.frames, review, tmp_path / "missing-folder" / "out.mp4")


def test_the_traced_back_line_is_drawn_only_where_it_was_traced_with_confidence() -> None:
    """A trainer sees the line the back was measured on, and nothing where it was not measured."""
    frames = squat_frames(1)
    review = analyze_poses(frames, load_spec("squat"), source_info(frames))
    painter = FramePainter(review, load_spec("squat"))
    width, height = frames[0].image_wh
    pose = frames[len(frames) // 2]
    line = np.column_stack([np.full(17, 40.0), np.linspace(height * 0.8, height * 0.5, 17)])  # left of the body

    def back_pixels(confidence: float) -> int:
        shaped = dataclasses.replace(pose, back=BackShape(0.02, 0.03, 5.0, confidence, None, line))
        image = painter.paint(np.zeros((height, width, 3), np.uint8), shaped, pose.t_s)
        return int(np.all(image == BACK_COLOUR, axis=-1).sum())

    assert back_pixels(0.9) > 100
    assert back_pixels(LOW_CONFIDENCE / 2) == 0
