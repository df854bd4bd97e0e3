"""Name-aware guards: attribute caps and shared values that link nobody."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.matcher.attributes import Attribute

LANDLINE = "201 555 0123"


def _partition(clusters: pd.DataFrame) -> set[frozenset[object]]:
    groups = clusters.groupby("person_id")["record_id"].agg(frozenset)
    return set(groups.tolist())


def _together(g: ig.IdentityGraph, a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    return g.person_of(*a) == g.person_of(*b)


# ------------------------------------------------------------------------------ the spec
@pytest.mark.parametrize(
    "kwargs",
    [
        {"column": ""},
        {"column": "first_name", "transform": "upper"},
        {"column": "first_name", "max_per_person": 0},
        {"column": "first_name", "max_per_person": True},
        {"column": "first_name", "alike": "levenshtein"},
        {"column": "first_name", "alike": 0.0},
        {"column": "first_name", "alike": 1.5},
        {"column": "first_name", "alike": True},
        {"column": "first_name", "alike": ["damerau1"]},
    ],
)
def test_attribute_rejects_bad_settings(kwargs: dict[str, Any]) -> None:
    column = kwargs.pop("column")
    with pytest.raises(ig.ConfigError):
        Attribute(column, **kwargs)


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        ("lower", ["jon", "jon", None, None, "mary ann"]),
        ("exact", ["Jon", "jon", None, None, "Mary  Ann"]),
        ("soundex", ["J500", "J500", None, None, "M650"]),
        ("metaphone", ["JN", "JN", None, None, "MR AN"]),
        ("nysiis", ["JAN", "JAN", None, None, "MARY AN"]),
    ],
)
def test_attribute_transforms(transform: Any, expected: list[str | None]) -> None:
    raw = pd.Series([" Jon", "jon ", None, "  ", "Mary  Ann"], dtype=object)
    assert Attribute("first_name", transform=transform).values(raw).tolist() == expected


def test_attribute_likeness_rules() -> None:
    typo = Attribute("first_name")
    assert typo.is_alike("marie", "maire")  # a transposition
    assert typo.is_alike("jon", "john")
    assert not typo.is_alike("ann", "bob")
    assert not typo.is_alike("jon", "joanna")
    jaro = Attribute("first_name", alike=0.9)
    assert jaro.alike == 0.9
    assert jaro.is_alike("martha", "marhta")
    assert not jaro.is_alike("ann", "bob")
    exact = Attribute("first_name", alike=None)
    assert exact.is_alike("ann", "ann")
    assert not exact.is_alike("ann", "anne")


def test_graph_checks_its_attributes() -> None:
    with pytest.raises(ig.ConfigError, match="identifiers"):
        ig.IdentityGraph([ig.Email("email")], attributes=[Attribute("email")])
    with pytest.raises(ig.ConfigError, match="repeated"):
        ig.IdentityGraph([], attributes=[Attribute("a"), Attribute("a", transform="soundex")])
    with pytest.raises(ig.ConfigError, match="Attribute"):
        ig.IdentityGraph([], attributes=["first_name"])  # type: ignore[list-item]
    g = ig.IdentityGraph([ig.Email("email")], attributes=(Attribute("first_name"),))
    assert g.attributes == (Attribute("first_name"),)


def test_identifier_on_shared_is_checked_and_part_of_the_kind_policy() -> None:
    with pytest.raises(ig.ConfigError, match="on_shared"):
        ig.Phone("phone", on_shared="drop")  # type: ignore[arg-type]
    with pytest.raises(ig.ConfigError, match="on_shared"):
        ig.IdentityGraph(
            [ig.Phone("phone", on_shared="unlink"), ig.Phone("home_phone", kind="phone")]
        )


# ------------------------------------------------------------------------------ households
def _household_graph(*, unlink: bool) -> ig.IdentityGraph:
    on_shared = "unlink" if unlink else "keep"
    g = ig.IdentityGraph(
        [
            ig.Email("email"),
            ig.Phone("phone", region="US", on_shared=on_shared),
            ig.Key("customer_id"),
        ],
        attributes=(Attribute("first_name"),),
    )
    crm = pd.DataFrame(
        {
            "row": ["C1", "C2", "C3", "C4"],
            "first_name": ["Ann", "Bob", "Jonathan", "Jonathon"],  # C3/C4: one customer, a typo
            "email": ["ann@mail.com", "bob@mail.com", "jon@mail.com", "jon@mail.com"],
            "phone": [LANDLINE, LANDLINE, None, None],
        }
    )
    # A till receipt with only the landline, and a support ticket naming Bob's email.
    pos = pd.DataFrame({"receipt": ["R1"], "phone": [LANDLINE]})
    support = pd.DataFrame({"ticket": ["T1"], "email": ["bob@mail.com"], "phone": [LANDLINE]})
    g.add(crm, source="crm", id="row")
    g.add(pos, source="pos", id="receipt")
    g.add(support, source="support", id="ticket")
    return g


def test_a_shared_value_identifies_nobody() -> None:
    g = _household_graph(unlink=True)
    assert g.lookup(phone=LANDLINE) is None
    assert g.lookup_all(phone=LANDLINE)["status"].tolist() == ["shared"]
    assert g.lookup(email="bob@mail.com") == g.person_of("crm", "C2")
    kept = _household_graph(unlink=False)
    assert kept.lookup_all(phone=LANDLINE)["status"].tolist() == ["found"]


@pytest.mark.parametrize("unlink", [False, True])
def test_household_members_sharing_a_landline_stay_apart(unlink: bool) -> None:
    g = _household_graph(unlink=unlink)
    assert not _together(g, ("crm", "C1"), ("crm", "C2"))
    assert _together(g, ("crm", "C2"), ("support", "T1"))  # Bob's own email
    assert _together(g, ("crm", "C3"), ("crm", "C4"))  # one letter apart: one customer
    conflicts = g.conflicts()
    assert set(conflicts["limit"]) == {"first_name"}
    assert set(conflicts["kind"]) == {"phone"}
    assert set(conflicts["reason"]) == ({"shared_value"} if unlink else {"max_per_person"})


def test_unlinked_landline_links_nobody() -> None:
    kept = _household_graph(unlink=False)
    # the landline still links the receipt to whichever member kept it
    assert _together(kept, ("pos", "R1"), ("crm", "C1")) or _together(
        kept, ("pos", "R1"), ("crm", "C2")
    )
    shared = _household_graph(unlink=True)
    persons = shared.clusters().set_index(["source", "record_id"])["person_id"]
    assert (persons == shared.person_of("pos", "R1")).sum() == 1  # the receipt stands alone
    rows = shared.conflicts()
    assert sorted(rows["record_id"]) == ["C1", "C2", "R1", "T1"]  # every carrier of the value
    assert rows["other_person_id"].isna().all()  # nobody holds a shared value
    assert shared.n_persons == 4  # Ann, Bob with his ticket, Jonathan, the receipt


def test_conflicts_show_no_raw_names_or_numbers() -> None:
    g = _household_graph(unlink=True)
    text = g.conflicts().to_string() + repr(g) + repr(g.state.attr_codes)
    for raw in ("Ann", "ann", "Bob", "bob", "555", "0123"):
        assert raw not in text


def test_attributes_never_link_and_missing_values_are_no_evidence() -> None:
    g = ig.IdentityGraph([ig.Key("crm_id")], attributes=(Attribute("first_name"),))
    frame = pd.DataFrame(
        {
            "rid": ["a", "b", "c", "d"],
            "crm_id": ["K1", "K2", "K3", "K3"],
            "first_name": ["Ann", "Ann", None, "Zed"],  # c gives no name: no conflict with d
        }
    )
    g.add(frame, source="crm", id="rid")
    assert not _together(g, ("crm", "a"), ("crm", "b"))  # equal names link nothing
    assert _together(g, ("crm", "c"), ("crm", "d"))
    assert g.conflicts().empty


def test_frames_without_the_attribute_column_give_no_values() -> None:
    g = ig.IdentityGraph([ig.Key("crm_id")], attributes=(Attribute("first_name"),))
    g.add(pd.DataFrame({"rid": [1], "crm_id": ["K1"], "first_name": ["Ann"]}), source="a", id="rid")
    g.add(pd.DataFrame({"rid": [1], "crm_id": ["K1"]}), source="b", id="rid")
    g.add(pd.DataFrame({"rid": [2], "crm_id": ["K1"], "given": ["Bob"]}), source="c", id="rid",
          columns={"given": "first_name"})  # fmt: skip
    assert not _together(g, ("a", 1), ("c", 2))
    # the nameless record joins whichever of the two keeps the key
    assert _together(g, ("a", 1), ("b", 1)) != _together(g, ("c", 2), ("b", 1))
    assert g.state.attr_codes.codes[0].tolist() == [0, -1, 1]


def test_cap_of_two_with_exact_likeness() -> None:
    g = ig.IdentityGraph(
        [ig.Key("crm_id")], attributes=(Attribute("first_name", max_per_person=2, alike=None),)
    )
    frame = pd.DataFrame(
        {"rid": [1, 2, 3, 4], "crm_id": ["K"] * 4, "first_name": ["Ann", "Anne", "ann", "Bob"]}
    )
    g.add(frame, source="crm", id="rid")
    assert _together(g, ("crm", 1), ("crm", 2))
    assert _together(g, ("crm", 1), ("crm", 3))
    assert not _together(g, ("crm", 1), ("crm", 4))
    assert g.conflicts()["limit"].tolist() == ["first_name"]


def test_match_edges_respect_the_attribute_cap() -> None:
    g = ig.IdentityGraph([ig.Key("crm_id")], attributes=(Attribute("first_name"),))
    g.add(pd.DataFrame({"crm_id": ["K1", "K2"], "first_name": ["Ann", "Bob"]}), source="crm")
    pairs = pd.DataFrame({"source_l": ["crm"], "record_id_l": [0], "source_r": ["crm"],
                          "record_id_r": [1], "match_probability": [0.99]})  # fmt: skip
    g.link(pairs)
    assert g.n_persons == 2
    assert g.conflicts()[["kind", "limit"]].to_dict("records") == [
        {"kind": "match", "limit": "first_name"}
    ]


def test_removing_a_member_lets_the_shared_value_link_again() -> None:
    g = _household_graph(unlink=True)
    g.remove(records=[("crm", "C2"), ("support", "T1")])
    assert _together(g, ("crm", "C1"), ("pos", "R1"))
    assert g.conflicts().empty
    assert not len(g.state.cuts.shared)


# ------------------------------------------------------------------------------ properties
_KINDS = ("crm_id", "email", "phone")
_VOCAB: dict[str, list[str | None]] = {
    "crm_id": [None, None, None, "K1", "K2", "K3", "K4"],
    "email": [None, "e1", "e2", "e3", "e4"],
    "phone": [None, "p1", "p1", "p2", "p3"],
    "first_name": [None, "Ann", "ann ", "Anne", "Anna", "Bob", "Rob", "Robert", "Jon", "John"],
}


@st.composite
def named_graphs(draw: st.DrawFn, max_records: int = 14) -> dict[str, Any]:
    """Records with three identifier kinds and a first name, limits, unlinking kinds, matches."""
    n = draw(st.integers(1, max_records))
    columns = (*_KINDS, "first_name")
    rows = [(f"r{i}", *(draw(st.sampled_from(_VOCAB[c])) for c in columns)) for i in range(n)]
    matches: list[tuple[int, int, float]] = []
    if n > 1:
        pair = st.tuples(
            st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from([0.6, 0.95])
        ).filter(lambda t: t[0] != t[1])
        matches = draw(st.lists(pair, max_size=n // 3))
    return {
        "rows": rows,
        "limits": {k: draw(st.sampled_from([None, None, 1, 2])) for k in _KINDS},
        "max_records": {k: draw(st.sampled_from([None, None, 5])) for k in _KINDS},
        "unlink": draw(st.sets(st.sampled_from(_KINDS))),
        "attribute": Attribute(
            "first_name",
            transform=draw(st.sampled_from(["lower", "lower", "metaphone"])),
            max_per_person=draw(st.sampled_from([1, 1, 2])),
            alike=draw(st.sampled_from(["damerau1", "damerau1", 0.9, None])),
        ),
        "matches": matches,
    }


def _specs(data: dict[str, Any]) -> list[ig.Identifier]:
    return [
        ig.Key(
            kind,
            priority=priority,
            max_per_person=data["limits"][kind],
            max_records=data["max_records"][kind],
            on_shared="unlink" if kind in data["unlink"] else "keep",
        )
        for kind, priority in zip(_KINDS, (40, 30, 20), strict=True)
    ]


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rid", *_KINDS, "first_name"], dtype=object)


def _pairs(data: dict[str, Any]) -> pd.DataFrame:
    rows = data["rows"]
    return pd.DataFrame(
        {
            "source_l": "s",
            "record_id_l": [rows[i][0] for i, _, _ in data["matches"]],
            "source_r": "s",
            "record_id_r": [rows[j][0] for _, j, _ in data["matches"]],
            "match_probability": [p for _, _, p in data["matches"]],
        }
    )


def _new(data: dict[str, Any]) -> ig.IdentityGraph:
    return ig.IdentityGraph(_specs(data), attributes=(data["attribute"],))


def _bulk(data: dict[str, Any], rows: list[tuple[Any, ...]] | None = None) -> ig.IdentityGraph:
    g = _new(data)
    g.add(_frame(rows if rows is not None else data["rows"]), source="s", id="rid")
    if data["matches"]:
        g.link(_pairs(data))
    g.resolve()
    return g


def _conflict_set(g: ig.IdentityGraph) -> set[tuple[Any, ...]]:
    c = g.conflicts()
    columns = ["record_id", "kind", "other_record_id", "limit", "reason"]
    return set(zip(*(c[name] for name in columns), strict=True))


def _names_of_persons(g: ig.IdentityGraph) -> dict[int, set[str]]:
    records = g.records()
    values = g.attributes[0].values(records["first_name"])
    out: dict[int, set[str]] = {}
    for person, value in zip(g.clusters()["person_id"], values, strict=True):
        if value is not None:
            out.setdefault(int(person), set()).add(value)
    return out


def _unlike_count(attribute: Attribute, values: set[str]) -> int:
    """Largest number of mutually unlike values (brute force)."""
    best = 1 if values else 0
    for size in range(2, len(values) + 1):
        for group in combinations(sorted(values), size):
            if all(not attribute.is_alike(a, b) for a, b in combinations(group, 2)):
                best = size
    return best


@given(named_graphs())
def test_no_person_holds_more_unlike_names_than_the_cap(data: dict[str, Any]) -> None:
    g = _bulk(data)
    attribute = data["attribute"]
    for names in _names_of_persons(g).values():
        assert _unlike_count(attribute, names) <= attribute.max_per_person


@given(named_graphs())
def test_shared_values_are_cut_whole_and_every_other_cut_is_needed(data: dict[str, Any]) -> None:
    g = _bulk(data)
    rows = {r[0]: r for r in data["rows"]}
    attribute = data["attribute"]
    conflicts = g.conflicts()
    clusters = g.clusters()
    person = dict(zip(clusters["record_id"], clusters["person_id"], strict=True))
    column = {kind: 1 + i for i, kind in enumerate(_KINDS)}
    shared = conflicts[conflicts["reason"] == "shared_value"]
    assert set(shared["kind"]) <= data["unlink"]
    assert shared["other_person_id"].isna().all()
    # a shared value is cut from every one of its carriers
    for rid, kind in zip(shared["record_id"], shared["kind"], strict=True):
        value = rows[rid][column[kind]]
        carriers = {r for r, row in rows.items() if row[column[kind]] == value}
        cut = set(shared.loc[shared["kind"] == kind, "record_id"])
        assert carriers <= cut
    # values each person holds through links that were kept
    carried = Counter((k, row[column[k]]) for row in rows.values() for k in _KINDS)
    ident = conflicts[conflicts["kind"] != "match"]
    cut_links = set(zip(ident["record_id"], ident["kind"], strict=True))
    held: dict[int, dict[str, set[str]]] = {}
    for rid, row in rows.items():
        for kind in _KINDS:
            value, most = row[column[kind]], data["max_records"][kind]
            if value is None or (most is not None and carried[(kind, value)] > most):
                continue
            if (rid, kind) not in cut_links:
                held.setdefault(person[rid], {}).setdefault(kind, set()).add(value)
    names = _names_of_persons(g)
    # every other cut joins two persons that together would break the limit named
    for rid, kind, other, holder, limit, reason in zip(
        conflicts["record_id"], conflicts["kind"], conflicts["other_record_id"],
        conflicts["other_person_id"], conflicts["limit"], conflicts["reason"], strict=True,
    ):  # fmt: skip
        if reason == "shared_value" or (kind != "match" and pd.isna(holder)):
            continue  # a value that lost every link: nobody holds it
        mine, theirs = person[rid], person[other] if kind == "match" else int(holder)
        assert mine != theirs
        if limit == "first_name":
            union = names.get(mine, set()) | names.get(theirs, set())
            assert _unlike_count(attribute, union) > attribute.max_per_person
        else:
            both = held.get(mine, {}).get(limit, set()) | held.get(theirs, {}).get(limit, set())
            assert len(both) > data["limits"][limit]


@given(named_graphs(), st.randoms(use_true_random=False))
def test_split_is_the_same_under_shuffles(data: dict[str, Any], rnd: Any) -> None:
    g = _bulk(data)
    rows = list(data["rows"])
    rnd.shuffle(rows)
    h = _bulk(data, rows)
    assert _partition(g.clusters()) == _partition(h.clusters())
    pd.testing.assert_frame_equal(g.conflicts(), h.conflicts())  # rows in one order too
    left = g.clusters().sort_values("record_id", ignore_index=True)
    right = h.clusters().sort_values("record_id", ignore_index=True)
    assert left["person_id"].tolist() == right["person_id"].tolist()


@given(named_graphs(), st.data())
def test_incremental_adds_split_as_a_rebuild(data: dict[str, Any], draw: st.DataObject) -> None:
    rows = data["rows"]
    cuts = sorted(draw.draw(st.sets(st.integers(1, len(rows)), min_size=1, max_size=3)))
    g = _bulk(data)
    h = _new(data)
    start = 0
    for stop in cuts:  # the first batch is a bulk load, the others are updates
        if stop > start:
            h.add(_frame(rows[start:stop]), source="s", id="rid")
            h.resolve()
        start = stop
    if start < len(rows):
        h.add(_frame(rows[start:]), source="s", id="rid")
    if data["matches"]:
        h.link(_pairs(data))
    assert _partition(g.clusters()) == _partition(h.clusters())
    assert _conflict_set(g) == _conflict_set(h)


@given(named_graphs(), st.data())
def test_removals_split_as_a_rebuild(data: dict[str, Any], draw: st.DataObject) -> None:
    rows = data["rows"]
    gone = draw.draw(st.sets(st.sampled_from([r[0] for r in rows]), max_size=3))
    g = _bulk(data)
    g.remove(records=[("s", rid) for rid in sorted(gone)])
    left = [r for r in rows if r[0] not in gone]
    kept = {i for i, r in enumerate(rows) if r[0] not in gone}
    index = {i: left.index(rows[i]) for i in kept}
    matches = [(index[i], index[j], p) for i, j, p in data["matches"] if i in kept and j in kept]
    h = _bulk({**data, "rows": left, "matches": matches}, left)
    if len(h):
        assert _partition(g.clusters()) == _partition(h.clusters())
        assert _conflict_set(g) == _conflict_set(h)


# ------------------------------------------------------------------------------ save and load
def test_save_and_load_keep_attributes_and_shared_values(tmp_path: Path) -> None:
    g = _household_graph(unlink=True)
    g.save(tmp_path / "graph")
    h = ig.IdentityGraph.load(tmp_path / "graph")
    assert h.attributes == g.attributes
    assert [s.on_shared for s in h.identifiers] == [s.on_shared for s in g.identifiers]
    pd.testing.assert_frame_equal(h.clusters(), g.clusters())
    pd.testing.assert_frame_equal(h.conflicts(), g.conflicts())
    assert len(h.state.cuts.shared) == len(g.state.cuts.shared) == 1
    # both graphs go on alike: a new household member and a typo of a known name
    more = pd.DataFrame(
        {"row": ["C5", "C6"], "first_name": ["Cy", "Jonatan"], "phone": [LANDLINE, None],
         "email": ["cy@mail.com", "jon@mail.com"]}
    )  # fmt: skip
    for graph in (g, h):
        graph.add(more, source="crm", id="row")
    pd.testing.assert_frame_equal(h.clusters(), g.clusters())
    pd.testing.assert_frame_equal(h.conflicts(), g.conflicts())
    assert _together(h, ("crm", "C6"), ("crm", "C3"))


def test_store_writes_only_names_of_alive_records(tmp_path: Path) -> None:
    g = _household_graph(unlink=True)
    g.remove(records=[("crm", "C2")])
    g.save(tmp_path / "graph")
    h = ig.IdentityGraph.load(tmp_path / "graph")
    assert sorted(h.state.attr_codes.known[0]) == ["ann", "jonathan", "jonathon"]
    pd.testing.assert_frame_equal(h.clusters(), g.clusters())


def test_version_1_store_loads_without_attributes(tmp_path: Path) -> None:
    g = ig.IdentityGraph([ig.Key("crm_id")])
    g.add(pd.DataFrame({"crm_id": ["K1", "K1"]}), source="crm")
    g.save(tmp_path / "graph")
    manifest_path = tmp_path / "graph" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 1
    del manifest["attributes"]
    del manifest["files"]["shared.parquet"]
    for spec in manifest["specs"]:
        del spec["fields"]["on_shared"]
    (tmp_path / "graph" / "shared.parquet").unlink()
    manifest_path.write_text(json.dumps(manifest))
    h = ig.IdentityGraph.load(tmp_path / "graph")
    assert h.attributes == ()
    assert h.n_persons == 1
    assert np.array_equal(h.state.cuts.shared, np.empty(0, dtype=np.int64))
