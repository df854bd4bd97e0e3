"""Index look-ups that let an update touch only the records, values and persons it concerns.

An :class:`~identigraph.graph.IdentityGraph` keeps its identifier edges sorted by
record, so the edges of any set of records are found by binary search, and three
:class:`~identigraph.graph._postings.Postings` tables: value code -> records carrying
it, person id -> records, record hash -> record position. Postings are never
updated in place; readers here drop the stale pairs (dead records, records that
moved to another person) and owners rebuild a table once stale pairs pile up.

A bulk load keeps only the record-hash table up to date (it finds repeated record
ids); the value and person tables are built by :func:`ensure_indexes` when an
update or look-up first needs them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph._growable import appended
from identigraph.graph._postings import Postings
from identigraph.graph.core import (
    equal_ranges,
    range_positions,
    record_hashes,
    region_index,
    segment_of,
)
from identigraph.graph.lifecycle import Lifecycle

if TYPE_CHECKING:
    from identigraph.graph._batches import RecordBatch
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = [
    "append_batch",
    "append_rejects",
    "batch_starts",
    "edge_rows",
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
    g: IdentityGraph, region: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match edges with both ends in the sorted ``region``.

    Returns the edges' rows in ``g._match`` (ascending) and the index in ``region``
    of their left and right records. The ends of all match edges are kept sorted
    (cached per match table, which is replaced, never edited in place), so this is
    a binary search per region record instead of a pass over every match edge.
    """
    match = g._match
    if not len(match) or not len(region):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    left = match["rec_l"].to_numpy()
    right = match["rec_r"].to_numpy()
    cached = g._match_ends
    if cached is None or cached[0] is not match:
        ends = np.concatenate([left, right])
        order = np.argsort(ends, kind="stable")
        cached = (match, ends[order], np.tile(np.arange(len(match), dtype=np.int64), 2)[order])
        g._match_ends = cached
    rows = np.unique(cached[2][equal_ranges(cached[1], region)])
    ml, mr = region_index(region, left[rows]), region_index(region, right[rows])
    both = (ml >= 0) & (mr >= 0)
    return rows[both], ml[both], mr[both]


def edge_rows(g: IdentityGraph, records: np.ndarray) -> np.ndarray:
    """Positions in the edge arrays of every edge of ``records`` (unique record positions).

    Edges are kept sorted by record, so this is two binary searches per record.
    """
    if not len(records) or not len(g._edge_rec):
        return np.empty(0, dtype=np.int64)
    lo = np.searchsorted(g._edge_rec, records, side="left")
    hi = np.searchsorted(g._edge_rec, records, side="right")
    return range_positions(lo, hi)


def ensure_indexes(g: IdentityGraph) -> None:
    """Build the value and person postings if a bulk load left them out of date."""
    if g.lifecycle is not Lifecycle.LIVE:
        rebuild_indexes(g)


def value_carriers(g: IdentityGraph, values: np.ndarray) -> np.ndarray:
    """Alive records carrying any of ``values`` (sorted, unique)."""
    if not len(values):
        return np.empty(0, dtype=np.int64)
    ensure_indexes(g)
    _, records = g._by_value.get(np.unique(values))
    return np.unique(records[g._rec_alive[records]])


def persons_of_values(g: IdentityGraph, values: np.ndarray, *, before: int) -> np.ndarray:
    """Persons of the alive records below position ``before`` that carry any of ``values``."""
    carriers = value_carriers(g, values)
    carriers = carriers[carriers < before]
    persons = g._person[carriers]
    return np.unique(persons[persons >= 0])


def records_of_persons(g: IdentityGraph, persons: np.ndarray) -> np.ndarray:
    """Alive records of ``persons`` (sorted, unique)."""
    persons = np.unique(persons)
    if not len(persons):
        return np.empty(0, dtype=np.int64)
    ensure_indexes(g)
    which, records = g._by_person.get(persons)
    valid = g._rec_alive[records] & (g._person[records] == persons[which])
    return np.unique(records[valid])


def reindex_persons(g: IdentityGraph, records: np.ndarray, old_ids: np.ndarray) -> None:
    """Note the new person ids of ``records`` (whose ids were ``old_ids``) in the index."""
    if g.lifecycle is not Lifecycle.LIVE:
        return  # built afresh when first needed
    new_ids = g._person[records]
    moved = new_ids != old_ids
    if not moved.any():
        return
    g._by_person.add(new_ids[moved], records[moved])
    g._by_person.stale += int((old_ids[moved] >= 0).sum())
    _maybe_rebuild(g)


