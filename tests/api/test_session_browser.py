"""The guided session in a real browser (Debian's Chromium, a squat clip as the fake webcam, the real server).

Walks what the person does: pick a stage, read the rules and rate the back, meet the first exercise, set up the
camera (the set-up check, "get into position", the countdown), squat to the target (the set ends itself), see each
rep, rest, meet the next exercise; then press "pain" mid-set and finish. The stage is a two-exercise programme
written for the test, so one clip's two squats reach its target. The shipped beginner stage is run too, its doses
shortened with ?reps= and ?hold=: a camera too close at first, then bridges to the labelled count; and a spoken
cue inside a labelled fault span of the hip flexor stretch. ``FORMCHECK_SCREENSHOTS=docs/img`` keeps the README's
screenshots of those steps.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, FLAGS, serve, watch_for_policy_violations, write_y4m
from PIL import Image

from formcheck.api.settings import Settings
from formcheck.evaluation import load_labels
from formcheck.program import default_program_dir
from formcheck.safety import SAFETY_FILE
from formcheck.specs import load_spec

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

# Five bridges (the shared labels), the head at the right: the close-up of the bottom-right quarter cuts off the feet.
BRIDGE_CLIP = "BE-PROJECTS2018-GroupNo23-Health-and-Fitness-Assistant/bridge.mp4"
CLOSE_UP_S = 8.0  # longer than the page takes to load the pose model on a slow machine, so the advice is seen
BRIDGE_LEAD_S = 8.0  # framed and still: the set-up check (1 s), "get into position" (1.5 s), the countdown (3 s)
# One half-kneeling hold 4.3-16.8 s with three forward rocks labelled trunk_lean (the shared labels).
HIP_FLEXOR_CLIP = "ndnam0109-fitness-content/hip_flexor_stretch.mp4"
HIP_FLEXOR_LEAD_S = 6.0  # crouched and still: the set begins before the hold does, on most machines
# A spoken cue may come this long after its span ends: the lean must last 0.5 s to count, and the frame's trip to
# the server and back takes up to a few hundred ms on a loaded machine.
CUE_LATENCY_S = 1.0
BEGINNER = "Beginner - high pain, low mobility"

# Installed before the page's scripts: what is spoken and when, when the camera started (Chromium's fake camera
# plays its file from the start of capture, in a loop), and every text the instruction line shows, in order (one
# feedback can change it twice). Times are the page's performance.now(), in ms.
CANCELLED = "<speech cancelled>"
WATCH = """
const CANCELLED = "%CANCELLED%";
window.spoken = [];
window.instructions = [];
window.capture = null;
const speak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (utterance) => {
  window.spoken.push([utterance.text, performance.now()]);
  speak(utterance);
};
const cancel = speechSynthesis.cancel.bind(speechSynthesis);
speechSynthesis.cancel = () => {
  window.spoken.push([CANCELLED, performance.now()]);
  cancel();
};
const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints) => {
  const asked = performance.now();
  const stream = await getUserMedia(constraints);
  window.capture = [asked, performance.now()];
  return stream;
};
document.addEventListener("DOMContentLoaded", () => {
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) window.instructions.push([node.textContent, performance.now()]);
    }
  }).observe(document.getElementById("instruction"), { childList: true });
});
""".replace("%CANCELLED%", CANCELLED)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    programs = tmp_path_factory.mktemp("programs")
    (programs / "safety").mkdir()
    shutil.copyfile(default_program_dir() / SAFETY_FILE, programs / SAFETY_FILE)
    shutil.copyfile(default_program_dir() / "beginner.yaml", programs / "beginner.yaml")
    (programs / "trial.yaml").write_text(TRIAL, encoding="utf-8")
    (programs / "hold.yaml").write_text(HOLD, encoding="utf-8")
    settings = Settings(upload_dir=tmp_path_factory.mktemp("uploads"), pose_cache=False, program_dir=programs)
    with serve(settings) as url:
        yield url


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the steps' screenshots go: FORMCHECK_SCREENSHOTS (docs/img for the README), else a scratch folder."""
    folder = Path(os.environ.get("FORMCHECK_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def camera_page(camera: Path | None) -> Iterator[Any]:
    """A 1280x800 page in Chromium with ``camera`` (a .y4m) as its webcam (None: the default fake camera) and
    ``WATCH`` installed."""
    clip = [f"--use-file-for-fake-video-capture={camera}"] if camera is not None else []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + clip)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script(WATCH)
            yield page
        finally:
            browser.close()


def check_in(page: Any, stage: str, pain: int) -> None:
    """Pick a stage, rate the back, read the rules: the first exercise is introduced."""
    page.get_by_test_id(f"stage-{stage}").click()
    page.get_by_test_id(f"pain-before-{pain}").click()
    page.get_by_test_id("checkin-go").click()


def camera_times(page: Any, t_ms: float, loop_s: float) -> tuple[float, float]:
    """Where in the camera's file (s) the page was at ``t_ms``: earliest and latest, as capture started between
    the page asking for the camera and getting it."""
    asked_ms, started_ms = page.evaluate("window.capture")
    return ((t_ms - started_ms) / 1000) % loop_s, ((t_ms - asked_ms) / 1000) % loop_s


def first_time(page: Any, text: str) -> float:
    """When the instruction line first showed ``text`` (page ms)."""
    return float(next(t for said, t in page.evaluate("window.instructions") if said == text))


def shoot(page: Any, folder: Path, name: str, height_px: int = 800) -> None:
    """The page's top ``height_px`` as the person sees it, at half size in 256 colours: a README figure well under
    150 KB."""
    image = Image.open(io.BytesIO(page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": height_px}))).convert("RGB")
    image = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
    image.quantize(256).save(folder / f"{name}.png", optimize=True)


def label(shared: Path, clip: str) -> dict[str, Any]:
    return next(entry for entry in load_labels(shared / "labels" / "clips.yaml") if entry["path"] == clip)


def test_a_guided_session_from_the_stage_to_done(server_url: str, squat_clip: Path, tmp_path: Path) -> None:
    camera = tmp_path / "squat.y4m"
    write_y4m(squat_clip, camera, lead_s=LEAD_S)
    sent: list[str] = []
    sockets: list[Any] = []

    def on_websocket(ws: Any) -> None:
        sockets.append(ws)
        ws.on("framesent", lambda payload: sent.append(payload) if isinstance(payload, str) else None)

    with camera_page(camera) as page:
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
        page.get_by_test_id("intro-go").click()

        # Set-up check, then "get into position", then the countdown; only then does anything count.
        instruction = page.get_by_test_id("instruction")
        sync_api.expect(page.get_by_test_id("countdown")).to_be_visible(timeout=30_000)
        assert '{"type":"begin"}' not in sent
        sync_api.expect(page.get_by_test_id("countdown")).to_be_hidden(timeout=10_000)
        assert sent.count('{"type":"begin"}') == 1
        sync_api.expect(page.get_by_test_id("set-figure")).to_be_hidden()  # it showed the position to get into
        said = [text for text, _ in page.evaluate("window.instructions")]
        steps = ["Good: hold still…", "Get into the start position.", "Get ready…", "Go!"]
        assert [said.index(step) for step in steps] == sorted(said.index(step) for step in steps), said
        sync_api.expect(page.get_by_test_id("set-target")).to_have_text(" / 2")
        assert not page.get_by_test_id("stats").is_visible(), "the timing line is for developers"

        # The set ends itself at the target; each rep is shown in words; then rest and the next exercise.
        sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=60_000)
        assert any(text.endswith("to go.") for text, _ in page.evaluate("window.instructions"))
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
        assert today["results"] == [{"exercise": "squat", "set": 1, "amount": 2, "unit": "reps", "clean": 2}]
        assert violations == [] and errors == [] and outside == []


def test_the_set_up_check_says_what_to_fix_and_nothing_counts(server_url: str, tmp_path: Path) -> None:
    camera = tmp_path / "dark.y4m"
    width, height, fps = 320, 240, 15
    with camera.open("wb") as out:  # a dark room: nothing to see, and too little light to see it
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        frame = bytes([16]) * (width * height) + bytes([128]) * (width * height // 2)
        for _ in range(fps * 2):
            out.write(b"FRAME\n" + frame)
    sent: list[str] = []

    with camera_page(camera) as page:
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


def test_a_hold_is_timed_while_held_and_ends_at_its_target(server_url: str, shared: Path, tmp_path: Path) -> None:
    camera = tmp_path / "plank.y4m"
    write_y4m(shared / "clips" / PLANK_CLIP, camera, lead_s=0.0)

    with camera_page(camera) as page:
        page.goto(f"{server_url}/session")
        check_in(page, "hold", 1)
        sync_api.expect(page.get_by_test_id("intro-dose")).to_contain_text("set 1 of 1: 5 s held")
        page.get_by_test_id("intro-go").click()

        sync_api.expect(page.get_by_test_id("set-target")).to_have_text(" / 5")
        sync_api.expect(page.get_by_test_id("hold-state")).to_contain_text("holding", timeout=40_000)
        assert page.get_by_test_id("range-box").is_hidden(), "a hold has no range to meter"
        sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=30_000)
        sync_api.expect(page.get_by_test_id("after-count")).to_contain_text("5 s (target 5 s) - target reached")


def test_the_beginner_stage_asks_to_step_back_then_counts_the_labelled_bridges(
    server_url: str, shared: Path, tmp_path: Path, screenshots: Path
) -> None:
    reps = int(label(shared, BRIDGE_CLIP)["reps"])
    camera = tmp_path / "bridge.y4m"
    loop_s = write_y4m(shared / "clips" / BRIDGE_CLIP, camera, lead_s=BRIDGE_LEAD_S, close_up_s=CLOSE_UP_S)
    advice = re.compile(r"Step back: (feet|feet and knees) out of frame\.")

    with camera_page(camera) as page:
        page.goto(f"{server_url}/session?reps={reps}")
        check_in(page, "beginner", 2)
        sync_api.expect(page.get_by_test_id("intro-title")).to_have_text("Pelvic tilt")
        page.get_by_test_id("intro-skip").click()
        sync_api.expect(page.get_by_test_id("intro-title")).to_have_text("Glute bridge")
        sync_api.expect(page.get_by_test_id("intro-dose")).to_have_text(f"set 1 of 2: {reps} reps")  # 8 unshortened
        page.get_by_test_id("intro-go").click()

        # Too close: the fix first, the frame amber, no countdown and no begin.
        instruction = page.get_by_test_id("instruction")
        sync_api.expect(instruction).to_have_text(advice, timeout=30_000)
        assert page.get_by_test_id("countdown").is_hidden()
        shoot(page, screenshots, "session-setup-advice")

        # Framed: the check passes (not before the close-up ends), "get into position", the countdown.
        sync_api.expect(page.get_by_test_id("countdown")).to_be_visible(timeout=30_000)
        shoot(page, screenshots, "session-countdown")
        said = [text for text, _ in page.evaluate("window.instructions")]
        first_ready = said.index("Good: hold still…")
        assert any(advice.fullmatch(text) for text in said[:first_ready]), said
        assert said.index("Get into the start position.") > first_ready and said.index("Get ready…") > first_ready
        ready_from_s, _ = camera_times(page, first_time(page, "Good: hold still…"), loop_s)
        assert ready_from_s >= CLOSE_UP_S, f"the set-up passed {ready_from_s:.1f} s into the camera, in the close-up"

        # The bridges are counted to the labelled number, and the set ends itself.
        sync_api.expect(page.get_by_test_id("set-count")).to_have_text("2", timeout=30_000)
        shoot(page, screenshots, "session-counting")
        sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=60_000)
        sync_api.expect(page.get_by_test_id("after-count")).to_have_text(f"{reps} reps (target {reps} reps) - target reached")
        sync_api.expect(page.get_by_test_id("rep-strip").locator("li")).to_have_count(reps)
        shoot(page, screenshots, "session-set-summary")

        # Finish for today: the session's summary, the back rated again; a reload shows it as the last session.
        page.get_by_test_id("after-stop").click()
        sync_api.expect(page.get_by_test_id("session-summary")).to_have_text(f"Glute bridge: today {reps} reps")
        page.get_by_test_id("pain-after-1").click()
        sync_api.expect(page.get_by_test_id("pain-change")).to_have_text("Before 2, now 1.")
        shoot(page, screenshots, "session-done")
        page.reload()
        sync_api.expect(page.get_by_test_id("last-session")).to_contain_text(f"Last session: {BEGINNER} on ")
        sync_api.expect(page.get_by_test_id("last-session")).to_contain_text("back 2 before and 1 after")
        shoot(page, screenshots, "session-history", height_px=190)  # the stages below include the test's own


def test_reps_the_camera_cannot_count_are_counted_by_the_person(server_url: str, shared: Path, tmp_path: Path) -> None:
    """The beginner stage opens with pelvic tilts, whose few degrees the camera cannot count: the page says so and
    offers +1 per tilt; the set ends at the target on the person's count, not on a 'long pause'."""
    camera = tmp_path / "lying.y4m"
    write_y4m(shared / "clips" / BRIDGE_CLIP, camera, lead_s=BRIDGE_LEAD_S)
    with camera_page(camera) as page:
        page.goto(f"{server_url}/session?reps=2")
        check_in(page, "beginner", 2)
        sync_api.expect(page.get_by_test_id("intro-title")).to_have_text("Pelvic tilt")
        page.get_by_test_id("intro-go").click()
        own = page.get_by_test_id("self-count")
        sync_api.expect(own).to_be_visible(timeout=60_000)
        sync_api.expect(page.get_by_test_id("hold-state")).to_have_text("the camera cannot count these: tap +1 after each")
        own.click()
        sync_api.expect(page.get_by_test_id("set-count")).to_have_text("1")
        own.click()
        sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=30_000)
        sync_api.expect(page.get_by_test_id("after-count")).to_have_text("2 reps (target 2 reps) - target reached")


