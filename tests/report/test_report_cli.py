"""`formcheck report review.json --html report.html`: the review file in, the page out."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.review.schema import Review

runner = CliRunner()


def write_review(review: Review, folder: Path, source_path: str | None = None) -> Path:
    if source_path is not None:
        review = review.model_copy(update={"source": review.source.model_copy(update={"path": source_path})})
    target = folder / "review.json"
    target.write_text(review.to_json(), encoding="utf-8")
    return target


def test_report_of_a_review_whose_video_is_where_it_says(faulty_review: Review, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(write_review(faulty_review, tmp_path)), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert f"report written to {out}" in result.output and "no stills" not in result.output
    assert out.read_text(encoding="utf-8").count('<figure class="keyframe"') == faulty_review.rep_count


def test_video_given_when_the_review_names_one_not_here(faulty_review: Review, faulty_squat: Path, tmp_path: Path) -> None:
    review_json = write_review(faulty_review, tmp_path, source_path="upload.mp4")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(review_json), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert "(no stills: the video was not found)" in result.output
    page = out.read_text(encoding="utf-8")
    assert '<figure class="keyframe"' not in page and "the video upload.mp4 was not found here (give it with --video)" in page
    result = runner.invoke(app, ["report", str(review_json), "--html", str(out), "--video", str(faulty_squat)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('<figure class="keyframe"') == faulty_review.rep_count


def test_bad_inputs_are_one_line_errors(faulty_review: Review, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    not_review = tmp_path / "other.json"
    not_review.write_text('{"schema": "formcheck.review/1"}', encoding="utf-8")
    review_json = write_review(faulty_review, tmp_path)
    for args, message in (
        ([str(tmp_path / "missing.json")], "cannot read the review"),
        ([str(not_review)], "not a formcheck review (exercise: Field required)"),
        ([str(review_json), "--video", str(tmp_path / "gone.mp4")], "gone.mp4: no such video"),
    ):
        result = runner.invoke(app, ["report", *args, "--html", str(out)])
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
        assert not out.exists()
