"""Real-time look-ups: the person behind raw identifier values, without scanning the graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from identigraph.errors import InputError
from identigraph.graph.core import value_key
from identigraph.graph.views.holders import value_holders
from identigraph.matcher.specs import Identifier

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["LOOKUP_COLUMNS", "lookup_all", "lookup_person"]

#: Columns of :meth:`IdentityGraph.lookup_all`.
LOOKUP_COLUMNS = ["keyword", "kind", "person_id", "status"]


def _specs_for(state: GraphState, keyword: str) -> list[Identifier]:
    """The specs a keyword names: the spec of that column, else every spec of that kind."""
    by_column = [s for s in state.identifiers if s.column == keyword]
    if by_column:
        return by_column
    by_kind = [s for s in state.identifiers if s.kind == keyword]
    if by_kind:
        return by_kind
    known = sorted({s.column for s in state.identifiers} | {s.kind for s in state.identifiers})
    msg = f"{keyword!r} is neither an identifier column nor a kind of the graph; use one of {known}"
    raise InputError(msg)


def _lookup_one(state: GraphState, keyword: str, raw: object) -> tuple[str, int, str]:
    """``(kind, person id or -1, status)`` for one keyword and raw value."""
    specs = _specs_for(state, keyword)
    kind = specs[0].kind
    if not pd.api.types.is_scalar(raw):
        msg = f"lookup takes one value per keyword; {keyword!r} got a {type(raw).__name__}"
        raise InputError(msg)
    if bool(pd.isna(cast(Any, raw))) or raw == "":
        return kind, -1, "missing"
    status = "unknown"
    for spec in specs:  # one step per spec of the kind (usually one)
        key, reason = value_key(spec, raw)  # the key add() gives the value
        if key is None:
            status = str(reason) if reason is not None else "missing"
            continue
        index = state.value_codes.indexes.get(spec.kind)
        code = int(index.get(np.array([key], dtype=object))[0]) if index is not None else -1
        if code < 0 or state.value_codes.count[code] == 0:
            status = "unknown"
            continue
        if state.generic_mask(np.array([code]))[0]:
            return kind, -1, "generic"
        if len(state.cuts.shared) and np.isin(code, state.cuts.shared):
            return kind, -1, "shared"  # unlinked by a per-person limit: nobody's own
        person = int(value_holders(state, np.array([code], dtype=np.int64))[0])
        if person >= 0:
            return kind, person, "found"
        status = "cut"  # every link of the value was cut by a per-person limit
    return kind, -1, status


def lookup_all(state: GraphState, identifiers: Mapping[str, object]) -> pd.DataFrame:
    """One row per keyword: ``keyword, kind, person_id, status``.

    See :meth:`IdentityGraph.lookup_all`.
    """
    rows = [(k, *_lookup_one(state, k, v)) for k, v in identifiers.items()]  # one per keyword
    person = pd.array([r[2] if r[2] >= 0 else None for r in rows], dtype="Int64")
    out: pd.DataFrame = pd.DataFrame(
        {
            "keyword": pd.Series([r[0] for r in rows], dtype=object),
            "kind": pd.Series([r[1] for r in rows], dtype=object),
            "person_id": person,
            "status": pd.Series([r[3] for r in rows], dtype=object),
        },
        columns=LOOKUP_COLUMNS,
    )
    return out


def lookup_person(state: GraphState, identifiers: Mapping[str, object]) -> int | None:
    """The person the raw values point to; see :meth:`IdentityGraph.lookup`."""
    if not identifiers:
        msg = "lookup() needs at least one identifier, e.state. lookup(email=...)"
        raise InputError(msg)
    priority = {p.name: p.priority for p in state.policies}
    best: tuple[int, int] | None = None  # (priority, person)
    for keyword, raw in identifiers.items():  # one step per keyword
        kind, person, _ = _lookup_one(state, keyword, raw)
        if person >= 0 and (best is None or priority[kind] > best[0]):
            best = (priority[kind], person)
    return None if best is None else best[1]
