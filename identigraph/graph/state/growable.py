"""Append to a numpy array in amortized O(appended) by keeping spare capacity behind it."""

from __future__ import annotations

import numpy as np

__all__ = ["appended"]

_GROWTH = 1.5
_MIN_CAPACITY = 1024


def appended(array: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """``array`` followed by ``extra``, written into spare capacity when there is some.

    The result is a prefix view of a larger buffer; the next call on that result
    writes behind it without copying. ``array`` itself is left as it was, so callers
    must only ever append to the newest result.

    Examples
    --------
    >>> import numpy as np
    >>> a = appended(np.arange(3), np.array([7]))
    >>> b = appended(a, np.array([8, 9]))
    >>> b.tolist(), np.shares_memory(a, b)
    ([0, 1, 2, 7, 8, 9], True)

    Notes
    -----
    The buffer grows by half when full: amortized O(len(extra)) per call, at most
    half the array's size in spare memory.
    """
    n, k = len(array), len(extra)
    base = array.base
    if (
        isinstance(base, np.ndarray)
        and base.ndim == 1
        and base.dtype == array.dtype
        and array.flags.c_contiguous
        and base.flags.c_contiguous
        and base.flags.writeable
        and len(base) >= n + k
        and array.ctypes.data == base.ctypes.data
    ):
        base[n : n + k] = extra
        return base[: n + k]
    capacity = max(int((n + k) * _GROWTH), _MIN_CAPACITY)
    buffer = np.empty(capacity, dtype=array.dtype)
    buffer[:n] = array
    buffer[n : n + k] = extra
    return buffer[: n + k]
