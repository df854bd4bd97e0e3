"""Erasure: remove records or persons, re-resolve locally, leave no trace of erased values."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import identigraph as ig

SPECS = [ig.Email("email"), ig.Phone("phone", region="US"), ig.Cookie("cookie_id", max_records=3)]


def _graph() -> ig.IdentityGraph:
    """ann: crm a + web w1 (via email) + web w2 (via a cookie on w1); bob: crm b."""
    g = ig.IdentityGraph(SPECS)
    crm = pd.DataFrame(
        {
            "rid": ["a", "b"],
            "email": ["ann.secret@mail.com", "bob@mail.com"],
            "phone": ["201-555-0123", None],
            "name": ["Ann", "Bob"],
            "age": [31, 40],
        }
    )
    web = pd.DataFrame(
        {
            "rid": ["w1", "w2"],
            "email": [" ANN.secret@mail.com", None],
            "cookie_id": ["ck-ann-secret", "ck-ann-secret"],
        }
    )
    g.add(crm, source="crm", id="rid")
    g.add(web, source="web", id="rid")
    g.resolve()
    return g


def test_bridge_record_removal_splits_and_largest_part_keeps_id() -> None:
    g = _graph()
    ann = g.person_of("crm", "a")
    changes = g.remove(records=[("web", "w1")])
    assert changes.records_removed == 1
    assert changes.splits.to_dict("records") == [
        {"old_id": ann, "new_id": g.person_of("web", "w2")}
    ]
    assert changes.new_persons.tolist() == [g.person_of("web", "w2")]
    assert g.person_of("crm", "a") == ann
    assert len(changes.removed_persons) == 0
    assert g.n_persons == 3
    assert g.id_history()["reason"].tolist() == ["split"]


def test_remove_person_reports_removed_person() -> None:
    g = _graph()
    bob = g.person_of("crm", "b")
    changes = g.remove(person=bob)
    assert changes.records_removed == 1
    assert changes.removed_persons.tolist() == [bob]
    assert changes.splits.empty
    assert changes.merges.empty
    assert g.n_persons == 1
    assert len(g) == 3
    with pytest.raises(ig.UnknownRecordError):
        g.person_of("crm", "b")
    with pytest.raises(ig.UnknownPersonError):
        g.remove(person=bob)


def test_remove_accepts_frame_and_rejects_unknown_records() -> None:
    g = _graph()
    with pytest.raises(ig.UnknownRecordError):
        g.remove(records=[("crm", "zzz")])
    assert len(g) == 4  # nothing removed on error
    changes = g.remove(records=pd.DataFrame({"source": ["crm", "web"], "record_id": ["a", "w2"]}))
    assert changes.records_removed == 2
    assert sorted(g.clusters()["record_id"]) == ["b", "w1"]
    with pytest.raises(ig.MissingColumnError):
        g.remove(records=pd.DataFrame({"source": ["crm"]}))
    assert g.remove().is_empty


def test_unreferenced_values_are_forgotten_shared_ones_kept() -> None:
    g = _graph()
    assert g.lookup(email="ann.secret@mail.com") is not None
    g.remove(records=[("crm", "a")])
    # w1 still carries the email: kept
    assert g.lookup(email="ann.secret@mail.com") == g.person_of("web", "w1")
    assert g.lookup(phone="201-555-0123") is None  # only a carried it
    key = hashlib.sha256(b"+12015550123").hexdigest()
    assert g.state.value_codes.indexes["phone"].get(np.array([key], dtype=object)).tolist() == [-1]
    g.remove(records=[("web", "w1")])
    assert g.lookup(email="ann.secret@mail.com") is None
    assert g.lookup_all(email="ann.secret@mail.com")["status"].tolist() == ["unknown"]


def test_erased_attributes_are_emptied_in_memory() -> None:
    g = _graph()
    g.remove(records=[("crm", "a")])
    batch = g.state.records.batches[0]
    row = batch.attributes.iloc[0]
    assert pd.isna(row["email"])
    assert pd.isna(row["name"])
    assert row["age"] == 0
    assert batch.attributes["age"].dtype == np.int64
    assert g.records()["record_id"].tolist() == ["b", "w1", "w2"]


def test_removed_record_id_can_be_added_again() -> None:
    g = _graph()
    g.remove(records=[("crm", "b")])
    g.add(pd.DataFrame({"rid": ["b"], "email": ["ann.secret@mail.com"]}), source="crm", id="rid")
    assert g.person_of("crm", "b") == g.person_of("crm", "a")
    with pytest.raises(ig.DuplicateRecordError):
        g.add(pd.DataFrame({"rid": ["b"], "email": ["x@y.com"]}), source="crm", id="rid")


def test_value_falling_back_under_max_records_links_again() -> None:
    g = ig.IdentityGraph(SPECS)
    web = pd.DataFrame({"rid": [f"w{i}" for i in range(4)], "cookie_id": ["c7"] * 4})
    g.add(web, source="web", id="rid")
    assert g.n_persons == 4  # c7 is generic: 4 carriers > max_records 3
    changes = g.remove(records=[("web", "w0")])
    assert g.n_persons == 1
    assert len(changes.merges) == 2
    assert changes.removed_persons.size == 1


def test_match_edges_and_rejects_of_erased_records_go() -> None:
    g = _graph()
    g.add(pd.DataFrame({"rid": ["x"], "email": ["not an email"]}), source="pos", id="rid")
    pairs = pd.DataFrame({"source_l": ["pos"], "record_id_l": ["x"], "source_r": ["crm"],
                          "record_id_r": ["b"], "match_probability": [0.99]})  # fmt: skip
    g.link(pairs)
    assert g.person_of("pos", "x") == g.person_of("crm", "b")
    assert len(g.rejects) == 1
    g.remove(records=[("pos", "x")])
    assert g.rejects.empty
    assert g.state.matches.frame.empty


def test_remove_before_resolution_stages() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"rid": ["a", "b"], "email": ["ann@mail.com"] * 2}), source="crm", id="rid")
    changes = g.remove(records=[("crm", "a")])
    assert changes.records_removed == 1
    assert g.n_persons == 1
    assert g.clusters()["record_id"].tolist() == ["b"]


def _store_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file())


def _store_cells(path: Path) -> set[str]:
    cells: set[str] = set()
    for file in path.glob("*.parquet"):
        for column in pq.read_table(file).to_pylist():
            cells.update(str(v) for v in column.values())
    return cells


@pytest.mark.parametrize("compression", ["none", "zstd"])
def test_erasure_leaves_no_trace_in_the_store(tmp_path: Path, compression: str) -> None:
    g = _graph()
    secrets_raw = ["ann.secret@mail.com", "ANN.secret@mail.com", "ck-ann-secret", "201-555-0123"]
    digests = [
        hashlib.sha256(b"ann.secret@mail.com").hexdigest(),
        hashlib.sha256(b"+12015550123").hexdigest(),
    ]
    g.save(tmp_path / "before", compression="none")
    before = _store_bytes(tmp_path / "before")
    assert all(d.encode() in before for d in digests)  # the scan can see them
    ann = g.person_of("crm", "a")
    g.remove(person=ann)
    g.save(tmp_path / "after", compression=compression)
    data = _store_bytes(tmp_path / "after")
    cells = _store_cells(tmp_path / "after")
    for secret in [*secrets_raw, *digests, "Ann"]:
        if compression == "none":
            assert secret.encode() not in data
        assert not any(secret in cell for cell in cells)
    assert b"bob@mail.com" in data or compression != "none"
    h = ig.IdentityGraph.load(tmp_path / "after")
    assert h.clusters()["record_id"].tolist() == ["b"]
