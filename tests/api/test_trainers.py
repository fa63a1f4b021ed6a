"""Trainers over HTTP, on SQLite and PostgreSQL: sign-in, clients, kept analyses, isolation between trainers,
judgements and their export, a restart that loses no job, and many uploads at once."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from formcheck.api.main import create_app
from formcheck.api.settings import Settings
from formcheck.evaluation import evaluate
from formcheck.review.words import fault_name, metric_label
from formcheck.specs import load_spec
from formcheck.store.accounts import add_trainer
from formcheck.store.database import open_database
from formcheck.store.models import Analysis

POLL_TIMEOUT_S = 120.0
HOSTS = ["testserver"]  # Starlette's test client calls itself so


def trainer_tokens(database_url: str, *names: str) -> list[str]:
    database = open_database(database_url)
    with database.session() as session:
        tokens = [add_trainer(session, name)[1] for name in names]
    database.close()
    return tokens


def signed(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def wait_done(client: TestClient, job_id: str, token: str | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/analyses/{job_id}", headers=signed(token) if token else {}).json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job["error"]
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not finished after {POLL_TIMEOUT_S} s")


def upload_for(client: TestClient, token: str, client_id: int, clip: Path, date: str = "2026-11-03") -> dict[str, Any]:
    response = client.post(
        "/analyses", headers=signed(token), files={"file": ("monday set.mp4", clip.read_bytes(), "video/mp4")},
        data={"exercise": "squat", "client": str(client_id), "session_date": date},
    )
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def add_client(client: TestClient, token: str, name: str) -> int:
    response = client.post("/clients", headers=signed(token), json={"name": name})
    assert response.status_code == 201, response.text
    client_id: int = response.json()["id"]
    return client_id


@pytest.fixture
def app_client(make_client: Any, database_url: str, tmp_path: Path) -> TestClient:
    return make_client(database_url=database_url, data_dir=tmp_path / "data")


def test_a_trainers_analysis_is_kept_under_a_client_by_content_hash(
    app_client: TestClient, database_url: str, squat_clip: Path, tmp_path: Path
) -> None:
    [token] = trainer_tokens(database_url, "Ana")
    client_id = add_client(app_client, token, "Carla")

    job = wait_done(app_client, upload_for(app_client, token, client_id, squat_clip)["id"], token)

    assert job["client"] == client_id and job["session_date"] == "2026-11-03" and job["review"]["rep_count"] == 2
    kept = [path.name for path in (tmp_path / "data" / "videos").iterdir()]
    assert len(kept) == 1 and kept[0].endswith(".mp4") and "monday" not in kept[0] and len(kept[0]) == 64 + 4
    history = app_client.get(f"/clients/{client_id}", headers=signed(token)).json()
    assert [(s["id"], s["session_date"], s["page"], s["report"]) for s in history["sessions"]] == [
        (job["id"], "2026-11-03", f"/analyses/{job['id']}/view", f"/analyses/{job['id']}/report")
    ]
    assert history["trends"]["squat"][0]["clean_share"] == 1.0
    assert app_client.get(f"/analyses/{job['id']}/report", headers=signed(token)).status_code == 200


def test_a_clients_history_names_its_exercises_and_faults_in_words(
    app_client: TestClient, database_url: str, faulty_squat: Path
) -> None:
    """The client page reads "Squat" and "Not deep enough", not ids."""
    [token] = trainer_tokens(database_url, "Ana")
    client_id = add_client(app_client, token, "Carla")
    wait_done(app_client, upload_for(app_client, token, client_id, faulty_squat)["id"], token)
    history = app_client.get(f"/clients/{client_id}", headers=signed(token)).json()
    flagged = set(history["trends"]["squat"][0]["fault_rates"])
    assert flagged and history["words"]["faults"] == {fault_id: fault_name(fault_id) for fault_id in flagged}
    assert history["words"]["exercises"] == {"squat": "Squat"}
    assert history["words"]["range"] == {"squat": metric_label(load_spec("squat").reps.metric)}


def test_another_trainer_gets_404_for_everything_of_the_first(app_client: TestClient, database_url: str, squat_clip: Path) -> None:
    ana, ben = trainer_tokens(database_url, "Ana", "Ben")
    client_id = add_client(app_client, ana, "Carla")
    job_id = wait_done(app_client, upload_for(app_client, ana, client_id, squat_clip)["id"], ana)["id"]
    judgement = {"verdict": "add", "fault_id": "knee_valgus", "rep": 1}

    for method, path, extra in [
        ("GET", f"/clients/{client_id}", {}), ("GET", f"/analyses/{job_id}", {}), ("GET", f"/analyses/{job_id}/video", {}),
        ("GET", f"/analyses/{job_id}/report", {}), ("GET", f"/clients/{client_id}/labels", {}),
        ("POST", f"/analyses/{job_id}/judgements", {"json": judgement}), ("DELETE", f"/analyses/{job_id}", {}),
        ("DELETE", f"/clients/{client_id}", {}),
    ]:
        response = app_client.request(method, path, headers=signed(ben), **extra)
        assert response.status_code == 404, (method, path, response.text)
        assert "detail" in response.json()
    assert app_client.get(f"/analyses/{job_id}").status_code == 404, "nor is it anyone's without signing in"
    assert app_client.get("/clients", headers=signed(ben)).json() == []
    assert app_client.post(
        "/analyses", headers=signed(ben), files={"file": ("a.mp4", squat_clip.read_bytes(), "video/mp4")},
        data={"exercise": "squat", "client": str(client_id)},
    ).status_code == 404
    assert app_client.get(f"/analyses/{job_id}", headers=signed(ana)).status_code == 200


@pytest.mark.parametrize(
    ("request_args", "status", "detail"),
    [
        ({}, 401, "sign in first"),
        ({"headers": {"authorization": "Bearer not-a-token"}}, 401, "the sign-in token is not valid"),
    ],
)
def test_trainer_routes_ask_for_a_valid_sign_in(app_client: TestClient, request_args: dict[str, Any], status: int, detail: str) -> None:
    response = app_client.get("/clients", **request_args)

    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_sign_in_sets_a_cookie_that_signs_the_page_in(app_client: TestClient, database_url: str) -> None:
    [token] = trainer_tokens(database_url, "Ana")

    assert app_client.post("/signin", data={"token": "wrong"}).status_code == 401
    response = app_client.post("/signin", data={"token": token})

    assert response.status_code == 204
    assert "httponly" in response.headers["set-cookie"].lower() and "samesite=strict" in response.headers["set-cookie"].lower()
    assert app_client.get("/clients").status_code == 200
    app_client.post("/signout")
    assert app_client.get("/clients").status_code == 401


def test_an_upload_under_a_client_needs_a_sign_in(app_client: TestClient, squat_clip: Path) -> None:
    response = app_client.post(
        "/analyses", files={"file": ("a.mp4", squat_clip.read_bytes(), "video/mp4")}, data={"exercise": "squat", "client": "1"}
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "sign in to file an analysis under a client"}


def test_judgements_are_stored_exported_and_scored_by_eval(
    app_client: TestClient, database_url: str, squat_clip: Path, tmp_path: Path
) -> None:
    [token] = trainer_tokens(database_url, "Ana")
    client_id = add_client(app_client, token, "Carla")
    job_id = wait_done(app_client, upload_for(app_client, token, client_id, squat_clip)["id"], token)["id"]

    refused = app_client.post(
        f"/analyses/{job_id}/judgements", headers=signed(token), json={"verdict": "dismiss", "fault_id": "knee_valgus", "rep": 1}
    )
    added = app_client.post(
        f"/analyses/{job_id}/judgements", headers=signed(token),
        json={"verdict": "add", "fault_id": "knee_valgus", "rep": 2, "note": "knees cave on the way up"},
    )

    assert refused.status_code == 422 and refused.json() == {"detail": "no knee_valgus flagged in rep 1 to dismiss"}
    assert added.status_code == 201 and added.json()["note"] == "knees cave on the way up"
    job = app_client.get(f"/analyses/{job_id}", headers=signed(token)).json()
    assert [(j["verdict"], j["fault_id"], j["rep"]) for j in job["judgements"]] == [("add", "knee_valgus", 2)]
    export = app_client.get(f"/clients/{client_id}/labels", headers=signed(token))
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"
    folder = tmp_path / "export"
    zipfile.ZipFile(io.BytesIO(export.content)).extractall(folder)
    [clip] = yaml.safe_load((folder / "clips.yaml").read_text(encoding="utf-8"))["clips"]
    assert clip["faults"] == [{"id": "knee_valgus", "reps": [2]}]
    metrics = evaluate(folder / "clips.yaml", folder, loso=False)
    assert metrics["overall"]["clips"] == 1 and metrics["overall"]["faults_labelled"] == 1
    assert metrics["clips"][0]["counted"] == 2 and metrics["clips"][0]["error"] is None


def test_deleting_an_analysis_or_a_client_deletes_its_files(
    app_client: TestClient, database_url: str, squat_clip: Path, tmp_path: Path
) -> None:
    [token] = trainer_tokens(database_url, "Ana")
    carla, dario = add_client(app_client, token, "Carla"), add_client(app_client, token, "Dario")
    first = wait_done(app_client, upload_for(app_client, token, carla, squat_clip)["id"], token)["id"]
    second = wait_done(app_client, upload_for(app_client, token, dario, squat_clip)["id"], token)["id"]
    data = tmp_path / "data"
    assert len(list((data / "videos").iterdir())) == 1, "the same clip twice is stored once"

    assert app_client.delete(f"/analyses/{first}", headers=signed(token)).status_code == 204
    assert not (data / "analyses" / first).exists() and len(list((data / "videos").iterdir())) == 1, "Dario's still uses it"
    assert app_client.delete(f"/clients/{dario}", headers=signed(token)).status_code == 204

    assert not (data / "analyses" / second).exists() and list((data / "videos").iterdir()) == []
    assert app_client.get(f"/analyses/{second}", headers=signed(token)).status_code == 404
    assert app_client.get(f"/clients/{dario}", headers=signed(token)).status_code == 404


def test_a_restart_loses_no_job(database_url: str, squat_clip: Path, tmp_path: Path) -> None:
    """A server that died left a trainer's job running and an anonymous one queued: the next one runs both."""
    [token] = trainer_tokens(database_url, "Ana")
    settings = Settings(upload_dir=tmp_path / "uploads", data_dir=tmp_path / "data", database_url=database_url, allowed_hosts=HOSTS)
    with TestClient(create_app(settings)) as before:
        client_id = add_client(before, token, "Carla")
    kept = tmp_path / "data" / "videos" / ("cd" * 32 + ".mp4")
    kept.parent.mkdir(parents=True)
    kept.write_bytes(squat_clip.read_bytes())
    upload = tmp_path / "uploads" / ("ef" * 16 + ".mp4")
    upload.parent.mkdir(exist_ok=True)
    upload.write_bytes(squat_clip.read_bytes())
    database = open_database(database_url)
    with database.session() as session:
        session.add_all([
            Analysis(id="a" * 32, client_id=client_id, exercise="squat", session_date=dt.date(2026, 11, 3), filename="set.mp4",
                     video=str(kept), status="running"),
            Analysis(id="b" * 32, exercise="squat", filename="anon.mp4", video=str(upload), status="queued"),
        ])
        session.commit()
    database.close()

    with TestClient(create_app(settings)) as after:
        mine = wait_done(after, "a" * 32, token)
        anonymous = wait_done(after, "b" * 32)

    assert mine["review"]["rep_count"] == anonymous["review"]["rep_count"] == 2
    assert kept.exists(), "a trainer's video stays"
    assert not upload.exists(), "an anonymous upload is deleted once analysed"


