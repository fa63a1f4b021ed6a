"""The live page in a real browser: Debian's Chromium, a real clip as the fake webcam, the real server.

The clip is converted to YUV4MPEG2 (what Chromium's fake camera reads) with a still lead-in
and tail: the person stands ready while the page loads the pose model, and stands still
after the set. Chromium loops the file, so the test checks that both labelled reps were
counted within the first pass, not made up on a later one.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import uvicorn
import yaml

from formcheck.api.main import create_app
from formcheck.api.settings import Settings
from formcheck.evaluation import evaluate
from formcheck.sources import open_source
from formcheck.store.accounts import add_trainer
from formcheck.store.database import open_database

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (scripts/setup.sh --test installs it)", allow_module_level=True)

CAMERA_FPS = 15
LEAD_S = 2.0  # standing still before the first rep, while the page connects
TAIL_S = 3.0  # standing still after the last one
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


def write_y4m(clip: Path, target: Path, fps: int = CAMERA_FPS, max_side_px: int = 640) -> float:
    """Write ``clip`` as a 4:2:0 YUV4MPEG2 file at ``fps``, padded with still frames; returns its length in s."""
    frames = list(open_source(clip).frames())
    duration_s = frames[-1].t_s
    times = [frame.t_s for frame in frames]
    picked = [frames[int(np.argmin(np.abs(np.subtract(times, k / fps))))] for k in range(int(duration_s * fps) + 1)]
    height, width = picked[0].image.shape[:2]
    scale = min(1.0, max_side_px / max(width, height))
    size = (int(width * scale) // 2 * 2, int(height * scale) // 2 * 2)  # 4:2:0 needs even sides
    lead = [picked[0]] * int(LEAD_S * fps)
    tail = [picked[-1]] * int(TAIL_S * fps)
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in lead + picked + tail:
            bgr = cv2.resize(cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), size, interpolation=cv2.INTER_AREA)
            out.write(b"FRAME\n" + cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).tobytes())
    return (len(lead) + len(picked) + len(tail)) / fps


@pytest.fixture(scope="module")
def server_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(upload_dir=tmp_path_factory.mktemp("uploads"), data_dir=tmp_path_factory.mktemp("data"), pose_cache=False)


@pytest.fixture(scope="module")
def server_url(server_settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, in a background thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = server_settings
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def watch_for_policy_violations(page: Any, server_url: str) -> tuple[list[str], list[str]]:
    """Console errors from the Content-Security-Policy, and requests that tried to leave the server (aborted)."""
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)

    def keep_local(route: Any) -> None:
        url = route.request.url
        if url.startswith((server_url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", keep_local)
    return violations, outside


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


def test_a_trainer_dismisses_a_fault_and_the_export_holds_it_and_scores(
    server_url: str, server_settings: Settings, shared: Path, tmp_path: Path
) -> None:
    """Sign in, add and open a client, analyse a set under them, dismiss a flagged fault on the result page,
    export the client's labels from their page: the export has the fault gone and formcheck eval scores it."""
    clip = shared / "clips" / "dillonloh-gymai" / "squats_quarter.mp4"  # 3 quarter squats, shallow_depth on each
    database = open_database(server_settings.database)
    with database.session() as session:
        token = add_trainer(session, "Ana")[1]
    database.close()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            violations, outside = watch_for_policy_violations(page, server_url)
            page.goto(f"{server_url}/trainer")
            page.get_by_test_id("token").fill(token)
            page.get_by_test_id("sign-in-button").click()
            page.get_by_test_id("client-name").fill("Carla")
            page.get_by_test_id("add-client").click()
            page.get_by_test_id("client-link").filter(has_text="Carla").click()

            page.get_by_test_id("file").set_input_files(clip)
            page.get_by_test_id("exercise").select_option("squat")
            page.get_by_test_id("date").fill("2026-11-03")
            page.get_by_test_id("analyse").click()
            flagged = page.get_by_test_id("flagged-fault")
            sync_api.expect(flagged).to_have_count(3, timeout=60_000)
            rep_two = flagged.filter(has_text="in rep 2")
            rep_two.get_by_test_id("note").fill("deep enough for her hips")
            rep_two.get_by_test_id("dismiss").click()
            sync_api.expect(page.get_by_test_id("judgement")).to_have_text(["dismiss: Not deep enough (rep 2) · deep enough for her hips"])

            page.get_by_test_id("client-link").click()
            sync_api.expect(page.get_by_test_id("session")).to_have_count(1)
            with page.expect_download() as download:
                page.get_by_test_id("export").click()
            archive = tmp_path / "labels.zip"
            download.value.save_as(archive)
            assert violations == [] and outside == []
        finally:
            browser.close()
    export = tmp_path / "export"
    zipfile.ZipFile(archive).extractall(export)
    [labelled] = yaml.safe_load((export / "clips.yaml").read_text(encoding="utf-8"))["clips"]
    assert labelled["faults"] == [{"id": "shallow_depth", "reps": [1, 3]}]
    assert "deep enough for her hips" in labelled["notes"]
    metrics = evaluate(export / "clips.yaml", export, loso=False)
    assert metrics["overall"]["faults_labelled"] == 2 and metrics["overall"]["faults_reported"] == 3
    assert metrics["overall"]["fault_precision"] == round(2 / 3, 3)
