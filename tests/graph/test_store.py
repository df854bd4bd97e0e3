"""Save and load: exact round trips, atomic replacement, typed errors on damaged stores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import identigraph as ig
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.store import parquet as store

SPECS = [
    ig.Email("email", junk=frozenset({"nobody@x.com"})),
    ig.Phone("phone", region="US"),
    ig.Cookie("cookie_id", max_records=3),
    ig.Key("crm_id", max_per_person=1, priority=45),
]


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph(SPECS)
    crm = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "email": ["ann@mail.com", "ann@mail.com", "bad email"],
            "phone": ["201-555-0123", None, "212 555 0199"],
            "crm_id": ["K1", "K2", "K3"],
            "spent": [1.5, np.nan, 3.0],
            "joined": pd.to_datetime(["2020-01-01", None, "2021-05-05"]),
            "tier": pd.Categorical(["gold", "silver", "gold"]),
        }
    )
    web = pd.DataFrame(
        {
            "event_id": [10, 11, 12, 13],
            "cookie_id": ["c1", "c1", "c2", "c2"],
            "email": [None, "ANN@mail.com", None, None],
            "page": pd.Series(["/a", "/b", None, "/d"], dtype=object),
        }
    )
    g.add(crm, source="crm", id="customer_id")
    g.add(web, source="web", id="event_id")
    pairs = pd.DataFrame({"source_l": ["crm"], "record_id_l": ["C3"], "source_r": ["web"],
                          "record_id_r": [12], "match_probability": [0.93],
                          "match_weight": [4.2]})  # fmt: skip
    g.link(pairs)
    g.resolve()
    g.remove(records=[("web", 13)])
    return g


def _assert_same(a: ig.IdentityGraph, b: ig.IdentityGraph) -> None:
    pd.testing.assert_frame_equal(a.clusters(), b.clusters())
    pd.testing.assert_frame_equal(a.records(), b.records())
    pd.testing.assert_frame_equal(a.rejects, b.rejects)
    # The same changes at their own times (an erasure after a load is logged anew).
    pd.testing.assert_frame_equal(
        a.id_history().drop(columns="time"), b.id_history().drop(columns="time")
    )
    pd.testing.assert_frame_equal(a.generic_values(), b.generic_values())
    pd.testing.assert_frame_equal(a.conflicts(), b.conflicts())
    assert a.n_persons == b.n_persons
    assert a.identifiers == b.identifiers
    assert a.sources == b.sources


def test_round_trip_is_exact_and_updates_continue_alike(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    h = ig.IdentityGraph.load(tmp_path / "g")
    _assert_same(g, h)
    # The same update gives the same changes and ids on both.
    more = pd.DataFrame({"event_id": [20, 21], "cookie_id": ["c9", "c2"],
                         "email": ["ann@mail.com", None], "page": ["/x", "/y"]})  # fmt: skip
    cg, ch = g.add(more, source="web", id="event_id"), h.add(more, source="web", id="event_id")
    assert cg.new_persons.tolist() == ch.new_persons.tolist()
    pd.testing.assert_frame_equal(cg.merges, ch.merges)
    _assert_same(g, h)
    assert g.remove(person=g.person_of("crm", "C1")).removed_persons.tolist() == (
        h.remove(person=h.person_of("crm", "C1")).removed_persons.tolist()
    )
    _assert_same(g, h)


def test_save_resolves_a_staged_graph_and_load_is_live(tmp_path: Path) -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"email": ["ann@mail.com"] * 2}), source="s")
    assert g.lifecycle is Lifecycle.STAGED
    g.save(tmp_path / "g")
    assert g.lifecycle is not Lifecycle.STAGED
    h = ig.IdentityGraph.load(tmp_path / "g")
    assert h.lifecycle is Lifecycle.LIVE
    _assert_same(g, h)
    before = h.clusters()
    changes = h.add(
        pd.DataFrame({"email": ["ann@mail.com", "bob@mail.com"]}, index=[7, 8]), source="s"
    )
    assert not changes.staged
    assert changes.records_added == 2
    assert len(changes.new_persons) == 1  # bob; the new ann record joins the old person
    after = h.clusters().iloc[: len(before)]
    pd.testing.assert_frame_equal(after, before)  # no existing record changed id
    assert h.remove(records=[("s", 8)]).removed_persons.tolist() == changes.new_persons.tolist()


def test_manifest_describes_the_store(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    manifest = json.loads((tmp_path / "g" / "manifest.json").read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["counts"]["records"] == len(g)
    assert manifest["counts"]["persons"] == g.n_persons
    assert {s["type"] for s in manifest["specs"]} == {"Email", "Phone", "Cookie", "Key"}
    for name, entry in manifest["files"].items():
        assert (tmp_path / "g" / name).stat().st_size == entry["bytes"]
        assert len(entry["sha256"]) == 64


def test_save_replaces_an_existing_store(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    g.add(pd.DataFrame({"event_id": [99], "cookie_id": ["zz"]}), source="web", id="event_id")
    g.save(tmp_path / "g")
    assert len(ig.IdentityGraph.load(tmp_path / "g")) == len(g)
    assert [p.name for p in tmp_path.iterdir()] == ["g"]  # no temporary or backup left


def test_save_refuses_to_replace_other_directories(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"meow")
    with pytest.raises(ig.StoreError, match="not a graph store"):
        _graph().save(tmp_path / "photos")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ig.StoreError):
        _graph().save(tmp_path / "file")
    assert (tmp_path / "photos" / "cat.jpg").read_bytes() == b"meow"


@pytest.mark.parametrize("fail_at", [0, 3, 6, "manifest", "swap", "swap2"])
def test_failed_save_leaves_the_old_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int | str
) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    old = ig.IdentityGraph.load(tmp_path / "g")
    g.add(pd.DataFrame({"event_id": [99], "cookie_id": ["zz"]}), source="web", id="event_id")
    calls = {"n": 0}
    real_seal, real_replace = store._Writer.seal, os.replace

    def seal(self: store._Writer, name: str, **kw: object) -> None:
        if calls["n"] == fail_at or (fail_at == "manifest" and name == "manifest.json"):
            raise OSError("disk full")
        calls["n"] += 1
        real_seal(self, name, **kw)  # type: ignore[arg-type]

    def replace(src: object, dst: object) -> None:
        if fail_at == "swap" and str(src).endswith("g") and ".old-" in str(dst):
            raise OSError("power cut")
        if fail_at == "swap2" and ".tmp-" in str(src):
            raise OSError("power cut")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(store._Writer, "seal", seal)
    monkeypatch.setattr(store.os, "replace", replace)
    with pytest.raises(ig.StoreError, match=r"disk full|power cut"):
        g.save(tmp_path / "g")
    monkeypatch.undo()
    _assert_same(old, ig.IdentityGraph.load(tmp_path / "g"))
    assert [p.name for p in tmp_path.iterdir()] == ["g"]


def test_crash_between_the_renames_is_recovered(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    # The state a crash after "old store -> backup" and before "new store -> path" leaves.
    os.replace(tmp_path / "g", tmp_path / ".g.old-deadbeef")
    (tmp_path / ".g.tmp-cafe").mkdir()
    _assert_same(g, ig.IdentityGraph.load(tmp_path / "g"))
    g.save(tmp_path / "g")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]
    _assert_same(g, ig.IdentityGraph.load(tmp_path / "g"))


_SAVER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    import identigraph as ig
    g = ig.IdentityGraph([ig.Email("email")])
    n = 20000
    g.add(pd.DataFrame({"email": [f"p{i}@mail.com" for i in range(n)]}), source="s")
    g.save(sys.argv[1])
    print("saved", flush=True)
    for k in range(1000):
        g.add(pd.DataFrame({"email": [f"q{k}@mail.com"]}, index=[n + k]), source="s")
        g.save(sys.argv[1])
    """
)


