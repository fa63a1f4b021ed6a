"""Build the app: settings, job store, error handler, upload limit, routers and the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from formcheck.api.errors import install_error_handler
from formcheck.api.jobs import JobStore
from formcheck.api.routes import analyses, exercises, live
from formcheck.api.settings import Settings
from formcheck.api.uploads import UploadLimitMiddleware
from formcheck.pose.cache import PoseCache

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The formcheck service.

    Args:
        settings: defaults to ``Settings()`` (environment variables ``FORMCHECK_*``).
    """
    settings = settings or Settings()
    jobs = JobStore(workers=settings.job_workers, jobs_kept=settings.jobs_kept, cache=PoseCache() if settings.pose_cache else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="formcheck",
        summary="Exercise form checking: rep counts, faults and cues from a video or a live camera.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    install_error_handler(app)
    app.add_middleware(UploadLimitMiddleware, path="/analyses", max_upload_bytes=settings.max_upload_bytes)
    for router in (exercises.router, analyses.router, live.router):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
