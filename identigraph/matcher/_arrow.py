"""Arrow string helpers: one conversion in, ``pyarrow.compute`` kernels, object arrays out.

Calling the kernels directly keeps pandas' own semantics for Arrow-backed strings
(RE2 regular expressions, utf8proc case mapping) at a few microseconds a call, so
the same code serves a ten-million-row batch and a one-value real-time lookup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["fullmatch", "is_in", "search", "to_arrow", "to_mask", "to_objects", "to_series"]


def to_arrow(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one Arrow string array (missing values become nulls)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else values.cast(pa.string())
    if values.dtype == object:
        return pa.array(values.to_numpy(), type=pa.string(), from_pandas=True)
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if array.type == pa.string() else array.cast(pa.string())


#: Below this many values, Python's ``re`` (compiled once) beats RE2, which
#: ``pyarrow`` compiles again on every call.
_SMALL = 8


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def search(array: pa.Array, pattern: str) -> pa.Array:
    """Boolean array: does ``pattern`` match anywhere in the value (null stays null).

    Patterns must mean the same in RE2 and in Python's ``re`` with ``re.ASCII``:
    no ``\\s`` (RE2 leaves out the vertical tab), no back-references, no look-arounds.
    """
    if len(array) <= _SMALL:
        compiled = _compiled(pattern)
        return pa.array(
            [None if v is None else compiled.search(v) is not None for v in array.to_pylist()],
            type=pa.bool_(),
        )
    return pc.match_substring_regex(array, pattern)


def fullmatch(array: pa.Array, pattern: str) -> pa.Array:
    """Boolean array: does the whole value match ``pattern`` (null stays null)."""
    return search(array, f"^(?:{pattern})$")


def is_in(array: pa.Array, values: Iterable[str]) -> pa.Array:
    """Boolean array: is the value one of ``values`` (null gives false)."""
    return pc.is_in(array, value_set=pa.array(sorted(values), type=pa.string()))


def to_mask(array: pa.Array) -> np.ndarray:
    """A boolean Arrow array as a numpy mask, nulls as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def to_objects(array: pa.Array) -> np.ndarray:
    """Arrow strings as an object array with ``None`` for nulls."""
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)


def to_series(array: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """Arrow strings as an Arrow-backed pandas Series (no copy)."""
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index)
