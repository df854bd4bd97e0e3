"""ValueIndex (sharded key dictionary) against a plain dict, with tiny shards and chunks."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.graph.state import value_index as _values
from identigraph.graph.state.tables import ValueTable
from identigraph.graph.state.value_index import ValueIndex

keys = st.sampled_from([f"k{i}" for i in range(60)])
ops = st.lists(
    st.one_of(
        st.tuples(st.just("encode"), st.lists(keys, max_size=20, unique=True)),
        st.tuples(st.just("drop"), st.lists(keys, max_size=5, unique=True)),
        st.tuples(st.just("get"), st.lists(keys, max_size=20, unique=True)),
    ),
    max_size=25,
)


@pytest.fixture(autouse=True)
def _tiny_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_values, "_SHARD_SIZE", 4)


@given(ops)
def test_value_index_equals_dict(operations) -> None:  # type: ignore[no-untyped-def]
    index = ValueIndex()
    reference: dict[str, int] = {}
    next_code = 0
    for op, names in operations:
        array = np.array(names, dtype=object)
        if op == "encode":
            codes, next_code = index.encode(array, next_code)
            for name, code in zip(names, codes.tolist(), strict=True):
                assert reference.setdefault(name, code) == code
        elif op == "drop":
            gone = [reference.pop(n) for n in names if n in reference]
            index.drop(np.array(gone, dtype=np.int64))
        got = index.get(array).tolist()
        assert got == [reference.get(n, -1) for n in names]
        assert len(index) == len(reference)
        all_keys, all_codes = index.items()
        assert dict(zip(all_keys.tolist(), all_codes.tolist(), strict=True)) == reference


def test_from_items_and_chunks_cover_every_key() -> None:
    names = np.array([f"k{i}" for i in range(50)], dtype=object)
    index = ValueIndex.from_items(names, np.arange(50) * 2)
    assert not index._shards  # tables wait for the first look-up
    assert len(index) == 50
    got = index.get(names)
    assert len(index._shards) > 1
    assert got.tolist() == (np.arange(50) * 2).tolist()
    assert sorted(c for _, codes in index.chunks() for c in codes.tolist()) == list(
        range(0, 100, 2)
    )


def test_value_table_keys_kept_in_chunks_read_as_the_appended_keys() -> None:
    words = [f"w{i}" for i in range(40)]
    table = ValueTable()
    table.append_chunks(
        [pa.array(words[:10]), np.array(words[10:15], dtype=object), pa.array(words[15:])],
        np.repeat(np.array([0, 1, 2], dtype=np.int16), [10, 5, 25]),
    )
    assert [start for start, _, _ in table.key_chunks() or []] == [0, 10, 15]
    codes = np.array([39, 0, 12])
    assert table.take_keys(codes).tolist() == ["w39", "w0", "w12"]
    assert table.key_chunks() is not None  # a few keys read: nothing made whole
    assert table.key.tolist() == words
    assert table.key_chunks() is None  # read as Python strings: the chunks are gone
    assert table.take_keys(codes).tolist() == ["w39", "w0", "w12"]
    table.next_code = 40
    table.check()


def test_from_items_keeps_arrow_keys_until_they_are_needed() -> None:
    index = ValueIndex.from_items(pa.array(["x", "y"]), np.array([7, 9]))
    assert len(index) == 2
    assert index.get(np.array(["y", "z"], dtype=object)).tolist() == [9, -1]
    keys, codes = index.items()
    assert sorted(zip(keys.tolist(), codes.tolist(), strict=True)) == [("x", 7), ("y", 9)]
