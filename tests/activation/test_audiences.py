"""Audiences: conditions, person-level exclusion, explain, overlap, priority, real time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identigraph as ig
from identigraph.activation import (
    AllOf,
    AnyOf,
    Audience,
    AudienceIndex,
    Consent,
    Field,
    HasFact,
    InSource,
    Not,
    Persons,
    overlap,
    priority,
)
from tests.strategies import activation_worlds

NOW = pd.Timestamp("2024-03-01")


def _world(world: dict[str, object], *, shuffle: int | None = None, text_ids: bool = False):
    clusters = pd.DataFrame(
        {"source": world["sources"], "record_id": pd.Series(world["ids"], dtype=object),
         "person_id": world["persons"]}
    )  # fmt: skip
    rows = world["facts"]
    facts = pd.DataFrame(rows, columns=["source", "record_id", "day", "status"])
    facts["at"] = NOW - pd.to_timedelta(facts["day"], unit="D")
    if text_ids:
        facts["record_id"] = facts["record_id"].astype(str)
    if shuffle is not None:
        rng = np.random.default_rng(shuffle)
        clusters = clusters.iloc[rng.permutation(len(clusters))].reset_index(drop=True)
        facts = facts.iloc[rng.permutation(len(facts))].reset_index(drop=True)
    persons = Persons.from_clusters(clusters)
    parts = [
        persons.facts(facts[facts["source"] == s], source=s, id="record_id") for s in ("crm", "pos")
    ]
    return persons, pd.concat(parts, ignore_index=True)


_INCLUDES = st.sampled_from(
    [
        InSource(source="crm"),
        InSource(source="crm") | HasFact(table="tickets", time="at", within="10D"),
        InSource(source="pos") & ~HasFact(table="tickets", where={"status": "closed"}),
        HasFact(table="tickets", min_count=2),
    ]
)
_EXCLUDES = st.lists(
    st.sampled_from(
        [
            HasFact(table="tickets", where={"status": "open"}),
            HasFact(table="tickets", time="at", within="7D"),
            InSource(source="pos"),
        ]
    ),
    max_size=2,
)


@settings(max_examples=30)
@given(activation_worlds(), _INCLUDES, _EXCLUDES)
def test_an_excluded_person_never_appears(world, include, excludes) -> None:
    persons, facts = _world(world)
    audience = Audience(name="a", include=include, exclude=excludes)
    result = audience.build(persons, facts={"tickets": facts}, now=NOW)
    # independent reference: persons any of whose rows meet an exclusion
    out: set[int] = set()
    for cond in excludes:
        if isinstance(cond, InSource):
            c = persons.clusters
            out |= set(c.loc[c["source"] == cond.source, "person_id"])
        elif cond.where:
            out |= set(facts.loc[facts["status"] == "open", "person_id"].dropna())
        else:
            out |= set(facts.loc[facts["day"] <= 7, "person_id"].dropna())
    assert not out & set(result.person_ids.tolist())
    explained = result.explain().set_index("person_id")
    assert explained.loc[sorted(out), "member"].eq(False).all()
    assert explained["excluded_by"].notna().sum() == len(out)


@settings(max_examples=30)
@given(activation_worlds(), _INCLUDES, _EXCLUDES, st.integers(0, 10**6))
def test_membership_is_invariant_under_row_order_and_id_type(
    world, include, excludes, seed
) -> None:
    audience = Audience(name="a", include=include, exclude=excludes)
    persons, facts = _world(world)
    plain = audience.build(persons, facts={"tickets": facts}, now=NOW)
    persons, facts = _world(world, shuffle=seed, text_ids=True)
    moved = audience.build(persons, facts={"tickets": facts}, now=NOW)
    assert plain.person_ids.tolist() == moved.person_ids.tolist()


@settings(max_examples=30)
@given(activation_worlds(), _INCLUDES, _EXCLUDES)
def test_real_time_check_agrees_with_build(world, include, excludes) -> None:
    persons, facts = _world(world)
    audience = Audience(name="a", include=include, exclude=excludes)
    result = audience.build(persons, facts={"tickets": facts}, now=NOW)
    index = AudienceIndex(persons, [audience], facts={"tickets": facts})
    for pid in persons.person_ids:
        assert index.check("a", int(pid), now=NOW).member == (int(pid) in result)


def _reference(cond, persons: Persons, facts: pd.DataFrame) -> set[int]:
    """Persons for whom ``cond`` holds, row by row in Python: the independent reference."""
    everyone = {int(p) for p in persons.person_ids}
    if isinstance(cond, AllOf):
        return set.intersection(*(_reference(c, persons, facts) for c in cond.parts))
    if isinstance(cond, AnyOf):
        return set.union(*(_reference(c, persons, facts) for c in cond.parts))
    if isinstance(cond, Not):
        return everyone - _reference(cond.part, persons, facts)
    if isinstance(cond, InSource):
        rows = zip(persons.clusters["source"], persons.clusters["person_id"], strict=True)
        return {int(p) for s, p in rows if s == cond.source}
    counts: dict[int, int] = {}
    for pid, status, at in zip(facts["person_id"], facts["status"], facts["at"], strict=True):
        if pd.isna(pid) or any(status != v for v in cond.where.values()):
            continue
        if cond.within is not None and not NOW - cond.within <= at <= NOW:
            continue
        counts[int(pid)] = counts.get(int(pid), 0) + 1
    return {p for p, n in counts.items() if n >= cond.min_count}


_LEAVES = st.sampled_from(
    [
        InSource(source="crm"),
        InSource(source="pos"),
        HasFact(table="tickets", where={"status": "open"}),
        HasFact(table="tickets", time="at", within="7D"),
        HasFact(table="tickets", time="at", within="20D", min_count=2),
        HasFact(table="tickets", min_count=2),
        HasFact(table="tickets", where={"status": "closed"}, min_count=3),
    ]
)
_CONDITIONS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda a, b: a & b, inner, inner),
        st.builds(lambda a, b: a | b, inner, inner),
        st.builds(lambda a: ~a, inner),
    ),
    max_leaves=4,
)


@st.composite
def _dense_worlds(draw: st.DrawFn) -> dict[str, object]:
    """As ``activation_worlds``, one or two persons with a few fact rows: counts near min_count."""
    n = draw(st.integers(1, 2))
    owners = draw(
        st.lists(
            st.tuples(st.sampled_from(["crm", "pos"]), st.integers(0, n - 1)),
            min_size=1,
            max_size=5,
        )
    )
    sources = [s for s, _ in owners]
    ids: list[object] = [f"C{i}" if s == "crm" else 100 + i for i, s in enumerate(sources)]
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(owners) - 1),
                st.integers(0, 25),
                st.sampled_from(["open", "closed"]),
            ),
            min_size=2,
            max_size=6,
        )
    )
    return {
        "sources": sources,
        "ids": ids,
        "persons": [1000 + 7 * p for _, p in owners],
        "facts": [(sources[r], ids[r], day, status) for r, day, status in rows],
    }


@settings(max_examples=40)
@given(
    st.one_of(activation_worlds(), _dense_worlds()),
    _CONDITIONS,
    st.lists(_CONDITIONS, max_size=2),
)
def test_membership_equals_a_row_by_row_reference(world, include, excludes) -> None:
    persons, facts = _world(world)
    result = Audience(name="a", include=include, exclude=excludes).build(
        persons, facts={"tickets": facts}, now=NOW
    )
    expected = _reference(include, persons, facts)
    for cond in excludes:
        expected -= _reference(cond, persons, facts)
    assert result.person_ids.tolist() == sorted(expected)


def test_window_bounds_and_min_count() -> None:
    clusters = pd.DataFrame({"source": ["crm"] * 3, "record_id": [1, 2, 3], "person_id": [1, 2, 3]})
    persons = Persons.from_clusters(clusters)
    visits = pd.DataFrame(
        {"person_id": pd.array([1, 2, 2, 3, 3], dtype="Int64"),
         "at": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-02",
                               "2024-02-20", "2024-02-21"])}
    )  # fmt: skip
    within = HasFact(table="web", time="at", within="30D")
    got = Audience(name="w", include=within).build(persons, facts={"web": visits}, now=NOW)
    assert got.person_ids.tolist() == [1, 2, 3]  # 30 days back is inside; the future is not
    twice = HasFact(table="web", time="at", within="29D", min_count=2)
    got = Audience(name="t", include=twice).build(persons, facts={"web": visits}, now=NOW)
    assert got.person_ids.tolist() == [3]


def test_demo_audience_with_suppression(demo, demo_persons) -> None:
    _, sources = demo
    orders = demo_persons.facts(sources["pos"], source="pos", id="transaction_id")
    now = pd.Timestamp("2023-06-30")
    audience = Audience(
        name="crm, web 30d, no open ticket or purchase 7d",
        include=InSource(source="crm") & HasFact(table="web", time="seen_at", within="30D"),
        exclude=[
            HasFact(table="support", where={"status": "open"}, label="open ticket"),
            HasFact(table="orders", time="purchased_at", within="7D", label="recent purchase"),
        ],
    )
    result = audience.build(demo_persons, facts={"orders": orders}, now=now)
    explained = result.explain()
    assert result.size == int(explained["member"].sum()) > 0
    assert set(explained["excluded_by"].dropna()) <= {"open ticket", "recent purchase"}
    tickets = demo_persons.records_of("support")
    open_ids = set(tickets.loc[tickets["status"] == "open", "person_id"])
    assert not open_ids & set(result.person_ids.tolist())
    # consent: opted-out persons are dropped and counted
    consent = Consent(opt_out={"crm": "email_opt_out"})
    with_consent = audience.build(demo_persons, facts={"orders": orders}, now=now, consent=consent)
    assert with_consent.size + with_consent.left_out_consent == result.size
    assert with_consent.left_out_consent > 0
    overridden = audience.build(
        demo_persons, facts={"orders": orders}, now=now, consent=consent, override_consent=True
    )
    assert overridden.person_ids.tolist() == result.person_ids.tolist()


def test_golden_fields(demo, demo_persons) -> None:
    graph, _ = demo
    golden = graph.golden({"city": ig.MostFrequent()}, default=None, provenance="none")
    city = golden["city"].dropna().iloc[0]
    audience = Audience(name="c", include=Field(column="city", op="==", value=city))
    result = audience.build(demo_persons, golden=golden)
    assert result.person_ids.tolist() == sorted(golden.loc[golden["city"] == city, "person_id"])
    with pytest.raises(ig.ConfigError):
        audience.build(demo_persons)


def test_real_time_check_by_identifier_and_new_purchase() -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"id": ["A"], "email": ["ann@x.com"]}), source="crm", id="id")
    g.add(pd.DataFrame({"id": [1], "email": ["ann@x.com"], "at": [pd.Timestamp("2024-01-01")]}),
          source="pos", id="id")  # fmt: skip
    persons = Persons(g)
    recent = HasFact(table="pos", time="at", within="7D", label="recent purchase")
    audience = Audience(name="a", include=InSource(source="crm"), exclude=recent)
    index = AudienceIndex(persons, [audience])
    assert index.check("a", email=" ANN@x.com", now=NOW).member
    assert index.check("a", email="nobody@x.com", now=NOW).reason == "unknown person"
    pid = g.resolve_one({"id": 2, "email": "ann@x.com", "at": NOW}, source="pos", id="id")
    index.add_facts("pos", pd.DataFrame({"person_id": [pid], "at": [NOW]}))
    check = index.check("a", email="ann@x.com", now=NOW)
    assert (check.member, check.reason) == (False, "excluded by recent purchase")
    with pytest.raises(ig.ConfigError):
        index.check("nope", pid)
    with pytest.raises(ig.UnknownPersonError):
        index.check("a", 12345)


@given(st.lists(st.lists(st.integers(0, 30), unique=True), min_size=1, max_size=4))
def test_overlap_and_priority(lists) -> None:
    from identigraph.activation import AudienceResult

    results = [
        AudienceResult(f"a{i}", np.array(sorted(ids), dtype=np.int64), 0, pd.DataFrame())
        for i, ids in enumerate(lists)
    ]
    table = overlap(results)
    for i, a in enumerate(lists):
        for j, b in enumerate(lists):
            assert table.iloc[i, j] == len(set(a) & set(b))
    chosen = priority(results)
    assert chosen["person_id"].is_unique
    assert set(chosen["person_id"]) == set().union(*map(set, lists))
    for pid, name in zip(chosen["person_id"], chosen["audience"], strict=True):
        first = next(i for i, ids in enumerate(lists) if pid in ids)
        assert name == f"a{first}"


@pytest.mark.parametrize(
    "make",
    [
        lambda: HasFact(table="t", within="7D"),
        lambda: HasFact(table="t", time="at", within="soon"),
        lambda: HasFact(table="t", time="at", within="-1D"),
        lambda: HasFact(table="t", min_count=0),
        lambda: Field(column="x", op="~"),
        lambda: Field(column="x", op="in", value=3),
        lambda: Audience(name="", include=InSource(source="crm")),
        lambda: Audience(name="a", include="crm"),
        lambda: InSource(source=""),
    ],
)
def test_invalid_specs_raise_config_errors(make) -> None:
    with pytest.raises(ig.ConfigError):
        make()


def test_unknown_table_and_facts_without_person_id() -> None:
    persons = Persons.from_clusters(
        pd.DataFrame({"source": ["crm"], "record_id": [1], "person_id": [1]})
    )
    with pytest.raises(ig.ConfigError):
        Audience(name="a", include=HasFact(table="nope")).build(persons)
    with pytest.raises(ig.MissingColumnError):
        Audience(name="a", include=HasFact(table="t")).build(
            persons, facts={"t": pd.DataFrame({"x": [1]})}
        )


def test_names_compose() -> None:
    cond = (InSource(source="crm") & HasFact(table="web")) | ~InSource(source="pos")
    assert cond.name == "((in crm and web) or not in pos)"
    assert len(cond.leaves()) == 3
