"""Service settings, validated once at start-up; each one can be set as ``FORMCHECK_<NAME>``.

Exercise thresholds are not settings: they live in the spec files, so every door agrees.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from formcheck.errors import FormcheckError
from formcheck.program import default_program_dir

MB = 1_000_000


class Settings(BaseSettings):
    """What an operator may tune, e.g. ``FORMCHECK_MAX_UPLOAD_BYTES=50000000 formcheck serve``."""

    model_config = SettingsConfigDict(env_prefix="FORMCHECK_", frozen=True)

    max_upload_bytes: int = Field(default=200 * MB, gt=0, description="largest video accepted by POST /analyses")
    max_frame_bytes: int = Field(default=2 * MB, gt=0, description="largest JPEG frame accepted on the live WebSocket")
    upload_dir: Path = Field(
        default=Path(tempfile.gettempdir()) / "formcheck-uploads",
        description="where anonymous uploads wait for their analysis (each is deleted when its job ends) and each "
        "such job's annotated video is kept, as long as the job (removed with it; at start-up, whatever no recorded "
        "job needs is removed)",
    )
    job_workers: int = Field(default=1, ge=1, le=32, description="analyses run at the same time (each uses the CPU fully)")
    jobs_kept: int = Field(
        default=200, ge=1, description="finished jobs kept for GET /analyses/{id} with their annotated videos; the oldest go first"
    )
    pose_cache: bool = Field(
        default=False,
        description="keep uploaded clips' landmarks to reuse when the same clip comes again (off: nothing of an upload is kept)",
    )
    pose_cache_days: float = Field(default=7.0, gt=0, description="with the pose cache on, days an upload's landmarks are kept")
    max_queued_jobs: int = Field(
        default=32, ge=1, description="uploads waiting for their analysis; past it POST /analyses answers 503 with Retry-After"
    )
    broker_url: str | None = Field(
        default=None,
        description="Celery broker, e.g. redis://queue-host:6379/0: uploads are queued there and run by `formcheck "
        "worker` on any machine that reaches the broker, the database and the upload and data folders (unset: "
        "`formcheck serve` runs them itself)",
    )
    job_timeout_s: float = Field(
        default=3600.0, gt=0,
        description="with a broker, the longest an analysis may take: a job a worker has not finished this long "
        "after taking it (a worker that died) is handed to another (the broker's visibility timeout)",
    )
    program_dir: Path = Field(
        default_factory=default_program_dir,
        description="the program stages offered by the guided session (its *.yaml files) and its safety rules "
        "(safety/rules.yaml)",
    )
    max_live_sessions: int = Field(
        default=8, ge=1, description="live sessions at once (each holds a pose model, about 100 MB); past it: close 1013"
    )
    live_idle_s: float = Field(default=60.0, gt=0, description="a live session that sends no frame for this long is closed")
    tls_dir: Path = Field(
        default=Path.home() / ".cache" / "formcheck" / "tls",
        description="where `formcheck serve --https` keeps its self-signed certificate and key (made when missing, "
        "expiring, or not made for the served host names)",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "formcheck",
        description="where trainers' data lives: the SQLite database (unless FORMCHECK_DATABASE_URL is set), the "
        "videos kept for their clients (by content hash) and those videos' annotated copies",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/formcheck "
        "(default: the SQLite file formcheck.sqlite3 in the data folder)",
    )
    allowed_hosts: list[str] = Field(
        default=["localhost", "127.0.0.1", "::1"],
        description="Host header values served (without port); anything else is refused, against DNS rebinding",
    )
    allowed_origins: list[str] = Field(
        default=[],
        description=(
            "extra page origins (scheme://host:port) allowed to open the live socket and post uploads; pages served "
            "from an allowed host on any port always are"
        ),
    )

    @property
    def database(self) -> str:
        """The database URL in use: ``database_url``, else the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'formcheck.sqlite3'}"


def load_settings() -> Settings:
    """The settings from the environment, refusing a bad value with one line naming its variable.

    Raises:
        FormcheckError: e.g. ``FORMCHECK_MAX_UPLOAD_BYTES: Input should be greater than 0``.
    """
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "FORMCHECK_" + "_".join(str(part) for part in first["loc"]).upper()
        raise FormcheckError(f"{name}: {first['msg']}") from None
