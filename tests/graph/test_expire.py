"""Expiry: anonymous identifier values last seen before a cutoff are forgotten."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig

SPECS = [ig.Email("email"), ig.Cookie("cookie_id"), ig.Cookie("device_id", kind="device")]
NOW = pd.Timestamp("2025-01-01")


def _graph(seen: list[str | None], cookies: list[str | None]) -> ig.IdentityGraph:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"rid": ["a"], "email": ["ann@mail.com"]}), source="crm", id="rid")
    web = pd.DataFrame(
        {
            "rid": [f"w{i}" for i in range(len(seen))],
            "email": ["ann@mail.com"] + [None] * (len(seen) - 1),
            "cookie_id": cookies,
            "seen_at": pd.to_datetime(seen),
        }
    )
    g.add(web, source="web", id="rid")
    g.resolve()
    return g


def test_old_cookie_expires_and_splits_the_person() -> None:
    g = _graph(["2024-01-01", "2024-02-01"], ["c1", "c1"])
    ann = g.person_of("crm", "a")
    changes = g.expire("90D", time_column="seen_at", now=NOW)
    assert len(changes.splits) == 1
    assert changes.records_removed == 0
    assert g.person_of("web", "w0") == ann
    assert g.person_of("web", "w1") != ann
    assert len(g) == 3  # the records stay
    assert g.lookup(cookie_id="c1") is None
    assert g.lookup_all(cookie_id="c1")["status"].tolist() == ["unknown"]
    # the cells the expired value came from are emptied
    assert g.records()["cookie_id"].isna().all()


def test_recent_use_keeps_the_value() -> None:
    g = _graph(["2024-01-01", "2024-12-01"], ["c1", "c1"])
    before = g.clusters()
    changes = g.expire("90D", time_column="seen_at", now=NOW)
    assert changes.is_empty
    assert g.clusters().equals(before)
    assert g.lookup(cookie_id="c1") == g.person_of("crm", "a")


def test_carrier_without_time_keeps_the_value() -> None:
    g = _graph(["2024-01-01", None], ["c1", "c1"])
    assert g.expire("90D", time_column="seen_at", now=NOW).is_empty
    assert g.lookup(cookie_id="c1") is not None


def test_only_the_given_kinds_expire() -> None:
    g = ig.IdentityGraph(SPECS)
    web = pd.DataFrame(
        {
            "rid": ["w0", "w1"],
            "cookie_id": ["c1", "c1"],
            "device_id": ["d1", "d1"],
            "seen_at": pd.to_datetime(["2020-01-01", "2020-01-02"]),
        }
    )
    g.add(web, source="web", id="rid")
    g.resolve()
    g.expire("90D", time_column="seen_at", now=NOW)  # cookies only
    assert g.n_persons == 1
    assert g.lookup(device_id="d1") is not None
    assert g.lookup(cookie_id="c1") is None
    g.expire("90D", time_column="seen_at", kinds=["device"], now=NOW)
    assert g.n_persons == 2


def test_timezones_and_offsets() -> None:
    g = _graph(["2024-10-01T23:00:00+02:00", "2024-10-01T23:00:00+02:00"], ["c1", "c1"])
    now = pd.Timestamp("2025-01-01T00:00:00", tz="Europe/Berlin")
    assert g.expire("3MS", time_column="seen_at", now=now).is_empty  # cutoff 2024-10-01
    assert not g.expire(pd.Timedelta(days=30), time_column="seen_at", now=now).is_empty


def test_re_added_value_links_again() -> None:
    g = _graph(["2024-01-01", "2024-02-01"], ["c1", "c1"])
    g.expire("90D", time_column="seen_at", now=NOW)
    web = pd.DataFrame({"rid": ["w9"], "cookie_id": ["c1"], "seen_at": [NOW]})
    g.add(web, source="web", id="rid")
    assert g.lookup(cookie_id="c1") == g.person_of("web", "w9")


def test_bad_arguments_raise_typed_errors() -> None:
    g = _graph(["2024-01-01"], ["c1"])
    with pytest.raises(ig.ConfigError):
        g.expire("soon", time_column="seen_at")
    with pytest.raises(ig.ConfigError):
        g.expire("-5D", time_column="seen_at")
    with pytest.raises(ig.ConfigError):
        g.expire("90D", time_column="seen_at", kinds=["shoe_size"])
    with pytest.raises(ig.MissingColumnError):
        g.expire("90D", time_column="updated")


days = st.integers(0, 400)
rows = st.lists(
    st.tuples(st.sampled_from(["c1", "c2", "c3", None]), st.one_of(st.none(), days)),
    min_size=1,
    max_size=12,
)


@given(rows, st.integers(1, 300))
def test_expiry_equals_rebuild_of_what_remains(web_rows, age) -> None:  # type: ignore[no-untyped-def]
    g = ig.IdentityGraph(SPECS)
    seen = [None if d is None else NOW - pd.Timedelta(days=d) for _, d in web_rows]
    web = pd.DataFrame(
        {
            "rid": [f"w{i}" for i in range(len(web_rows))],
            "email": ["ann@mail.com" if i % 3 == 0 else None for i in range(len(web_rows))],
            "cookie_id": [c for c, _ in web_rows],
            "seen_at": pd.to_datetime(pd.Series(seen, dtype=object)),
        }
    )
    g.add(web, source="web", id="rid")
    g.resolve()
    g.expire(f"{age}D", time_column="seen_at", now=NOW)
    # expired values are gone from the kept cells, so a rebuild sees what remains
    fresh = ig.IdentityGraph(SPECS)
    fresh.add(g.records().drop(columns="source"), source="web", id="record_id")
    left = g.clusters().groupby("person_id")["record_id"].apply(frozenset)
    right = fresh.clusters().groupby("person_id")["record_id"].apply(frozenset)
    assert set(left) == set(right)
    assert g.n_persons == fresh.n_persons
