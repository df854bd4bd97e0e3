"""Incremental updates equal a batch rebuild, and person ids follow the stability rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.graph.state.indexes import records_of_persons, region_matches
from tests.partitions import partition as _partition

# Small vocabularies and a low cookie limit, so values are shared and turn generic.
SPECS = [ig.Email("email"), ig.Phone("phone", region="US"), ig.Cookie("cookie_id", max_records=3)]
EMAILS = [None, "ann@mail.com", "ANN@mail.com ", "bob@mail.com", "cy@web.de"]
PHONES = [None, "201-555-0123", "(212) 555-0199", "+1 415 555 0100"]
COOKIES = [None, "c1", "c2", "c3", "c4"]
SOURCES = ["crm", "web"]
COLUMNS = ["rid", "email", "phone", "cookie_id"]

row = st.tuples(st.sampled_from(EMAILS), st.sampled_from(PHONES), st.sampled_from(COOKIES))
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(SOURCES), st.lists(row, min_size=1, max_size=6)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 10_000), min_size=1, max_size=3)),
    st.tuples(st.just("readd"), st.integers(0, 10_000)),
)


def _rebuild(g: ig.IdentityGraph) -> ig.IdentityGraph:
    """A fresh graph of the same alive records, one ``add`` per source."""
    fresh = ig.IdentityGraph(g.identifiers)
    records = g.records()
    for source in g.sources:
        rows = records[records["source"] == source]
        if len(rows):
            fresh.add(rows.drop(columns="source"), source=source, id="record_id")
    return fresh


def _check_internal(g: ig.IdentityGraph) -> None:
    """The counters and indexes agree with the record arrays."""
    clusters = g.clusters()
    assert g.n_persons == clusters["person_id"].nunique()
    alive = np.flatnonzero(g.state.records.alive)
    persons = np.unique(g.state.records.person[alive])
    assert np.array_equal(records_of_persons(g.state, persons), alive)
    assert (g.state.value_codes.count >= 0).all()
    counts = np.bincount(g.state.links.val, minlength=len(g.state.value_codes.count))
    assert np.array_equal(counts, g.state.value_codes.count)
    assert (np.diff(g.state.links.rec) >= 0).all()
    assert g.state.records.alive[g.state.links.rec].all()


def _sizes(clusters: pd.DataFrame) -> dict[int, int]:
    return {int(k): int(v) for k, v in clusters["person_id"].value_counts().items()}


@given(st.lists(step, min_size=1, max_size=8))
def test_incremental_equals_rebuild_and_ids_follow_rules(steps) -> None:  # type: ignore[no-untyped-def]
    g = ig.IdentityGraph(SPECS)
    g.resolve()  # from here on every update resolves at once
    next_id = 0
    removed: list[tuple[str, str]] = []
    birth: dict[int, int] = {}
    for t, (kind, *args) in enumerate(steps):
        before = g.clusters()
        size_before = _sizes(before)
        if kind == "add":
            source, rows = args
            frame = pd.DataFrame(
                [(f"r{next_id + i}", *r) for i, r in enumerate(rows)], columns=COLUMNS, dtype=object
            )
            next_id += len(rows)
            changes = g.add(frame, source=source, id="rid")
        elif kind == "remove":
            if before.empty:
                continue
            picks = before.iloc[[i % len(before) for i in args[0]]]
            pairs = zip(picks["source"].astype(str), picks["record_id"], strict=True)
            keys = list(dict.fromkeys(pairs))
            changes = g.remove(records=keys)
            removed += keys
            assert changes.records_removed == len(keys)
        else:
            if not removed:
                continue
            source, rid = removed.pop(args[0] % len(removed))
            frame = pd.DataFrame([(rid, "cy@web.de", None, "c2")], columns=COLUMNS, dtype=object)
            changes = g.add(frame, source=source, id="rid")
        after = g.clusters()
        size_after = _sizes(after)
        # The change set accounts for every id that appeared or left.
        ids_before, ids_after = set(size_before), set(size_after)
        assert set(changes.new_persons.tolist()) == ids_after - ids_before
        gone = set(changes.merges["old_id"].tolist()) | set(changes.removed_persons.tolist())
        assert gone == ids_before - ids_after
        for pid in ids_after - ids_before:
            birth[pid] = t
        # Merges on an add keep the oldest id (ties: the larger cluster's), the default policy.
        if kind != "remove":
            for old, new in zip(changes.merges["old_id"], changes.merges["new_id"], strict=True):
                assert new in ids_after
                assert old not in ids_after
                key_new = (birth[new], -size_before[new], new)
                key_old = (birth[old], -size_before[old], old)
                assert key_new < key_old
        # Splits leave the old id with the part holding most of its records (ties: the
        # larger part), unless that part merged into a larger person at the same time.
        moved = before.merge(after, on=["source", "record_id"], suffixes=("", "_after"))
        merged_away = dict(zip(changes.merges["old_id"], changes.merges["new_id"], strict=True))
        for old, new in zip(changes.splits["old_id"], changes.splits["new_id"], strict=True):
            heir = merged_away.get(old, old)
            assert heir in ids_after
            parts = moved.loc[moved["person_id"] == old, "person_id_after"].value_counts()
            assert (parts.get(heir, 0), size_after[heir]) >= (parts.get(new, 0), size_after[new])
        # Incremental = batch: the same records give the same partition.
        assert _partition(after) == _partition(_rebuild(g).clusters())
        _check_internal(g)


def test_untouched_persons_keep_their_ids() -> None:
    g = ig.IdentityGraph(SPECS)
    crm = pd.DataFrame(
        {"rid": ["a", "b", "c"], "email": ["ann@mail.com", "bob@mail.com", "cy@web.de"]}
    )
    g.add(crm, source="crm", id="rid")
    before = g.clusters().set_index("record_id")["person_id"]
    web = pd.DataFrame({"rid": ["w1"], "email": ["ANN@mail.com"], "cookie_id": ["c9"]})
    changes = g.add(web, source="web", id="rid")
    after = g.clusters().set_index("record_id")["person_id"]
    assert after[["a", "b", "c"]].equals(before[["a", "b", "c"]])
    assert after["w1"] == before["a"]
    assert changes.records_added == 1
    assert changes.merges.empty
    assert len(changes.new_persons) == 0


def test_merge_history_records_time_and_reason() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"rid": ["a", "b"], "email": ["ann@mail.com", None],
                        "cookie_id": [None, "c1"]}), source="crm", id="rid")  # fmt: skip
    g.resolve()
    g.add(pd.DataFrame({"rid": ["w"], "email": ["ann@mail.com"], "cookie_id": ["c1"]}),
          source="web", id="rid")  # fmt: skip
    history = g.id_history()
    assert history["reason"].tolist() == ["merge"]
    assert str(history["time"].dtype).startswith("datetime64")
    assert history["time"].dt.tz is not None


def test_add_cost_does_not_scan_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """An add touching one person never builds arrays over every record or value."""
    g = ig.IdentityGraph(SPECS)
    n = 5000
    g.add(
        pd.DataFrame({"rid": [f"r{i}" for i in range(n)],
                      "email": [f"p{i}@mail.com" for i in range(n)]}),
        source="crm", id="rid",
    )  # fmt: skip
    g.resolve()
    calls: list[int] = []
    real_full = np.full

    def spy(shape, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(int(np.prod(shape)))
        return real_full(shape, *args, **kwargs)

    monkeypatch.setattr(np, "full", spy)
    g.add(pd.DataFrame({"rid": ["new"], "email": ["p7@mail.com"]}), source="web", id="rid")
    assert max(calls, default=0) < n
    assert g.person_of("web", "new") == g.person_of("crm", "r7")


LIMITED = [
    ig.Key("crm_id", max_per_person=1),
    ig.Email("email"),
    ig.Cookie("cookie_id", max_records=3),
]
limited_row = st.tuples(
    st.sampled_from([None, None, "K1", "K2", "K3"]),
    st.sampled_from([None, "ann@mail.com", "bob@mail.com"]),
    st.sampled_from([None, "c1", "c2", "c3"]),
)
limited_step = st.one_of(
    st.tuples(st.just("add"), st.lists(limited_row, min_size=1, max_size=5)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 10_000), min_size=1, max_size=2)),
    st.tuples(st.just("link"), st.integers(0, 10_000), st.integers(0, 10_000)),
)


@given(st.lists(limited_step, min_size=1, max_size=7))
def test_incremental_equals_rebuild_with_limits_and_matches(steps) -> None:  # type: ignore[no-untyped-def]
    g = ig.IdentityGraph(LIMITED)
    g.resolve()
    next_id = 0
    links: list[tuple[str, str]] = []
    for kind, *args in steps:
        alive = g.clusters()["record_id"].tolist()
        if kind == "add":
            frame = pd.DataFrame(
                [(f"r{next_id + i}", *r) for i, r in enumerate(args[0])],
                columns=["rid", "crm_id", "email", "cookie_id"],
                dtype=object,
            )
            next_id += len(frame)
            g.add(frame, source="s", id="rid")
        elif kind == "remove" and alive:
            gone = list(dict.fromkeys(alive[i % len(alive)] for i in args[0]))
            g.remove(records=[("s", r) for r in gone])
            links = [(a, b) for a, b in links if a not in gone and b not in gone]
        elif kind == "link" and len(alive) > 1:
            a, b = alive[args[0] % len(alive)], alive[args[1] % len(alive)]
            if a != b:
                links.append((a, b))
                g.link(_pairs([(a, b)]), threshold=0.5)
        fresh = _rebuild(g)
        if links:
            fresh.link(_pairs(links), threshold=0.5)
        assert _partition(g.clusters()) == _partition(fresh.clusters())
        _check_internal(g)


def _pairs(links: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_l": "s",
            "record_id_l": [a for a, _ in links],
            "source_r": "s",
            "record_id_r": [b for _, b in links],
            "match_probability": 0.9,
        }
    )


@given(
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=10),
    st.sets(st.integers(0, 11)),
)
def test_region_matches_equals_a_scan_of_every_match_edge(
    first: list[tuple[int, int]], second: list[tuple[int, int]], region_set: set[int]
) -> None:
    g = ig.IdentityGraph([ig.Key("k")])
    g.add(pd.DataFrame({"rid": range(12), "k": [f"k{i}" for i in range(12)]}), source="s", id="rid")
    g.resolve()
    region = np.array(sorted(region_set), dtype=np.int64)
    for pairs in (first, second):  # a second link replaces the match table: a fresh index
        if pairs:
            lefts, rights = zip(*pairs, strict=True)
            g.link(
                pd.DataFrame(
                    {"source_l": "s", "record_id_l": lefts, "source_r": "s", "record_id_r": rights}
                ).assign(match_probability=0.9)
            )
        rows, ml, mr = region_matches(g.state, region)
        left = g.state.matches.frame["rec_l"].to_numpy()
        right = g.state.matches.frame["rec_r"].to_numpy()
        expected = np.flatnonzero(np.isin(left, region) & np.isin(right, region))
        assert rows.tolist() == expected.tolist()
        assert region[ml].tolist() == left[expected].tolist()
        assert region[mr].tolist() == right[expected].tolist()
