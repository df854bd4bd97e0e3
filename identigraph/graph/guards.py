"""Per-person limits on the graph's state: the cut links, their indexes, and conflicts.

The split itself is :func:`identigraph.graph.core.enforce_limits`, a pure
function; this module records the links it cuts (:class:`CutLinks`), finds the
persons those links tie together, and shows them as :meth:`IdentityGraph.conflicts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph._display import link_display, record_keys, value_hashes
from identigraph.graph._incremental import (
    edge_rows,
    records_of_persons,
    value_carriers,
)
from identigraph.graph.core import LimitSplit, equal_ranges, region_index

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = [
    "CONFLICT_COLUMNS",
    "CutLinks",
    "close_over_cuts",
    "conflicts_frame",
    "record_cuts",
]

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
]

_NO_INDEX = np.empty(0, dtype=np.int64)


# ---------------------------------------------------------------------------- graph state
@dataclass(frozen=True, slots=True)
class CutLinks:
    """Links of a graph cut to respect per-person limits.

    One row per cut link: ``rec`` (record position), ``val`` (value code of an
    identifier link, ``-1`` for a match edge), ``other`` (other record of a match
    edge, ``-1`` otherwise), ``kind`` (index of the kind whose limit the link would
    break) and ``probability`` (match probability, NaN for identifier links).
    """

    rec: np.ndarray
    val: np.ndarray
    other: np.ndarray
    kind: np.ndarray
    probability: np.ndarray

    @classmethod
    def empty(cls) -> CutLinks:
        """No cut links."""
        return cls(_NO_INDEX, _NO_INDEX, _NO_INDEX, _NO_INDEX, np.empty(0, dtype=float))

    def __len__(self) -> int:
        return len(self.rec)

    def take(self, rows: np.ndarray) -> CutLinks:
        """The cut links at ``rows`` (indices or a boolean mask)."""
        return CutLinks(
            self.rec[rows],
            self.val[rows],
            self.other[rows],
            self.kind[rows],
            self.probability[rows],
        )

    def concat(self, other: CutLinks) -> CutLinks:
        """These cut links followed by ``other``'s."""
        return CutLinks(
            *(
                np.concatenate([getattr(self, f), getattr(other, f)])
                for f in ("rec", "val", "other", "kind", "probability")
            )
        )


def _cut_values(graph: IdentityGraph) -> np.ndarray:
    """Values of the graph's cut identifier links, sorted, one per link; cached per cut table."""
    cuts = graph._cuts
    cached = graph._cut_values
    if cached is None or cached[0] is not cuts:
        cached = (cuts, np.sort(cuts.val[cuts.val >= 0]))
        graph._cut_values = cached
    return cached[1]


def _update_cut_values(graph: IdentityGraph, old: CutLinks, keep: np.ndarray) -> None:
    """Carry the cached cut values over from ``old`` to the graph's new cut table.

    The new table is ``old``'s kept rows followed by new ones. Instead of sorting
    every cut value again, the dropped values leave the sorted array and the new ones
    are inserted: two ``searchsorted`` over the cut values, and memory moves.
    """
    cached = graph._cut_values
    if cached is None or cached[0] is not old:
        return  # computed afresh when next asked for
    values = cached[1]
    gone = np.sort(old.val[~keep & (old.val >= 0)])
    if len(gone):  # equal values leave from consecutive positions
        rank = np.arange(len(gone)) - np.searchsorted(gone, gone, side="left")
        values = np.delete(values, np.searchsorted(values, gone, side="left") + rank)
    cuts = graph._cuts
    added = np.sort(cuts.val[int(keep.sum()) :])  # the new rows follow the kept ones
    added = added[added >= 0]
    graph._cut_values = (cuts, np.insert(values, np.searchsorted(values, added), added))


