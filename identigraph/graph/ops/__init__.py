"""The only writers of a graph's state: ingest, resolve, merge codes, erase and expire.

Each function takes the :class:`~identigraph.graph.state.GraphState` as its first
argument; :class:`~identigraph.IdentityGraph` checks the caller's arguments and
delegates here.
"""
