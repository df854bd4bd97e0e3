"""Keep the hub flags of values up to date (see :func:`identigraph.graph.core.hub_values`).

A value's flag is a function of the links: set when its count is above its kind's
``max_linked`` (and not above ``max_records``, where it is generic anyway) and its
carriers hold more than ``max_linked`` distinct values of some other kind. Only
the values whose carriers changed need a new look: the values of an added batch,
the values an erasure or expiry took carriers or links from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from identigraph._unique import sorted_unique
from identigraph.graph.core import hub_values
from identigraph.graph.state.indexes import value_carriers

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["refresh_hubs"]


def refresh_hubs(state: GraphState, codes: np.ndarray | None = None) -> np.ndarray:
    """Recompute the hub flag of ``codes`` (all values when None); the codes that changed.

    Notes
    -----
    Cost: nothing for values at or under their kind's ``max_linked``; for the
    others, the links of their carriers (found through the value index, or one
    gather over the links when every value is asked for).
    """
    table = state.value_codes
    everything = codes is None
    codes = np.arange(len(table), dtype=np.int64) if codes is None else sorted_unique(codes)
    if not len(codes):
        return codes
    count, kind = table.count[codes], table.kind[codes]
    frequent = codes[(count > state.max_linked[kind]) & (count <= state.max_records[kind])]
    old = table.hub[codes]
    new = np.zeros(len(codes), dtype=bool)
    if len(frequent):
        links = state.links
        if everything:  # a bulk load: one gather over the links, no value index needed
            wanted = np.zeros(len(table), dtype=bool)
            wanted[frequent] = True
            carriers = sorted_unique(links.rec[wanted[links.val]])
        else:
            carriers = value_carriers(state, frequent)
        rows = links.rows_of(carriers)
        flags = hub_values(links.rec[rows], links.val[rows], table.kind, frequent, state.max_linked)
        new[np.searchsorted(codes, frequent)] = flags
    table.hub[codes] = new
    changed: np.ndarray = codes[old != new]
    return changed
