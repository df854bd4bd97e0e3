"""The graph's overrides (must-links and cannot-links) as a frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph.state.keys import record_keys
from identigraph.graph.state.overrides import OVERRIDE_KINDS
from identigraph.graph.views.outputs import canonical_ids

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["OVERRIDE_COLUMNS", "override_reasons", "overrides_frame"]

#: Columns of :meth:`IdentityGraph.overrides`.
OVERRIDE_COLUMNS = [
    "kind",
    "source_a",
    "record_id_a",
    "source_b",
    "record_id_b",
    "reason",
    "time",
]


def overrides_frame(state: GraphState) -> pd.DataFrame:
    """Every override of ``state``, oldest first (see :meth:`IdentityGraph.overrides`)."""
    table = state.overrides
    source_a, id_a = record_keys(state, table.a)
    source_b, id_b = record_keys(state, table.b)
    out = pd.DataFrame(
        {
            "kind": pd.Series(np.array(OVERRIDE_KINDS, dtype=object)[table.kind], dtype=object),
            "source_a": pd.Series(source_a, dtype=object),
            "record_id_a": pd.Series(id_a, dtype=object),
            "source_b": pd.Series(source_b, dtype=object),
            "record_id_b": pd.Series(id_b, dtype=object),
            "reason": pd.Series(table.reason, dtype=object),
            "time": pd.to_datetime(table.time, unit="ns", utc=True),
        }
    )
    out["record_id_a"] = canonical_ids(state, out["record_id_a"])
    out["record_id_b"] = canonical_ids(state, out["record_id_b"])
    return out[OVERRIDE_COLUMNS]


def override_reasons(state: GraphState, kinds: np.ndarray) -> np.ndarray:
    """The reason of the cannot-link each cut kind names (``None`` for the limits)."""
    base = len(state.policies) + len(state.attributes)
    out = np.full(len(kinds), None, dtype=object)
    table = state.overrides
    named = np.flatnonzero(kinds >= base)
    if len(named) and len(table):
        at = np.searchsorted(table.oid, kinds[named] - base)
        at = np.minimum(at, len(table) - 1)
        found = table.oid[at] == kinds[named] - base
        out[named[found]] = table.reason[at[found]]
    return out
