"""WS /ws/live?exercise=<id>: live coaching over one WebSocket (protocol in ``formcheck.api.live_stream``)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from formcheck.api.deps import get_settings
from formcheck.api.errors import close_code, close_reason
from formcheck.api.live_stream import LiveStream
from formcheck.errors import FormcheckError
from formcheck.live import LiveSession
from formcheck.specs import load_spec

router = APIRouter(tags=["live"])


@router.websocket("/ws/live")
async def live(
    websocket: WebSocket,
    exercise: Annotated[str, Query(description="exercise id, see GET /exercises")],
) -> None:
    """Coach one set live. An unknown exercise closes with 1008 and the reason.

    The connection is accepted before the exercise is checked, so a browser can read the
    close reason (a refused handshake reaches a page as a bare failure). Settings are read
    directly rather than through ``Depends``: a dependency's exit stack turns the test client's
    cancellation of a disconnected session into an error.
    """
    settings = get_settings(websocket)
    await websocket.accept()
    # One thread per connection: its pose tracker sees frames in order, and is closed after its last one.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live")
    loop = asyncio.get_running_loop()
    try:
        spec = load_spec(exercise)
        session = await loop.run_in_executor(executor, LiveSession.open, spec)
    except FormcheckError as error:
        executor.shutdown(wait=False)
        await websocket.close(close_code(error), close_reason(str(error)))
        return
    try:
        await LiveStream(websocket, session, executor, settings.max_frame_bytes).run()
    finally:
        executor.submit(session.close)  # queued behind a frame still in the model, never beside it
        executor.shutdown(wait=False)
