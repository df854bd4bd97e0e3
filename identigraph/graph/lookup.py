"""Real-time look-ups: the person behind raw identifier values, without scanning the graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from identigraph.errors import InputError
from identigraph.graph._incremental import ensure_indexes
from identigraph.graph.core import column_keys
from identigraph.matcher.specs import Identifier

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["LOOKUP_COLUMNS", "lookup_all", "lookup_person", "row_frame"]

#: Columns of :meth:`IdentityGraph.lookup_all`.
LOOKUP_COLUMNS = ["keyword", "kind", "person_id", "status"]


def _specs_for(g: IdentityGraph, keyword: str) -> list[Identifier]:
    """The specs a keyword names: the spec of that column, else every spec of that kind."""
    by_column = [s for s in g.identifiers if s.column == keyword]
    if by_column:
        return by_column
    by_kind = [s for s in g.identifiers if s.kind == keyword]
    if by_kind:
        return by_kind
    known = sorted({s.column for s in g.identifiers} | {s.kind for s in g.identifiers})
    msg = f"{keyword!r} is neither an identifier column nor a kind of the graph; use one of {known}"
    raise InputError(msg)


def _holder(g: IdentityGraph, code: int) -> int:
    """Person holding value ``code`` through a kept link; ``-1`` when no alive record does."""
    ensure_indexes(g)
    _, records = g._by_value.get(np.array([code], dtype=np.int64))
    records = np.unique(records[g._rec_alive[records]])
    if not len(records):
        return -1
    cuts = g._cuts
    if len(cuts) and len(records) > 1:
        cut = cuts.rec[cuts.val == code]
        kept = records[~np.isin(records, cut)]
        records = kept if len(kept) else records
    persons, counts = np.unique(g._person[records], return_counts=True)
    return int(persons[np.argmax(counts)])


def _lookup_one(g: IdentityGraph, keyword: str, raw: object) -> tuple[str, int, str]:
    """``(kind, person id or -1, status)`` for one keyword and raw value."""
    specs = _specs_for(g, keyword)
    kind = specs[0].kind
    if not pd.api.types.is_scalar(raw):
        msg = f"lookup takes one value per keyword; {keyword!r} got a {type(raw).__name__}"
        raise InputError(msg)
    if bool(pd.isna(cast(Any, raw))) or raw == "":
        return kind, -1, "missing"
    status = "unknown"
    for spec in specs:  # one step per spec of the kind (usually one)
        # The very path add() takes: to_text, then the spec's normalize.
        _, keys, reasons = column_keys(spec, pd.Series([raw]))
        key, reason = keys[0], reasons[0]
        if key is None:
            status = str(reason) if reason is not None else "missing"
            continue
        index = g._values.get(spec.kind)
        code = int(index.get(np.array([key], dtype=object))[0]) if index is not None else -1
        if code < 0 or g._val_count[code] == 0:
            status = "unknown"
            continue
        if g._generic_mask(np.array([code]))[0]:
            return kind, -1, "generic"
        if len(g._shared) and np.isin(code, g._shared):
            return kind, -1, "shared"  # unlinked by a per-person limit: nobody's own
        person = _holder(g, code)
        if person >= 0:
            return kind, person, "found"
    return kind, -1, status


def lookup_all(g: IdentityGraph, identifiers: Mapping[str, object]) -> pd.DataFrame:
    """One row per keyword: ``keyword, kind, person_id, status``.

    See :meth:`IdentityGraph.lookup_all`.
    """
    g.resolve()
    rows = [(k, *_lookup_one(g, k, v)) for k, v in identifiers.items()]  # one per keyword
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


def lookup_person(g: IdentityGraph, identifiers: Mapping[str, object]) -> int | None:
    """The person the raw values point to; see :meth:`IdentityGraph.lookup`."""
    if not identifiers:
        msg = "lookup() needs at least one identifier, e.g. lookup(email=...)"
        raise InputError(msg)
    g.resolve()
    priority = {p.name: p.priority for p in g._policies}
    best: tuple[int, int] | None = None  # (priority, person)
    for keyword, raw in identifiers.items():  # one step per keyword
        kind, person, _ = _lookup_one(g, keyword, raw)
        if person >= 0 and (best is None or priority[kind] > best[0]):
            best = (priority[kind], person)
    return None if best is None else best[1]


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
