"""The guided session in a real browser (Debian's Chromium, a squat clip as the fake webcam, the real server).

Walks what the person does: pick a stage, read the rules and rate the back, meet the first exercise, set up the
camera (the set-up check, "get into position", the countdown), squat to the target (the set ends itself), see each
rep, rest, meet the next exercise; then press "pain" mid-set and finish. The stage is a two-exercise programme
written for the test, so one clip's two squats reach its target.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, FLAGS, serve, watch_for_policy_violations, write_y4m

from formcheck.api.settings import Settings
from formcheck.program import default_program_dir
from formcheck.safety import SAFETY_FILE

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (scripts/setup.sh --test installs it)", allow_module_level=True)

# Standing still this long before the first squat: the page loads the model, checks the set-up (1 s), sees the
# start position and counts down (3 s) before the clip's squats begin.
LEAD_S = 9.0
TRIAL = """name: Trial - two squats, then a bridge
description: a short stage for the test
exercises:
  - {exercise: squat, sets: 1, reps: [2, 2]}
  - {exercise: glute_bridge, sets: 1, reps: [8, 8], note: "lift only as high as is comfortable"}
"""
HOLD = """name: Hold - one plank
description: a timed hold for the test
exercises:
  - {exercise: plank, sets: 1, hold_s: [5, 5]}
