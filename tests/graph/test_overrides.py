"""Overrides: must-links and cannot-links that hold through every update, save and load."""

from __future__ import annotations

import json
from pathlib import Path
from tempfile import TemporaryDirectory

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import identigraph as ig
from identigraph.graph.ops.overrides import check_overrides
from tests.partitions import partition as _partition
from tests.partitions import rebuilt as rebuilt_graph

SPECS = [
    ig.Email("email", hash=False),
    ig.Cookie("cookie_id", max_records=4),
    ig.Key("crm_id", max_per_person=1),
]


def _frame(rows: list[tuple[object, object, object]], ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "email": np.array([r[0] for r in rows], dtype=object),
            "cookie_id": np.array([r[1] for r in rows], dtype=object),
            "crm_id": np.array([r[2] for r in rows], dtype=object),
            "seen_at": pd.to_datetime(["2024-01-01"] * len(rows)),
        },
        index=pd.Index(ids, dtype="int64"),
    )


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph(SPECS)
    g.add(
        _frame(
            [("ann@mail.com", "c1", "K1"), ("ann@mail.com", "c2", None), (None, "c2", None),
             ("bob@mail.com", None, "K2")],
            [1, 2, 3, 4],
        ),
        source="crm",
    )  # fmt: skip
    g.build_indexes()
    return g


def test_must_link_joins_persons_and_wins_over_limits() -> None:
    g = _graph()
    assert g.person_of("crm", 1) != g.person_of("crm", 4)
    changes = g.must_link(("crm", 1), ("crm", 4), reason="one customer, two CRM keys")
    assert len(changes.merges) == 1
    assert g.person_of("crm", 1) == g.person_of("crm", 4) == g.person_of("crm", 3)
    # Two CRM keys break max_per_person=1; the must-link is never cut, nor what it joins.
    g.add(_frame([(None, "c2", None)], [5]), source="crm")
    assert g.person_of("crm", 4) == g.person_of("crm", 1)
    g.check_invariants()
    assert g.overrides()[["kind", "source_a", "record_id_a", "record_id_b"]].values.tolist() == [
        ["must_link", "crm", 1, 4]
    ]


def test_cannot_link_cuts_the_weakest_links_and_shows_why() -> None:
    g = _graph()
    pid = g.person_of("crm", 1)
    changes = g.cannot_link(("crm", 1), ("crm", 3), reason="shared family laptop")
    assert changes.splits["old_id"].tolist() == [pid]
    assert g.person_of("crm", 1) != g.person_of("crm", 3)
    assert g.person_of("crm", 1) == g.person_of("crm", 2)  # the email is stronger than c2
    conflicts = g.conflicts()
    assert conflicts["reason"].tolist() == ["cannot_link"]
    assert conflicts["kind"].tolist() == ["cookie"]
    assert conflicts["override_reason"].tolist() == ["shared family laptop"]
    why = g.explain(("crm", 1), ("crm", 3))
    assert not why.linked
    assert why.reason == "cannot_link"
    g.check_invariants()


def test_contradicting_overrides_are_refused() -> None:
    g = _graph()
    g.must_link(("crm", 1), ("crm", 4))
    with pytest.raises(ig.OverrideConflictError, match="drop one") as err:
        g.cannot_link(("crm", 4), ("crm", 1))
    assert err.value.count == 1
    assert isinstance(err.value, ValueError)
    with pytest.raises(ig.OverrideConflictError, match="two different records"):
        g.must_link(("crm", 2), ("crm", 2))
    assert len(g.overrides()) == 1
    with pytest.raises(ig.OverrideConflictError):
        check_overrides(np.array([0, 0, 1]), np.array([1, 2, 1]), np.array([2, 3, 3]))


def test_drop_override_restores_the_evidence() -> None:
    g = _graph()
    g.cannot_link(("crm", 1), ("crm", 3), reason="x")
    with pytest.raises(ig.UnknownOverrideError):
        g.drop_override(("crm", 1), ("crm", 3), kind="must_link")
    changes = g.drop_override(("crm", 3), ("crm", 1))
    assert len(changes.merges) == 1
    assert g.person_of("crm", 1) == g.person_of("crm", 3)
    assert g.overrides().empty
    assert g.conflicts().empty