def _cut_ends(graph: IdentityGraph) -> tuple[np.ndarray, np.ndarray]:
    """Record positions at the ends of the graph's cut links, and the row of each.

    Every cut link has one end (``rec``), a cut match edge a second (``other``).
    The pairs ``(end, row)`` are sorted, so the cut links of any set of records
    are found by binary search; cached per cut table, like :func:`_cut_values`.
    """
    cuts = graph._cuts
    cached = graph._cut_ends
    if cached is None or cached[0] is not cuts:
        match = np.flatnonzero(cuts.other >= 0)
        ends = np.concatenate([cuts.rec, cuts.other[match]])
        rows = np.concatenate([np.arange(len(cuts), dtype=np.int64), match])
        order = np.lexsort((rows, ends))
        cached = (cuts, ends[order], rows[order])
        graph._cut_ends = cached
    return cached[1], cached[2]


def _cut_rows(graph: IdentityGraph, records: np.ndarray) -> np.ndarray:
    """Rows of the graph's cut links with an end among ``records`` (sorted, unique)."""
    ends, rows = _cut_ends(graph)
    found = rows[equal_ranges(ends, np.asarray(records, dtype=np.int64))]
    return np.unique(found)


def _update_cut_ends(graph: IdentityGraph, old: CutLinks, gone: np.ndarray) -> None:
    """Carry the cached cut ends over from ``old`` to the graph's new cut table.

    The new table is ``old`` without the rows ``gone`` (sorted, unique), followed by
    new rows. Kept entries are renumbered and the new ones inserted, as
    :func:`_update_cut_values` does: O(cut links) memory moves and no sort of them.
    """
    cached = graph._cut_ends
    if cached is None or cached[0] is not old:
        return  # computed afresh when next asked for
    ends, rows = cached[1], cached[2]
    if len(gone):
        keep = np.ones(len(old), dtype=bool)
        keep[gone] = False
        stay = keep[rows]
        ends, rows = ends[stay], (np.cumsum(keep) - 1)[rows[stay]]
    cuts = graph._cuts
    first = len(old) - len(gone)  # the new rows follow the kept ones
    match = np.flatnonzero(cuts.other[first:] >= 0) + first
    new_ends = np.concatenate([cuts.rec[first:], cuts.other[match]])
    new_rows = np.concatenate([np.arange(first, len(cuts), dtype=np.int64), match])
    order = np.lexsort((new_rows, new_ends))
    new_ends, new_rows = new_ends[order], new_rows[order]
    # New rows number after every kept one: after equal ends, (end, row) stays sorted.
    at = np.searchsorted(ends, new_ends, side="right")
    graph._cut_ends = (cuts, np.insert(ends, at, new_ends), np.insert(rows, at, new_rows))


def close_over_cuts(graph: IdentityGraph, affected: np.ndarray) -> np.ndarray:
    """Add to ``affected`` the persons that cut links tie to it, transitively.

    A region re-resolved with its cut links must hold every person those links
    reach, so that an update splits exactly as a rebuild from scratch would. The
    walk also crosses shared values (``on_shared="unlink"``): they link nobody,
    yet the rebuild that made them shared saw their carriers together.

    Notes
    -----
    A breadth-first walk from ``affected``: each step looks up the records of the
    frontier persons, the cut and shared values they carry and those values'
    carriers, and the cut match edges that end in those records (found through
    the cut links' ends, sorted: :func:`_cut_ends`). Cost: nothing without cut
    links; otherwise O(records of the persons reached + their cut values'
    carriers) per step, with binary searches over the cut links.
    """
    cuts = graph._cuts
    if not len(cuts) or not len(affected):
        return affected
    alive = graph._rec_alive
    person = graph._person
    values = _cut_values(graph)
    shared = graph._shared  # shared values are listed as cut links too; to be sure
    reached = np.unique(affected[affected >= 0])
    frontier = reached
    while len(frontier):
        records = records_of_persons(graph, frontier)
        carried = graph._edge_val[edge_rows(graph, records)]
        hit = region_index(values, carried) >= 0
        if len(shared):
            hit |= region_index(shared, carried) >= 0
        tied_values = carried[hit]
        # A generic value links nobody: its carriers are not tied through it.
        tied_values = tied_values[~graph._generic_mask(tied_values)]
        tied = person[value_carriers(graph, tied_values)]
        match = _cut_rows(graph, records)
        match = match[cuts.val[match] < 0]  # cut match edges with an end here
        match = match[alive[cuts.rec[match]] & alive[cuts.other[match]]]
        found = np.concatenate([tied, person[cuts.rec[match]], person[cuts.other[match]]])
        frontier = np.setdiff1d(found[found >= 0], reached)
        reached = np.union1d(reached, frontier)
    return np.union1d(affected, reached)


