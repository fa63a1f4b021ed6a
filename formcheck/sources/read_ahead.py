"""Produce a source's frames on a thread, a few ahead of the pose model that consumes them.

Decoding (PyAV), colour conversion and enlarging (OpenCV) and the pose model (MediaPipe) spend
most of their time outside the GIL, so a reading thread keeps a second core busy while the model
works: the serial loop leaves it idle for the ~2 ms a 720p frame takes to decode. The queue between them
is bounded (a 1080p frame is 6 MB), and the consumer sees exactly what the serial loop would:
the same items in the same order, then the producer's own exception at the point it was raised.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")

# Items waiting for the consumer: enough to ride over a slow frame, few enough to stay small.
DEFAULT_DEPTH = 4
# How often a producer blocked on a full queue looks whether the consumer has gone.
_STOP_POLL_S = 0.05


@dataclass(frozen=True)
class _Failure:
    error: BaseException


class _End:
    pass


_END = _End()


class ReadAhead(Generic[S, T]):
    """``prepare(item)`` for each of ``items``, computed on a thread at most ``depth`` items ahead.

    Use as a context manager: leaving it (normally, on an error or on Ctrl-C in the consumer)
    stops the producer and closes ``items`` on the producer's thread, so a decoder is never
    left running.
    """

    def __init__(self, items: Iterator[S], prepare: Callable[[S], T], depth: int = DEFAULT_DEPTH) -> None:
        if depth < 1:  # a queue of size 0 is unbounded
            raise ValueError("depth must be at least 1")
        self._items = items
        self._prepare = prepare
        self._queue: queue.Queue[T | _Failure | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="formcheck-read-ahead", daemon=True)

    def __enter__(self) -> Iterator[T]:
        self._thread.start()
        return self._consume()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put(self._prepare(item)):
                    return
            self._put(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            self._put(_Failure(error))
        finally:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()  # a generator's own clean-up (the decoder's container) runs here, on its thread

    def _put(self, item: T | _Failure | _End) -> bool:
        """Queue ``item``, waiting while the queue is full; False when the consumer has gone."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_STOP_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _consume(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
