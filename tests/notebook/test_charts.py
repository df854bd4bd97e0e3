"""Charts: the data and encodings they carry (Vega-Lite specs), never a raw value."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import identigraph as ig

pytest.importorskip("altair")

from identigraph.notebook import (
    cluster_sizes_chart,
    match_weights_chart,
    person_chart,
    threshold_chart,
)

PEOPLE = pd.DataFrame(
    {
        "name": ["ann lee", "ann lea", "bob ray", "bob ray", "cy fox", "dee orr"],
        "city": ["oslo"] * 6,
    }
)


def _datasets(spec: dict) -> list[dict]:
    return [row for rows in spec["datasets"].values() for row in rows]


@pytest.fixture(scope="module")
def matcher() -> ig.Matcher:
    return ig.Matcher([ig.NameComparison("name")], [ig.Block("city")], prior=0.3).fit(PEOPLE)


def test_cluster_sizes_chart_has_every_size() -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(
        pd.DataFrame({"email": ["a@x.io"] * 3 + ["b@x.io"] + [f"{i}@y.io" for i in range(9)]}),
        source="crm",
    )
    spec = cluster_sizes_chart(g.report()).to_dict()
    rows = _datasets(spec)
    assert {(r["size"], r["persons"]) for r in rows} == {(3, 1), (1, 10)}
    assert spec["encoding"]["y"]["scale"]["type"] == "symlog"


def test_match_weights_chart_carries_m_u_and_weight(matcher: ig.Matcher) -> None:
    spec = match_weights_chart(matcher).to_dict()
    rows = _datasets(spec)
    assert len(rows) == len(matcher.parameters)
    assert {"m_probability", "u_probability", "match_weight"} <= set(rows[0])
    assert spec["facet"]["row"]["field"] == "comparison"


def test_threshold_chart_counts_links() -> None:
    pairs = pd.DataFrame({"match_probability": [0.0, 0.2, 0.5, 0.5, 1.0]})
    rows = _datasets(threshold_chart(pairs, points=5).to_dict())
    assert [r["links"] for r in rows] == [5, 3, 3, 1, 1]
    with pytest.raises(ig.MissingColumnError):
        threshold_chart(pd.DataFrame({"p": [1.0]}))
    with pytest.raises(ig.ConfigError):
        threshold_chart(pairs, points=1)


def test_person_chart_colours_by_kind_with_masked_labels() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    g.add(
        pd.DataFrame(
            {"email": ["ann@mail.com", None, "ann@mail.com"], "cookie_id": ["c1", "c1", None]}
        ),
        source="web",
    )
    spec = person_chart(g.person(g.person_of("web", 0))).to_dict()
    text = json.dumps(spec)
    assert "ann@mail.com" not in text
    kinds = {r["kind"] for r in _datasets(spec) if "kind" in r}
    assert kinds == {"record", "email", "cookie"}
    point_layer = spec["layer"][1]
    assert point_layer["encoding"]["color"]["field"] == "kind"
    assert point_layer["encoding"]["color"]["title"] == "kind"


def test_saves_to_html(tmp_path, matcher: ig.Matcher) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "weights.html"
    match_weights_chart(matcher).save(str(path))
    assert "vega" in path.read_text(encoding="utf-8")
