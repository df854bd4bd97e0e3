"""No erased byte left beside a store: backups, temporaries and saves stopped at every step."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import identigraph as ig
from identigraph.graph.store import files as _store_files
from identigraph.graph.store import parquet as store

SPECS = [ig.Email("email"), ig.Phone("phone", region="US"), ig.Cookie("cookie_id")]

#: The erased person's data, as it could sit in a file: raw, normalized, hashed.
ERASED_EMAIL = "zebulon.quill@mail.org"
ERASED_PHONE = "+12015550199"
SECRETS = [
    ERASED_EMAIL,
    "201-555-0199",
    "ck-zebulon-77",
    "zq-only-tier",  # a category of a kept categorical column that only this person uses
    "Zebulon Quill",
    "ZQ-rec-1",
    "ZQ-rec-2",
    hashlib.sha256(ERASED_EMAIL.encode()).hexdigest(),
    hashlib.sha256(ERASED_PHONE.encode()).hexdigest(),
]


def _without_unused_categories(g: ig.IdentityGraph) -> pd.DataFrame:
    records = g.records()
    for name in records.columns[records.dtypes == "category"]:  # one step per column
        records[name] = records[name].cat.remove_unused_categories()
    return records


def _assert_same(a: ig.IdentityGraph, b: ig.IdentityGraph) -> None:
    """Same graph; kept categoricals compared by the categories records use.

    A store drops the categories of a batch that only erased records used (the
    in-memory graph keeps them in the column's dtype).
    """
    pd.testing.assert_frame_equal(_without_unused_categories(a), _without_unused_categories(b))
    for view in ("clusters", "id_history", "generic_values", "conflicts"):
        pd.testing.assert_frame_equal(getattr(a, view)(), getattr(b, view)())
    pd.testing.assert_frame_equal(a.rejects, b.rejects)
    assert (a.n_persons, a.identifiers, a.sources) == (b.n_persons, b.identifiers, b.sources)


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph(SPECS)
    g.add(
        pd.DataFrame(
            {
                "email": ["ann@mail.org", ERASED_EMAIL, "bob@mail.org"],
                "phone": ["201-555-0123", "201-555-0199", None],
                "name": ["Ann Lee", "Zebulon Quill", "Bob Ray"],
                "tier": pd.Categorical(["gold", "zq-only-tier", "gold"]),
            },
            index=pd.Index(["A-1", "ZQ-rec-1", "B-1"], name="rid"),
        ),
        source="crm",
    )
    g.add(
        pd.DataFrame(
            {"cookie_id": ["ck-ann", "ck-zebulon-77"], "email": [None, ERASED_EMAIL]},
            index=pd.Index(["A-2", "ZQ-rec-2"], name="rid"),
        ),
        source="web",
    )
    return g


def _erase(g: ig.IdentityGraph) -> None:
    g.remove(person=g.person_of("crm", "ZQ-rec-1"))


def _found(parent: Path) -> dict[str, list[str]]:
    """Every secret found in any file under ``parent``, hidden ones included."""
    hits: dict[str, list[str]] = {}
    for root, _, files in os.walk(parent):  # one step per directory
        for name in files:  # one step per file of a handful of stores
            data = (Path(root) / name).read_bytes()
            for secret in SECRETS:
                if secret.encode() in data:
                    hits.setdefault(secret, []).append(str(Path(root, name).relative_to(parent)))
    return hits


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_the_scan_sees_every_secret_before_erasure(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g", compression="none")
    assert sorted(_found(tmp_path)) == sorted(SECRETS)


def test_remove_then_save_leaves_no_erased_byte(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g", compression="none")
    assert _found(tmp_path)
    _erase(g)
    g.save(tmp_path / "g", compression="none")
    assert _found(tmp_path) == {}
    assert _leftovers(tmp_path) == []
    _assert_same(g, ig.IdentityGraph.load(tmp_path / "g"))


def test_a_read_only_store_folder_is_replaced_whole(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g", compression="none")
    for file in (tmp_path / "g").iterdir():
        file.chmod(0o444)
    (tmp_path / "g").chmod(0o555)
    _erase(g)
    g.save(tmp_path / "g", compression="none")
    assert _found(tmp_path) == {}
    assert _leftovers(tmp_path) == []


def test_an_old_store_that_cannot_be_deleted_makes_save_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = _graph()
    g.save(tmp_path / "g", compression="none")
    _erase(g)
    real_rmtree = _store_files.shutil.rmtree

    def rmtree(path: Any, *args: Any, **kwargs: Any) -> None:
        if ".old-" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(_store_files.shutil, "rmtree", rmtree)
    with pytest.raises(ig.StoreError, match="could not be deleted") as err:
        g.save(tmp_path / "g", compression="none")
    assert ERASED_EMAIL not in str(err.value)
    assert _leftovers(tmp_path)  # what the error reports is there
    _assert_same(g, ig.IdentityGraph.load(tmp_path / "g"))  # the new store is in place
    # A load cannot delete it either: it logs the backup's name and goes on.
    _assert_same(g, ig.IdentityGraph.load(tmp_path / "g"))
    monkeypatch.undo()
    g.save(tmp_path / "g", compression="none")
    assert _found(tmp_path) == {}
    assert _leftovers(tmp_path) == []


class _Killed(BaseException):
    """A kill: nothing after it runs, no roll-back either."""


#: The steps of a save a kill can stop at: each file written, each sync, rename, deletion.
_STEPS = [
    (store._Writer, "seal"),
    (_store_files, "fsync_dir"),
    (_store_files, "remove_tree"),
    (_store_files.os, "replace"),
]


def _kill_at(monkeypatch: pytest.MonkeyPatch, step: int | None) -> list[str]:
    """Make the ``step``-th step of the next save raise :class:`_Killed`; log every step."""
    seen: list[str] = []
    for owner, name in _STEPS:
        real = getattr(owner, name)

        def patched(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            if len(seen) == step:
                raise _Killed
            seen.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, patched)
    monkeypatch.setattr(store, "roll_back", lambda path, tmp: None)  # a kill rolls nothing back
    return seen


def test_a_save_killed_at_any_step_leaves_old_or_new_and_is_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _graph()
    g = _graph()
    _erase(g)
    old.save(tmp_path / "counted", compression="none")
    steps = _kill_at(monkeypatch, None)
    old.save(tmp_path / "counted", compression="none")  # a save that replaces a store
    monkeypatch.undo()
    n_steps = len(steps)
    assert steps[-4:] == ["replace", "replace", "fsync_dir", "remove_tree"]
    outcomes = {"old": 0, "new": 0}
    for step in range(n_steps + 1):  # the last one: a second save killed at its start
        target = tmp_path / f"s{step}"
        target.mkdir()
        old.save(target / "g", compression="none")
        if step == n_steps:  # a first save of the erased graph killed before its swap
            _kill_at(monkeypatch, n_steps - 3)
            with pytest.raises(_Killed):
                g.save(target / "g", compression="none")
            monkeypatch.undo()
        _kill_at(monkeypatch, step % n_steps)
        with pytest.raises(_Killed):
            g.save(target / "g", compression="none")
        monkeypatch.undo()
        loaded = ig.IdentityGraph.load(target / "g")
        try:
            _assert_same(g, loaded)
            outcomes["new"] += 1
        except AssertionError:
            _assert_same(old, loaded)
            outcomes["old"] += 1
        # The load deleted a backup beside a complete store; a later save cleans the rest.
        assert (
            not any(".old-" in name for name in _leftovers(target)) or not (target / "g").is_dir()
        )
        g.save(target / "g", compression="none")
        assert _found(target) == {}, step
        assert _leftovers(target) == []
    assert outcomes["old"] > 0
    assert outcomes["new"] > 0
    assert sum(outcomes.values()) == n_steps + 1
