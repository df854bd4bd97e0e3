"""IdentityGraph.report: sizes, largest persons, generic values, conflicts, rejects."""

from __future__ import annotations

import pandas as pd
import pytest

import identigraph as ig
from identigraph.graph.views.report import GraphReport
from tests.graph.test_explain import _graph


def test_report_contents() -> None:
    g = _graph()
    g.add(
        pd.DataFrame({"customer_id": ["C9", "C10"], "crm_id": ["Q", "n/a"],
                      "email": ["jane@mail.com", "test@test.com"]}),
        source="crm",
        id="customer_id",
    )  # fmt: skip
    r = g.report(top=2)
    assert isinstance(r, GraphReport)
    assert r.records == 12
    assert r.persons == g.n_persons
    assert r.sizes["size"].tolist() == sorted(r.sizes["size"].tolist())
    assert int((r.sizes["size"] * r.sizes["persons"]).sum()) == r.records
    assert r.max_size == 4
    assert list(r.largest.columns) == ["person_id", "records", "crm", "web", "pos"]
    assert r.largest["records"].tolist() == [4, 2]
    assert r.largest.iloc[0][["crm", "web", "pos"]].tolist() == [1, 2, 1]
    assert r.generic_values["records"].tolist() == [4]
    assert r.conflicts["limit"].tolist() == ["crm_id"]
    assert r.rejects.to_dict("records") == [
        {"column": "crm_id", "reason": "junk_value", "records": 1},
        {"column": "email", "reason": "junk_value", "records": 1},
    ]
    text = str(r)
    assert "12 records" in text
    assert "largest person 4 records" in text
    assert "cookie: 1 values, up to 4 records" in text
    assert "limit crm_id, email links: 1" in text
    assert "jane" not in text
    assert "john" not in text.lower()
    assert repr(r).startswith("GraphReport(records=12")
    assert "<h4>Largest persons</h4>" in r._repr_html_()


def test_report_of_empty_graph() -> None:
    r = ig.IdentityGraph([ig.Email("email")]).report()
    assert r.records == 0
    assert r.persons == 0
    assert r.max_size == 0
    assert r.conflicts.empty
    assert "0 records, 0 persons" in str(r)


def test_report_rejects_bad_top() -> None:
    with pytest.raises(ig.ConfigError):
        _graph().report(top=-1)
