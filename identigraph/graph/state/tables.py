"""The tables of a graph's state: records, values, identifier links, match edges, ids.

Each table owns its arrays and states its own invariants (``check``); the
invariants that join tables are :meth:`GraphState.check_invariants`.
Only :mod:`identigraph.graph.ops` writes them; the growing arrays are grown with
:func:`~identigraph.graph.state.growable.appended`, in amortized O(appended).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from identigraph._unique import sorted_unique
from identigraph.errors import InvariantError
from identigraph.graph.core import range_positions
from identigraph.graph.state.batches import RecordBatch
from identigraph.graph.state.growable import appended
from identigraph.graph.state.issued import IssuedIds
from identigraph.graph.state.postings import Postings
from identigraph.graph.state.record_ids import IdKind
from identigraph.graph.state.value_index import ValueIndex

__all__ = [
    "IdTable",
    "LinkTable",
    "MatchTable",
    "PostingTable",
    "RecordTable",
    "ValueTable",
    "require",
]


def require(ok: bool | np.bool_, invariant: str) -> None:
    """Raise :class:`InvariantError` naming ``invariant`` unless ``ok``."""
    if not ok:
        msg = f"graph invariant broken: {invariant}"
        raise InvariantError(msg, invariant=invariant)


# Consecutive small additions of one source share a batch (RecordTable.add_batch).
_SMALL_BATCH = 4096


def _ints(dtype: type = np.int64) -> np.ndarray:
    return np.empty(0, dtype=dtype)


@dataclass(slots=True, repr=False)
class RecordTable:
    """One row per record ever added, dead (erased) rows included.

    Attributes
    ----------
    sources : list of str
        Source names in order of first addition; ``source`` holds indexes into it.
    id_kinds : dict
        The type of each source's record ids, fixed by its first add.
    batches : list of RecordBatch
        The records each call added: their ids and kept attributes.
    source, hash, alive, person : numpy.ndarray
        Per record: source index (int32), hash of ``(source, record id)`` (uint64),
        alive flag, person id (int64, ``-1`` until resolved).
    rejects : list of pandas.DataFrame
        Reject rows (``source, record_id, column, reason``), never the values.
    """

    sources: list[str] = field(default_factory=list)
    id_kinds: dict[str, IdKind] = field(default_factory=dict)
    batches: list[RecordBatch] = field(default_factory=list)
    source: np.ndarray = field(default_factory=lambda: _ints(np.int32))
    hash: np.ndarray = field(default_factory=lambda: _ints(np.uint64))
    alive: np.ndarray = field(default_factory=lambda: _ints(bool))
    person: np.ndarray = field(default_factory=_ints)
    rejects: list[pd.DataFrame] = field(default_factory=list)
    # Cache: first record position of every batch (indexes.batch_starts).
    batch_starts: np.ndarray = field(default_factory=_ints)

    def __repr__(self) -> str:  # counts only: ids and attributes are personal data
        return f"RecordTable(records={len(self.alive)}, alive={int(self.alive.sum())})"

    def __len__(self) -> int:
        return len(self.alive)

    def append(self, source_code: int, hashes: np.ndarray) -> None:
        """Grow the per-record arrays by ``len(hashes)`` alive, unresolved records."""
        n = len(hashes)
        self.source = appended(self.source, np.full(n, source_code, np.int32))
        self.hash = appended(self.hash, hashes)
        self.alive = appended(self.alive, np.ones(n, bool))
        self.person = appended(self.person, np.full(n, -1, np.int64))

    def add_batch(self, batch: RecordBatch) -> None:
        """Append ``batch`` to the batches, into the last one when both are small.

        Consecutive small additions of one source share a batch, so that
        record-at-a-time updates do not pile up one batch (and one attribute frame)
        per record.
        """
        if self.batches:
            last = self.batches[-1]
            if (
                last.source == batch.source
                and last.stop == batch.start
                and len(last.ids) + len(batch.ids) <= _SMALL_BATCH
                and last.ids.dtype == batch.ids.dtype
                and list(last.attributes.columns) == list(batch.attributes.columns)
                and last.attributes.dtypes.equals(batch.attributes.dtypes)
            ):
                self.batches[-1] = replace(
                    last,
                    ids=last.ids.append(batch.ids),
                    attributes=pd.concat([last.attributes, batch.attributes], ignore_index=True),
                )
                return
        self.batches.append(batch)

    def add_rejects(self, rejects: pd.DataFrame) -> None:
        """Append reject rows, into the last reject frame when both are small."""
        if self.rejects and len(self.rejects[-1]) + len(rejects) <= _SMALL_BATCH:
            last = self.rejects[-1]
            if last["record_id"].dtype == rejects["record_id"].dtype:
                self.rejects[-1] = pd.concat([last, rejects], ignore_index=True)
                return
        self.rejects.append(rejects)

    def reserve(self) -> None:
        """Spare capacity behind the growing arrays, so the next append copies none."""
        for name in ("source", "hash", "alive", "person"):
            array = getattr(self, name)
            setattr(self, name, appended(array, array[:0]))

    def check(self) -> None:
        """The per-record arrays are equally long and the batches cover them in order."""
        n = len(self.alive)
        require(
            len(self.source) == len(self.hash) == len(self.person) == n,
            "record arrays (source, hash, alive, person) are equally long",
        )
        covered = 0
        for batch in self.batches:  # one step per batch
            require(batch.start == covered, "batches cover the records in order")
            require(len(batch.attributes) == len(batch.ids), "each batch keeps one row a record")
            covered = batch.stop
        require(covered == n, "batches cover every record")
        require(
            (self.source[:n] < max(len(self.sources), 1)).all(), "every record's source is known"
        )


def _objects(chunk: np.ndarray | pa.Array) -> np.ndarray:
    """Keys as an object array of Python strings."""
    if isinstance(chunk, pa.Array):
        return np.asarray(chunk.to_numpy(zero_copy_only=False), dtype=object)
    return chunk


@dataclass(slots=True, repr=False)
class ValueTable:
    """One row per identifier value code: its kind, link key and number of links.

    Attributes
    ----------
    indexes : dict of str to ValueIndex
        Per kind, link key -> code (empty while a bulk load is staged).
    next_code : int
        The next code to hand out.
    key, kind, count : numpy.ndarray
        Per code: link key (object; None once erased), kind index (int16) and the
        number of links carrying it (int64; counted when the load is resolved).
    hub : numpy.ndarray of bool
        Per code: a hub (its carriers hold too many distinct values of another
        kind; :func:`identigraph.graph.core.hub_values`), generic whatever its count.
    """

    indexes: dict[str, ValueIndex] = field(default_factory=dict)
    next_code: int = 0
    _key: np.ndarray = field(default_factory=lambda: _ints(object))
    kind: np.ndarray = field(default_factory=lambda: _ints(np.int16))
    count: np.ndarray = field(default_factory=_ints)
    hub: np.ndarray = field(default_factory=lambda: _ints(bool))
    #: Keys of the codes after ``_key``'s, in order, not made Python strings yet:
    #: Arrow string arrays (no nulls) or object arrays; see :meth:`append_chunks`.
    _key_chunks: list[np.ndarray | pa.Array] = field(default_factory=list)
    #: Per chunk: no key repeats in it.
    _key_distinct: list[bool] = field(default_factory=list)

    def __repr__(self) -> str:  # counts only: keys may be personal data
        return f"ValueTable(values={len(self.kind)}, kinds={sorted(self.indexes)})"

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def key(self) -> np.ndarray:
        """Link key of each code (object; ``None`` once erased), made whole on first read."""
        if self._key_chunks:
            chunks, self._key_chunks, self._key_distinct = self._key_chunks, [], []
            for chunk in chunks:  # one step per column of a staged add
                self._key = appended(self._key, _objects(chunk))
        return self._key

    @key.setter
    def key(self, keys: np.ndarray) -> None:
        self._key_chunks, self._key_distinct = [], []
        self._key = keys

    def take_keys(self, codes: np.ndarray) -> np.ndarray:
        """Keys of ``codes`` (object): a few codes' without making every key a Python string."""
        codes = np.asarray(codes, dtype=np.int64)
        chunks = self.key_chunks() if len(codes) < len(self.kind) // 8 else None
        if chunks is None:
            return np.asarray(self.key[codes], dtype=object)
        starts = np.array([start for start, _, _ in chunks], dtype=np.int64)
        of_chunk = np.searchsorted(starts, codes, side="right") - 1
        out = np.empty(len(codes), dtype=object)
        for c in sorted_unique(of_chunk).tolist():  # one step per chunk holding a wanted code
            rows = np.flatnonzero(of_chunk == c)
            start, chunk, _ = chunks[c]
            at = codes[rows] - start
            out[rows] = (
                _objects(chunk.take(pa.array(at))) if isinstance(chunk, pa.Array) else chunk[at]
            )
        return out

    def key_chunks(self) -> list[tuple[int, np.ndarray | pa.Array, bool]] | None:
        """Each chunk of keys given to :meth:`append_chunks`: its first code, its keys
        and whether they are distinct; while no key was read as a Python string since,
        else ``None``."""
        if len(self._key) or not self._key_chunks:
            return None
        starts = np.cumsum([0, *map(len, self._key_chunks)])[:-1].tolist()
        return list(zip(starts, self._key_chunks, self._key_distinct, strict=True))

    def set_key_chunks(self, chunks: Sequence[np.ndarray | pa.Array]) -> None:
        """Make the keys those of ``chunks`` in order (Arrow strings or object arrays,
        each of distinct keys)."""
        self._key = _ints(object)
        self._key_chunks = list(chunks)
        self._key_distinct = [True] * len(chunks)

    def append_chunks(
        self,
        chunks: Sequence[np.ndarray | pa.Array],
        kinds: np.ndarray,
        distinct: Sequence[bool] | None = None,
    ) -> None:
        """:meth:`append` of keys given as chunks, each an Arrow string array or an
        object array, kept as they are until the keys are read; ``distinct`` says of
        each chunk that no key repeats in it (``None``: not known)."""
        self._key_chunks.extend(chunks)
        self._key_distinct.extend([False] * len(chunks) if distinct is None else distinct)
        self.kind = appended(self.kind, kinds)
        self.count = appended(self.count, np.zeros(len(kinds), np.int64))
        self.hub = appended(self.hub, np.zeros(len(kinds), bool))

    def append(self, keys: np.ndarray, kinds: np.ndarray) -> None:
        """Grow the per-code arrays by new codes of ``kinds`` with ``keys``, no links yet."""
        self.key = appended(self.key, keys)
        self.kind = appended(self.kind, kinds)
        self.count = appended(self.count, np.zeros(len(kinds), np.int64))
        self.hub = appended(self.hub, np.zeros(len(kinds), bool))

    def reserve(self) -> None:
        """Spare capacity behind the growing arrays, so the next append copies none."""
        for name in ("key", "kind", "count", "hub"):
            array = getattr(self, name)
            setattr(self, name, appended(array, array[:0]))

    def generic(self, max_records: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
        """Which values (all, or ``codes``) link nothing: hubs, and values more records
        carry than ``max_records[kind]``."""
        if codes is None:
            return (self.count > max_records[self.kind]) | self.hub
        generic: np.ndarray = (self.count[codes] > max_records[self.kind[codes]]) | self.hub[codes]
        return generic

    def check(self) -> None:
        """The per-code arrays are equally long and every code is below ``next_code``."""
        require(
            len(self.count) == len(self.key) == len(self.kind) == len(self.hub),
            "value arrays are equally long",
        )
        require(len(self.kind) <= self.next_code, "every value code was handed out")


@dataclass(slots=True, repr=False)
class LinkTable:
    """One row per identifier link (record carries value): sorted by record.

    Attributes
    ----------
    rec, val : numpy.ndarray of int64
        Record position and value code of each link.
    spec : numpy.ndarray of int16
        Index of the identifier spec (column) the link came from.
    """

    rec: np.ndarray = field(default_factory=_ints)
    val: np.ndarray = field(default_factory=_ints)
    spec: np.ndarray = field(default_factory=lambda: _ints(np.int16))

    def __repr__(self) -> str:
        return f"LinkTable(links={len(self.rec)})"

    def __len__(self) -> int:
        return len(self.rec)

    def append(self, rec: np.ndarray, val: np.ndarray, spec: np.ndarray) -> None:
        """Append links of records that follow every record linked so far."""
        self.rec = appended(self.rec, rec)
        self.val = appended(self.val, val)
        self.spec = appended(self.spec, spec)

    def reserve(self) -> None:
        """Spare capacity behind the growing arrays, so the next append copies none."""
        for name in ("rec", "val", "spec"):
            array = getattr(self, name)
            setattr(self, name, appended(array, array[:0]))

    def rows_of(self, records: np.ndarray) -> np.ndarray:
        """Rows of every link of ``records`` (unique record positions): binary searches."""
        if not len(records) or not len(self.rec):
            return _ints()
        lo = np.searchsorted(self.rec, records, side="left")
        hi = np.searchsorted(self.rec, records, side="right")
        return range_positions(lo, hi)

    def check(self, n_records: int, n_values: int) -> None:
        """Equally long, sorted by record, every end a known record and value."""
        require(
            len(self.rec) == len(self.val) == len(self.spec),
            "link arrays (record, value, spec) are equally long",
        )
        if len(self.rec):
            require((np.diff(self.rec) >= 0).all(), "links are sorted by record")
            require(
                (self.rec >= 0).all() and (self.rec < n_records).all(),
                "every link's record is known",
            )
            require(
                (self.val >= 0).all() and (self.val < n_values).all(),
                "every link's value is known",
            )


_MATCH_COLUMNS = {
    "rec_l": np.int64,
    "rec_r": np.int64,
    "match_probability": float,
    "match_weight": float,
}


@dataclass(slots=True, repr=False)
class MatchTable:
    """Match edges between records (``rec_l < rec_r``), sorted and unique.

    ``frame`` is replaced, never edited in place: the cached sorted ends
    (``ends``: the frame they belong to, the sorted end positions, their rows)
    stay valid as long as they name the current frame.
    """

    frame: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {name: np.empty(0, dtype=dtype) for name, dtype in _MATCH_COLUMNS.items()}
        )
    )
    ends: tuple[pd.DataFrame, np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:
        return f"MatchTable(edges={len(self.frame)})"

    def __len__(self) -> int:
        return len(self.frame)

    def sorted_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Both ends of every edge, sorted, and the row of each; cached per frame."""
        cached = self.ends
        if cached is None or cached[0] is not self.frame:
            left = self.frame["rec_l"].to_numpy()
            right = self.frame["rec_r"].to_numpy()
            ends = np.concatenate([left, right])
            order = np.argsort(ends, kind="stable")
            rows = np.tile(np.arange(len(self.frame), dtype=np.int64), 2)[order]
            cached = (self.frame, ends[order], rows)
            self.ends = cached
        return cached[1], cached[2]

    def check(self, alive: np.ndarray) -> None:
        """Both ends alive, left below right, sorted and unique."""
        if not len(self.frame):
            return
        left, right = self.frame["rec_l"].to_numpy(), self.frame["rec_r"].to_numpy()
        require((left < right).all(), "a match edge's left record is below its right")
        require((alive[left] & alive[right]).all(), "match edges join alive records")
        key = left * max(len(alive), 1) + right
        require((np.diff(key) > 0).all(), "match edges are sorted and unique")


@dataclass(slots=True, repr=False)
class PostingTable:
    """The look-up indexes: value -> records, person -> records, record hash -> record.

    Postings are never updated in place; readers drop stale pairs and
    :func:`identigraph.graph.state.indexes.rebuild_indexes` makes them anew.
    """

    by_value: Postings = field(default_factory=Postings)
    by_person: Postings = field(default_factory=Postings)
    by_hash: Postings = field(default_factory=Postings)

    def __repr__(self) -> str:
        return (
            f"PostingTable(by_value={len(self.by_value)}, by_person={len(self.by_person)}, "
            f"by_hash={len(self.by_hash)})"
        )

    def tables(self) -> tuple[Postings, Postings, Postings]:
        """The three postings tables."""
        return self.by_value, self.by_person, self.by_hash


@dataclass(slots=True, repr=False)
class IdTable:
    """Person ids: every id issued, the history of merges and splits, the person count.

    Attributes
    ----------
    issued : IssuedIds
        Every person id ever issued, with its generation.
    history : list of pandas.DataFrame
        ``old_id, new_id, reason, time`` rows, one frame per resolution.
    generation : int
        Resolutions so far.
    n_persons : int
        Distinct person ids of the alive records (once resolved).
    """

    issued: IssuedIds = field(default_factory=IssuedIds)
    history: list[pd.DataFrame] = field(default_factory=list)
    generation: int = 0
    n_persons: int = 0

    def __repr__(self) -> str:
        return f"IdTable(issued={len(self.issued)}, persons={self.n_persons})"

    def check(self, persons: np.ndarray) -> None:
        """Every alive record has an issued person id; the count is the distinct ids."""
        require((persons >= 0).all(), "every alive record of a resolved graph has a person")
        distinct = sorted_unique(persons)
        require(len(distinct) == self.n_persons, "the person count is the number of distinct ids")
        require(self.issued.contains(distinct).all(), "every person id was issued")
