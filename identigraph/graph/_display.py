"""Look-ups behind the graph's explanations: record keys, link keys and masked values."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph._incremental import edge_rows
from identigraph.graph._mask import MaskStyle, mask_key, mask_values
from identigraph.graph.core import segment_of
from identigraph.matcher.specs import Email, Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["link_display", "link_specs", "mask_style", "record_keys", "value_hashes", "value_keys"]


def mask_style(spec: Identifier) -> MaskStyle:
    """How values of ``spec`` are masked for display."""
    if isinstance(spec, Email):
        return "email"
    if isinstance(spec, Phone):
        return "phone"
    return "text"


def record_keys(graph: IdentityGraph, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``source`` and ``record_id`` of each record position, as object arrays."""
    positions = np.asarray(positions, dtype=np.int64)
    sources = np.empty(len(positions), dtype=object)
    ids = np.empty(len(positions), dtype=object)
    if not len(positions):
        return sources, ids
    starts = np.array([b.start for b in graph._batches], dtype=np.int64)
    batch_of = segment_of(starts, positions)
    for k in np.unique(batch_of).tolist():  # one step per batch holding a wanted record
        batch = graph._batches[k]
        rows = np.flatnonzero(batch_of == k)
        sources[rows] = batch.source
        ids[rows] = batch.ids[positions[rows] - batch.start].to_numpy(dtype=object)
    return sources, ids


def value_keys(graph: IdentityGraph, codes: np.ndarray) -> np.ndarray:
    """Link key of each value code, as an object array (``None`` for erased values).

    Cost: O(len(codes)), a gather from the graph's code -> key array.
    """
    keys: np.ndarray = graph._val_key[np.asarray(codes, dtype=np.int64)]
    return keys


def value_hashes(graph: IdentityGraph, codes: np.ndarray) -> np.ndarray:
    """Stable 64-bit hash of each value: of its kind and link key, never of its code."""
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return np.empty(0, dtype=np.uint64)
    keys = value_keys(graph, codes)
    names = np.array([p.name for p in graph._policies], dtype=object)
    salt = pd.util.hash_array(names)
    hashed = pd.util.hash_array(keys)
    return np.asarray(hashed ^ salt[graph._val_kind[codes]], dtype=np.uint64)


def link_specs(graph: IdentityGraph, rec: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Spec index of each identifier link ``(rec, val)``; ``-1`` for links not in the graph."""
    rec = np.asarray(rec, dtype=np.int64)
    n_val = np.int64(max(len(graph._val_kind), 1))
    wanted = pd.Index(rec * n_val + np.asarray(val, dtype=np.int64))
    rows = edge_rows(graph, np.unique(rec))
    keys = graph._edge_rec[rows] * n_val + graph._edge_val[rows]
    table = pd.Series(graph._edge_spec[rows], index=keys)
    table = table[~table.index.duplicated()]
    out: np.ndarray = table.reindex(wanted).fillna(-1).to_numpy(dtype=np.int64)
    return out


def link_display(graph: IdentityGraph, rec: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Masked display value of each identifier link ``(rec, val)``.

    The record's kept raw value, normalized and masked (``j***@g***.com``); when
    the column was not kept, the masked link key (``#9f86d081`` for a hashed kind).
    """
    rec = np.asarray(rec, dtype=np.int64)
    val = np.asarray(val, dtype=np.int64)
    out = np.full(len(rec), None, dtype=object)
    if not len(rec):
        return out
    spec_index = link_specs(graph, rec, val)
    starts = np.array([b.start for b in graph._batches], dtype=np.int64)
    batch_of = segment_of(starts, rec)
    groups = pd.DataFrame({"batch": batch_of, "spec": spec_index}).groupby(
        ["batch", "spec"], sort=True
    )
    for (k, s), rows in groups.indices.items():  # one step per (batch, spec) pair
        if s < 0:
            continue
        batch, spec = graph._batches[int(k)], graph.identifiers[int(s)]
        if spec.column not in batch.attributes.columns:
            continue
        raw = batch.attributes[spec.column].iloc[rec[rows] - batch.start].reset_index(drop=True)
        canon = spec.canonicalize(raw)
        present = canon.notna().to_numpy()
        out[rows[present]] = mask_values(canon[present].astype(str), mask_style(spec))
    missing = np.flatnonzero(pd.isna(out))
    if len(missing):
        keys = value_keys(graph, val[missing])
        styles = _styles_of(graph, spec_index[missing], graph._val_kind[val[missing]])
        out[missing] = [mask_key(str(k), st) for k, st in zip(keys, styles, strict=True)]
    return out


def _styles_of(graph: IdentityGraph, spec_index: np.ndarray, kinds: np.ndarray) -> list[MaskStyle]:
    by_kind: dict[int, MaskStyle] = {}
    for spec in graph.identifiers:  # a handful of specs
        by_kind.setdefault(graph._kind_index[spec.kind], mask_style(spec))
    return [
        mask_style(graph.identifiers[s]) if s >= 0 else by_kind.get(k, "text")
        for s, k in zip(spec_index.tolist(), kinds.tolist(), strict=True)
    ]
