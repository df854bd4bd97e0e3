"""Ingest: check record ids, append a frame's records, links and attributes; stage matches.

The appends first run everything that may raise (id checks, attribute transforms,
normalization), then grow the tables, so a failing ``add`` leaves the state as it
was. A staged (bulk) load hands out provisional value codes per column
(:mod:`identigraph.graph.ops.merge_codes` merges them); a resolved graph encodes
values through the kinds' value indexes at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from identigraph.errors import DuplicateRecordError, InputError, MissingColumnError
from identigraph.graph.core import extract_keys, record_hashes
from identigraph.graph.ops.spec_checks import phone_counts, warn_phone_parse
from identigraph.graph.state.batches import RecordBatch
from identigraph.graph.state.indexes import find_records, index_new_records
from identigraph.graph.state.keys import positions, source_id_kind
from identigraph.graph.state.record_ids import check_id_kind
from identigraph.graph.state.value_index import ValueIndex
from identigraph.matcher._frame_checks import check_record_ids
from identigraph.matcher.specs import Identifier, Phone

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = [
    "append_records",
    "kept_attributes",
    "record_ids",
    "row_frame",
    "stage_matches",
]


def record_ids(state: GraphState, frame: pd.DataFrame, source: str, column: str | None) -> pd.Index:
    """The record ids of ``frame`` (``column``, or its index), checked.

    Raises
    ------
    MissingColumnError
        ``column`` is not in the frame.
    InputError, DuplicateRecordError, DtypeError
        An id is missing, repeats, is already in the graph for ``source``, or is of
        another type than the source's ids so far.
    """
    if column is None:
        ids = pd.Index(frame.index)
        where = "the index"
    else:
        if column not in frame.columns:
            msg = f"source {source!r} has no id column {column!r}"
            raise MissingColumnError(msg, column=column, available=[str(c) for c in frame.columns])
        ids = pd.Index(frame[column])
        where = f"column {column!r}"
    return check_ids(state, ids, source, where)


def check_ids(state: GraphState, ids: pd.Index, source: str, where: str) -> pd.Index:
    """``ids`` once none is missing, repeated, of another type than the source's ids so
    far, or already in the graph for ``source``."""
    check_record_ids(ids, where)
    kind = check_id_kind(ids, source_id_kind(state, source), source=source, where=where)
    if kind is not None:
        state.records.id_kinds.setdefault(source, kind)
    if ids.hasnans:
        missing = np.count_nonzero(ids.isna())
        msg = f"source {source!r}: {missing} record ids in {where} are missing"
        raise InputError(msg)
    if not ids.is_unique:
        repeated = ids[ids.duplicated()].unique()[:10].tolist()
        msg = f"source {source!r}: record ids repeat in {where}: {repeated}"
        raise DuplicateRecordError(msg, source=source, record_ids=repeated)
    again = find_records(state, source, ids) >= 0
    if again.any():
        repeated = ids[again][:10].tolist()
        msg = f"source {source!r}: record ids already in the graph: {repeated}"
        raise DuplicateRecordError(msg, source=source, record_ids=repeated)
    return ids


def kept_attributes(
    frame: pd.DataFrame, source: str, id_column: str | None, keep: Sequence[str] | None
) -> pd.DataFrame:
    """The columns of ``frame`` kept for golden records: ``keep``, or all but the id."""
    if keep is None:
        names = [c for c in frame.columns if c != id_column]
    else:
        names = list(keep)
        missing = [c for c in names if c not in frame.columns]
        if missing:
            msg = f"source {source!r}: keep names columns it lacks: {missing}"
            raise MissingColumnError(
                msg, column=missing[0], available=[str(c) for c in frame.columns]
            )
    # Copy-on-write makes this selection cheap; the caller's frame is never touched.
    return frame.loc[:, names].reset_index(drop=True)


def append_records(
    state: GraphState,
    frame: pd.DataFrame,
    specs: list[tuple[int, Identifier]],
    source: str,
    ids: pd.Index,
    attributes: pd.DataFrame,
) -> tuple[int, np.ndarray]:
    """Append the checked records of ``frame``; their first position and link values."""
    bulk = state.staged
    # First what may raise (transforms, normalization), then the appends.
    transformed = [
        a.values(frame[a.column]) if a.column in frame.columns else None for a in state.attributes
    ]
    hashes = record_hashes(source, ids)
    values = state.value_codes
    if not bulk:
        for _, spec in specs:
            values.indexes.setdefault(spec.kind, ValueIndex())
    extracted = extract_keys(
        frame, specs, None if bulk else values.indexes, values.next_code, arrow_keys=bulk
    )
    values.next_code = extracted.next_code

    records = state.records
    start = len(records)
    n_new = len(ids)
    if source not in records.sources:
        records.sources.append(source)
    records.add_batch(RecordBatch(source, start, ids, attributes))
    records.append(records.sources.index(source), hashes)
    state.attr_codes.append(transformed, n_new)
    kinds = [np.full(n, state.kind_index[kind], dtype=np.int16) for kind, n in extracted.new_kinds]
    new_kinds = np.concatenate([*kinds, np.empty(0, np.int16)])
    if bulk:  # keys stay as the normalizers made them (Arrow mostly) until merged
        values.append_chunks(extracted.new_key_chunks, new_kinds, extracted.new_key_distinct)
    else:
        values.append(extracted.new_keys, new_kinds)
    edge_start = len(state.links)
    # Links come sorted by record and stay so: the new records follow the old.
    state.links.append(extracted.rec + start, extracted.val, extracted.spec)
    index_new_records(state, start, edge_start, hashes)
    if len(extracted.reject_rec):
        records.add_rejects(
            pd.DataFrame(
                {
                    "source": source,
                    "record_id": ids[extracted.reject_rec],
                    "column": [state.identifiers[i].column for i in extracted.reject_spec],
                    "reason": extracted.reject_reason,
                }
            )
        )
    state.carried.update(spec.column for _, spec in specs)
    for i, spec in specs:
        if isinstance(spec, Phone) and spec.region is None:
            n_values, n_failed = phone_counts(i, extracted.spec, extracted.reject_spec)
            warn_phone_parse(spec, n_values, n_failed, state.warned, source=source)
    if not bulk:  # a bulk load counts once its codes are merged
        np.add.at(values.count, extracted.val, 1)
    return start, extracted.val


def stage_matches(state: GraphState, pairs: pd.DataFrame, threshold: float) -> np.ndarray:
    """Store the pairs with ``match_probability >= threshold`` as match edges.

    Returns the accepted edges' end records. Comparison levels (``<name>_level``
    columns) stay with the edge for ``explain()``; a pair given twice keeps its
    highest probability.
    """
    accepted = pairs[pairs["match_probability"].to_numpy(dtype=float) >= threshold]
    if accepted.empty:
        return np.empty(0, dtype=np.int64)
    rec_l = positions(state, accepted["source_l"], accepted["record_id_l"])
    rec_r = positions(state, accepted["source_r"], accepted["record_id_r"])
    weight = (
        accepted["match_weight"].to_numpy(dtype=float)
        if "match_weight" in accepted.columns
        else np.full(len(accepted), np.nan)
    )
    new = pd.DataFrame(
        {
            "rec_l": np.minimum(rec_l, rec_r),
            "rec_r": np.maximum(rec_l, rec_r),
            "match_probability": accepted["match_probability"].to_numpy(dtype=float),
            "match_weight": weight,
        }
    )
    levels = [c for c in accepted.columns if isinstance(c, str) and c.endswith("_level")]
    new = new.assign(**{c: accepted[c].to_numpy() for c in levels})
    new = new[new["rec_l"] != new["rec_r"]]
    state.matches.frame = (
        pd.concat([state.matches.frame, new], ignore_index=True)
        .sort_values("match_probability", ascending=False, kind="stable")
        .drop_duplicates(["rec_l", "rec_r"])
        .sort_values(["rec_l", "rec_r"], ignore_index=True)
    )
    return np.concatenate([new["rec_l"].to_numpy(), new["rec_r"].to_numpy()])


def row_frame(record: Mapping[str, object], template: pd.DataFrame | None) -> pd.DataFrame:
    """A one-row frame of ``record``; missing values take ``template``'s column dtypes.

    Giving a missing value the dtype its column already has elsewhere keeps
    consecutive single records of a source in one batch.
    """
    frame: pd.DataFrame = pd.DataFrame({k: [v] for k, v in record.items()})
    if template is None:
        return frame
    for i, name in enumerate(frame.columns):  # one step per column of the record
        if name not in template.columns or frame.dtypes.iloc[i] == template[name].dtype:
            continue
        value = frame.iloc[0, i]
        same_kind = frame.dtypes.iloc[i].kind == "M" and template[name].dtype.kind == "M"
        if same_kind or value is None or (not isinstance(value, str) and pd.isna(cast(Any, value))):
            try:
                frame.isetitem(i, cast(Any, frame.iloc[:, i].astype(template[name].dtype)))
            except (TypeError, ValueError):
                continue
    return frame
