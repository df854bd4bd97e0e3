"""Dictionary of identifier link keys: one integer code per (kind, key), growing by appends."""

from __future__ import annotations

from itertools import pairwise
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["ValueIndex"]

# Appends go to small delta chunks; they fold into the main shards once they hold this
# share of them, so an incremental add does not rebuild a 10M-entry hash table.
_FOLD_RATIO = 0.25
# Look-ups of at most this many keys probe the hash tables key by key.
_FEW = 8
# The main keys are split by key hash into shards of about this many keys, so that an
# erasure rebuilds the hash table of one shard, not of every key of the kind.
_SHARD_SIZE = 1 << 16
_MAX_SHARDS = 1 << 14  # shard numbers fit int16

_Chunk = tuple[pd.Index, np.ndarray]


def _indexed(keys: np.ndarray | pd.Index) -> pd.Index:
    """An object Index of ``keys`` with its hash table built now, not at the first look-up.

    A fold or an erasure rebuilds a chunk; building its table here keeps that cost
    in the update that caused it instead of the next (latency-bound) look-up.
    """
    index: pd.Index = pd.Index(keys, dtype=object)
    _ = index.is_unique  # populates the engine's hash table
    _ = index.inferred_type  # cached, and read by every get_indexer
    return index


def _shard_of(keys: np.ndarray, n_shards: int) -> np.ndarray:
    """Shard of each key (int16): a fixed hash of the key, modulo the shard count."""
    if n_shards == 1:
        return np.zeros(len(keys), dtype=np.int16)
    hashes = pd.util.hash_array(np.asarray(keys, dtype=object), categorize=False)
    return np.asarray(hashes % np.uint64(n_shards), dtype=np.int16)


def _by_shard(shard: np.ndarray, n_shards: int) -> tuple[np.ndarray, list[int]]:
    """Rows ordered by shard (a linear-time radix sort of int16) and each shard's bounds."""
    order = np.argsort(shard, kind="stable")
    bounds = np.searchsorted(shard[order], np.arange(n_shards + 1)).tolist()
    return order, bounds


