"""WS /ws/live: the live protocol end to end, fed with the frames of a real clip."""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import CancelledError
from typing import Any

import pytest
from api_support import frame_message, receive_close, stream_in_lockstep, unknown_exercise_message
from fastapi.testclient import TestClient

from formcheck.api.errors import close_reason
from formcheck.live import LiveSession
from formcheck.review.schema import Review

POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009


def test_streamed_clip_gives_the_same_reps_as_analyze_video(
    client: TestClient, squat_frames: list[tuple[int, bytes]], squat_reference: Review, squat_labelled_reps: int
) -> None:
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        messages = stream_in_lockstep(ws, squat_frames)
        assert receive_close(ws) == (1000, "")

    feedback = [m for m in messages if m["type"] == "feedback"]
    assert [m["t_ms"] for m in feedback] == [t_ms for t_ms, _ in squat_frames]
    assert all(m["dropped"] == 0 for m in feedback), "lock-step sending never leaves a frame waiting"
    first = feedback[0]
    assert set(first) >= {"t_ms", "status", "rep_count", "phase", "faults", "cue", "landmarks", "latency_ms", "dropped"}
    seen = [m for m in feedback if m["status"] != "no_person"]
    assert seen, "the person is found"
    assert all(len(m["landmarks"]) == 33 and all(len(point) == 3 for point in m["landmarks"]) for m in seen)
    assert all(0.0 <= m["landmarks"][0][2] <= 1.0 for m in seen)
    assert all(m["latency_ms"] >= 0 for m in feedback)

    reps = [m for m in messages if m["type"] == "rep"]
    assert [m["rep_count"] for m in reps] == list(range(1, squat_labelled_reps + 1))
    assert feedback[-1]["rep_count"] == squat_labelled_reps == squat_reference.rep_count

    review = messages[-1]["review"]
    assert review["rep_count"] == squat_reference.rep_count
    for live_rep, recorded_rep in zip(review["reps"], squat_reference.reps):
        # JPEG compression moves landmarks a little: rep bounds may shift by a frame or two.
        assert live_rep["start_s"] == pytest.approx(recorded_rep.start_s, abs=0.1)
        assert live_rep["end_s"] == pytest.approx(recorded_rep.end_s, abs=0.1)
    assert review["source"]["path"] == "live"
    assert review["source"]["frames"] == len(squat_frames)
    assert (review["source"]["width"], review["source"]["height"]) == (360, 640)
    assert review["source"]["fps"] == pytest.approx(30.0, abs=0.5)


def test_frames_faster_than_the_model_are_dropped_and_counted(client: TestClient, squat_frames: list[tuple[int, bytes]]) -> None:
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        assert ws.receive_json()["type"] == "ready"
        for t_ms, jpeg in squat_frames:  # all at once: far faster than the pose model runs
            ws.send_bytes(frame_message(t_ms, jpeg))
        ws.send_text(json.dumps({"type": "end"}))
        messages = [ws.receive_json()]
        while messages[-1]["type"] != "summary":
            messages.append(ws.receive_json())
        assert receive_close(ws) == (1000, "")

    feedback = [m for m in messages if m["type"] == "feedback"]
    dropped = feedback[-1]["dropped"]
    assert dropped > 0
    assert len(feedback) + dropped == len(squat_frames), "every frame is either answered or counted as dropped"
    answered_t_ms = [m["t_ms"] for m in feedback]
    assert answered_t_ms == sorted(answered_t_ms), "frames are answered in capture order"
    assert answered_t_ms[-1] == squat_frames[-1][0], "the newest frame always wins"
    assert messages[-1]["review"]["source"]["frames"] == len(feedback)


