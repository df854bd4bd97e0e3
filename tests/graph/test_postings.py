"""Postings (sorted-run multimap) against a dict of lists; appends into spare capacity."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from identigraph.graph.state.growable import appended
from identigraph.graph.state.postings import Postings

batches = st.lists(
    st.lists(st.tuples(st.integers(-5, 20), st.integers(0, 1000)), max_size=12), max_size=12
)


@given(batches, st.lists(st.integers(-6, 21), max_size=8))
def test_get_equals_reference(adds, queries) -> None:  # type: ignore[no-untyped-def]
    p = Postings()
    reference: dict[int, list[int]] = {}
    for batch in adds:
        keys = np.array([k for k, _ in batch], dtype=np.int64)
        items = np.array([i for _, i in batch], dtype=np.int64)
        p.add(keys, items)
        for k, i in batch:
            reference.setdefault(k, []).append(i)
    q = np.array(queries, dtype=np.int64)
    which, items = p.get(q)
    got = sorted(zip(which.tolist(), items.tolist(), strict=False))
    want = sorted((w, i) for w, k in enumerate(queries) for i in reference.get(k, []))
    assert got == want
    assert len(p) == sum(len(v) for v in reference.values())
    first = p.first(q, default=-7)
    for k, f in zip(queries, first.tolist(), strict=True):
        assert f in reference[k] if k in reference else f == -7
    keys, all_items = p.items()
    assert (np.diff(keys) >= 0).all()
    assert sorted(all_items.tolist()) == sorted(i for v in reference.values() for i in v)


def test_runs_stay_logarithmic() -> None:
    p = Postings()
    for i in range(1000):
        p.add(np.array([i]), np.array([i]))
    which, items = p.get(np.array([500, 2000]))
    assert len(p._keys) <= 11  # sorted runs: O(log n)
    assert which.tolist() == [0]
    assert items.tolist() == [500]


def test_rebuild_resets_stale() -> None:
    p = Postings()
    p.add(np.array([1, 2]), np.array([10, 20]))
    p.stale = 5
    p.rebuild(np.array([3]), np.array([30]))
    assert p.stale == 0
    assert p.get(np.array([1, 3]))[1].tolist() == [30]


def test_pairs_replaced_before_a_read_are_never_sorted() -> None:
    p = Postings()
    keys, items = np.array([5, 3, 5]), np.array([10, 11, 12])
    p.add(keys, items)
    keys[0], items[0] = 3, 99  # the caller's arrays were copied
    assert len(p) == 3
    assert p._keys == []  # kept aside until a read
    assert sorted(zip(*(a.tolist() for a in p.get(np.array([5, 3]))), strict=True)) == [
        (0, 10),
        (0, 12),
        (1, 11),
    ]
    p.add(np.array([7]), np.array([70]))
    p.rebuild(np.array([3]), np.array([30]))
    assert len(p) == 1
    assert p.get(np.array([5, 7, 3]))[1].tolist() == [30]


def test_appended_grows_in_place_and_copies_when_needed() -> None:
    a = appended(np.empty(0, dtype=np.int64), np.arange(3))
    b = appended(a, np.array([3]))
    assert b.tolist() == [0, 1, 2, 3]
    assert np.shares_memory(a, b)
    view = b[1:]  # not a prefix of its buffer: a copy is made
    c = appended(view, np.array([9]))
    assert c.tolist() == [1, 2, 3, 9]
    assert b.tolist() == [0, 1, 2, 3]
    big = appended(b, np.arange(5000))
    assert len(big) == 5004
    assert big[:4].tolist() == [0, 1, 2, 3]
