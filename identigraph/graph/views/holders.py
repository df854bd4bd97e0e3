"""Who holds a value: the one rule that lookups and conflicts share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from identigraph._unique import sorted_unique
from identigraph.graph.core import region_index
from identigraph.graph.state.indexes import value_carriers

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["value_holders"]


def value_holders(state: GraphState, codes: np.ndarray) -> np.ndarray:
    """Person holding each value: the person of its first alive carrier through a kept link.

    A link cut by a per-person limit holds nothing, so a value whose every link
    was cut is held by nobody (``-1``), as is a value no alive record carries.
    Generic and shared values are the callers' to rule out first: their kept links
    may lie in several persons.

    Parameters
    ----------
    state : GraphState
        A resolved graph's state.
    codes : numpy.ndarray of int64
        Value codes.

    Returns
    -------
    numpy.ndarray of int64
        One person id per code, ``-1`` where none holds it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Cookie("cookie_id")])
    >>> _ = g.add(pd.DataFrame({"cookie_id": ["c1", "c1"]}), source="web")
    >>> g.build_indexes()
    >>> int(value_holders(g.state, np.array([0]))[0]) == g.person_of("web", 0)
    True

    Notes
    -----
    Cost: the carriers' links (binary searches in the value and link indexes)
    and the cut links ending in those carriers (binary searches over the cut
    ends); no pass over every link or every cut link.
    """
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return np.empty(0, dtype=np.int64)
    carriers = value_carriers(state, codes)
    links = state.links
    rows = links.rows_of(carriers)
    rows = rows[region_index(sorted_unique(codes), links.val[rows]) >= 0]
    rec, val = links.rec[rows], links.val[rows]
    n_val = np.int64(max(len(state.value_codes), 1))
    cuts = state.cuts.links
    cut_rows = state.cuts.rows_of(carriers)
    cut_rows = cut_rows[cuts.val[cut_rows] >= 0]
    cut_key = cuts.rec[cut_rows] * n_val + cuts.val[cut_rows]
    kept = region_index(sorted_unique(cut_key), rec * n_val + val) < 0
    # The first kept carrier of each value (links are sorted by record): numpy only, as a
    # look-up asks for one value and must stay well under a millisecond.
    held, first = np.unique(val[kept], return_index=True)
    if not len(held):
        return np.full(len(codes), -1, dtype=np.int64)
    persons = state.records.person[rec[kept][first]]
    at = region_index(held, codes)
    out: np.ndarray = np.where(at >= 0, persons[np.maximum(at, 0)], -1).astype(np.int64)
    return out
