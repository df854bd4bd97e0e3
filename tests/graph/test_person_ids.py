"""assign_ids: heirs, merges, splits and fresh ids; the issued-id table; record hashes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from identigraph.graph.core import assign_ids, record_hashes
from identigraph.graph.core.person_ids import _repeats
from identigraph.graph.state.issued import IssuedIds


def _issued(ids_born: dict[int, int]) -> IssuedIds:
    issued = IssuedIds()
    for pid, gen in ids_born.items():
        issued.add(np.array([pid]), generation=gen)
    return issued


def _hashes(n: int) -> np.ndarray:
    return np.arange(100, 100 + n, dtype=np.uint64)


def test_merge_keeps_oldest_id_by_default() -> None:
    labels = np.array([0, 0, 0, 0])
    old = np.array([7, 9, 9, 9])  # 9 holds three records, 7 one; 7 is older
    ids, fresh, changes = assign_ids(labels, old, _hashes(4), _issued({7: 1, 9: 2}))
    assert ids.tolist() == [7]
    assert not fresh.any()
    assert changes.to_dict("records") == [{"old_id": 9, "new_id": 7, "reason": "merge"}]


def test_merge_same_age_goes_to_larger_then_smaller_id() -> None:
    labels = np.array([0, 0, 0])
    old = np.array([7, 9, 9])
    ids, _, _ = assign_ids(labels, old, _hashes(3), _issued({7: 1, 9: 1}))
    assert ids.tolist() == [9]  # same age: 9 is larger
    ids, _, _ = assign_ids(labels[:2], old[:2], _hashes(2), _issued({7: 1, 9: 1}))
    assert ids.tolist() == [7]  # same age and size: the smaller id


def test_split_largest_part_keeps_id_others_fresh() -> None:
    labels = np.array([0, 0, 1, 2, 2, 2])
    old = np.full(6, 5)
    issued = _issued({5: 1})
    ids, fresh, changes = assign_ids(labels, old, _hashes(6), issued)
    assert ids[2] == 5
    assert fresh.tolist() == [True, True, False]
    assert not issued.contains(ids[fresh]).any()
    assert changes["reason"].tolist() == ["split", "split"]
    assert sorted(changes["new_id"].tolist()) == sorted(ids[fresh].tolist())


def test_split_tie_goes_to_larger_part() -> None:
    # One old record in each part; the second part also holds two new records.
    labels = np.array([0, 1, 1, 1])
    old = np.array([5, 5, -1, -1])
    ids, _, _ = assign_ids(labels, old, _hashes(4), _issued({5: 1}))
    assert ids[1] == 5


def test_fresh_ids_are_deterministic_and_avoid_issued() -> None:
    labels = np.array([0, 1])
    old = np.array([-1, -1])
    a, _, _ = assign_ids(labels, old, _hashes(2), IssuedIds())
    b, _, _ = assign_ids(labels[::-1], old, _hashes(2)[::-1], IssuedIds())
    assert sorted(a.tolist()) == sorted(b.tolist())
    c, _, _ = assign_ids(labels, old, _hashes(2), _issued({int(a[0]): 1}))
    assert int(a[0]) not in c.tolist()
    assert (c >= 0).all()


@given(st.lists(st.integers(-3, 3)))
def test_repeats_are_the_later_occurrences(values: list[int]) -> None:
    ids = np.array(values, dtype=np.int64)
    expected = pd.Index(ids).duplicated(keep="first")
    assert _repeats(ids).tolist() == expected.tolist()


def test_fresh_ids_that_collide_in_63_bits_are_made_distinct() -> None:
    # Two smallest record hashes differing only in the top bit give one 63-bit id.
    top = np.uint64(1 << 63)
    hashes = np.array([5, 5 | top, 9, 9 | top], dtype=np.uint64)
    labels = np.array([0, 1, 2, 3])
    ids, fresh, _ = assign_ids(labels, np.full(4, -1), hashes, IssuedIds())
    assert fresh.all()
    assert len(set(ids.tolist())) == 4
    assert ids[0] == 5  # the first occurrence keeps the plain id
    assert ids[2] == 9
    again, _, _ = assign_ids(labels, np.full(4, -1), hashes, IssuedIds())
    assert again.tolist() == ids.tolist()


@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from([-1, 11, 12, 13])), min_size=1))
def test_every_old_id_survives_once_or_is_merged(rows) -> None:  # type: ignore[no-untyped-def]
    labels = np.unique([r[0] for r in rows], return_inverse=True)[1].reshape(-1)
    old = np.array([r[1] for r in rows], dtype=np.int64)
    ids, fresh, changes = assign_ids(
        labels, old, _hashes(len(rows)), _issued({11: 1, 12: 2, 13: 3})
    )
    assert len(set(ids.tolist())) == len(ids)
    olds = set(old[old >= 0].tolist())
    kept = set(ids[~fresh].tolist())
    merged = set(changes.loc[changes["reason"] == "merge", "old_id"].tolist())
    assert kept | merged == olds
    assert not kept & merged


def test_issued_ids_table() -> None:
    issued = IssuedIds()
    issued.add(np.array([3, 1]), generation=1)
    issued.add(np.array([2]), generation=np.array([4]))
    assert issued.born(np.array([1, 2, 3, 4])).tolist() == [1, 4, 1, -1]
    keys, gens = issued.items()
    assert keys.tolist() == [1, 2, 3]
    assert gens.tolist() == [1, 4, 1]
    assert len(issued) == 3


def test_record_hashes_depend_on_key_not_dtype() -> None:
    as_int = record_hashes("crm", pd.Index([7, 8]))
    as_obj = record_hashes("crm", pd.Index(np.array([7, 8], dtype=object)))
    mixed = record_hashes("crm", pd.Index(np.array([7, "8"], dtype=object)))
    as_str = record_hashes("crm", pd.Index(["7", "8"]))
    assert as_int.tolist() == as_obj.tolist()
    assert mixed[0] == as_int[0]
    assert mixed[1] == as_str[1]
    assert as_int[0] != as_str[0]
    assert record_hashes("web", pd.Index([7]))[0] != as_int[0]