def test_twenty_uploads_at_once_from_two_trainers_are_all_analysed_under_their_clients(
    make_client: Any, database_url: str, squat_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "poses"))  # the clip's poses are computed once here
    app_client = make_client(database_url=database_url, data_dir=tmp_path / "data", job_workers=2, pose_cache=True)
    tokens = trainer_tokens(database_url, "Ana", "Ben")
    targets = [(token, add_client(app_client, token, f"client {n}")) for n in range(10) for token in tokens]

    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        created = list(pool.map(lambda target: upload_for(app_client, *target, clip=squat_clip), targets))

    assert len({job["id"] for job in created}) == 20
    for (token, client_id), job in zip(targets, created):
        done = wait_done(app_client, job["id"], token)
        assert done["client"] == client_id and done["review"]["rep_count"] == 2
        sessions = app_client.get(f"/clients/{client_id}", headers=signed(token)).json()["sessions"]
        assert [session["id"] for session in sessions] == [job["id"]]
    for token in tokens:
        assert len(app_client.get("/clients", headers=signed(token)).json()) == 10


def test_only_anonymous_jobs_are_forgotten_past_jobs_kept(make_client: Any, database_url: str, squat_clip: Path, tmp_path: Path) -> None:
    app_client = make_client(database_url=database_url, data_dir=tmp_path / "data", jobs_kept=1)
    [token] = trainer_tokens(database_url, "Ana")
    kept = wait_done(app_client, upload_for(app_client, token, add_client(app_client, token, "Carla"), squat_clip)["id"], token)
    anonymous = []
    for _ in range(2):
        response = app_client.post("/analyses", files={"file": ("a.mp4", squat_clip.read_bytes(), "video/mp4")}, data={"exercise": "squat"})
        anonymous.append(wait_done(app_client, response.json()["id"]))

    assert app_client.get(f"/analyses/{anonymous[0]['id']}").status_code == 404
    assert app_client.get(f"/analyses/{anonymous[1]['id']}").status_code == 200
    assert app_client.get(f"/analyses/{kept['id']}", headers=signed(token)).status_code == 200


