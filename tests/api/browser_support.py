"""Running the real app for a real browser: a server on a free port, a clip as Chromium's fake camera, and a
watch on what the page may not do (Content-Security-Policy violations, requests leaving the server)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import uvicorn

from formcheck.api.main import create_app
from formcheck.api.settings import Settings
from formcheck.sources import open_source

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CAMERA_FPS = 15
LEAD_S = 2.0  # standing still before the first rep, while the page connects
TAIL_S = 3.0  # standing still after the last one
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


def write_y4m(
    clip: Path, target: Path, fps: int = CAMERA_FPS, max_side_px: int = 640, lead_s: float = LEAD_S, tail_s: float = TAIL_S
) -> float:
    """Write ``clip`` as a 4:2:0 YUV4MPEG2 file at ``fps``, padded with still frames; returns its length in s."""
    frames = list(open_source(clip).frames())
    duration_s = frames[-1].t_s
    times = [frame.t_s for frame in frames]
    picked = [frames[int(np.argmin(np.abs(np.subtract(times, k / fps))))] for k in range(int(duration_s * fps) + 1)]
    height, width = picked[0].image.shape[:2]
    scale = min(1.0, max_side_px / max(width, height))
    size = (int(width * scale) // 2 * 2, int(height * scale) // 2 * 2)  # 4:2:0 needs even sides
    lead = [picked[0]] * int(lead_s * fps)
    tail = [picked[-1]] * int(tail_s * fps)
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in lead + picked + tail:
            bgr = cv2.resize(cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), size, interpolation=cv2.INTER_AREA)
            out.write(b"FRAME\n" + cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).tobytes())
    return (len(lead) + len(picked) + len(tail)) / fps


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, in a background thread; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def watch_for_policy_violations(page: Any, server_url: str) -> tuple[list[str], list[str]]:
    """Console errors from the Content-Security-Policy, and requests that tried to leave the server (aborted)."""
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)

    def keep_local(route: Any) -> None:
        url = route.request.url
        if url.startswith((server_url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", keep_local)
    return violations, outside


