"""Dictionary of identifier link keys: one integer code per (kind, key), growing by appends."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

__all__ = ["ValueIndex"]

# Appends go to small delta chunks; they fold into the main chunk once they hold this
# share of it, so an incremental add does not rebuild a 10M-entry hash table.
_FOLD_RATIO = 0.25
# Look-ups of at most this many keys probe each chunk's hash table key by key.
_FEW = 8


class ValueIndex:
    """Map link keys of one kind to global integer value codes.

    Each kind's keys live in a list of ``pandas.Index`` chunks (one large, a few small),
    each paired with the codes of its keys. ``encode`` hands out new codes from a
    shared counter so codes of all kinds form one range.
    """

    __slots__ = ("_chunks",)

    def __init__(self) -> None:
        self._chunks: list[tuple[pd.Index, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(index) for index, _ in self._chunks)

    @classmethod
    def from_items(cls, keys: np.ndarray, codes: np.ndarray) -> ValueIndex:
        """An index holding the given unique ``keys`` with their ``codes`` (one chunk)."""
        index = cls()
        if len(keys):
            index._chunks = [(pd.Index(keys, dtype=object), np.asarray(codes, dtype=np.int64))]
        return index

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Codes of ``keys`` (unique strings), ``-1`` for keys not present."""
        out = np.full(len(keys), -1, dtype=np.int64)
        if not len(keys):
            return out
        if len(keys) <= _FEW:
            # A handful of keys (a look-up, one record): scalar hash probes, no array setup.
            for i, key in enumerate(keys.tolist()):
                for index, codes in self._chunks:
                    try:
                        out[i] = codes[index.get_loc(key)]
                    except KeyError:
                        continue
                    break
            return out
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
            self._chunks.append((pd.Index(keys[new], dtype=object), codes))
            next_code += len(new)
            self._fold()
        return out, next_code

    def chunks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Keys and codes chunk by chunk (no concatenation)."""
        return [(index.to_numpy(dtype=object), codes) for index, codes in self._chunks]

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All keys and their codes."""
        if not self._chunks:
            return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
        keys = np.concatenate([index.to_numpy(dtype=object) for index, _ in self._chunks])
        codes = np.concatenate([codes for _, codes in self._chunks])
        return keys, codes

    def drop(self, codes: np.ndarray) -> None:
        """Forget the keys with the given codes (erasure)."""
        if not len(codes):
            return
        kept: list[tuple[pd.Index, np.ndarray]] = []
        for index, chunk_codes in self._chunks:
            keep = ~np.isin(chunk_codes, codes)
            if keep.all():
                kept.append((index, chunk_codes))
            elif keep.any():
                kept.append((index[keep], chunk_codes[keep]))
        self._chunks = kept

    def _fold(self) -> None:
        chunks = self._chunks
        if len(chunks) < 2:
            return
        main = len(chunks[0][0])
        small = sum(len(index) for index, _ in chunks[1:])
        if small >= _FOLD_RATIO * main:
            keys, codes = self.items()
            self._chunks = [(pd.Index(keys, dtype=object), codes)]
            return
        # Merge the newest chunks while of similar size: O(log n) chunks, each key
        # copied O(log n) times, and the main chunk's hash table left alone.
        while len(chunks) > 2 and len(chunks[-2][0]) <= 2 * len(chunks[-1][0]):
            newer_index, newer_codes = chunks.pop()
            older_index, older_codes = chunks.pop()
            chunks.append(
                (older_index.append(newer_index), np.concatenate([older_codes, newer_codes]))
            )
