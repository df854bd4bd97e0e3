"""Index look-ups that let an update touch only the records, values and persons it concerns.

A graph's links are kept sorted by record (:class:`LinkTable`), so the links of any
set of records are found by binary search, and its :class:`PostingTable` holds three
:class:`~identigraph.graph.state.postings.Postings` tables: value code -> records
carrying it, person id -> records, record hash -> record position. Postings are never
updated in place; readers here drop the stale pairs (dead records, records that
moved to another person) and owners rebuild a table once stale pairs pile up.

A bulk load keeps only the record-hash table up to date (it finds repeated record
ids); the value and person tables are built by :func:`ensure_indexes` when an
update or look-up first needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph._unique import sorted_unique
from identigraph.graph.core import (
    equal_ranges,
    record_hashes,
    region_index,
    segment_of,
)
from identigraph.graph.state.growable import appended
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.postings import Postings

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = [
    "batch_starts",
    "ensure_indexes",
    "find_records",
    "index_new_records",
    "persons_of_values",
    "rebuild_indexes",
    "records_of_persons",
    "region_matches",
    "reindex_persons",
    "value_carriers",
]

# Rebuild a postings table once stale pairs exceed this share of it (and a floor).
_STALE_SHARE = 0.5
_STALE_FLOOR = 4096


def region_matches(
    state: GraphState, region: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match edges with both ends in the sorted ``region``.

    Returns the edges' rows in the match table (ascending) and the index in
    ``region`` of their left and right records: a binary search per region record
    over the sorted ends of the match edges (:meth:`MatchTable.sorted_ends`),
    instead of a pass over every match edge.
    """
    match = state.matches.frame
    if not len(match) or not len(region):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    ends, end_rows = state.matches.sorted_ends()
    rows = sorted_unique(end_rows[equal_ranges(ends, region)])
    ml = region_index(region, match["rec_l"].to_numpy()[rows])
    mr = region_index(region, match["rec_r"].to_numpy()[rows])
    both = (ml >= 0) & (mr >= 0)
    return rows[both], ml[both], mr[both]


def ensure_indexes(state: GraphState) -> None:
    """Build the value and person postings if a bulk load left them out of date."""
    if state.lifecycle is not Lifecycle.LIVE:
        rebuild_indexes(state)


def value_carriers(state: GraphState, values: np.ndarray) -> np.ndarray:
    """Alive records carrying any of ``values`` (sorted, unique)."""
    if not len(values):
        return np.empty(0, dtype=np.int64)
    ensure_indexes(state)
    _, records = state.postings.by_value.get(sorted_unique(values))
    return sorted_unique(records[state.records.alive[records]])


def persons_of_values(state: GraphState, values: np.ndarray, *, before: int) -> np.ndarray:
    """Persons of the alive records below position ``before`` that carry any of ``values``."""
    carriers = value_carriers(state, values)
    carriers = carriers[carriers < before]
    persons = state.records.person[carriers]
    return sorted_unique(persons[persons >= 0])


def records_of_persons(state: GraphState, persons: np.ndarray) -> np.ndarray:
    """Alive records of ``persons`` (sorted, unique)."""
    persons = sorted_unique(persons)
    if not len(persons):
        return np.empty(0, dtype=np.int64)
    ensure_indexes(state)
    which, records = state.postings.by_person.get(persons)
    valid = state.records.alive[records] & (state.records.person[records] == persons[which])
    return sorted_unique(records[valid])


def reindex_persons(state: GraphState, records: np.ndarray, old_ids: np.ndarray) -> None:
    """Note the new person ids of ``records`` (whose ids were ``old_ids``) in the index."""
    if state.lifecycle is not Lifecycle.LIVE:
        return  # built afresh when first needed
    new_ids = state.records.person[records]
    moved = new_ids != old_ids
    if not moved.any():
        return
    state.postings.by_person.add(new_ids[moved], records[moved])
    state.postings.by_person.stale += int((old_ids[moved] >= 0).sum())
    _maybe_rebuild(state)


def index_new_records(state: GraphState, start: int, edge_start: int, hashes: np.ndarray) -> None:
    """Add records ``start ..`` (with their edges from ``edge_start`` on) to the indexes."""
    if state.lifecycle is Lifecycle.LIVE:
        state.postings.by_value.add(state.links.val[edge_start:], state.links.rec[edge_start:])
    state.postings.by_hash.add(
        hashes.view(np.int64), np.arange(start, start + len(hashes), dtype=np.int64)
    )


def _maybe_rebuild(state: GraphState) -> None:
    if state.lifecycle is not Lifecycle.LIVE:
        return
    for table in (state.postings.by_person, state.postings.by_value, state.postings.by_hash):
        if table.stale > max(_STALE_SHARE * len(table), _STALE_FLOOR):
            rebuild_indexes(state)
            return


def rebuild_indexes(state: GraphState) -> None:
    """Build every postings table afresh from the record and edge arrays."""
    alive = np.flatnonzero(state.records.alive)
    state.postings.by_person = Postings()
    state.postings.by_person.rebuild(state.records.person[alive], alive)
    state.postings.by_hash = Postings()
    state.postings.by_hash.rebuild(state.records.hash[alive].view(np.int64), alive)
    state.postings.by_value = Postings()
    state.postings.by_value.rebuild(state.links.val, state.links.rec)
    if state.lifecycle is Lifecycle.RESOLVED:  # a staged load's codes are provisional
        state.lifecycle = Lifecycle.LIVE


def batch_starts(state: GraphState) -> np.ndarray:
    """First record position of every batch, kept up to date in amortized O(1) per batch.

    Batches are only ever appended (or the last one grown), so the cached array is
    extended with the starts of the batches added since it was last asked for.
    """
    known = state.records.batch_starts
    if len(known) > len(state.records.batches) or (
        len(known) and known[-1] != state.records.batches[len(known) - 1].start
    ):
        known = np.empty(0, dtype=np.int64)  # the batch list was replaced: start afresh
    if len(known) < len(state.records.batches):
        extra = np.array([b.start for b in state.records.batches[len(known) :]], dtype=np.int64)
        known = appended(known, extra)
        state.records.batch_starts = known
    return known[: len(state.records.batches)]


def find_records(state: GraphState, source: str, record_ids: pd.Index) -> np.ndarray:
    """Position of each alive record ``(source, record_ids[i])``, ``-1`` where there is none."""
    out = np.full(len(record_ids), -1, dtype=np.int64)
    if source not in state.records.sources or not len(record_ids):
        return out
    source_code = state.records.sources.index(source)
    hashes = record_hashes(source, record_ids)
    which, candidates = state.postings.by_hash.get(hashes.view(np.int64))
    ok = state.records.alive[candidates] & (state.records.source[candidates] == source_code)
    which, candidates = which[ok], candidates[ok]
    if not len(candidates):
        return out
    # Confirm the ids themselves: equal hashes of different ids are possible, if rare.
    batch_of = segment_of(batch_starts(state), candidates)
    for b in sorted_unique(batch_of):
        batch = state.records.batches[int(b)]
        rows = np.flatnonzero(batch_of == b)
        stored = batch.ids.take(candidates[rows] - batch.start)
        asked = record_ids.take(which[rows])
        same = np.asarray(stored == asked, dtype=bool)
        out[which[rows[same]]] = candidates[rows[same]]
    return out
