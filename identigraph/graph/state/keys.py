"""Keys of records and values as stored: ``(source, record id)``, link keys, value hashes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph._unique import sorted_unique
from identigraph.errors import UnknownRecordError
from identigraph.graph.core import segment_of
from identigraph.graph.state.indexes import batch_starts, find_keys
from identigraph.graph.state.record_ids import IdKind, id_kind

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = [
    "mixed_id_kinds",
    "positions",
    "record_cells",
    "record_keys",
    "source_id_kind",
    "value_hashes",
    "value_keys",
]


def record_keys(state: GraphState, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``source`` and ``record_id`` of each record position, as object arrays."""
    positions = np.asarray(positions, dtype=np.int64)
    sources = np.empty(len(positions), dtype=object)
    ids = np.empty(len(positions), dtype=object)
    if not len(positions):
        return sources, ids
    batch_of = segment_of(batch_starts(state), positions)
    for k in sorted_unique(batch_of).tolist():  # one step per batch holding a wanted record
        batch = state.records.batches[k]
        rows = np.flatnonzero(batch_of == k)
        sources[rows] = batch.source
        ids[rows] = batch.ids[positions[rows] - batch.start].to_numpy(dtype=object)
    return sources, ids


def record_cells(state: GraphState, positions: np.ndarray, column: str) -> pd.Series:
    """The kept cell of ``column`` of each record position (missing where not kept)."""
    positions = np.asarray(positions, dtype=np.int64)
    out = np.full(len(positions), None, dtype=object)
    if len(positions):
        batch_of = segment_of(batch_starts(state), positions)
        for k in sorted_unique(batch_of).tolist():  # one step per batch holding a wanted record
            batch = state.records.batches[k]
            if column not in batch.attributes.columns:
                continue
            rows = np.flatnonzero(batch_of == k)
            cells = batch.attributes[column].iloc[positions[rows] - batch.start]
            out[rows] = cells.to_numpy(dtype=object)
    return pd.Series(out, dtype=object)


def value_keys(state: GraphState, codes: np.ndarray) -> np.ndarray:
    """Link key of each value code, as an object array (``None`` for erased values).

    Cost: O(len(codes)), a gather from the state's code -> key array.
    """
    return state.value_codes.take_keys(codes)


def value_hashes(state: GraphState, codes: np.ndarray) -> np.ndarray:
    """Stable 64-bit hash of each value: of its kind and link key, never of its code.

    Cost: O(len(codes)), one hash of each key's text.
    """
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return np.empty(0, dtype=np.uint64)
    keys = value_keys(state, codes)
    names = np.array([p.name for p in state.policies], dtype=object)
    salt = pd.util.hash_array(names)
    # Without ``categorize`` (a factorization first, slower than hashing unique keys)
    # the hashes are the same but for None, which the categorized hash gives all ones.
    hashed = pd.util.hash_array(keys, categorize=False)
    hashed[pd.isna(keys)] = np.iinfo(np.uint64).max
    return np.asarray(hashed ^ salt[state.value_codes.kind[codes]], dtype=np.uint64)


def source_id_kind(state: GraphState, source: str) -> IdKind | None:
    """The type of the record ids of ``source`` (fixed by its first batch); None if new."""
    known = state.records.id_kinds.get(source)
    if known is None:
        batches = state.records.batches
        first = next((b for b in batches if b.source == source and len(b.ids)), None)
        if first is not None:
            known = id_kind(first.ids, source=source, where="the graph")
            if known is not None:
                state.records.id_kinds[source] = known
    return known


def mixed_id_kinds(state: GraphState) -> bool:
    """Whether the sources' record ids are of more than one type (integers and strings).

    Output frames then give every record id in its canonical string form
    (``str(id)``: ``7`` -> ``"7"``), so that one ``record_id`` column holds one
    type and round-trips through Parquet and Arrow; ``(source, "7")`` still
    names the record ``7`` of a source of integer ids (see
    :func:`identigraph.graph.state.indexes.positions`).
    """
    kinds = {source_id_kind(state, s) for s in state.records.sources}
    kinds.discard(None)
    return len(kinds) > 1


def _canonical_to_source(ids: pd.Index, kind: IdKind | None) -> pd.Index:
    """``ids`` with canonical strings turned back into the source's ids (``"7"`` -> ``7``).

    One ``infer_dtype`` pass; a value-by-value pass only for ids that mix types.
    """
    inferred = pd.api.types.infer_dtype(ids, skipna=False)
    if kind == "integer" and (inferred == "string" or inferred.startswith("mixed")):
        values = ids.to_numpy(dtype=object).copy()
        text = np.flatnonzero([isinstance(i, str) for i in values])
        asked = pd.Series(values[text], dtype=object)
        numbers = pd.to_numeric(asked, errors="coerce").astype("Int64")
        ok = numbers.notna().to_numpy() & (numbers.astype(str).to_numpy() == asked.to_numpy())
        values[text[ok]] = numbers[ok].astype(np.int64).tolist()
        return pd.Index(values, dtype=object)
    if kind == "string" and (inferred == "integer" or inferred.startswith("mixed")):
        values = ids.to_numpy(dtype=object).copy()
        numbers = np.flatnonzero([isinstance(i, (int, np.integer)) for i in values])
        values[numbers] = [str(i) for i in values[numbers]]
        return pd.Index(values, dtype=object)
    return ids


def positions(state: GraphState, sources: pd.Series, record_ids: pd.Series) -> np.ndarray:
    """Positions of the alive records ``(sources[i], record_ids[i])``.

    A record id may also be given in its canonical string form (``"7"`` for the
    record ``7`` of a source of integer ids, as output frames show ids when the
    sources' id types differ; see :func:`mixed_id_kinds`).

    Raises
    ------
    UnknownRecordError
        A key names no alive record (the first ten are listed).
    """
    out = np.full(len(sources), -1, dtype=np.int64)
    src = sources.to_numpy(dtype=object)
    rid = record_ids.to_numpy(dtype=object)
    groups, rows_of = [], []
    for source in pd.unique(src):  # one step per source named
        rows = np.flatnonzero(src == source)
        ids = _canonical_to_source(pd.Index(rid[rows], dtype=object), source_id_kind(state, source))
        groups.append((source, ids))
        rows_of.append(rows)
    if groups:  # one look-up for every source (a scan of the records, when many are asked)
        out[np.concatenate(rows_of)] = find_keys(state, groups)
    found = out >= 0
    if not found.all():
        bad = np.flatnonzero(~found)[:10]
        keys = list(zip(src[bad].tolist(), rid[bad].tolist(), strict=True))
        msg = f"records not in the graph: {keys}"
        raise UnknownRecordError(msg)
    return out