@pytest.mark.parametrize(
    ("send", "reason"),
    [
        (lambda ws, frame: ws.send_text("stop please"), 'text message is not JSON; the text messages are {"type": "begin"} and {"type": "end"}'),
        (lambda ws, frame: ws.send_text('{"type": "pause"}'), "unknown message type 'pause'; the text messages are {\"type\": \"begin\"} and {\"type\": \"end\"}"),
        (lambda ws, frame: ws.send_bytes(b"\x00\x01"),
         "binary message of 2 bytes: expected an 8-byte big-endian time in ms, then a JPEG frame"),
        (lambda ws, frame: ws.send_bytes(frame_message(frame[0], b"")),
         "binary message of 8 bytes: expected an 8-byte big-endian time in ms, then a JPEG frame"),
        (lambda ws, frame: ws.send_bytes(frame_message(frame[0], b"not a jpeg at all")), "frame 1: not a decodable JPEG image"),
        (lambda ws, frame: (ws.send_bytes(frame_message(frame[0], frame[1])), ws.send_bytes(frame_message(frame[0] - 5, frame[1]))),
         None),
    ],
    ids=["text-not-json", "unknown-type", "short-binary", "header-only", "not-jpeg", "time-goes-back"],
)
def test_malformed_messages_close_with_policy_violation(
    client: TestClient, blank_frame: tuple[int, bytes], send: Any, reason: str | None
) -> None:
    frame = blank_frame
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        assert ws.receive_json()["type"] == "ready"
        send(ws, frame)
        code, text = receive_close(ws)

    assert code == POLICY_VIOLATION
    assert text == (reason or f"capture times must increase: got {frame[0] - 5} ms after {frame[0]} ms")


def test_oversized_frame_closes_with_message_too_big(make_client: Any, blank_frame: tuple[int, bytes]) -> None:
    t_ms, jpeg = blank_frame
    client = make_client(max_frame_bytes=len(jpeg) - 1)
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(frame_message(t_ms, jpeg))
        code, reason = receive_close(ws)

    assert code == MESSAGE_TOO_BIG
    assert reason == f"frame of {len(jpeg)} bytes is over the {len(jpeg) - 1} byte limit"


def test_unknown_exercise_closes_with_policy_violation_and_the_choices(client: TestClient) -> None:
    with client.websocket_connect("/ws/live?exercise=curls") as ws:
        code, reason = receive_close(ws)

    assert code == POLICY_VIOLATION
    assert reason == close_reason(unknown_exercise_message("curls"))


def test_missing_exercise_closes_with_policy_violation_and_the_reason(client: TestClient) -> None:
    with client.websocket_connect("/ws/live") as ws:
        code, reason = receive_close(ws)

    assert code == POLICY_VIOLATION
    assert reason.startswith("missing exercise: connect to /ws/live?exercise=<id>")


def test_pose_tracker_is_released_on_disconnect(
    client: TestClient, squat_frames: list[tuple[int, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[LiveSession] = []
    release = LiveSession.close

    def spy(session: LiveSession) -> None:
        closed.append(session)
        release(session)

    monkeypatch.setattr(LiveSession, "close", spy)
    # The test client cancels a session still busy with a frame when the block exits, and may
    # report that as CancelledError; a real server just sees the disconnect. Either way the
    # tracker must be closed.
    with contextlib.suppress(CancelledError), client.websocket_connect("/ws/live?exercise=squat") as ws:
        assert ws.receive_json()["type"] == "ready"
        for t_ms, jpeg in squat_frames[:3]:
            ws.send_bytes(frame_message(t_ms, jpeg))
        assert ws.receive_json()["type"] == "feedback"
    # Leaving the block disconnects without "end"; the tracker is closed after the frame in flight.
    deadline = time.monotonic() + 10
    while not closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(closed) == 1


def test_begin_starts_the_set_over(client: TestClient, squat_frames: list[tuple[int, bytes]], squat_labelled_reps: int) -> None:
    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["rep_metric_label"] == "knee bend (deg)"
        counts = []
        for t_ms, jpeg in squat_frames:
            ws.send_bytes(frame_message(t_ms, jpeg))
            while (message := ws.receive_json())["type"] != "feedback":
                pass
            counts.append(message["rep_count"])
        ws.send_text(json.dumps({"type": "begin"}))
        last_t_ms, jpeg = squat_frames[-1]
        ws.send_bytes(frame_message(last_t_ms + 40, jpeg))
        after = ws.receive_json()
        ws.send_text(json.dumps({"type": "end"}))
        while (message := ws.receive_json())["type"] != "summary":
            pass

    assert counts[-1] == squat_labelled_reps
    assert after["type"] == "feedback" and after["rep_count"] == 0 and after["counting"]
    assert after["setup"] == {"ready": True, "advice": None}
    assert message["review"]["rep_count"] == 0
    assert message["words"]["title"] == "Squat"
