"""Bulk loads: value codes handed out per column, merged once for the whole load.

While a new graph stages its first adds, each distinct raw value of a column gets a
provisional value code of its own, so an add never consults the value
dictionaries. :func:`merge_values` then gives every distinct link key of a kind one
code, in one factorization per kind, before anything reads the values. Keys that
the normalizers left in Arrow (every spec but a plain, unhashed email or phone;
SHA-256 digests included) stay there: they are factorized by Arrow and become
Python strings only when something reads them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pyarrow as pa

from identigraph.graph.core import factorize_digest_words, factorize_keys
from identigraph.graph.state.value_index import ValueIndex
from identigraph.matcher._arrow import string_buffers
from identigraph.matcher.specs import Email, Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["merge_values"]

_NO_CODES = np.empty(0, dtype=np.int64)
_NO_KEYS = np.empty(0, dtype=object)
#: Length of a SHA-256 hex digest.
_DIGEST_BYTES = 64


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


_Keys: TypeAlias = "np.ndarray | pa.Array"


def _factorize_chunks(
    chunks: list[_Keys], *, digests: bool, distinct: bool = False
) -> tuple[np.ndarray, _Keys]:
    """:func:`factorize_keys` of the keys of one kind given in chunks (no missing key).

    Keys still in Arrow are dictionary-encoded there (without the GIL), and their
    distinct keys stay Arrow strings; SHA-256 digests (``digests``) in Arrow are
    factorized as integers instead (:func:`factorize_digest_words`, no string
    hashed); keys made in Python (a plain email or phone) take :func:`factorize_keys`.
    Either way codes number the distinct keys in order of first appearance, as
    ``pandas.factorize`` does. One chunk known to hold
    ``distinct`` keys is its own factorization.
    """
    if distinct and len(chunks) == 1:
        return np.arange(len(chunks[0]), dtype=np.int64), chunks[0]
    if not any(isinstance(c, pa.Array) for c in chunks):
        return factorize_keys(np.concatenate(chunks), digests=digests)
    parts = [c if isinstance(c, pa.Array) else pa.array(c, type=pa.string()) for c in chunks]
    if len({p.type for p in parts}) > 1:
        parts = [p.cast(pa.large_string()) for p in parts]
    joined = parts[0] if len(parts) == 1 else pa.concat_arrays(parts)
    words = _digest_words(joined) if digests else None
    found = factorize_digest_words(words) if words is not None else None
    if found is not None:
        codes, rows = found
        return codes, joined.take(pa.array(rows))
    encoded = joined.dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def _digest_words(keys: pa.Array) -> np.ndarray | None:
    """Each key's 64 bytes as 8 ``uint64`` words, when every key has 64 bytes (a
    hex digest's length; any other key, or a null, gives ``None``)."""
    if keys.null_count or not len(keys):
        return None
    offsets, data = string_buffers(keys)
    if not (np.diff(offsets) == _DIGEST_BYTES).all():
        return None
    return data.view(np.uint64).reshape(len(keys), _DIGEST_BYTES // 8)


def _factorize_staged(
    state: GraphState, digests: list[bool]
) -> list[tuple[np.ndarray, _Keys]] | None:
    """:func:`_factorize_kinds` of keys still in the chunks a bulk load's adds gave;
    ``None`` once they were read as Python strings.

    Kinds are factorized side by side on the machine's cores on a large load.
    """
    chunks = state.value_codes.key_chunks()
    if chunks is None:
        return None
    of_kind: list[list[_Keys]] = [[] for _ in digests]
    distinct = [True] * len(digests)
    kind = state.value_codes.kind
    for start, chunk, unique in chunks:  # one step per column of each staged add
        of_kind[int(kind[start])].append(chunk)
        distinct[int(kind[start])] &= unique
    kinds = [k for k in range(len(digests)) if of_kind[k]]

    def factorize(k: int) -> tuple[np.ndarray, _Keys]:
        return _factorize_chunks(of_kind[k], digests=digests[k], distinct=distinct[k])

    out: list[tuple[np.ndarray, _Keys]] = [(_NO_CODES, _NO_KEYS)] * len(digests)
    workers = min(len(kinds), len(os.sched_getaffinity(0)))
    if workers < 2 or len(kind) < _THREADED_VALUES:
        for k in kinds:  # one step per identifier kind
            out[k] = factorize(k)
        return out
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="identigraph-merge") as pool:
        for k, found in zip(kinds, pool.map(factorize, kinds), strict=True):
            out[k] = found
    return out


def merge_values(state: GraphState) -> None:
    """Give equal link keys of a kind one value code and drop the edges that repeat.

    Codes are renumbered kind by kind (``0 .. n-1``); the key dictionaries are made
    anew (their hash tables are built at the first look-up) and the postings
    marked stale. A no-op unless the graph is staged.

    Notes
    -----
    Cost: one factorization of the keys of each kind (Arrow's dictionary encoding
    for keys still in Arrow, kinds side by side on the machine's cores on a large
    load; none for a kind whose keys come from one column of one add and are
    known distinct), one gather over the
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
    is_digest = [p.name in digests for p in state.policies]
    staged = _factorize_staged(state, is_digest)
    factorized = staged if staged is not None else _factorize_kinds(state, of_kind, is_digest)
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
    if any(isinstance(k, pa.Array) for k in keys):
        table.set_key_chunks(keys)  # Python strings are made when first read
    else:
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
