"""connected_components against a plain union-find and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from identigraph.graph.core import connected_components
from tests.strategies import edge_lists, reference_partition


def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, label in enumerate(labels.tolist()):
        groups.setdefault(label, set()).add(node)
    return {frozenset(g) for g in groups.values()}


@given(edge_lists())
def test_matches_reference_union_find(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    assert _partition(connected_components(n, a, b)) == reference_partition(n, edges)


@given(edge_lists())
def test_matches_networkx(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    expected = {frozenset(c) for c in nx.connected_components(g)}
    a = np.array([e[0] for e in edges], dtype=np.int64)
    b = np.array([e[1] for e in edges], dtype=np.int64)
    assert _partition(connected_components(n, a, b)) == expected


@given(edge_lists(), st.randoms(use_true_random=False))
def test_edge_order_does_not_matter(graph: tuple[int, list[tuple[int, int]]], rnd) -> None:  # type: ignore[no-untyped-def]
    n, edges = graph
    shuffled = [(b, a) if rnd.random() < 0.5 else (a, b) for a, b in edges]
    rnd.shuffle(shuffled)
    a, b = (
        (np.array(side, dtype=np.int64) for side in zip(*edges, strict=True))
        if edges
        else (
            np.empty(0, np.int64),
            np.empty(0, np.int64),
        )
    )
    sa, sb = (
        (np.array(side, dtype=np.int64) for side in zip(*shuffled, strict=True))
        if edges
        else (
            a,
            b,
        )
    )
    first = connected_components(n, a, b)
    second = connected_components(n, sa, sb)
    assert len(first) == len(second) == n
    assert _partition(first) == _partition(second)


def test_empty_and_isolated() -> None:
    assert connected_components(0, np.array([]), np.array([])).tolist() == []
    labels = connected_components(3, np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert len(set(labels.tolist())) == 3
