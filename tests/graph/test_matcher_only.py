"""Graphs resolved by fuzzy matching alone: no identifier specs, or frames without their columns."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

import identigraph as ig
from tests.partitions import partition as _partition

COLUMNS = ["first_name", "last_name", "birth_date"]


def _matcher() -> ig.Matcher:
    return ig.Matcher(
        comparisons=[
            ig.NameComparison("first_name"),
            ig.NameComparison("last_name"),
            ig.DateComparison("birth_date"),
        ],
        blocking=[ig.Block("last_name")],
    )


def _components(nodes: list[tuple[str, object]], pairs: pd.DataFrame, threshold: float):
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    kept = pairs[pairs["match_probability"] >= threshold]
    graph.add_edges_from(
        zip(
            zip(kept["source_l"], kept["record_id_l"], strict=True),
            zip(kept["source_r"], kept["record_id_r"], strict=True),
            strict=True,
        )
    )
    return {frozenset(c) for c in nx.connected_components(graph)}


@pytest.fixture(scope="module")
def sources() -> dict[str, pd.DataFrame]:
    frames, _ = ig.datasets.customers(n_persons=300, seed=1)
    return frames


def test_dedupe_with_no_identifier_specs_equals_the_components_of_the_pairs(sources) -> None:
    crm = sources["crm"][["customer_id", *COLUMNS]]
    matcher = _matcher()
    g = ig.IdentityGraph([])
    g.add(crm, source="crm", id="customer_id", matcher=matcher)
    pairs = matcher.dedupe(crm, id="customer_id", source="crm", threshold=None)
    nodes = [("crm", r) for r in crm["customer_id"]]
    expected = _components(nodes, pairs, ig.DEFAULT_THRESHOLD)
    assert _partition(g.clusters()) == expected
    assert len(g.clusters()) == len(crm)  # nothing lost
    assert any(len(p) > 1 for p in expected)  # the data holds duplicates to find


def test_a_frame_without_spec_columns_is_accepted_with_a_matcher(sources) -> None:
    g = ig.IdentityGraph([ig.Cookie("cookie_id")])
    crm = sources["crm"][["customer_id", *COLUMNS]]
    g.add(crm, source="crm", id="customer_id", matcher=_matcher())
    assert len(g) == len(crm)
    with pytest.raises(ig.NoIdentifierColumnsError):
        g.add(crm.assign(customer_id=crm["customer_id"] + "-b"), source="crm", id="customer_id")


def test_link_across_sources_in_one_call(sources) -> None:
    crm = sources["crm"][["customer_id", *COLUMNS]]
    pos = crm.sample(frac=0.5, random_state=0).rename(columns={"customer_id": "receipt"})
    pos["receipt"] = "r-" + pos["receipt"]
    g = ig.IdentityGraph([])
    matcher = _matcher()
    g.add(crm, source="crm", id="customer_id", matcher=matcher)
    g.add(pos, source="pos", id="receipt", matcher=matcher)
    pairs = matcher.link({"crm": crm, "pos": pos}, id={"crm": "customer_id", "pos": "receipt"})
    assert set(pairs["source_l"]) | set(pairs["source_r"]) == {"crm", "pos"}
    assert (pairs["source_l"] != pairs["source_r"]).all()
    g.link(pairs)
    clusters = g.clusters()
    person = dict(zip(zip(clusters["source"], clusters["record_id"], strict=True),
                      clusters["person_id"], strict=True))  # fmt: skip
    # every pos copy of a CRM record is linked to it: same names and birth date
    linked = [person[("pos", "r-" + c)] == person[("crm", c)] for c in pos["receipt"].str[2:]]
    assert all(linked)
