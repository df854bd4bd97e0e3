"""IdentityGraph.person: one person's records, identifiers and links."""

from __future__ import annotations

import sys

import networkx as nx
import pandas as pd
import pytest

import identigraph as ig
from identigraph.graph.views.person import PersonView
from tests.graph.test_explain import _graph


def test_person_view_frames() -> None:
    g = _graph()
    view = g.person(g.person_of("pos", 10))
    assert isinstance(view, PersonView)
    assert set(zip(view.records["source"], view.records["record_id"], strict=True)) == {
        ("crm", "C1"),
        ("web", 1),
        ("web", 6),
        ("pos", 10),
    }
    ids = view.identifiers
    assert list(ids.columns) == ["value_id", "kind", "value", "records", "status"]
    assert ids["value_id"].tolist() == list(range(len(ids)))
    by_kind = {k: (v, n, s) for k, v, n, s in ids[["kind", "value", "records", "status"]].values}
    assert by_kind == {
        "crm_id": ("A***", 1, "link"),
        "email": ("j***@g***.com", 2, "link"),
        "phone": ("+1 2***", 2, "link"),
        "cookie": ("c***", 2, "link"),
    }
    assert len(view.edges) == 7
    assert set(view.edges["status"]) == {"link"}
    assert "PersonView(person_id=" in repr(view)


def test_generic_and_cut_values_are_listed_but_not_edges_of_the_subgraph() -> None:
    g = _graph()
    g.add(
        pd.DataFrame({"customer_id": ["C9"], "crm_id": ["Q"], "email": ["jane@mail.com"]}),
        source="crm",
        id="customer_id",
    )
    kiosk = g.person(g.person_of("web", 2))
    assert "generic" in set(kiosk.identifiers["status"])
    cut = g.person(g.person_of("crm", "C9"))
    assert set(cut.identifiers["status"]) == {"link", "cut"}
    graph = cut.to_networkx()
    assert graph.number_of_edges() == 1  # C9 - its key; the cut email is no edge


def test_to_networkx_is_the_linking_subgraph() -> None:
    g = _graph()
    view = g.person(g.person_of("pos", 10))
    graph = view.to_networkx()
    assert nx.is_connected(graph)
    records = [n for n, k in graph.nodes(data="kind") if k == "record"]
    values = [n for n, k in graph.nodes(data="kind") if k != "record"]
    assert len(records) == 4
    assert len(values) == 4
    assert graph.number_of_edges() == 7
    assert nx.is_bipartite(graph)
    labels = dict(graph.nodes(data="label"))
    assert labels[("record", "pos", 10)] == "pos:10"
    assert "j***@g***.com" in labels.values()


def test_match_edges_in_view() -> None:
    g = _graph()
    pairs = pd.DataFrame(
        {
            "source_l": ["crm"],
            "record_id_l": ["C3"],
            "source_r": ["web"],
            "record_id_r": [3],
            "match_probability": [0.97],
        }
    )
    g.link(pairs, threshold=0.9)
    view = g.person(g.person_of("crm", "C3"))
    match = view.edges[view.edges["kind"] == "match"]
    assert len(match) == 1
    assert match["match_probability"].tolist() == [pytest.approx(0.97)]
    graph = view.to_networkx()
    assert graph.edges[("record", "crm", "C3"), ("record", "web", 3)]["kind"] == "match"


def test_unknown_person() -> None:
    with pytest.raises(ig.UnknownPersonError):
        _graph().person(12345)


def test_draw_needs_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    g = _graph()
    view = g.person(g.person_of("pos", 10))
    with pytest.raises(ig.MissingDependencyError, match="identigraph\\[plot\\]"):
        view.draw()


def test_draw_with_matplotlib() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    g = _graph()
    ax = g.person(g.person_of("pos", 10)).draw()
    assert ax.get_title().startswith("person ")


def test_views_and_conflicts_show_masked_values_only() -> None:
    g = _graph()
    g.add(
        pd.DataFrame({"customer_id": ["C9"], "crm_id": ["Q"], "email": ["jane@mail.com"]}),
        source="crm",
        id="customer_id",
    )
    shown = list(g.conflicts()["value"])
    for pid in g.clusters()["person_id"].unique():
        view = g.person(int(pid))
        shown += list(view.identifiers["value"]) + list(view.edges["value"].dropna())
    pattern = r"^.\*\*\*(@.\*\*\*(\.(.\*\*\*|[a-z]+))*)?$|^\+\d{1,3} \d\*\*\*$"
    assert pd.Series(shown, dtype=object).str.fullmatch(pattern).all()
