"""Bulk loads: value codes handed out per column, merged once for the whole load.

While a new graph stages its first adds, each distinct raw value of a column gets a
provisional value code of its own, so an add never consults the value
dictionaries. :func:`merge_values` then gives every distinct link key of a kind one
code, in one ``pandas.factorize`` per kind, before anything reads the values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph._values import ValueIndex
from identigraph.graph.core import factorize_keys
from identigraph.matcher.specs import Email, Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["merge_values"]


def _hashed(spec: Identifier) -> bool:
    return isinstance(spec, (Email, Phone)) and spec.hash


def merge_values(g: IdentityGraph) -> None:
    """Give equal link keys of a kind one value code and drop the edges that repeat.

    Codes are renumbered kind by kind (``0 .. n-1``); the key dictionaries are made
    anew (their hash tables are built at the first look-up) and the postings
    marked stale. A no-op unless the graph is staged.

    Notes
    -----
    Cost: one factorization of the keys of each kind, one gather over the
    edges and, where a kind has several columns, a few shifted comparisons of the
    record-sorted edges: O(values + edges), no sort.
    """
    if not g._staged:
        return
    remap = np.full(len(g._val_kind), -1, dtype=np.int64)
    live = pd.notna(g._val_key)  # erased values keep no key
    keys, kinds = [], []
    values: dict[str, ValueIndex] = {}
    digests = {
        p.name for p in g._policies if all(_hashed(s) for s in g.identifiers if s.kind == p.name)
    }  # kinds whose keys are all SHA-256 hex digests
    next_code = 0
    for k, policy in enumerate(g._policies):  # one step per identifier kind
        codes = np.flatnonzero((g._val_kind == k) & live)
        if not len(codes):
            continue
        local, uniques = factorize_keys(g._val_key[codes], digests=policy.name in digests)
        remap[codes] = next_code + local
        values[policy.name] = ValueIndex.from_items(
            uniques, np.arange(next_code, next_code + len(uniques), dtype=np.int64)
        )
        keys.append(uniques)
        kinds.append(np.full(len(uniques), k, dtype=np.int16))
        next_code += len(uniques)
    g._values = values
    g._val_key = np.concatenate([*keys, np.empty(0, dtype=object)])
    g._val_kind = np.concatenate([*kinds, np.empty(0, dtype=np.int16)])
    g._next_value = next_code

    rec, val = g._edge_rec, remap[g._edge_val]
    if len(g.identifiers) > len(g._policies):
        # Two columns of one kind gave a record the same key: keep its first edge.
        # Edges are sorted by record, a record having at most one edge per column.
        repeat = np.zeros(len(rec), dtype=bool)
        for shift in range(1, len(g.identifiers)):
            repeat[shift:] |= (rec[shift:] == rec[:-shift]) & (val[shift:] == val[:-shift])
        if repeat.any():
            keep = ~repeat
            rec, val, g._edge_spec = rec[keep], val[keep], g._edge_spec[keep]
    g._edge_rec, g._edge_val = rec, val
    g._val_count = np.bincount(val, minlength=next_code).astype(np.int64)
    g._cut_values = None