def test_the_trunk_lean_cue_is_spoken_while_the_trunk_leans(
    server_url: str, shared: Path, tmp_path: Path, screenshots: Path
) -> None:
    spans = [fault["span"] for fault in label(shared, HIP_FLEXOR_CLIP)["faults"] if fault["id"] == "trunk_lean"]
    cue = next(fault.cue for fault in load_spec("half_kneeling_hip_flexor_stretch").faults if fault.id == "trunk_lean")
    camera = tmp_path / "hip_flexor.y4m"
    loop_s = write_y4m(shared / "clips" / HIP_FLEXOR_CLIP, camera, lead_s=HIP_FLEXOR_LEAD_S)

    with camera_page(camera) as page:
        page.goto(f"{server_url}/session?hold=8")
        check_in(page, "beginner", 1)
        page.get_by_test_id("intro-skip").click()
        page.get_by_test_id("intro-skip").click()
        sync_api.expect(page.get_by_test_id("intro-title")).to_have_text("Half-kneeling hip flexor stretch")
        sync_api.expect(page.get_by_test_id("intro-dose")).to_have_text("set 1 of 1: 8 s held (both sides together)")
        page.get_by_test_id("intro-go").click()
        sync_api.expect(page.get_by_test_id("cue")).to_have_text(cue, timeout=60_000)
        shoot(page, screenshots, "session-cue")
        sync_api.expect(page.get_by_test_id("screen-after")).to_be_visible(timeout=60_000)
        sync_api.expect(page.get_by_test_id("after-count")).to_have_text("8 s (target 8 s) - target reached")

        spoken = page.evaluate("window.spoken")
        # When in the clip (s) each cue was spoken: the camera's file less its still lead.
        heard = [
            tuple(t - HIP_FLEXOR_LEAD_S for t in camera_times(page, t_ms, loop_s)) for text, t_ms in spoken if text == cue
        ]
        assert heard, f"the trunk-lean cue was not spoken: {spoken}"
        for earliest, latest in heard:
            assert any(latest >= start and earliest <= end + CUE_LATENCY_S for start, end in spans), (heard, spans)
        # the session's own lines ("Switch sides", "Set done") wait for a cue instead of cutting it off
        first_cue = next(index for index, (text, _) in enumerate(spoken) if text == cue)
        after_cue = [text for text, _ in spoken[first_cue:] if text != cue]
        assert CANCELLED not in after_cue, spoken


