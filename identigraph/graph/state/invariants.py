"""The invariants of a graph's state, stated once and checked in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.tables import require

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["check_invariants"]


def check_invariants(state: GraphState) -> None:
    """Check every invariant of ``state``; raise :class:`InvariantError` on the first broken.

    Each table checks its own (:meth:`RecordTable.check` ...); this adds those that
    join tables: links and match edges end in alive records, the value counts are
    the bincount of the links once resolved, every alive record has an issued
    person id once resolved.

    Notes
    -----
    O(records + links + values + match edges); for tests and :meth:`IdentityGraph.load`.
    """
    records = state.records
    records.check()
    n = len(records)
    state.value_codes.check()
    n_values = len(state.value_codes)
    state.links.check(n, n_values)
    if len(state.links):
        require(records.alive[state.links.rec].all(), "every link's record is alive")
    state.matches.check(records.alive)
    state.cuts.check(records.alive)
    state.attr_codes.check(n)
    if state.lifecycle is Lifecycle.STAGED:
        return
    require(
        (state.value_codes.count == np.bincount(state.links.val, minlength=n_values)).all(),
        "value counts equal the bincount of the links",
    )
    state.ids.check(records.person[records.alive])