def test_killed_save_leaves_a_loadable_store(tmp_path: Path) -> None:
    target = tmp_path / "g"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SAVER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "saved"
    for delay in (0.05, 0.13, 0.21):  # kill at a few moments into the save loop
        time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    g = ig.IdentityGraph.load(target)
    assert len(g) >= 20000
    assert g.n_persons == len(g)


def _damage(path: Path, name: str, how: str) -> None:
    file = path / name
    data = file.read_bytes()
    if how == "truncate":
        file.write_bytes(data[: len(data) // 2])
    elif how == "flip":
        file.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    else:
        file.unlink()


@pytest.mark.parametrize("how", ["truncate", "flip", "delete"])
@pytest.mark.parametrize("name", ["records.parquet", "edges.parquet", "batch-00000.parquet"])
def test_damaged_files_raise_store_error(tmp_path: Path, name: str, how: str) -> None:
    _graph().save(tmp_path / "g")
    _damage(tmp_path / "g", name, how)
    with pytest.raises(ig.StoreError, match=name):
        ig.IdentityGraph.load(tmp_path / "g")


def test_damaged_manifest_and_versions(tmp_path: Path) -> None:
    _graph().save(tmp_path / "g")
    path = tmp_path / "g" / "manifest.json"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ig.StoreError, match="corrupt or truncated"):
        ig.IdentityGraph.load(tmp_path / "g")
    manifest = json.loads(text)
    manifest["format_version"] = store.FORMAT_VERSION + 1
    path.write_text(json.dumps(manifest))
    with pytest.raises(ig.StoreVersionError, match="newer"):
        ig.IdentityGraph.load(tmp_path / "g")
    manifest["format_version"] = "one"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ig.StoreError, match="format_version"):
        ig.IdentityGraph.load(tmp_path / "g")
    path.unlink()
    with pytest.raises(ig.StoreError, match=r"no manifest\.json"):
        ig.IdentityGraph.load(tmp_path / "g")
    with pytest.raises(ig.StoreError, match="no graph store"):
        ig.IdentityGraph.load(tmp_path / "nowhere")
    assert issubclass(ig.StoreError, OSError)


