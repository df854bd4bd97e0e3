"""Set operations on arrays (distinct values, union, difference) by one sort.

``numpy.unique`` without ``return_*`` arguments goes through a hash table first since
numpy 2.3: on a million distinct integers that is 50 times slower than a sort, and
``numpy.union1d``, ``numpy.setdiff1d`` and ``numpy.intersect1d`` inherit the cost.
``return_counts=True`` keeps numpy on its sort path with the same result (NaN
collapsed, object arrays compared by value, the input flattened).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["sorted_difference", "sorted_intersection", "sorted_union", "sorted_unique"]


def sorted_unique(values: ArrayLike) -> np.ndarray:
    """The distinct values of ``values``, ascending: ``numpy.unique(values)`` by a sort.

    Examples
    --------
    >>> sorted_unique([3, 1, 3, 2]).tolist()
    [1, 2, 3]
    """
    distinct: np.ndarray = np.unique(values, return_counts=True)[0]
    return distinct


def sorted_union(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """The distinct values of ``a`` and ``b``, ascending: ``numpy.union1d`` by a sort.

    Examples
    --------
    >>> sorted_union([3, 1], [2, 3]).tolist()
    [1, 2, 3]
    """
    return sorted_unique(np.concatenate([np.ravel(a), np.ravel(b)]))


def sorted_difference(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """The distinct values of ``a`` not in ``b``, ascending: ``numpy.setdiff1d``.

    Examples
    --------
    >>> sorted_difference([3, 1, 1, 2], [2]).tolist()
    [1, 3]
    """
    distinct = sorted_unique(a)
    out: np.ndarray = distinct[~np.isin(distinct, np.ravel(b))]
    return out


def sorted_intersection(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """The distinct values in both ``a`` and ``b``, ascending: ``numpy.intersect1d``.

    Examples
    --------
    >>> sorted_intersection([3, 1, 1, 2], [2, 1, 5]).tolist()
    [1, 2]
    """
    distinct = sorted_unique(a)
    out: np.ndarray = distinct[np.isin(distinct, np.ravel(b))]
    return out