def test_history_charts_the_sessions_kept_in_this_browser(server_url: str, tmp_path: Path, screenshots: Path) -> None:
    """Sessions over days as charts (the back's rating, each exercise's best set and clean share) and a table,
    from this browser's storage alone."""
    days = [
        {"started": f"2026-01-0{day}T10:00:00.000Z", "program": BEGINNER, "painBefore": before, "painAfter": after,
         "stoppedForPain": day == 3, "results": [
             {"exercise": "glute_bridge", "set": 1, "amount": reps, "unit": "reps", "clean": clean},
             {"exercise": "plank", "set": 1, "amount": held, "unit": "s", "clean": None},
         ]}
        for day, before, after, reps, clean, held in [(1, 5, 4, 6, 3, 10), (2, 4, 3, 8, 6, 15), (3, 3, 3, 8, 8, 20)]
    ]
    with camera_page(None) as page:
        violations, outside = watch_for_policy_violations(page, server_url)
        page.goto(f"{server_url}/history")
        sync_api.expect(page.get_by_test_id("history-empty")).to_be_visible()
        page.evaluate("kept => localStorage.setItem('formcheck.history', JSON.stringify(kept))", days)
        page.reload()
        sync_api.expect(page.get_by_test_id("history-empty")).to_be_hidden()
        rows = page.get_by_test_id("history-table").locator("tbody tr")
        sync_api.expect(rows).to_have_count(3)
        sync_api.expect(rows.first).to_contain_text("3 / 3 (stopped for pain)")  # newest first
        sync_api.expect(rows.first).to_contain_text("glute bridge 8, plank 20 s")
        captions = page.get_by_test_id("history-charts").locator("figcaption")
        sync_api.expect(captions).to_have_text([
            "Your back (0-10, lower is better)", "glute bridge: best set (reps)", "glute bridge: clean reps",
            "plank: best set (seconds held)",
        ])
        clean_line = page.locator("polyline[data-series='clean']")
        assert len(clean_line.get_attribute("points").split()) == 3  # 50 %, 75 %, 100 %
        shoot(page, screenshots, "session-history-charts", height_px=720)
        assert violations == [] and outside == []
