"""``identigraph.__all__`` lists exactly the public names."""

from __future__ import annotations

import identigraph as ig


def test_all_matches_public_names() -> None:
    public = {name for name in dir(ig) if not name.startswith("_")}
    # Submodules imported implicitly by the package are not part of the API surface.
    implicit = {"annotations", "errors", "graph", "matcher", "merge", "cli"}
    assert set(ig.__all__) - {"__version__"} == public - implicit
    assert sorted(ig.__all__) == list(ig.__all__) or len(ig.__all__) == len(set(ig.__all__))


def test_every_public_callable_has_a_docstring() -> None:
    for name in ig.__all__:
        obj = getattr(ig, name)
        if callable(obj):
            assert obj.__doc__, name
