"""The report in headless Chromium: printed to PDF with nothing cut off, under the API's policy, offline.

The page is the CLI's report (with stills, the heavier one) served as the API serves its report: with
``report_policy`` as its Content-Security-Policy, so a style or picture the policy refuses shows up as
a console error; any request that leaves the page is recorded and aborted.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from formcheck.api.security import report_policy
from formcheck.report import REPORT_CSS, build_report
from formcheck.report.plots import measured_series
from formcheck.report.stills import Stills
from formcheck.review.schema import Review

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (scripts/setup.sh --test installs it)", allow_module_level=True)

URL = "http://report.invalid/report"
# The report's @page: A4 less 12 mm margins, in CSS pixels (96 per inch).
A4_CONTENT_WIDTH_PX = int((210 - 2 * 12) / 25.4 * 96)

BOXES = """() => [...document.querySelectorAll('body *')].map(el => {
  const box = el.getBoundingClientRect();
  return {tag: el.tagName, cls: el.className, left: box.left, right: box.right, width: box.width};
})"""


def test_report_prints_to_pdf_with_nothing_cut_off(faulty_review: Review, faulty_stills: Stills, tmp_path: Path) -> None:
    page_html = build_report(faulty_review, faulty_stills)
    violations: list[str] = []
    outside: list[str] = []

    def serve(route: Any) -> None:
        url = route.request.url
        if url == URL:
            route.fulfill(status=200, body=page_html, headers={
                "content-type": "text/html; charset=utf-8", "content-security-policy": report_policy(REPORT_CSS),
            })
        elif url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": A4_CONTENT_WIDTH_PX, "height": 1000})
            page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
            page.route("**/*", serve)
            page.goto(URL)
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True)
            assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontWeight") != "400"  # the style applied
            boxes = page.evaluate(BOXES)
            width = page.evaluate("document.documentElement.clientWidth")
            keyframes = page.evaluate("[...document.querySelectorAll('figure.keyframe img')].map(i => i.naturalWidth)")
            plots = page.evaluate("[...document.querySelectorAll('figure.plot img')].map(i => i.naturalWidth)")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=tmp_path / "report.png", full_page=True)
        finally:
            browser.close()
    assert not violations and not outside, (violations, outside)
    assert pdf.startswith(b"%PDF")
    assert width == A4_CONTENT_WIDTH_PX and scroll_width <= width
    cut = [box for box in boxes if box["width"] and (box["left"] < -0.5 or box["right"] > width + 0.5)]
    assert not cut, cut[:5]
    assert len(keyframes) == faulty_review.rep_count and all(keyframes)
    assert len(plots) == len(measured_series(faulty_review, "knee_bend_deg")) and all(plots)
    assert (tmp_path / "report.png").stat().st_size > 10_000
