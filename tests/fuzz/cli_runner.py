"""Run ``formcheck analyze`` on every corpus file in one process; one JSON line per file.

Started by ``test_fuzz.py`` as a child, so a native crash shows as the child's death (a
signal) instead of taking pytest down; one process, so the model's import is paid once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from formcheck.cli import app

if __name__ == "__main__":
    runner = CliRunner()
    for path in sorted(Path(sys.argv[1]).iterdir()):
        result = runner.invoke(app, ["analyze", str(path), "--exercise", "squat", "--no-cache"])
        print(json.dumps({"name": path.name, "exit": result.exit_code, "stderr": result.stderr,
                          "exception": repr(result.exception) if result.exception else None}), flush=True)
