"""Frame-level checks before ``add``: shapes, names, ids and column types."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import identigraph as ig
from identigraph.matcher._frame_checks import RESERVED_PREFIX, check_frame

SPECS = (ig.Email("email"), ig.Phone("phone", region="US"), ig.Key("card"))
_EMAILS = ["ann@mail.org", "bob@mail.org", "ann@mail.org"]


def _frame(**columns: object) -> pd.DataFrame:
    return pd.DataFrame({"email": _EMAILS, **columns})


def _multi_columns() -> pd.DataFrame:
    frame = _frame(v=[1, 2, 3])
    frame.columns = pd.MultiIndex.from_tuples([("email", ""), ("v", "x")])
    return frame


def _arrow(array: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(array))


# Each case: the frame, check_frame's keyword arguments, and the error expected.
STRUCTURE_CASES = {
    "not-a-frame": ({"email": _EMAILS}, {}, ig.UnsupportedFrameError),
    "series": (pd.Series(_EMAILS, name="email"), {}, ig.UnsupportedFrameError),
    "multiindex-columns": (_multi_columns(), {}, ig.InputError),
    "repeated-identifier-column": (
        pd.DataFrame([_EMAILS[:2]] * 2, columns=["email", "email"]),
        {},
        ig.InputError,
    ),
    "repeated-kept-column": (
        pd.DataFrame([["a@b.io", 1, 2]], columns=["email", "v", "v"]),
        {},
        ig.InputError,
    ),
    "rename-onto-existing": (_frame(mail=_EMAILS), {"columns": {"mail": "email"}}, ig.InputError),
    "renames-onto-each-other": (
        _frame(a=[1, 2, 3], b=[1, 2, 3]),
        {"columns": {"a": "x", "b": "x"}},
        ig.InputError,
    ),
    "repeated-id-column": (
        pd.DataFrame([["a@b.io", 1, 2]], columns=["email", "rid", "rid"]),
        {"id": "rid"},
        ig.InputError,
    ),
    "columns-not-a-mapping": (_frame(), {"columns": [("email", "mail")]}, ig.InputError),
    "id-not-a-string": (_frame(), {"id": 0}, ig.InputError),
    "keep-a-string": (_frame(v=[1, 2, 3]), {"keep": "v"}, ig.InputError),
    "keep-a-set": (_frame(v=[1, 2, 3]), {"keep": {"v"}}, ig.InputError),
    "keep-a-list-in-a-list": (_frame(v=[1, 2, 3]), {"keep": [["v"]]}, ig.InputError),
    "rename-to-a-list": (_frame(v=[1, 2, 3]), {"columns": {"v": ["w"]}}, ig.InputError),
    "rename-to-an-int": (_frame(v=[1, 2, 3]), {"columns": {"v": 0}}, ig.InputError),
    "int-column-name": (_frame(**{"0": [1, 2, 3]}).rename(columns={"0": 0}), {}, ig.InputError),
    "tuple-column-name": (_frame().assign(x=1).rename(columns={"x": ("a", 1)}), {}, ig.InputError),
    "reserved-name": (_frame(**{"__identigraph_record_id__": [1, 2, 3]}), {}, ig.InputError),
    "reserved-prefix": (_frame(**{RESERVED_PREFIX + "_x": [1, 2, 3]}), {}, ig.InputError),
    "multiindex-rows": (
        _frame().set_index(pd.MultiIndex.from_tuples([(1, "a"), (1, "b"), (2, "a")])),
        {},
        ig.InputError,
    ),
    "mixed-type-ids": (
        _frame().set_index(pd.Index([1, "a", 2.5], dtype=object)),
        {},
        ig.DtypeError,
    ),
    "int-and-str-ids": (_frame(rid=[1, "1", 2]), {"id": "rid"}, ig.DtypeError),
    "tuple-ids": (
        _frame().set_index(pd.Index([(1,), (2,), (3,)], tupleize_cols=False)),
        {},
        ig.DtypeError,
    ),
    "ids-beyond-64-bits": (
        _frame().set_index(pd.Index([2**70, 1, 2], dtype=object)),
        {},
        ig.InputError,
    ),
    "negative-ids-beyond-64-bits": (_frame(rid=[-(2**64), 1, 2]), {"id": "rid"}, ig.InputError),
}

DTYPE_CASES = {
    "sparse-identifier": (_frame(card=pd.arrays.SparseArray(["a", None, "a"])), {}, ig.DtypeError),
    "sparse-kept": (_frame(v=pd.arrays.SparseArray([0, 0, 1])), {}, ig.DtypeError),
    "arrow-dictionary-kept": (
        _frame(v=_arrow(pa.array(["a", None, "a"]).dictionary_encode())),
        {},
        ig.DtypeError,
    ),
    "arrow-dictionary-identifier": (
        pd.DataFrame({"email": _arrow(pa.array(_EMAILS).dictionary_encode())}),
        {},
        ig.DtypeError,
    ),
    "arrow-list": (_frame(v=_arrow(pa.array([["a"], [], None]))), {}, ig.DtypeError),
    "arrow-struct": (_frame(v=_arrow(pa.array([{"a": 1}, None, {"a": 2}]))), {}, ig.DtypeError),
    "complex": (_frame(v=[1j, 2j, 0j]), {}, ig.DtypeError),
    "dict-in-identifier": (
        pd.DataFrame({"email": ["ann@mail.org", {"a": 1}, None]}),
        {},
        ig.DtypeError,
    ),
    "list-in-identifier": (
        pd.DataFrame({"email": ["ann@mail.org", ["x"], None]}),
        {},
        ig.DtypeError,
    ),
    "set-in-identifier": (pd.DataFrame({"card": ["a", {"x"}, None]}), {}, ig.DtypeError),
    "bool-in-key": (pd.DataFrame({"card": ["A1", True, False]}), {}, ig.DtypeError),
    "bytes-in-identifier": (
        pd.DataFrame({"email": [b"\xff\xfe", "a@b.io", None]}),
        {},
        ig.DtypeError,
    ),
    "decimal-in-key": (
        pd.DataFrame({"card": [decimal.Decimal("1.5"), "a", None]}),
        {},
        ig.DtypeError,
    ),
    "int-among-str-kept": (_frame(v=[1, "a", None]), {}, ig.DtypeError),
    "dict-kept": (_frame(v=[{"a": 1}, {"b": 2}, None]), {}, ig.DtypeError),
    "list-of-dicts-kept": (_frame(v=[[{"a": 1}], [], None]), {}, ig.DtypeError),
    "huge-int-kept": (_frame(v=[2**70, 1, None]), {}, ig.DtypeError),
    "surrogate-among-ints-kept": (_frame(v=[1, "\ud800", None]), {}, ig.DtypeError),
}


@pytest.mark.parametrize(
    ("frame", "kwargs", "error"),
    list({**STRUCTURE_CASES, **DTYPE_CASES}.values()),
    ids=list({**STRUCTURE_CASES, **DTYPE_CASES}),
)
def test_refused_frames(frame: object, kwargs: dict[str, object], error: type[Exception]) -> None:
    before = frame.copy() if isinstance(frame, pd.DataFrame) else None
    with pytest.raises(error) as err:
        check_frame(frame, SPECS, **kwargs)  # type: ignore[arg-type]
    assert type(err.value) is error
    message = str(err.value)
    for value in ("ann@mail.org", "bob@mail.org", "A1", "\\xff"):
        assert value not in message
    assert err.value.__cause__ is None
    if before is not None:  # the caller's frame is untouched
        pd.testing.assert_frame_equal(frame, before)  # type: ignore[arg-type]


def test_dtype_errors_name_the_column() -> None:
    with pytest.raises(ig.DtypeError) as err:
        check_frame(_frame(v=pd.arrays.SparseArray([0, 0, 1])), SPECS)
    assert (err.value.column, err.value.dtype) == ("v", "Sparse[int64, 0]")


ACCEPTED = {
    "object-str": ["a", None, "b"],
    "object-int": pd.Series([1, 2, 3], dtype=object),
    "object-float": pd.Series([1.5, None, 2.0], dtype=object),
    "object-int-float": pd.Series([1, 2.5, None], dtype=object),
    "object-bool": pd.Series([True, False, None], dtype=object),
    "object-bytes": pd.Series([b"a", b"\xff", None], dtype=object),
    "object-decimal": pd.Series([decimal.Decimal("1.5"), None, decimal.Decimal(2)], dtype=object),
    "object-date": pd.Series([dt.date(2020, 1, 1), None, dt.date(2021, 1, 1)], dtype=object),
    "object-list": pd.Series([["a"], [], None], dtype=object),
    "string": pd.Series(["a", None, "b"], dtype="string"),
    "string-pyarrow": pd.Series(["a", None, "b"], dtype="string[pyarrow]"),
    "arrow-string": pd.Series(["a", None, "b"], dtype=pd.ArrowDtype(pa.string())),
    "categorical": pd.Series(["a", None, "a"], dtype="category"),
    "Int64": pd.Series([1, None, 3], dtype="Int64"),
    "Float64": pd.Series([1.5, None, 3], dtype="Float64"),
    "boolean": pd.Series([True, None, False], dtype="boolean"),
    "uint64": pd.Series([1, 2, 2**63 + 5], dtype="uint64"),
    "datetime": pd.to_datetime(pd.Series(["2020-01-01", None, "2021-01-01"])),
    "datetime-tz": pd.to_datetime(pd.Series(["2020-01-01", None, "2021-01-01"])).dt.tz_localize(
        "Europe/Berlin"
    ),
    "timedelta": pd.to_timedelta(pd.Series([1, None, 3]), unit="D"),
    "period": pd.Series(pd.period_range("2020-01", periods=3, freq="M")),
    "empty-object": pd.Series([None, None, None], dtype=object),
}


@pytest.mark.parametrize("values", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_accepted_kept_columns(values: object) -> None:
    check_frame(_frame(v=values), SPECS)


@pytest.mark.parametrize(
    "ids",
    [
        pd.RangeIndex(3),
        pd.Index(["a", "b", "c"]),
        pd.Index([2**63 - 1, -(2**63), 0], dtype=object),
        pd.Index([2**63 + 1, 1, 2], dtype="uint64"),
        pd.Index(["a", None, "c"], dtype=object),  # missing ids: the facade's own error
        pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]),
    ],
    ids=["range", "str", "int64-bounds", "uint64", "str-with-missing", "datetime"],
)
def test_accepted_record_ids(ids: pd.Index) -> None:
    check_frame(_frame().set_index(ids), SPECS)
    check_frame(_frame(rid=ids.to_numpy()), SPECS, id="rid")


def test_only_kept_columns_need_storable_names_and_types() -> None:
    frame = _frame(v=[1j, 2j, 0j]).assign(w=1).rename(columns={"w": 7})
    check_frame(frame, SPECS, keep=["email"])
    with pytest.raises(ig.DtypeError):
        check_frame(frame, SPECS, keep=["email", "v"])


def test_identifier_columns_are_checked_when_not_kept() -> None:
    frame = pd.DataFrame({"card": ["A1", True, None], "v": [1, 2, 3]})
    with pytest.raises(ig.DtypeError):
        check_frame(frame, SPECS, keep=["v"])


def test_renamed_columns_are_checked_under_their_new_names() -> None:
    frame = pd.DataFrame({"mail": _EMAILS, "kaart": ["A1", True, None]})
    check_frame(frame, SPECS, columns={"mail": "email"}, keep=["email"])
    with pytest.raises(ig.DtypeError) as err:
        check_frame(frame, SPECS, columns={"mail": "email", "kaart": "card"}, keep=["email"])
    assert err.value.column == "card"


def test_id_column_is_not_a_kept_column() -> None:
    frame = _frame(rid=[1, 2, 3]).rename(columns={"rid": "__identigraph_rid"})
    check_frame(frame, SPECS, id="__identigraph_rid")


def test_clean_frames_pass_unchanged() -> None:
    frame = pd.DataFrame(
        {
            "email": pd.Series(_EMAILS, dtype="string[pyarrow]"),
            "phone": [2015550123, 2015550124, 2015550123],
            "card": pd.Series(["a", None, 7], dtype=object),
            "seen": pd.to_datetime(["2024-01-01"] * 3),
        },
        index=pd.Index(["r1", "r2", "r3"], name="rid"),
    )
    before = frame.copy()
    check_frame(frame, SPECS)
    check_frame(frame.reset_index(), SPECS, id="rid", keep=["seen"])
    check_frame(frame.iloc[:0], SPECS)
    pd.testing.assert_frame_equal(frame, before)
    assert np.array_equal(frame.index, before.index)
