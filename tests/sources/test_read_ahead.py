"""The reading thread between decoding and the pose model: the consumer sees what a plain loop would
(same items, same order, the producer's error where it was raised), the queue stays bounded, and
leaving early (an error, Ctrl-C) stops the producer and closes the source on its own thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from formcheck.errors import SourceError
from formcheck.sources.read_ahead import ReadAhead


class CountingSource:
    """Yields 0..count-1 (raising ``error`` after ``fail_after`` items), and records what happened."""

    def __init__(self, count: int, fail_after: int | None = None, error: BaseException | None = None) -> None:
        self.count, self.fail_after, self.error = count, fail_after, error
        self.produced = 0
        self.closed_on: str | None = None

    def items(self) -> Iterator[int]:
        try:
            for index in range(self.count):
                if index == self.fail_after:
                    assert self.error is not None
                    raise self.error
                self.produced += 1
                yield index
        finally:
            self.closed_on = threading.current_thread().name


def test_items_come_prepared_in_order():
    source = CountingSource(50)
    with ReadAhead(source.items(), lambda n: n * 10) as items:
        assert list(items) == [n * 10 for n in range(50)]
    assert source.closed_on == "formcheck-read-ahead"


def test_the_producer_stays_at_most_depth_items_ahead():
    source = CountingSource(40)
    ahead = []
    with ReadAhead(source.items(), lambda n: n, depth=3) as items:
        for consumed, _ in enumerate(items, start=1):
            time.sleep(0.005)  # a slow model: the producer fills the queue and waits
            ahead.append(source.produced - consumed)
    # 3 queued plus the one the producer holds while it waits for room
    assert max(ahead) <= 3 + 1
    assert max(ahead) >= 3, "the producer did read ahead"


def test_a_source_error_comes_after_the_items_before_it_as_itself():
    source = CountingSource(10, fail_after=4, error=SourceError("clip.mp4: the video could not be decoded"))
    seen = []
    with pytest.raises(SourceError, match="^clip.mp4: the video could not be decoded$"), ReadAhead(
        source.items(), lambda n: n
    ) as items:
        seen.extend(items)
    assert seen == [0, 1, 2, 3]


def test_an_error_preparing_an_item_comes_after_the_items_before_it():
    def prepare(n: int) -> int:
        if n == 2:
            raise SourceError("frame 3: too small")
        return n

    source = CountingSource(10)
    seen = []
    with pytest.raises(SourceError, match="frame 3"), ReadAhead(source.items(), prepare) as items:
        seen.extend(items)
    assert seen == [0, 1]
    assert source.closed_on == "formcheck-read-ahead"


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_leaving_early_stops_the_producer_and_closes_the_source(stop):
    source = CountingSource(10_000)
    with pytest.raises(stop), ReadAhead(source.items(), lambda n: n, depth=2) as items:
        for item in items:
            if item == 5:
                raise stop
    assert "formcheck-read-ahead" not in {thread.name for thread in threading.enumerate()}
    assert source.closed_on == "formcheck-read-ahead", "the decoder is closed on its own thread"
    assert source.produced < 5 + 2 + 2


def test_an_empty_source_ends_at_once():
    with ReadAhead(CountingSource(0).items(), lambda n: n) as items:
        assert list(items) == []


def test_a_depth_under_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        ReadAhead(CountingSource(3).items(), lambda n: n, depth=0)
