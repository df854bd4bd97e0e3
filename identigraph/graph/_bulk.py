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
from identigraph.matcher.specs import Email, Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["merge_values"]


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _digest_words(keys: np.ndarray) -> np.ndarray | None:
    """The first 32 characters of each hex digest as 4 uint64 words; ``None`` if not ASCII."""
    try:
        text = keys.astype("S32")
    except UnicodeEncodeError:
        return None
    return text.view(np.uint64).reshape(len(keys), 4)


def _same(check: np.ndarray, rep: np.ndarray) -> bool:
    """Whether every row of ``check`` equals row ``rep[i]`` (column by column)."""
    if check.ndim == 1:
        return bool((check == check[rep]).all())
    return all(bool((check[:, j] == check[rep, j]).all()) for j in range(check.shape[1]))


def _factorize_keys(keys: np.ndarray, *, digests: bool) -> tuple[np.ndarray, np.ndarray]:
    """``pandas.factorize`` of string keys, through 64-bit integers.

    Factorizing integers is several times faster than hashing and comparing the
    strings in one table. SHA-256 hex keys (``digests``) are identified by their
    first 32 hex digits (128 bits of the digest): those characters' bytes are
    mixed into one integer and checked word by word. Other keys are factorized on
    a 64-bit hash and checked against their group's first key. Should a check
    fail, the strings themselves are factorized.
    """
    words = _digest_words(keys) if digests else None
    check: np.ndarray
    if words is not None:
        with np.errstate(over="ignore"):
            hashes = words[:, 0].copy()
            for j in range(1, 4):
                hashes = hashes * _MIX + words[:, j]
        check = words
    else:
        hashes, check = pd.util.hash_array(keys, categorize=False), keys
    local, _ = pd.factorize(hashes)
    first = np.empty(int(local.max()) + 1 if len(local) else 0, dtype=np.int64)
    first[local] = np.arange(len(local))  # one row of each group
    if not _same(check, first[local]):  # two keys share the integer
        local, uniques = pd.factorize(keys)
        return np.asarray(local, dtype=np.int64), np.asarray(uniques, dtype=object)
    return np.asarray(local, dtype=np.int64), keys[first]


def _hashed(spec: Identifier) -> bool:
    return isinstance(spec, (Email, Phone)) and spec.hash


def merge_values(g: IdentityGraph) -> None:
    """Give equal link keys of a kind one value code and drop the edges that repeat.

    Codes are renumbered kind by kind (``0 .. n-1``); the key dictionaries are made
    anew (their hash tables are built at the first look-up) and the postings
    marked stale. A no-op unless provisional codes were handed out.

    Notes
    -----
    Cost: one factorization of the keys of each kind, one gather over the
    edges and, where a kind has several columns, a few shifted comparisons of the
    record-sorted edges: O(values + edges), no sort.
    """
    if not g._provisional:
        return
    g._provisional = False
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
        local, uniques = _factorize_keys(g._val_key[codes], digests=policy.name in digests)
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
    g._indexed = False  # the value postings hold provisional codes
