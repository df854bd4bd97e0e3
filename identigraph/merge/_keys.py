"""Column conversions for the golden-record engine: usable-value masks and sort keys."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.errors import DtypeError

__all__ = [
    "arrow_values",
    "numeric_values",
    "order_key",
    "present_mask",
    "text_lengths",
    "time_key",
    "value_codes",
]

# Arrow refuses a cast or kernel for this input (invalid, wrong type, unsupported).
_ARROW_ERRORS = (pa.ArrowException, TypeError)


def _is_text(dtype: object) -> bool:
    """Whether a column of this dtype may hold strings (object or a string dtype)."""
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        arrow_type = dtype.pyarrow_dtype
        return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))
    return isinstance(dtype, np.dtype) and dtype.kind in ("O", "U", "S")


def present_mask(values: pd.Series) -> np.ndarray:
    """True where ``values`` holds a usable value: not null, not an empty or blank string.

    Examples
    --------
    >>> present_mask(pd.Series(["a", " ", "", None, 3], dtype=object)).tolist()
    [True, False, False, False, True]
    """
    mask = np.array(values.notna(), dtype=bool)  # a copy: callers may write to it
    if isinstance(values.dtype, pd.CategoricalDtype):  # blank categories, looked up by code
        usable = present_mask(pd.Series(values.cat.categories))
        codes = values.cat.codes.to_numpy()
        out: np.ndarray = mask & np.where(codes >= 0, usable[np.maximum(codes, 0)], False)
        return out
    if not _is_text(values.dtype) or not mask.any():
        return mask
    arr = arrow_values(values)
    if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        blank = pc.or_kleene(pc.utf8_is_space(arr), pc.equal(pc.binary_length(arr), 0))
        blank_np = np.asarray(blank.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    else:
        try:
            lengths = values.str.strip().str.len()
        except AttributeError:  # an object column without strings
            return mask
        blank_np = (lengths == 0).to_numpy(dtype=bool, na_value=False)
    return np.asarray(mask & ~blank_np, dtype=bool)


def arrow_values(values: pd.Series) -> pa.Array | None:
    """``values`` as one Arrow array, or ``None`` when they have no single Arrow type."""
    try:
        arr = pa.array(values, from_pandas=True)
    except _ARROW_ERRORS:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):  # a categorical: its values
        arr = arr.dictionary_decode()
    return arr


def _rank(values: pd.Series) -> np.ndarray:
    """Dense ascending ranks of ``values`` (int64); nulls get an arbitrary rank."""
    arr = arrow_values(values)
    if arr is not None and not pa.types.is_null(arr.type):
        try:
            ranks = pc.rank(arr, sort_keys="ascending", tiebreaker="dense")
        except _ARROW_ERRORS:
            pass
        else:
            return np.asarray(ranks.to_numpy(), dtype=np.int64)
    try:
        codes, _ = pd.factorize(values, sort=True)
    except TypeError:  # values of types that do not compare: order by their string form
        codes, _ = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int64)


def _datetime_ints(values: pd.Series) -> np.ndarray:
    """Integer instants (one unit per column) of datetime-like ``values``; NaT -> int64 min."""
    stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    return np.asarray(stamps.to_numpy()).view(np.int64)


def order_key(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A numeric array that sorts like ``values`` (ascending), and a validity mask.

    Numbers, booleans, datetimes and timedeltas keep their order; strings and other
    objects get dense ranks (Unicode code point order; values of mixed types that do
    not compare are ordered by their string form).

    Examples
    --------
    >>> key, valid = order_key(pd.Series(["b", None, "a"]))
    >>> bool(key[0] > key[2]), valid.tolist()
    (True, [True, False, True])
    """
    dtype = values.dtype
    valid = values.notna().to_numpy(dtype=bool)
    key: np.ndarray
    if pd.api.types.is_bool_dtype(dtype):
        key = values.to_numpy(dtype=np.int64, na_value=0)
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        key = _datetime_ints(values)
    elif pd.api.types.is_timedelta64_dtype(dtype):
        key = np.asarray(pd.to_timedelta(values).to_numpy()).view(np.int64)
    elif pd.api.types.is_integer_dtype(dtype):
        if isinstance(dtype, np.dtype) and dtype.kind == "u" and dtype.itemsize == 8:
            key = _rank(values)
        else:
            key = values.to_numpy(dtype=np.int64, na_value=0)
    elif pd.api.types.is_float_dtype(dtype):
        key = values.to_numpy(dtype=np.float64, na_value=np.nan)
        valid = valid & ~np.isnan(key)
    elif isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
        key = values.cat.codes.to_numpy(dtype=np.int64)
    else:
        key = _rank(values.astype(object) if isinstance(dtype, pd.CategoricalDtype) else values)
    return key, valid