class ValueIndex:
    """Map link keys of one kind to global integer value codes.

    The keys live in ``pandas.Index`` hash tables, each paired with the codes of its
    keys: the *main* keys split by key hash into shards of about 65k keys, and the
    keys added since the last fold in a few small chunks (merged geometrically).
    ``encode`` hands out new codes from a shared counter so codes of all kinds form
    one range.

    Examples
    --------
    >>> import numpy as np
    >>> index = ValueIndex()
    >>> codes, next_code = index.encode(np.array(["a", "b"], dtype=object), 10)
    >>> codes.tolist(), next_code
    ([10, 11], 12)
    >>> index.get(np.array(["b", "z"], dtype=object)).tolist()
    [11, -1]
    >>> index.drop(np.array([10]))
    >>> len(index), index.get(np.array(["a"], dtype=object)).tolist()
    (1, [-1])

    Notes
    -----
    ``get`` of k keys: O(k) hash probes (one call per shard holding them);
    ``encode`` amortized O(k log n); ``drop`` O(n) membership tests plus a rebuild
    of the shards and chunks that held the dropped keys only. An index made by
    :meth:`from_items` builds its hash tables at its first look-up (or :meth:`build`),
    so a bulk load that never looks a key up never pays for them.
    """

    __slots__ = ("_chunks", "_pending", "_shards")

    def __init__(self) -> None:
        self._shards: list[_Chunk] = []
        self._chunks: list[_Chunk] = []
        # Main keys (an object array, or Arrow strings not made Python ones yet) and
        # their codes, no hash tables yet.
        self._pending: tuple[np.ndarray | pa.Array, np.ndarray] | None = None

    def __len__(self) -> int:
        pending = len(self._pending[0]) if self._pending is not None else 0
        return pending + sum(len(index) for index, _ in self._shards + self._chunks)

    @classmethod
    def from_items(cls, keys: np.ndarray | pa.Array, codes: np.ndarray) -> ValueIndex:
        """An index holding the given unique ``keys`` with their ``codes``.

        Keys given as an Arrow string array become Python strings when first needed.
        """
        index = cls()
        if not isinstance(keys, pa.Array):
            keys = np.asarray(keys, dtype=object)
        index._pending = (keys, np.asarray(codes, dtype=np.int64))
        return index

    def _pending_objects(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The keys given to :meth:`from_items` and their codes, the keys as objects."""
        if self._pending is None:
            return None
        keys, codes = self._pending
        if isinstance(keys, pa.Array):
            keys = np.asarray(keys.to_numpy(zero_copy_only=False), dtype=object)
            self._pending = (keys, codes)
        return keys, codes

    def build(self) -> None:
        """Build the hash tables of keys given to :meth:`from_items` now."""
        pending = self._pending_objects()
        if pending is not None:
            self._pending = None
            self._set_main(*pending)

    def _set_main(self, keys: np.ndarray, codes: np.ndarray) -> None:
        """Make ``keys`` the main keys, split into shards; drops the small chunks."""
        self._chunks = []
        if not len(keys):
            self._shards = []
            return
        n_shards = 1
        while n_shards * _SHARD_SIZE < len(keys) and n_shards < _MAX_SHARDS:
            n_shards *= 2
        order, bounds = _by_shard(_shard_of(keys, n_shards), n_shards)
        self._shards = [
            (_indexed(keys[order[lo:hi]]), codes[order[lo:hi]]) for lo, hi in pairwise(bounds)
        ]  # one hash table per shard

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Codes of ``keys`` (unique strings), ``-1`` for keys not present."""
        out = np.full(len(keys), -1, dtype=np.int64)
        if not len(keys):
            return out
        self.build()
        shard = _shard_of(keys, len(self._shards)) if self._shards else None
        if len(keys) <= _FEW:
            # A handful of keys (a look-up, one record): scalar hash probes, no array setup.
            for i, key in enumerate(keys.tolist()):
                tables = self._chunks if shard is None else [self._shards[shard[i]], *self._chunks]
                for index, codes in tables:
                    try:
                        out[i] = codes[index.get_loc(key)]
                    except KeyError:
                        continue
                    break
            return out
        if shard is not None:
            order, bounds = _by_shard(shard, len(self._shards))
            for s, (lo, hi) in enumerate(pairwise(bounds)):
                if lo == hi:
                    continue
                rows = order[lo:hi]  # the keys hashed to shard s
                index, codes = self._shards[s]
                pos = index.get_indexer(cast("pd.Index", keys[rows]))
                hit = pos >= 0
                out[rows[hit]] = codes[pos[hit]]
        for index, codes in self._chunks:
            missing = np.flatnonzero(out < 0)
            if not len(missing):
                break
            pos = index.get_indexer(cast("pd.Index", keys[missing]))
            hit = pos >= 0
            out[missing[hit]] = codes[pos[hit]]
        return out

    def encode(self, keys: np.ndarray, next_code: int) -> tuple[np.ndarray, int]:
        """Codes of unique ``keys``, adding the absent ones from ``next_code`` on.

        Returns the codes and the next free code.
        """
        out = self.get(keys)
        new = np.flatnonzero(out < 0)
        if len(new):
            codes = np.arange(next_code, next_code + len(new), dtype=np.int64)
            out[new] = codes
            self._chunks.append((_indexed(keys[new]), codes))
            next_code += len(new)
            self._fold()
        return out, next_code

    def chunks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Keys and codes shard by shard and chunk by chunk (no concatenation)."""
        found = self._pending_objects()
        pending = [found] if found is not None else []
        return pending + [(index.to_numpy(dtype=object), codes) for index, codes in self._tables()]

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All keys and their codes."""
        tables = self.chunks()
        if not tables:
            return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
        if len(tables) == 1:
            return tables[0]
        keys = np.concatenate([keys for keys, _ in tables])
        codes = np.concatenate([codes for _, codes in tables])
        return keys, codes

    def drop(self, codes: np.ndarray) -> None:
        """Forget the keys with the given codes (erasure): their hash tables are rebuilt."""
        if not len(codes):
            return
        self.build()

        def without(table: _Chunk) -> _Chunk:
            index, table_codes = table
            keep = ~np.isin(table_codes, codes)
            if keep.all():
                return table
            return _indexed(index[keep]), table_codes[keep]

        self._shards = [without(t) for t in self._shards]  # shards keep their hash slots
        self._chunks = [c for c in (without(t) for t in self._chunks) if len(c[0])]

    def _tables(self) -> list[_Chunk]:
        return [t for t in self._shards if len(t[0])] + self._chunks

    def _fold(self) -> None:
        chunks = self._chunks
        main = sum(len(index) for index, _ in self._shards)
        small = sum(len(index) for index, _ in chunks)
        if small >= _FOLD_RATIO * main:
            self._set_main(*self.items())
            return
        # Merge the newest chunks while of similar size: O(log n) chunks, each key
        # copied O(log n) times, and the main shards' hash tables left alone.
        while len(chunks) > 1 and len(chunks[-2][0]) <= 2 * len(chunks[-1][0]):
            newer_index, newer_codes = chunks.pop()
            older_index, older_codes = chunks.pop()
            chunks.append(
                (
                    _indexed(older_index.append(newer_index)),
                    np.concatenate([older_codes, newer_codes]),
                )
            )
