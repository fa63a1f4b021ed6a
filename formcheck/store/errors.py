"""The storage's expected failures; the API answers them with the status in ``formcheck.api.errors``."""

from __future__ import annotations

from formcheck.errors import FormcheckError


class NotFoundError(FormcheckError):
    """No such record, or it belongs to another trainer (the two are not told apart, on purpose)."""


class NotSignedInError(FormcheckError):
    """The request carries no valid sign-in token."""


class InvalidRecordError(FormcheckError):
    """A value the store refuses: an empty name, a judgement naming no flagged fault, a taken name."""