def record_cuts(
    graph: IdentityGraph,
    region: np.ndarray,
    split: LimitSplit,
    e_rec: np.ndarray,
    e_val: np.ndarray,
    link_val: np.ndarray,
    n_values: int,
    m_l: np.ndarray,
    m_r: np.ndarray,
    prob: np.ndarray,
) -> None:
    """Record the cut links of a re-resolved region in the graph's ``_cuts`` and ``_shared``.

    Values of kinds with ``on_shared="unlink"`` that lost a link are shared: every
    link of a shared value is recorded as cut (with the limit that first cut one
    of them) and the value is listed in the graph's ``_shared`` codes.

    Parameters
    ----------
    graph : IdentityGraph
        The graph, whose ``_cuts`` and ``_shared`` are updated for the region.
    region : numpy.ndarray of int64
        Record positions of the region (sorted).
    split : LimitSplit
        The split of :func:`identigraph.graph.core.resolve_region`.
    e_rec, e_val : numpy.ndarray of int64
        The region's usable identifier links: region index of the record and
        global value code.
    link_val : numpy.ndarray of int64
        Region index of each link's value; ``n_values`` values in all.
    m_l, m_r, prob : numpy.ndarray
        The region's match edges (region indexes) and their probabilities.
    """
    v_code = np.empty(n_values, dtype=np.int64)
    v_code[link_val] = e_val
    old = graph._cuts
    # The region's cut links are decided anew (found by their ends, without a pass
    # over every cut link); erasures already dropped the cut links of dead records
    # (erase._drop_cut_links).
    gone = _cut_rows(graph, region) if len(old) else _NO_INDEX
    links, matches = split.cut_links, split.cut_matches
    link_kind = split.cut_link_kind
    if len(split.shared_values):  # every link of a shared value, with its limit
        kind_of = np.full(n_values, -1, dtype=np.int64)
        kind_of[split.shared_values] = split.shared_kind
        shared_links = np.flatnonzero(kind_of[link_val] >= 0)
        shared_links = shared_links[
            np.lexsort(
                (
                    value_hashes(graph, e_val[shared_links]),
                    graph._rec_hash[region[e_rec[shared_links]]],
                )
            )
        ]  # by record and value hashes, as the split orders links: order-free
        links = np.concatenate([links, shared_links])
        link_kind = np.concatenate([link_kind, kind_of[link_val[shared_links]]])
    # A cut match edge is listed from the end with the smaller record hash: order-free.
    left, right = region[m_l[matches]], region[m_r[matches]]
    swap = graph._rec_hash[left] > graph._rec_hash[right]
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    new = CutLinks(
        rec=np.concatenate([region[e_rec[links]], left]),
        val=np.concatenate([e_val[links], np.full(len(matches), -1, dtype=np.int64)]),
        other=np.concatenate([np.full(len(links), -1, dtype=np.int64), right]),
        kind=np.concatenate([link_kind, split.cut_match_kind]),
        probability=np.concatenate([np.full(len(links), np.nan), prob[matches]]),
    )
    if not len(gone) and not len(new):
        # The common case: the cut table stays as it is (and its cached indexes).
        if len(graph._shared):
            # Shared values keep their place while cut links list them (see below).
            graph._shared = graph._shared[region_index(_cut_values(graph), graph._shared) >= 0]
        return
    keep = np.ones(len(old), dtype=bool)
    keep[gone] = False
    kept = old.take(keep)
    # Shared values of the region are decided anew; the others keep their cut links.
    still = graph._shared[np.isin(graph._shared, kept.val)] if len(graph._shared) else _NO_INDEX
    graph._shared = np.union1d(still, v_code[split.shared_values]).astype(np.int64)
    graph._cuts = kept.concat(new)
    _update_cut_values(graph, old, keep)
    _update_cut_ends(graph, old, gone)


