"""Receiving video uploads: the size cap while bytes arrive, and the type from the bytes themselves.

A file name or a client's ``Content-Type`` says nothing reliable about what was sent, so
the container is recognised by its magic bytes before anything is stored. The cap is
enforced twice: ``UploadLimitMiddleware`` stops a request body as it streams in (before the
multipart parser spools it to disk), and ``save_upload`` counts the file's own bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from formcheck.api.errors import UnsupportedMediaError, UploadTooLargeError
from formcheck.errors import SourceError

CHUNK_BYTES = 1 << 20
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers and the small form fields
SNIFF_BYTES = 12
ACCEPTED = "mp4, mov, m4v, webm, mkv, avi or gif"
UPLOAD_NAME = re.compile(r"[0-9a-f]{32}\.(?:mp4|mkv|avi|gif)")
JOB_FOLDER_NAME = re.compile(r"[0-9a-f]{32}")  # a job's id: ``JobStore`` keeps its annotated video there


def sniff_video_suffix(head: bytes) -> str | None:
    """The file suffix for a video container recognised from its first bytes, else None.

    Args:
        head: at least the file's first 12 bytes.

    Returns:
        ``.mp4`` (ISO base media: mp4, mov, m4v, 3gp - ``ftyp`` at offset 4), ``.mkv``
        (Matroska/WebM - EBML magic ``1A45DFA3``), ``.avi`` (``RIFF....AVI ``) or ``.gif``.
    """
    if head[4:8] == b"ftyp":
        return ".mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".mkv"
    if head[:4] == b"RIFF" and head[8:11] == b"AVI":
        return ".avi"
    if head[:4] == b"GIF8":
        return ".gif"
    return None


def prepare_upload_dir(directory: Path) -> None:
    """Create the upload folder private to this user (0700), tightening an existing one."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)


def sweep_uploads(directory: Path, in_use: Collection[str] = ()) -> int:
    """Delete uploads and job folders no recorded job needs (``in_use`` names those that one does); returns how many.

    Only files named as ``save_upload`` names them and folders named as job ids are touched, so
    a folder shared with anything else loses nothing else.
    """
    if not directory.is_dir():
        return 0
    removed = 0
    for path in directory.iterdir():
        if path.name in in_use:
            continue
        if UPLOAD_NAME.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
        elif JOB_FOLDER_NAME.fullmatch(path.name) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def as_sent(message: str, stored: Path, filename: str | None) -> str:
    """``message`` naming the file as the client sent it, not by the server's stored copy."""
    return message.replace(str(stored), filename or "upload")


def _limit_text(size_bytes: int) -> str:
    return f"{size_bytes / 1_000_000:g} MB" if size_bytes >= 1_000_000 else f"{size_bytes}-byte"


def save_upload(stream: BinaryIO, filename: str | None, directory: Path, max_bytes: int) -> Path:
    """Copy an uploaded file to ``directory`` in chunks, checking type and size on the way.

    Args:
        stream: the uploaded file, positioned at its start.
        filename: the client's file name (used in messages only).
        directory: the upload folder (created if missing).
        max_bytes: the size cap; the copy stops as soon as it is passed.

    Returns:
        The stored file, named by a random id and the suffix of the sniffed container.

    Raises:
        SourceError: the file is empty.
        UnsupportedMediaError: the first bytes are not a known video container.
        UploadTooLargeError: the file is larger than ``max_bytes``.
    """
    name = filename or "upload"
    head = stream.read(CHUNK_BYTES)
    while 0 < len(head) < SNIFF_BYTES:  # a short read from the spool; keep going until the sniff has enough
        more = stream.read(CHUNK_BYTES)
        if not more:
            break
        head += more
    if not head:
        raise SourceError(f"{name}: the file is empty (0 bytes)")
    suffix = sniff_video_suffix(head)
    if suffix is None:
        raise UnsupportedMediaError(f"{name}: not a video file (expected {ACCEPTED})")
    prepare_upload_dir(directory)
    target = directory / f"{uuid.uuid4().hex}{suffix}"
    written = 0
    try:
        with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            chunk = head
            while chunk:
                written += len(chunk)
                if written > max_bytes:
                    raise UploadTooLargeError(f"{name}: the upload is larger than the {_limit_text(max_bytes)} limit")
                out.write(chunk)
                chunk = stream.read(CHUNK_BYTES)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


class UploadLimitMiddleware:
    """Refuses request bodies over a cap on one path, while they stream in.

    A declared ``Content-Length`` over the cap is answered 413 before a byte is read; a body
    that grows past it (chunked, or a lying header) is cut off with a 413 as soon as it does.

    Args:
        app: the wrapped ASGI app.
        path: the upload route.
        max_upload_bytes: the cap on the uploaded file; the body may add the multipart overhead.
    """

    def __init__(self, app: ASGIApp, path: str, max_upload_bytes: int) -> None:
        self.app = app
        self.path = path
        self.max_body_bytes = max_upload_bytes + MULTIPART_OVERHEAD_BYTES
        self._detail = f"the upload is larger than the {_limit_text(max_upload_bytes)} limit"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await JSONResponse({"detail": self._detail}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI passes an HTTPException raised while reading the body straight through.
                    raise HTTPException(413, self._detail)
            return message

        await self.app(scope, counting_receive, send)
