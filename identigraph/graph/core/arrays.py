"""Searches over sorted integer arrays: ranges of equal keys, membership, segments."""

from __future__ import annotations

import numpy as np

__all__ = ["equal_ranges", "expand_ranges", "range_positions", "region_index", "segment_of"]


def expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``lo[i] .. hi[i]-1`` of every ``i``, and the ``i`` each belongs to.

    Examples
    --------
    >>> import numpy as np
    >>> pos, which = expand_ranges(np.array([2, 7]), np.array([4, 8]))
    >>> pos.tolist(), which.tolist()
    ([2, 3, 7], [0, 0, 1])

    Notes
    -----
    O(total length) vectorized work.
    """
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    which = np.repeat(np.arange(len(lo), dtype=np.int64), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    positions: np.ndarray = lo[which] + offsets
    return positions, which


def range_positions(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Positions ``lo[i] .. hi[i]-1`` of every ``i``, concatenated.

    Examples
    --------
    >>> import numpy as np
    >>> range_positions(np.array([2, 7]), np.array([4, 8])).tolist()
    [2, 3, 7]

    Notes
    -----
    O(total length) vectorized work; :func:`expand_ranges` also says which range.
    """
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    positions: np.ndarray = np.repeat(lo, counts) + offsets
    return positions


def equal_ranges(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Positions in the sorted ``keys`` of every entry equal to one of ``queries`` (unique).

    Examples
    --------
    >>> import numpy as np
    >>> equal_ranges(np.array([1, 3, 3, 7]), np.array([3, 5, 7])).tolist()
    [1, 2, 3]

    Notes
    -----
    Two binary searches per query: O(q log n + output).
    """
    if not len(keys) or not len(queries):
        return np.empty(0, dtype=np.int64)
    lo = np.searchsorted(keys, queries, side="left")
    hi = np.searchsorted(keys, queries, side="right")
    return range_positions(lo, hi)


def region_index(region: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Index in the sorted ``region`` of each of ``positions``, ``-1`` outside it.

    Also a membership test of any values in a sorted array: ``region_index(a, x) >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> region_index(np.array([2, 5, 9]), np.array([5, 6, 9])).tolist()
    [1, -1, 2]
    """
    at = np.searchsorted(region, positions)
    inside = at < len(region)
    inside[inside] = region[at[inside]] == positions[inside]
    out: np.ndarray = np.where(inside, at, -1)
    return out


def segment_of(starts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Segment holding each position, segments starting at the sorted ``starts``.

    Examples
    --------
    >>> import numpy as np
    >>> segment_of(np.array([0, 3, 10]), np.array([0, 2, 3, 12])).tolist()
    [0, 0, 1, 2]
    """
    out: np.ndarray = np.searchsorted(starts, positions, side="right") - 1
    return out
