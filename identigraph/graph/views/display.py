"""Masked display values of identifier links, for conflicts, person views and explanations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph._unique import sorted_unique
from identigraph.graph.core import segment_of
from identigraph.graph.core.mask import MaskStyle, mask_key, mask_values
from identigraph.graph.state.indexes import batch_starts
from identigraph.graph.state.keys import value_keys
from identigraph.matcher.specs import Email, Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["link_display", "link_specs", "mask_style"]


def mask_style(spec: Identifier) -> MaskStyle:
    """How values of ``spec`` are masked for display."""
    if isinstance(spec, Email):
        return "email"
    if isinstance(spec, Phone):
        return "phone"
    return "text"


def link_specs(state: GraphState, rec: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Spec index of each identifier link ``(rec, val)``; ``-1`` for links not in the state."""
    rec = np.asarray(rec, dtype=np.int64)
    n_val = np.int64(max(len(state.value_codes.kind), 1))
    wanted = pd.Index(rec * n_val + np.asarray(val, dtype=np.int64))
    rows = state.links.rows_of(sorted_unique(rec))
    keys = state.links.rec[rows] * n_val + state.links.val[rows]
    table = pd.Series(state.links.spec[rows], index=keys)
    table = table[~table.index.duplicated()]
    out: np.ndarray = table.reindex(wanted).fillna(-1).to_numpy(dtype=np.int64)
    return out


def link_display(state: GraphState, rec: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Masked display value of each identifier link ``(rec, val)``.

    The record's kept raw value, normalized and masked (``j***@g***.com``); when
    the column was not kept, the masked link key (``#9f86d081`` for a hashed kind).
    """
    rec = np.asarray(rec, dtype=np.int64)
    val = np.asarray(val, dtype=np.int64)
    out = np.full(len(rec), None, dtype=object)
    if not len(rec):
        return out
    spec_index = link_specs(state, rec, val)
    batch_of = segment_of(batch_starts(state), rec)
    groups = pd.DataFrame({"batch": batch_of, "spec": spec_index}).groupby(
        ["batch", "spec"], sort=True
    )
    for (k, s), rows in groups.indices.items():  # one step per (batch, spec) pair
        if s < 0:
            continue
        batch, spec = state.records.batches[int(k)], state.identifiers[int(s)]
        if spec.column not in batch.attributes.columns:
            continue
        raw = batch.attributes[spec.column].iloc[rec[rows] - batch.start].reset_index(drop=True)
        canon = spec.canonicalize(raw)
        present = canon.notna().to_numpy()
        out[rows[present]] = mask_values(canon[present].astype(str), mask_style(spec))
    missing = np.flatnonzero(pd.isna(out))
    if len(missing):
        keys = value_keys(state, val[missing])
        styles = _styles_of(state, spec_index[missing], state.value_codes.kind[val[missing]])
        out[missing] = [mask_key(str(k), st) for k, st in zip(keys, styles, strict=True)]
    return out


def _styles_of(state: GraphState, spec_index: np.ndarray, kinds: np.ndarray) -> list[MaskStyle]:
    by_kind: dict[int, MaskStyle] = {}
    for spec in state.identifiers:  # a handful of specs
        by_kind.setdefault(state.kind_index[spec.kind], mask_style(spec))
    return [
        mask_style(state.identifiers[s]) if s >= 0 else by_kind.get(k, "text")
        for s, k in zip(spec_index.tolist(), kinds.tolist(), strict=True)
    ]
