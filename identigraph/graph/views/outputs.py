"""The graph's tables as users read them: clusters, records, rejects, generic values, history."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.graph.state.keys import mixed_id_kinds

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = [
    "REJECT_COLUMNS",
    "canonical_ids",
    "clusters_frame",
    "generic_values_frame",
    "id_history_frame",
    "records_frame",
    "rejects_frame",
]

#: Columns of :attr:`IdentityGraph.rejects`.
REJECT_COLUMNS = ["source", "record_id", "column", "reason"]


def canonical_ids(state: GraphState, ids: pd.Series) -> pd.Series:
    """Record ids of several sources in one column of one type.

    As given where every source's ids are of one type; otherwise each id in its
    canonical string form ``str(id)`` (missing values stay missing), which
    :func:`identigraph.graph.state.keys.positions` accepts back.
    """
    if not mixed_id_kinds(state):
        return ids
    text: pd.Series = ids.astype(str).where(ids.notna(), None)
    return text


def _spelled(ids: pd.Index) -> pd.Index:
    """``ids`` in their canonical string form; integers through Arrow's cast (C speed)."""
    if ids.dtype.kind in "iu":
        return pd.Index(pc.cast(pa.array(ids.to_numpy()), pa.string()).to_pandas())
    return ids.astype(str)


def clusters_frame(state: GraphState, *, spelled: bool = True) -> pd.DataFrame:
    """``source, record_id, person_id`` of every alive record, in the order added.

    ``record_id`` holds the ids as given, or their canonical string form where the
    sources' id types differ (see :func:`canonical_ids`), so the frame round-trips
    through Parquet and Arrow. Cost: O(records); one ``Index.append`` over the
    batches' ids (and one ``astype(str)`` where id types differ).
    """
    records = state.records
    if not records.batches:
        return pd.DataFrame(
            {"source": pd.Categorical([]), "record_id": [], "person_id": np.empty(0, np.int64)}
        )
    alive = records.alive
    ids = [
        batch.ids
        if alive[batch.start : batch.stop].all()
        else batch.ids[alive[batch.start : batch.stop]]
        for batch in records.batches
    ]  # one step per batch
    if spelled and mixed_id_kinds(state):  # string ids stay: only the others are spelled
        kinds = state.records.id_kinds
        ids = [
            i if kinds.get(b.source) == "string" else _spelled(i)
            for i, b in zip(ids, records.batches, strict=True)
        ]
    return pd.DataFrame(
        {
            "source": pd.Categorical.from_codes(
                records.source[alive], dtype=pd.CategoricalDtype(records.sources)
            ),
            "record_id": ids[0].append(ids[1:]) if len(ids) > 1 else ids[0],
            "person_id": records.person[alive],
        }
    )


def rejects_frame(state: GraphState, *, spelled: bool = True) -> pd.DataFrame:
    """One row per unusable identifier value: ``source, record_id, column, reason``."""
    rejects = state.records.rejects
    if not rejects:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in REJECT_COLUMNS})
    out = pd.concat(rejects, ignore_index=True)[REJECT_COLUMNS]
    return out.assign(record_id=canonical_ids(state, out["record_id"])) if spelled else out


def records_frame(state: GraphState, *, spelled: bool = True) -> pd.DataFrame:
    """The kept attribute columns of every alive record, ``source`` and ``record_id`` first."""
    parts = []
    for batch in state.records.batches:
        alive = state.records.alive[batch.start : batch.stop]
        attrs = batch.attributes[alive] if not alive.all() else batch.attributes
        front = pd.DataFrame({"source": batch.source, "record_id": batch.ids[alive]})
        parts.append(pd.concat([front, attrs.reset_index(drop=True)], axis=1))
    if not parts:
        return pd.DataFrame({"source": [], "record_id": []})
    with warnings.catch_warnings():
        # Batches whose column is all missing take the other batches' dtype, as
        # pandas 2 does; its FutureWarning about that rule is not the caller's.
        warnings.simplefilter("ignore", FutureWarning)
        out = pd.concat(parts, ignore_index=True)
    return out.assign(record_id=canonical_ids(state, out["record_id"])) if spelled else out


def generic_values_frame(state: GraphState) -> pd.DataFrame:
    """``kind, value, records, reason`` of the values that link nothing.

    ``reason`` is ``"max_records"`` (more carriers than the kind allows) or
    ``"hub"`` (carriers holding more than ``max_linked`` distinct values of
    another kind).

    ``value`` is the link key (the SHA-256 digest for hashed kinds), never a raw
    email or phone.
    """
    generic = np.flatnonzero(state.generic_mask())
    kinds, keys, counts, hubs = [], [], [], []
    for kind, index in state.value_codes.indexes.items():
        k, codes = index.items()
        hit = np.isin(codes, generic)
        kinds.extend([kind] * int(hit.sum()))
        keys.append(k[hit])
        counts.append(state.value_codes.count[codes[hit]])
        hubs.append(state.value_codes.hub[codes[hit]])
    hub = np.concatenate(hubs) if hubs else np.empty(0, dtype=bool)
    return pd.DataFrame(
        {
            "kind": kinds,
            "value": np.concatenate(keys) if keys else [],
            "records": np.concatenate(counts) if counts else np.empty(0, np.int64),
            "reason": pd.Series(np.where(hub, "hub", "max_records"), dtype=object),
        }
    ).sort_values(["records", "kind", "value"], ascending=[False, True, True], ignore_index=True)


def id_history_frame(state: GraphState) -> pd.DataFrame:
    """Every merge and split of person ids: ``old_id, new_id, reason, time``."""
    if not state.ids.history:
        return pd.DataFrame(
            {"old_id": np.empty(0, np.int64), "new_id": np.empty(0, np.int64),
             "reason": pd.Series([], dtype=object),
             "time": pd.Series([], dtype="datetime64[ns, UTC]")}
        )  # fmt: skip
    return pd.concat(state.ids.history, ignore_index=True)
