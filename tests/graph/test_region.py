"""resolve_region: the pure resolution of one region, against a reference."""

from __future__ import annotations

import hypothesis.strategies as st
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given

from identigraph.errors import ConfigError
from identigraph.graph.core import KindLimits, NoIssuedIds, record_hashes, resolve_region


@st.composite
def regions(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 12))
    links = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 6)), max_size=20))
    matches = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=5))
    rec = np.array([r for r, _ in links], dtype=np.int64)
    val = np.array([100 + 7 * v for _, v in links], dtype=np.int64)  # sparse codes
    ml = np.array([a for a, _ in matches], dtype=np.int64)
    mr = np.array([b for _, b in matches], dtype=np.int64)
    return n, rec, val, ml, mr


@given(regions())
def test_persons_are_the_components_of_records_values_and_matches(
    region: tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    n, rec, val, ml, mr = region
    hashes = record_hashes("s", pd.Index(np.arange(n)))
    out = resolve_region(
        n, rec, val, record_hash=hashes, old_ids=np.full(n, -1), issued=NoIssuedIds(),
        match_l=ml, match_r=mr,
    )  # fmt: skip
    reference = nx.Graph()
    reference.add_nodes_from(("r", i) for i in range(n))
    reference.add_edges_from((("r", int(r)), ("v", int(v))) for r, v in zip(rec, val, strict=True))
    reference.add_edges_from((("r", int(a)), ("r", int(b))) for a, b in zip(ml, mr, strict=True))
    expected = {
        frozenset(node[1] for node in comp if node[0] == "r")
        for comp in nx.connected_components(reference)
    }
    expected.discard(frozenset())
    got: dict[int, set[int]] = {}
    for i, label in enumerate(out.labels.tolist()):
        got.setdefault(label, set()).add(i)
    assert {frozenset(g) for g in got.values()} == expected
    assert out.fresh.all()  # nothing was issued before
    assert len(np.unique(out.ids)) == len(out.ids)
    assert len(out.changes) == 0
    assert (out.values[out.link_value] == val).all()
    assert out.split is None


def test_kind_limits_need_one_entry_per_kind() -> None:
    with pytest.raises(ConfigError):
        KindLimits(limits=np.array([1]), priorities=np.array([1.0, 2.0]), unlink=np.array([False]))


def test_limits_need_value_kinds_and_hashes() -> None:
    limits = KindLimits(limits=np.array([1]), priorities=np.array([40.0]), unlink=np.array([False]))
    with pytest.raises(ConfigError):
        resolve_region(
            2, np.array([0, 1]), np.array([3, 3]),
            record_hash=np.array([1, 2], dtype=np.uint64), old_ids=np.full(2, -1),
            issued=NoIssuedIds(), limits=limits,
        )  # fmt: skip
