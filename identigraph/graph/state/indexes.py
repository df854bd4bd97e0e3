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

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph._unique import sorted_unique
from identigraph.graph.core import (
    equal_ranges,
    expand_ranges,
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
    "find_keys",
    "find_records",
    "index_new_records",
    "persons_of_values",
    "rebuild_indexes",
    "records_of_persons",
    "region_matches",
    "reindex_persons",
    "scan_hashes",
    "value_carriers",
]

# Rebuild a postings table once stale pairs exceed this share of it (and a floor).
_STALE_SHARE = 0.5
_STALE_FLOOR = 4096
#: A graph not yet live looks up at least one key per this many records by a scan of
#: the record hashes, not by sorting its record-hash postings (:func:`find_keys`).
_SCAN_SHARE = 64


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
    """Build every postings table afresh from the record and edge arrays.

    The record-hash postings are kept when they hold one pair per alive record and
    none stale (a bulk load keeps them so): a look-up may have sorted them already.
    """
    alive = np.flatnonzero(state.records.alive)
    state.postings.by_person = Postings()
    state.postings.by_person.rebuild(state.records.person[alive], alive)
    by_hash = state.postings.by_hash
    if by_hash.stale or len(by_hash) != len(alive) or len(alive) != len(state.records):
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


def scan_hashes(record_hash: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every record whose hash is one of ``hashes``, by one pass over ``record_hash``.

    Returns
    -------
    which : numpy.ndarray of int64
        Index into ``hashes`` of each record found.
    records : numpy.ndarray of int64
        The records (positions in ``record_hash``), dead ones included.

    Examples
    --------
    >>> import numpy as np
    >>> which, records = scan_hashes(
    ...     np.array([5, 9, 5, 2], dtype=np.uint64), np.array([5, 7, 2], dtype=np.uint64))
    >>> sorted(zip(which.tolist(), records.tolist()))
    [(0, 0), (0, 2), (2, 3)]

    Notes
    -----
    The low bits of the asked hashes mark slots of a table of flags (about 16 slots
    a hash, at most 2**24); one gather of every record's slot keeps the candidates,
    which binary searches over the sorted asked hashes confirm. O(n) cheap steps for n records, plus
    O((q + c) log q) for q hashes and c candidates (about ``n / 16`` false ones).
    The same pairs, in another order, as the record-hash postings give.
    """
    record_hash = np.asarray(record_hash, dtype=np.uint64)
    hashes = np.asarray(hashes, dtype=np.uint64)
    if not len(hashes) or not len(record_hash):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.argsort(hashes, kind="stable")
    asked = hashes[order]
    bits = min(max(len(asked).bit_length() + 4, 10), 24)
    mask = np.uint64((1 << bits) - 1)
    table = np.zeros(1 << bits, dtype=bool)
    table[(asked & mask).view(np.int64)] = True
    slot = (record_hash & mask).view(np.int64)
    candidates = np.flatnonzero(table.take(slot))
    found = record_hash[candidates]
    by_hash = np.argsort(found)  # sorted needles: the binary searches walk in order
    candidates, found = candidates[by_hash], found[by_hash]
    lo = np.searchsorted(asked, found, side="left")
    hi = np.searchsorted(asked, found, side="right")
    at, which = expand_ranges(lo, hi)
    return order[at].astype(np.int64), candidates[which].astype(np.int64)


def find_records(state: GraphState, source: str, record_ids: pd.Index) -> np.ndarray:
    """Position of each alive record ``(source, record_ids[i])``, ``-1`` where there is none."""
    return find_keys(state, [(source, record_ids)])


def find_keys(state: GraphState, keys: Sequence[tuple[str, pd.Index]]) -> np.ndarray:
    """Position of each alive record of every ``(source, record_ids)`` group, ``-1`` if none.

    One look-up of every group's record hashes together: through the record-hash
    postings, or, in a graph not yet live when the groups ask for many records, by
    one pass over the record hashes (:func:`scan_hashes`), which leaves the postings
    unsorted for the build to sort once.

    Returns
    -------
    numpy.ndarray of int64
        The groups' positions, concatenated in the order of ``keys``.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["a@x.com", "b@x.com"]}, index=[7, 9]), source="crm")
    >>> find_keys(g.state, [("crm", pd.Index([9, 8])), ("web", pd.Index([7]))]).tolist()
    [1, -1, -1]

    Notes
    -----
    O(q log n) binary searches for q keys over n records once the postings are
    sorted; their first read sorts them, O(n log n). In a bulk load or a resolved
    graph not yet indexed, a look-up of at least ``n / 64`` keys scans the record
    hashes instead: O(n) cheap steps, at most 64 a key, plus O(q log q).
    """
    sizes = np.array([len(ids) for _, ids in keys], dtype=np.int64)
    out = np.full(int(sizes.sum()), -1, dtype=np.int64)
    known = [
        (k, source, ids)
        for k, (source, ids) in enumerate(keys)
        if source in state.records.sources and len(ids)
    ]
    if not known:
        return out
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    hashes = np.concatenate([record_hashes(source, ids) for _, source, ids in known])
    group = np.repeat(np.arange(len(known)), [len(ids) for _, _, ids in known])
    codes = np.array([state.records.sources.index(s) for _, s, _ in known], dtype=np.int64)
    if state.lifecycle is not Lifecycle.LIVE and len(hashes) * _SCAN_SHARE >= len(state.records):
        which, candidates = scan_hashes(state.records.hash, hashes)
    else:
        which, candidates = state.postings.by_hash.get(hashes.view(np.int64))
    ok = state.records.alive[candidates] & (state.records.source[candidates] == codes[group[which]])
    which, candidates = which[ok], candidates[ok]
    if not len(candidates):
        return out
    # Confirm the ids themselves: equal hashes of different ids are possible, if rare.
    starts = np.concatenate([[0], np.cumsum([len(ids) for _, _, ids in known])[:-1]])
    cell = segment_of(batch_starts(state), candidates) * len(known) + group[which]
    for c in sorted_unique(cell).tolist():  # one step per batch and group with a record asked
        b, g = divmod(c, len(known))
        batch = state.records.batches[b]
        k, _, ids = known[g]
        at = np.flatnonzero(cell == c)
        stored = batch.ids.take(candidates[at] - batch.start)
        asked = ids.take(which[at] - starts[g])
        same = np.asarray(stored == asked, dtype=bool)
        out[offset[k] + which[at[same]] - starts[g]] = candidates[at[same]]
    return out
