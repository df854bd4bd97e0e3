"""Conflicts: the links cut to keep persons within their limits, as a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph.state.keys import record_keys
from identigraph.graph.views.display import link_display
from identigraph.graph.views.holders import value_holders
from identigraph.graph.views.outputs import canonical_ids
from identigraph.graph.views.overrides import override_reasons

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["CONFLICT_COLUMNS", "conflicts_frame"]

#: Columns of :meth:`IdentityGraph.conflicts`.
CONFLICT_COLUMNS = [
    "source",
    "record_id",
    "person_id",
    "kind",
    "value",
    "other_source",
    "other_record_id",
    "other_person_id",
    "match_probability",
    "reason",
    "limit",
    "override_reason",
]


def conflicts_frame(state: GraphState) -> pd.DataFrame:
    """The cut links of ``state`` as :meth:`IdentityGraph.conflicts` shows them.

    ``reason`` is ``"shared_value"`` for the links of a shared value,
    ``"cannot_link"`` for the links cut to keep a cannot-link's records apart (its
    reason in ``override_reason``) and ``"max_per_person"`` otherwise; ``limit``
    names the identifier kind, or the attribute's column, whose limit the link
    would have broken (``"cannot_link"`` for an override). Values are masked.
    """
    cuts = state.cuts.links.alive(state.records.alive)
    n = len(cuts)
    source, record_id = record_keys(state, cuts.rec)
    ident = cuts.val >= 0
    kind_names = np.array([p.name for p in state.policies] or [""], dtype=object)
    limit_names = np.array(
        [*(p.name for p in state.policies), *(a.column for a in state.attributes), ""],
        dtype=object,
    )
    reason = np.full(n, "max_per_person", dtype=object)
    base = len(limit_names) - 1
    apart = cuts.kind >= base
    override = override_reasons(state, cuts.kind)
    reason[apart] = "cannot_link"
    kind = np.full(n, "match", dtype=object)
    value = np.full(n, None, dtype=object)
    other_source = np.full(n, None, dtype=object)
    other_record = np.full(n, None, dtype=object)
    other_person = np.full(n, -1, dtype=np.int64)
    if ident.any():
        rec, val = cuts.rec[ident], cuts.val[ident]
        kind[ident] = kind_names[state.value_codes.kind[val]]
        value[ident] = link_display(state, rec, val)
        other_person[ident] = value_holders(state, val)
        reason[ident & ~apart & np.isin(cuts.val, state.cuts.shared)] = "shared_value"
    if (~ident).any():
        other = cuts.other[~ident]
        other_source[~ident], other_record[~ident] = record_keys(state, other)
        other_person[~ident] = state.records.person[other]
    out = pd.DataFrame(
        {
            "source": pd.Series(source, dtype=object),
            "record_id": pd.Series(record_id, dtype=object),
            "person_id": state.records.person[cuts.rec],
            "kind": pd.Series(kind, dtype=object),
            "value": pd.Series(value, dtype=object),
            "other_source": pd.Series(other_source, dtype=object),
            "other_record_id": pd.Series(other_record, dtype=object),
            "other_person_id": pd.array(
                np.where(other_person >= 0, other_person, 0), dtype="Int64"
            ),
            "match_probability": cuts.probability,
            "reason": pd.Series(reason, dtype=object),
            "limit": pd.Series(
                np.where(apart, "cannot_link", limit_names[np.minimum(cuts.kind, base)])
                if n
                else [],
                dtype=object,
            ),
            "override_reason": pd.Series(override, dtype=object),
        }
    )
    out.loc[other_person < 0, "other_person_id"] = pd.NA
    out["record_id"] = canonical_ids(state, out["record_id"])
    out["other_record_id"] = canonical_ids(state, out["other_record_id"])
    ordered: pd.DataFrame = out.sort_values(
        ["person_id", "source", "kind"], kind="stable", ignore_index=True
    )[CONFLICT_COLUMNS]
    return ordered
