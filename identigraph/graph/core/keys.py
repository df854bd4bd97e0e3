"""Keys of a frame: identifier edges and reject rows, normalized on unique values only."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeGuard, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._arrow import to_arrow, to_mask
from identigraph.matcher.specs import Identifier

__all__ = ["Extracted", "KeyEncoder", "column_keys", "extract_keys", "value_key"]


class KeyEncoder(Protocol):
    """Codes for link keys of one kind: known keys keep theirs, new ones get the next."""

    def encode(self, keys: np.ndarray, next_code: int) -> tuple[np.ndarray, int]:
        """Code of each of ``keys`` (unique), new keys numbered from ``next_code``; the next."""
        ...


@dataclass(frozen=True, slots=True)
class Extracted:
    """Edges (record position in the frame, global value code, spec index) and rejects.

    Edges are sorted by record, and within a record by spec.
    """

    rec: np.ndarray
    val: np.ndarray
    spec: np.ndarray
    reject_rec: np.ndarray
    reject_spec: np.ndarray
    reject_reason: np.ndarray
    next_code: int
    new_kinds: list[tuple[str, int]]
    new_keys: np.ndarray
    #: With ``arrow_keys``: the new keys of each of ``new_kinds``, an Arrow string
    #: array or an object array each (``new_keys`` is then empty).
    new_key_chunks: tuple[np.ndarray | pa.Array, ...] = ()
    #: Per chunk: no key repeats in it.
    new_key_distinct: tuple[bool, ...] = ()


def column_keys(spec: Identifier, column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factorize a column and normalize its unique values.

    Returns the per-row code into the uniques (-1 for missing), and per unique value
    its link key (or None) and reject reason (or None).

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> codes, keys, reasons = column_keys(ig.Cookie("c"), pd.Series(["ck-123", None, "ck-123"]))
    >>> codes.tolist(), keys.tolist(), reasons.tolist()
    ([0, -1, 0], ['ck-123'], [None])

    Notes
    -----
    One factorization of the column, O(rows): a column of strings (object or
    string dtype) is read into Arrow once and dictionary-encoded there, and its
    distinct values go to the spec's normalizer as they are, Arrow strings (no
    Series of them, no second dtype check); any other column goes through
    ``pandas.factorize`` and :meth:`Identifier.to_text`. Normalization runs on
    the uniques only. A column of one printable-ASCII string (a record as it
    arrives) is normalized without arrays, as :func:`value_key` does.
    """
    codes, keys, reasons, _ = _column_codes(spec, column, arrow=False)
    return codes, cast("np.ndarray", keys), reasons


#: Codes into the uniques, their keys (objects or Arrow), reject reasons, and whether
#: the keys are known to be distinct.
_Coded = tuple[np.ndarray, "np.ndarray | pa.Array", np.ndarray, bool]


def _column_codes(spec: Identifier, column: pd.Series, *, arrow: bool) -> _Coded:
    """:func:`column_keys`; with ``arrow``, a column of strings may keep its keys in Arrow.

    Keys in Arrow (nulls where a value gives none) are those of a spec whose
    normalization runs in Arrow to the end, hashed specs' digests included (not a
    plain, unhashed email or phone): no Python string is made for them here. The
    flag says no key repeats among them.
    """
    if len(column) == 1 and _holds_text(column.dtype):
        raw = column.iloc[0]
        if _printable_ascii(raw):
            key, reason = _one_key(spec, raw)
            return np.zeros(1, np.int64), np.array([key], object), np.array([reason], object), True
    strings = _arrow_strings(column)
    if strings is not None:
        encoded = strings.dictionary_encode()
        indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        in_arrow = spec._arrow_keys(encoded.dictionary) if arrow else None
        if in_arrow is not None:
            return indices.astype(np.int64), *in_arrow
        normalized = spec._string_keys(encoded.dictionary)
        return indices.astype(np.int64), normalized.keys, normalized.reasons, False
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    text = spec.to_text(pd.Series(uniques))
    keys = np.full(len(text), None, dtype=object)
    reasons = np.full(len(text), None, dtype=object)
    present = text.notna().to_numpy()
    if present.any():
        normalized = spec.normalize(text[present])
        keys[present] = normalized.keys
        reasons[present] = normalized.reasons
    return np.asarray(codes, dtype=np.int64), keys, reasons, False


