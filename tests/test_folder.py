"""Reviewing a folder in worker processes: which files are clips, and outcomes in the folder's order
whatever order the workers finish in (the CLI tests cover counts, the table and exit codes)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from formcheck.errors import SourceError
from formcheck.folder import FolderRun, review_clip, review_folder, videos_in

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "squat_side.mp4"


def test_videos_in_a_folder_are_its_video_files_by_name(tmp_path):
    for name in ("b.MOV", "a.mp4", "c.gif", ".hidden.mp4", "notes.txt", "photo.jpg"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.mp4").mkdir()
    assert [path.name for path in videos_in(tmp_path)] == ["a.mp4", "b.MOV", "c.gif"]


def test_a_folder_without_videos_is_a_source_error(tmp_path):
    (tmp_path / "notes.txt").write_text("no clips here")
    with pytest.raises(SourceError, match="no video files in this folder"):
        videos_in(tmp_path)


def test_outcomes_come_in_the_folders_order_not_the_order_they_finish(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "a_long_set.mp4")
    (tmp_path / "b_broken.mp4").write_text("not a video\n" * 50)
    finished = []
    outcomes = review_folder(
        videos_in(tmp_path), FolderRun("squat", use_cache=False), jobs=2, on_done=lambda outcome: finished.append(outcome.path.name)
    )
    assert finished == ["b_broken.mp4", "a_long_set.mp4"], "the broken file fails at once, beside the long set"
    assert [outcome.path.name for outcome in outcomes] == ["a_long_set.mp4", "b_broken.mp4"]
    assert outcomes[0].review is not None and outcomes[0].reason is None
    assert outcomes[1].review is None
    assert outcomes[1].reason == "not a video formcheck can read (the file is damaged or in no video format)"
    assert outcomes[1].bug is None


def test_a_clip_finishing_after_ctrl_c_is_not_taken_for_a_whole_review(tmp_path):
    """Ctrl-C reaches the clips' child processes too, which review the part they saw: not kept."""
    shutil.copy(SAMPLE, tmp_path / "set.mp4")
    stopped = threading.Event()
    stopped.set()
    outcome = review_clip(FolderRun("squat", json_dir=tmp_path / "reviews"), tmp_path / "set.mp4", stopped)
    assert (outcome.review, outcome.reason) == (None, "interrupted")
    assert not (tmp_path / "reviews" / "set.mp4.json").exists()
