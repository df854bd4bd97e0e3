"""A graph's state: tables that own their arrays and invariants, and one lifecycle.

Only :mod:`identigraph.graph.ops` writes these tables; :mod:`identigraph.graph.views`
reads them; :class:`~identigraph.IdentityGraph` is a facade over one :class:`GraphState`.
"""

from __future__ import annotations

from identigraph.graph.state.attributes import AttributeCodes
from identigraph.graph.state.cuts import CutLinks, CutTable
from identigraph.graph.state.graph_state import GraphState
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.tables import (
    IdTable,
    LinkTable,
    MatchTable,
    PostingTable,
    RecordTable,
    ValueTable,
)

__all__ = [
    "AttributeCodes",
    "CutLinks",
    "CutTable",
    "GraphState",
    "IdTable",
    "Lifecycle",
    "LinkTable",
    "MatchTable",
    "PostingTable",
    "RecordTable",
    "ValueTable",
]
