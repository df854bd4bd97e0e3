"""Overrides: add and drop must-links and cannot-links, and re-resolve the persons they touch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as sparse_components

from identigraph._unique import sorted_unique
from identigraph.errors import OverrideConflictError
from identigraph.graph.changes import ChangeSet
from identigraph.graph.ops.resolve import resolve_persons
from identigraph.graph.state.overrides import CANNOT_LINK

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["add_overrides", "check_overrides", "drop_overrides", "drop_overrides_of"]


def check_overrides(kind: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Raise :class:`OverrideConflictError` when must-links join a cannot-link's records.

    Also refuses an override of a record with itself. Notes: one sparse
    connected-components pass over the must-links' records, O(overrides log overrides).
    """
    kind = np.asarray(kind)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    if (a == b).any():
        msg = "an override needs two different records"
        raise OverrideConflictError(msg, count=int((a == b).sum()))
    cannot = kind == CANNOT_LINK
    if not cannot.any() or cannot.all():
        return
    nodes, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inverse[: len(a)], inverse[len(a) :]
    must = ~cannot
    n = len(nodes)
    graph = coo_matrix((np.ones(int(must.sum())), (ia[must], ib[must])), shape=(n, n))
    _, labels = sparse_components(graph, directed=False)
    broken = labels[ia[cannot]] == labels[ib[cannot]]
    if broken.any():
        msg = (
            f"{int(broken.sum())} cannot-link(s) join records that must-links join: "
            "drop one of the contradicting overrides first"
        )
        raise OverrideConflictError(msg, count=int(broken.sum()))


def add_overrides(
    state: GraphState, kind: np.ndarray, a: np.ndarray, b: np.ndarray, reason: list[str]
) -> ChangeSet:
    """Add overrides between record positions, then re-resolve the persons of their ends.

    In a staged graph the overrides wait for the bulk load's resolution.
    """
    table = state.overrides
    all_kind = np.concatenate([table.kind, np.asarray(kind, dtype=np.int8)])
    check_overrides(all_kind, np.concatenate([table.a, a]), np.concatenate([table.b, b]))
    now = pd.Timestamp.now(tz="UTC").value
    table.append(kind, a, b, reason, now)
    if state.staged:
        return ChangeSet(staged=True)
    return _resolve_ends(state, np.concatenate([a, b]))


def drop_overrides(state: GraphState, rows: np.ndarray) -> ChangeSet:
    """Drop the overrides at ``rows`` and re-resolve the persons of their ends."""
    table = state.overrides
    ends = np.concatenate([table.a[rows], table.b[rows]])
    keep = np.ones(len(table), dtype=bool)
    keep[rows] = False
    table.keep(keep)
    if state.staged:
        return ChangeSet(staged=True)
    return _resolve_ends(state, ends)


def drop_overrides_of(state: GraphState, positions: np.ndarray) -> int:
    """Drop the overrides naming any of the records at ``positions`` (an erasure)."""
    rows = state.overrides.rows_of(positions)
    if len(rows):
        keep = np.ones(len(state.overrides), dtype=bool)
        keep[rows] = False
        state.overrides.keep(keep)
    return len(rows)


def _resolve_ends(state: GraphState, ends: np.ndarray) -> ChangeSet:
    persons = state.records.person[ends]
    return resolve_persons(state, sorted_unique(persons[persons >= 0]), np.empty(0, dtype=np.int64))
