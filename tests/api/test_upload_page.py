"""The upload door in a real browser: a labelled squat clip uploaded through the page, its progress, the result page,
and a click on a fault that seeks the annotated video to the fault's start (under the page's own CSP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from test_browser import CHROMIUM, FLAGS, server_url, watch_for_policy_violations

from formcheck.review.words import fault_name, metric_label

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")

__all__ = ["server_url"]  # the live server fixture, shared with the live page's browser test

SEEK_TOLERANCE_S = 0.2
ANALYSIS_TIMEOUT_MS = 120_000  # the pose model really runs (no cache), in the isolated child process


@pytest.fixture(scope="module")
def labelled_reps(shared: Path, faulty_squat: Path) -> int:
    """The faulty squat's labelled rep count."""
    labels = yaml.safe_load((shared / "labels" / "clips.yaml").read_text(encoding="utf-8"))
    path = faulty_squat.relative_to(shared / "clips").as_posix()
    return next(int(clip["reps"]) for clip in labels["clips"] if clip["path"] == path)


def test_upload_through_the_page_then_a_fault_click_seeks_the_video(
    server_url: str, faulty_squat: Path, labelled_reps: int
) -> None:
    clip = faulty_squat
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            violations, outside = watch_for_policy_violations(page, server_url)
            page.goto(f"{server_url}/")

            page.get_by_test_id("upload-file").set_input_files(clip)
            sync_api.expect(page.get_by_test_id("upload-exercise").locator("option[value=squat]")).to_be_attached()
            page.get_by_test_id("upload-exercise").select_option("squat")
            page.get_by_test_id("upload-start").click()
            sync_api.expect(page.get_by_test_id("upload-status")).to_contain_text("Analysing", timeout=ANALYSIS_TIMEOUT_MS)

            page.wait_for_url("**/analyses/*/view", timeout=ANALYSIS_TIMEOUT_MS)
            job_id = page.url.split("/")[-2]
            job: dict[str, Any] = page.evaluate("id => fetch(`/analyses/${id}`).then(r => r.json())", job_id)
            review = job["review"]
            assert review["rep_count"] == labelled_reps
            sync_api.expect(page.get_by_test_id("dose")).to_have_text(review["summary"]["prescription"])
            sync_api.expect(page.get_by_test_id("rep")).to_have_count(labelled_reps)
            sync_api.expect(page.get_by_test_id("reps")).to_contain_text(f"{metric_label('knee_bend_deg')} at the turn")
            page.wait_for_function("() => document.querySelector('[data-testid=video]').readyState >= 1")

            # A fault of the second rep: not at the video's start, nor at its rep's.
            fault = review["reps"][1]["faults"][-1]
            second_rep = page.get_by_test_id("reps").locator("tbody tr").nth(1)
            button = second_rep.get_by_test_id("fault").filter(has_text=fault_name(fault["id"]))
            assert float(button.get_attribute("data-start") or "nan") == fault["start_s"]
            button.click()
            page.wait_for_function("() => !document.querySelector('[data-testid=video]').seeking")
            current_s = page.evaluate("document.querySelector('[data-testid=video]').currentTime")
            assert abs(current_s - fault["start_s"]) <= SEEK_TOLERANCE_S
            assert page.evaluate("(() => { const v = document.querySelector('[data-testid=video]'); "
                                 "return v.seekable.length === 1 && v.seekable.end(0) >= v.duration - 0.1; })()")
            assert violations == [], "the pages work under their own Content-Security-Policy"
            assert outside == []
        finally:
            browser.close()
