"""The graph as a state machine: any sequence of steps keeps the invariants and the persons
a rebuild from the surviving records would give."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import hypothesis.strategies as st
import pandas as pd
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import identigraph as ig
from tests.partitions import partition as _partition
from tests.partitions import rebuilt as rebuilt_graph

SPECS = [
    ig.Email("email", hash=False),
    ig.Cookie("cookie_id", max_records=4, max_linked=2),  # hubs come and go
    ig.Key("crm_id", max_per_person=1),
]
EMAILS = [None, "ann@mail.com", "bob@mail.com", "cy@web.de"]
COOKIES = [None, "ck-1", "ck-2", "ck-3"]
KEYS = [None, "K1", "K2"]
DAYS = ["2024-01-01", "2024-06-01", "2024-12-01"]
NOW = "2025-01-01"

rows = st.lists(
    st.tuples(
        st.sampled_from(EMAILS), st.sampled_from(COOKIES), st.sampled_from(KEYS),
        st.sampled_from(DAYS),
    ),
    min_size=1,
    max_size=4,
)  # fmt: skip


def _frame(batch: list[tuple[object, ...]], ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "email": pd.Series([r[0] for r in batch], dtype=object),
            "cookie_id": pd.Series([r[1] for r in batch], dtype=object),
            "crm_id": pd.Series([r[2] for r in batch], dtype=object),
            "seen_at": pd.to_datetime([r[3] for r in batch]),
        },
        index=pd.Index(ids, dtype="int64"),
    )


class GraphMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.graph = ig.IdentityGraph(SPECS)
        self.next_id = 0
        self.alive: set[tuple[str, int]] = set()
        self.pairs: set[tuple[tuple[str, int], tuple[str, int]]] = set()

    def _ids(self, n: int) -> list[int]:
        ids = list(range(self.next_id, self.next_id + n))
        self.next_id += n
        return ids

    @rule(batch=rows, source=st.sampled_from(["crm", "web"]))
    def add(self, batch: list[tuple[object, ...]], source: str) -> None:
        ids = self._ids(len(batch))
        changes = self.graph.add(_frame(batch, ids), source=source)
        assert changes.records_added == len(batch)
        self.alive |= {(source, i) for i in ids}

    @precondition(lambda self: len(self.alive) >= 2)
    @rule(data=st.data())
    def link(self, data: st.DataObject) -> None:
        a, b = data.draw(st.lists(st.sampled_from(sorted(self.alive)), min_size=2, max_size=2))
        if a == b:
            return
        pairs = pd.DataFrame(
            {"source_l": [a[0]], "record_id_l": [a[1]], "source_r": [b[0]],
             "record_id_r": [b[1]], "match_probability": [0.95]}
        )  # fmt: skip
        self.graph.link(pairs, threshold=0.9)
        self.pairs.add((a, b))

    @precondition(lambda self: len(self.alive) >= 1)
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.alive)))
        changes = self.graph.remove(records=[key])
        assert changes.records_removed == 1
        self.alive.discard(key)
        self.pairs = {p for p in self.pairs if key not in p}

    @precondition(lambda self: self.next_id > 0)  # some source keeps the time column
    @rule(age=st.sampled_from(["30D", "200D", "400D"]))
    def expire(self, age: str) -> None:
        changes = self.graph.expire(age, time_column="seen_at", now=NOW)
        assert not changes.staged

    @rule(row=rows.map(lambda r: r[0]), source=st.sampled_from(["crm", "web"]))
    def resolve_one(self, row: tuple[object, ...], source: str) -> None:
        rid = self._ids(1)[0]
        record = {"rid": rid, "email": row[0], "cookie_id": row[1], "crm_id": row[2],
                  "seen_at": pd.Timestamp(str(row[3]))}  # fmt: skip
        pid = self.graph.resolve_one(record, source=source, id="rid")
        assert pid == self.graph.person_of(source, rid)
        self.alive.add((source, rid))

    @rule()
    def save_and_load(self) -> None:
        with TemporaryDirectory() as tmp:
            self.graph.save(Path(tmp) / "g")
            loaded = ig.IdentityGraph.load(Path(tmp) / "g")
        pd.testing.assert_frame_equal(loaded.clusters(), self.graph.clusters())
        self.graph = loaded

    @invariant()
    def state_is_consistent(self) -> None:
        self.graph.check_invariants()

    @invariant()
    def nothing_is_lost(self) -> None:
        clusters = self.graph.clusters()
        keys = set(
            zip(clusters["source"].astype(str), clusters["record_id"].astype(int), strict=True)
        )
        assert keys == self.alive
        assert len(clusters) == len(self.graph)

    @invariant()
    def same_persons_as_a_rebuild(self) -> None:
        rebuilt = rebuilt_graph(self.graph, SPECS)
        if self.pairs:
            left, right = zip(*sorted(self.pairs), strict=True)
            rebuilt.link(
                pd.DataFrame(
                    {"source_l": [k[0] for k in left], "record_id_l": [k[1] for k in left],
                     "source_r": [k[0] for k in right], "record_id_r": [k[1] for k in right],
                     "match_probability": 0.95}
                ),
                threshold=0.9,
            )  # fmt: skip
        assert _partition(rebuilt.clusters()) == _partition(self.graph.clusters())


GraphMachine.TestCase.settings = settings(settings.default, max_examples=15, stateful_step_count=10)
test_graph_machine = GraphMachine.TestCase
