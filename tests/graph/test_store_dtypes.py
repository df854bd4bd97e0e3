"""What ``add`` accepts, ``save`` writes and ``load`` reads back; what it cannot, it refuses."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import identigraph as ig
from tests.strategies import STORE_COLUMN_KINDS

SPECS = [ig.Email("email"), ig.Key("card")]
N = 3
EMAILS = ["ann@mail.org", "bob@mail.org", "cy@mail.org"]


def _string_like(categories: pd.Index) -> bool:
    if isinstance(categories.dtype, pd.StringDtype):
        return True
    return categories.dtype == np.dtype(object) and pd.api.types.infer_dtype(categories) in (
        "string",
        "empty",
    )


def canonical(records: pd.DataFrame, *, erased: bool) -> pd.DataFrame:
    """The documented canonical form a store gives (``docs/reliability.md``).

    Categoricals whose categories are not strings keep the categories a record
    uses, sorted; after an erasure, every categorical keeps only the categories
    its remaining records use.
    """
    out = records.copy()
    for name in out.columns[[isinstance(d, pd.CategoricalDtype) for d in out.dtypes]]:
        column = out[name]
        string = _string_like(column.cat.categories)
        if erased or not string:
            column = column.cat.remove_unused_categories()
        if not string and not column.cat.categories.is_monotonic_increasing:
            column = column.cat.reorder_categories(column.cat.categories.sort_values())
        out[name] = column
    return out


def _frame(column: object) -> pd.DataFrame:
    if isinstance(column, pd.Series):
        column = column.array  # by position, not aligned on the frame's index
    return pd.DataFrame(
        {"email": EMAILS, "k": column}, index=pd.Index([f"r{i}" for i in range(N)], name="rid")
    )


Build = Callable[[], pd.DataFrame]
#: Case -> (frame builder, outcome): "equal" (exact round trip), "canonical" (the
#: documented form), or the typed error ``add`` raises before appending anything.
CASES: dict[str, tuple[Build, str | type[Exception]]] = {
    "object text": (lambda: _frame(pd.Series(["a", None, "c"], dtype=object)), "equal"),
    "str (pandas default)": (lambda: _frame(pd.Series(["a", None, "c"], dtype="str")), "equal"),
    "string python": (
        lambda: _frame(pd.Series(["a", None, "c"], dtype=pd.StringDtype("python"))),
        "equal",
    ),
    "string pyarrow": (
        lambda: _frame(pd.Series(["a", None, "c"], dtype=pd.StringDtype("pyarrow"))),
        "equal",
    ),
    "Arrow string": (
        lambda: _frame(pd.Series(["a", None, "c"], dtype=pd.ArrowDtype(pa.string()))),
        "equal",
    ),
    "Arrow dictionary": (
        lambda: _frame(
            pd.Series(["a", None, "a"], dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string())))
        ),
        ig.DtypeError,
    ),
    "categorical text, unused category": (
        lambda: _frame(pd.Categorical(["a", None, "b"], categories=["z", "b", "a"])),
        "equal",
    ),
    "categorical text, ordered": (
        lambda: _frame(pd.Categorical(["a", None, "b"], categories=["b", "a"], ordered=True)),
        "equal",
    ),
    "categorical int": (lambda: _frame(pd.Categorical([2, None, 1])), "equal"),
    "categorical int, unused category": (
        lambda: _frame(pd.Categorical([2, None, 1], categories=[3, 2, 1])),
        "canonical",
    ),
    "categorical int, ordered decreasing": (
        lambda: _frame(pd.Categorical([2, None, 1], categories=[2, 1], ordered=True)),
        ig.DtypeError,
    ),
    "categorical, all missing": (lambda: _frame(pd.Categorical([None] * N)), "equal"),
    "categorical of mixed int and str": (
        lambda: _frame(pd.Categorical([1, "a", None])),
        ig.DtypeError,
    ),
    "categorical of periods": (
        lambda: _frame(pd.Categorical(pd.period_range("2020-01", periods=N, freq="M"))),
        ig.DtypeError,
    ),
    "Int64": (lambda: _frame(pd.array([1, None, 2**62], dtype="Int64")), "equal"),
    "UInt64": (lambda: _frame(pd.array([1, None, 2**64 - 1], dtype="UInt64")), "equal"),
    "Int8": (lambda: _frame(pd.array([1, None, -8], dtype="Int8")), "equal"),
    "Float64": (lambda: _frame(pd.array([1.5, None, 3.0], dtype="Float64")), "equal"),
    "float with NaN and inf": (lambda: _frame([np.nan, np.inf, -np.inf]), "equal"),
    "float32": (lambda: _frame(np.array([1.5, np.nan, np.inf], dtype="float32")), "equal"),
    "bool": (lambda: _frame([True, False, True]), "equal"),
    "boolean": (lambda: _frame(pd.array([True, None, False], dtype="boolean")), "equal"),
    "Decimal": (
        lambda: _frame(pd.Series([decimal.Decimal("1.50"), None, decimal.Decimal("-3")])),
        "equal",
    ),
    "Decimal NaN (missing to pandas)": (
        lambda: _frame(pd.Series([decimal.Decimal("1.5"), decimal.Decimal("NaN"), None])),
        "canonical",
    ),
    "Decimal infinity": (
        lambda: _frame(pd.Series([decimal.Decimal("1.5"), decimal.Decimal("Infinity"), None])),
        ig.DtypeError,
    ),
    "Arrow decimal": (
        lambda: _frame(
            pd.Series(
                [decimal.Decimal("1.50"), None, decimal.Decimal("-3.00")],
                dtype=pd.ArrowDtype(pa.decimal128(10, 2)),
            )
        ),
        "equal",
    ),
    "datetime64[ns]": (
        lambda: _frame(pd.to_datetime(["2020-01-01", None, "2021-01-01"]).astype("M8[ns]")),
        "equal",
    ),
    "datetime64[s]": (
        lambda: _frame(pd.to_datetime(["2020-01-01", None, "2021-01-01"]).astype("M8[s]")),
        "equal",
    ),
    "datetime with time zone, seconds": (
        lambda: _frame(
            pd.to_datetime(["2020-01-01", None, "2021-01-01"])
            .astype("M8[s]")
            .tz_localize("Europe/Berlin")
        ),
        "equal",
    ),
    "Arrow timestamp[s]": (
        lambda: _frame(
            pd.Series(pd.to_datetime(["2020-01-01", None, "2021-01-01"])).astype(
                pd.ArrowDtype(pa.timestamp("s"))
            )
        ),
        "equal",
    ),
    "timedelta64[s]": (
        lambda: _frame(pd.to_timedelta([1, None, 3], unit="s").astype("m8[s]")),
        "equal",
    ),
    "object dates": (lambda: _frame([dt.date(2020, 1, 1), None, dt.date(2021, 1, 1)]), "equal"),
    "lists": (lambda: _frame(pd.Series([["a"], None, ["b", "c"]], dtype=object)), "equal"),
    "nested lists": (lambda: _frame(pd.Series([[["a"]], [], None], dtype=object)), "equal"),
    "sets": (lambda: _frame(pd.Series([{"a"}, None, {"b"}], dtype=object)), ig.DtypeError),
    "mixed int and str": (lambda: _frame(pd.Series([1, "a", None], dtype=object)), ig.DtypeError),
    "None and NaN in one object column": (
        lambda: _frame(pd.Series([1.5, None, np.nan], dtype=object)),
        "canonical",
    ),
    "duplicate non-identifier names": (
        lambda: pd.DataFrame([["ann@mail.org", 1, 2]], columns=["email", "k", "k"]),
        ig.InputError,
    ),
    "MultiIndex columns": (
        lambda: pd.DataFrame(
            [["ann@mail.org", 1]], columns=pd.MultiIndex.from_tuples([("email", ""), ("k", "a")])
        ),
        ig.InputError,
    ),
    "MultiIndex row index": (
        lambda: pd.DataFrame(
            {"email": ["ann@mail.org"]}, index=pd.MultiIndex.from_tuples([("a", 1)])
        ),
        ig.InputError,
    ),
    "reserved column name": (
        lambda: pd.DataFrame({"email": ["ann@mail.org"], "__identigraph_record_id__": [1]}),
        ig.InputError,
    ),
    "Int64 record ids": (
        lambda: pd.DataFrame({"email": EMAILS}, index=pd.Index([3, 1, 2], dtype="Int64")),
        "equal",
    ),
    "categorical record ids": (
        lambda: pd.DataFrame({"email": EMAILS}, index=pd.CategoricalIndex(["x", "y", "z"])),
        "equal",
    ),
    "Arrow string record ids": (
        lambda: pd.DataFrame(
            {"email": EMAILS}, index=pd.Index(["x", "y", "z"], dtype=pd.ArrowDtype(pa.string()))
        ),
        "equal",
    ),
    "datetime64[s] record ids": (
        lambda: pd.DataFrame(
            {"email": EMAILS},
            index=pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"]).astype("M8[s]"),
        ),
        "equal",
    ),
}


def _records_canonical(records: pd.DataFrame) -> pd.DataFrame:
    """Also one spelling of missing per object column of a batch (here: of a source)."""
    out = canonical(records, erased=False)
    for name in out.columns[[d == np.dtype(object) for d in out.dtypes]]:  # one per column
        values = out[name].to_numpy(dtype=object, copy=True)
        for source in out["source"].unique():  # one step per source (one batch each here)
            rows = (out["source"] == source).to_numpy() & pd.isna(values)
            nan = any(isinstance(v, float) for v in values[rows])
            values[rows] = np.nan if nan else None
        out[name] = pd.Series(values, index=out.index, dtype=object)
    return out


@pytest.mark.parametrize(("build", "outcome"), list(CASES.values()), ids=list(CASES))
def test_add_refuses_what_the_store_cannot_keep_and_the_rest_reads_back(
    build: Build, outcome: str | type[Exception], tmp_path: Path
) -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"card": ["C1"]}, index=["first"]), source="crm")
    if not isinstance(outcome, str):
        g.save(tmp_path / "g")
        before = g.records()
        with pytest.raises(outcome) as err:
            g.add(build(), source="web")
        assert type(err.value) is outcome
        assert not [e for e in EMAILS if e in str(err.value)]
        pd.testing.assert_frame_equal(g.records(), before)
        pd.testing.assert_frame_equal(ig.IdentityGraph.load(tmp_path / "g").records(), before)
        return
    g.add(build(), source="web")
    g.save(tmp_path / "g")
    loaded = ig.IdentityGraph.load(tmp_path / "g").records()
    if outcome == "equal":
        pd.testing.assert_frame_equal(loaded, g.records())
    else:
        with pytest.raises(AssertionError):  # a canonical case is not an exact one
            pd.testing.assert_frame_equal(loaded, g.records())
        pd.testing.assert_frame_equal(loaded, _records_canonical(g.records()))


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(
        st.sampled_from(sorted(STORE_COLUMN_KINDS)), min_size=1, max_size=4, unique=True
    ),
    n=st.integers(1, 6),
    erase=st.lists(st.integers(0, 5), max_size=2, unique=True),
    data=st.data(),
)
def test_save_then_load_gives_what_add_accepted(
    kinds: list[str], n: int, erase: list[int], data: st.DataObject, tmp_path: Path
) -> None:
    # Two records a person: a person's columns hold values of two records.
    columns: dict[str, object] = {"email": [f"p{i // 2}@mail.org" for i in range(n)]}
    for kind in kinds:
        cells, build = STORE_COLUMN_KINDS[kind]
        values = data.draw(st.lists(cells, min_size=n, max_size=n), label=kind)
        columns[kind] = build(values)  # type: ignore[operator]
    frame = pd.DataFrame(columns, index=pd.Index([f"r{i}" for i in range(n)], name="rid"))
    g = ig.IdentityGraph(SPECS)
    g.add(frame, source="web")
    gone = sorted({i for i in erase if i < n})
    if gone:
        g.remove(records=[("web", f"r{i}") for i in gone])
    g.save(tmp_path / "g")
    loaded = ig.IdentityGraph.load(tmp_path / "g").records()
    pd.testing.assert_frame_equal(loaded, canonical(g.records(), erased=bool(gone)))