def time_key(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`order_key`, but strings are parsed as dates (unparseable ones are invalid).

    Examples
    --------
    >>> key, valid = time_key(pd.Series(["2024-03-01", "01/15/2024", "soon", None]))
    >>> bool(key[0] > key[1]), valid.tolist()
    (True, [True, True, False, False])
    """
    dtype = values.dtype
    if not (_is_text(dtype) or isinstance(dtype, pd.CategoricalDtype)):
        return order_key(values)
    text = values.astype(object) if isinstance(dtype, pd.CategoricalDtype) else values
    parsed = _parse_dates(text, "ISO8601")
    retry = present_mask(values) & parsed.isna().to_numpy(dtype=bool)
    if retry.any():
        parsed[retry] = _parse_dates(text[retry], "mixed")
    return _datetime_ints(parsed), parsed.notna().to_numpy(dtype=bool)


def _parse_dates(text: pd.Series, fmt: str) -> pd.Series:
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format=fmt)
    return parsed.astype("datetime64[us, UTC]")


def text_lengths(values: pd.Series) -> np.ndarray:
    """Characters in the string form of each value (int64; 0 for nulls).

    Examples
    --------
    >>> text_lengths(pd.Series(["abc", None, 12.5], dtype=object)).tolist()
    [3, 0, 4]
    """
    lengths = pd.Series(np.nan, index=values.index, dtype=np.float64)
    if _is_text(values.dtype):
        with contextlib.suppress(AttributeError):  # an object column without strings
            lengths = values.str.len().astype(np.float64)
    other = values.notna().to_numpy(dtype=bool) & lengths.isna().to_numpy(dtype=bool)
    if other.any():  # numbers, dates and other objects: the length of their string form
        lengths[other] = values[other].astype(object).astype(str).str.len().to_numpy(np.float64)
    return np.asarray(lengths.to_numpy(dtype=np.float64, na_value=0.0), dtype=np.int64)


def value_codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values`` (equal values, equal codes; -1 for nulls).

    Examples
    --------
    >>> value_codes(pd.Series(["x", "y", "x", None])).tolist()
    [0, 1, 0, -1]
    """
    codes, _ = pd.factorize(values)
    return np.asarray(codes, dtype=np.int64)


def numeric_values(values: pd.Series, *, column: str) -> tuple[np.ndarray, bool]:
    """Numbers of ``values`` for summing: (int64 or float64 array with 0 for nulls, is-integer).

    Raises
    ------
    DtypeError
        If the column is not numeric and some value does not convert to a number.

    Examples
    --------
    >>> numeric_values(pd.Series([1, None, 2], dtype="Int64"), column="n")
    (array([1, 0, 2]), True)
    """
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return values.to_numpy(dtype=np.int64, na_value=0), True
    if pd.api.types.is_float_dtype(dtype):
        return np.nan_to_num(values.to_numpy(dtype=np.float64, na_value=np.nan)), False
    if _is_text(dtype):
        converted = pd.to_numeric(values.astype(object), errors="coerce")
        bad = int((present_mask(values) & converted.isna().to_numpy(dtype=bool)).sum())
        if not bad:
            if not pd.api.types.is_numeric_dtype(converted.dtype):
                converted = converted.astype(np.float64)
            return numeric_values(converted, column=column)
        msg = f"column {column!r} holds {bad} value(s) that are not numbers: cannot sum it"
    else:
        msg = f"column {column!r} has dtype {dtype}, which cannot be summed"
    raise DtypeError(msg, column=column, dtype=str(dtype))
