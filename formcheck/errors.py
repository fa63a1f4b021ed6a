"""Expected failures. Each carries a one-line message meant for the person using formcheck.

The CLI prints the message and exits 1; the API maps each class to a 4xx answer. Anything
that is not a ``FormcheckError`` is a bug.
"""

from __future__ import annotations


class FormcheckError(Exception):
    """Base of every failure a user can cause and fix (bad file, bad spec, bad message)."""


class SourceError(FormcheckError):
    """A video, image or camera could not be opened or decoded."""


class SpecError(FormcheckError):
    """An exercise spec is missing or invalid; the message names the file, the field and the reason."""


class UnknownExerciseError(SpecError):
    """The exercise id names no spec in the catalogue."""


class PoseModelError(FormcheckError):
    """The pose model bundle could not be built, verified or loaded."""


class MessageError(FormcheckError):
    """A live-stream message was malformed."""
