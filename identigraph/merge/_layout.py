"""Records grouped by person, in the canonical tie-break order (source name, record id)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph._unique import sorted_unique
from identigraph.errors import (
    DtypeError,
    DuplicateRecordError,
    InputError,
    MissingColumnError,
    UnknownRecordError,
)
from identigraph.merge._keys import arrow_values

__all__ = ["Layout", "RecordKeys", "build_layout", "require_columns"]

_SHOWN = 5  # record ids an error message names


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], *, name: str) -> None:
    """Raise :class:`MissingColumnError` unless ``frame`` has every one of ``columns``."""
    for column in columns:
        if column not in frame.columns:
            have = ", ".join(map(str, frame.columns))
            msg = f"{name} has no column {column!r} (columns: {have})"
            raise MissingColumnError(msg, column=column, available=tuple(map(str, frame.columns)))


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each record of a records frame sits: its person and its canonical position.

    Canonical positions group records by person (ascending person id) and, within
    a person, order them by source name and then record id. Row numbers refer
    to the records frame's rows (positions, not index labels).
    """

    order: np.ndarray  # canonical position -> row
    group: np.ndarray  # canonical position -> person number
    starts: np.ndarray  # person number -> its first canonical position
    sizes: np.ndarray  # person number -> its number of records
    person_ids: np.ndarray  # person number -> person id (ascending)
    source_codes: np.ndarray  # row -> position in source_names
    source_names: pd.Index  # sorted source names
    source: pd.Series  # the records' source column (RangeIndex)
    record_id: pd.Series  # the records' record_id column (RangeIndex)
    ids: pa.Array | None  # record_id as one Arrow array (None: ids of several types)

    @property
    def n_persons(self) -> int:
        """Number of persons."""
        return len(self.person_ids)

    def to_canonical(self, values: np.ndarray) -> np.ndarray:
        """A per-row array in canonical order."""
        out: np.ndarray = values[self.order]
        return out

    def keys(self) -> RecordKeys:
        """A lookup from ``(source, record_id)`` to row."""
        return RecordKeys(self.source_codes, self.source_names, self.record_id, self.ids)


class RecordKeys:
    """Row lookup by ``(source, record_id)``; ids match when equal (``1`` never matches ``"1"``).

    Record ids of one Arrow type are looked up per source with Arrow's hash
    lookup (``index_in``); ids of several types through a pandas hash index.
    """

    def __init__(
        self,
        source_codes: np.ndarray,
        source_names: pd.Index,
        record_id: pd.Series,
        ids: pa.Array | None,
    ) -> None:
        self._codes = source_codes
        self._names = source_names
        self._record_id = record_id
        self._ids = ids
        self._fallback: tuple[pd.Index, int, pd.Index] | None = None

    def locate(self, source: pd.Series, record_id: pd.Series) -> np.ndarray:
        """Row of each ``(source, record_id)`` pair, -1 where the records hold none."""
        codes, uniques = pd.factorize(source.reset_index(drop=True))
        known = np.asarray(self._names.get_indexer(pd.Index(uniques)), dtype=np.int64)
        src = np.where(codes >= 0, known[np.maximum(codes, 0)], -1) if len(uniques) else codes
        src = np.asarray(src, dtype=np.int64)
        wanted = _as_arrow(record_id.reset_index(drop=True))
        if self._ids is not None and wanted is not None:
            cast = _cast_like(wanted, self._ids.type)
            if cast is not None:
                return self._locate_arrow(src, cast)
        return self._locate_pandas(src, record_id)

    def _locate_arrow(self, src: np.ndarray, wanted: pa.Array) -> np.ndarray:
        assert self._ids is not None
        out = np.full(len(src), -1, dtype=np.int64)
        for code in sorted_unique(src[src >= 0]).tolist():
            asked = np.flatnonzero(src == code)
            rows = np.flatnonzero(self._codes == code)
            found = pc.index_in(
                wanted.take(pa.array(asked)), value_set=self._ids.take(pa.array(rows))
            )
            at = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.float64)
            hit = ~np.isnan(at)
            out[asked[hit]] = rows[at[hit].astype(np.int64)]
        return out

    def _locate_pandas(self, src: np.ndarray, record_id: pd.Series) -> np.ndarray:
        if self._fallback is None:
            codes, uniques = pd.factorize(self._record_id)
            width = max(len(uniques), 1)
            rows = pd.Index(self._codes * width + np.asarray(codes, dtype=np.int64))
            self._fallback = (pd.Index(uniques), width, rows)
        ids, width, keys = self._fallback
        rid = np.asarray(ids.get_indexer(pd.Index(record_id)), dtype=np.int64)
        known = (src >= 0) & (rid >= 0)
        wanted = pd.Index(np.where(known, src * width + rid, -1))
        found = np.asarray(keys.get_indexer(wanted), dtype=np.int64)
        return np.where(known, found, -1)


