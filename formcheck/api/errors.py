"""Expected failures of the HTTP and WebSocket doors, and the one handler that answers them.

Every ``FormcheckError`` becomes ``{"detail": "<its one-line message>"}`` with the status in
``STATUS_BY_ERROR`` (the most specific class wins); the WebSocket closes with the code in
``CLOSE_CODE_BY_ERROR``. A user error never becomes a 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from formcheck.errors import FormcheckError, MessageError, PoseModelError, SourceError, SpecError, UnknownExerciseError
from formcheck.store.errors import InvalidRecordError, NotFoundError, NotSignedInError


class UploadTooLargeError(FormcheckError):
    """An upload is over ``Settings.max_upload_bytes``."""


class UnsupportedMediaError(FormcheckError):
    """An upload's first bytes are not those of a video container formcheck reads."""


class ServiceBusyError(FormcheckError):
    """Too much work already waiting (queued uploads, live sessions): come back later."""


class FrameTooLargeError(MessageError):
    """A live frame is over ``Settings.max_frame_bytes``."""


STATUS_BY_ERROR: dict[type[FormcheckError], int] = {
    UploadTooLargeError: 413,  # content too large
    UnsupportedMediaError: 415,  # unsupported media type
    UnknownExerciseError: 422,  # unprocessable content: the form names no known exercise
    SourceError: 422,  # the file is a video container but cannot be read
    MessageError: 400,
    NotSignedInError: 401,
    NotFoundError: 404,  # also another trainer's: whether it exists is none of the asker's business
    InvalidRecordError: 422,
    SpecError: 500,  # a broken spec file is the server's fault, not the caller's
    PoseModelError: 503,  # the model could not be loaded: the service cannot analyse right now
    ServiceBusyError: 503,  # with Retry-After
    FormcheckError: 400,
}

CLOSE_CODE_BY_ERROR: dict[type[FormcheckError], int] = {
    FrameTooLargeError: status.WS_1009_MESSAGE_TOO_BIG,
    ServiceBusyError: status.WS_1013_TRY_AGAIN_LATER,
    MessageError: status.WS_1008_POLICY_VIOLATION,
    UnknownExerciseError: status.WS_1008_POLICY_VIOLATION,
    FormcheckError: status.WS_1011_INTERNAL_ERROR,
}

RETRY_AFTER_S = 30
MAX_CLOSE_REASON_BYTES = 123  # RFC 6455: a close frame's payload is at most 125 bytes, 2 of them the code


def _lookup(table: dict[type[FormcheckError], int], error: FormcheckError) -> int:
    for cls in type(error).__mro__:
        if cls in table:
            return table[cls]
    raise AssertionError("FormcheckError is in every table")


def http_status(error: FormcheckError) -> int:
    """The HTTP status an expected failure is answered with."""
    return _lookup(STATUS_BY_ERROR, error)


def close_code(error: FormcheckError) -> int:
    """The WebSocket close code an expected failure ends a live session with."""
    return _lookup(CLOSE_CODE_BY_ERROR, error)


def close_reason(message: str) -> str:
    """``message`` cut to fit a close frame (browsers drop a close frame whose reason is too long)."""
    encoded = message.encode()
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return message
    return encoded[: MAX_CLOSE_REASON_BYTES - 3].decode(errors="ignore") + "..."


async def formcheck_error_handler(request: Request, error: Exception) -> JSONResponse:
    """Answer an expected failure with its status and its one-line message."""
    assert isinstance(error, FormcheckError)
    headers = {"Retry-After": str(RETRY_AFTER_S)} if isinstance(error, ServiceBusyError) else None
    return JSONResponse({"detail": str(error)}, status_code=http_status(error), headers=headers)


def one_line(error: RequestValidationError) -> str:
    """FastAPI's list of validation errors as the one line the API promises."""
    parts = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path"))
        message = "missing" if problem.get("type") == "missing" else str(problem.get("msg", "invalid"))
        parts.append(f"{where or 'request'}: {message}")
    return "; ".join(parts) or "the request is not valid"


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    """A missing or malformed field: 422 with one line, e.g. ``exercise: missing``."""
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"detail": one_line(error)}, status_code=422)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(FormcheckError, formcheck_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
