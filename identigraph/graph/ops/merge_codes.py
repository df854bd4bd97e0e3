"""Bulk loads: value codes handed out per column, merged once for the whole load.

While a new graph stages its first adds, each distinct raw value of a column gets a
provisional value code of its own, so an add never consults the value
dictionaries. :func:`merge_values` then gives every distinct link key of a kind one
code, in one ``pandas.factorize`` per kind, before anything reads the values.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from identigraph.graph.core import factorize_keys
from identigraph.graph.state.value_index import ValueIndex
from identigraph.matcher.specs import Email, Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["merge_values"]

_NO_CODES = np.empty(0, dtype=np.int64)
_NO_KEYS = np.empty(0, dtype=object)


def _hashed(spec: Identifier) -> bool:
    return isinstance(spec, (Email, Phone)) and spec.hash


def _repeat_reach(identifiers: Sequence[Identifier]) -> int:
    """Largest distance between the spec indexes of two columns of one kind (0: none).

    Examples
    --------
    >>> from identigraph.matcher.specs import Email, Key
    >>> _repeat_reach([Email("a"), Key("k"), Email("b")]), _repeat_reach([Key("k")])
    (2, 0)
    """
    first: dict[str, int] = {}
    reach = 0
    for i, spec in enumerate(identifiers):  # one step per spec
        reach = max(reach, i - first.setdefault(spec.kind, i))
    return reach


#: Loads of at least this many values factorize digest kinds on a second thread.
_THREADED_VALUES = 100_000


def _factorize_kinds(
    state: GraphState, of_kind: list[np.ndarray], digests: list[bool]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`factorize_keys` of the keys of each kind (``of_kind``: their codes).

    Digest kinds factorize 64-bit integers, which ``pandas`` does without the GIL:
    on a large load they run on a second thread while this one factorizes the
    other kinds' strings (which holds it). The results are those of a plain loop.
    """

    def factorize(k: int) -> tuple[np.ndarray, np.ndarray]:
        return factorize_keys(state.value_codes.key[of_kind[k]], digests=digests[k])

    kinds = [k for k in range(len(of_kind)) if len(of_kind[k])]
    aside = [k for k in kinds if digests[k]]
    here = [k for k in kinds if not digests[k]]
    out: list[tuple[np.ndarray, np.ndarray]] = [(_NO_CODES, _NO_KEYS)] * len(of_kind)
    if not aside or not here or len(state.value_codes.kind) < _THREADED_VALUES:
        for k in kinds:  # one step per identifier kind
            out[k] = factorize(k)
        return out
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="identigraph-merge") as pool:
        pending = [(k, pool.submit(factorize, k)) for k in aside]
        for k in here:  # one step per identifier kind
            out[k] = factorize(k)
        for k, future in pending:
            out[k] = future.result()
    return out


def merge_values(state: GraphState) -> None:
    """Give equal link keys of a kind one value code and drop the edges that repeat.

    Codes are renumbered kind by kind (``0 .. n-1``); the key dictionaries are made
    anew (their hash tables are built at the first look-up) and the postings
    marked stale. A no-op unless the graph is staged.

    Notes
    -----
    Cost: one factorization of the keys of each kind (digest kinds on a second
    thread beside the others on a large load), one gather over the
    edges and, where a kind has several columns, one shifted comparison of the
    record-sorted edges per column between the first and last of a kind:
    O(values + edges), no sort.
    """
    if not state.staged:
        return
    remap = np.full(len(state.value_codes.kind), -1, dtype=np.int64)
    # Erased values keep no key (None): the factorization codes them -1.
    keys, kinds = [], []
    values: dict[str, ValueIndex] = {}
    digests = {
        p.name
        for p in state.policies
        if all(_hashed(s) for s in state.identifiers if s.kind == p.name)
    }  # kinds whose keys are all SHA-256 hex digests
    of_kind = [np.flatnonzero(state.value_codes.kind == k) for k in range(len(state.policies))]
    factorized = _factorize_kinds(state, of_kind, [p.name in digests for p in state.policies])
    next_code = 0
    for k, policy in enumerate(state.policies):  # one step per identifier kind
        codes = of_kind[k]
        if not len(codes):
            continue
        local, uniques = factorized[k]
        remap[codes] = np.where(local >= 0, next_code + local, -1)
        values[policy.name] = ValueIndex.from_items(
            uniques, np.arange(next_code, next_code + len(uniques), dtype=np.int64)
        )
        keys.append(uniques)
        kinds.append(np.full(len(uniques), k, dtype=np.int16))
        next_code += len(uniques)
    table = state.value_codes
    table.indexes = values
    table.key = np.concatenate([*keys, np.empty(0, dtype=object)])
    table.kind = np.concatenate([*kinds, np.empty(0, dtype=np.int16)])
    table.next_code = next_code

    rec, val = state.links.rec, remap[state.links.val]
    reach = _repeat_reach(state.identifiers)
    if reach:
        # Two columns of one kind gave a record the same key: keep its first edge.
        # Edges are sorted by record, and within a record by column, one edge per
        # column: two edges of one kind lie at most ``reach`` places apart.
        repeat = np.zeros(len(rec), dtype=bool)
        for shift in range(1, reach + 1):
            repeat[shift:] |= (val[shift:] == val[:-shift]) & (rec[shift:] == rec[:-shift])
        if repeat.any():
            keep = ~repeat
            rec, val, state.links.spec = rec[keep], val[keep], state.links.spec[keep]
    state.links.rec, state.links.val = rec, val
    table.count = np.bincount(val, minlength=next_code).astype(np.int64)
    table.hub = np.zeros(next_code, dtype=bool)
    state.cuts.values_cache = None
