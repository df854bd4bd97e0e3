"""Turn one input frame into identifier edges and reject rows, on unique values only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from identigraph.graph._values import ValueIndex
from identigraph.matcher.specs import Identifier

__all__ = ["Extracted", "extract_edges"]


@dataclass(frozen=True, slots=True)
class Extracted:
    """Edges (record position in the frame, global value code, spec index) and rejects."""

    rec: np.ndarray
    val: np.ndarray
    spec: np.ndarray
    reject_rec: np.ndarray
    reject_spec: np.ndarray
    reject_reason: np.ndarray
    next_code: int
    new_kinds: list[tuple[str, int]]
    new_keys: np.ndarray


def _unique_keys(spec: Identifier, column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factorize a column and normalize its unique values.

    Returns the per-row code into the uniques (-1 for missing), and per unique value
    its link key (or None) and reject reason (or None).
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    text = spec.to_text(pd.Series(uniques))
    keys = np.full(len(text), None, dtype=object)
    reasons = np.full(len(text), None, dtype=object)
    present = text.notna().to_numpy()
    if present.any():
        normalized = spec.normalize(text[present])
        keys[present] = normalized.keys
        reasons[present] = normalized.reasons
    return np.asarray(codes, dtype=np.int64), keys, reasons


def extract_edges(
    frame: pd.DataFrame,
    specs: Sequence[tuple[int, Identifier]],
    values: dict[str, ValueIndex],
    next_code: int,
) -> Extracted:
    """Identifier edges of every row of ``frame`` for the present ``(index, spec)`` pairs.

    New link keys are added to ``values`` (one :class:`ValueIndex` per kind) with
    consecutive codes from ``next_code``; ``new_kinds`` lists their kinds in order.

    Notes
    -----
    Each column is factorized once; normalization and hashing run on its unique
    values only. Cost: O(rows) vectorized work plus O(unique values) normalization.
    """
    recs, vals, spec_ids = [], [], []
    rej_rec, rej_spec, rej_reason = [], [], []
    new_kinds: list[tuple[str, int]] = []
    new_keys: list[np.ndarray] = []
    for spec_id, spec in specs:
        codes, keys, reasons = _unique_keys(spec, frame[spec.column])
        has_key = ~pd.isna(keys)
        key_codes, key_uniques = pd.factorize(keys[has_key])
        index = values.setdefault(spec.kind, ValueIndex())
        before = next_code
        value_codes, next_code = index.encode(np.asarray(key_uniques, dtype=object), next_code)
        if next_code > before:
            new_kinds.append((spec.kind, next_code - before))
            # New codes run from ``before`` in the order of their keys here.
            new_keys.append(np.asarray(key_uniques, dtype=object)[value_codes >= before])
        unique_value = np.full(len(keys) + 1, -1, dtype=np.int64)  # last slot: missing
        unique_value[np.flatnonzero(has_key)] = value_codes[key_codes]
        row_value = unique_value[codes]
        rows = np.flatnonzero(row_value >= 0)
        recs.append(rows)
        vals.append(row_value[rows])
        spec_ids.append(np.full(len(rows), spec_id, dtype=np.int16))
        has_reason = ~pd.isna(reasons)
        if has_reason.any():
            unique_reason = np.append(reasons, np.array([None], dtype=object))
            bad = np.flatnonzero(np.append(has_reason, False)[codes])
            rej_rec.append(bad)
            rej_spec.append(np.full(len(bad), spec_id, dtype=np.int16))
            rej_reason.append(unique_reason[codes[bad]])
    rec = np.concatenate(recs) if recs else np.empty(0, np.int64)
    val = np.concatenate(vals) if vals else np.empty(0, np.int64)
    spec_arr = np.concatenate(spec_ids) if spec_ids else np.empty(0, np.int16)
    if len(specs) > len({s.kind for _, s in specs}) and len(rec):
        # Two columns of one kind may give a record the same value twice: keep one edge.
        _, first = np.unique(np.stack([rec, val]), axis=1, return_index=True)
        first.sort()
        rec, val, spec_arr = rec[first], val[first], spec_arr[first]
    return Extracted(
        rec=rec,
        val=val,
        spec=spec_arr,
        reject_rec=np.concatenate(rej_rec) if rej_rec else np.empty(0, np.int64),
        reject_spec=np.concatenate(rej_spec) if rej_spec else np.empty(0, np.int16),
        reject_reason=np.concatenate(rej_reason) if rej_reason else np.empty(0, object),
        next_code=next_code,
        new_kinds=new_kinds,
        new_keys=np.concatenate(new_keys) if new_keys else np.empty(0, dtype=object),
    )
