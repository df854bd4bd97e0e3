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

__all__ = [
    "INVISIBLE_PATTERN",
    "all_ascii",
    "ascii_digits",
    "drop_invisible",
    "from_buffers",
    "fullmatch",
    "fullmatches",
    "is_ascii_digit",
    "is_in",
    "row_counts",
    "search",
    "searches",
    "string_buffers",
    "to_arrow",
    "to_mask",
    "to_objects",
    "to_series",
    "too_long",
]


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
        return pa.array(
            [None if v is None else searches(v, pattern) for v in array.to_pylist()],
            type=pa.bool_(),
        )
    return pc.match_substring_regex(array, pattern)


def fullmatch(array: pa.Array, pattern: str) -> pa.Array:
    """Boolean array: does the whole value match ``pattern`` (null stays null)."""
    return search(array, f"^(?:{pattern})$")


def searches(text: str, pattern: str) -> bool:
    """:func:`search` of one string: the same compiled pattern as a small batch's.

    Examples
    --------
    >>> searches("abc", "b"), searches("abc", "^b")
    (True, False)
    """
    return _compiled(pattern).search(text) is not None


def fullmatches(text: str, pattern: str) -> bool:
    """:func:`fullmatch` of one string: the same compiled pattern as a small batch's.

    Examples
    --------
    >>> fullmatches("abc", "[a-c]+"), fullmatches("abcd", "[a-c]+")
    (True, False)
    """
    return searches(text, f"^(?:{pattern})$")


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


# -- byte buffers ---------------------------------------------------------------------


def string_buffers(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Row offsets (``n + 1`` of them, from 0) and the UTF-8 bytes they cut, without a copy.

    Row ``i`` is ``data[offsets[i]:offsets[i + 1]]``; nulls must have been filled.

    Examples
    --------
    >>> offsets, data = string_buffers(pa.array(["ab", "", "c"]))
    >>> offsets.tolist(), data.tobytes()
    ([0, 2, 2, 3], b'abc')
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    _, offsets, data = values.buffers()[:3]
    if offsets is None or data is None or not len(values):
        return np.zeros(len(values) + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    starts = np.frombuffer(offsets, dtype=width)[values.offset : values.offset + len(values) + 1]
    first, last = int(starts[0]), int(starts[-1])
    return starts.astype(np.int64) - first, np.frombuffer(data, dtype=np.uint8)[first:last]


def from_buffers(offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    """The string array whose row ``i`` is ``data[offsets[i]:offsets[i + 1]]`` (valid UTF-8)."""
    if len(data) < 2**31:
        kind, width = pa.string(), np.int32
    else:
        kind, width = pa.large_string(), np.int64
    return pa.Array.from_buffers(
        kind,
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(width)), pa.py_buffer(np.ascontiguousarray(data))],
    )


def row_counts(flags: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Number of set byte ``flags`` in each row cut at ``offsets`` (from 0, ``n + 1``).

    Examples
    --------
    >>> row_counts(np.array([True, False, True, True]), np.array([0, 2, 2, 4])).tolist()
    [1, 0, 2]
    """
    if len(offsets) < 2:
        return np.zeros(0, dtype=np.int64)
    padded = np.zeros(len(flags) + 1, dtype=bool)  # so that every start is an index
    padded[: len(flags)] = flags
    starts = offsets[:-1]
    width = np.int32 if len(flags) < 2**31 else np.int64
    counts = np.add.reduceat(padded, starts, dtype=width).astype(np.int64)
    counts[offsets[1:] == starts] = 0  # reduceat gives the flag at the start of an empty row
    return counts


def is_ascii_digit(data: np.ndarray) -> np.ndarray:
    """Which bytes are ASCII digits (the subtraction wraps around below ``"0"``)."""
    result: np.ndarray = (data - np.uint8(48)) < 10
    return result


def ascii_digits(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The ASCII digits ``0``-``9`` of each value, as :func:`string_buffers` gives them.

    What ``pc.replace_substring_regex(values, r"\\D+", "")`` keeps (RE2's ``\\d`` is
    ASCII only; no byte of a multi-byte UTF-8 character is an ASCII digit); nulls
    give no digits.

    Examples
    --------
    >>> offsets, data = ascii_digits(pa.array(["(201) 555", "x", None, "٣4"]))
    >>> offsets.tolist(), data.tobytes()
    ([0, 6, 6, 6, 7], b'2015554')
    """
    if values.null_count:
        values = pc.fill_null(values, "")
    offsets, data = string_buffers(values)
    digit = is_ascii_digit(data)
    counts = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(row_counts(digit, offsets), out=counts[1:])
    return counts, data[np.flatnonzero(digit)]


def all_ascii(values: pa.Array) -> bool:
    """Whether every byte of ``values`` is ASCII (one pass over the byte buffer).

    Examples
    --------
    >>> all_ascii(pa.array(["abc", None])), all_ascii(pa.array(["straße"]))
    (True, False)
    """
    _, data = string_buffers(values)
    return not len(data) or int(data.max()) < 0x80


# -- invisible characters and lengths -------------------------------------------------

#: Characters no identifier holds on purpose and no reader sees: Unicode's control
#: (``Cc``) characters but the whitespace ones (tab, line feed, vertical tab, form
#: feed, carriage return), and its format (``Cf``) characters: the byte-order mark,
#: zero-width spaces and joiners, the soft hyphen, bidirectional marks, embeddings,
#: overrides and isolates. RE2 syntax.
INVISIBLE_PATTERN = r"[^\P{Cc}\t\n\x0b\x0c\r]|\p{Cf}"


def drop_invisible(values: pa.Array) -> pa.Array:
    """``values`` without the characters of :data:`INVISIBLE_PATTERN` (nulls stay null).

    A CSV's byte-order mark, a trailing NUL or a zero-width space left by a copy
    and paste make a value differ from the one a person typed; every normalizer
    removes them first, so that both give the same key.

    Examples
    --------
    >>> drop_invisible(pa.array(["\\ufeffann@mail.org", "a\\u200bb\\x00", None])).to_pylist()
    ['ann@mail.org', 'ab', None]

    Notes
    -----
    One pass over the bytes decides; values of printable ASCII only (the usual
    case) are returned as they are. Otherwise one RE2 replacement: O(bytes).
    """
    _, data = string_buffers(values)
    if not len(data) or (int(data.min()) >= 0x20 and int(data.max()) < 0x7F):
        return values  # printable ASCII only: two reductions, no temporary array
    # Printable ASCII is 0x20-0x7E and whitespace 0x09-0x0D; subtractions wrap around.
    if not bool((((data - np.uint8(0x20)) > 0x5E) & ((data - np.uint8(0x09)) > 4)).any()):
        return values
    return pc.replace_substring_regex(values, INVISIBLE_PATTERN, "")


def too_long(values: pa.Array, limit: int) -> np.ndarray:
    """Mask of values longer than ``limit`` characters (code points); nulls are not.

    Examples
    --------
    >>> too_long(pa.array(["abc", "é" * 3, None]), 2).tolist()
    [True, True, False]

    Notes
    -----
    A value of at most ``limit`` bytes has at most ``limit`` characters: only
    longer ones are counted. O(n).
    """
    offsets, _ = string_buffers(values)
    rows = np.flatnonzero(np.diff(offsets) > limit)
    mask = np.zeros(len(values), dtype=bool)
    if rows.size:
        lengths = pc.fill_null(pc.utf8_length(values.take(rows)), 0).to_numpy(zero_copy_only=False)
        mask[rows] = np.asarray(lengths, dtype=np.int64) > limit
    return mask