def conflicts_frame(graph: IdentityGraph) -> pd.DataFrame:
    """The cut links of ``graph`` as :meth:`IdentityGraph.conflicts` shows them.

    ``reason`` is ``"shared_value"`` for the links of a shared value and
    ``"max_per_person"`` otherwise; ``limit`` names the identifier kind, or the
    attribute's column, whose limit the link would have broken. Values are masked.
    """
    cuts = graph._cuts
    if len(cuts):
        alive = graph._rec_alive
        cuts = cuts.take(alive[cuts.rec] & ((cuts.other < 0) | alive[np.maximum(cuts.other, 0)]))
    n = len(cuts)
    source, record_id = record_keys(graph, cuts.rec)
    ident = cuts.val >= 0
    kind_names = np.array([p.name for p in graph._policies] or [""], dtype=object)
    limit_names = np.array(
        [*(p.name for p in graph._policies), *(a.column for a in graph.attributes), ""],
        dtype=object,
    )
    reason = np.full(n, "max_per_person", dtype=object)
    kind = np.full(n, "match", dtype=object)
    value = np.full(n, None, dtype=object)
    other_source = np.full(n, None, dtype=object)
    other_record = np.full(n, None, dtype=object)
    other_person = np.full(n, -1, dtype=np.int64)
    if ident.any():
        rec, val = cuts.rec[ident], cuts.val[ident]
        kind[ident] = kind_names[graph._val_kind[val]]
        value[ident] = link_display(graph, rec, val)
        other_person[ident] = _holder(graph, val)
        reason[ident & np.isin(cuts.val, graph._shared)] = "shared_value"
    if (~ident).any():
        other = cuts.other[~ident]
        other_source[~ident], other_record[~ident] = record_keys(graph, other)
        other_person[~ident] = graph._person[other]
    out = pd.DataFrame(
        {
            "source": pd.Series(source, dtype=object),
            "record_id": pd.Series(record_id, dtype=object),
            "person_id": graph._person[cuts.rec],
            "kind": pd.Series(kind, dtype=object),
            "value": pd.Series(value, dtype=object),
            "other_source": pd.Series(other_source, dtype=object),
            "other_record_id": pd.Series(other_record, dtype=object),
            "other_person_id": pd.array(
                np.where(other_person >= 0, other_person, 0), dtype="Int64"
            ),
            "match_probability": cuts.probability,
            "reason": pd.Series(reason, dtype=object),
            "limit": pd.Series(limit_names[cuts.kind] if n else [], dtype=object),
        }
    )
    out.loc[other_person < 0, "other_person_id"] = pd.NA
    ordered: pd.DataFrame = out.sort_values(
        ["person_id", "source", "kind"], kind="stable", ignore_index=True
    )[CONFLICT_COLUMNS]
    return ordered


def _holder(graph: IdentityGraph, values: np.ndarray) -> np.ndarray:
    """Person holding each value through a kept link, ``-1`` when none does."""
    cuts = graph._cuts
    n_val = np.int64(len(graph._val_kind))
    rows = edge_rows(graph, value_carriers(graph, values))
    rows = rows[np.isin(graph._edge_val[rows], values)]
    rec, val = graph._edge_rec[rows], graph._edge_val[rows]
    cut_key = cuts.rec[cuts.val >= 0] * n_val + cuts.val[cuts.val >= 0]
    kept = ~np.isin(rec * n_val + val, cut_key)
    holder = pd.Series(graph._person[rec[kept]], index=val[kept])
    holder = holder[~holder.index.duplicated()]
    # fill_value keeps int64: a NaN would turn 63-bit person ids into rounded floats
    out: np.ndarray = holder.reindex(values, fill_value=-1).to_numpy(dtype=np.int64)
    return out
