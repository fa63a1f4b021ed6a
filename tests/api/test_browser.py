"""The live page in a real browser: Debian's Chromium, a real clip as the fake webcam, the real server.

The clip is converted to YUV4MPEG2 (what Chromium's fake camera reads) with a still lead-in
and tail: the person stands ready while the page loads the pose model, and stands still
after the set. Chromium loops the file, so the test checks that both labelled reps were
counted within the first pass, not made up on a later one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, FLAGS, serve, watch_for_policy_violations, write_y4m

from formcheck.api.settings import Settings

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (scripts/setup.sh --test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(Settings(upload_dir=tmp_path_factory.mktemp("uploads"), pose_cache=False)) as url:
        yield url


def test_fake_webcam_squats_are_counted_on_the_page(
    server_url: str, squat_clip: Path, squat_labelled_reps: int, tmp_path: Path
) -> None:
    camera = tmp_path / "squat.y4m"
    loop_s = write_y4m(squat_clip, camera)
    reps: list[dict[str, Any]] = []

    def on_websocket(ws: Any) -> None:
        def on_frame(payload: str | bytes) -> None:
            if isinstance(payload, str) and '"type":"rep"' in payload:
                reps.append(json.loads(payload)["rep"])

        ws.on("framereceived", on_frame)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS + [f"--use-file-for-fake-video-capture={camera}"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            violations, outside = watch_for_policy_violations(page, server_url)
            page.on("websocket", on_websocket)
            page.goto(f"{server_url}/?exercise=squat&autostart=1")

            page.wait_for_function(
                "n => document.querySelector('[data-testid=rep-count]').textContent === String(n)",
                arg=squat_labelled_reps, polling="raf", timeout=60_000,
            )

            # The count shows from the feedback message; the rep event follows it on the socket.
            deadline = time.monotonic() + 5
            while len(reps) < squat_labelled_reps and time.monotonic() < deadline:
                page.wait_for_timeout(50)  # lets Playwright deliver the socket events
            assert len(reps) == squat_labelled_reps
            # Session time starts at the first frame sent, after the camera started: a rep that ends
            # before one loop of the file has passed was counted on the first pass.
            assert reps[-1]["end_s"] < loop_s
            assert page.get_by_test_id("status").inner_text().strip()
            sync_api.expect(page.get_by_test_id("cue")).to_be_attached()

            page.get_by_test_id("end").click()
            summary = page.get_by_test_id("summary")
            sync_api.expect(summary).to_be_visible(timeout=20_000)
            counted = int(page.locator("#summary-reps").inner_text().split()[0])
            assert counted >= squat_labelled_reps
            assert "content-security-policy" in page.evaluate("fetch('/').then(r => [...r.headers.keys()])")
            assert violations == [], "the page works under its own Content-Security-Policy"
            assert outside == []
        finally:
            browser.close()


def test_docs_page_renders_offline_under_its_policy(server_url: str) -> None:
    """Swagger UI from local files renders the operations (it must read OpenAPI 3.1), nothing blocked."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            violations, outside = watch_for_policy_violations(page, server_url)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{server_url}/docs")

            sync_api.expect(page.locator(".opblock-get .opblock-summary-path[data-path='/analyses/{job_id}']")).to_be_visible(timeout=30_000)
            sync_api.expect(page.locator(".opblock-summary-path", has_text="/exercises")).to_be_visible()
            page.locator(".opblock-summary-path", has_text="/exercises").click()  # expand: styles and icons load
            sync_api.expect(page.locator(".opblock-body").first).to_be_visible()
            assert violations == [] and errors == []
            assert outside == []
        finally:
            browser.close()
