"""Persons and facts: joins on record ids of any type, saved graphs, id remapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import identigraph as ig
from identigraph.activation import Persons, remap_person_ids
from identigraph.activation._keys import IdIndex, as_text


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"id": [1, 2, 3], "email": ["a@x.com", "b@x.com", "c@x.com"]}),
          source="pos", id="id")  # fmt: skip
    g.add(pd.DataFrame({"id": ["K1", "K2"], "email": ["a@x.com", "z@x.com"]}),
          source="crm", id="id")  # fmt: skip
    return g


@pytest.mark.parametrize(
    "ids",
    [
        [3, 1, 9],
        ["3", "1", "9"],
        np.array([3, 1, 9], dtype=np.int32),
        pd.Series([3.0, 1.0, 9.0]),
        pd.Series([3, "1", 9], dtype=object),
    ],
)
def test_facts_join_whatever_the_id_type(ids: object) -> None:
    g = _graph()
    orders = pd.DataFrame({"tx": ids, "total": [1.0, 2.0, 3.0]})
    out = Persons(g).facts(orders, source="pos", id="tx")
    assert out["person_id"].tolist()[:2] == [g.person_of("pos", 3), g.person_of("pos", 1)]
    assert out["person_id"].isna().tolist() == [False, False, True]
    assert "person_id" not in orders.columns  # the caller's frame is not modified


def test_facts_by_index_and_of_string_ids() -> None:
    g = _graph()
    tickets = pd.DataFrame({"n": [5, 6]}, index=pd.Index(["K2", "K1"]))
    out = Persons(g).facts(tickets, source="crm")
    assert out["person_id"].tolist() == [g.person_of("crm", "K2"), g.person_of("crm", "K1")]
    # a record of crm and one of pos with one email are one person
    assert g.person_of("crm", "K1") == g.person_of("pos", 1)


def test_unknown_source_and_missing_column() -> None:
    persons = Persons(_graph())
    assert persons.person_keys("nope", [1, 2]).tolist() == [-1, -1]
    with pytest.raises(ig.MissingColumnError):
        persons.facts(pd.DataFrame({"a": [1]}), source="pos", id="tx")
    with pytest.raises(ig.InputError):
        Persons("not a graph")  # type: ignore[arg-type]


def test_saved_graph_gives_the_same_persons(tmp_path: object) -> None:
    g = _graph()
    path = f"{tmp_path}/store"
    g.save(path)
    live, saved = Persons(g), Persons.load(path)
    orders = pd.DataFrame({"tx": ["2", 3, 1]})
    assert (
        live.facts(orders, source="pos", id="tx")["person_id"].tolist()
        == saved.facts(orders, source="pos", id="tx")["person_id"].tolist()
    )
    assert np.array_equal(live.person_ids, saved.person_ids)


def test_records_carry_their_person() -> None:
    g = _graph()
    recs = Persons(g).records()
    expected = [g.person_of(s, r) for s, r in zip(recs["source"], recs["record_id"], strict=True)]
    assert recs["person_id"].tolist() == expected


def test_erased_records_do_not_come_back() -> None:
    g = _graph()
    g.remove(records=[("pos", 2)])
    out = Persons(g).facts(pd.DataFrame({"tx": [2, 1]}), source="pos", id="tx")
    assert out["person_id"].isna().tolist() == [True, False]


def test_as_text_and_index() -> None:
    assert as_text(pd.Series([7, "7", 7.0, None], dtype=object)).tolist() == ["7", "7", "7", None]
    index = IdIndex(pd.Series(["a", 1, "1"], dtype=object))
    assert index.positions(pd.Series([1, "a", "b"], dtype=object)).tolist() == [1, 0, -1]


def test_remap_person_ids_follows_chains_of_merges() -> None:
    history = pd.DataFrame(
        {
            "old_id": [5, 6, 7, 8],
            "new_id": [6, 9, 70, 80],
            "reason": ["merge", "merge", "split", "merge"],
        }
    )
    assert remap_person_ids(np.array([5, 6, 7, 8, 1]), history).tolist() == [9, 9, 7, 80, 1]


def test_remap_person_ids_on_a_real_merge() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie")])
    g.add(pd.DataFrame({"email": ["a@x.com", None], "cookie": [None, "c1"]}), source="web")
    g.resolve()
    before = [g.person_of("web", 0), g.person_of("web", 1)]
    assert before[0] != before[1]
    g.add(pd.DataFrame({"email": ["a@x.com"], "cookie": ["c1"]}), source="crm")
    now = g.person_of("web", 0)
    assert remap_person_ids(np.array(before), g.id_history()).tolist() == [now, now]
