"""The command line through typer's CliRunner: exit codes and what a person reads.

Expected failures print one line starting "error:" on stderr and exit 1, never a traceback.
The clip analysis goes through the real pipeline (pose from the warm cache when present).
File-error tests run inside tmp_path with relative names, so the length of the machine's temp
folder never decides whether a message fits on one line (see the long-path test for that).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.sources.video import VIDEO_SUFFIXES
from formcheck.specs import catalogue

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def assert_user_error(result) -> list[str]:
    """Exit 1, no traceback, stderr starting "error:"; returns the non-empty stderr lines."""
    assert result.exit_code == 1, f"exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), lines
    return lines


def assert_one_error_line(result) -> str:
    lines = assert_user_error(result)
    assert len(lines) == 1, f"expected one line, got {lines}"
    return lines[0]


@pytest.fixture()
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_exercises_lists_the_catalogue():
    result = invoke("exercises")
    assert result.exit_code == 0, result.output
    for exercise_id in ("squat", "hip_hinge", "glute_bridge"):
        assert exercise_id in result.stdout
    for exercise_id in catalogue():
        assert exercise_id in result.stdout


def test_no_arguments_shows_help():
    result = invoke()
    assert "analyze" in result.output and "exercises" in result.output and "schema" in result.output


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda p: None, "file not found", id="missing file"),
        pytest.param(lambda p: p.write_bytes(b""), "the file is empty (0 bytes)", id="zero-byte file"),
        pytest.param(lambda p: p.write_text("not a video\n" * 50), None, id="text file named .mp4"),
        pytest.param(lambda p: p.mkdir(), f"no video files in this folder (looked for {', '.join(sorted(VIDEO_SUFFIXES))})",
                     id="a folder without videos"),
    ],
)
def test_analyze_unusable_file(in_tmp, make, reason):
    make(in_tmp / "clip.mp4")
    line = assert_one_error_line(invoke("analyze", "clip.mp4", "-e", "squat"))
    assert line.startswith("error: clip.mp4: ")
    if reason is not None:
        assert line == f"error: clip.mp4: {reason}"


def test_analyze_unknown_exercise_names_the_known_ids(squat_clip):
    # the list grows with the catalogue, so the message is read whole (see the long-line test)
    message = " ".join(assert_user_error(invoke("analyze", str(squat_clip), "-e", "nope")))
    assert message.startswith("error: unknown exercise 'nope'; choose one of: ")
    for exercise_id in ("squat", "hip_hinge", "glute_bridge", *catalogue()):
        assert exercise_id in message


def test_analyze_unknown_exercise_fails_before_reading_the_file(in_tmp):
    lines = assert_user_error(invoke("analyze", "missing.mp4", "-e", "nope"))
    assert lines[0].startswith("error: unknown exercise 'nope'")


def test_analyze_error_with_a_long_path_stays_on_one_line(in_tmp):
    target = "Workouts 2025/November/squats filmed on the phone, heavy day/camera at hip height/VID_20251130_184512.mp4"
    (in_tmp / target).parent.mkdir(parents=True)
    (in_tmp / target).write_text("not a video\n" * 50)
    line = assert_one_error_line(invoke("analyze", target, "-e", "squat"))
    assert line.startswith(f"error: {target}: ")


def test_analyze_a_real_squat_clip(squat_clip, tmp_path):
    out = tmp_path / "out.json"
    result = invoke("analyze", str(squat_clip), "-e", "squat", "--json", str(out))
    assert result.exit_code == 0, result.output
    assert "2 reps" in result.stdout
    assert "Traceback" not in result.output
    review = json.loads(out.read_text(encoding="utf-8"))
    assert review["schema"] == "formcheck.review/1"
    assert review["exercise"] == "squat"
    assert review["rep_count"] == 2
    assert len(review["reps"]) == 2
    assert review["source"]["frames"] == 114


def test_analyze_cannot_write_the_json(squat_clip, in_tmp):
    line = assert_one_error_line(invoke("analyze", str(squat_clip), "-e", "squat", "--json", "missing/out.json"))
    assert line == "error: missing/out.json: cannot write the review (No such file or directory)"


def test_schema_prints_the_review_json_schema():
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    stable = {"schema", "exercise", "source", "view", "rep_count", "reps", "holds", "faults", "warnings", "series"}
    assert stable <= set(schema["properties"])
    assert schema["properties"]["schema"].get("const", schema["properties"]["schema"].get("default")) == "formcheck.review/1"


def test_schema_to_a_file(tmp_path):
    out = tmp_path / "review.schema.json"
    result = invoke("schema", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Review"


def test_analyze_a_video_with_no_person_says_so(tmp_path):
    """An empty room: analysed (exit 0), 0 reps, and one clear warning - no traceback."""
    from fractions import Fraction

    import av
    import numpy as np

    path = tmp_path / "empty_room.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("h264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for index in range(30):
            frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 128, np.uint8), format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, 15)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    result = invoke("analyze", str(path), "-e", "squat", "--json", str(tmp_path / "review.json"))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "no person in view" in result.output
    review = json.loads((tmp_path / "review.json").read_text())
    assert review["rep_count"] == 0
    assert [warning["id"] for warning in review["warnings"]] == ["no_person"]


def test_ctrl_c_writes_the_partial_review_and_exits_130(tmp_path, monkeypatch):
    """Ctrl-C part-way through a file: the frames seen are reviewed, the JSON says it was cut
    short, the speed is measured on the part analysed, and the exit code says "interrupted"."""
    import formcheck.pose.run as pose_run
    from formcheck.sources import open_source

    sample = Path(__file__).resolve().parents[1] / "samples" / "squat_side.mp4"
    real = open_source(sample)
    stop_after = 30

    class CtrlCSource:
        info = real.info
        decode_warning = None

        def frames(self):
            for frame in real.frames():
                if frame.index == stop_after:
                    raise KeyboardInterrupt
                yield frame

    monkeypatch.setattr(pose_run, "open_source", lambda target: CtrlCSource())
    out = tmp_path / "review.json"
    result = invoke("analyze", str(sample), "-e", "squat", "--no-cache", "--json", str(out))
    assert result.exit_code == 130, result.output
    review = json.loads(out.read_text())
    assert review["source"]["frames"] == real.info.frames > stop_after
    assert any("stopped by the user" in warning["message"] for warning in review["warnings"])
    processing = review["summary"]["processing"]
    covered_s = stop_after / real.info.fps
    # x real time is the part analysed over the time it took, not the whole file's length
    assert processing["x_real_time"] == pytest.approx(covered_s * processing["frames_per_s"] / stop_after, rel=0.05)


def test_serve_https_asks_the_server_for_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    from formcheck.api import server

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(server, "run_server", lambda **options: calls.append(options))

    assert invoke("serve", "--https", "--host", "0.0.0.0", "--port", "8443").exit_code == 0
    assert invoke("serve").exit_code == 0
    assert calls == [{"host": "0.0.0.0", "port": 8443, "https": True}, {"host": "127.0.0.1", "port": 8000, "https": False}]


# --- a folder of clips ----------------------------------------------------------------------------
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "squat_side.mp4"


@pytest.fixture()
def clip_folder(tmp_path) -> Path:
    """Two copies of the sample set, a file named like a video that is not one, and a file that is no clip."""
    folder = tmp_path / "backlog"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "monday.mp4")
    shutil.copy(SAMPLE, folder / "tuesday.mov")
    (folder / "broken.mp4").write_text("not a video\n" * 50)
    (folder / "notes.txt").write_text("client asked about knee pain\n")
    return folder


def folder_rows(output: str) -> dict[str, str]:
    """The summary table's rows by clip name (first cell) -> the whole row's text."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells and cells[0] in {"monday.mp4", "tuesday.mov", "broken.mp4", "notes.txt"}:
            rows[cells[0]] = line
    return rows


