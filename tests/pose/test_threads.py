"""How the cores are shared among pose models, and mediapipe's import without pyplot."""

from __future__ import annotations

import subprocess
import sys

import pytest

from formcheck.pose import estimator
from formcheck.pose.estimator import MAX_MODEL_THREADS, threads_per_job


@pytest.mark.parametrize(
    ("cores", "jobs", "threads"),
    [(2, 1, 2), (2, 2, 1), (2, 5, 1), (8, 1, MAX_MODEL_THREADS), (8, 2, 4), (8, 3, 2), (1, 1, 1), (4, 0, 4)],
)
def test_threads_per_job_shares_the_cores(monkeypatch, cores, jobs, threads):
    monkeypatch.setattr(estimator, "usable_cores", lambda: cores)
    assert threads_per_job(jobs) == threads


def test_mediapipe_is_imported_without_pyplot_which_still_works_when_used():
    script = (
        "import sys\n"
        "from formcheck.pose.mediapipe_import import import_mediapipe\n"
        "import_mediapipe()\n"
        "assert 'matplotlib.figure' not in sys.modules, 'pyplot was imported with mediapipe'\n"
        "from mediapipe.python.solutions import drawing_utils\n"
        "import matplotlib.pyplot as plt\n"
        "assert callable(plt.figure) and drawing_utils.plt.figure is plt.figure\n"
        "assert sys.modules['matplotlib.pyplot'].figure is plt.figure\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
