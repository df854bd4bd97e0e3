"""What changed between two clusterings of the same records: merges, splits, moves, drift.

:func:`compare` takes two clusters frames (``source, record_id, person_id``, e.g. the
output of :meth:`IdentityGraph.clusters` from yesterday's and today's run) and returns a
:class:`RunComparison`: persons merged, split, continued, new and vanished, records
moved, new and vanished, pairwise and B-cubed agreement, the adjusted Rand index and
the size distributions side by side. :func:`size_drift` flags persons whose size jumped
(a new junk value arriving in a source shows up there first).

Everything is counted on integer codes: records are matched on a canonical form of
``(source, record_id)``, person ids become codes, and the contingency table of
(earlier person, later person) is an array of its non-empty cells, sorted. No Python
loop runs per record or per person.

How records change
------------------
Only records present in both runs are compared ("common" records). For an earlier
person ``a`` and a later person ``b``, ``n_ab`` is the number of common records they
share. ``b`` *continues* ``a`` when ``b`` holds strictly more of ``a``'s common records
than any other later person, and ``a`` gave strictly more of ``b``'s common records than
any other earlier person (a mutual, tie-free majority; the person id labels play no
part, so a run whose ids are renumbered shows no change). Each common record then has
exactly one status:

``stayed``
    its earlier person is continued by its later person.
``merged``
    not stayed, and all common records of its earlier person lie in one later person
    (the earlier person was absorbed whole).
``split``
    not stayed, its earlier person's records now lie in several later persons, and its
    later person holds records of that earlier person only (a piece split off).
``moved``
    not stayed, its earlier person's records now lie in several later persons and its
    later person also holds records of other earlier persons.

Swapping the two runs swaps ``merged`` and ``split`` and keeps ``stayed`` and ``moved``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph._optional import import_optional
from identigraph._progress import progress_bar
from identigraph._unique import sorted_unique
from identigraph.errors import ConfigError, DuplicateRecordError, InputError, MissingColumnError

__all__ = ["RunComparison", "compare", "size_distribution", "size_drift"]

log = logging.getLogger("identigraph.compare")

#: Status of a common record, in the order of the codes in :meth:`RunComparison.records`.
STATUSES = ("stayed", "merged", "split", "moved")
_STAYED, _MERGED, _SPLIT, _MOVED = range(4)
#: Status of a record present in one run only.
_NEW, _VANISHED = 4, 5
_ALL_STATUSES = (*STATUSES, "new", "vanished")

IdMode = Literal["exact", "text"]
#: Integer ids are addressed directly while they span at most a few times the record
#: count plus this slack; wider ranges are hashed.
_SLACK = 1024
_STEPS = 5


# ---------------------------------------------------------------------------- inputs
def _check_frame(frame: pd.DataFrame, name: str, person: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        msg = f"{name} must be a pandas DataFrame, not {type(frame).__name__}"
        raise InputError(msg)
    for column in ("source", "record_id", person):
        if column not in frame.columns:
            msg = f"{name} lacks column {column!r}"
            raise MissingColumnError(msg, column=column, available=[str(c) for c in frame.columns])
        if frame[column].isna().any():
            missing = int(frame[column].isna().sum())
            msg = f"{name}: {missing} values of column {column!r} are missing"
            raise InputError(msg)


def _source_codes(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of both frames' sources in one shared vocabulary (source names as text)."""
    parts = []
    for values in (a, b):
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy(np.int64)
            names = values.cat.categories.astype(str).to_numpy(object)
        else:
            codes, uniques = pd.factorize(values)
            names = pd.Index(uniques).astype(str).to_numpy(object)
        parts.append((codes, names))
    vocabulary = pd.Index(np.concatenate([parts[0][1], parts[1][1]])).unique()
    out = [vocabulary.get_indexer(names)[codes] for codes, names in parts]
    return out[0], out[1], vocabulary.to_numpy(object)


def _as_int64(values: pd.Series) -> np.ndarray | None:
    """``values`` as int64 when they are integers (integral floats included), else None."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return None
    if pd.api.types.is_integer_dtype(dtype):
        if pd.api.types.is_unsigned_integer_dtype(dtype) and len(values) and values.max() > 2**62:
            return None
        return values.to_numpy(np.int64)
    if pd.api.types.is_float_dtype(dtype):
        floats = values.to_numpy(np.float64)
        if np.all(np.isfinite(floats)) and np.all(floats == np.trunc(floats)):
            if len(floats) and np.abs(floats).max() > 2**53:
                return None
            return floats.astype(np.int64)
    return None


def _text_form(values: pd.Series) -> np.ndarray:
    """Record ids as text; integral numbers without a decimal part (``3.0`` -> ``"3"``)."""
    as_int = _as_int64(values)
    if as_int is not None:
        return as_int.astype(str).astype(object)
    text = values.astype(str).to_numpy(object)
    if values.dtype == object:
        try:  # strings (and bytes) have a length
            is_text = values.str.len().notna().to_numpy(bool)
        except AttributeError:  # no string at all: pandas refuses the .str accessor
            is_text = np.zeros(len(values), bool)
        numbers = pd.to_numeric(values.where(~is_text), errors="coerce").to_numpy(np.float64)
        integral = ~is_text & np.isfinite(numbers)
        integral[integral] = numbers[integral] == np.trunc(numbers[integral])
        if integral.any():
            text[integral] = numbers[integral].astype(np.int64).astype(str).astype(object)
    return text


def _index_dtype(bound: int) -> type[np.signedinteger[Any]]:
    """The narrowest of int32 and int64 that holds every value below ``bound``."""
    return np.int32 if bound < 2**31 - 1 else np.int64


def _narrow(values: np.ndarray, bound: int) -> np.ndarray:
    """``values`` (all below ``bound``) as int32 when that holds them, else int64."""
    return values.astype(_index_dtype(bound), copy=False)


def _offsets(values: np.ndarray, limit: int) -> tuple[np.ndarray, int, int] | None:
    """``values - min`` in the narrowest integer type, the minimum and the span.

    ``None`` when the values span more than ``limit`` integers.
    """
    if not len(values):
        return np.zeros(0, np.int32), 0, 0
    low, high = int(values.min()), int(values.max())
    span = high - low + 1
    if span > limit:
        return None
    return _narrow(values - np.int64(low), span), low, span


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes of ``values`` and how many there are (hashing)."""
    codes, uniques = pd.factorize(values)
    return _narrow(codes, len(uniques)), len(uniques)


