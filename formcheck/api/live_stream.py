"""The live protocol on one WebSocket: message formats, the latest-frame slot, the two loops.

Client -> server:
    binary: 8-byte big-endian unsigned capture time in ms, then one JPEG frame.
    text: ``{"type": "begin"}`` to start the set over from the next frame (the guided session sends it after its
    set-up check and countdown, so nothing before counts); ``{"type": "end"}`` to finish the set.
Server -> client (JSON text):
    ``ready`` once the pose tracker is loaded; ``feedback`` per processed frame; ``rep`` as
    each rep completes; ``summary`` with the review and its ids in words after ``end``; then a normal close.

The receive loop never waits for the model: it only parses and drops the frame into a
slot of size one. The processing loop takes the newest frame from the slot and runs it in
the session's own thread. A frame still waiting when a newer one arrives is stale - it is
dropped and counted, so a slow machine shows fewer, fresher skeletons instead of a delay
that grows without bound.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect, status

from formcheck.api.errors import FrameTooLargeError, close_code, close_reason
from formcheck.api.schemas import ReviewWords
from formcheck.errors import FormcheckError, MessageError
from formcheck.landmarks import SKELETON_EDGES
from formcheck.live import LiveSession, LiveUpdate
from formcheck.review.schema import Rep, Review
from formcheck.review.words import metric_label

logger = logging.getLogger(__name__)
FRAME_HEADER = struct.Struct(">Q")  # capture time in ms, big-endian unsigned 64-bit
TEXT_MESSAGES = ("begin", "end")


@dataclass(frozen=True)
class IncomingFrame:
    """A frame as received: capture time, JPEG bytes, and when it arrived (for latency_ms)."""

    t_ms: int
    jpeg: bytes
    received_s: float


def parse_frame(data: bytes, max_frame_bytes: int) -> tuple[int, bytes]:
    """Split a binary message into capture time and JPEG bytes.

    Raises:
        FrameTooLargeError: the JPEG is over ``max_frame_bytes``.
        MessageError: the message is too short to hold a header and a frame.
    """
    jpeg_bytes = len(data) - FRAME_HEADER.size
    if jpeg_bytes > max_frame_bytes:
        raise FrameTooLargeError(f"frame of {jpeg_bytes} bytes is over the {max_frame_bytes} byte limit")
    if jpeg_bytes <= 0:
        raise MessageError(
            f"binary message of {len(data)} bytes: expected an 8-byte big-endian time in ms, then a JPEG frame"
        )
    (t_ms,) = FRAME_HEADER.unpack_from(data)
    return t_ms, data[FRAME_HEADER.size:]


def parse_text(text: str) -> str:
    """The type of a text message: ``{"type": "begin"}`` or ``{"type": "end"}``.

    Raises:
        MessageError: anything else.
    """
    known = 'the text messages are {"type": "begin"} and {"type": "end"}'
    try:
        message = json.loads(text)
    except ValueError:
        raise MessageError(f"text message is not JSON; {known}") from None
    kind = message.get("type") if isinstance(message, dict) else None
    if kind not in TEXT_MESSAGES or len(message) != 1:
        raise MessageError(f"unknown message type {kind!r}; {known}")
    return str(kind)


def _finite(value: float, digits: int) -> float | None:
    return round(value, digits) if math.isfinite(value) else None


def ready_message(session: LiveSession, max_frame_bytes: int) -> dict[str, Any]:
    """Sent once the tracker is loaded; ``skeleton`` lists the landmark pairs to draw as bones; ``rep_metric_label``
    names what a rep's ``range`` measures, in words with its unit (null for an exercise without counted reps)."""
    reps = session.spec.reps
    return {
        "type": "ready", "exercise": session.spec.id, "title": session.spec.title, "max_frame_bytes": max_frame_bytes,
        "skeleton": [[int(a), int(b)] for a, b in SKELETON_EDGES],
        "rep_metric_label": metric_label(reps.metric) if reps is not None else None,
    }


def feedback_message(update: LiveUpdate, dropped: int, latency_ms: float) -> dict[str, Any]:
    """The per-frame message. ``landmarks`` is empty when no person was found."""
    pose, feedback = update.pose, update.feedback
    landmarks = []
    if pose.has_person:
        landmarks = [
            [_finite(float(x), 4), _finite(float(y), 4), _finite(float(v), 3)]
            for (x, y), v in zip(pose.image_xy.tolist(), pose.visibility.tolist())
        ]
    return {
        "type": "feedback",
        "t_ms": update.t_ms,
        "status": feedback.status.value,
        "rep_count": feedback.rep_count,
        "phase": feedback.phase,
        "view": feedback.view,
        "faults": [{"id": f.id, "cue": f.cue, "severity": f.severity} for f in feedback.new_faults],
        "cue": update.cue.text,
        "cue_id": update.cue.fault_id,
        "speak": update.cue.speak,
        "guidance": feedback.guidance,
        "holding": feedback.holding,
        "setup": {"ready": update.setup_advice is None, "advice": update.setup_advice},
        "range": update.range_fraction,
        "counting": update.counting,
        "landmarks": landmarks,
        "dropped": dropped,
        "latency_ms": round(latency_ms, 1),
    }


