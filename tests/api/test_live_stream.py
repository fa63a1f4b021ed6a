"""The live protocol's pieces without a server: message parsing, the latest-frame slot, LiveSession."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import struct
from contextlib import AbstractContextManager, nullcontext

import cv2
import numpy as np
import pytest
from helpers import source_info, squat_frames

from formcheck.api.errors import FrameTooLargeError
from formcheck.api.live_stream import IncomingFrame, LatestFrameSlot, feedback_message, parse_frame, parse_text
from formcheck.engine import analyze_poses
from formcheck.errors import MessageError
from formcheck.landmarks import PoseFrame, PoseStatus
from formcheck.live import LiveSession
from formcheck.setup_check import NO_ONE_SEEN, TOO_DARK
from formcheck.sources.base import Frame
from formcheck.specs import load_spec

JPEG = b"\xff\xd8 pretend jpeg \xff\xd9"


@pytest.mark.parametrize(
    ("data", "max_frame_bytes", "expected", "raises"),
    [
        (struct.pack(">Q", 1234) + JPEG, 100, (1234, JPEG), nullcontext()),
        (struct.pack(">Q", 2**63) + JPEG, 100, (2**63, JPEG), nullcontext()),
        (struct.pack(">Q", 1234) + JPEG, len(JPEG) - 1, None, pytest.raises(FrameTooLargeError, match="over the")),
        (struct.pack(">Q", 1234), 100, None, pytest.raises(MessageError, match="binary message of 8 bytes")),
        (b"\x01\x02\x03", 100, None, pytest.raises(MessageError, match="binary message of 3 bytes")),
    ],
    ids=["ok", "large-time", "too-big", "header-only", "short"],
)
def test_parse_frame(data: bytes, max_frame_bytes: int, expected: tuple[int, bytes] | None, raises: AbstractContextManager[object]) -> None:
    with raises:
        assert parse_frame(data, max_frame_bytes) == expected


@pytest.mark.parametrize(
    ("text", "raises"),
    [
        ('{"type": "end"}', nullcontext()),
        ('{"type":"end"}', nullcontext()),
        ('{"type": "begin"}', nullcontext()),
        ("end", pytest.raises(MessageError, match="not JSON")),
        ('{"type": "end", "extra": 1}', pytest.raises(MessageError, match="unknown message type 'end'")),
        ("[1, 2]", pytest.raises(MessageError, match="unknown message type None")),
    ],
)
def test_parse_text(text: str, raises: AbstractContextManager[object]) -> None:
    with raises:
        assert parse_text(text) == json.loads(text)["type"]


def test_latest_frame_wins_and_displaced_frames_are_counted() -> None:
    async def scenario() -> tuple[list[int], int]:
        slot = LatestFrameSlot()
        for t_ms in (1, 2, 3):
            slot.put(IncomingFrame(t_ms, JPEG, 0.0))
        first = await slot.take()
        slot.put(IncomingFrame(4, JPEG, 0.0))
        slot.close()
        second = await slot.take()
        assert await slot.take() is None
        assert first is not None and second is not None
        return [first.t_ms, second.t_ms], slot.dropped

    assert asyncio.run(scenario()) == ([3, 4], 2)


def test_take_waits_for_the_next_frame() -> None:
    async def scenario() -> int:
        slot = LatestFrameSlot()
        waiter = asyncio.create_task(slot.take())
        await asyncio.sleep(0)
        assert not waiter.done()
        slot.put(IncomingFrame(7, JPEG, 0.0))
        frame = await waiter
        assert frame is not None
        return frame.t_ms

    assert asyncio.run(scenario()) == 7


class ReplayEstimator:
    """Plays back recorded poses in place of the model (the frame's time wins, as with a camera)."""

    def __init__(self, poses: list[PoseFrame]) -> None:
        self._poses = poses
        self.closed = False

    def estimate(self, frame: Frame) -> PoseFrame:
        return dataclasses.replace(self._poses[frame.index], frame_index=frame.index, t_s=frame.t_s)

    def close(self) -> None:
        self.closed = True


def test_live_session_reaches_the_same_review_as_a_recorded_track() -> None:
    spec = load_spec("squat")
    # Capture times travel in whole milliseconds; the recorded track gets the same times.
    poses = [dataclasses.replace(pose, t_s=round(pose.t_s, 3)) for pose in squat_frames(reps=3)]
    ok, jpeg = cv2.imencode(".jpg", np.zeros((96, 64, 3), np.uint8))
    assert ok
    estimator = ReplayEstimator(poses)
    session = LiveSession(spec, estimator)

    updates = [session.process(5_000 + round(pose.t_s * 1000), jpeg.tobytes()) for pose in poses]
    live = session.finish()
    session.close()

    recorded = analyze_poses(poses, spec, source_info(poses))
    assert updates[-1].feedback.rep_count == live.rep_count == recorded.rep_count == 3
    assert [(r.start_s, r.end_s) for r in live.reps] == [(r.start_s, r.end_s) for r in recorded.reps]
    assert (live.source.width, live.source.height) == (64, 96)
    assert live.source.frames == len(poses)
    assert estimator.closed


def test_live_session_refuses_bytes_that_are_not_an_image() -> None:
    session = LiveSession(load_spec("squat"), ReplayEstimator([]))

    with pytest.raises(MessageError, match="frame 1: not a decodable JPEG image"):
        session.process(0, b"definitely not a jpeg")


def jpeg_of_level(level: int) -> bytes:
    ok, jpeg = cv2.imencode(".jpg", np.full((96, 64, 3), level, np.uint8))
    assert ok
    return jpeg.tobytes()


def test_begin_starts_the_count_over_from_the_next_frame() -> None:
    first = [dataclasses.replace(pose, t_s=round(pose.t_s, 3)) for pose in squat_frames(reps=2)]
    offset_s = first[-1].t_s + 0.5
    second = [dataclasses.replace(pose, t_s=round(pose.t_s + offset_s, 3)) for pose in squat_frames(reps=3)]
    session = LiveSession(load_spec("squat"), ReplayEstimator(first + second))
    jpeg = jpeg_of_level(128)

    before = [session.process(round(pose.t_s * 1000), jpeg) for pose in first]
    session.begin()
    after = [session.process(round(pose.t_s * 1000), jpeg) for pose in second]

    assert before[-1].feedback.rep_count == 2
    assert not before[-1].counting and after[0].counting
    assert after[0].feedback.rep_count == 0
    assert after[-1].feedback.rep_count == 3
    review = session.finish()
    assert review.rep_count == 3
    assert all(rep.start_s >= offset_s for rep in review.reps)


def test_setup_advice_asks_for_light_then_says_nothing_once_the_set_up_is_good() -> None:
    poses = [dataclasses.replace(pose, t_s=round(pose.t_s, 3)) for pose in squat_frames(reps=1)]
    session = LiveSession(load_spec("squat"), ReplayEstimator(poses))

    dark = session.process(0, jpeg_of_level(20))
    lit = [session.process(round(pose.t_s * 1000), jpeg_of_level(128)) for pose in poses[1:]]

    assert dark.setup_advice == TOO_DARK
    assert lit[-1].setup_advice is None


def test_setup_advice_asks_to_step_back_when_no_one_is_seen() -> None:
    missing = PoseFrame.missing(0, 0.0, (64, 96))
    session = LiveSession(load_spec("squat"), ReplayEstimator([missing]))
    assert session.process(0, jpeg_of_level(128)).setup_advice == NO_ONE_SEEN


def test_setup_advice_passes_on_the_engines_camera_advice() -> None:
    poses = squat_frames(reps=1)
    cut = dataclasses.replace(poses[0], status=PoseStatus.PARTLY_OUT_OF_FRAME, image_xy=poses[0].image_xy + [0.0, 0.3])
    session = LiveSession(load_spec("squat"), ReplayEstimator([cut]))
    assert session.process(0, jpeg_of_level(128)).setup_advice == "step back: feet out of frame"


def test_range_meter_fills_as_the_squat_goes_down_and_empties_at_the_top() -> None:
    poses = [dataclasses.replace(pose, t_s=round(pose.t_s, 3)) for pose in squat_frames(reps=1, depth_deg=100.0)]
    session = LiveSession(load_spec("squat"), ReplayEstimator(poses))
    fractions = [session.process(round(pose.t_s * 1000), jpeg_of_level(128)).range_fraction for pose in poses]

    seen = [fraction for fraction in fractions if fraction is not None]
    assert seen[0] == pytest.approx(0, abs=0.05)
    assert max(seen) > 1.0  # a 100 deg squat is past the swing that counts
    assert seen[-1] == pytest.approx(0, abs=0.1)


def test_feedback_message_carries_the_setup_check_and_the_range() -> None:
    poses = [dataclasses.replace(pose, t_s=round(pose.t_s, 3)) for pose in squat_frames(reps=1)]
    session = LiveSession(load_spec("squat"), ReplayEstimator(poses))
    message = feedback_message(session.process(0, jpeg_of_level(10)), dropped=0, latency_ms=1.0)
    assert message["setup"] == {"ready": False, "advice": TOO_DARK}
    assert "range" in message