def _arrow_text(values: pd.Series) -> pa.ChunkedArray | None:
    """``values`` as Arrow text when every one is a string (no copy of Arrow strings).

    ``None`` for anything else (numbers, mixed ids, bytes), left to the generic path.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)
    ):
        # one C pass over the offsets, no Python string per row
        arrow = values.array.__arrow_array__()  # type: ignore[union-attr]
        chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    elif dtype is np.dtype(object) and pd.api.types.infer_dtype(values, skipna=False) == "string":
        chunks = [pa.array(values.to_numpy(object), type=pa.large_string())]
    else:
        return None
    return pa.chunked_array([c.cast(pa.large_string()) for c in chunks], type=pa.large_string())


def _text_codes(a: pd.Series, b: pd.Series) -> pa.ChunkedArray | None:
    """The string record ids of both frames as one Arrow column, or ``None``.

    ``None`` unless both columns hold strings only.
    """
    text_a = _arrow_text(a)
    if text_a is None:
        return None
    text_b = _arrow_text(b)
    if text_b is None:
        return None
    return pa.chunked_array([*text_a.chunks, *text_b.chunks], type=pa.large_string())


#: Strings of at most this many bytes are coded from their 8-byte words with NumPy;
#: a column holding a longer one goes through Arrow's hash table.
_WORD_BYTES = 64
#: ``_BYTE_MASKS[k]`` keeps the low ``k`` bytes of a 64-bit word.
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
_MIX = (0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93)


def _string_parts(text: pa.ChunkedArray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per chunk of large strings: string starts and ends, and a word view of the data.

    The view reads the chunk's data as a little-endian 64-bit word starting at every
    byte (no copy); data shorter than a word is padded in a copy.
    """
    parts = []
    for chunk in text.chunks:
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(
            offsets_buffer, np.int64, count=len(chunk) + 1, offset=chunk.offset * 8
        )
        data = np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.zeros(0)
        if len(data) < 8:  # too short for one word: pad a copy
            data = np.concatenate([data.astype(np.uint8), np.zeros(8, np.uint8)])
        window = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
        parts.append((offsets[:-1], offsets[1:], window))
    return parts


def _word(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], w: int) -> np.ndarray:
    """Bytes ``8w`` to ``8w + 7`` of every string as a 64-bit word, zero past its end."""
    out = []
    for start, end, window in parts:
        first = start + 8 * w  # a new array: modified below
        held = end - first
        np.clip(held, 0, 8, out=held)  # bytes of this word the string holds
        at = np.minimum(first, len(window) - 1)  # near the data's end: read earlier, shift
        first -= at
        np.minimum(first, 7, out=first)  # past the end (nothing held): any shift will do
        first <<= 3
        word = window[at]
        word >>= first.view(np.uint64)
        word &= _BYTE_MASKS[held]
        out.append(word)
    return np.concatenate([np.zeros(0, np.uint64), *out])


def _fingerprints(small: np.ndarray, words: Iterable[np.ndarray]) -> np.ndarray:
    """A 64-bit hash of each ``(small key, string)``: equal pairs, equal hashes."""
    mix, fold = np.uint64(_MIX[0]), np.uint64(_MIX[1])
    h = small.astype(np.uint64)
    h *= mix
    for word in words:
        h ^= word
        h *= fold
        h ^= h >> np.uint64(32)
    return h


#: Row counts from which the gathers of :func:`_string_keys` run in two threads.
_THREADED_ROWS = 1 << 20


def _side_by_side(step: Callable[[int, int], None], n: int) -> None:
    """Run ``step(lo, hi)`` over rows ``0 .. n-1`` in two halves on two threads.

    NumPy's gathers and comparisons release the GIL, so the halves run side by side;
    ``step`` writes only its own rows. Small inputs run in one call.
    """
    if n < _THREADED_ROWS:
        step(0, n)
        return
    middle = n // 2
    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(step, 0, middle), pool.submit(step, middle, n)]:
            done.result()