def test_erasure_drops_the_overrides_naming_the_record() -> None:
    g = _graph()
    g.must_link(("crm", 1), ("crm", 4))
    g.cannot_link(("crm", 2), ("crm", 3))
    g.remove(records=[("crm", 4)])
    assert g.overrides()["kind"].tolist() == ["cannot_link"]
    g.check_invariants()


def test_person_ids_stand_for_their_records() -> None:
    g = _graph()
    ann, bob = g.person_of("crm", 1), g.person_of("crm", 4)
    g.must_link(ann, bob, reason="merge")
    assert g.n_persons == 1
    assert len(g.overrides()) == 3  # one chain through the four records
    with pytest.raises(ig.InputError, match="person id"):
        g.must_link("crm", ("crm", 1))  # type: ignore[arg-type]


def test_overrides_survive_a_store_and_rebuild_alike(tmp_path: Path) -> None:
    g = _graph()
    g.cannot_link(("crm", 1), ("crm", 3), reason="laptop")
    g.must_link(("crm", 2), ("crm", 4), reason="same")
    g.save(tmp_path / "g")
    manifest = json.loads((tmp_path / "g" / "manifest.json").read_text())
    assert manifest["format_version"] == 7  # overrides and the survivor policy
    assert "overrides.parquet" in manifest["files"]
    h = ig.IdentityGraph.load(tmp_path / "g")
    pd.testing.assert_frame_equal(h.overrides(), g.overrides())
    pd.testing.assert_frame_equal(h.conflicts(), g.conflicts())
    pd.testing.assert_frame_equal(h.clusters(), g.clusters())
    # A rebuild from the records with the same overrides: the same persons and ids.
    rebuilt = ig.IdentityGraph(SPECS)
    records = g.records()
    rebuilt.add(records.drop(columns="source").set_index("record_id"), source="crm")
    assert rebuilt.add_overrides(g.overrides()).staged
    pd.testing.assert_frame_equal(rebuilt.clusters(), g.clusters())
    with pytest.raises(ig.MissingColumnError):
        rebuilt.add_overrides(g.overrides().drop(columns="kind"))
    with pytest.raises(ig.InputError, match="kind"):
        rebuilt.add_overrides(g.overrides().assign(kind="maybe"))


# ------------------------------------------------------------------ stateful
EMAILS = [None, "ann@mail.com", "bob@mail.com"]
COOKIES = [None, "ck-1", "ck-2"]
KEYS = [None, "K1", "K2"]
rows = st.lists(
    st.tuples(st.sampled_from(EMAILS), st.sampled_from(COOKIES), st.sampled_from(KEYS)),
    min_size=1,
    max_size=4,
)


