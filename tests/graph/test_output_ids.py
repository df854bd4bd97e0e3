"""Output frames hold one record-id type per column and round-trip through Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import identigraph as ig
from identigraph.cli import demo_specs
from identigraph.errors import UnknownRecordError


def _demo_graph() -> ig.IdentityGraph:
    sources, _ = ig.datasets.customers(n_persons=300, seed=3)
    g = ig.IdentityGraph(demo_specs())
    for name, frame in sources.items():
        g.add(frame, source=name, id=ig.datasets.RECORD_ID_COLUMNS[name])
    return g


def _round_trip(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    frame.to_parquet(path)
    return pd.read_parquet(path)


def test_demo_outputs_round_trip_through_parquet(tmp_path: Path) -> None:
    g = _demo_graph()
    # The demo's sources mix integer and string ids.
    assert {g.state.records.id_kinds[s] for s in g.sources} == {"integer", "string"}
    frames = {
        "clusters": g.clusters(),
        "rejects": g.rejects,
        "conflicts": g.conflicts(),
        "records": g.records(),
        "golden": g.golden(),
    }
    assert len(frames["rejects"])
    assert len(frames["conflicts"])
    for name, frame in frames.items():
        back = _round_trip(frame, tmp_path / f"{name}.parquet")
        assert back.shape == frame.shape, name
        for column in ("record_id", "other_record_id"):
            if column in frame.columns:
                given = frame[column].astype(object).where(frame[column].notna(), None)
                read = back[column].astype(object).where(back[column].notna(), None)
                assert given.tolist() == read.tolist(), (name, column)


def test_mixed_sources_give_canonical_string_ids_that_name_the_records() -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"id": [7, 8], "email": ["a@x.io", "b@x.io"]}), source="crm", id="id")
    g.add(pd.DataFrame({"id": ["e1"], "email": ["a@x.io"]}), source="web", id="id")
    clusters = g.clusters()
    assert clusters["record_id"].tolist() == ["7", "8", "e1"]
    assert {type(v) for v in clusters["record_id"]} == {str}
    # The canonical form names the record; the source keeps its integer ids.
    assert g.person_of("crm", "7") == g.person_of("crm", 7) == g.person_of("web", "e1")
    with pytest.raises(UnknownRecordError):
        g.person_of("crm", "07")  # not the canonical form of 7
    changes = g.remove(records=clusters.iloc[[1]][["source", "record_id"]])
    assert changes.records_removed == 1
    assert g.clusters()["record_id"].tolist() == ["7", "e1"]


def test_one_id_type_keeps_the_ids_as_given() -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"id": [7, 8], "email": ["a@x.io", "b@x.io"]}), source="crm", id="id")
    g.add(pd.DataFrame({"id": [1], "email": ["a@x.io"]}), source="web", id="id")
    clusters = g.clusters()
    assert clusters["record_id"].dtype == np.int64
    assert clusters["record_id"].tolist() == [7, 8, 1]
    # A string source of digit ids: "1" names its record, the int 1 does too.
    h = ig.IdentityGraph([ig.Email("email")])
    h.add(pd.DataFrame({"id": ["1"], "email": ["a@x.io"]}), source="web", id="id")
    assert h.person_of("web", 1) == h.person_of("web", "1")
