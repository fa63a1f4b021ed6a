"""The CLI's report: a review JSON file in, an HTML file out, with stills when the video is at hand."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from formcheck.errors import FormcheckError, SourceError
from formcheck.pose.cache import PoseCache
from formcheck.report.page import build_report
from formcheck.report.stills import grab_stills
from formcheck.review.schema import Review


def load_review(path: Path) -> Review:
    """A review JSON file as written by ``formcheck analyze --json`` or the API.

    Raises:
        FormcheckError: the file cannot be read or is not a review.
    """
    try:
        return Review.model_validate_json(path.read_bytes())
    except OSError as error:
        raise FormcheckError(f"{path}: cannot read the review ({error.strerror})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FormcheckError(f"{path}: not a formcheck review ({where}: {first['msg']})") from None


def write_report(review_path: Path, html_path: Path, video: Path | None = None, cache: PoseCache | None = None) -> bool:
    """Write the report of the review at ``review_path``; True when it has stills.

    The stills come from ``video``, else from the review's source path when that file exists; without
    either the page says why it has none.

    Raises:
        FormcheckError: the review cannot be read, ``video`` is missing or unreadable, or the HTML cannot be written.
    """
    review = load_review(review_path)
    if video is not None and not video.is_file():
        raise SourceError(f"{video}: no such video")
    source = video or Path(review.source.path)
    if source.is_file():
        page = build_report(review, grab_stills(review, source, cache))
    else:
        page = build_report(review, None, f"the video {review.source.path} was not found here (give it with --video)")
    try:
        html_path.write_text(page, encoding="utf-8")
    except OSError as error:
        raise FormcheckError(f"{html_path}: cannot write the report ({error.strerror})") from error
    return source.is_file()
