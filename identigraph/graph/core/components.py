"""Connected components of an undirected graph given as integer edge arrays."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components as _csgraph_components

__all__ = ["connected_components"]


def connected_components(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label each node with the index of its connected component.

    Parameters
    ----------
    n_nodes : int
        Nodes are ``0 .. n_nodes - 1``; nodes without edges are components of their own.
    a, b : numpy.ndarray of int
        Edge end points, same length; self-loops and repeated edges are allowed.

    Returns
    -------
    numpy.ndarray of int64
        ``labels[i]`` is the component of node ``i``; components are numbered
        ``0 .. k - 1`` in order of their smallest node.

    Examples
    --------
    >>> import numpy as np
    >>> connected_components(5, np.array([0, 3]), np.array([1, 4])).tolist()
    [0, 0, 1, 2, 2]

    Notes
    -----
    One pass of ``scipy.sparse.csgraph.connected_components`` over a CSR matrix
    built from the edges sorted by ``a`` (sorted already on the bulk path; else one
    stable sort): O(n_nodes + n_edges) time and memory, plus O(n_edges log n_edges)
    for unsorted edges.
    """
    if n_nodes == 0:
        return np.empty(0, dtype=np.int64)
    index = np.int32 if max(n_nodes, len(a)) < 2**31 else np.int64
    a = np.asarray(a, dtype=index)
    b = np.asarray(b, dtype=index)
    if len(a) > 1 and not (a[1:] >= a[:-1]).all():
        # Edges come sorted by their first end (records' links are): sort the rest.
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
    # The CSR arrays straight from the sorted edges: no COO conversion, no summing of
    # repeated edges, and float data, which csgraph would otherwise convert to.
    indptr = np.zeros(n_nodes + 1, dtype=index)
    np.cumsum(np.bincount(a, minlength=n_nodes), out=indptr[1:])
    data = np.ones(len(a), dtype=np.float64)
    matrix = csr_matrix((data, b, indptr), shape=(n_nodes, n_nodes))
    _, labels = _csgraph_components(matrix, directed=True, connection="weak")
    # csgraph numbers components in order of their first node; check it in O(n)
    # (each label is at most one more than every label before it) before relying on it.
    labels = labels.astype(np.int64, copy=False)
    if labels[0] == 0 and (np.diff(np.maximum.accumulate(labels)) <= 1).all():
        return labels
    _, first = np.unique(labels, return_index=True)
    order = np.empty(len(first), dtype=np.int64)
    order[np.argsort(first, kind="stable")] = np.arange(len(first))
    return order[labels]
