"""Guards against over-merging: junk values, generic values and per-person limits."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.cli import demo_specs
from identigraph.graph.core import MATCH_PRIORITY, connected_components, enforce_limits
from identigraph.graph.core.limits import _spread
from identigraph.graph.views.conflicts import CONFLICT_COLUMNS
from tests.strategies import GUARD_KINDS, limited_graphs


def _partition(clusters: pd.DataFrame) -> set[frozenset[object]]:
    groups = clusters.groupby("person_id")["record_id"].agg(frozenset)
    return set(groups.tolist())


# ------------------------------------------------------------------------------ junk values
def test_junk_value_bridging_10000_records_merges_nobody() -> None:
    n = 10_000
    frame = pd.DataFrame(
        {
            "email": ["test@test.com"] * n,
            "phone": ["000-000-0000"] * n,
            "cookie_id": ["null"] * n,
        }
    )
    g = ig.IdentityGraph(
        [ig.Email("email"), ig.Phone("phone", region="US"), ig.Cookie("cookie_id")]
    )
    g.add(frame, source="web")
    assert g.n_persons == n
    rejects = g.rejects
    assert len(rejects) == 3 * n
    assert set(rejects["reason"]) == {"junk_value"}
    assert g.generic_values().empty


def test_shared_unlisted_value_on_10000_records_is_generic_and_merges_nobody() -> None:
    n = 10_000
    # pairs of records share a real email; every record carries one kiosk cookie
    frame = pd.DataFrame(
        {
            "email": [f"user{i // 2}@mail.com" for i in range(n)],
            "cookie_id": ["library-kiosk-7"] * n,
        }
    )
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    g.add(frame, source="web")
    assert g.n_persons == n // 2
    generic = g.generic_values()
    assert generic[["kind", "records"]].to_dict("records") == [{"kind": "cookie", "records": n}]
    assert g.clusters().groupby("person_id").size().max() == 2


@pytest.mark.parametrize(
    ("column", "spec", "value"),
    [
        ("email", ig.Email("email"), "test@test.com"),
        ("email", ig.Email("email"), "noreply@shop.com"),
        ("email", ig.Email("email"), "ann@example.com"),
        ("email", ig.Email("email"), "Someone@EXAMPLE.org"),
        ("phone", ig.Phone("phone", region="US"), "0000000000"),
        ("phone", ig.Phone("phone", region="US"), "1234567890"),
        ("phone", ig.Phone("phone", region="US"), "(999) 999-9999"),
        ("phone", ig.Phone("phone", region="US"), "+1 555 555 5555"),
        ("cookie_id", ig.Cookie("cookie_id"), "null"),
        ("cookie_id", ig.Cookie("cookie_id"), "unknown"),
        ("cookie_id", ig.Cookie("cookie_id"), "N/A"),
        ("crm_id", ig.Key("crm_id"), "n/a"),
    ],
)
def test_builtin_junk_goes_to_rejects_and_links_nothing(
    column: str, spec: ig.Identifier, value: str
) -> None:
    g = ig.IdentityGraph([spec])
    g.add(pd.DataFrame({column: [value, value, value]}), source="s")
    assert g.n_persons == 3
    assert g.rejects["reason"].tolist() == ["junk_value"] * 3
    assert g.rejects["column"].tolist() == [column] * 3


def test_caller_junk_extends_builtin_lists() -> None:
    g = ig.IdentityGraph([ig.Cookie("cookie_id", junk=frozenset({"Kiosk-1"}))])
    g.add(pd.DataFrame({"cookie_id": ["kiosk-1", "kiosk-1", "null", "real", "real"]}), source="s")
    assert g.n_persons == 4
    assert g.rejects["reason"].tolist() == ["junk_value"] * 3


def test_builtin_junk_can_be_turned_off() -> None:
    g = ig.IdentityGraph([ig.Email("email", builtin_junk=False)])
    g.add(pd.DataFrame({"email": ["test@test.com", "test@test.com"]}), source="s")
    assert g.n_persons == 1
    assert g.rejects.empty


# ------------------------------------------------------------------------------ generic values
def test_default_max_records_per_kind() -> None:
    assert ig.Cookie("c").max_records == 50
    assert ig.Email("e").max_records == 100
    assert ig.Phone("p").max_records == 20
    assert ig.Key("k").max_records is None


def test_value_at_max_records_links_one_more_is_generic() -> None:
    g = ig.IdentityGraph([ig.Cookie("cookie_id", max_records=3)])
    g.add(pd.DataFrame({"cookie_id": ["a"] * 3 + ["b"] * 4}), source="s")
    assert sorted(g.clusters().groupby("person_id").size().tolist()) == [1, 1, 1, 1, 3]
    assert g.generic_values()[["kind", "records"]].to_dict("records") == [
        {"kind": "cookie", "records": 4}
    ]


def test_incremental_add_makes_value_generic_and_splits_person() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id", max_records=5)])
    first = pd.DataFrame(
        {
            "rid": [f"r{i}" for i in range(5)],
            "cookie_id": ["shared"] * 5,
            "email": ["ann@mail.com", "ann@mail.com", None, None, None],
        }
    )
    g.add(first, source="web", id="rid")
    g.resolve()
    assert g.n_persons == 1
    before = g.person_of("web", "r0")
    changes = g.add(pd.DataFrame({"rid": ["r5"], "cookie_id": ["shared"]}), source="web", id="rid")
    # r0 and r1 keep each other through their email; r2, r3, r4 and r5 stand alone
    assert g.n_persons == 5
    assert len(changes.splits) == 3
    assert set(changes.splits["old_id"]) == {before}
    assert g.person_of("web", "r0") == before == g.person_of("web", "r1")
    assert g.generic_values()["records"].tolist() == [6]
    assert set(g.id_history()["reason"]) == {"split"}


# ------------------------------------------------------------------------------ limits
def _crm_graph(**email: Any) -> ig.IdentityGraph:
    return ig.IdentityGraph(
        [ig.Key("crm_id", max_per_person=1), ig.Email("email", **email), ig.Cookie("cookie_id")]
    )


def test_limit_splits_two_customer_keys_sharing_an_email() -> None:
    g = _crm_graph()
    crm = pd.DataFrame({"rid": [1, 2, 3], "crm_id": ["A", "B", "A"], "email": ["ann@mail.com"] * 3})
    g.add(crm, source="crm", id="rid")
    assert _partition(g.clusters()) == {frozenset({1, 3}), frozenset({2})}
    conflicts = g.conflicts()
    assert list(conflicts.columns) == CONFLICT_COLUMNS
    assert conflicts[["record_id", "kind", "value", "reason", "limit"]].to_dict("records") == [
        {
            "record_id": 2,
            "kind": "email",
            "value": "a***@m***.com",
            "reason": "max_per_person",
            "limit": "crm_id",
        }
    ]
    assert conflicts["other_person_id"].tolist() == [g.person_of("crm", 1)]


def test_weakest_link_is_cut_first() -> None:
    # r1 -email- r3 -cookie- r2; r1 and r2 hold different keys: the cookie link goes
    g = _crm_graph()
    g.add(
        pd.DataFrame(
            {
                "rid": ["r1", "r2", "r3"],
                "crm_id": ["A", "B", None],
                "email": ["ann@mail.com", None, "ann@mail.com"],
                "cookie_id": [None, "c1", "c1"],
            }
        ),
        source="s",
        id="rid",
    )
    assert _partition(g.clusters()) == {frozenset({"r1", "r3"}), frozenset({"r2"})}
    assert g.conflicts()["kind"].tolist() == ["cookie"]


def test_one_record_with_two_keys_keeps_one() -> None:
    g = ig.IdentityGraph(
        [ig.Key("crm_id", max_per_person=1), ig.Key("old_crm_id", kind="crm_id", max_per_person=1)]
    )
    g.add(
        pd.DataFrame({"rid": ["r1", "r2"], "crm_id": ["A", "B"], "old_crm_id": ["B", None]}),
        source="s",
        id="rid",
    )
    conflicts = g.conflicts()
    assert len(conflicts) == 1
    assert conflicts["record_id"].tolist() == ["r1"]
    # which key r1 keeps is decided by stable hashes; either way no person holds two
    for pid in g.clusters()["person_id"].unique():
        view = g.person(int(pid))
        assert (view.identifiers["status"] == "link").sum() == 1


def test_match_edge_is_cut_when_it_breaks_a_limit() -> None:
    g = _crm_graph()
    g.add(pd.DataFrame({"rid": ["r1", "r2"], "crm_id": ["A", "B"]}), source="s", id="rid")
    g.resolve()
    pairs = pd.DataFrame(
        {
            "source_l": ["s"],
            "record_id_l": ["r1"],
            "source_r": ["s"],
            "record_id_r": ["r2"],
            "match_probability": [0.99],
        }
    )
    changes = g.link(pairs)
    assert changes.merges.empty
    assert g.n_persons == 2
    row = g.conflicts().iloc[0]
    assert row["kind"] == "match"
    assert row["match_probability"] == pytest.approx(0.99)
    assert {row["record_id"], row["other_record_id"]} == {"r1", "r2"}
    assert row["value"] is None


def test_match_priority_sits_between_phone_and_cookie() -> None:
    assert ig.Cookie("c").priority < MATCH_PRIORITY < ig.Phone("p").priority


def test_cuts_follow_the_records_when_a_person_is_rebuilt() -> None:
    g = _crm_graph()
    g.add(
        pd.DataFrame({"rid": ["r1", "r2"], "crm_id": ["A", "B"], "email": ["kim@mail.com"] * 2}),
        source="s",
        id="rid",
    )
    g.resolve()
    assert len(g.conflicts()) == 1
    # a third record joins key A's person through another email: the cut stays, once
    g.add(
        pd.DataFrame({"rid": ["r3"], "crm_id": ["A"], "email": ["lee@mail.com"]}),
        source="s",
        id="rid",
    )
    assert len(g.conflicts()) == 1
    assert g.n_persons == 2


# ------------------------------------------------------------------------------ properties
def _specs(data: dict[str, Any]) -> list[ig.Identifier]:
    limits, generic = data["limits"], data["max_records"]
    return [
        ig.Key("crm_id", max_per_person=limits["crm_id"], max_records=generic["crm_id"]),
        ig.Email("email", max_per_person=limits["email"], max_records=generic["email"]),
        ig.Cookie("cookie", max_per_person=limits["cookie"], max_records=generic["cookie"]),
    ]


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rid", *GUARD_KINDS], dtype=object)


def _pairs(data: dict[str, Any]) -> pd.DataFrame:
    rows = data["rows"]
    matches = data["matches"]
    return pd.DataFrame(
        {
            "source_l": "s",
            "record_id_l": [rows[i][0] for i, _, _ in matches],
            "source_r": "s",
            "record_id_r": [rows[j][0] for _, j, _ in matches],
            "match_probability": [p for _, _, p in matches],
        }
    )


def _build_bulk(
    data: dict[str, Any], rows: list[tuple[Any, ...]] | None = None
) -> ig.IdentityGraph:
    g = ig.IdentityGraph(_specs(data))
    g.add(_frame(rows if rows is not None else data["rows"]), source="s", id="rid")
    if data["matches"]:
        g.link(_pairs(data))
    g.resolve()
    return g


def _build_incremental(data: dict[str, Any], split: int) -> ig.IdentityGraph:
    g = ig.IdentityGraph(_specs(data))
    rows = data["rows"]
    g.add(_frame(rows[:split]), source="s", id="rid")
    g.resolve()
    if split < len(rows):
        g.add(_frame(rows[split:]), source="s", id="rid")
    if data["matches"]:
        g.link(_pairs(data))
    return g


def _conflict_set(g: ig.IdentityGraph) -> set[tuple[Any, ...]]:
    c = g.conflicts()
    return {
        (r, k, o, lim)
        for r, k, o, lim in zip(
            c["record_id"], c["kind"], c["other_record_id"], c["limit"], strict=True
        )
    }


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


@given(limited_graphs())
def test_limits_hold_and_every_cut_is_needed(data: dict[str, Any]) -> None:
    g = _build_bulk(data)
    rows, limits, generic = data["rows"], data["limits"], data["max_records"]
    carriers = Counter((k, row[1 + i]) for row in rows for i, k in enumerate(GUARD_KINDS))
    usable = {
        (row[0], k, row[1 + i])
        for row in rows
        for i, k in enumerate(GUARD_KINDS)
        if row[1 + i] is not None
        and (generic[k] is None or carriers[(k, row[1 + i])] <= generic[k])
    }
    conflicts = g.conflicts()
    ident = conflicts[conflicts["kind"] != "match"]
    cut = set(zip(ident["record_id"], ident["kind"], strict=True))
    assert len(cut) == len(ident)
    matched = {frozenset((rows[i][0], rows[j][0])) for i, j, _ in data["matches"]}
    m = conflicts[conflicts["kind"] == "match"]
    cut_matches = {frozenset(p) for p in zip(m["record_id"], m["other_record_id"], strict=True)}
    assert cut_matches <= matched

    # persons are the components of the links that were not cut (a plain union-find)
    uf = _UnionFind()
    for rid, *_ in rows:
        uf.find(("r", rid))
    for rid, kind, value in usable:
        uf.find(("v", kind, value))
        if (rid, kind) not in cut:
            uf.union(("r", rid), ("v", kind, value))
    for pair in matched - cut_matches:
        a, b = sorted(pair)
        uf.union(("r", a), ("r", b))
    reference: dict[Any, set[Any]] = {}
    for rid, *_ in rows:
        reference.setdefault(uf.find(("r", rid)), set()).add(rid)
    assert _partition(g.clusters()) == {frozenset(s) for s in reference.values()}

    # no person holds more distinct values of a kind than its limit
    held: dict[Any, Counter[str]] = {}
    for node in list(uf.parent):
        if node[0] == "v":
            held.setdefault(uf.find(node), Counter())[node[1]] += 1
    for counts in held.values():
        for kind, n in counts.items():
            assert limits[kind] is None or n <= limits[kind]

    # every cut is needed: adding it back would join two sets beyond a limit
    def breaks(a: Any, b: Any, kind: str) -> bool:
        ra, rb = uf.find(a), uf.find(b)
        assert ra != rb
        total = held.get(ra, Counter())[kind] + held.get(rb, Counter())[kind]
        return limits[kind] is not None and total > limits[kind]

    rows_by_id = {r[0]: r for r in rows}
    for rid, kind, lim in zip(ident["record_id"], ident["kind"], ident["limit"], strict=True):
        value = rows_by_id[rid][1 + GUARD_KINDS.index(kind)]
        assert breaks(("r", rid), ("v", kind, value), lim)
    for rid, other, lim in zip(m["record_id"], m["other_record_id"], m["limit"], strict=True):
        assert breaks(("r", rid), ("r", other), lim)


@given(limited_graphs(), st.randoms(use_true_random=False))
def test_split_is_deterministic_under_shuffles(data: dict[str, Any], rnd: Any) -> None:
    g = _build_bulk(data)
    rows = list(data["rows"])
    rnd.shuffle(rows)
    h = _build_bulk(data, rows)
    assert _partition(g.clusters()) == _partition(h.clusters())
    assert _conflict_set(g) == _conflict_set(h)
    key = ["record_id"]
    left = g.clusters().sort_values(key, ignore_index=True)
    right = h.clusters().sort_values(key, ignore_index=True)
    assert left["person_id"].tolist() == right["person_id"].tolist()


@given(limited_graphs(), st.data())
def test_incremental_updates_split_as_a_rebuild(data: dict[str, Any], draw: st.DataObject) -> None:
    split = draw.draw(st.integers(1, len(data["rows"])))
    g = _build_bulk(data)
    h = _build_incremental(data, split)
    assert _partition(g.clusters()) == _partition(h.clusters())
    assert _conflict_set(g) == _conflict_set(h)


# ------------------------------------------------------------------------------ enforce_limits
def _two_components() -> dict[str, Any]:
    # component 1: records 0, 1 share email 2 and hold keys 0, 1 (breaks limit 1)
    # component 2: records 2, 3 share email 3, no keys
    rec = np.array([0, 1, 0, 1, 2, 3])
    val = np.array([0, 1, 2, 2, 3, 3])
    labels = connected_components(8, rec, val + 4)
    return {
        "labels": labels,
        "n_records": 4,
        "link_rec": rec,
        "link_val": val,
        "value_kind": np.array([0, 0, 1, 1]),
        "limits": np.array([1, 0]),
        "priorities": np.array([40.0, 30.0]),
        "record_hash": np.array([11, 12, 13, 14], dtype=np.uint64),
    }


def test_enforce_limits_only_examines_breaking_components() -> None:
    asked: list[list[int]] = []

    def value_hash(idx: np.ndarray) -> np.ndarray:
        asked.append(idx.tolist())
        return idx.astype(np.uint64) + np.uint64(100)

    split = enforce_limits(**_two_components(), value_hash=value_hash)
    # the values of the breaking component only (0, 1, 2), and of those only the ones
    # whose hash can order a link: none here (no record holds two links of one strength)
    assert asked == []
    assert split.labels.tolist() == [0, 1, 2, 2]
    assert split.cut_links.tolist() == [3]  # record 1's email link (larger record hash)
    assert split.cut_link_kind.tolist() == [0]


def test_enforce_limits_without_breaking_component_cuts_nothing() -> None:
    args = _two_components()
    args["limits"] = np.array([2, 0])
    split = enforce_limits(**args, value_hash=np.zeros(4, dtype=np.uint64))
    assert split.labels.tolist() == [0, 0, 1, 1]
    assert len(split.cut_links) == 0
    assert len(split.cut_matches) == 0


def test_enforce_limits_weighs_match_edges_by_probability() -> None:
    # records 0 and 2 hold keys 0 and 1 (limit 1); record 1 matches both: 0-1 at 0.7, 1-2 at 0.9
    labels = connected_components(5, np.array([0, 2, 0, 1]), np.array([3, 4, 1, 2]))
    split = enforce_limits(
        labels,
        3,
        np.array([0, 2]),
        np.array([0, 1]),
        np.array([0, 0]),
        np.array([1]),
        np.array([40.0]),
        np.array([1, 2, 3], dtype=np.uint64),
        np.array([4, 5], dtype=np.uint64),
        np.array([0, 1]),
        np.array([1, 2]),
        np.array([0.7, 0.9]),
    )
    assert split.labels.tolist() == [0, 1, 1]
    assert split.cut_matches.tolist() == [0]
    assert len(split.cut_links) == 0


# ------------------------------------------------------------------------------ attributes
def _one_email(names: list[int], hashes: list[int]) -> dict[str, Any]:
    """Records 0..n-1 share email 0 (kind 0, no limit), with one first-name code each."""
    n = len(names)
    rec, val = np.arange(n), np.zeros(n, dtype=np.int64)
    return {
        "labels": connected_components(n + 1, rec, val + n),
        "n_records": n,
        "link_rec": rec,
        "link_val": val,
        "value_kind": np.array([0]),
        "limits": np.array([0]),
        "priorities": np.array([30.0]),
        "record_hash": np.array(hashes, dtype=np.uint64),
        "value_hash": np.array([1], dtype=np.uint64),
        "attr_codes": [np.array(names)],
    }


def test_enforce_limits_cuts_the_link_that_brings_an_unlike_name() -> None:
    split = enforce_limits(**_one_email([0, 1, 0, -1], [5, 7, 9, 3]), attr_caps=[1])
    assert split.labels.tolist() == [0, 1, 0, 0]  # record 3 gives no name: no conflict
    assert split.cut_links.tolist() == [1]
    assert split.cut_link_kind.tolist() == [1]  # len(limits) + attribute 0


def test_enforce_limits_alike_names_count_as_one() -> None:
    def alike(a: int, b: int) -> bool:
        return {a, b} <= {0, 1}  # codes 0 and 1 are one name spelled two ways

    split = enforce_limits(**_one_email([0, 1, 0], [5, 7, 9]), attr_caps=[1], attr_alike=[alike])
    assert split.labels.tolist() == [0, 0, 0]
    assert len(split.cut_links) == 0
    # a cap of two counts mutually unlike names: 0~1, 2 unlike both, 3 unlike all
    split = enforce_limits(
        **_one_email([0, 1, 2, 3], [5, 7, 9, 11]), attr_caps=[2], attr_alike=[alike]
    )
    assert split.labels.tolist() == [0, 0, 0, 1]
    assert split.cut_links.tolist() == [3]


def test_enforce_limits_needs_one_setting_per_attribute() -> None:
    with pytest.raises(ig.ConfigError, match="attribute"):
        enforce_limits(**_one_email([0, 1], [5, 7]), attr_caps=[1, 1])


def test_unlink_splits_again_only_the_components_that_shared_a_value() -> None:
    # component 1: records 0-2 share phone 0 (unlinking), 0 and 1 keys 1, 2 (limit 1)
    # component 2: records 3-5 share email 3 (kept), 3 and 4 keys 4, 5 (limit 1)
    rec = np.array([0, 1, 2, 0, 1, 3, 4, 5, 3, 4])
    val = np.array([0, 0, 0, 1, 2, 3, 3, 3, 4, 5])
    asked: list[list[int]] = []

    def value_hash(idx: np.ndarray) -> np.ndarray:
        asked.append(idx.tolist())
        return idx.astype(np.uint64) + np.uint64(100)

    split = enforce_limits(
        connected_components(12, rec, val + 6),
        6,
        rec,
        val,
        np.array([1, 0, 0, 2, 0, 0]),  # kinds: key 0, phone 1, email 2
        np.array([1, 0, 0]),
        np.array([40.0, 20.0, 30.0]),
        np.arange(6, dtype=np.uint64) + np.uint64(1),
        value_hash,
        unlink=np.array([False, True, False]),
    )
    assert split.shared_values.tolist() == [0]
    assert split.shared_kind.tolist() == [0]  # cut by the key limit
    assert split.labels.tolist() == [0, 1, 2, 3, 4, 3]  # record 2 held on by the phone only
    assert split.cut_links.tolist() == [6]  # record 4's email link; no phone link listed
    # hashes asked for once at most, for values of the breaking components only (none
    # here can order a link: no record holds two links of one strength)
    assert len(asked) <= 1
    assert all(set(idx) <= set(range(6)) for idx in asked)


def test_shared_value_links_nobody_and_is_listed_in_conflicts() -> None:
    g = ig.IdentityGraph(
        [ig.Key("crm_id", max_per_person=1), ig.Phone("phone", region="US", on_shared="unlink")]
    )
    frame = pd.DataFrame(
        {"rid": ["a", "b", "c"], "crm_id": ["K1", "K2", None], "phone": ["201 555 0123"] * 3}
    )
    g.add(frame, source="crm", id="rid")
    assert g.n_persons == 3
    conflicts = g.conflicts()
    assert sorted(conflicts["record_id"]) == ["a", "b", "c"]
    assert set(conflicts["reason"]) == {"shared_value"}
    assert set(conflicts["limit"]) == {"crm_id"}
    assert conflicts["other_person_id"].isna().all()
    assert g.generic_values().empty  # shared is not generic: it is decided per person
    # a fourth record on the landline alone joins nobody
    g.add(pd.DataFrame({"rid": ["d"], "phone": ["+1 201 555 0123"]}), source="crm", id="rid")
    assert g.n_persons == 4


@pytest.mark.parametrize("on_shared", ["keep", "unlink"])
@pytest.mark.parametrize("bob_records", [1, 2])
def test_limit_cuts_the_value_that_bridges_two_persons_whatever_the_hashes(
    on_shared: str, bob_records: int
) -> None:
    # Ann and Bob share a landline; each has a mobile, on records that carry their
    # email. Two phones a person: the landline, not a mobile, must go, whichever
    # record ids (and so stable hashes) break the ties among equally strong phone links.
    landline = "+1 201 555 0199"
    frame = pd.DataFrame(
        {
            "email": ["ann@mail.com", "ann@mail.com", "bob@mail.com", "bob@mail.com", None],
            "phone": ["201 555 0101", "201 555 0101", "201 555 0102", "201 555 0102", landline],
            "home_phone": [landline, None, landline, None, None],
        }
    )
    if bob_records == 1:  # Bob is known by one record: no group of two, still a group
        frame.loc[3, ["email", "phone"]] = None
    phones = {"max_per_person": 2, "on_shared": on_shared}
    specs = [
        ig.Email("email"),
        ig.Phone("phone", region="US", **phones),
        ig.Phone("home_phone", kind="phone", region="US", **phones),
    ]
    for prefix in range(25):  # other ids, other hashes
        ids = [f"{prefix}-{name}" for name in ("a1", "a2", "b1", "b2", "till")]
        g = ig.IdentityGraph(specs)
        g.add(frame.assign(rid=ids), source="s", id="rid")
        persons = _partition(g.clusters())
        ann = next(p for p in persons if ids[0] in p)
        bob = next(p for p in persons if ids[2] in p)
        assert ann != bob
        assert set(ids[:2]) <= ann
        assert set(ids[2 : bob_records + 2]) <= bob
        assert set(g.conflicts()["record_id"]) <= {ids[0], ids[2], ids[4]}  # landline carriers
        if on_shared == "unlink":  # the till receipt on the landline alone stands alone
            assert frozenset(ids[4:]) in persons


def test_spread_counts_the_groups_that_stronger_links_form() -> None:
    # records 0-4, values 5-7; kinds by priority: 30 (value 5), 20 (values 6, 7)
    # value 5 joins records 0 and 1; value 6 is on records 0, 1 and 2, value 7 on
    # records 1 and 3; a match edge (priority 20) joins records 3 and 4, another 0 and 1.
    u = np.array([0, 1, 0, 1, 2, 1, 3, 3, 0])
    v = np.array([5, 5, 6, 6, 6, 7, 7, 4, 1])
    priority = np.array([30.0, 30.0, 20, 20, 20, 20, 20, 20, 20])
    spread = _spread(u, v, 7, priority, n_nodes=8)
    # strongest links spread 0; value 6: one group ({0, 1}; record 2 has no stronger
    # link); value 7: one group (record 3 has none); match 3-4: no group; match 0-1:
    # both ends in one group
    assert spread.tolist() == [0, 0, 1, 1, 1, 1, 1, 0, 1]


def test_spread_tells_two_groups_apart() -> None:
    # records 0, 1 with value 4 (priority 30), records 2, 3 with value 5; value 6
    # (priority 20) on records 0 and 2 bridges both groups, value 7 stays in one;
    # a match edge (priority 20) between records 1 and 3 bridges them too.
    u = np.array([0, 1, 2, 3, 0, 2, 0, 1, 1])
    v = np.array([4, 4, 5, 5, 6, 6, 7, 7, 3])
    priority = np.array([30.0, 30, 30, 30, 20, 20, 20, 20, 20])
    assert _spread(u, v, 8, priority, n_nodes=8).tolist() == [0, 0, 0, 0, 2, 2, 1, 1, 2]


def test_holder_person_ids_keep_every_bit() -> None:
    g = ig.IdentityGraph(
        [
            ig.Key("crm_id", max_per_person=1),
            ig.Key("card", priority=35, on_shared="unlink"),
            ig.Email("email"),
        ]
    )
    frame = pd.DataFrame(
        {
            "rid": ["a", "b", "c", "d"],
            "crm_id": ["K1", "K2", "K3", "K4"],
            "card": ["L1", "L1", None, None],  # shared: nobody holds it
            "email": [None, None, "cy@mail.com", "cy@mail.com"],  # cut: one person holds it
        }
    )
    g.add(frame, source="crm", id="rid")
    conflicts = g.conflicts()
    held = conflicts.loc[conflicts["kind"] == "email", "other_person_id"].iloc[0]
    assert int(held) in set(g.clusters()["person_id"].tolist())
    assert conflicts.loc[conflicts["kind"] == "card", "other_person_id"].isna().all()


def _graph_of_first_source(
    n_persons: int, seed: int
) -> tuple[ig.IdentityGraph, dict[str, pd.DataFrame], list[str]]:
    """Demo-spec graph of the first source of synthetic customers, resolved; all sources."""
    sources, _ = ig.datasets.customers(n_persons=n_persons, seed=seed, household_rate=0.3)
    g = ig.IdentityGraph(demo_specs())
    names = list(sources)
    g.add(sources[names[0]], source=names[0], id=ig.datasets.RECORD_ID_COLUMNS[names[0]])
    g.resolve()
    return g, sources, names


def test_cached_cut_values_follow_every_update() -> None:
    g, sources, names = _graph_of_first_source(400, seed=5)
    ids = ig.datasets.RECORD_ID_COLUMNS
    g.state.cuts.values()  # cached from here on, then carried over by each update
    for name in names[1:]:
        frame = sources[name]
        for part in np.array_split(np.arange(len(frame)), 3):
            g.add(frame.iloc[part], source=name, id=ids[name])
            cuts = g.state.cuts.links
            assert np.array_equal(g.state.cuts.values(), np.sort(cuts.val[cuts.val >= 0]))


def _assert_cut_indexes_fresh(g: ig.IdentityGraph) -> None:
    """The cached cut indexes equal their recomputation from the cut table."""
    cuts = g.state.cuts.links
    match = np.flatnonzero(cuts.other >= 0)
    ends = np.concatenate([cuts.rec, cuts.other[match]])
    rows = np.concatenate([np.arange(len(cuts)), match])
    order = np.lexsort((rows, ends))
    got_ends, got_rows = g.state.cuts.ends()
    assert np.array_equal(got_ends, ends[order])
    assert np.array_equal(got_rows, rows[order])
    assert np.array_equal(g.state.cuts.values(), np.sort(cuts.val[cuts.val >= 0]))


@given(limited_graphs(), st.data())
def test_cached_cut_ends_follow_every_update(data: dict[str, Any], draw: st.DataObject) -> None:
    rows = data["rows"]
    split = draw.draw(st.integers(1, len(rows)))
    specs = _specs(data)
    if draw.draw(st.booleans()):  # emails that lose a link are shared
        specs[1] = dataclasses.replace(specs[1], on_shared="unlink")
    g = ig.IdentityGraph(specs)
    g.add(_frame(rows[:split]), source="s", id="rid")
    g.resolve()
    g.state.cuts.ends()  # cached from here on, then carried over by each update
    g.state.cuts.values()
    columns = ["rid", *GUARD_KINDS]
    for row in rows[split:]:  # one record at a time, as a service adds them
        g.resolve_one(dict(zip(columns, row, strict=True)), source="s", id="rid")
        _assert_cut_indexes_fresh(g)
    if data["matches"]:
        g.link(_pairs(data))
        _assert_cut_indexes_fresh(g)
    bulk = ig.IdentityGraph(specs)
    bulk.add(_frame(rows), source="s", id="rid")
    if data["matches"]:
        bulk.link(_pairs(data))
    assert _partition(g.clusters()) == _partition(bulk.clusters())
    assert _conflict_set(g) == _conflict_set(bulk)
    gone = draw.draw(st.lists(st.integers(0, len(rows) - 1), unique=True, max_size=3))
    for i in gone:  # erase, then add the record again
        g.remove(records=[("s", rows[i][0])])
        _assert_cut_indexes_fresh(g)
        g.resolve_one(dict(zip(columns, rows[i], strict=True)), source="s", id="rid")
        _assert_cut_indexes_fresh(g)


def test_cached_cut_ends_follow_single_records_and_erasures() -> None:
    g, sources, names = _graph_of_first_source(300, seed=7)
    ids = ig.datasets.RECORD_ID_COLUMNS
    g.state.cuts.ends()
    dropped = 0
    for step, name in enumerate(names[1:]):
        frame = sources[name]
        g.add(frame.iloc[: len(frame) // 2], source=name, id=ids[name])
        for row in frame.iloc[len(frame) // 2 :].head(60).to_dict("records"):
            old = g.state.cuts.links
            g.resolve_one(row, source=name, id=ids[name])
            new = g.state.cuts.links
            kept_all = len(new) >= len(old) and all(
                np.array_equal(getattr(new, f)[: len(old)], getattr(old, f))
                for f in ("rec", "val", "other")
            )
            dropped += not kept_all
            _assert_cut_indexes_fresh(g)
        person = int(
            g.state.records.person[g.state.cuts.links.rec[step]]
        )  # a person with cut links leaves
        g.remove(person=person)
        _assert_cut_indexes_fresh(g)
    assert dropped  # some updates dropped old cut links
