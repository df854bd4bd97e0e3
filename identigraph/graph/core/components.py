"""Connected components of an undirected graph given as integer edge arrays."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
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
    One pass of ``scipy.sparse.csgraph.connected_components`` over a CSR matrix:
    O(n_nodes + n_edges) time and memory.
    """
    if n_nodes == 0:
        return np.empty(0, dtype=np.int64)
    a = np.asarray(a, dtype=np.int32 if n_nodes < 2**31 else np.int64)
    b = np.asarray(b, dtype=a.dtype)
    data = np.ones(len(a), dtype=np.int8)
    matrix = coo_matrix((data, (a, b)), shape=(n_nodes, n_nodes)).tocsr()
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
