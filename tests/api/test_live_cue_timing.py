"""WS /ws/live: a fault's cue reaches the person at the moment it happens, not once the rep is over.

``squat_incorrect_4`` (labelled: three shallow squats with the trunk pitched far forward, forward_lean and
shallow_depth on every rep) is streamed frame by frame at its own capture times through the live door. The
pose model is replaced by the clip's cached poses (``formcheck.pose.cache``), served frame by frame, so the
test runs in seconds; everything after the model - the engine, the cue policy, the protocol - is the real one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import pytest
import yaml
from api_support import stream_in_lockstep
from fastapi.testclient import TestClient

from formcheck.landmarks import PoseFrame
from formcheck.live import LiveSession
from formcheck.pose.cache import PoseCache
from formcheck.pose.run import estimate_source
from formcheck.sources import open_source
from formcheck.sources.base import Frame

CLIP = "Pichayanon-FiT-AI/squat_incorrect_4.mp4"
CUE_WITHIN_S = 0.5  # of stream time after the rep's turning point
EPOCH_MS = 1_764_000_000_000  # clients send wall-clock capture times


class CachedPoses:
    """A pose tracker that answers each frame with the clip's cached pose of the same index, on the stream's clock."""

    def __init__(self, poses: list[PoseFrame]) -> None:
        self._poses = poses

    def estimate(self, frame: Frame) -> PoseFrame:
        return dataclasses.replace(self._poses[frame.index], t_s=frame.t_s)

    def close(self) -> None:
        pass


def test_the_first_cue_comes_within_half_a_second_of_the_first_reps_turning_point(
    client: TestClient, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = shared / "clips" / CLIP
    label = next(c for c in yaml.safe_load((shared / "labels" / "clips.yaml").read_text())["clips"] if c["path"] == CLIP)
    poses = estimate_source(clip, cache=PoseCache()).frames
    monkeypatch.setattr(LiveSession, "open", lambda spec: LiveSession(spec, CachedPoses(poses)))
    frames = []
    for frame in open_source(clip).frames():
        ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        frames.append((EPOCH_MS + round(frame.t_s * 1000), jpeg.tobytes()))

    with client.websocket_connect("/ws/live?exercise=squat") as ws:
        messages = stream_in_lockstep(ws, frames)

    review = messages[-1]["review"]
    assert review["rep_count"] == label["reps"]
    # The labels give each rep's start and end, not its turning point: the turning point is the review's turn_s
    # of rep 1, which lies inside labelled rep 1 (0.6-3.4 s; the bottom of the squat, 2.5 s).
    first_rep = review["reps"][0]
    labelled_start_s, labelled_end_s = label["rep_times"][0]
    assert labelled_start_s < first_rep["turn_s"] < labelled_end_s
    assert first_rep["start_s"] == pytest.approx(labelled_start_s, abs=0.3)
    labelled_ids = {fault["id"] for fault in label["faults"] if 1 in fault["reps"]}
    assert {fault["id"] for fault in first_rep["faults"]} == labelled_ids

    feedback = [m for m in messages if m["type"] == "feedback"]
    first_cue = next(m for m in feedback if m["cue"] is not None)
    cue_s = (first_cue["t_ms"] - EPOCH_MS) / 1000
    assert first_rep["turn_s"] < cue_s <= first_rep["turn_s"] + CUE_WITHIN_S
    assert first_cue["cue_id"] in labelled_ids and first_cue["speak"]
    first_rep_counted = next(m for m in messages if m["type"] == "rep")
    assert messages.index(first_cue) < messages.index(first_rep_counted), "cued before the rep is over"
    # each of the rep's faults is sent once, before the rep is counted, and not again when it is
    sent = [fault["id"] for m in messages[:messages.index(first_rep_counted) + 1] if m["type"] == "feedback"
            for fault in m["faults"]]
    assert sorted(sent) == sorted(fault["id"] for fault in first_rep["faults"])
