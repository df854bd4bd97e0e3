"""Integer multimap kept as a few sorted runs: appends and look-ups without full scans."""

from __future__ import annotations

import numpy as np

from identigraph.graph.core import expand_ranges

__all__ = ["Postings"]

# A new run merges with the run before it while that one is at most this many times
# larger, so run sizes fall geometrically and there are O(log n) runs.
_MERGE_RATIO = 2
#: At most this many adds wait unsorted for a read.
_MAX_PENDING = 64


def _merge(
    a_keys: np.ndarray, a_items: np.ndarray, b_keys: np.ndarray, b_items: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two runs sorted by key in O(len(a) + len(b)); ``b`` goes after equal keys of ``a``."""
    n = len(a_keys) + len(b_keys)
    at = np.searchsorted(a_keys, b_keys, side="right") + np.arange(len(b_keys))
    from_a = np.ones(n, dtype=bool)
    from_a[at] = False
    keys = np.empty(n, dtype=np.int64)
    items = np.empty(n, dtype=np.int64)
    keys[at] = b_keys
    items[at] = b_items
    keys[from_a] = a_keys
    items[from_a] = a_items
    return keys, items


class Postings:
    """Map int64 keys to int64 items, many items per key, in sorted runs.

    ``add`` keeps the new pairs aside; the first read after it sorts them into a
    run and merges runs of similar size, so each pair is moved O(log n) times in
    all; ``get`` binary-searches each run. Pairs replaced by :meth:`rebuild` before
    any read (a bulk load's) are never sorted. Pairs are
    never removed one by one: owners tell stale pairs apart when they read them
    (count them in :attr:`stale`) and :meth:`rebuild` once stale pairs pile up.

    Examples
    --------
    >>> import numpy as np
    >>> p = Postings()
    >>> p.add(np.array([5, 3, 5]), np.array([10, 11, 12]))
    >>> p.add(np.array([3]), np.array([13]))
    >>> which, items = p.get(np.array([3, 5, 7]))
    >>> sorted(zip(which.tolist(), items.tolist()))
    [(0, 11), (0, 13), (1, 10), (1, 12)]

    Notes
    -----
    ``add`` of k pairs costs O(k) (a copy); the read after it O(k log k) plus
    amortized O(k log n) merging; ``get`` of q keys costs O(q log n) per run plus
    the pairs found.
    """

    __slots__ = ("_items", "_keys", "_pending", "stale")

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._items: list[np.ndarray] = []
        #: Pairs added since the last read, in order, not sorted yet.
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        #: Pairs the owner knows to be outdated; see :meth:`rebuild`.
        self.stale = 0

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._keys) + sum(len(k) for k, _ in self._pending)

    def add(self, keys: np.ndarray, items: np.ndarray) -> None:
        """Add the pairs ``(keys[i], items[i])``."""
        if not len(keys):
            return
        # Copies: the caller may reuse its arrays before the pairs are sorted.
        keys = np.array(keys, dtype=np.int64)
        items = np.array(items, dtype=np.int64)
        self._pending.append((keys, items))
        if len(self._pending) >= _MAX_PENDING:  # many small adds, no read: sort now
            self._sort_pending()

    def _sort_pending(self) -> None:
        """Sort the pairs added since the last read into runs, one run per ``add``."""
        pending, self._pending = self._pending, []
        for keys, items in pending:
            self._add_run(keys, items)

    def _add_run(self, keys: np.ndarray, items: np.ndarray) -> None:
        if len(keys) > 1:
            order = np.argsort(keys, kind="stable")
            keys, items = keys[order], items[order]
        while self._keys and len(self._keys[-1]) <= _MERGE_RATIO * len(keys):
            keys, items = _merge(self._keys.pop(), self._items.pop(), keys, items)
        self._keys.append(keys)
        self._items.append(items)

    def get(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every item of each of ``keys``.

        Returns
        -------
        which : numpy.ndarray of int64
            Index into ``keys`` of each item found.
        items : numpy.ndarray of int64
            The items, stale ones included.
        """
        self._sort_pending()
        keys = np.asarray(keys, dtype=np.int64)
        # Sorted needles make the binary searches walk each run in order (cache-friendly).
        order = np.argsort(keys, kind="stable") if len(keys) > 64 else None
        needles = keys[order] if order is not None else keys
        which_parts, item_parts = [], []
        for run_keys, run_items in zip(self._keys, self._items, strict=True):
            lo = np.searchsorted(run_keys, needles, side="left")
            hi = np.searchsorted(run_keys, needles, side="right")
            pos, which = expand_ranges(lo, hi)
            if len(pos):
                which_parts.append(which if order is None else order[which])
                item_parts.append(run_items[pos])
        if not item_parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(which_parts), np.concatenate(item_parts)

    def first(self, keys: np.ndarray, default: int = -1) -> np.ndarray:
        """One item of each key (from the oldest run holding it), ``default`` where absent."""
        self._sort_pending()
        keys = np.asarray(keys, dtype=np.int64)
        out = np.full(len(keys), default, dtype=np.int64)
        missing = np.ones(len(keys), dtype=bool)
        for run_keys, run_items in zip(self._keys, self._items, strict=True):
            if not missing.any():
                break
            rows = np.flatnonzero(missing)
            pos = np.searchsorted(run_keys, keys[rows], side="left")
            pos_ok = pos < len(run_keys)
            hit = np.zeros(len(rows), dtype=bool)
            hit[pos_ok] = run_keys[pos[pos_ok]] == keys[rows[pos_ok]]
            out[rows[hit]] = run_items[pos[hit]]
            missing[rows[hit]] = False
        return out

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All pairs, as one key array and one item array (sorted by key)."""
        self._compact()
        if not self._keys:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return self._keys[0], self._items[0]

    def rebuild(self, keys: np.ndarray, items: np.ndarray) -> None:
        """Replace every pair by the given ones; resets :attr:`stale`."""
        self._keys, self._items, self._pending = [], [], []
        self.stale = 0
        self.add(keys, items)

    def _compact(self) -> None:
        self._sort_pending()
        while len(self._keys) > 1:
            keys, items = self._keys.pop(), self._items.pop()
            self._keys[-1], self._items[-1] = _merge(self._keys[-1], self._items[-1], keys, items)
