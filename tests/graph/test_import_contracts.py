"""The import direction of identigraph.graph, as the contracts in pyproject.toml state it."""

from __future__ import annotations

from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_import_contracts_are_kept() -> None:
    cli = pytest.importorskip("importlinter.cli")
    assert cli.lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


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