def index_new_records(g: IdentityGraph, start: int, edge_start: int, hashes: np.ndarray) -> None:
    """Add records ``start ..`` (with their edges from ``edge_start`` on) to the indexes."""
    if g.lifecycle is Lifecycle.LIVE:
        g._by_value.add(g._edge_val[edge_start:], g._edge_rec[edge_start:])
    g._by_hash.add(hashes.view(np.int64), np.arange(start, start + len(hashes), dtype=np.int64))


def _maybe_rebuild(g: IdentityGraph) -> None:
    if g.lifecycle is not Lifecycle.LIVE:
        return
    for table in (g._by_person, g._by_value, g._by_hash):
        if table.stale > max(_STALE_SHARE * len(table), _STALE_FLOOR):
            rebuild_indexes(g)
            return


def rebuild_indexes(g: IdentityGraph) -> None:
    """Build every postings table afresh from the record and edge arrays."""
    alive = np.flatnonzero(g._rec_alive)
    g._by_person = Postings()
    g._by_person.rebuild(g._person[alive], alive)
    g._by_hash = Postings()
    g._by_hash.rebuild(g._rec_hash[alive].view(np.int64), alive)
    g._by_value = Postings()
    g._by_value.rebuild(g._edge_val, g._edge_rec)
    if g.lifecycle is Lifecycle.RESOLVED:  # a staged load's codes are provisional
        g._lifecycle = Lifecycle.LIVE


def batch_starts(g: IdentityGraph) -> np.ndarray:
    """First record position of every batch, kept up to date in amortized O(1) per batch.

    Batches are only ever appended (or the last one grown), so the cached array is
    extended with the starts of the batches added since it was last asked for.
    """
    known = g._batch_starts
    if len(known) > len(g._batches) or (
        len(known) and known[-1] != g._batches[len(known) - 1].start
    ):
        known = np.empty(0, dtype=np.int64)  # the batch list was replaced: start afresh
    if len(known) < len(g._batches):
        extra = np.array([b.start for b in g._batches[len(known) :]], dtype=np.int64)
        known = appended(known, extra)
        g._batch_starts = known
    return known[: len(g._batches)]


def find_records(g: IdentityGraph, source: str, record_ids: pd.Index) -> np.ndarray:
    """Position of each alive record ``(source, record_ids[i])``, ``-1`` where there is none."""
    out = np.full(len(record_ids), -1, dtype=np.int64)
    if source not in g._sources or not len(record_ids):
        return out
    source_code = g._sources.index(source)
    hashes = record_hashes(source, record_ids)
    which, candidates = g._by_hash.get(hashes.view(np.int64))
    ok = g._rec_alive[candidates] & (g._rec_source[candidates] == source_code)
    which, candidates = which[ok], candidates[ok]
    if not len(candidates):
        return out
    # Confirm the ids themselves: equal hashes of different ids are possible, if rare.
    batch_of = segment_of(batch_starts(g), candidates)
    for b in np.unique(batch_of):
        batch = g._batches[int(b)]
        rows = np.flatnonzero(batch_of == b)
        stored = batch.ids.take(candidates[rows] - batch.start)
        asked = record_ids.take(which[rows])
        same = np.asarray(stored == asked, dtype=bool)
        out[which[rows[same]]] = candidates[rows[same]]
    return out


# Consecutive small additions of one source share a batch, so that record-at-a-time
# updates do not pile up one batch (and one attribute frame) per record.
_SMALL_BATCH = 4096


def append_batch(g: IdentityGraph, batch: RecordBatch) -> None:
    """Append ``batch`` to the graph's batches, into the last one when both are small."""
    if g._batches:
        last = g._batches[-1]
        if (
            last.source == batch.source
            and last.stop == batch.start
            and len(last.ids) + len(batch.ids) <= _SMALL_BATCH
            and last.ids.dtype == batch.ids.dtype
            and list(last.attributes.columns) == list(batch.attributes.columns)
            and last.attributes.dtypes.equals(batch.attributes.dtypes)
        ):
            g._batches[-1] = replace(
                last,
                ids=last.ids.append(batch.ids),
                attributes=pd.concat([last.attributes, batch.attributes], ignore_index=True),
            )
            return
    g._batches.append(batch)


def append_rejects(g: IdentityGraph, rejects: pd.DataFrame) -> None:
    """Append reject rows, into the last reject frame when both are small."""
    if g._rejects and len(g._rejects[-1]) + len(rejects) <= _SMALL_BATCH:
        last = g._rejects[-1]
        if last["record_id"].dtype == rejects["record_id"].dtype:
            g._rejects[-1] = pd.concat([last, rejects], ignore_index=True)
            return
    g._rejects.append(rejects)
