"""Connected components on Spark against a plain union-find."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import ConfigError
from identigraph.spark import star_components
from tests.spark.conftest import SPARK_SETTINGS, collect
from tests.strategies import edge_lists, reference_partition


def _partition(spark: Any, n: int, edges: list[tuple[int, int]], **options: Any) -> tuple:
    frame = spark.createDataFrame(edges or [], "a long, b long")
    result = star_components(frame, **options)
    got = collect(result.labels)
    labels = dict(zip(got["node"].tolist(), got["root"].tolist(), strict=True))
    groups: dict[int, set[int]] = {}
    for node in range(n):
        groups.setdefault(labels.get(node, node), set()).add(node)
    roots_are_minima = all(root == min(group) for root, group in groups.items())
    return {frozenset(g) for g in groups.values()}, roots_are_minima, result


@SPARK_SETTINGS
@given(st.lists(edge_lists(max_nodes=20), min_size=1, max_size=6))
def test_components_equal_union_find(spark: Any, graphs: list) -> None:
    # Several random graphs side by side in one frame: one Spark run checks them all.
    n, edges = 0, []
    for size, graph in graphs:
        edges.extend((a + n, b + n) for a, b in graph)
        n += size
    for local_edges in (0, 2_000_000):  # star rounds only; one task
        partition, roots_are_minima, result = _partition(spark, n, edges, local_edges=local_edges)
        assert partition == reference_partition(n, edges)
        assert roots_are_minima
        assert (result.local_edges is None) == (local_edges == 0 and result.rounds > 0)


def test_long_chain_takes_several_rounds(spark: Any, caplog: pytest.LogCaptureFixture) -> None:
    n = 60
    edges = [(i, i + 1) for i in range(n - 1)]
    with caplog.at_level(logging.INFO, logger="identigraph.spark"):
        partition, roots_are_minima, result = _partition(
            spark, n, edges, checkpoint_every=2, local_edges=0
        )
    assert partition == {frozenset(range(n))}
    assert roots_are_minima
    assert result.rounds > 2
    assert len(result.edges_per_round) == result.rounds
    assert result.edges_per_round[-1] == n - 1  # a star around node 0
    assert f"converged after {result.rounds} rounds" in caplog.text


def test_rounds_then_local_finish(spark: Any) -> None:
    # A 12-clique (66 edges) and a 20-node chain: the first round turns the clique into a
    # star of 11 edges, after which few enough edges are left to finish in one task.
    clique = [(i, j) for i in range(12) for j in range(i + 1, 12)]
    chain = [(i, i + 1) for i in range(20, 39)]
    edges = clique + chain
    partition, roots_are_minima, result = _partition(spark, 40, edges, local_edges=40)
    assert partition == reference_partition(40, edges)
    assert roots_are_minima
    assert result.rounds >= 1
    assert result.local_edges is not None
    assert result.local_edges <= 40 < len(edges)


def test_round_limit_and_options(spark: Any) -> None:
    frame = spark.createDataFrame([(i, i + 1) for i in range(50)], "a long, b long")
    with pytest.raises(ConfigError, match="did not converge within 1 rounds"):
        star_components(frame, max_rounds=1, local_edges=0)
    with pytest.raises(ConfigError, match="checkpoint_every"):
        star_components(frame, checkpoint_every=0)
    with pytest.raises(ConfigError, match="local_edges"):
        star_components(frame, local_edges=-1)