def test_analyze_a_folder_gives_the_same_counts_with_one_job_and_two(clip_folder, tmp_path):
    one = invoke("analyze", str(clip_folder), "-e", "squat", "--jobs", "1", "--json", str(tmp_path / "one"))
    two = invoke("analyze", str(clip_folder), "-e", "squat", "--jobs", "2", "--no-cache", "--json", str(tmp_path / "two"))
    single = invoke("analyze", str(SAMPLE), "-e", "squat", "--json", str(tmp_path / "single.json"))
    counts = json.loads((tmp_path / "single.json").read_text())["rep_count"]
    for result, out in ((one, tmp_path / "one"), (two, tmp_path / "two")):
        assert result.exit_code == 1, result.output  # a clip failed
        assert "Traceback" not in result.output
        rows = folder_rows(result.stdout)
        assert list(rows) == ["broken.mp4", "monday.mp4", "tuesday.mov"], "every video, in the folder's order"
        assert "not a video formcheck can read" in rows["broken.mp4"]
        assert f"{counts} reps" in rows["monday.mp4"] and f"{counts} reps" in rows["tuesday.mov"]
        assert "3 clips: 2 analysed, 1 failed" in result.stdout
        assert sorted(path.name for path in out.iterdir()) == ["monday.mp4.json", "tuesday.mov.json"]
    for name in ("monday.mp4.json", "tuesday.mov.json"):
        assert json.loads((tmp_path / "one" / name).read_text())["rep_count"] == counts
        assert json.loads((tmp_path / "two" / name).read_text())["rep_count"] == counts
    assert single.exit_code == 0


