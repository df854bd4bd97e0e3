"""Records as pandas, Arrow, polars or DuckDB: one pandas frame, copied no more than needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph._frames import ACCEPTED, to_pandas

FRAME = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "email": ["ann@mail.com", None, "bob@mail.com"],
        "total": [1.5, 2.0, np.nan],
    }
)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for column in want.columns:
        assert got[column].isna().tolist() == want[column].isna().tolist()
        assert got[column].dropna().tolist() == want[column].dropna().tolist()


def test_pandas_is_returned_itself() -> None:
    assert to_pandas(FRAME) is FRAME


@pytest.mark.parametrize("kind", ["table", "batch"])
def test_pyarrow(kind: str) -> None:
    table = pa.Table.from_pandas(FRAME, preserve_index=False)
    data = table if kind == "table" else table.to_batches()[0]
    _same(to_pandas(data), FRAME)


def test_numeric_columns_share_arrow_buffers() -> None:
    values = np.arange(1000, dtype=np.int64)
    table = pa.table({"id": values})
    frame = to_pandas(table)
    address = table.column("id").chunk(0).buffers()[1].address
    assert frame["id"].to_numpy().__array_interface__["data"][0] == address


def test_polars() -> None:
    pl = pytest.importorskip("polars")
    data = pl.from_pandas(FRAME)
    _same(to_pandas(data), FRAME)
    _same(to_pandas(data.lazy()), FRAME)


def test_duckdb_relation() -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.register("people", pa.Table.from_pandas(FRAME, preserve_index=False))
    _same(to_pandas(con.sql("select * from people order by id")), FRAME)


class _Stream:
    """Any object exporting the Arrow C stream interface."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.table.__arrow_c_stream__(requested_schema)


def test_arrow_c_stream() -> None:
    _same(to_pandas(_Stream(pa.Table.from_pandas(FRAME, preserve_index=False))), FRAME)


@pytest.mark.parametrize("data", [[1, 2], {"id": [1]}, "crm.csv", np.zeros((2, 2)), None])
def test_unsupported_type_names_itself_and_the_accepted(data: object) -> None:
    with pytest.raises(ig.UnsupportedFrameError) as info:
        to_pandas(data, argument="records")
    message = str(info.value)
    assert message.startswith("records must be a table of records, got ")
    assert info.value.got in message
    assert all(name in message for name in ACCEPTED)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ig.InputError)


def test_unsupported_message_shows_no_data() -> None:
    with pytest.raises(ig.UnsupportedFrameError) as info:
        to_pandas([{"email": "ann@mail.com"}])
    assert "ann@mail.com" not in str(info.value)
    assert info.value.got == "list"


@given(
    st.lists(
        st.tuples(st.integers(-(2**40), 2**40), st.one_of(st.none(), st.text(max_size=8))),
        max_size=30,
    )
)
def test_arrow_round_trip_keeps_every_value(rows: list[tuple[int, str | None]]) -> None:
    ids = [r[0] for r in rows]
    texts = [r[1] for r in rows]
    table = pa.table({"id": pa.array(ids, pa.int64()), "text": pa.array(texts, pa.string())})
    frame = to_pandas(table)
    assert frame["id"].tolist() == ids
    assert [None if pd.isna(v) else v for v in frame["text"].tolist()] == texts
