"""The report to send: one self-contained HTML page about a finished review.

Everything in the page is drawn from the review (and, for the stills, the source video and its
cached poses): nothing is judged again here. The page loads nothing from anywhere: its style is
inline and every picture is a ``data:`` URI, so it can be mailed, opened offline or printed to PDF.
"""

from __future__ import annotations

from formcheck.report.page import REPORT_CSS, build_report

__all__ = ["REPORT_CSS", "build_report"]
