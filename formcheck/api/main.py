"""Build the app: settings, job store, error handler, upload limit, routers and the page."""

from __future__ import annotations

import importlib.resources
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from formcheck.api.errors import install_error_handler
from formcheck.api.jobs import JobStore
from formcheck.api.queue import enqueuer
from formcheck.api.routes import analyses, clients, exercises, live, programs
from formcheck.api.routes import report as report_route
from formcheck.api.security import PAGE_POLICY, OwnPageOnly, SecurityHeaders
from formcheck.api.settings import Settings
from formcheck.api.uploads import UploadLimitMiddleware, sweep_uploads
from formcheck.pose.cache import PoseCache
from formcheck.store.database import open_database
from formcheck.store.videos import VideoFolder

# Swagger UI sets style attributes of its own; everything else stays as strict as the page's.
DOCS_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Swagger UI's own files, from the swagger-ui-py wheel (no CDN: /docs works offline).
SWAGGER_UI_DIR = Path(str(importlib.resources.files("swagger_ui") / "static"))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The formcheck service.

    Args:
        settings: defaults to ``Settings()`` (environment variables ``FORMCHECK_*``).
    """
    settings = settings or Settings()
    database = open_database(settings.database)
    cache = PoseCache(max_age_days=settings.pose_cache_days) if settings.pose_cache else None
    if cache is not None:
        cache.sweep()
    jobs = JobStore(
        workers=settings.job_workers, jobs_kept=settings.jobs_kept, max_queued=settings.max_queued_jobs, cache=cache,
        output_dir=settings.upload_dir, database=database, videos=VideoFolder(settings.data_dir),
        enqueue=enqueuer(settings) if settings.broker_url else None,
    )
    # What a stopped server left: the files of jobs it recorded are run again, anything else goes.
    sweep_uploads(settings.upload_dir, jobs.files_in_use())
    jobs.resume()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        database.close()

    app = FastAPI(
        title="formcheck",
        summary="Exercise form checking: rep counts, faults and cues from a video or a live camera.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.database = database
    app.state.live_slots = live.LiveSlots()
    install_error_handler(app)
    app.add_middleware(UploadLimitMiddleware, path="/analyses", max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    # Outermost: a request from a foreign host or page is refused before anything else reads it.
    app.add_middleware(OwnPageOnly, allowed_hosts=settings.allowed_hosts, allowed_origins=settings.allowed_origins)
    for router in (exercises.router, programs.router, analyses.router, live.router, clients.router):
        app.include_router(router)
    app.include_router(report_route.router)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    @app.get("/session", include_in_schema=False)
    def guided_session() -> FileResponse:
        return FileResponse(WEB_DIR / "session.html")

    @app.get("/history", include_in_schema=False)
    def home_history() -> FileResponse:
        return FileResponse(WEB_DIR / "history.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(WEB_DIR / "docs.html", headers={"content-security-policy": DOCS_POLICY})

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_UI_DIR), name="docs-assets")
    return app
