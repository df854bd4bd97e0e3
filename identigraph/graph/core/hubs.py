"""Hub values: identifier values whose carriers hold many distinct values of other kinds.

A placeholder key (``NOCARD`` on every till receipt without a loyalty card), a
kiosk cookie or a shop's own email is carried by records of many different
people. A count cap alone cannot tell it from a customer key on a customer's
many orders; what tells them apart is that the placeholder's carriers hold many
*distinct* values of the other kinds (thousands of emails), the customer's
orders a handful. Such a value is a hub: generic, it links nothing.
"""

from __future__ import annotations

import numpy as np

from identigraph._unique import sorted_unique
from identigraph.graph.core.arrays import expand_ranges

__all__ = ["hub_values"]


def hub_values(
    rec: np.ndarray,
    val: np.ndarray,
    value_kind: np.ndarray,
    candidates: np.ndarray,
    max_linked: np.ndarray,
) -> np.ndarray:
    """Which ``candidates`` are hubs, from the links of every record carrying one.

    Parameters
    ----------
    rec, val : numpy.ndarray of int64
        Every link of the records that carry a candidate: record and value code,
        sorted by record.
    value_kind : numpy.ndarray of int16
        Kind index of every value code.
    candidates : numpy.ndarray of int64
        Value codes to test, sorted and unique.
    max_linked : numpy.ndarray of int64
        Per kind index: a value of that kind is a hub when its carriers hold more
        than this many distinct values of some other kind.

    Returns
    -------
    numpy.ndarray of bool
        One flag per candidate.

    Examples
    --------
    >>> import numpy as np
    >>> # records 0-2 carry card 0 and emails 1, 2, 3; records 3-4 carry card 4 and email 5
    >>> rec = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    >>> val = np.array([0, 1, 0, 2, 0, 3, 4, 5, 4, 5])
    >>> kind = np.array([0, 1, 1, 1, 0, 1], dtype=np.int16)  # 0: card, 1: email
    >>> hub_values(rec, val, kind, np.array([0, 4]), np.array([2, 2])).tolist()
    [True, False]

    Notes
    -----
    Cost: O(links of the carriers x links per record), vectorized: each candidate
    link is paired with the other links of its record, then the distinct
    ``(candidate, kind, value)`` triples are counted.
    """
    out = np.zeros(len(candidates), dtype=bool)
    if not len(candidates) or not len(rec):
        return out
    position = np.searchsorted(candidates, val)
    is_candidate = (position < len(candidates)) & (
        candidates[np.minimum(position, len(candidates) - 1)] == val
    )
    rows = np.flatnonzero(is_candidate)
    # The links of each candidate link's record: rec is sorted, so a range per row.
    lo = np.searchsorted(rec, rec[rows], side="left")
    hi = np.searchsorted(rec, rec[rows], side="right")
    other, which = expand_ranges(lo, hi)
    mine = rows[which]
    kind_mine = value_kind[val[mine]].astype(np.int64)
    kind_other = value_kind[val[other]].astype(np.int64)
    keep = kind_mine != kind_other
    mine, other, kind_other = mine[keep], other[keep], kind_other[keep]
    if not len(mine):
        return out
    n_kinds = np.int64(max(int(value_kind.max(initial=0)) + 1, 1))
    n_values = np.int64(len(value_kind))
    candidate_index = position[mine].astype(np.int64)
    # Distinct (candidate, other kind, other value) triples, then count per pair.
    triples = sorted_unique((candidate_index * n_kinds + kind_other) * n_values + val[other])
    pair = triples // n_values
    pairs, distinct = np.unique(pair, return_counts=True)
    owner = pairs // n_kinds
    limit = max_linked[value_kind[candidates[owner]].astype(np.int64)]
    out[owner[distinct > limit]] = True
    return out
