"""Dependencies as named types, so handler signatures read as what they use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from formcheck.api.jobs import JobStore
from formcheck.api.settings import Settings


def get_settings(connection: HTTPConnection) -> Settings:
    """The settings the app was built with (HTTP and WebSocket routes alike)."""
    settings: Settings = connection.app.state.settings
    return settings


def get_jobs(connection: HTTPConnection) -> JobStore:
    """The app's job store."""
    jobs: JobStore = connection.app.state.jobs
    return jobs


SettingsDep = Annotated[Settings, Depends(get_settings)]
JobStoreDep = Annotated[JobStore, Depends(get_jobs)]