class OverrideMachine(RuleBasedStateMachine):
    """Any sequence of steps: every override holds, and a rebuild gives the same persons."""

    def __init__(self) -> None:
        super().__init__()
        self.graph = ig.IdentityGraph(SPECS)
        self.next_id = 0
        self.alive: list[tuple[str, int]] = []

    @rule(batch=rows, source=st.sampled_from(["crm", "web"]))
    def add(self, batch: list[tuple[object, object, object]], source: str) -> None:
        ids = list(range(self.next_id, self.next_id + len(batch)))
        self.next_id += len(batch)
        self.graph.add(_frame(batch, ids), source=source)
        self.alive += [(source, i) for i in ids]

    @precondition(lambda self: len(self.alive) >= 2)
    @rule(data=st.data(), kind=st.sampled_from(["must", "cannot"]), reason=st.text(max_size=3))
    def override(self, data: st.DataObject, kind: str, reason: str) -> None:
        a, b = data.draw(st.lists(st.sampled_from(sorted(self.alive)), min_size=2, max_size=2))
        method = self.graph.must_link if kind == "must" else self.graph.cannot_link
        before = len(self.graph.overrides())
        try:
            method(a, b, reason=reason)
        except ig.OverrideConflictError:
            assert len(self.graph.overrides()) == before
            return
        assert len(self.graph.overrides()) == before + 1

    @precondition(lambda self: len(self.alive) >= 1)
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.alive)))
        self.graph.remove(records=[key])
        self.alive.remove(key)
        named = self.graph.overrides()
        for side in ("a", "b"):
            ends = zip(named[f"source_{side}"], named[f"record_id_{side}"].astype(int), strict=True)
            assert key not in set(ends)

    @precondition(lambda self: len(self.graph.overrides()) > 0 and not self.graph.state.staged)
    @rule(data=st.data())
    def drop(self, data: st.DataObject) -> None:
        named = self.graph.overrides()
        row = named.iloc[data.draw(st.integers(0, len(named) - 1))]
        self.graph.drop_override(
            (row["source_a"], int(row["record_id_a"])),
            (row["source_b"], int(row["record_id_b"])),
            kind=row["kind"],
        )

    @precondition(lambda self: self.next_id > 0)
    @rule(age=st.sampled_from(["30D", "400D"]))
    def expire(self, age: str) -> None:
        self.graph.expire(age, time_column="seen_at", now="2025-01-01")

    @rule()
    def save_and_load(self) -> None:
        with TemporaryDirectory() as tmp:
            self.graph.save(Path(tmp) / "g")
            loaded = ig.IdentityGraph.load(Path(tmp) / "g")
        pd.testing.assert_frame_equal(loaded.overrides(), self.graph.overrides())
        pd.testing.assert_frame_equal(loaded.clusters(), self.graph.clusters())
        self.graph = loaded

    @invariant()
    def overrides_hold(self) -> None:
        self.graph.check_invariants()  # must-links one person, cannot-links two
        named = self.graph.overrides()
        clusters = self.graph.clusters()
        person = dict(
            zip(
                zip(clusters["source"].astype(str), clusters["record_id"].astype(int), strict=True),
                clusters["person_id"].tolist(),
                strict=True,
            )
        )
        for row in named.itertuples(index=False):
            same = (
                person[(row.source_a, int(row.record_id_a))]
                == person[(row.source_b, int(row.record_id_b))]
            )
            assert same == (row.kind == "must_link")

    @invariant()
    def same_persons_as_a_rebuild(self) -> None:
        rebuilt = rebuilt_graph(self.graph, SPECS)
        rebuilt.add_overrides(self.graph.overrides())
        assert _partition(rebuilt.clusters()) == _partition(self.graph.clusters())


OverrideMachine.TestCase.settings = settings(
    settings.default, max_examples=15, stateful_step_count=10
)
test_override_machine = OverrideMachine.TestCase


@given(
    ends=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=25),
    region=st.sets(st.integers(0, 30), max_size=31)
    | st.tuples(st.integers(0, 31), st.integers(0, 31)).map(lambda r: set(range(*r))),
)
def test_overrides_within_a_region_both_ways(ends: list[tuple[int, int]], region: set[int]) -> None:
    """Overrides inside a region: from the region's side, from the ends', or by offset."""
    from identigraph.graph.state.overrides import MUST_LINK, OverrideTable

    table = OverrideTable()
    pairs = [(a, b) for a, b in ends if a != b]
    table.append(
        np.full(len(pairs), MUST_LINK), np.array([a for a, _ in pairs], dtype=np.int64),
        np.array([b for _, b in pairs], dtype=np.int64), ["r"] * len(pairs), 0,
    )  # fmt: skip
    inside = np.array(sorted(region), dtype=np.int64)
    rows, ia, ib = table.within(inside)
    want = [j for j, (a, b) in enumerate(pairs) if a in region and b in region]
    assert rows.tolist() == want
    assert inside[ia].tolist() == table.a[rows].tolist()
    assert inside[ib].tolist() == table.b[rows].tolist()
