"""Every error derives from IdentigraphError and the matching built-in."""

from __future__ import annotations

import inspect

import pytest

import identigraph as ig
from identigraph import errors


def _error_classes() -> list[type[Exception]]:
    return [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, Exception) and obj.__module__ == errors.__name__
    ]


@pytest.mark.parametrize("cls", _error_classes())
def test_rooted_in_identigraph_error(cls: type[Exception]) -> None:
    assert issubclass(cls, ig.IdentigraphError)
    assert cls.__name__ in errors.__all__


def test_builtin_bases() -> None:
    assert issubclass(ig.ConfigError, ValueError)
    assert issubclass(ig.MissingColumnError, KeyError)
    assert issubclass(ig.DtypeError, TypeError)
    assert issubclass(ig.StoreError, OSError)
    assert issubclass(ig.MissingDependencyError, ImportError)


def test_key_error_messages_are_not_quoted() -> None:
    err = ig.MissingColumnError("no column 'x'", column="x", available=["a"])
    assert str(err) == "no column 'x'"
    assert err.available == ("a",)
    assert "identigraph[plot]" in str(ig.MissingDependencyError("matplotlib", "plot"))
