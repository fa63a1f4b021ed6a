"""Helpers for the live-protocol tests (imported as ``api_support``: pytest puts this folder on the path)."""

from __future__ import annotations

import json
import struct
from typing import Any

from starlette.testclient import WebSocketTestSession

from formcheck.errors import UnknownExerciseError
from formcheck.specs import load_spec


def frame_message(t_ms: int, jpeg: bytes) -> bytes:
    return struct.pack(">Q", t_ms) + jpeg


def stream_in_lockstep(ws: WebSocketTestSession, frames: list[tuple[int, bytes]]) -> list[dict[str, Any]]:
    """Send each frame after the previous one's feedback (no drops), then ``end``; every message received."""
    messages = [ws.receive_json()]
    assert messages[0]["type"] == "ready"
    for t_ms, jpeg in frames:
        ws.send_bytes(frame_message(t_ms, jpeg))
        while True:
            messages.append(ws.receive_json())
            if messages[-1]["type"] == "feedback":
                break
    ws.send_text(json.dumps({"type": "end"}))
    while messages[-1]["type"] != "summary":
        messages.append(json.loads(ws.receive_text()))
    return messages


def receive_close(ws: WebSocketTestSession) -> tuple[int, str]:
    """Read until the server closes; the close code and reason."""
    while True:
        message = ws.receive()
        if message["type"] == "websocket.close":
            return message["code"], message.get("reason", "")


def unknown_exercise_message(exercise: str) -> str:
    """The engine's own message for an unknown exercise id (the doors must pass it on unchanged)."""
    try:
        load_spec(exercise)
    except UnknownExerciseError as error:
        return str(error)
    raise AssertionError(f"{exercise!r} is a known exercise")