def rep_message(rep: Rep, rep_count: int) -> dict[str, Any]:
    return {"type": "rep", "rep_count": rep_count, "rep": rep.model_dump(mode="json", by_alias=True)}


def summary_text(review: Review) -> str:
    """The review, and its ids in words (``ReviewWords``) so a page can name each rep's faults."""
    # The review serialises itself (NaN as null, field aliases); wrap it without a second round trip.
    words = ReviewWords.of(review).model_dump_json()
    return f'{{"type":"summary","review":{review.model_dump_json(by_alias=True)},"words":{words}}}'


class LatestFrameSlot:
    """A queue of length one where the newest frame wins; displaced frames are counted as dropped."""

    def __init__(self) -> None:
        self._frame: IncomingFrame | None = None
        self._ready = asyncio.Event()
        self._closed = False
        self.dropped = 0

    def put(self, frame: IncomingFrame) -> None:
        if self._frame is not None:
            self.dropped += 1
        self._frame = frame
        self._ready.set()

    def close(self) -> None:
        """No more frames: ``take`` returns what is left, then None."""
        self._closed = True
        self._ready.set()

    async def take(self) -> IncomingFrame | None:
        while self._frame is None:
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        frame, self._frame = self._frame, None
        return frame


class LiveStream:
    """One connection's protocol, from ``ready`` to ``summary`` (or to a policy close).

    Args:
        websocket: the accepted connection.
        session: the connection's own live session (used only from ``executor``).
        executor: a one-thread pool, so the session sees its frames in order and is closed
            only after its last frame.
        max_frame_bytes: the JPEG size cap.
        idle_s: a client that sends nothing for this long is closed (1008), freeing its model.
    """

    def __init__(
        self, websocket: WebSocket, session: LiveSession, executor: ThreadPoolExecutor, max_frame_bytes: int,
        idle_s: float = 60.0,
    ) -> None:
        self._ws = websocket
        self._idle_s = idle_s
        self._session = session
        self._executor = executor
        self._max_frame_bytes = max_frame_bytes
        self._slot = LatestFrameSlot()
        self._begin_requested = False

    async def run(self) -> None:
        """Serve the connection until ``end``, a protocol error or a disconnect."""
        receiver = asyncio.create_task(self._receive())
        processor = asyncio.create_task(self._process())
        try:
            await self._ws.send_json(ready_message(self._session, self._max_frame_bytes))
            await asyncio.wait({receiver, processor}, return_when=asyncio.FIRST_COMPLETED)
            if processor.done():  # it only stops early on an error (an undecodable frame)
                processor.result()
            receiver.result()  # 'end' received, or the error that stopped the receive loop
            self._slot.close()
            await processor  # the frame still in the slot gets its feedback
            review = await asyncio.get_running_loop().run_in_executor(self._executor, self._session.finish)
            await self._ws.send_text(summary_text(review))
            await self._ws.close(status.WS_1000_NORMAL_CLOSURE)
        except WebSocketDisconnect:
            pass
        except FormcheckError as error:
            logger.warning("live session closed (%d): %s", close_code(error), error)
            await self._ws.close(close_code(error), close_reason(str(error)))
        finally:
            for task in (receiver, processor):
                task.cancel()
            await asyncio.gather(receiver, processor, return_exceptions=True)

    async def _receive(self) -> None:
        last_t_ms = -1
        while True:
            try:
                message = await asyncio.wait_for(self._ws.receive(), timeout=self._idle_s)
            except asyncio.TimeoutError:
                raise MessageError(f"no frame for {self._idle_s:g} s: the session is closed") from None
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", status.WS_1000_NORMAL_CLOSURE))
            if message.get("bytes") is not None:
                t_ms, jpeg = parse_frame(message["bytes"], self._max_frame_bytes)
                if t_ms <= last_t_ms:
                    raise MessageError(f"capture times must increase: got {t_ms} ms after {last_t_ms} ms")
                last_t_ms = t_ms
                self._slot.put(IncomingFrame(t_ms, jpeg, time.perf_counter()))
            elif parse_text(message.get("text") or "") == "begin":
                self._begin_requested = True
            else:
                return

    async def _process(self) -> None:
        loop = asyncio.get_running_loop()
        while (frame := await self._slot.take()) is not None:
            if self._begin_requested:
                self._begin_requested = False
                await loop.run_in_executor(self._executor, self._session.begin)
            update = await loop.run_in_executor(self._executor, self._session.process, frame.t_ms, frame.jpeg)
            latency_ms = (time.perf_counter() - frame.received_s) * 1000
            await self._ws.send_json(feedback_message(update, self._slot.dropped, latency_ms))
            if update.feedback.completed_rep is not None:
                await self._ws.send_json(rep_message(update.feedback.completed_rep, update.feedback.rep_count))
