"""IdentityGraph.explain: evidence chains between records, and why records are apart."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.graph.core.mask import mask_value
from identigraph.graph.views.explain import HOP_COLUMNS, Explanation
from tests.graph.test_guards import _build_bulk, _UnionFind
from tests.strategies import GUARD_KINDS, limited_graphs


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph(
        [
            ig.Key("crm_id", max_per_person=1),
            ig.Email("email"),
            ig.Phone("phone", region="US"),
            ig.Cookie("cookie_id", max_records=3),
        ]
    )
    crm = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "crm_id": ["A", "B", "Z"],
            "email": ["John.Doe@gmail.com", "jane@mail.com", "zed@zmail.com"],
            "phone": ["201-555-0123", None, None],
        }
    )
    web = pd.DataFrame(
        {
            "event_id": [1, 2, 3, 4, 5, 6],
            "email": [" JOHN.DOE@gmail.com", "jane@mail.com", None, None, None, None],
            "cookie_id": ["c1", "kiosk", "kiosk", "kiosk", "kiosk", "c1"],
        }
    )
    pos = pd.DataFrame({"transaction_id": [10], "phone": ["(201) 555-0123"]})
    g.add(crm, source="crm", id="customer_id")
    g.add(web, source="web", id="event_id")
    g.add(pos, source="pos", id="transaction_id")
    return g


def test_linked_path_shows_masked_evidence() -> None:
    g = _graph()
    e = g.explain(("pos", 10), ("web", 6))
    assert isinstance(e, Explanation)
    assert e.linked
    assert e.reason == "linked"
    assert list(e.path.columns) == HOP_COLUMNS
    hops = e.path[["from_source", "from_record_id", "to_source", "to_record_id", "evidence"]]
    assert hops.values.tolist() == [
        ["pos", 10, "crm", "C1", "phone"],
        ["crm", "C1", "web", 1, "email"],
        ["web", 1, "web", 6, "cookie"],
    ]
    assert e.path["value"].tolist() == ["+1 2***", "j***@g***.com", "c***"]
    assert set(e.path["status"]) == {"link"}
    text = str(e)
    assert "pos:10 and web:6: linked" in text
    assert "john" not in text.lower()
    assert "555" not in text
    assert repr(e) == "Explanation(linked=True, reason='linked', hops=3)"


def test_same_record() -> None:
    e = _graph().explain(("web", 1), ("web", 1))
    assert e.linked
    assert e.reason == "same_record"
    assert e.path.empty


def test_generic_value_reason() -> None:
    e = _graph().explain(("web", 3), ("web", 4))
    assert not e.linked
    assert e.reason == "generic_value"
    assert e.path[["evidence", "status"]].values.tolist() == [["cookie", "generic"]]


def test_limit_cut_reason() -> None:
    g = _graph()
    g.add(
        pd.DataFrame({"customer_id": ["C9"], "crm_id": ["Q"], "email": ["jane@mail.com"]}),
        source="crm",
        id="customer_id",
    )
    e = g.explain(("crm", "C2"), ("crm", "C9"))
    assert not e.linked
    assert e.reason == "limit_cut"
    assert "cut" in set(e.path["status"])
    assert "a per-person limit cut the link" in str(e)


def test_no_shared_evidence() -> None:
    e = _graph().explain(("crm", "C3"), ("web", 2))
    assert not e.linked
    assert e.reason == "no_shared_evidence"
    assert e.path.empty
    assert list(e.path.columns) == HOP_COLUMNS


def test_match_hop_shows_probability_weight_and_levels() -> None:
    g = _graph()
    pairs = pd.DataFrame(
        {
            "source_l": ["crm"],
            "record_id_l": ["C3"],
            "source_r": ["web"],
            "record_id_r": [3],
            "match_probability": [0.97],
            "match_weight": [5.25],
            "first_name_level": [3],
            "dob_level": [2],
        }
    )
    g.link(pairs, threshold=0.9)
    e = g.explain(("crm", "C3"), ("web", 3))
    assert e.linked
    hop = e.path.iloc[0]
    assert hop["evidence"] == "match"
    assert hop["match_probability"] == pytest.approx(0.97)
    assert hop["match_weight"] == pytest.approx(5.25)
    assert hop["levels"] == "first_name=3, dob=2"
    assert "match p=0.970 weight=5.25 [first_name=3, dob=2]" in str(e)


def test_unknown_and_malformed_keys() -> None:
    g = _graph()
    with pytest.raises(ig.UnknownRecordError):
        g.explain(("crm", "nope"), ("web", 1))
    with pytest.raises(ig.InputError):
        g.explain("crm", ("web", 1))  # type: ignore[arg-type]


@given(limited_graphs(max_records=16), st.data())
def test_every_hop_is_real_evidence(data: dict[str, Any], pick: st.DataObject) -> None:
    g = _build_bulk(data)
    rows = data["rows"]
    by_id = {r[0]: r for r in rows}
    matched = {frozenset((rows[i][0], rows[j][0])) for i, j, _ in data["matches"]}
    person = dict(zip(g.clusters()["record_id"], g.clusters()["person_id"], strict=True))
    # any shared value or match, generic or cut, connects records for the reference
    uf = _UnionFind()
    for row in rows:
        uf.find(("r", row[0]))
        for k, kind in enumerate(GUARD_KINDS):
            if row[1 + k] is not None:
                uf.union(("r", row[0]), ("v", kind, row[1 + k]))
    for pair in matched:
        a, b = sorted(pair)
        uf.union(("r", a), ("r", b))

    for _ in range(4):
        a = pick.draw(st.sampled_from(rows))[0]
        b = pick.draw(st.sampled_from(rows))[0]
        e = g.explain(("s", a), ("s", b))
        assert e.linked == (person[a] == person[b])
        if a == b:
            assert e.reason == "same_record"
            continue
        connected = uf.find(("r", a)) == uf.find(("r", b))
        assert (e.reason == "no_shared_evidence") == (not connected)
        if not connected:
            assert e.path.empty
            continue
        path = e.path
        assert path["from_record_id"].iloc[0] == a
        assert path["to_record_id"].iloc[-1] == b
        assert path["from_record_id"].iloc[1:].tolist() == path["to_record_id"].iloc[:-1].tolist()
        for hop in path.to_dict("records"):
            x, y = by_id[hop["from_record_id"]], by_id[hop["to_record_id"]]
            if hop["evidence"] == "match":
                assert frozenset((x[0], y[0])) in matched
            else:
                k = 1 + GUARD_KINDS.index(hop["evidence"])
                assert x[k] is not None
                assert x[k] == y[k]
                style = "email" if hop["evidence"] == "email" else "text"
                assert hop["value"] == mask_value(x[k], style)
        if e.linked:
            assert set(path["status"]) == {"link"}
        else:
            statuses = set(path["status"])
            assert statuses & {"generic", "cut"}
            assert e.reason == ("limit_cut" if "cut" in statuses else "generic_value")
