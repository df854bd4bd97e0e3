"""``__all__`` lists exactly the public names, each once, in a fixed order."""

from __future__ import annotations

import importlib

import pytest

import identigraph as ig


def _order_key(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions and modules (ruff's RUF022 order)."""
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


def test_all_matches_public_names() -> None:
    public = {name for name in dir(ig) if not name.startswith("_")}
    # Submodules imported implicitly by the package are not part of the API surface.
    implicit = {"annotations", "errors", "graph", "matcher", "merge", "cli"}
    assert set(ig.__all__) - {"__version__"} == public - implicit


@pytest.mark.parametrize("module", ["identigraph", "identigraph.graph", "identigraph.graph.core"])
def test_all_is_sorted_without_repeats(module: str) -> None:
    names = [n for n in importlib.import_module(module).__all__ if n != "__version__"]
    assert len(names) == len(set(names))
    assert names == sorted(names, key=_order_key)


@pytest.mark.parametrize("module", ["identigraph.graph", "identigraph.graph.core"])
def test_subpackage_all_names_exist(module: str) -> None:
    mod = importlib.import_module(module)
    assert all(hasattr(mod, name) for name in mod.__all__)


def test_every_public_callable_has_a_docstring() -> None:
    for name in ig.__all__:
        obj = getattr(ig, name)
        if callable(obj):
            assert obj.__doc__, name