def value_key(spec: Identifier, raw: object) -> tuple[str | None, str | None]:
    """The link key and reject reason :func:`column_keys` gives one raw value.

    ``(None, None)`` for a missing value. A string of printable ASCII, what a
    look-up is nearly always given, is normalized without building arrays; any
    other value takes :func:`column_keys` itself, so both give one answer.

    Examples
    --------
    >>> import identigraph as ig
    >>> value_key(ig.Cookie("c"), " ck-123 "), value_key(ig.Cookie("c"), "n/a")
    (('ck-123', None), (None, 'junk_value'))
    """
    if _printable_ascii(raw):
        return _one_key(spec, raw)
    _, keys, reasons = column_keys(spec, pd.Series([raw]))
    return (keys[0], reasons[0]) if len(keys) else (None, None)


def _printable_ascii(raw: object) -> TypeGuard[str]:
    """Whether ``raw`` is a string of characters 0x20-0x7E only."""
    return type(raw) is str and raw.isascii() and raw.isprintable()


def _one_key(spec: Identifier, raw: str) -> tuple[str | None, str | None]:
    """Key and reason of one printable-ASCII string: trimmed, then the spec's one-value steps."""
    text = raw.strip(" ")
    return spec._text_key(text) if text else (None, None)


def _holds_text(dtype: object) -> bool:
    """Whether a column of ``dtype`` may hold strings: object or a string dtype."""
    return (
        dtype == np.dtype(object)
        or isinstance(dtype, pd.StringDtype)
        or (isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype))
    )


def _arrow_strings(column: pd.Series) -> pa.Array | None:
    """The column as one Arrow string array when it holds only strings (and missing values).

    ``None`` for any other column, and for one Arrow cannot read (text that is not
    valid Unicode): :meth:`Identifier.to_text` decides those, and raises where it must.
    """
    if not _holds_text(column.dtype):
        return None
    try:
        if column.dtype == np.dtype(object):
            # Arrow's own type inference, in the pass that converts: strings only give
            # a string array; bytes among them give a binary one, other objects raise.
            strings = pa.array(column.to_numpy(), from_pandas=True)
            if strings.type != pa.string():
                return None
        else:
            strings = to_arrow(column)
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):
        return None
    # Over 2 GiB of text Arrow may hand back chunks, each with a dictionary of its own.
    return strings if isinstance(strings, pa.Array) else None


