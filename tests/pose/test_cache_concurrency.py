"""Two processes storing one cache entry at the same moment (two jobs on the same upload, or two
evaluation runs on the same clip) both succeed, and the entry they leave loads.

Real processes, not threads: the writers share nothing but the folder, as separate workers do.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import numpy as np
from helpers import make_pose_frame

from formcheck.landmarks import PoseFrame
from formcheck.pose.cache import PoseCache
from formcheck.sources.base import SourceInfo

ROUNDS = 50
FRAME_COUNT = 300  # a few hundred frames: each write takes long enough for the two to overlap
INFO = SourceInfo(path="/videos/squat.mp4", fps=30.0, frames=FRAME_COUNT, duration_s=10.0, width=640, height=480,
                  rotation=0)


def _frames() -> list[PoseFrame]:
    rng = np.random.default_rng(11)  # noise compresses badly, so writing is not instant
    return [
        make_pose_frame(i, image_xy=rng.uniform(0, 1, (33, 2)), world_xyz=rng.normal(0, 1, (33, 3)),
                        visibility=rng.uniform(0, 1, 33), image_wh=(640, 480))
        for i in range(FRAME_COUNT)
    ]


def _store_each_round(directory: str, writer: int, barrier: Barrier, errors: Any) -> None:
    """One writer: each round, wait for the other, then store that round's entry.

    The writers' warnings differ in length, so two writes mixed into one file cannot load as either.
    """
    cache = PoseCache(Path(directory))
    frames = _frames()
    for round_index in range(ROUNDS):
        barrier.wait()
        try:
            cache.store(f"round{round_index}", frames, INFO, "writer 1" if writer == 1 else "the other writer")
        except Exception as error:  # noqa: BLE001 - any failure is what the test reports
            errors.put(f"round {round_index}: {error!r}")


def test_two_processes_storing_one_entry_at_once_both_succeed(tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    errors = context.Queue()
    writers = [context.Process(target=_store_each_round, args=(str(tmp_path), writer, barrier, errors))
               for writer in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert [writer.exitcode for writer in writers] == [0, 0]
    assert failures == []
    cache = PoseCache(tmp_path)
    expected = _frames()
    for round_index in range(ROUNDS):
        loaded = cache.load(f"round{round_index}")
        assert loaded is not None, f"round {round_index}: the entry does not load"
        assert loaded[2] in ("writer 1", "the other writer")
        np.testing.assert_array_equal(np.stack([f.image_xy for f in loaded[0]]),
                                      np.stack([f.image_xy for f in expected]))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"round{i}.npz" for i in range(ROUNDS)), \
        "no temporary file is left behind"