def test_a_finished_anonymous_job_keeps_its_review_and_video_across_a_restart(database_url: str, squat_clip: Path, tmp_path: Path) -> None:
    settings = Settings(upload_dir=tmp_path / "uploads", data_dir=tmp_path / "data", database_url=database_url, allowed_hosts=HOSTS)
    with TestClient(create_app(settings)) as before:
        response = before.post("/analyses", files={"file": ("a.mp4", squat_clip.read_bytes(), "video/mp4")}, data={"exercise": "squat"})
        job = wait_done(before, response.json()["id"])
    leftover = tmp_path / "uploads" / ("0f" * 16 + ".mp4")
    leftover.write_bytes(b"an upload no job knows")

    with TestClient(create_app(settings)) as after:
        again = after.get(f"/analyses/{job['id']}").json()
        video = after.get(f"/analyses/{job['id']}/video")

    assert again["status"] == "done" and again["review"] == job["review"]
    assert video.status_code == 200 and video.content
    assert not leftover.exists(), "what no recorded job needs is swept at start-up"


def _serve_process(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``formcheck serve`` in its own process group (its analyses run in child processes: a kill takes them too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "formcheck", "serve", "--port", str(port)], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/exercises", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server at {url} did not start")


def test_a_server_killed_mid_analysis_finishes_the_job_after_its_restart(
    database_url: str, squat_clip: Path, tmp_path: Path
) -> None:
    """The real thing: `formcheck serve` killed (SIGKILL, its whole process group) while a trainer's upload is being
    analysed; the next server finishes it from the kept video, and the review is the clip's."""
    [token] = trainer_tokens(database_url, "Ana")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "FORMCHECK_DATABASE_URL": database_url, "FORMCHECK_DATA_DIR": str(tmp_path / "data"),
        "FORMCHECK_UPLOAD_DIR": str(tmp_path / "uploads"), "FORMCHECK_POSE_CACHE": "false",
    }
    headers = signed(token)
    server = _serve_process(port, env)
    try:
        _wait_up(url)
        client_id = httpx.post(f"{url}/clients", headers=headers, json={"name": "Carla"}).json()["id"]
        job = httpx.post(
            f"{url}/analyses", headers=headers, files={"file": ("set.mp4", squat_clip.read_bytes(), "video/mp4")},
            data={"exercise": "squat", "client": str(client_id), "session_date": "2026-11-03"}, timeout=30,
        ).json()
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/analyses/{job['id']}", headers=headers).json()["status"] != "running":
            assert time.monotonic() < deadline, "the analysis never started"
            time.sleep(0.05)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)

    restarted = _serve_process(port, env)
    try:
        _wait_up(url)
        deadline = time.monotonic() + POLL_TIMEOUT_S
        while (after := httpx.get(f"{url}/analyses/{job['id']}", headers=headers).json())["status"] != "done":
            assert after["status"] != "failed" and time.monotonic() < deadline, after
            time.sleep(0.2)
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=30)
    assert after["review"]["rep_count"] == 2 and after["client"] is not None
