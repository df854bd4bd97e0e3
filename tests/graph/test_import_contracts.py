"""The import direction of identigraph.graph, as the contracts in pyproject.toml state it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_import_contracts_are_kept() -> None:
    pytest.importorskip("importlinter.cli")
    # In a child process: import-linter reconfigures logging, which would silence the
    # package's loggers for the tests that run after this one.
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
    )
    env = {**os.environ, "PYTHONPATH": str(PYPROJECT.parent)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(PYPROJECT)],
        cwd=PYPROJECT.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_core_modules_import_nothing_of_the_graph_around_them() -> None:
    core = PYPROJECT.parent / "identigraph" / "graph" / "core"
    for path in core.glob("*.py"):
        text = path.read_text()
        imports = [
            line
            for line in text.splitlines()
            if line.lstrip().startswith(("from identigraph.graph", "import identigraph.graph"))
        ]
        assert all(line.split()[1].startswith("identigraph.graph.core") for line in imports), path
