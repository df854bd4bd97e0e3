"""Record look-ups: the scan of the record hashes against the postings and a reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.errors import UnknownRecordError
from identigraph.graph.state import indexes
from identigraph.graph.state.indexes import find_keys, rebuild_indexes, scan_hashes
from identigraph.graph.state.keys import positions

# Hashes that share their low bits (the scan's table slot) but not their high ones,
# so that the scan meets false candidates; a few repeated values.
_LOW = st.integers(0, 7)
_HIGH = st.integers(0, 3)
hashes = st.lists(st.tuples(_HIGH, _LOW), max_size=40).map(
    lambda pairs: np.array([(h << 40) | low for h, low in pairs], dtype=np.uint64)
)


@given(hashes, hashes)
def test_scan_equals_reference(records: np.ndarray, asked: np.ndarray) -> None:
    which, found = scan_hashes(records, asked)
    got = sorted(zip(which.tolist(), found.tolist(), strict=True))
    want = sorted(
        (i, r)
        for i, h in enumerate(asked.tolist())
        for r, k in enumerate(records.tolist())
        if h == k
    )
    assert got == want
    assert which.dtype == found.dtype == np.int64


def test_scan_of_full_width_hashes() -> None:
    rng = np.random.default_rng(3)
    records = rng.integers(0, 2**63, 5000, dtype=np.int64).view(np.uint64) * np.uint64(2)
    asked = np.concatenate([records[rng.choice(5000, 300)], records[:5] + np.uint64(1)])
    which, found = scan_hashes(records, asked)
    assert (records[found] == asked[which]).all()
    assert sorted(which.tolist()) == list(range(300))  # the five odd ones are nowhere


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph([ig.Email("email")])
    emails = [f"p{i % 7}@mail.com" for i in range(40)]
    g.add(pd.DataFrame({"email": emails[:20]}, index=range(100, 120)), source="crm")
    g.add(pd.DataFrame({"email": emails[20:], "rid": [f"w{i}" for i in range(20)]}),
          source="web", id="rid")  # fmt: skip
    g.add(pd.DataFrame({"email": emails[:5]}, index=range(100, 105)), source="pos")
    return g


def _keys() -> tuple[pd.Series, pd.Series, list[int]]:
    """Keys of every source (some twice, one as its canonical string), and their positions."""
    sources = ["web", "crm", "pos", "crm", "web", "crm"] * 4
    ids: list[object] = ["w3", 101, 104, "119", "w19", 100] * 4
    want = [23, 1, 44, 19, 39, 0] * 4
    return pd.Series(sources, dtype=object), pd.Series(ids, dtype=object), want


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the scans of the record hashes (the number of keys of each)."""
    calls: list[int] = []
    real = indexes.scan_hashes

    def counted(record_hash: np.ndarray, asked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(len(asked))
        return real(record_hash, asked)

    monkeypatch.setattr(indexes, "scan_hashes", counted)
    return calls


@pytest.mark.parametrize("live", [False, True])
def test_positions_by_scan_and_by_postings(live: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    g = _graph()
    if live:
        g.build_indexes()
    calls = _counted(monkeypatch)
    sources, ids, want = _keys()
    assert positions(g.state, sources, ids).tolist() == want
    assert calls == ([] if live else [24])  # one scan for every source, not yet live
    with pytest.raises(UnknownRecordError):
        positions(g.state, pd.Series(["crm", "crm"]), pd.Series([101, 999]))


def test_a_few_keys_go_by_the_postings(monkeypatch: pytest.MonkeyPatch) -> None:
    g = _graph()  # 45 records: one key is less than one for every two records
    monkeypatch.setattr(indexes, "_SCAN_SHARE", 2)
    monkeypatch.setattr(indexes, "scan_hashes", None)  # would fail if called
    assert find_keys(g.state, [("pos", pd.Index([103]))]).tolist() == [43]


def test_find_keys_groups_of_one_source_and_unknown_ones() -> None:
    g = _graph()
    groups = [
        ("crm", pd.Index([105, 7])),
        ("nowhere", pd.Index([1])),
        ("crm", pd.Index([105])),
        ("pos", pd.Index([], dtype=np.int64)),
        ("web", pd.Index(["w0"] * 3)),
    ]
    assert find_keys(g.state, groups).tolist() == [5, -1, -1, 5, 20, 20, 20]
    assert find_keys(g.state, []).tolist() == []


def test_erased_records_are_not_found_by_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    g = _graph()
    g.remove(records=[("crm", 101)])
    monkeypatch.setattr(g.state, "lifecycle", ig.Lifecycle.RESOLVED)  # not live: a scan
    calls = _counted(monkeypatch)
    sources, ids, want = _keys()
    keep = ids.to_numpy() != 101
    assert positions(g.state, sources[keep], ids[keep]).tolist() == np.array(want)[keep].tolist()
    with pytest.raises(UnknownRecordError):
        positions(g.state, sources, ids)
    assert calls == [20, 24]


def test_the_build_keeps_complete_record_hash_postings() -> None:
    g = _graph()
    g.must_link(("crm", 100), ("web", "w0"))
    kept = g.state.postings.by_hash
    g.resolve()
    g.build_indexes()
    assert g.state.postings.by_hash is kept  # one pair per alive record: not rebuilt
    assert g.person_of("crm", 100) == g.person_of("web", "w0")
    g.remove(records=[("crm", 103)])  # a stale pair: a rebuild starts afresh
    assert g.state.postings.by_hash.stale == 1
    rebuild_indexes(g.state)
    assert g.state.postings.by_hash is not kept
    assert len(g.state.postings.by_hash) == 44
    assert g.person_of("crm", 104) >= 0
    with pytest.raises(UnknownRecordError):
        g.person_of("crm", 103)
    g.check_invariants()
