"""ruff and mypy --strict run with the tests, so CI refuses code that fails them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return path


def test_ruff_passes() -> None:
    done = subprocess.run([_tool("ruff"), "check", "formcheck", "tests", "benchmarks", "evaluation"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_passes() -> None:
    done = subprocess.run([_tool("mypy"), "--strict", "formcheck"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
