"""Onboarding report: match rates against a plain pandas computation."""

from __future__ import annotations

import pandas as pd
import pytest

import identigraph as ig
from identigraph.activation import Persons, match_rates


def test_rates_and_distribution_match_pandas(demo_persons) -> None:
    pairs = [("crm", "web"), ("pos", "crm"), ("crm", "support")]
    report = match_rates(demo_persons, pairs, max_count=5)
    per = (
        demo_persons.clusters.groupby(["person_id", "source"], observed=True)
        .size()
        .unstack(fill_value=0)
    )
    for a, b in pairs:
        row = report.rates.query("source_a == @a and source_b == @b").iloc[0]
        in_a = per[a] > 0
        assert row["persons_a"] == int(in_a.sum())
        assert row["persons_a_with_b"] == int((in_a & (per[b] > 0)).sum())
        dist = report.distribution.query("source_a == @a and source_b == @b")
        expected = per.loc[in_a, b].clip(upper=5).value_counts()
        assert dist.set_index("b_records")["persons"].reindex(expected.index).tolist() == (
            expected.tolist()
        )
        assert dist["persons"].sum() == row["persons_a"]
        kinds = report.by_kind.query("source_a == @a and source_b == @b")
        assert (kinds["persons"] <= row["persons_a_with_b"]).all()
    crm_web = report.by_kind.query("source_a == 'crm' and source_b == 'web'")
    assert "email" in set(crm_web["kind"])


def test_kinds_and_indirect_links() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie"), ig.Phone("phone", region="US")])
    g.add(pd.DataFrame({"email": ["a@x.com", "b@x.com"], "phone": [None, "201 555 0123"]}),
          source="crm")  # fmt: skip
    g.add(pd.DataFrame({"email": [None, "a@x.com"], "cookie": ["c1", "c1"]}), source="web")
    g.add(pd.DataFrame({"phone": ["+1 201 555 0123"], "cookie": ["c9"]}), source="app")
    report = match_rates(Persons(g), [("crm", "web"), ("crm", "app")])
    assert report.rates["persons_a_with_b"].tolist() == [1, 1]
    kinds = report.by_kind.set_index(["source_b", "kind"])["persons"].to_dict()
    assert kinds == {("web", "email"): 1, ("app", "phone"): 1}


def test_indirect_counts_persons_linked_through_a_third_source() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie")])
    g.add(pd.DataFrame({"email": ["a@x.com"]}), source="crm")
    g.add(pd.DataFrame({"email": ["a@x.com"], "cookie": ["c1"]}), source="support")
    g.add(pd.DataFrame({"cookie": ["c1"]}), source="web")
    report = match_rates(Persons(g), [("crm", "web")])
    assert report.by_kind[["kind", "persons"]].to_dict("records") == [
        {"kind": "indirect", "persons": 1}
    ]


def test_chart_and_errors(demo_persons) -> None:
    report = match_rates(demo_persons, [("crm", "web")])
    pytest.importorskip("altair")
    spec = report.chart().to_dict()
    assert spec["mark"]["type"] == "bar"
    with pytest.raises(ig.ConfigError):
        match_rates(demo_persons, [("crm", "nope")])
    with pytest.raises(ig.ConfigError):
        match_rates(demo_persons, max_count=0)


def test_chart_without_altair(demo_persons, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "altair", None)
    with pytest.raises(ig.MissingDependencyError, match="charts"):
        match_rates(demo_persons, [("crm", "web")]).chart()
