"""Live coaching latency on loopback: how fast feedback comes back, and how many people one machine coaches.

Starts ``formcheck serve`` on a free loopback port (a separate process, as in use), streams
a real clip's frames over ``WS /ws/live`` as the page does (long side 640 px, JPEG quality
0.7), paced by the wall clock, and prints:

* frame -> feedback latency p50/p95 (client send to feedback received) at 15 and 30 fps;
* the highest frame rate one session sustains with no frame dropped;
* how many concurrent 15 fps sessions the machine holds (the last count before drops
  exceed 5 % or p95 latency exceeds 500 ms).

The client runs on the same machine and takes some CPU from the server, as a browser on the
same laptop would. Every loop is bounded; nothing leaves loopback.

Usage: ``.venv/bin/python benchmarks/live_latency.py [--seconds 8] [--clip PATH]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import websockets

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO.parent / "shared" / "clips" / "luizfcharry-MrPose" / "squat.mp4"
MAX_SIDE_PX = 640
JPEG_QUALITY = 70
FPS_STEPS = (15, 20, 30, 40, 50, 60, 75, 90, 120)
MAX_DROP_FRACTION = 0.05
MAX_P95_MS = 500.0


@dataclass(frozen=True)
class Trial:
    """One or more sessions streaming at one frame rate."""

    fps: float
    sessions: int
    sent: int
    answered: int
    dropped: int
    latencies_ms: list[float]

    @property
    def drop_fraction(self) -> float:
        return self.dropped / self.sent if self.sent else 0.0

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")

    def line(self) -> str:
        return (
            f"{self.sessions:>2} x {self.fps:>5.1f} fps: p50 {self.percentile_ms(50):6.1f} ms, p95 {self.percentile_ms(95):6.1f} ms, "
            f"dropped {self.dropped}/{self.sent} ({100 * self.drop_fraction:.1f} %)"
        )


def load_frames(clip: Path) -> list[bytes]:
    """The clip's frames as the page sends them: scaled to a 640 px long side, JPEG quality 0.7."""
    capture = cv2.VideoCapture(str(clip))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        scale = min(1.0, MAX_SIDE_PX / max(bgr.shape[:2]))
        bgr = cv2.resize(bgr, (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        frames.append(cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1].tobytes())
    capture.release()
    if not frames:
        raise SystemExit(f"{clip}: no frames")
    return frames


async def stream_session(url: str, frames: list[bytes], fps: float, seconds: float) -> tuple[int, int, int, list[float]]:
    """Stream ``seconds`` of frames at ``fps``; returns (sent, answered, dropped, latencies in ms)."""
    async with websockets.connect(url, max_size=None) as ws:
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        sent_at: dict[int, float] = {}
        latencies_ms: list[float] = []
        answered = 0
        dropped = 0

        async def receive() -> None:
            nonlocal answered, dropped
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "feedback":
                    answered += 1
                    dropped = message["dropped"]
                    latencies_ms.append((time.perf_counter() - sent_at[message["t_ms"]]) * 1000)
                elif message["type"] == "summary":
                    return

        receiver = asyncio.create_task(receive())
        count = int(fps * seconds)
        base_ms = int(time.time() * 1000)
        started = time.perf_counter()
        for index in range(count):
            await asyncio.sleep(max(0.0, started + index / fps - time.perf_counter()))
            t_ms = base_ms + round(index * 1000 / fps)
            sent_at[t_ms] = time.perf_counter()
            await ws.send(struct.pack(">Q", t_ms) + frames[index % len(frames)])
        await ws.send(json.dumps({"type": "end"}))
        await asyncio.wait_for(receiver, timeout=60)
        return count, answered, dropped, latencies_ms


async def trial(url: str, frames: list[bytes], fps: float, sessions: int, seconds: float) -> Trial:
    results = await asyncio.gather(*(stream_session(url, frames, fps, seconds) for _ in range(sessions)))
    return Trial(
        fps=fps, sessions=sessions, sent=sum(r[0] for r in results), answered=sum(r[1] for r in results),
        dropped=sum(r[2] for r in results), latencies_ms=[ms for r in results for ms in r[3]],
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/exercises", timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("formcheck serve exited at start-up") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("formcheck serve did not start within 60 s")


async def run(url: str, frames: list[bytes], seconds: float, max_sessions: int) -> None:
    await trial(url, frames, 15, 1, 2.0)  # warm-up: model files in the page cache, threads started

    print("\nlatency, one session")
    for fps in (15, 30):
        print("  " + (await trial(url, frames, fps, 1, seconds)).line())

    print("\nhighest frame rate without drops, one session")
    sustained = None
    for fps in FPS_STEPS:
        result = await trial(url, frames, fps, 1, seconds)
        print("  " + result.line())
        if result.dropped:
            break
        sustained = fps
    print(f"  -> sustained: {sustained or '< ' + str(FPS_STEPS[0])} fps")

    print(f"\nconcurrent sessions at 15 fps (limit: drops > {MAX_DROP_FRACTION:.0%} or p95 > {MAX_P95_MS:.0f} ms)")
    held = 0
    for sessions in range(1, max_sessions + 1):
        result = await trial(url, frames, 15, sessions, seconds)
        print("  " + result.line())
        if result.drop_fraction > MAX_DROP_FRACTION or result.percentile_ms(95) > MAX_P95_MS:
            break
        held = sessions
    print(f"  -> holds {held} concurrent session(s) at 15 fps" + (" (the search limit)" if held == max_sessions else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP, help="video to stream (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each trial")
    parser.add_argument("--max-sessions", type=int, default=16, help="stop the concurrency search here")
    args = parser.parse_args()

    frames = load_frames(args.clip)
    height, width = cv2.imdecode(np.frombuffer(frames[0], np.uint8), cv2.IMREAD_COLOR).shape[:2]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
          f"load average at start {os.getloadavg()[0]:.2f} (other work on the machine skews the figures)")
    print(f"clip: {args.clip.name}, {len(frames)} frames at {width}x{height}, "
          f"JPEG ~{np.mean([len(f) for f in frames]) / 1000:.0f} kB; {args.seconds:g} s per trial")
    port = free_port()
    server = start_server(port)
    try:
        asyncio.run(run(f"ws://127.0.0.1:{port}/ws/live?exercise=squat", frames, args.seconds, args.max_sessions))
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
