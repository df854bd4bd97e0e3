"""The docs run as written, and the site builds strictly.

Every ```python block of README.md and docs/**/*.md runs, in order, one namespace
per file, in a temporary working directory. A block whose first line is
``# requires: <extra>`` is skipped when that extra is not installed. The worked
examples under docs/examples/ run too, and docs/*.ipynb notebooks execute (see
tests/test_cookbook_notebook.py).
"""

from __future__ import annotations

import importlib.util
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
FILES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]

#: Modules that tell whether an extra is installed.
EXTRA_MODULES = {
    "charts": ("altair",),
    "plot": ("matplotlib",),
    "spark": ("pyspark",),
    "docs": ("mkdocs", "mkdocstrings"),
    "test": ("pytest", "hypothesis"),
}

_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
_REQUIRES = re.compile(r"\A#\s*requires:\s*([\w, -]+)\s*$", re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of each ```python block of a markdown text."""
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def missing_extras(code: str) -> list[str]:
    """The extras a block's ``# requires:`` line names that are not installed."""
    match = _REQUIRES.match(code)
    if not match:
        return []
    extras = [e.strip() for e in match.group(1).split(",") if e.strip()]
    unknown = [e for e in extras if e not in EXTRA_MODULES]
    if unknown:
        msg = f"unknown extra in '# requires:': {unknown}; known: {sorted(EXTRA_MODULES)}"
        raise ValueError(msg)
    return [e for e in extras if any(importlib.util.find_spec(m) is None for m in EXTRA_MODULES[e])]


def test_block_parser() -> None:
    text = "x\n```python\na = 1\n```\n```bash\nls\n```\n```python\n# requires: charts\nb\n```\n"
    blocks = python_blocks(text)
    assert [code for _, code in blocks] == ["a = 1\n", "# requires: charts\nb\n"]
    assert [line for line, _ in blocks] == [3, 9]
    assert missing_extras("a = 1\n") == []
    with pytest.raises(ValueError, match="unknown extra"):
        missing_extras("# requires: nonsense\n")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code in python_blocks(path.read_text(encoding="utf-8")):
        if missing_extras(code):
            continue
        try:
            exec(compile(code, f"{path.name}:{line}", "exec"), namespace)
        except Exception as err:
            pytest.fail(f"{path.relative_to(ROOT)}, block at line {line}: {err!r}")


def test_readme_has_runnable_blocks() -> None:
    blocks = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 3
    first = (ROOT / "README.md").read_text(encoding="utf-8").split("```bash", 1)[1]
    assert "python -m pip install -e . && python -m identigraph demo" in first
    assert "python -m pip install -e '.[test]' && python -m pytest -q" in first


@pytest.mark.parametrize("path", sorted((DOCS / "examples").glob("*.py")), ids=lambda p: p.name)
def test_worked_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(path))
    if path.name == "golden_profiles.py":
        golden, graph = namespace["golden"], namespace["graph"]
        assert len(golden) == graph.n_persons  # type: ignore[attr-defined, arg-type]
        assert golden["person_id"].is_unique  # type: ignore[index]
        assert set(golden["first_name__source"].dropna()) <= {"crm", "pos", "web"}  # type: ignore[index]


def test_site_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (site / "index.html").is_file()
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "IdentityGraph" in api
    shutil.rmtree(site)
