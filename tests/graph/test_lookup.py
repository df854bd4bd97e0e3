"""Real-time look-ups by raw identifier values, and single-record resolution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig

SPECS = [
    ig.Email("email"),
    ig.Phone("phone", region="US"),
    ig.Cookie("cookie_id", max_records=2),
    ig.Key("crm_no", kind="crm_id"),
]


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph(SPECS)
    crm = pd.DataFrame(
        {
            "rid": ["a", "b"],
            "email": ["ann@mail.com", "bob@mail.com"],
            "phone": ["(201) 555-0123", "212 555 0199"],
            "crm_no": ["K1", "K2"],
        }
    )
    web = pd.DataFrame({"rid": ["w1", "w2", "w3"], "cookie_id": ["shared", "shared", "shared"]})
    g.add(crm, source="crm", id="rid")
    g.add(web, source="web", id="rid")
    return g


def test_lookup_normalizes_like_add() -> None:
    g = _graph()
    ann = g.person_of("crm", "a")
    assert g.lookup(email="  Ann@MAIL.com ") == ann
    assert g.lookup(phone="+1 201-555-0123") == ann
    assert g.lookup(phone=2015550123) == ann
    assert g.lookup(crm_no="K1") == ann  # by column
    assert g.lookup(crm_id="K1") == ann  # by kind
    assert g.lookup({"crm_no": " K1 "}) == ann


def test_unknown_generic_rejected_and_missing_give_none() -> None:
    g = _graph()
    assert g.lookup(email="zed@mail.com") is None
    assert g.lookup(cookie_id="shared") is None  # three carriers > max_records 2
    assert g.lookup(email="not-an-email") is None
    assert g.lookup(email=None) is None
    assert g.lookup(email="") is None
    statuses = g.lookup_all(email="zed@mail.com", cookie_id="shared", phone="123", crm_id=None)
    assert statuses["status"].tolist() == ["unknown", "generic", "invalid_phone", "missing"]
    assert statuses["person_id"].isna().all()
    assert list(statuses.columns) == ["keyword", "kind", "person_id", "status"]


def test_conflict_returns_highest_priority_kind() -> None:
    g = _graph()
    ann, bob = g.person_of("crm", "a"), g.person_of("crm", "b")
    assert g.lookup(email="bob@mail.com", crm_no="K1") == ann  # key (40) beats email (30)
    assert g.lookup(phone="212 555 0199", email="ann@mail.com") == ann  # email beats phone
    assert g.lookup(email="zed@mail.com", phone="212 555 0199") == bob
    every = g.lookup_all(email="bob@mail.com", crm_no="K1")
    assert every["person_id"].tolist() == [bob, ann]


def test_bad_keywords_raise() -> None:
    g = _graph()
    with pytest.raises(ig.InputError, match="shoe"):
        g.lookup(shoe="42")
    with pytest.raises(ig.InputError):
        g.lookup()
    with pytest.raises(ig.InputError):
        g.lookup(email=["a@b.com", "c@d.com"])


def test_lookup_follows_updates() -> None:
    g = _graph()
    ann = g.person_of("crm", "a")
    g.add(pd.DataFrame({"rid": ["w9"], "email": ["ann@mail.com"], "cookie_id": ["ck9"]}),
          source="web", id="rid")  # fmt: skip
    assert g.lookup(cookie_id="ck9") == ann
    g.remove(records=[("crm", "a"), ("web", "w9")])
    assert g.lookup(email="ann@mail.com") is None
    assert g.lookup(cookie_id="ck9") is None


def test_lookup_does_not_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    g = _graph()
    g.resolve()

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("lookup must not scan the link arrays")

    monkeypatch.setattr(np, "isin", no_scan)
    assert g.lookup(email="ann@mail.com") == g.person_of("crm", "a")


emails = st.sampled_from(["ann@mail.com", "bob@mail.com", "cy@web.de", None])
cookies = st.sampled_from(["c1", "c2", "c3", None])


@given(st.lists(st.tuples(emails, cookies), min_size=1, max_size=15))
def test_lookup_of_each_value_finds_its_record(rows) -> None:  # type: ignore[no-untyped-def]
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    frame = pd.DataFrame(rows, columns=["email", "cookie_id"], dtype=object)
    g.add(frame, source="s")
    for i, (email, cookie) in enumerate(rows):
        person = g.person_of("s", i)
        if email is not None:
            assert g.lookup(email=email.upper()) == person
        if cookie is not None:
            assert g.lookup(cookie_id=cookie) == person


def test_resolve_one_adds_and_returns_the_person() -> None:
    g = _graph()
    ann = g.person_of("crm", "a")
    pid = g.resolve_one(
        {"event_id": 7, "email": "ANN@mail.com", "cookie_id": "fresh"}, source="app", id="event_id"
    )
    assert pid == ann == g.person_of("app", 7)
    assert g.lookup(cookie_id="fresh") == ann
    lone = g.resolve_one({"event_id": 8, "cookie_id": "other"}, source="app", id="event_id")
    assert lone not in (ann, g.person_of("crm", "b"))
    with pytest.raises(ig.DuplicateRecordError):
        g.resolve_one({"event_id": 8, "cookie_id": "x"}, source="app", id="event_id")


def test_consecutive_single_records_share_a_batch() -> None:
    g = _graph()
    before = len(g.state.records.batches)
    for i in range(20):
        email = None if i % 2 else f"u{i}@mail.com"
        g.resolve_one({"event_id": i, "email": email, "page": "/"}, source="app", id="event_id")
    assert len(g.state.records.batches) == before + 1
    records = g.records()
    assert len(records[records["source"] == "app"]) == 20
    assert g.person_of("app", 4) == g.lookup(email="u4@mail.com")


def test_resolve_one_equals_add_of_a_frame() -> None:
    rows = [{"rid": f"r{i}", "email": e} for i, e in enumerate(
        ["ann@mail.com", "bob@mail.com", "ANN@mail.com", None])]  # fmt: skip
    one, frame = ig.IdentityGraph(SPECS), ig.IdentityGraph(SPECS)
    for r in rows:
        one.resolve_one(r, source="s", id="rid")
    frame.add(pd.DataFrame(rows), source="s", id="rid")
    assert one.clusters().equals(frame.clusters())
