"""Dense integer codes: link keys to ``0 .. n-1``, sparse codes to positions."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["dense_codes", "factorize_digest_words", "factorize_keys"]


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
    # One gather of whole rows (``take`` copies each row's words at once).
    return bool((np.take(check, rep, axis=0) == check).all())


def factorize_keys(keys: np.ndarray, *, digests: bool) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize`` of string keys; SHA-256 hex digests through 64-bit integers.

    SHA-256 hex keys (``digests``) are identified by their first 32 hex digits
    (128 bits of the digest): those characters' bytes are mixed into one integer,
    which is factorized and checked word by word (should the check fail, the
    strings themselves are factorized). Other keys go to ``pandas.factorize``
    as they are: on the mostly distinct keys of a bulk load its object hash
    table beat both a 64-bit ``hash_array`` of the strings (then checked key by
    key) and Arrow's dictionary encoding.
    Codes number the distinct keys in order of first appearance either way; a
    missing key (``None``) gets code ``-1`` and is not among the uniques.

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array(["b", "a", None, "b"], dtype=object)
    >>> codes, uniques = factorize_keys(keys, digests=False)
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, -1, 0], ['b', 'a'])
    """
    words = _digest_words(keys) if digests else None
    # A digest has 64 hex characters, so its second word is never zero; a missing
    # key (read as b"None") or any short one is: those take the plain path.
    if words is not None and len(keys) and not words[:, 1].all():
        words = None
    found = factorize_digest_words(words) if words is not None else None
    if found is None:  # not digests, or two keys share the integer
        codes, uniques = pd.factorize(keys)
        return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)
    local, first = found
    return local, keys[first]


def factorize_digest_words(words: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Factorize SHA-256 hex digests given as their bytes, 8 ``uint64`` words a digest.

    Returns the code of each digest (in order of first appearance, as
    ``pandas.factorize`` numbers them) and one row of each code, or ``None``
    should two distinct digests share the 64-bit integer they are mixed into (the
    caller then factorizes the strings).

    Examples
    --------
    >>> import numpy as np
    >>> hexes = ["ab" * 32, "cd" * 32, "ab" * 32]
    >>> words = np.frombuffer("".join(hexes).encode(), dtype=np.uint64).reshape(3, 8)
    >>> codes, rows = factorize_digest_words(words)
    >>> codes.tolist(), sorted(rows.tolist())
    ([0, 1, 0], [1, 2])

    Notes
    -----
    The first 32 characters are mixed into one integer, which ``pandas``
    factorizes without the GIL; every digest is then checked, on every word given
    (all 64 characters here; :func:`factorize_keys` gives the first 32), against
    the one its code names: O(n), no string hashed.
    """
    with np.errstate(over="ignore"):
        hashes = words[:, 0].copy()
        for j in range(1, 4):
            hashes = hashes * _MIX + words[:, j]
    local, _ = pd.factorize(hashes)
    local = np.asarray(local, dtype=np.int64)
    first = _one_of_each(local)
    if not _same(words, first[local]):  # two digests share the integer
        return None
    return local, first


def _one_of_each(local: np.ndarray) -> np.ndarray:
    """One position of each code ``0 .. k-1`` of ``local`` (any one: the keys are equal)."""
    first = np.empty(int(local.max()) + 1 if len(local) else 0, dtype=np.int64)
    first[local] = np.arange(len(local))
    return first


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
