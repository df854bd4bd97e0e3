"""The cookbook notebook executes, renders HTML and charts, and shows no raw identifier."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import identigraph as ig

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("altair")

NOTEBOOK = Path(__file__).parents[1] / "docs" / "cookbook.ipynb"


def test_cookbook_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env_path = str(Path(ig.__file__).parents[1])
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join(p for p in (env_path, os.environ.get("PYTHONPATH", "")) if p),
    )
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    data = [o.get("data", {}) for o in outputs]
    charts = [d for d in data if any("vega" in k for k in d) or "vega" in d.get("text/html", "")]
    html = [d["text/html"] for d in data if "text/html" in d and d not in charts]
    assert len(html) >= 7
    assert len(charts) >= 5
    assert any("GraphReport" in h for h in html)
    assert any("***" in h for h in html)  # masked values are shown
    sources, _ = ig.datasets.customers(n_persons=200, seed=2)
    raw = set(sources["crm"]["email"].dropna().str.strip().str.lower())
    rendered = json.dumps(outputs).lower()
    assert not [e for e in raw if e and e in rendered]
