"""HTML views: what they show, and never a raw identifier value."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import identigraph as ig
from identigraph.notebook import (
    changes_html,
    explanation_html,
    golden_html,
    graph_html,
    mask_column,
    matcher_html,
    person_html,
    report_html,
)

RAW = ["ann@mail.com", "ANN@mail.com", "2015550123", "+12015550123", "bob@mail.com"]


@pytest.fixture(scope="module")
def graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph([ig.Email("email"), ig.Phone("phone", region="US", max_per_person=1)])
    g.add(
        pd.DataFrame(
            {
                "cid": ["c1", "c2"],
                "email": ["ann@mail.com", "bob@mail.com"],
                "phone": ["2015550123", "not a phone"],
            }
        ),
        source="crm",
        id="cid",
    )
    g.add(
        pd.DataFrame(
            {"eid": [7, 8], "email": ["ANN@mail.com", None], "phone": [None, "2125550199"]}
        ),
        source="web",
        id="eid",
    )
    return g


def _clean(text: str) -> str:
    for value in RAW:
        assert value not in text
    assert "<script" not in text
    return re.sub(r"\s+", " ", text)


def test_graph_html(graph: ig.IdentityGraph) -> None:
    text = _clean(graph_html(graph))
    assert "<th>records</th><td>4</td>" in text
    assert "<th>persons</th><td>3</td>" in text
    assert "invalid_phone" in text
    assert "crm, web" in text


def test_person_html_masks_and_lists_links(graph: ig.IdentityGraph) -> None:
    view = graph.person(graph.person_of("crm", "c1"))
    text = _clean(person_html(view))
    assert "a***@m***.com" in text
    assert "Records" in text
    assert "Cut and generic links" in text
    assert text.count("<tr>") >= len(view.records) + len(view.identifiers)


def test_explanation_html(graph: ig.IdentityGraph) -> None:
    text = _clean(explanation_html(graph.explain(("crm", "c1"), ("web", 7))))
    assert "linked (linked)" in text
    assert "crm:c1 and web:7" in text
    text = _clean(explanation_html(graph.explain(("crm", "c1"), ("crm", "c2"))))
    assert "not linked" in text


def test_changes_html(graph: ig.IdentityGraph) -> None:
    g = ig.IdentityGraph(graph.identifiers)
    g.add(pd.DataFrame({"email": ["ann@mail.com"]}), source="a")
    g.resolve()
    changes = g.add(pd.DataFrame({"email": ["ann@mail.com", "zed@mail.org"]}), source="b")
    text = _clean(changes_html(changes))
    assert "<th>records added</th><td>2</td>" in text
    assert "(nothing changed)" in changes_html(ig.ChangeSet())


def test_report_html_shows_every_size(graph: ig.IdentityGraph) -> None:
    report = graph.report()
    text = _clean(report_html(report))
    for size in report.sizes["size"]:
        assert f"<td>{size}</td>" in text
    assert "Rejected values" in text


def test_matcher_html_before_and_after_fit() -> None:
    people = pd.DataFrame({"name": ["ann lee", "ann lea", "bob ray", "bob ray"], "city": ["x"] * 4})
    m = ig.Matcher([ig.NameComparison("name")], [ig.Block("city")], prior=0.3)
    assert "not fitted" in matcher_html(m)
    text = matcher_html(m.fit(people))
    assert "Parameters" in text
    assert "m_probability" in text
    assert "ann lee" not in text


def test_golden_html_masks_identifier_fields(graph: ig.IdentityGraph) -> None:
    golden = graph.golden({"emails": ig.Collect("email"), "email": ig.MostFrequent()}, default=None)
    text = _clean(golden_html(golden, identifiers=graph.identifiers, mask={"emails": "email"}))
    assert "a***@m***.com" in text
    assert f"<th>persons</th><td>{graph.n_persons}</td>" in text


@pytest.mark.parametrize(
    ("value", "style", "masked"),
    [
        ("john.doe@gmail.com", "email", "j***@g***.com"),
        ("no-at-sign", "email", "n***"),
        ("+442079460958", "phone", "+44***"),
        ("GA1.2.3341", "text", "G***"),
    ],
)
def test_mask_column(value: str, style: str, masked: str) -> None:
    got = mask_column(pd.Series([value, None]), style)  # type: ignore[arg-type]
    assert got.tolist() == [masked, None]
