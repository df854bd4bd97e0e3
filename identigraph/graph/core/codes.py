"""Dense integer codes: link keys to ``0 .. n-1``, sparse codes to positions."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["dense_codes", "factorize_keys"]


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _digest_words(keys: np.ndarray) -> np.ndarray | None:
    """The first 32 characters of each hex digest as 4 uint64 words; ``None`` if not ASCII."""
    try:
        text = keys.astype("S32")
    except UnicodeEncodeError:
        return None
    return text.view(np.uint64).reshape(len(keys), 4)


def _same(check: np.ndarray, rep: np.ndarray) -> bool:
    """Whether every row of ``check`` equals row ``rep[i]`` (column by column)."""
    if check.ndim == 1:
        return bool((check == check[rep]).all())
    return all(bool((check[:, j] == check[rep, j]).all()) for j in range(check.shape[1]))


def factorize_keys(keys: np.ndarray, *, digests: bool) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize`` of string keys, through 64-bit integers.

    Factorizing integers is several times faster than hashing and comparing the
    strings in one table. SHA-256 hex keys (``digests``) are identified by their
    first 32 hex digits (128 bits of the digest): those characters' bytes are
    mixed into one integer and checked word by word. Other keys are factorized on
    a 64-bit hash and checked against their group's first key. Should a check
    fail, the strings themselves are factorized.
    """
    words = _digest_words(keys) if digests else None
    check: np.ndarray
    if words is not None:
        with np.errstate(over="ignore"):
            hashes = words[:, 0].copy()
            for j in range(1, 4):
                hashes = hashes * _MIX + words[:, j]
        check = words
    else:
        hashes, check = pd.util.hash_array(keys, categorize=False), keys
    local, _ = pd.factorize(hashes)
    first = np.empty(int(local.max()) + 1 if len(local) else 0, dtype=np.int64)
    first[local] = np.arange(len(local))  # one row of each group
    if not _same(check, first[local]):  # two keys share the integer
        local, uniques = pd.factorize(keys)
        return np.asarray(local, dtype=np.int64), np.asarray(uniques, dtype=object)
    return np.asarray(local, dtype=np.int64), keys[first]


def dense_codes(codes: np.ndarray, *, universe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``codes`` (ascending) and each code's index among them.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Non-negative codes, repeats allowed.
    universe : int, optional
        Every code is below ``universe``. When given, a presence mask of that size
        replaces the sort: the faster choice when ``codes`` cover much of it (a
        whole build), the slower one for a few codes out of many (an update).

    Returns
    -------
    uniques, inverse : numpy.ndarray of int64
        ``uniques[inverse] == codes``.

    Examples
    --------
    >>> import numpy as np
    >>> u, inv = dense_codes(np.array([7, 3, 7]))
    >>> u.tolist(), inv.tolist()
    ([3, 7], [1, 0, 1])
    >>> [a.tolist() for a in dense_codes(np.array([7, 3, 7]), universe=8)]
    [[3, 7], [1, 0, 1]]

    Notes
    -----
    O(n log n) without ``universe``; O(n + universe) with it.
    """
    codes = np.asarray(codes, dtype=np.int64)
    if universe is None:
        uniques, inverse = np.unique(codes, return_inverse=True)
        return uniques, inverse.reshape(-1).astype(np.int64, copy=False)
    present = np.zeros(universe, dtype=bool)
    present[codes] = True
    if present.all():  # the codes are 0 .. universe-1 already
        return np.arange(universe, dtype=np.int64), codes
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.int64), rank[codes]
