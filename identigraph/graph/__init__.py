"""The identity graph: records, identifier and match edges, components, person ids."""

from __future__ import annotations

from identigraph.graph.changes import ChangeSet
from identigraph.graph.core import connected_components
from identigraph.graph.explain import Explanation
from identigraph.graph.identity_graph import IdentityGraph
from identigraph.graph.lifecycle import Lifecycle
from identigraph.graph.person import PersonView
from identigraph.graph.report import GraphReport
from identigraph.graph.spec_checks import SpecWarning

__all__ = [
    "ChangeSet",
    "Explanation",
    "GraphReport",
    "IdentityGraph",
    "Lifecycle",
    "PersonView",
    "SpecWarning",
    "connected_components",
]
