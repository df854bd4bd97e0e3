"""The identity graph: records, identifier and match edges, components, person ids."""

from __future__ import annotations

from identigraph.graph.changes import ChangeSet
from identigraph.graph.components import connected_components
from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["ChangeSet", "IdentityGraph", "connected_components"]
