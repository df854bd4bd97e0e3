"""Bulk loads: provisional value codes merged once, before anything reads them."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.cli import demo_specs
from identigraph.graph.core import factorize_digest_words, factorize_keys
from identigraph.graph.ops import merge_codes
from identigraph.graph.state.lifecycle import Lifecycle


def _digests(values: list[str]) -> np.ndarray:
    return np.array([hashlib.sha256(v.encode()).hexdigest() for v in values], dtype=object)


@pytest.mark.parametrize("digests", [True, False])
@given(st.lists(st.sampled_from(["a", "b", "c", "é", "", "x" * 40]), max_size=30))
def test_factorize_keys_matches_pandas(digests: bool, values: list[str]) -> None:
    keys = _digests(values) if digests else np.array(values, dtype=object)
    local, uniques = factorize_keys(keys, digests=digests)
    expected_local, expected_uniques = pd.factorize(keys)
    # The same partition; every key maps back to itself.
    assert (uniques[local] == keys).all()
    assert len(uniques) == len(expected_uniques)
    assert (pd.factorize(local)[0] == expected_local).all()


def test_non_hex_keys_of_a_digest_kind_still_factorize_exactly() -> None:
    keys = np.array(["é" * 64, "é" * 64, "a" * 64], dtype=object)
    local, _uniques = factorize_keys(keys, digests=True)
    assert local.tolist() == [0, 0, 1]


_CHUNK_KEYS = st.sampled_from(["a", "b", "c", "é", "", "x" * 40, "Z" * 64])


@pytest.mark.parametrize("large", [True, False])
@given(chunks=st.lists(st.lists(_CHUNK_KEYS, max_size=12), min_size=1, max_size=3))
def test_digest_chunks_factorize_as_arrow_encodes_them(
    large: bool, chunks: list[list[str]]
) -> None:
    kind = pa.large_string() if large else pa.string()
    hexed = [pa.array(list(_digests(c)), type=kind) for c in chunks]
    raw = [pa.array(c, type=kind) for c in chunks]  # keys of other lengths too
    for parts in (hexed, raw):
        expected = pa.concat_arrays(parts).dictionary_encode()
        codes, uniques = merge_codes._factorize_chunks(list(parts), digests=True)
        assert codes.tolist() == expected.indices.to_pylist()
        assert uniques.to_pylist() == expected.dictionary.to_pylist()


def test_digest_chunks_that_share_an_integer_factorize_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = pa.array(list(_digests(["a", "b", "a"])), type=pa.large_string())
    monkeypatch.setattr(merge_codes, "factorize_digest_words", lambda words: None)
    codes, uniques = merge_codes._factorize_chunks([keys], digests=True)
    assert codes.tolist() == [0, 1, 0]
    assert uniques.to_pylist() == keys.to_pylist()[:2]


def test_factorize_digest_words_refuses_a_shared_integer() -> None:
    # Digests equal in their first 32 characters mix into one integer: the check
    # over all 64 finds them apart.
    words = np.frombuffer((("ab" * 16 + "cd" * 16) + ("ab" * 32)).encode(), dtype=np.uint64)
    assert factorize_digest_words(words.reshape(2, 8)) is None


def test_equal_keys_across_columns_and_adds_share_one_code() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Email("alt", kind="email"), ig.Cookie("c")])
    g.add(pd.DataFrame({"email": ["a@x.com", "B@x.com"], "alt": ["a@x.com", None]}), source="s")
    g.add(pd.DataFrame({"email": [" A@X.com"], "c": ["k"]}), source="t")
    assert g.lifecycle is Lifecycle.STAGED
    g.resolve()
    assert g.lifecycle is Lifecycle.RESOLVED
    assert len(g.state.value_codes.indexes["email"]) == 2
    assert len(g.state.value_codes.indexes["cookie"]) == 1
    # The record carrying one address in both columns keeps one edge for it.
    assert len(g.state.links.rec) == 4
    assert g.state.value_codes.count.tolist() == [2, 1, 1]
    assert g.clusters()["person_id"].nunique() == 2


def test_bulk_load_then_updates_match_a_graph_built_record_by_record() -> None:
    sources, _ = ig.datasets.customers(n_persons=300, seed=3)
    ids = ig.datasets.RECORD_ID_COLUMNS
    specs = demo_specs()
    bulk = ig.IdentityGraph(specs)
    for name, frame in sources.items():
        bulk.add(frame, source=name, id=ids[name])
    bulk.build_indexes()
    eager = ig.IdentityGraph(specs)
    eager.resolve()  # resolved from the start: every add goes through the dictionaries
    for name, frame in sources.items():
        eager.add(frame, source=name, id=ids[name])
    a, b = bulk.clusters(), eager.clusters()
    pd.testing.assert_frame_equal(a[["source", "record_id"]], b[["source", "record_id"]])
    # The same partition (ids may differ: the eager graph merged persons as it grew).
    pairs = pd.DataFrame({"a": a["person_id"], "b": b["person_id"]}).drop_duplicates()
    assert pairs["a"].is_unique
    assert pairs["b"].is_unique
    assert bulk.generic_values().equals(eager.generic_values())
    assert len(bulk.conflicts()) == len(eager.conflicts())


def test_digest_kinds_merged_on_a_second_thread_give_the_same_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sources, _ = ig.datasets.customers(n_persons=300, seed=3)

    def build(threaded_values: int) -> ig.IdentityGraph:
        monkeypatch.setattr(merge_codes, "_THREADED_VALUES", threaded_values)
        g = ig.IdentityGraph(demo_specs())
        for name, frame in sources.items():
            g.add(frame, source=name, id=ig.datasets.RECORD_ID_COLUMNS[name])
        g.resolve()
        return g

    plain, threaded = build(10**12), build(0)
    assert threaded.state.value_codes.key.tolist() == plain.state.value_codes.key.tolist()
    assert threaded.state.value_codes.kind.tolist() == plain.state.value_codes.kind.tolist()
    assert threaded.state.links.val.tolist() == plain.state.links.val.tolist()
    pd.testing.assert_frame_equal(threaded.clusters(), plain.clusters())


@pytest.mark.parametrize("specs", ["demo", "keys"])
def test_keys_read_while_staged_merge_to_the_same_codes(specs: str) -> None:
    sources, _ = ig.datasets.customers(n_persons=300, seed=5)
    ids = ig.datasets.RECORD_ID_COLUMNS
    chosen = demo_specs() if specs == "demo" else [ig.Key(s.column) for s in demo_specs()]

    def build(read_early: bool) -> ig.IdentityGraph:
        g = ig.IdentityGraph(chosen)
        for name, frame in sources.items():
            g.add(frame, source=name, id=ids[name])
            if read_early:  # Python strings made before the merge: the object path
                assert len(g.state.value_codes.key) == len(g.state.value_codes.kind)
        g.resolve()
        return g

    in_arrow, read = build(False), build(True)
    assert in_arrow.state.value_codes.key.tolist() == read.state.value_codes.key.tolist()
    assert in_arrow.state.value_codes.kind.tolist() == read.state.value_codes.kind.tolist()
    assert in_arrow.state.links.val.tolist() == read.state.links.val.tolist()
    pd.testing.assert_frame_equal(in_arrow.clusters(), read.clusters())
    in_arrow.state.check_invariants()
