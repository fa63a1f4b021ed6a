"""A trainer's round trip in a real browser (Debian's Chromium, the real server): sign in, add and open a client,
analyse a set under them, dismiss a flagged fault on the result page, export the client's labels from their page;
the export holds the dismissal and formcheck eval scores against it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from browser_support import CHROMIUM, FLAGS, serve, watch_for_policy_violations

from formcheck.api.settings import Settings
from formcheck.evaluation import evaluate
from formcheck.store.accounts import add_trainer
from formcheck.store.database import open_database

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (scripts/setup.sh --test installs it)", allow_module_level=True)

QUARTER_SQUATS = "dillonloh-gymai/squats_quarter.mp4"  # 3 quarter squats, shallow_depth flagged on each


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(upload_dir=tmp_path / "uploads", data_dir=tmp_path / "data", pose_cache=False)


@pytest.fixture
def server_url(settings: Settings) -> Iterator[str]:
    with serve(settings) as url:
        yield url


def test_a_trainer_dismisses_a_fault_and_the_export_holds_it_and_scores(
    server_url: str, settings: Settings, shared: Path, tmp_path: Path
) -> None:
    clip = shared / "clips" / QUARTER_SQUATS
    database = open_database(settings.database)
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