def test_analyze_a_folder_of_good_clips_exits_0(clip_folder):
    (clip_folder / "broken.mp4").unlink()
    result = invoke("analyze", str(clip_folder), "-e", "squat", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "2 clips: 2 analysed, 0 failed" in result.stdout


def test_analyze_a_folder_with_an_unknown_exercise_fails_once_before_any_clip(clip_folder):
    lines = assert_user_error(invoke("analyze", str(clip_folder), "-e", "nope"))
    assert lines[0].startswith("error: unknown exercise 'nope'")


def test_analyze_a_folder_with_a_missing_model_fails_once_before_any_clip(clip_folder):
    line = assert_one_error_line(invoke("analyze", str(clip_folder), "-e", "squat", "--model", "missing.task"))
    assert line == "error: missing.task: model file not found"


def test_analyzing_a_file_does_not_import_the_web_stack():
    """Start-up stays lazy: the service's modules cost an analysis nothing."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from formcheck.cli import app\n"
        f"result = CliRunner().invoke(app, ['analyze', {str(SAMPLE)!r}, '-e', 'squat'])\n"
        "assert result.exit_code == 0, result.output\n"
        "web = ('fastapi', 'starlette', 'uvicorn', 'websockets', 'multipart', 'python_multipart', 'formcheck.api', "
        "'formcheck.web')\n"
        "print(' '.join(sorted(name for name in sys.modules if name.startswith(web))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], f"imported to analyse a file: {done.stdout}"


def test_analyze_a_folder_shows_a_bug_on_its_clips_row_logs_it_and_exits_3(clip_folder, tmp_path, monkeypatch):
    import formcheck.folder as folder_module
    from formcheck.isolated import InternalAnalysisError

    real = folder_module.analyze_isolated

    def buggy_on_monday(video, *args, **kwargs):
        if video.name == "monday.mp4":
            raise InternalAnalysisError("Traceback (most recent call last):\n  ...\nZeroDivisionError: boom")
        return real(video, *args, **kwargs)

    monkeypatch.setattr(folder_module, "analyze_isolated", buggy_on_monday)
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "cache"))
    result = invoke("analyze", str(clip_folder), "-e", "squat", "--jobs", "2", "--no-cache")
    assert result.exit_code == 3, result.output
    rows = folder_rows(result.stdout)
    assert "internal error" in rows["monday.mp4"]
    assert "reps" in rows["tuesday.mov"], "the other clips go on"
    assert "ZeroDivisionError: boom" in (tmp_path / "last-error.log").read_text()
    assert "Traceback" not in result.output
