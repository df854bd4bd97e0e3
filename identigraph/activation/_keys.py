"""Record ids compared in one canonical form per source, whatever their Python type."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_float_dtype, is_integer_dtype

__all__ = ["IdIndex", "as_text", "is_integer_ids"]


def is_integer_ids(values: pd.Series) -> bool:
    """Whether ``values`` hold integers only: an integer dtype, or Python ints in an object column.

    Examples
    --------
    >>> is_integer_ids(pd.Series([1, 2], dtype=object)), is_integer_ids(pd.Series([1, "2"]))
    (True, False)
    """
    if is_bool_dtype(values.dtype):
        return False
    if is_integer_dtype(values.dtype):
        return True
    return values.dtype == object and len(values) > 0 and infer_dtype(values) == "integer"


def as_text(values: pd.Series) -> np.ndarray:
    """Record ids as text: ``1``, ``np.int64(1)``, ``1.0`` and ``"1"`` all become ``"1"``.

    Missing ids become ``None``.

    Examples
    --------
    >>> as_text(pd.Series([1, "1", 2.0, None], dtype=object)).tolist()
    ['1', '1', '2', None]
    """
    s = pd.Series(values).reset_index(drop=True)
    missing = s.isna().to_numpy()
    if is_float_dtype(s.dtype) and bool((s.isna() | (s == np.floor(s))).all()):
        s = s.astype("Int64")
    text = s.astype(str).to_numpy(dtype=object)
    if s.dtype == object and infer_dtype(s) not in ("string", "integer", "empty"):
        floats = np.flatnonzero(s.map(type).isin([float, np.float64, np.float32]).to_numpy())
        if len(floats):
            part = pd.to_numeric(s.iloc[floats], errors="coerce").to_numpy(dtype=float)
            whole = ~np.isnan(part) & (part == np.floor(part))
            text[floats[whole]] = part[whole].astype(np.int64).astype(str).astype(object)
    text[missing] = None
    return text


class IdIndex:
    """Positions of record ids of one source: integers compared as integers, else as text.

    Parameters
    ----------
    ids : pandas.Series
        The record ids of the source, as the graph holds them.

    Examples
    --------
    >>> index = IdIndex(pd.Series([10, 11, 12]))
    >>> index.positions(pd.Series(["11", 12, "x"], dtype=object)).tolist()
    [1, 2, -1]
    """

    __slots__ = ("_ids", "_ids_int", "_int", "_text", "_text_rows")

    def __init__(self, ids: pd.Series) -> None:
        self._ids = pd.Series(ids).reset_index(drop=True)
        self._ids_int: bool | None = None  # whether the source's ids are integers, once
        self._int: pd.Index | None = None
        self._text: pd.Index | None = None
        self._text_rows = np.empty(0, dtype=np.int64)

    def positions(self, query: pd.Series) -> np.ndarray:
        """Position of each queried id among the source's ids; -1 where unknown."""
        query = pd.Series(query).reset_index(drop=True)
        if self._ids_int is None:
            self._ids_int = is_integer_ids(self._ids)
        if self._ids_int and is_integer_ids(query):
            if self._int is None:
                self._int = pd.Index(self._ids.to_numpy(dtype=np.int64))
            return self._int.get_indexer(pd.Index(query.to_numpy(dtype=np.int64))).astype(np.int64)
        if self._text is None:
            text = pd.Index(as_text(self._ids))
            keep = ~text.duplicated()  # ids 1 and "1" of one source: the first one answers
            self._text, self._text_rows = text[keep], np.flatnonzero(keep)
        found = self._text.get_indexer(pd.Index(as_text(query))).astype(np.int64)
        return np.where(found >= 0, self._text_rows[np.maximum(found, 0)], -1)
