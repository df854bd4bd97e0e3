"""The identity graph: records, identifier and match edges, components, person ids."""

from __future__ import annotations

from identigraph.graph.changes import ChangeSet
from identigraph.graph.core import SurvivorPolicy, connected_components
from identigraph.graph.identity_graph import IdentityGraph
from identigraph.graph.ops.spec_checks import SpecWarning
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.views.explain import Explanation
from identigraph.graph.views.person import PersonView
from identigraph.graph.views.report import GraphReport

__all__ = [
    "ChangeSet",
    "Explanation",
    "GraphReport",
    "IdentityGraph",
    "Lifecycle",
    "PersonView",
    "SpecWarning",
    "SurvivorPolicy",
    "connected_components",
]
