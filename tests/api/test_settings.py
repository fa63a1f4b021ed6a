"""Service settings come from FORMCHECK_* variables; a bad value is one line naming the variable."""

from __future__ import annotations

import pytest

from formcheck.api.settings import MB, load_settings
from formcheck.errors import FormcheckError


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_MAX_FRAME_BYTES", "500000")

    settings = load_settings()

    assert settings.max_upload_bytes == 200 * MB
    assert settings.max_frame_bytes == 500_000


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FORMCHECK_MAX_UPLOAD_BYTES", "0", "FORMCHECK_MAX_UPLOAD_BYTES: Input should be greater than 0"),
        ("FORMCHECK_JOB_WORKERS", "many", "FORMCHECK_JOB_WORKERS: Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(FormcheckError) as error:
        load_settings()

    assert str(error.value) == message