def test_consistent_checksums_but_bad_content_raise_store_error(tmp_path: Path) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    bad = ig.IdentityGraph([ig.Email("email")])
    bad.add(pd.DataFrame({"email": ["x@y.com"]}), source="s")
    bad.save(tmp_path / "other")
    # Swap in another store's edges, manifest entry included: the checksums hold.
    manifest = json.loads((tmp_path / "g" / "manifest.json").read_text())
    other = json.loads((tmp_path / "other" / "manifest.json").read_text())
    (tmp_path / "g" / "values.parquet").write_bytes(
        (tmp_path / "other" / "values.parquet").read_bytes()
    )
    manifest["files"]["values.parquet"] = other["files"]["values.parquet"]
    (tmp_path / "g" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ig.StoreError):
        ig.IdentityGraph.load(tmp_path / "g")


def test_unsupported_spec_type_cannot_be_saved(tmp_path: Path) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True, slots=True)
    class Loyalty(ig.Key):
        pass

    g = ig.IdentityGraph([Loyalty("card")])
    g.add(pd.DataFrame({"card": ["x"]}), source="s")
    with pytest.raises(ig.StoreError, match="Loyalty"):
        g.save(tmp_path / "g")
    assert not (tmp_path / "g").exists()


rows = st.lists(
    st.tuples(
        st.sampled_from(["ann@mail.com", "bob@mail.com", "junk", None]),
        st.sampled_from(["c1", "c2", "c3", None]),
        st.sampled_from(["K1", "K2", None]),
        st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=3)),
    ),
    max_size=10,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows, min_size=1, max_size=3), st.lists(st.integers(0, 50), max_size=3))
def test_round_trip_property(tmp_path: Path, batches, removals) -> None:  # type: ignore[no-untyped-def]
    g = ig.IdentityGraph(SPECS)
    start = 0
    for i, batch in enumerate(batches):
        frame = pd.DataFrame(batch, columns=["email", "cookie_id", "crm_id", "note"])
        frame["note"] = frame["note"].astype(str)  # one type a column, as Parquet needs
        frame.index = range(start, start + len(frame))
        start += len(frame)
        g.add(frame, source=f"s{i % 2}")
        if i == 0:
            g.resolve()
    alive = g.clusters()
    if len(alive):
        gone = alive.iloc[sorted({r % len(alive) for r in removals})]
        g.remove(records=list(zip(gone["source"].astype(str), gone["record_id"], strict=True)))
    target = tmp_path / f"g{abs(hash((start, tuple(removals))))}"
    g.save(target)
    _assert_same(g, ig.IdentityGraph.load(target))
