"""Sign-in, a trainer's clients, each client's history (sessions and trends) and the labels export."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Response, status
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from formcheck.api.deps import TOKEN_COOKIE, JobStoreDep, SessionDep, TrainerDep
from formcheck.api.jobs import JobStatus
from formcheck.api.schemas import ClientHistory, ClientIn, ClientPublic, HistoryWords, SessionPublic
from formcheck.store.accounts import add_client, client_of, clients, trainer_by_token
from formcheck.store.errors import NotSignedInError
from formcheck.store.history import trends
from formcheck.store.labels import export_labels
from formcheck.store.models import Client

router = APIRouter(tags=["clients"])

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in, or the token is not valid"},
    404: {"description": "no client with that id (or another trainer's)"},
}
TOKEN_COOKIE_S = 30 * 24 * 3600


def _public(client: Client) -> ClientPublic:
    return ClientPublic(id=client.id, name=client.name, page=f"/clients/{client.id}/view")


@router.post("/signin", status_code=status.HTTP_204_NO_CONTENT, summary="Sign in with a trainer's token", responses={401: ERRORS[401]})
def sign_in(token: Annotated[str, Form(description="the token `formcheck trainers add` printed")], session: SessionDep, response: Response) -> None:
    """Sets the sign-in cookie (HttpOnly, SameSite=Strict) that the trainer's pages send with every request."""
    if trainer_by_token(session, token.strip()) is None:
        raise NotSignedInError("that token signs no trainer in (a trainer's token is printed by `formcheck trainers add`)")
    response.set_cookie(TOKEN_COOKIE, token.strip(), max_age=TOKEN_COOKIE_S, httponly=True, samesite="strict")


@router.post("/signout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out (forget the sign-in cookie)")
def sign_out(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="strict")


@router.get("/clients", response_model=list[ClientPublic], summary="The signed-in trainer's clients", responses={401: ERRORS[401]})
def list_clients(session: SessionDep, trainer: TrainerDep) -> list[ClientPublic]:
    return [_public(client) for client in clients(session, trainer)]


@router.post(
    "/clients", status_code=status.HTTP_201_CREATED, response_model=ClientPublic, summary="Add a client",
    responses={401: ERRORS[401]},
)
def create_client(body: ClientIn, session: SessionDep, trainer: TrainerDep) -> ClientPublic:
    return _public(add_client(session, trainer, body.name))


@router.get("/clients/{client_id}", response_model=ClientHistory, summary="A client's sessions and trends", responses=ERRORS)
def get_client(client_id: int, session: SessionDep, jobs: JobStoreDep, trainer: TrainerDep) -> ClientHistory:
    """Every analysis of the client, and per exercise one point per analysed session: the clean-rep share, each
    fault's rate (share of reps) and the range reached (the median swing of the rep metric: depth in a squat)."""
    client = client_of(session, trainer, client_id)
    analysed = jobs.jobs_of(client.id)
    sessions = [
        SessionPublic(
            id=job.id, exercise=job.exercise, session_date=job.owner.session_date, status=job.status.value,
            filename=job.filename, page=f"/analyses/{job.id}/view", report=f"/analyses/{job.id}/report",
        )
        for job in analysed if job.owner is not None
    ]
    done = [
        (job.id, job.owner.session_date, job.review) for job in analysed
        if job.status is JobStatus.DONE and job.review is not None and job.owner is not None
    ]
    points = trends(done)
    words = HistoryWords.of(
        {item.exercise for item in sessions}, {fault for series in points.values() for point in series for fault in point.fault_rates}
    )
    return ClientHistory(**_public(client).model_dump(), sessions=sessions, trends=points, words=words)


@router.delete("/clients/{client_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a client", responses=ERRORS)
def delete_client(client_id: int, session: SessionDep, jobs: JobStoreDep, trainer: TrainerDep) -> None:
    """The client, every analysis of theirs and its files (videos, annotated videos, judgements)."""
    jobs.delete_client(client_of(session, trainer, client_id).id)


@router.get(
    "/clients/{client_id}/labels", response_class=FileResponse, summary="The client's judged clips as labels (zip)",
    responses={200: {"content": {"application/zip": {}}}, **ERRORS},
)
def export_client_labels(client_id: int, session: SessionDep, trainer: TrainerDep) -> FileResponse:
    """`clips.yaml` (formcheck.labels/1) and `videos/`: unzip and run `formcheck eval --labels clips.yaml --clips .`"""
    client = client_of(session, trainer, client_id)
    work = Path(tempfile.mkdtemp(prefix="formcheck-export-"))
    export_labels(session, trainer, work / "labels", client)
    archive = shutil.make_archive(str(work / "labels"), "zip", work / "labels")
    return FileResponse(
        archive, media_type="application/zip", filename=f"labels-client-{client.id}.zip",
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )


@router.get("/trainer", include_in_schema=False)
def trainer_page() -> FileResponse:
    """Sign-in, the clients and an upload under a client (static: its script fetches the JSON)."""
    return FileResponse(WEB_DIR / "trainer.html")


@router.get("/clients/{client_id}/view", include_in_schema=False)
def client_page() -> FileResponse:
    """A client's history page (static: its script reads the id from the address)."""
    return FileResponse(WEB_DIR / "client.html")