def _edges(
    n_rows: int, row_values: list[np.ndarray], spec_ids: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of a ``rows x specs`` table of value codes (``-1``: none), row by row.

    Reading the table in row-major order sorts the edges by record without a sort.
    """
    table = np.column_stack(row_values) if row_values else np.empty((n_rows, 0), np.int64)
    flat = table.ravel()
    cells = np.flatnonzero(flat >= 0)
    width = max(len(row_values), 1)
    spec_of_column = np.asarray(spec_ids, dtype=np.int16)
    return cells // width, flat[cells], spec_of_column[cells % width]


#: ``None`` as a 0-d array, to find the missing keys of an object array in one pass.
_NONE = np.array(None, dtype=object)

#: Frames of at least this many rows normalize their columns on several threads.
_THREADED_ROWS = 50_000


def _normalize_columns(
    frame: pd.DataFrame, specs: Sequence[Identifier], *, arrow: bool = False
) -> list[_Coded]:
    """:func:`column_keys` of each spec's column, side by side on the machine's cores.

    Arrow's string kernels and most numpy passes release the GIL, so a second
    column's kernels run while the first one's hashing holds it. Results (and the
    first error, in column order) are those of the plain loop.
    """
    columns = [frame[spec.column] for spec in specs]  # frame access on this thread only

    def one(spec: Identifier, column: pd.Series) -> _Coded:
        return _column_codes(spec, column, arrow=arrow)

    workers = min(len(specs), len(os.sched_getaffinity(0)))
    if workers < 2 or len(frame) < _THREADED_ROWS:
        return list(map(one, specs, columns))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="identigraph-keys") as pool:
        return list(pool.map(one, specs, columns))


def extract_keys(
    frame: pd.DataFrame,
    specs: Sequence[tuple[int, Identifier]],
    values: Mapping[str, KeyEncoder] | None,
    next_code: int,
    *,
    arrow_keys: bool = False,
) -> Extracted:
    """Identifier edges of every row of ``frame`` for the present ``(index, spec)`` pairs.

    With ``values`` (one :class:`KeyEncoder` per kind of ``specs``), new link keys
    are added to them with consecutive codes from ``next_code``. Without (a bulk load), every
    distinct raw value of each column with a link key gets a provisional code of its
    own; equal keys are merged later, once for the whole load. ``new_kinds`` lists
    the kinds of the new codes in order and ``new_keys`` their keys. Nothing enters
    ``values`` unless every column normalizes. With ``arrow_keys`` (a bulk load
    only), the new keys come per new kind in ``new_key_chunks`` instead, those of
    a column of strings as Arrow arrays: no Python string is made for them.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> frame = pd.DataFrame({"email": ["a@x.com", "junk", "a@x.com"]})
    >>> out = extract_keys(frame, [(0, ig.Email("email", hash=False))], None, 0)
    >>> out.rec.tolist(), out.val.tolist(), out.reject_reason.tolist()
    ([0, 2], [0, 0], ['invalid_email'])

    Notes
    -----
    Each column is factorized once; normalization and hashing run on its unique
    values only. Cost: O(rows x columns) vectorized work plus O(unique values)
    normalization.
    """
    row_values: list[np.ndarray] = []
    rej_rec, rej_spec, rej_reason = [], [], []
    new_kinds: list[tuple[str, int]] = []
    new_keys: list[np.ndarray] = []
    # Every column is normalized before any key enters ``values``: a column that
    # raises (a dtype that cannot hold its identifier) leaves the indexes untouched.
    arrow = arrow_keys and values is None
    normalized = _normalize_columns(frame, [spec for _, spec in specs], arrow=arrow)
    chunks: list[np.ndarray | pa.Array] = []
    distinct: list[bool] = []
    for (spec_id, spec), (codes, found, reasons, unique) in zip(specs, normalized, strict=True):
        if isinstance(found, pa.Array):
            has_key = to_mask(found.is_valid())
            keys = np.empty(0, dtype=object)
            present: np.ndarray | pa.Array = (
                found if has_key.all() else found.filter(pa.array(has_key))
            )
        else:
            keys = found
            has_key = np.not_equal(keys, _NONE)  # normalizers give None, never NaN
            present = keys[has_key]
        before = next_code
        if values is None:
            n_keys = int(np.count_nonzero(has_key))
            key_uniques = present
            if arrow and n_keys:
                chunks.append(present)
                distinct.append(unique)
            value_codes = np.arange(next_code, next_code + n_keys, dtype=np.int64)
            key_codes = np.arange(n_keys)
            next_code += n_keys
        else:
            key_codes, key_uniques = pd.factorize(keys[has_key])
            index = values[spec.kind]
            value_codes, next_code = index.encode(np.asarray(key_uniques, dtype=object), next_code)
        if next_code > before:
            new_kinds.append((spec.kind, next_code - before))
            # New codes run from ``before`` in the order of their keys here (a bulk
            # load's are all new).
            if not arrow:
                fresh = np.asarray(key_uniques, dtype=object)
                new_keys.append(fresh if values is None else fresh[value_codes >= before])
        unique_value = np.full(len(has_key) + 1, -1, dtype=np.int64)  # last slot: missing
        unique_value[np.flatnonzero(has_key)] = value_codes[key_codes]
        row_value = unique_value[codes]
        if values is not None:
            # Two columns of one kind may give a record the same value: keep the first.
            # (Codes are unique across kinds, so only same-kind columns ever match.)
            for earlier in row_values:
                row_value[row_value == earlier] = -1
        row_values.append(row_value)
        has_reason = np.not_equal(reasons, _NONE)
        if has_reason.any():
            unique_reason = np.append(reasons, np.array([None], dtype=object))
            bad = np.flatnonzero(np.append(has_reason, False)[codes])
            rej_rec.append(bad)
            rej_spec.append(np.full(len(bad), spec_id, dtype=np.int16))
            rej_reason.append(unique_reason[codes[bad]])
    rec, val, spec_arr = _edges(len(frame), row_values, [i for i, _ in specs])
    return Extracted(
        rec=rec,
        val=val,
        spec=spec_arr,
        reject_rec=np.concatenate(rej_rec) if rej_rec else np.empty(0, np.int64),
        reject_spec=np.concatenate(rej_spec) if rej_spec else np.empty(0, np.int16),
        reject_reason=np.concatenate(rej_reason) if rej_reason else np.empty(0, object),
        next_code=next_code,
        new_kinds=new_kinds,
        new_keys=np.concatenate(new_keys) if new_keys else np.empty(0, dtype=object),
        new_key_chunks=tuple(chunks),
        new_key_distinct=tuple(distinct),
    )
