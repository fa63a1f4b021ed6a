"""Annotated video for trainers: the skeleton, the rep count and each fault's cue, drawn from a
finished review (nothing is decided here: every number comes from the review)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt

from formcheck.errors import SourceError
from formcheck.landmarks import PoseFrame
from formcheck.render.overlay import draw_skeleton
from formcheck.review.schema import Review
from formcheck.sources import open_source

FAULT_COLOUR = (255, 80, 60)
TEXT_COLOUR = (255, 255, 255)


def _fitting_scale(text: str, width_px: int, largest: float) -> float:
    """The largest font scale (down to a third of ``largest``) at which ``text`` fits the width."""
    scale = largest
    while scale > largest / 3:
        (text_px, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, max(1, int(2 * scale)))
        if text_px <= width_px:
            break
        scale *= 0.9
    return scale


def _banner(image: npt.NDArray[np.uint8], lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    """Text lines in a dark band along the top of the frame, each shrunk to fit the width."""
    width = image.shape[1]
    largest = max(0.5, width / 900)
    scales = [_fitting_scale(text, width - 20, largest) for text, _ in lines]
    baselines = np.cumsum([int(32 * scale) for scale in scales])
    band = image[: int(baselines[-1]) + 10]
    band[:] = (band * 0.35).astype(np.uint8)
    for (text, colour), scale, baseline in zip(lines, scales, baselines):
        cv2.putText(image, text, (10, int(baseline)), cv2.FONT_HERSHEY_SIMPLEX, scale, colour,
                    max(1, int(2 * scale)), cv2.LINE_AA)


def _frame_lines(review: Review, t_s: float) -> list[tuple[str, tuple[int, int, int]]]:
    reps_done = sum(1 for rep in review.reps if rep.end_s <= t_s)
    unit = "holds" if not review.reps and review.holds else "reps"
    done = reps_done if unit == "reps" else sum(1 for hold in review.holds if hold.end_s <= t_s)
    lines = [(f"{review.exercise}  {unit}: {done}", TEXT_COLOUR)]
    shown: set[str] = set()
    for fault in review.faults:
        if fault.start_s <= t_s <= fault.end_s + 1.0 and fault.id not in shown:  # cue stays up 1 s after
            shown.add(fault.id)
            lines.append((fault.cue, FAULT_COLOUR))
    return lines


def write_annotated_video(source: str | Path, poses: list[PoseFrame], review: Review, target: Path) -> None:
    """Re-read ``source`` and write ``target`` (mp4, H.264) with the review drawn on every frame.

    Raises:
        SourceError: the source cannot be read or the target cannot be written.
    """
    by_index = {pose.frame_index: pose for pose in poses}
    fps = review.source.fps or 30.0
    rate = Fraction(round(fps * 1000), 1000)
    try:
        with av.open(str(target), "w") as container:
            stream = container.add_stream("h264", rate=rate)
            stream.width, stream.height = review.source.width - review.source.width % 2, review.source.height - review.source.height % 2
            stream.pix_fmt = "yuv420p"
            for frame in open_source(source).frames():
                pose = by_index.get(frame.index)
                image = draw_skeleton(frame.image, pose) if pose is not None else frame.image.copy()
                _banner(image, _frame_lines(review, frame.t_s))
                video_frame = av.VideoFrame.from_ndarray(image[: stream.height, : stream.width], format="rgb24")
                # Source time in ms, rebased by the encoder onto the output's frame grid.
                video_frame.pts, video_frame.time_base = round(frame.t_s * 1000), Fraction(1, 1000)
                for packet in stream.encode(video_frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    except (OSError, av.error.FFmpegError) as error:
        raise SourceError(f"{target}: cannot write the annotated video ({error})") from error