def _pairs(source: pd.Series, record_id: pd.Series, rows: np.ndarray) -> str:
    shown = [f"({source.iloc[i]!r}, {record_id.iloc[i]!r})" for i in rows[:_SHOWN]]
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return ", ".join(shown) + more


def _as_arrow(record_id: pd.Series) -> pa.Array | None:
    """Record ids as one sortable Arrow array, or ``None`` when they mix types."""
    dtype = record_id.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufmM":
        return pa.array(record_id.to_numpy())
    arr = arrow_values(record_id)
    if arr is not None and (
        pa.types.is_string(arr.type)
        or pa.types.is_large_string(arr.type)
        or pa.types.is_integer(arr.type)
        or pa.types.is_floating(arr.type)
        or pa.types.is_temporal(arr.type)
        or pa.types.is_boolean(arr.type)
    ):
        return arr
    return None


def _id_ranks(record_id: pd.Series, source_codes: np.ndarray, n_sources: int) -> pa.Array:
    """Per-source ranks of record ids of several types (a source mixing types: string forms)."""
    ranks = np.zeros(len(record_id), dtype=np.int64)
    for code in range(n_sources):
        rows = np.flatnonzero(source_codes == code)
        ids = record_id.iloc[rows]
        sub = _as_arrow(ids)
        if sub is None:
            sub = pa.array(ids.astype(object).astype(str).astype(object))
        ranks[rows] = pc.rank(sub, sort_keys="ascending", tiebreaker="dense").to_numpy()
    return pa.array(ranks)


def _cast_like(ids: pa.Array, target: pa.DataType) -> pa.Array | None:
    """``ids`` as Arrow type ``target`` when they may equal such ids, else ``None``.

    Strings only match strings and numbers only numbers (``1`` never matches
    ``"1"``); a number that does not convert exactly (``1.5`` to an integer) matches
    nothing either.
    """
    if ids.type == target:
        return ids
    text = (pa.types.is_string, pa.types.is_large_string)
    number = (pa.types.is_integer, pa.types.is_floating)
    if not any(
        any(t(ids.type) for t in family) and any(t(target) for t in family)
        for family in (text, number)
    ):
        return None
    try:
        return ids.cast(target)
    except pa.ArrowException:  # no lossless cast between these id types
        return None


_COMPOSITE_LIMIT = 2**62  # keys below this fit an int64 with room to spare


def _composite_order(major: np.ndarray, minor: np.ndarray) -> np.ndarray | None:
    """Order by ``(major, minor)`` (integer arrays) as one int64 key, or ``None`` if it overflows.

    One quicksort of an int64 array is several times faster than a two-key sort;
    the order among equal pairs is arbitrary (callers have no equal pairs, or
    reject them).
    """
    if not len(major):
        return np.zeros(0, dtype=np.int64)
    low, major_low = int(minor.min()), int(major.min())
    span = int(minor.max()) - low + 1
    if span * (int(major.max()) - major_low + 1) >= _COMPOSITE_LIMIT:
        return None
    key = (major.astype(np.int64) - major_low) * span + (minor.astype(np.int64) - low)
    return np.asarray(np.argsort(key), dtype=np.int64)


def _sort_by_key(source_codes: np.ndarray, ids: pa.Array) -> np.ndarray:
    """Rows in ``(source, record id)`` order."""
    if pa.types.is_signed_integer(ids.type) and ids.null_count == 0:
        order = _composite_order(source_codes, np.asarray(ids.to_numpy()))
        if order is not None:
            return order
    table = pa.table({"s": source_codes, "r": ids})
    sorted_rows = pc.sort_indices(table, sort_keys=[("s", "ascending"), ("r", "ascending")])
    return np.asarray(sorted_rows.to_numpy(), dtype=np.int64)


def _by_person(person: np.ndarray) -> np.ndarray:
    """A stable order of ``person`` (positions with equal ids keep their order)."""
    order = _composite_order(person, np.arange(len(person), dtype=np.int64))
    if order is not None:
        return order
    return np.asarray(np.argsort(person, kind="stable"), dtype=np.int64)


def _same(a: pd.Series, b: pd.Series) -> bool:
    """Whether two equally long columns hold equal values, row by row."""
    try:
        equal = a.reset_index(drop=True).eq(b.reset_index(drop=True))
    except (TypeError, ValueError):
        return False
    return bool(equal.to_numpy(dtype=bool, na_value=False).all())