def _string_keys(text: pa.ChunkedArray, src: np.ndarray, n_src: int) -> tuple[np.ndarray, int]:
    """Codes of ``(source, string)`` pairs: equal pairs, equal codes; codes below the bound.

    Strings of at most ``_WORD_BYTES`` bytes are hashed in NumPy from their 8-byte words
    with the source and length, each hash packed above its row number and the packed
    values sorted (no hash table, no Python string); equal hashes in a row of the sorted
    order are then checked word by word, so the codes are exact. The rare rows whose
    hash is shared by different pairs are coded again by Arrow. Longer strings go
    through Arrow's hash table directly. Not every code below the bound need be used.
    """
    n = len(text)
    parts = _string_parts(text)
    length = np.concatenate([np.zeros(0, np.int64), *(end - start for start, end, _ in parts)])
    longest = int(length.max(initial=0))
    if longest > _WORD_BYTES or n >= 2**40:
        return _arrow_keys(text, src, n_src)
    # (source, length) in one small key: one gather checks both
    small = src.astype(np.int64) * (_WORD_BYTES + 1) + length
    small = small.astype(np.uint16 if n_src * (_WORD_BYTES + 1) < 2**16 else np.int64)
    n_words = max(-(-longest // 8), 1)
    # up to two words are kept for the check; more are read again (memory)
    kept = [_word(parts, w) for w in range(n_words)] if n_words <= 2 else None
    packed = _fingerprints(small, kept or (_word(parts, w) for w in range(n_words)))
    shift = np.uint64(max((n - 1).bit_length(), 1))
    packed >>= shift  # the hash's high bits, then the row number
    packed <<= shift
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()  # equal hashes side by side, each with its row
    rows = (packed & np.uint64((1 << int(shift)) - 1)).astype(np.intp)
    packed >>= shift
    first = np.ones(n, bool)  # first row of a run of equal hashes
    np.not_equal(packed[1:], packed[:-1], out=first[1:])
    del packed
    differ = np.zeros(n, bool)  # differs from the row before it in the sorted order
    for key in (small, *(kept or (_word(parts, w) for w in range(n_words)))):

        def check(lo: int, hi: int, key: np.ndarray = key) -> None:
            ordered = key[rows[max(lo - 1, 0) : hi]]  # from the row before: a pair a row
            differ[max(lo, 1) : hi] |= ordered[1:] != ordered[:-1]

        _side_by_side(check, n)
    run = np.cumsum(first, dtype=np.int64)
    run -= 1
    n_runs = int(run[-1]) + 1 if n else 0
    clash = differ & ~first  # a hash shared by different pairs
    codes = np.empty(n, np.int64)

    def place(lo: int, hi: int) -> None:
        codes[rows[lo:hi]] = run[lo:hi]

    _side_by_side(place, n)
    if not clash.any():
        return _narrow(codes, n_runs), n_runs
    again = np.zeros(n_runs, bool)
    again[run[clash]] = True
    redo = rows[again[run]]
    sub, n_sub = _arrow_keys(text.take(pa.array(redo)), src[redo], n_src)
    codes[redo] = n_runs + sub.astype(np.int64)
    log.debug("compare: %d rows with a shared string hash coded again", len(redo))
    return _narrow(codes, n_runs + n_sub), n_runs + n_sub


def _arrow_keys(text: pa.ChunkedArray, src: np.ndarray, n_src: int) -> tuple[np.ndarray, int]:
    """Codes of ``(source, string)`` pairs through one Arrow hash pass (any length)."""
    # dictionary_encode keeps one memo table over the chunks: one shared dictionary
    encoded = pc.dictionary_encode(text)
    n_ids = len(encoded.chunks[-1].dictionary) if encoded.num_chunks else 0
    ids = np.concatenate(
        [np.zeros(0, np.int64), *(c.indices.to_numpy(zero_copy_only=False) for c in encoded.chunks)]
    ).astype(np.int64)
    keys = ids * max(n_src, 1) + src
    space = n_ids * max(n_src, 1)
    if space > 4 * len(keys) + _SLACK:  # many sources: compact the code space
        return _codes(keys)
    return _narrow(keys, space), space


def _record_keys(
    a: pd.DataFrame, b: pd.DataFrame, ids: IdMode
) -> tuple[np.ndarray, np.ndarray, int]:
    """Codes of ``(source, canonical record_id)`` shared by both frames.

    Returns the codes of ``a``'s and ``b``'s rows and the size of the code space
    (codes lie in ``[0, space)``; not every code need be used). Equal codes mean the
    same record.
    """
    src_a, src_b, sources = _source_codes(a["source"], b["source"])
    n_src = max(len(sources), 1)
    limit = 4 * (len(a) + len(b)) + _SLACK
    ids_a = ids_b = None
    if ids == "exact":
        ids_a, ids_b = _as_int64(a["record_id"]), _as_int64(b["record_id"])
    keys: np.ndarray | None = None
    if ids_a is not None and ids_b is not None:
        both_ids = np.concatenate([ids_a, ids_b])
        dense = _offsets(both_ids, limit // n_src)
        if dense is not None:  # integer ids in a compact range: address them directly
            offsets, _, span = dense
            space = span * n_src
            keys = _narrow(offsets, space)
            if n_src > 1:
                keys *= n_src
                keys += np.concatenate([src_a, src_b]).astype(keys.dtype, copy=False)
        else:
            id_codes, n_ids = _codes(both_ids)
    elif (text := _text_codes(a["record_id"], b["record_id"])) is not None:
        # strings only: their text form is themselves, in both modes
        keys, space = _string_keys(text, np.concatenate([src_a, src_b]), n_src)
    else:
        if ids == "text":
            both: np.ndarray = np.concatenate(
                [_text_form(a["record_id"]), _text_form(b["record_id"])]
            )
        else:
            both = np.concatenate(
                [a["record_id"].to_numpy(object), b["record_id"].to_numpy(object)]
            )
        id_codes, n_ids = _codes(both)
    if keys is None:
        space = n_ids * n_src
        keys = id_codes.astype(np.int64) * n_src + np.concatenate([src_a, src_b])
        if space > limit:  # many sources: compact the code space
            keys, space = _codes(keys)
    keys = _narrow(keys, space)
    return keys[: len(a)], keys[len(a) :], space


def _person_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Codes of person ids, the ids themselves (in code order) and each one's records.

    A code may hold no record (integer ids in a compact range are addressed directly);
    such codes are no person.
    """
    as_int = _as_int64(values)
    if as_int is not None:
        dense = _offsets(as_int, 2 * len(as_int) + _SLACK)
        if dense is not None:  # ids in a compact range are their own codes (some unused)
            codes, low, span = dense
            return codes, pd.RangeIndex(low, low + span), np.bincount(codes, minlength=span)
    found, uniques = pd.factorize(values)
    return (
        _narrow(found, len(uniques)),
        pd.Index(uniques),
        np.bincount(found, minlength=len(uniques)),
    )


def _place(
    keys: np.ndarray, codes: np.ndarray, space: int, frame: pd.DataFrame, name: str
) -> np.ndarray:
    """Codes laid out by record key (-1 where absent), after checking keys are unique."""
    out = np.full(space, -1, codes.dtype if codes.dtype == np.int32 else np.int64)
    out[keys] = codes
    if np.count_nonzero(out >= 0) < len(keys):  # a key written twice
        counts = np.bincount(keys, minlength=space)
        rows = np.flatnonzero(counts[keys] > 1)
        source = str(frame["source"].iloc[rows[0]])
        same = rows[frame["source"].iloc[rows].astype(str).to_numpy() == source]
        repeated = pd.unique(frame["record_id"].iloc[same].to_numpy(object))[:10].tolist()
        msg = f"{name}: record ids repeat within source {source!r}: {repeated}"
        raise DuplicateRecordError(msg, source=source, record_ids=repeated)
    return out


# ---------------------------------------------------------------------------- counting
def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64, copy=False)
    return int((sizes * (sizes - 1) // 2).sum())


def _unique_max(
    groups: np.ndarray, values: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, its largest value and whether exactly one entry holds it."""
    top = np.zeros(n_groups, values.dtype)
    np.maximum.at(top, groups, values)
    at_top = values == top[groups]
    return top, np.bincount(groups[at_top], minlength=n_groups) == 1


@dataclass(frozen=True, slots=True)
class _Cells:
    """The sparse contingency table of common records: one entry per (a, b) pair."""

    a: np.ndarray  # earlier person code of each cell
    b: np.ndarray  # later person code of each cell
    n: np.ndarray  # common records in the cell
    status: np.ndarray  # status code of the cell's records
    rows: np.ndarray  # common records per earlier person (its row sum)
    cols: np.ndarray  # common records per later person (its column sum)
    succ: np.ndarray  # later person continuing each earlier person, -1 if none
    pred: np.ndarray  # earlier person each later person continues, -1 if none
    k_a: np.ndarray  # later persons holding records of each earlier person
    k_b: np.ndarray  # earlier persons contributing records to each later person


def _row_max(
    values: np.ndarray, counts: np.ndarray, starts: np.ndarray, nonempty: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a CSR layout: largest value, whether one entry holds it, and the sum."""
    top = np.zeros(len(counts), values.dtype)
    unique = np.zeros(len(counts), bool)
    total = np.zeros(len(counts), np.int64)
    if len(values):
        top[nonempty] = np.maximum.reduceat(values, starts)
        at_top = (values == np.repeat(top, counts)).view(np.int8)
        unique[nonempty] = np.add.reduceat(at_top, starts, dtype=np.int32) == 1
        total[nonempty] = np.add.reduceat(values, starts, dtype=np.int64)
    return top, unique, total


def _cells(pa: np.ndarray, pb: np.ndarray, n_a: int, n_b: int) -> _Cells:
    # (a, b) pairs sorted: cells in row order, so every per-row step below is a
    # sequential pass (a plain sort of one integer a record, no sparse conversion)
    pair = pa.astype(np.int64)
    pair *= max(n_b, 1)
    pair += pb
    pair.sort()
    opens = np.ones(len(pair), bool)
    np.not_equal(pair[1:], pair[:-1], out=opens[1:])
    starts = np.flatnonzero(opens)
    n = np.diff(np.append(starts, len(pair))).astype(np.int32)
    pair = pair[starts]
    a = (pair // max(n_b, 1)).astype(_index_dtype(n_a))
    b = (pair % max(n_b, 1)).astype(_index_dtype(n_b))
    k_a = np.bincount(a, minlength=n_a)
    nonempty = k_a > 0
    starts = (np.cumsum(k_a) - k_a)[nonempty]  # first cell of each row holding one
    row_top, row_unique, rows = _row_max(n, k_a, starts, nonempty)
    k_b = np.bincount(b, minlength=n_b)
    col_top, col_unique = _unique_max(b, n, n_b)
    stayed = (n == np.repeat(row_top, k_a)) & np.repeat(row_unique, k_a)
    stayed &= (n == col_top[b]) & col_unique[b]
    status = np.full(len(n), _MOVED, np.int8)
    status[k_b[b] == 1] = _SPLIT
    status[np.repeat(k_a == 1, k_a)] = _MERGED
    status[stayed] = _STAYED
    succ = np.full(n_a, -1, np.int64)
    pred = np.full(n_b, -1, np.int64)
    succ[a[stayed]] = b[stayed]
    pred[b[stayed]] = a[stayed]
    return _Cells(
        a=a,
        b=b,
        n=n,
        status=status,
        rows=rows,
        cols=np.bincount(b, weights=n, minlength=n_b).astype(np.int64),
        succ=succ,
        pred=pred,
        k_a=k_a,
        k_b=k_b,
    )


@dataclass(frozen=True, slots=True)
class _Aligned:
    """Both runs on shared record codes: person codes per record code, -1 where absent."""

    key_a: np.ndarray
    key_b: np.ndarray
    person_a: np.ndarray  # per record code
    person_b: np.ndarray
    ids_a: pd.Index  # person id of each earlier person code
    ids_b: pd.Index
    sizes_a: np.ndarray  # records per earlier person (all of its records)
    sizes_b: np.ndarray


def _align(a: pd.DataFrame, b: pd.DataFrame, person: str, ids: IdMode) -> _Aligned:
    key_a, key_b, space = _record_keys(a, b, ids)
    codes_a, ids_a, sizes_a = _person_codes(a[person])
    codes_b, ids_b, sizes_b = _person_codes(b[person])
    return _Aligned(
        key_a=key_a,
        key_b=key_b,
        person_a=_place(key_a, codes_a, space, a, "clusters_a"),
        person_b=_place(key_b, codes_b, space, b, "clusters_b"),
        ids_a=ids_a,
        ids_b=ids_b,
        sizes_a=sizes_a,
        sizes_b=sizes_b,
    )


# ---------------------------------------------------------------------------- result
def _size_table(sizes_a: np.ndarray, sizes_b: np.ndarray) -> pd.DataFrame:
    top = int(max(sizes_a.max(initial=0), sizes_b.max(initial=0)))
    persons_a = np.bincount(sizes_a, minlength=top + 1)
    persons_b = np.bincount(sizes_b, minlength=top + 1)
    size = np.flatnonzero((persons_a > 0) | (persons_b > 0))
    size = size[size > 0]
    return pd.DataFrame(
        {
            "size": size.astype(np.int64),
            "persons_a": persons_a[size].astype(np.int64),
            "persons_b": persons_b[size].astype(np.int64),
            "records_a": (persons_a[size] * size).astype(np.int64),
            "records_b": (persons_b[size] * size).astype(np.int64),
        }
    )


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RunComparison:
    """What changed from one clustering (``a``, earlier) to another (``b``, later).

    Built by :func:`compare`; see the module documentation for how each common record
    gets its status. Counts of persons and records are ints; agreement statistics are
    floats in [0, 1] (the adjusted Rand index may be negative) computed over the
    records present in both runs. Two comparisons are equal when their counts and
    statistics are. The object keeps both frames for :meth:`records`.

    Attributes
    ----------
    records_a, records_b, records_common : int
        Records in each run and in both.
    new_records, vanished_records : int
        Records only in ``b`` / only in ``a``.
    persons_a, persons_b : int
        Persons in each run.
    new_persons, vanished_persons : int
        Persons of ``b`` holding only new records / of ``a`` holding only vanished ones.
    continued_persons : int
        Pairs of an earlier and a later person where one continues the other.
    unchanged_persons : int
        Continued pairs that hold exactly the same common records.
    renamed_persons : int
        Continued pairs whose person id differs (meaningful when ids are meant to be
        stable between runs).
    merges : int
        Later persons that absorbed at least one earlier person whole.
    absorbed_persons : int
        Earlier persons absorbed whole into a later person they do not continue.
    splits : int
        Earlier persons of which at least one piece became a person of its own.
    split_pieces : int
        Later persons made of a piece of one earlier person, not continuing it.
    stayed_records, merged_records, split_records, moved_records : int
        Common records by status; they add up to ``records_common``.
    pair_precision, pair_recall, pair_f1 : float
        Over pairs of common records: the share of ``b``'s same-person pairs that are
        same-person pairs in ``a`` (precision), the share of ``a``'s kept in ``b``
        (recall), and their harmonic mean.
    bcubed_precision, bcubed_recall, bcubed_f1 : float
        B-cubed: per record, the share of its ``b`` person that was in its ``a`` person
        (precision) and the share of its ``a`` person that is in its ``b`` person
        (recall), averaged over common records.
    rand_index, adjusted_rand_index : float
        Rand index and its chance-adjusted form over common records.
    sizes : pandas.DataFrame
        ``size, persons_a, persons_b, records_a, records_b``: the size distributions
        side by side (all records of each run).
    transitions : pandas.DataFrame
        One row per (earlier, later) person pair sharing common records and not
        ``stayed``: ``person_id_a, person_id_b, records, status``.
    """

    records_a: int
    records_b: int
    records_common: int
    new_records: int
    vanished_records: int
    persons_a: int
    persons_b: int
    new_persons: int
    vanished_persons: int
    continued_persons: int
    unchanged_persons: int
    renamed_persons: int
    merges: int
    absorbed_persons: int
    splits: int
    split_pieces: int
    stayed_records: int
    merged_records: int
    split_records: int
    moved_records: int
    pair_precision: float
    pair_recall: float
    pair_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    rand_index: float
    adjusted_rand_index: float
    sizes: pd.DataFrame = field(repr=False, compare=False)
    transitions: pd.DataFrame = field(repr=False, compare=False)
    _records: Callable[[], pd.DataFrame] = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"RunComparison(records {self.records_a:,} -> {self.records_b:,} "
            f"({self.records_common:,} in both), persons {self.persons_a:,} -> "
            f"{self.persons_b:,}; merges {self.merges:,}, splits {self.splits:,}, "
            f"moved records {self.moved_records:,}, new persons {self.new_persons:,}, "
            f"vanished persons {self.vanished_persons:,}; pair F1 {self.pair_f1:.4f}, "
            f"B-cubed F1 {self.bcubed_f1:.4f}, ARI {self.adjusted_rand_index:.4f})"
        )

    @property
    def changed(self) -> bool:
        """Whether anything differs: a record added, removed or changing person."""
        return bool(
            self.new_records or self.vanished_records or self.stayed_records != self.records_common
        )

    def summary(self) -> pd.DataFrame:
        """The comparison as a table: ``section, metric, a, b, value``.

        ``a`` and ``b`` hold per-run figures (records, persons, size statistics);
        ``value`` holds the changes and agreement statistics.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import pandas as pd
        >>> a = pd.DataFrame({"source": "crm", "record_id": [1, 2, 3], "person_id": [1, 1, 2]})
        >>> compare(a, a).summary().set_index("metric").loc["merges", "value"]
        0
        """
        size = self.sizes["size"].to_numpy(np.int64)

        def stats(persons: np.ndarray) -> tuple[float, float, float]:
            if not persons.sum():
                return 0.0, 0.0, 0.0
            return (
                float((size * persons).sum() / persons.sum()),
                _quantile(size, persons, 0.99),
                float(size[persons > 0].max()),
            )

        mean_a, q_a, max_a = stats(self.sizes["persons_a"].to_numpy(np.int64))
        mean_b, q_b, max_b = stats(self.sizes["persons_b"].to_numpy(np.int64))
        singles = self.sizes.loc[self.sizes["size"] == 1]
        runs: list[tuple[str, float, float]] = [
            ("records", self.records_a, self.records_b),
            ("persons", self.persons_a, self.persons_b),
            ("singleton persons", singles["persons_a"].sum(), singles["persons_b"].sum()),
            ("mean size", mean_a, mean_b),
            ("99th percentile size", q_a, q_b),
            ("largest size", max_a, max_b),
        ]
        changes = (
            "records_common", "new_records", "vanished_records", "stayed_records",
            "merged_records", "split_records", "moved_records", "new_persons",
            "vanished_persons", "continued_persons", "unchanged_persons", "renamed_persons",
            "merges", "absorbed_persons", "splits", "split_pieces",
        )  # fmt: skip
        agreement = (
            "pair_precision", "pair_recall", "pair_f1", "bcubed_precision", "bcubed_recall",
            "bcubed_f1", "rand_index", "adjusted_rand_index",
        )  # fmt: skip
        rows: list[dict[str, Any]] = [
            {"section": "runs", "metric": m, "a": va, "b": vb, "value": vb - va}
            for m, va, vb in runs
        ]
        rows += [
            {"section": "changes", "metric": name.replace("_", " "), "value": getattr(self, name)}
            for name in changes
        ]
        rows += [
            {"section": "agreement", "metric": name.replace("_", " "), "value": getattr(self, name)}
            for name in agreement
        ]
        out = pd.DataFrame(rows, columns=["section", "metric", "a", "b", "value"], dtype=object)
        out["metric"] = out["metric"].str.replace("records common", "records in both")
        return out

    def records(self, *, changed_only: bool = True) -> pd.DataFrame:
        """Records with their person in each run and their status.

        Parameters
        ----------
        changed_only : bool, default True
            Leave out records whose status is ``stayed``.

        Returns
        -------
        pandas.DataFrame
            ``source, record_id, person_id_a, person_id_b, status``; ``status`` is one
            of ``stayed, merged, split, moved, new, vanished`` (categorical); the person
            id of the run a record is missing from is null.

        Examples
        --------
        >>> import pandas as pd
        >>> a = pd.DataFrame({"source": "s", "record_id": [1, 2, 3], "person_id": [7, 7, 8]})
        >>> b = pd.DataFrame({"source": "s", "record_id": [1, 2, 4], "person_id": [7, 7, 7]})
        >>> compare(a, b).records()[["record_id", "status"]]
           record_id    status
        0          3  vanished
        1          4       new
        """
        frame = self._records()
        if changed_only:
            frame = frame.loc[frame["status"] != "stayed"].reset_index(drop=True)
        return frame

    def chart(self) -> Any:
        """An Altair chart: size distributions side by side and the changes by kind.

        Requires the ``charts`` extra (``pip install 'identigraph[charts]'``).

        Returns
        -------
        altair.HConcatChart

        Raises
        ------
        MissingDependencyError
            Altair is not installed.

        Examples
        --------
        >>> import pandas as pd
        >>> a = pd.DataFrame({"source": "s", "record_id": [1, 2], "person_id": [7, 8]})
        >>> chart = compare(a, a).chart()  # doctest: +SKIP
        """
        alt = import_optional("altair", extra="charts")
        bucket = np.floor(np.log2(self.sizes["size"].to_numpy(np.float64))).astype(np.int64)
        low = (2**bucket).astype(np.int64)
        labels = np.where(low == 1, "1", [f"{lo}-{2 * lo - 1}" for lo in low.tolist()])
        labels = np.where(low == 2, "2-3", labels)
        sizes = pd.DataFrame(
            {
                "bucket": bucket,
                "sizes": labels,
                "a": self.sizes["persons_a"],
                "b": self.sizes["persons_b"],
            }
        )
        sizes = sizes.groupby(["bucket", "sizes"], as_index=False)[["a", "b"]].sum()
        long = sizes.melt(
            id_vars=["bucket", "sizes"], value_vars=["a", "b"], var_name="run", value_name="persons"
        )
        long = long.loc[long["persons"] > 0]
        order = sizes.sort_values("bucket")["sizes"].tolist()
        distribution = (
            alt.Chart(long, title="Persons by size")
            .mark_bar()
            .encode(
                x=alt.X("sizes:N", sort=order, title="records per person"),
                xOffset=alt.XOffset("run:N"),
                y=alt.Y("persons:Q", scale=alt.Scale(type="symlog"), title="persons"),
                color=alt.Color("run:N", title="run"),
                tooltip=["run:N", "sizes:N", "persons:Q"],
            )
        )
        kinds = pd.DataFrame(
            {
                "status": list(_ALL_STATUSES),
                "records": [
                    self.stayed_records,
                    self.merged_records,
                    self.split_records,
                    self.moved_records,
                    self.new_records,
                    self.vanished_records,
                ],
            }
        )
        changes = (
            alt.Chart(kinds, title="Records by status")
            .mark_bar()
            .encode(
                x=alt.X("status:N", sort=list(_ALL_STATUSES), title=None),
                y=alt.Y("records:Q", scale=alt.Scale(type="symlog"), title="records"),
                tooltip=["status:N", "records:Q"],
            )
        )
        return alt.hconcat(distribution, changes)


# ---------------------------------------------------------------------------- compare
def compare(
    clusters_a: pd.DataFrame,
    clusters_b: pd.DataFrame,
    *,
    person: str = "person_id",
    ids: IdMode = "exact",
    progress: bool | None = None,
) -> RunComparison:
    """Compare two clusterings of (mostly) the same records, e.g. yesterday's and today's.

    Parameters
    ----------
    clusters_a, clusters_b : pandas.DataFrame
        ``source, record_id`` and the person column: the earlier (``a``) and the later
        (``b``) run, as :meth:`IdentityGraph.clusters` returns them. Person ids are
        labels: only which records share one matters.
    person : str, default "person_id"
        Name of the person column in both frames.
    ids : {"exact", "text"}, default "exact"
        How record ids are matched between the frames. ``"exact"``: integers match
        integers of equal value whatever their dtype (``3``, ``numpy.int64(3)`` and
        ``3.0`` are one id), strings match equal strings, and the integer ``3`` and the
        string ``"3"`` are different records, as in the graph. ``"text"``: ids match
        by their text form (``3``, ``3.0`` and ``"3"`` are one id), for a run read
        back from a file that stored every id as text.
    progress : bool or None
        Show a progress bar; ``None`` shows it in an interactive terminal only.

    Returns
    -------
    RunComparison

    Raises
    ------
    MissingColumnError
        A frame lacks ``source``, ``record_id`` or the person column.
    InputError
        A frame holds missing values in those columns.
    DuplicateRecordError
        A ``(source, record_id)`` repeats within one frame.
    ConfigError
        ``ids`` is not ``"exact"`` or ``"text"``.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> a = pd.DataFrame({"source": "crm", "record_id": [1, 2, 3, 4],
    ...                   "person_id": [10, 10, 20, 30]})
    >>> b = pd.DataFrame({"source": "crm", "record_id": [1, 2, 3, 4, 5],
    ...                   "person_id": [10, 10, 10, 30, 40]})
    >>> diff = ig.compare(a, b)
    >>> diff.merges, diff.absorbed_persons, diff.new_records, diff.new_persons
    (1, 1, 1, 1)
    >>> ig.compare(a, a.assign(person_id=a["person_id"] * 7)).changed
    False

    See Also
    --------
    size_drift : persons whose size jumped between two runs.
    identigraph.evaluate.pairwise : accuracy against ground truth.

    Notes
    -----
    Record keys and person ids become integer codes (direct addressing for integer
    ids in a compact range, hashing otherwise; string ids of at most 64 bytes are
    hashed from their 8-byte words and sorted, then checked word by word, so equal
    codes mean equal ids); the contingency table's non-empty cells come from one sort
    of a packed (earlier, later) integer a common record. Cost: O(n) for integer ids
    in a compact range, O(n) expected with hashing, O(n log n) for the sorts, for n
    records in both frames.
    """
    if ids not in ("exact", "text"):
        msg = f"ids must be 'exact' or 'text', not {ids!r}"
        raise ConfigError(msg)
    _check_frame(clusters_a, "clusters_a", person)
    _check_frame(clusters_b, "clusters_b", person)
    started = time.perf_counter()
    with progress_bar(_STEPS, desc="compare", unit="steps", progress=progress) as bar:
        aligned = _align(clusters_a, clusters_b, person, ids)
        bar.update(2)
        common = np.flatnonzero((aligned.person_a >= 0) & (aligned.person_b >= 0))
        pa = aligned.person_a[common]
        pb = aligned.person_b[common]
        n_a, n_b = len(aligned.ids_a), len(aligned.ids_b)
        cells = _cells(pa, pb, n_a, n_b)
        bar.update(2)
        result = _result(clusters_a, clusters_b, aligned, cells, common)
        bar.update(1)
    log.info(
        "compare: %d and %d records, %d persons -> %d, %d merges, %d splits, "
        "%d moved records in %.2f s",
        len(clusters_a),
        len(clusters_b),
        n_a,
        n_b,
        result.merges,
        result.splits,
        result.moved_records,
        time.perf_counter() - started,
    )
    return result


def _result(
    frame_a: pd.DataFrame,
    frame_b: pd.DataFrame,
    aligned: _Aligned,
    cells: _Cells,
    common: np.ndarray,
) -> RunComparison:
    n = len(common)
    by_status = np.bincount(cells.status, weights=cells.n, minlength=4).astype(np.int64)
    cells_by_status = np.bincount(cells.status, minlength=4)
    stayed = cells.status == _STAYED
    tp = _pairs(cells.n)
    pairs_a = _pairs(cells.rows)
    pairs_b = _pairs(cells.cols)
    total = n * (n - 1) // 2
    squares = cells.n.astype(np.float64) ** 2
    bcubed_p = float((squares / cells.cols[cells.b]).sum() / n) if n else 1.0
    bcubed_r = float((squares / cells.rows[cells.a]).sum() / n) if n else 1.0
    expected = pairs_a * pairs_b / total if total else 0.0
    ceiling = (pairs_a + pairs_b) / 2
    ari = (tp - expected) / (ceiling - expected) if ceiling != expected else 1.0
    rand = 1.0 - (pairs_a + pairs_b - 2 * tp) / total if total else 1.0
    precision, recall = _ratio(tp, pairs_b), _ratio(tp, pairs_a)
    continued_a = cells.a[stayed]
    continued_b = cells.b[stayed]
    same_set = (cells.k_a[continued_a] == 1) & (cells.k_b[continued_b] == 1)
    renamed = _differ(aligned.ids_a[continued_a], aligned.ids_b[continued_b])
    merged_cells = cells.status == _MERGED
    split_cells = cells.status == _SPLIT
    transitions = pd.DataFrame(
        {
            "person_id_a": aligned.ids_a[cells.a[~stayed]],
            "person_id_b": aligned.ids_b[cells.b[~stayed]],
            "records": cells.n[~stayed],
            "status": pd.Categorical.from_codes(
                cells.status[~stayed], categories=pd.Index(list(STATUSES))
            ),
        }
    )

    def records() -> pd.DataFrame:
        return _record_table(frame_a, frame_b, aligned, cells)

    return RunComparison(
        records_a=len(frame_a),
        records_b=len(frame_b),
        records_common=n,
        new_records=len(frame_b) - n,
        vanished_records=len(frame_a) - n,
        persons_a=int(np.count_nonzero(aligned.sizes_a)),
        persons_b=int(np.count_nonzero(aligned.sizes_b)),
        new_persons=int(np.count_nonzero((cells.cols == 0) & (aligned.sizes_b > 0))),
        vanished_persons=int(np.count_nonzero((cells.rows == 0) & (aligned.sizes_a > 0))),
        continued_persons=int(cells_by_status[_STAYED]),
        unchanged_persons=int(np.count_nonzero(same_set)),
        renamed_persons=int(np.count_nonzero(renamed)),
        merges=len(sorted_unique(cells.b[merged_cells])),
        absorbed_persons=int(cells_by_status[_MERGED]),
        splits=len(sorted_unique(cells.a[split_cells])),
        split_pieces=int(cells_by_status[_SPLIT]),
        stayed_records=int(by_status[_STAYED]),
        merged_records=int(by_status[_MERGED]),
        split_records=int(by_status[_SPLIT]),
        moved_records=int(by_status[_MOVED]),
        pair_precision=precision,
        pair_recall=recall,
        pair_f1=_f1(precision, recall),
        bcubed_precision=bcubed_p,
        bcubed_recall=bcubed_r,
        bcubed_f1=_f1(bcubed_p, bcubed_r),
        rand_index=float(rand),
        adjusted_rand_index=float(ari),
        sizes=_size_table(aligned.sizes_a, aligned.sizes_b),
        transitions=transitions,
        _records=records,
    )


def _differ(left: pd.Index, right: pd.Index) -> np.ndarray:
    """Elementwise ``left != right`` for person ids of any types."""
    if left.dtype.kind in "iu" and right.dtype.kind in "iu":
        return np.asarray(left.to_numpy(np.int64) != right.to_numpy(np.int64))
    return np.asarray(left.to_numpy(object) != right.to_numpy(object), dtype=bool)


def _record_table(
    frame_a: pd.DataFrame, frame_b: pd.DataFrame, aligned: _Aligned, cells: _Cells
) -> pd.DataFrame:
    """Every record of both runs with its persons and status (records of ``a`` first)."""
    pa_of_a = aligned.person_a[aligned.key_a]
    pb_of_a = aligned.person_b[aligned.key_a]
    in_b = pb_of_a >= 0
    status = np.full(len(frame_a), _VANISHED, np.int8)
    a_codes, b_codes = pa_of_a[in_b], pb_of_a[in_b]
    stayed = (cells.succ[a_codes] == b_codes) & (cells.pred[b_codes] == a_codes)
    common_status = np.full(len(a_codes), _MOVED, np.int8)
    common_status[cells.k_b[b_codes] == 1] = _SPLIT
    common_status[cells.k_a[a_codes] == 1] = _MERGED
    common_status[stayed] = _STAYED
    status[in_b] = common_status
    only_b = aligned.person_a[aligned.key_b] < 0
    person_b_all = aligned.person_b[aligned.key_b[only_b]]

    def ids(index: pd.Index, codes: np.ndarray) -> pd.Series:
        return _take_ids(index, codes)

    front = pd.DataFrame(
        {
            "source": frame_a["source"].astype(str).to_numpy(object),
            "record_id": frame_a["record_id"].reset_index(drop=True),
            "person_id_a": ids(aligned.ids_a, pa_of_a),
            "person_id_b": ids(aligned.ids_b, pb_of_a),
            "status": status,
        }
    )
    back = pd.DataFrame(
        {
            "source": frame_b["source"].astype(str).to_numpy(object)[only_b],
            "record_id": frame_b["record_id"][only_b].reset_index(drop=True),
            "person_id_a": _take_ids(aligned.ids_a, np.full(len(person_b_all), -1, np.int64)),
            "person_id_b": ids(aligned.ids_b, person_b_all),
            "status": np.full(len(person_b_all), _NEW, np.int8),
        }
    )
    out = pd.concat([front, back], ignore_index=True) if len(back) else front
    out["status"] = pd.Categorical.from_codes(
        out["status"].to_numpy(np.int8), categories=pd.Index(list(_ALL_STATUSES))
    )
    return out


def _take_ids(index: pd.Index, codes: np.ndarray) -> pd.Series:
    """Person ids at ``codes``; null where a code is -1 (nullable ints for integer ids)."""
    missing = codes < 0
    if pd.api.types.is_integer_dtype(index.dtype):
        values = index.to_numpy(np.int64)[np.maximum(codes, 0)] if len(index) else codes * 0
        return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64), missing))
    out = index.to_numpy(object)[np.maximum(codes, 0)] if len(index) else codes.astype(object)
    out = out.astype(object)
    out[missing] = None
    return pd.Series(out, dtype=object)


def _null_ints(n: int) -> pd.Series:
    return pd.Series(pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)))


# ---------------------------------------------------------------------------- drift
def size_distribution(clusters: pd.DataFrame, *, person: str = "person_id") -> pd.DataFrame:
    """How many persons have each number of records: ``size, persons``.

    The same table as ``IdentityGraph.report().sizes``; :func:`size_drift` accepts it
    in place of the earlier clusters frame.

    Parameters
    ----------
    clusters : pandas.DataFrame
        A frame with the person column.
    person : str, default "person_id"
        Name of the person column.

    Returns
    -------
    pandas.DataFrame
        ``size, persons`` (int64), by increasing size.

    Raises
    ------
    MissingColumnError
        ``clusters`` lacks the person column.

    Examples
    --------
    >>> import pandas as pd
    >>> size_distribution(pd.DataFrame({"person_id": [1, 1, 2]})).to_dict("list")
    {'size': [1, 2], 'persons': [1, 1]}
    """
    if person not in clusters.columns:
        msg = f"clusters lacks column {person!r}"
        raise MissingColumnError(msg, column=person, available=[str(c) for c in clusters.columns])
    sizes = _person_codes(clusters[person])[2]
    table = _size_table(sizes, np.zeros(0, np.int64))
    return (
        pd.DataFrame({"size": table["size"], "persons": table["persons_a"]})
        .loc[lambda t: t["persons"] > 0]
        .reset_index(drop=True)
    )


def _baseline_of(previous: pd.DataFrame | pd.Series, quantile: float) -> float:
    """The ``quantile`` (over persons) of a size distribution."""
    if isinstance(previous, pd.Series):
        size = previous.index.to_numpy(np.int64)
        persons = previous.to_numpy(np.int64)
    else:
        for column in ("size", "persons"):
            if column not in previous.columns:
                msg = f"a size distribution needs column {column!r}"
                raise MissingColumnError(
                    msg, column=column, available=[str(c) for c in previous.columns]
                )
        size = previous["size"].to_numpy(np.int64)
        persons = previous["persons"].to_numpy(np.int64)
    return _quantile(size, persons, quantile)


def _quantile(size: np.ndarray, persons: np.ndarray, quantile: float) -> float:
    """The ``quantile`` over persons of a size distribution (the lower size at a tie)."""
    keep = persons > 0
    size, persons = size[keep], persons[keep]
    if not len(size):
        return 0.0
    order = np.argsort(size)
    size, persons = size[order], persons[order]
    cumulative = np.cumsum(persons)
    rank = quantile * cumulative[-1]
    return float(size[min(int(np.searchsorted(cumulative, rank)), len(size) - 1)])


def size_drift(
    previous: pd.DataFrame | pd.Series,
    current: pd.DataFrame,
    *,
    factor: float = 5.0,
    min_size: int = 10,
    quantile: float = 0.99,
    person: str = "person_id",
    ids: IdMode = "exact",
) -> pd.DataFrame:
    """Persons of the current run whose size jumped, largest jump first.

    The rule: a current person is flagged when it holds at least ``min_size`` records
    and at least ``factor`` times its *baseline*. When ``previous`` is a clusters
    frame, the baseline is the size (in the previous run) of the largest previous
    person it holds records of, or 1 for a person made of new records only. When
    ``previous`` is a size distribution (``size, persons``, as
    :func:`size_distribution` or ``IdentityGraph.report().sizes`` give it, or a
    Series of persons indexed by size), persons cannot be followed, and the baseline
    is the previous distribution's ``quantile`` size (at least 1): a flagged person
    has outgrown nearly every earlier one.

    Parameters
    ----------
    previous : pandas.DataFrame or pandas.Series
        The earlier clusters frame, or the earlier size distribution.
    current : pandas.DataFrame
        The current clusters frame (``source, record_id`` and the person column).
    factor : float, default 5.0
        Growth over the baseline that flags a person; greater than 1.
    min_size : int, default 10
        Smallest size flagged; at least 1.
    quantile : float, default 0.99
        Baseline quantile of a previous size distribution, in [0, 1].
    person : str, default "person_id"
        Name of the person column.
    ids : {"exact", "text"}, default "exact"
        How record ids are matched, as in :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        ``person_id, size, previous_size, baseline, growth, origins, new_records``:
        ``previous_size`` (the baseline person's size), ``origins`` (previous persons
        it holds records of) and ``new_records`` are nullable ints, null when
        ``previous`` is a distribution; ``growth`` is ``size / baseline``. Sorted by
        growth, then size, largest first.

    Raises
    ------
    ConfigError
        ``factor``, ``min_size`` or ``quantile`` is out of range.
    MissingColumnError, InputError, DuplicateRecordError
        As :func:`compare` raises them.

    Examples
    --------
    >>> import pandas as pd
    >>> before = pd.DataFrame({"source": "web", "record_id": range(12),
    ...                        "person_id": [0, 0] + list(range(1, 11))})
    >>> after = before.assign(person_id=0)  # a junk value joined everyone
    >>> size_drift(before, after)[["person_id", "size", "previous_size", "origins"]]
       person_id  size  previous_size  origins
    0          0    12              2       11
    >>> size_drift(size_distribution(before), after)[["size", "baseline", "growth"]]
       size  baseline  growth
    0    12       2.0     6.0
    """
    if not factor > 1:
        msg = f"factor must be greater than 1, not {factor!r}"
        raise ConfigError(msg)
    if min_size < 1:
        msg = f"min_size must be at least 1, not {min_size!r}"
        raise ConfigError(msg)
    if not 0 <= quantile <= 1:
        msg = f"quantile must lie in [0, 1], not {quantile!r}"
        raise ConfigError(msg)
    if ids not in ("exact", "text"):
        msg = f"ids must be 'exact' or 'text', not {ids!r}"
        raise ConfigError(msg)
    _check_frame(current, "current", person)
    if isinstance(previous, pd.DataFrame) and {"source", "record_id"} <= set(previous.columns):
        _check_frame(previous, "previous", person)
        aligned = _align(previous, current, person, ids)
        common = (aligned.person_a >= 0) & (aligned.person_b >= 0)
        cells = _cells(aligned.person_a[common], aligned.person_b[common], *_counts(aligned))
        size = aligned.sizes_b
        previous_size = np.zeros(len(size), np.int64)
        np.maximum.at(previous_size, cells.b, aligned.sizes_a[cells.a])
        baseline = np.maximum(previous_size, 1).astype(np.float64)
        origins: pd.Series | None = pd.Series(cells.k_b, dtype="Int64")
        new = pd.Series(size - cells.cols, dtype="Int64")
        before = pd.Series(previous_size, dtype="Int64")
    else:
        _, ids_b, size = _person_codes(current[person])
        baseline = np.full(len(size), max(_baseline_of(previous, quantile), 1.0))
        origins = None
        new = before = _null_ints(len(size))
    if origins is not None:
        ids_b = aligned.ids_b
    growth = size / baseline
    flagged = np.flatnonzero((size >= min_size) & (growth >= factor))
    order = flagged[np.lexsort((-size[flagged], -growth[flagged]))]
    out = pd.DataFrame(
        {
            "person_id": ids_b.take(order),
            "size": size[order].astype(np.int64),
            "previous_size": before.take(order).reset_index(drop=True),
            "baseline": baseline[order],
            "growth": growth[order],
            "origins": (origins if origins is not None else before)
            .take(order)
            .reset_index(drop=True),
            "new_records": new.take(order).reset_index(drop=True),
        }
    )
    log.info("size_drift: %d of %d persons flagged", len(out), len(size))
    return out


def _counts(aligned: _Aligned) -> tuple[int, int]:
    return len(aligned.ids_a), len(aligned.ids_b)
