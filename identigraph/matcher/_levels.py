"""Comparison levels of record pairs: factorize a column once, score distinct value pairs once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["PreparedColumn", "pair_levels", "prepare_column"]

IntArray = npt.NDArray[np.int64]


class Comparison(Protocol):
    """What levels need of a comparison (``identigraph.matcher.comparisons.Comparison``)."""

    @property
    def n_levels(self) -> int: ...

    def keys(self, values: pd.Series) -> pd.Series: ...

    def features(self, keys: npt.NDArray[np.object_]) -> Any: ...

    def score(self, features: Any, left: IntArray, right: IntArray) -> npt.NDArray[np.int8]: ...


@dataclass(frozen=True, slots=True)
class PreparedColumn:
    """A column reduced to integer codes of its normalized values.

    ``codes[i]`` is the code of row ``i`` (``-1``: missing); ``features`` is what
    the comparison scores distinct values on; ``counts[c]`` is how many rows hold
    code ``c``.
    """

    codes: IntArray
    features: Any
    counts: IntArray

    @property
    def n_present(self) -> int:
        """Rows with a value."""
        return int(self.counts.sum())


def prepare_column(comparison: Comparison, values: pd.Series) -> PreparedColumn:
    """Codes and scoring features of ``values`` for ``comparison``.

    The comparison normalizes only the distinct raw values; values that normalize
    alike share a code.
    """
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    keys = comparison.keys(pd.Series(uniques))
    key_codes, key_uniques = pd.factorize(keys, use_na_sentinel=True)
    codes = np.append(key_codes, -1).astype(np.int64)[raw_codes]
    features = comparison.features(np.asarray(key_uniques, dtype=object))
    counts = np.bincount(codes[codes >= 0], minlength=len(key_uniques)).astype(np.int64)
    return PreparedColumn(codes=codes, features=features, counts=counts)


def pair_levels(
    comparison: Comparison, prepared: PreparedColumn, left: IntArray, right: IntArray
) -> npt.NDArray[np.int8]:
    """Level of each row pair ``(left[i], right[i])``: ``-1`` missing, top = exact.

    Notes
    -----
    Each distinct unordered pair of differing values is scored once; the cost is
    O(p) for ``p`` pairs plus the scorer's cost on the distinct value pairs.
    """
    code_l = prepared.codes[left]
    code_r = prepared.codes[right]
    levels = np.full(len(left), -1, dtype=np.int8)
    present = (code_l >= 0) & (code_r >= 0)
    exact = present & (code_l == code_r)
    levels[exact] = comparison.n_levels - 1
    different = present & ~exact
    if comparison.n_levels <= 2:  # nothing between exact and else: nothing to score
        levels[different] = 0
        return levels
    fuzzy = np.flatnonzero(different)
    if len(fuzzy):
        lo = np.minimum(code_l[fuzzy], code_r[fuzzy])
        hi = np.maximum(code_l[fuzzy], code_r[fuzzy])
        width = np.int64(len(prepared.counts))
        inverse, distinct = pd.factorize(lo * width + hi)
        distinct = np.asarray(distinct, dtype=np.int64)
        scored = comparison.score(prepared.features, distinct // width, distinct % width)
        levels[fuzzy] = scored[inverse]
    return levels
