"""The lifecycle of a graph: a staged bulk load, then every step resolved at once."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import identigraph as ig
from identigraph.graph.state.lifecycle import Lifecycle

SPECS = [ig.Email("email"), ig.Cookie("cookie_id")]


def _web() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "email": ["ann@mail.com", "ann@mail.com", None],
            "cookie_id": [None, "c-123", "c-123"],
            "seen_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-12-01"]),
        }
    )


def test_first_add_is_staged_and_resolve_reports_the_load() -> None:
    g = ig.IdentityGraph(SPECS)
    changes = g.add(_web(), source="web")
    assert changes.staged
    assert changes.records_added == 3
    assert "staged" in repr(changes)
    assert "persons=staged" in repr(g)
    resolved = g.resolve()
    assert not resolved.staged
    assert resolved.records_added == 3
    assert len(resolved.new_persons) == 1 == g.n_persons
    assert "persons=1" in repr(g)
    assert g.resolve().is_empty  # once resolved, a no-op


def test_staged_link_says_so_and_counts_in_the_load() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"email": ["a@mail.com", "b@mail.com"]}), source="crm")
    pairs = pd.DataFrame(
        {"source_l": ["crm"], "record_id_l": [0], "source_r": ["crm"], "record_id_r": [1],
         "match_probability": [0.99]}
    )  # fmt: skip
    assert g.link(pairs).staged
    assert len(g.resolve().new_persons) == 1


def test_expire_as_first_call_after_a_bulk_add_reports_the_split() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(_web(), source="web")
    changes = g.expire("90D", time_column="seen_at", kinds=["cookie"], now="2025-06-01")
    assert not changes.staged
    assert len(changes.splits) == 1
    assert g.n_persons == 2


def test_remove_as_first_call_after_a_bulk_add_reports_the_split() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(_web(), source="web")
    changes = g.remove(records=[("web", 1)])
    assert changes.records_removed == 1
    assert len(changes.splits) == 1
    assert g.n_persons == 2


def test_lifecycle_moves_staged_resolved_live() -> None:
    g = ig.IdentityGraph(SPECS)
    assert g.lifecycle is Lifecycle.STAGED
    g.add(_web(), source="web")
    g.clusters()
    assert g.lifecycle is Lifecycle.RESOLVED
    g.lookup(email="ann@mail.com")
    assert g.lifecycle is Lifecycle.LIVE
    changes = g.add(pd.DataFrame({"email": ["bob@mail.com"]}, index=[9]), source="web")
    assert not changes.staged
    assert len(changes.new_persons) == 1


def test_a_spec_no_source_carries_warns_once_naming_it() -> None:
    g = ig.IdentityGraph([*SPECS, ig.Key("crm_id")])
    g.add(_web(), source="web")
    with pytest.warns(ig.SpecWarning, match=r"Key\('crm_id'\)") as caught:
        g.resolve()
    assert len([w for w in caught if issubclass(w.category, ig.SpecWarning)]) == 1
    assert "ann" not in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ig.SpecWarning)
        g.add(_web().set_index(pd.Index([7, 8, 9])), source="web")  # once only


def test_phone_without_region_mostly_failing_warns_once() -> None:
    g = ig.IdentityGraph([ig.Phone("phone")])
    local = pd.DataFrame({"phone": [f"201 555 01{i:02d}" for i in range(12)]})
    with pytest.warns(ig.SpecWarning, match=r"Phone\('phone'\).*region") as caught:
        g.add(local, source="pos")
    assert "201" not in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ig.SpecWarning)
        g.add(local.set_index(pd.Index(range(20, 32))), source="pos")
    ok = ig.IdentityGraph([ig.Phone("phone", region="US")])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ig.SpecWarning)
        ok.add(local, source="pos")


def test_record_ids_keep_one_type_per_source() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"email": ["a@mail.com"]}, index=[1]), source="crm")
    with pytest.raises(ig.DtypeError, match="integer record ids"):
        g.add(pd.DataFrame({"email": ["b@mail.com"]}, index=["1"]), source="crm")
    with pytest.raises(ig.DtypeError, match="not one scalar type"):
        g.add(pd.DataFrame({"email": ["b@mail.com"] * 2}, index=pd.Index([2, "x"])), source="web")
    g.add(pd.DataFrame({"email": ["c@mail.com"]}, index=["w1"]), source="web")  # own type
    assert len(g) == 2
    with pytest.raises(ig.DtypeError):
        g.resolve_one({"id": "1", "email": "d@mail.com"}, source="crm", id="id")
    assert len(g) == 2
