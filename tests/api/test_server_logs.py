"""The server's own logs reach stderr, also after many live sessions started at once.

MediaPipe's native start-up chatter used to be hidden by swapping fd 2 for /dev/null around
each landmarker's creation; a dozen sessions starting together raced on the swap and left fd 2
on /dev/null for good, so every later error vanished. This runs ``formcheck serve`` as a real
process and reads its stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

websockets = pytest.importorskip("websockets")

SESSIONS = 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_sessions(url: str) -> list[str]:
    async def one() -> str:
        async with websockets.connect(url, open_timeout=60) as ws:
            ready = json.loads(await asyncio.wait_for(ws.recv(), timeout=120))
            return str(ready["type"])

    return list(await asyncio.gather(*(one() for _ in range(SESSIONS))))


async def _refused_reason(url: str) -> str:
    async with websockets.connect(url, open_timeout=60) as ws:
        try:
            await asyncio.wait_for(ws.recv(), timeout=60)
        except websockets.ConnectionClosed as closed:
            return str(closed.rcvd.reason if closed.rcvd else "")
    return ""


def test_an_error_after_twelve_sessions_at_once_is_seen_on_stderr(tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ | {
        "FORMCHECK_MAX_LIVE_SESSIONS": str(SESSIONS + 4),
        "FORMCHECK_UPLOAD_DIR": str(tmp_path / "uploads"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FORMCHECK_DEBUG_NATIVE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(server.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("Uvicorn running" in line for line in lines):
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        base = f"ws://127.0.0.1:{port}/ws/live"
        assert asyncio.run(_start_sessions(f"{base}?exercise=squat")) == ["ready"] * SESSIONS
        reason = asyncio.run(_refused_reason(f"{base}?exercise=no_such_exercise"))
        assert "no_such_exercise" in reason
        deadline = time.monotonic() + 10
        while not any("no_such_exercise" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        logged = [line for line in lines if "no_such_exercise" in line]
        assert logged, "the refusal was not logged on stderr:\n" + "".join(lines[-20:])
        assert not any("task_runner.cc" in line or "XNNPACK" in line for line in lines), "native noise on stderr"
    finally:
        server.terminate()
        server.wait(timeout=30)
