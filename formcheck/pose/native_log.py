"""Keep MediaPipe's native start-up chatter off the terminal, once per process, without losing stderr.

MediaPipe's C++ code logs GPU probing, XNNPACK and feedback-tensor notes straight to file
descriptor 2 before any log setting applies, on every landmarker it creates. Swapping fd 2
for /dev/null around each call is not thread-safe: two sessions starting at once can leave
fd 2 on /dev/null for good, and the server's own errors vanish with it. Instead, fd 2 is
routed once through a pipe; a reader thread drops the native INFO and WARNING lines and
copies every other byte to the real stderr, so tracebacks and server logs always get out.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading

# absl/glog lines of level I or W ("I0000 00:00:1796286100.619757   14958 task_runner.cc:85] ...")
# and TensorFlow Lite's delegate notes. Errors (E) and fatal checks (F) stay visible.
NATIVE_NOISE = re.compile(
    rb"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.\-/]+:\d+\] "
    rb"|INFO: Created TensorFlow Lite"
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb")"
)

_lock = threading.Lock()
_state: dict[str, object] = {}


def is_native_noise(line: bytes) -> bool:
    """True for a native INFO/WARNING line the filter drops."""
    return NATIVE_NOISE.match(line) is not None


def _pump(read_fd: int, real_fd: int) -> None:
    pending = b""
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while chunk := pipe.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            _write(real_fd, b"".join(line + b"\n" for line in lines if not is_native_noise(line)))
        if not is_native_noise(pending):
            _write(real_fd, pending)


def _write(fd: int, data: bytes) -> None:
    # A closed or broken real stderr must not stop the reader: an undrained pipe would block
    # every later write to fd 2, and with it the process.
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass


def _restore() -> None:
    """At exit: put the real stderr back on fd 2, which ends the pipe, and let the reader finish."""
    with _lock:
        real_fd = _state.get("real_fd")
        thread = _state.get("thread")
        if not isinstance(real_fd, int) or not isinstance(thread, threading.Thread):
            return
        sys.stderr.flush()
        os.dup2(real_fd, 2)
        thread.join(timeout=2.0)
        _state.clear()


def filter_native_logs() -> None:
    """Route fd 2 through the noise filter (idempotent; off when ``FORMCHECK_DEBUG_NATIVE`` is set)."""
    if os.environ.get("FORMCHECK_DEBUG_NATIVE"):
        return
    with _lock:
        if _state:
            return
        sys.stderr.flush()
        real_fd = os.dup(2)
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
        thread = threading.Thread(target=_pump, args=(read_fd, real_fd), name="native-log-filter", daemon=True)
        thread.start()
        _state.update(real_fd=real_fd, thread=thread)
    atexit.register(_restore)