"""
# Title card 0-5 s, kneeling 5-8.5 s, forearm plank 10.5-20 s (the shared labels).
PLANK_CLIP = "TomNotchYmk-lightweight-human-pose-estimation-3d-demo.pytorch/plank.mp4"
EARLIER_SESSION = {
    "started": "2026-01-01T10:00:00.000Z", "program": "Trial - two squats, then a bridge", "painBefore": 4,
    "painAfter": 3, "stoppedForPain": False, "results": [{"exercise": "squat", "set": 1, "amount": 1, "unit": "reps"}],
}

# Every text the instruction line shows, in order (one feedback can change it twice).
WATCH_INSTRUCTIONS = """() => {
  window.instructions = [];
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) window.instructions.push(node.textContent);
  }).observe(document.getElementById("instruction"), { childList: true });
}"""


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    programs = tmp_path_factory.mktemp("programs")
    (programs / "safety").mkdir()
    shutil.copyfile(default_program_dir() / SAFETY_FILE, programs / SAFETY_FILE)
    (programs / "trial.yaml").write_text(TRIAL, encoding="utf-8")
    (programs / "hold.yaml").write_text(HOLD, encoding="utf-8")
    settings = Settings(upload_dir=tmp_path_factory.mktemp("uploads"), pose_cache=False, program_dir=programs)
    with serve(settings) as url:
        yield url


def test_a_guided_session_from_the_stage_to_done(server_url: str, squat_clip: Path, tmp_path: Path) -> None:
    camera = tmp_path / "squat.y4m"
    write_y4m(squat_clip, camera, lead_s=LEAD_S)
    sent: list[str] = []
    sockets: list[Any] = []

    def on_websocket(ws: Any) -> None:
        sockets.append(ws)
        ws.on("framesent", lambda payload: sent.append(payload) if isinstance(payload, str) else None)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [f"--use-file-for-fake-video-capture={camera}"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            violations, outside = watch_for_policy_violations(page, server_url)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("websocket", on_websocket)
            page.goto(f"{server_url}/session")
            page.evaluate("history => localStorage.setItem('formcheck.history', JSON.stringify(history))", [EARLIER_SESSION])
            page.reload()

            # Start: the stage, its exercises and doses; the last session is remembered.
            sync_api.expect(page.get_by_test_id("last-session")).to_contain_text("back 4 before and 3 after")
            sync_api.expect(page.get_by_text("Squat: 1 x 2 reps")).to_be_visible()
            page.get_by_test_id("stage-trial").click()

            # Check-in: the seeds' rules, and no start before the back is rated.
            sync_api.expect(page.get_by_test_id("rules-before")).to_contain_text("Stop before any pain occurs")
            sync_api.expect(page.get_by_test_id("checkin-go")).to_be_disabled()
            page.get_by_test_id("pain-before-3").click()
            page.get_by_test_id("checkin-go").click()

            # The first exercise: what it is, its start position, the dose, the camera, last time.
            sync_api.expect(page.get_by_test_id("intro-title")).to_have_text("Squat")
            sync_api.expect(page.get_by_test_id("intro-dose")).to_contain_text("set 1 of 1: 2 reps")
            sync_api.expect(page.get_by_test_id("intro-view")).to_have_text("Put the camera side-on to you.")
            sync_api.expect(page.get_by_test_id("intro-last")).to_have_text("Last time: 1 rep in your best set.")
            assert page.evaluate("() => { const c = document.getElementById('figure'); const d = c.getContext('2d')"
                                 ".getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length;"
                                 " i += 4) n += d[i] > 0; return n; }") > 2000, "the start position is drawn"
            page.evaluate(WATCH_INSTRUCTIONS)
            page.get_by_test_id("intro-go").click()

            # Set-up check, then "get into position", then the countdown; only then does anything count.
            instruction = page.get_by_test_id("instruction")
            sync_api.expect(page.get_by_test_id("countdown")).to_be_visible(timeout=30_000)
            assert '{"type":"begin"}' not in sent
            sync_api.expect(page.get_by_test_id("countdown")).to_be_hidden(timeout=10_000)
            assert sent.count('{"type":"begin"}') == 1
            sync_api.expect(page.get_by_test_id("set-figure")).to_be_hidden()  # it showed the position to get into
            said = page.evaluate("window.instructions")
            steps = ["Good: hold still…", "Get into the start position.", "Get ready…", "Go!"]
            assert [said.index(step) for step in steps] == sorted(said.index(step) for step in steps), said
            sync_api.expect(page.get_by_test_id("set-target")).to_have_text(" / 2")
            assert not page.get_by_test_id("stats").is_visible(), "the timing line is for developers"

            # The set ends itself at the target; each rep is shown in words; then rest and the next exercise.
            sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=60_000)
            assert any(text.endswith("to go.") for text in page.evaluate("window.instructions"))
            assert re.fullmatch(r"Rep 2: knee bend \(deg\) \d+, counts from 31", page.get_by_test_id("last-rep").text_content() or "")
            assert '{"type":"end"}' in sent
            sync_api.expect(page.get_by_test_id("after-count")).to_contain_text("2 reps (target 2 reps) - target reached")
            strip = page.get_by_test_id("rep-strip").locator("li")
            sync_api.expect(strip).to_have_count(2)
            assert all(":" in text for text in strip.all_inner_texts())
            sync_api.expect(page.get_by_test_id("rest-timer")).to_have_text("1:00")
            sync_api.expect(page.get_by_test_id("rest-timer")).not_to_have_text("1:00", timeout=3_000)
            sync_api.expect(page.get_by_test_id("next")).to_have_text("Next exercise: Glute bridge")
            page.get_by_test_id("next").click()
            sync_api.expect(page.get_by_test_id("intro-title")).to_have_text("Glute bridge")
            sync_api.expect(page.get_by_test_id("intro-dose")).to_contain_text("8 reps")

            # Pain mid-set: the set stops (its socket closes without a summary) and the seeds' advice shows.
            page.get_by_test_id("intro-go").click()
            sync_api.expect(instruction).not_to_have_text("Loading the pose model…", timeout=30_000)
            page.get_by_test_id("pain").click()
            sync_api.expect(page.get_by_test_id("pain-dialog")).to_be_visible()
            sync_api.expect(page.get_by_test_id("rules-stop")).to_contain_text("travel down into your legs")
            page.wait_for_timeout(300)
            assert sockets[-1].is_closed()
            page.get_by_test_id("pain-finish").click()

            # Done: the back rated again; today against last time; all of it kept in this browser.
            sync_api.expect(page.get_by_test_id("session-summary")).to_contain_text("Squat: last time 1 rep, today 2 reps")
            sync_api.expect(page.get_by_test_id("session-summary")).to_contain_text("Stopped for pain.")
            page.get_by_test_id("pain-after-2").click()
            sync_api.expect(page.get_by_test_id("pain-change")).to_have_text("Before 3, now 2.")
            kept = json.loads(page.evaluate("localStorage.getItem('formcheck.history')"))
            assert len(kept) == 2
            today = kept[-1]
            assert (today["painBefore"], today["painAfter"], today["stoppedForPain"]) == (3, 2, True)
            assert today["results"] == [{"exercise": "squat", "set": 1, "amount": 2, "unit": "reps"}]
            assert violations == [] and errors == [] and outside == []
        finally:
            browser.close()


def test_the_set_up_check_says_what_to_fix_and_nothing_counts(server_url: str, tmp_path: Path) -> None:
    camera = tmp_path / "dark.y4m"
    width, height, fps = 320, 240, 15
    with camera.open("wb") as out:  # a dark room: nothing to see, and too little light to see it
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        frame = bytes([16]) * (width * height) + bytes([128]) * (width * height // 2)
        for _ in range(fps * 2):
            out.write(b"FRAME\n" + frame)
    sent: list[str] = []

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [f"--use-file-for-fake-video-capture={camera}"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload) if isinstance(payload, str) else None))
            page.goto(f"{server_url}/session")
            page.get_by_test_id("single-exercise").select_option("glute_bridge")
            page.get_by_test_id("single-start").click()
            page.get_by_test_id("pain-before-0").click()
            page.get_by_test_id("checkin-go").click()
            sync_api.expect(page.get_by_test_id("intro-dose")).to_contain_text("set 1 of 2: 8 reps")
            page.get_by_test_id("intro-go").click()

            sync_api.expect(page.get_by_test_id("instruction")).to_have_text(
                "Too dark: turn on a light, or face a window.", timeout=30_000
            )
            page.wait_for_timeout(3_000)
            sync_api.expect(page.get_by_test_id("instruction")).to_have_text("Too dark: turn on a light, or face a window.")
            assert page.get_by_test_id("countdown").is_hidden()
            sync_api.expect(page.get_by_test_id("set-figure")).to_be_visible()
            assert sent == [], "no begin while the set-up is not right"
        finally:
            browser.close()


def test_a_hold_is_timed_while_held_and_ends_at_its_target(server_url: str, shared: Path, tmp_path: Path) -> None:
    camera = tmp_path / "plank.y4m"
    write_y4m(shared / "clips" / PLANK_CLIP, camera, lead_s=0.0)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [f"--use-file-for-fake-video-capture={camera}"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{server_url}/session")
            page.get_by_test_id("stage-hold").click()
            page.get_by_test_id("pain-before-1").click()
            page.get_by_test_id("checkin-go").click()
            sync_api.expect(page.get_by_test_id("intro-dose")).to_contain_text("set 1 of 1: 5 s held")
            page.get_by_test_id("intro-go").click()

            sync_api.expect(page.get_by_test_id("set-target")).to_have_text(" / 5")
            sync_api.expect(page.get_by_test_id("hold-state")).to_contain_text("holding", timeout=40_000)
            assert page.get_by_test_id("range-box").is_hidden(), "a hold has no range to meter"
            sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=30_000)
            sync_api.expect(page.get_by_test_id("after-count")).to_contain_text("5 s (target 5 s) - target reached")
        finally:
            browser.close()
