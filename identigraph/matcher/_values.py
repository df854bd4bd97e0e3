"""Value normalization shared by blocking keys and comparisons: text forms and dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
)

__all__ = ["as_text", "parse_dates"]


def as_text(values: pd.Series) -> pd.Series:
    """Trimmed, case-folded strings of ``values``; ``None`` where missing or empty.

    Integral floats (a nullable integer column read as float) are written without
    the ``.0``, dates as ``YYYY-MM-DD``, runs of whitespace as one space. The result
    has a fresh ``RangeIndex`` and ``object`` dtype.

    Examples
    --------
    >>> import pandas as pd
    >>> as_text(pd.Series([" Ann  Lee", "", None])).tolist()
    ['ann lee', None, None]
    >>> as_text(pd.Series([4223.0, None])).tolist()
    ['4223', None]
    """
    values = values.reset_index(drop=True)
    if values.empty:
        return pd.Series([], dtype=object)
    dtype = values.dtype
    if is_datetime64_any_dtype(dtype):
        text = values.dt.strftime("%Y-%m-%d").astype("string")
    elif is_float_dtype(dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        integral = np.isfinite(numbers) & (numbers == np.floor(numbers))
        text = values.astype("string")
        text[integral] = numbers[integral].astype(np.int64).astype(str)
    elif is_integer_dtype(dtype) or is_bool_dtype(dtype):
        text = values.astype("string")
    else:
        text = values.astype("string").str.strip().str.casefold()
        text = text.str.replace(r"\s+", " ", regex=True)
    out = text.to_numpy(dtype=object, na_value=None, copy=True)
    empty = np.asarray(text.str.len().fillna(0).to_numpy(dtype=np.int64) == 0)
    out[empty] = None
    result: pd.Series = pd.Series(out, dtype=object)
    return result


def parse_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """Calendar dates of ``values`` as ``datetime64``; ``NaT`` where missing or not a date.

    Datetime columns are used as they are (time zones dropped). Text is read with
    ``date_format`` when given, then (what that leaves) eight digits as ``YYYYMMDD``
    and anything else as ISO 8601 (``1990-05-24``), which also reads datetime
    objects in an ``object`` column. The result has a fresh ``RangeIndex``.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_dates(pd.Series(["19900524", "1990-05-24", "24/05/1990", None])).dt.day.tolist()
    [24.0, 24.0, nan, nan]
    """
    values = values.reset_index(drop=True)
    dtype = values.dtype
    if is_datetime64_any_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
        normalized: pd.Series = values.dt.normalize()
        return normalized
    text = pd.Series(as_text(values), dtype="string")
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    todo = text.notna().to_numpy(dtype=bool, copy=True)
    compact = text.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    readers = [(date_format, None)] if date_format is not None else []
    readers += [("%Y%m%d", compact), ("ISO8601", None)]
    for reader, only in readers:
        rows = np.flatnonzero(todo if only is None else todo & only)
        if not len(rows):
            continue
        parsed = pd.to_datetime(text.iloc[rows], format=reader, errors="coerce")
        ok = parsed.notna().to_numpy(dtype=bool)
        out.iloc[rows[ok]] = parsed[ok].astype("datetime64[s]").to_numpy()
        todo[rows[ok]] = False
    dates: pd.Series = out.dt.normalize()
    return dates