def _persons(
    clusters: pd.DataFrame, source: pd.Series, record_id: pd.Series, keys: Callable[[], RecordKeys]
) -> np.ndarray:
    """Person id of each record row, from ``clusters``."""
    person = clusters["person_id"].reset_index(drop=True)
    if not pd.api.types.is_integer_dtype(person.dtype):
        if person.isna().any():
            msg = f"clusters.person_id has {int(person.isna().sum())} missing value(s)"
            raise InputError(msg)
        msg = f"clusters.person_id must hold integers, got dtype {person.dtype}"
        raise DtypeError(msg, column="person_id", dtype=str(person.dtype))
    ids = person.to_numpy(dtype=np.int64)
    n = len(source)
    if (
        len(clusters) == n
        and _same(clusters["source"], source)
        and _same(clusters["record_id"], record_id)
    ):  # clusters lists the records in the same order
        return ids
    rows = keys().locate(clusters["source"], clusters["record_id"])
    hit = rows >= 0
    counts = np.bincount(rows[hit], minlength=n)
    repeated = np.flatnonzero(counts > 1)
    if len(repeated):
        msg = (
            f"clusters has more than one row for {len(repeated)} record(s): "
            f"{_pairs(source, record_id, repeated)}"
        )
        raise DuplicateRecordError(
            msg, source=str(source.iloc[repeated[0]]), record_ids=record_id.iloc[repeated].tolist()
        )
    unknown = np.flatnonzero(counts == 0)
    if len(unknown):
        msg = (
            f"{len(unknown)} record(s) have no row in clusters: "
            f"{_pairs(source, record_id, unknown)}"
        )
        raise UnknownRecordError(msg)
    out = np.empty(n, dtype=np.int64)
    out[rows[hit]] = ids[hit]
    return out


def build_layout(records: pd.DataFrame, clusters: pd.DataFrame) -> Layout:
    """Join ``records`` to ``clusters`` on ``(source, record_id)`` and order them canonically.

    Raises
    ------
    MissingColumnError
        If a frame lacks one of its key columns.
    InputError
        If a key is missing, or (``DuplicateRecordError``) repeats.
    UnknownRecordError
        If a record has no row in ``clusters``.

    Notes
    -----
    One sort by ``(source, record_id)`` (which also finds repeated keys; a single
    int64 key for integer ids, an Arrow sort otherwise) and one stable sort by
    person: O(n log n). When ``clusters`` lists the records in the same order the
    join is a comparison; otherwise an Arrow hash lookup of record ids per
    source, O(n) (a pandas hash index for ids of several types).
    """
    require_columns(records, ("source", "record_id"), name="records")
    require_columns(clusters, ("source", "record_id", "person_id"), name="clusters")
    source = records["source"].reset_index(drop=True)
    record_id = records["record_id"].reset_index(drop=True)
    for name, column in (("source", source), ("record_id", record_id)):
        missing = int(column.isna().sum())
        if missing:
            msg = f"records.{name} has {missing} missing value(s)"
            raise InputError(msg)
    by_name = source.astype(object) if isinstance(source.dtype, pd.CategoricalDtype) else source
    codes, names = pd.factorize(by_name, sort=True)  # sorted by name, not category order
    source_codes = np.asarray(codes, dtype=np.int64)
    source_names = pd.Index(names)
    n = len(records)

    arrow_ids = _as_arrow(record_id)
    id_key = arrow_ids if arrow_ids is not None else _id_ranks(record_id, source_codes, len(names))
    by_key = _sort_by_key(source_codes, id_key)
    sorted_ids = pc.take(id_key, pa.array(by_key))
    sorted_codes = source_codes[by_key]
    if n > 1:
        same_id = pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, n - 1))
        same_id_np = same_id.to_numpy(zero_copy_only=False)
        repeated = by_key[1:][same_id_np & (sorted_codes[1:] == sorted_codes[:-1])]
        if len(repeated):
            msg = (
                f"records repeat {len(repeated)} (source, record_id) key(s): "
                f"{_pairs(source, record_id, repeated)}"
            )
            raise DuplicateRecordError(
                msg,
                source=str(source.iloc[repeated[0]]),
                record_ids=record_id.iloc[repeated].tolist(),
            )
    person = _persons(
        clusters,
        source,
        record_id,
        lambda: RecordKeys(source_codes, source_names, record_id, arrow_ids),
    )

    order = by_key[_by_person(person[by_key])]
    sorted_person = person[order]
    if n:
        starts = np.flatnonzero(np.r_[True, sorted_person[1:] != sorted_person[:-1]])
    else:
        starts = np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, n]).astype(np.int64)
    return Layout(
        order=order.astype(np.int64),
        group=np.repeat(np.arange(len(starts), dtype=np.int64), sizes),
        starts=starts.astype(np.int64),
        sizes=sizes,
        person_ids=sorted_person[starts],
        source_codes=source_codes,
        source_names=source_names,
        source=source,
        record_id=record_id,
        ids=arrow_ids,
    )
