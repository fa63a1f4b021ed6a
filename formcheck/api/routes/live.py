"""WS /ws/live?exercise=<id>: live coaching over one WebSocket (protocol in ``formcheck.api.live_stream``)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from formcheck.api.deps import get_settings
from formcheck.api.errors import ServiceBusyError, close_code, close_reason
from formcheck.api.live_stream import LiveStream
from formcheck.errors import FormcheckError, MessageError
from formcheck.live import LiveSession
from formcheck.specs import load_spec

router = APIRouter(tags=["live"])
logger = logging.getLogger(__name__)


@router.websocket("/ws/live")
async def live(
    websocket: WebSocket,
    exercise: Annotated[str | None, Query(description="exercise id, see GET /exercises")] = None,
) -> None:
    """Coach one set live. A missing or unknown exercise closes with 1008 and the reason; past
    ``max_live_sessions`` a session closes with 1013 (try again later).

    The connection is accepted before anything is checked, so a browser can read the close
    reason (a refused handshake reaches a page as a bare failure). Settings are read directly
    rather than through ``Depends``: a dependency's exit stack turns the test client's
    cancellation of a disconnected session into an error.
    """
    settings = get_settings(websocket)
    slots: LiveSlots = websocket.app.state.live_slots
    await websocket.accept()
    try:
        if exercise is None:
            raise MessageError("missing exercise: connect to /ws/live?exercise=<id> (see GET /exercises)")
        spec = load_spec(exercise)
        slots.take(settings.max_live_sessions)
    except FormcheckError as error:
        await _refuse(websocket, error)
        return
    # One thread per connection: its pose tracker sees frames in order, and is closed after its last one.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")
    try:
        try:
            session = await asyncio.get_running_loop().run_in_executor(executor, LiveSession.open, spec)
        except FormcheckError as error:
            executor.shutdown(wait=False)
            await _refuse(websocket, error)
            return
        try:
            await LiveStream(websocket, session, executor, settings.max_frame_bytes, settings.live_idle_s).run()
        finally:
            executor.submit(session.close)  # queued behind a frame still in the model, never beside it
            executor.shutdown(wait=False)
    finally:
        slots.release()


class LiveSlots:
    """How many live sessions hold a pose model now (used from the event loop only)."""

    def __init__(self) -> None:
        self.in_use = 0

    def take(self, limit: int) -> None:
        if self.in_use >= limit:
            raise ServiceBusyError(f"{limit} live sessions are already running on this machine; try again later")
        self.in_use += 1

    def release(self) -> None:
        self.in_use -= 1


async def _refuse(websocket: WebSocket, error: FormcheckError) -> None:
    logger.warning("live session refused (%d): %s", close_code(error), error)
    await websocket.close(close_code(error), close_reason(str(error)))
