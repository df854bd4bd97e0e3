"""Resolution: gather a region of the state, resolve it with ``core``, commit the result.

Every writer that changes who is linked to whom (a bulk load's first read, an
``add``, ``link``, ``remove`` or ``expire``) ends here: the persons it touched,
closed over the cut links that tie them to others, plus its new records form a
region; :func:`identigraph.graph.core.resolve_region` computes that region's
components, limits and person ids; the commit writes the ids, the cut links,
the indexes and the history, and returns the :class:`ChangeSet`.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph._progress import progress_bar
from identigraph._unique import sorted_difference, sorted_union, sorted_unique
from identigraph.graph.changes import ChangeSet
from identigraph.graph.core import KindLimits, LimitSplit, region_index, resolve_region
from identigraph.graph.ops.hubs import refresh_hubs
from identigraph.graph.ops.merge_codes import merge_values
from identigraph.graph.ops.spec_checks import warn_uncarried
from identigraph.graph.state.cuts import CutLinks
from identigraph.graph.state.indexes import (
    persons_of_values,
    records_of_persons,
    region_matches,
    reindex_persons,
    value_carriers,
)
from identigraph.graph.state.keys import value_hashes
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.overrides import CANNOT_LINK

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = [
    "close_over_cuts",
    "kind_limits",
    "log_vanished",
    "record_cuts",
    "resolve_added",
    "resolve_persons",
    "resolve_staged",
    "source_flags",
]

log = logging.getLogger("identigraph")
_NO_INDEX = np.empty(0, dtype=np.int64)


def resolve_staged(state: GraphState, *, progress: bool | None = None) -> ChangeSet:
    """Resolve a bulk load: merge its value codes, then every record at once.

    A no-op (an empty ChangeSet) unless the state is staged.
    """
    if not state.staged:
        return ChangeSet()
    started = time.perf_counter()
    n_records = len(state.records)
    with progress_bar(2, desc="resolve", unit="step", progress=progress) as bar:
        merge_values(state)
        refresh_hubs(state)
        bar.update(1)
        state.lifecycle = Lifecycle.RESOLVED
        if state.records.batches:
            warn_uncarried(state.identifiers, state.carried, state.warned)
        result = resolve_persons(
            state, _NO_INDEX, np.flatnonzero(state.records.alive), records_added=n_records
        )
        bar.update(1)
    log.info(
        "resolved %d records into %d persons in %.2f s",
        n_records,
        len(result.new_persons),
        time.perf_counter() - started,
    )
    return result


def resolve_added(state: GraphState, start: int, values: np.ndarray) -> ChangeSet:
    """Resolve the records appended from ``start`` on, whose links carry ``values``.

    Cost: the persons holding the batch's values (not those of values that were
    generic before), closed over cut links, plus the new records.
    """
    # Values generic before this add link nothing either way: their carriers (maybe
    # hundreds of thousands) are not re-resolved, so the add costs the same as for a
    # fresh value. Values that turn generic or hub now are looked at with theirs.
    codes, added = np.unique(values, return_counts=True)
    table = state.value_codes
    kind = table.kind[codes]
    was_generic = (table.count[codes] - added > state.max_records[kind]) | table.hub[codes]
    codes = codes[~was_generic]
    refresh_hubs(state, codes)
    affected = persons_of_values(state, codes, before=start) if start and len(codes) else _NO_INDEX
    region_new = np.arange(start, len(state.records), dtype=np.int64)
    return resolve_persons(state, affected, region_new, records_added=len(region_new))


def kind_limits(state: GraphState, *, always: bool = False) -> KindLimits | None:
    """The per-person limits of the state's kinds and attributes; None without any.

    With ``always``, limits even without any (none limited): cannot-links need them.
    """
    limited = state.attributes or any(p.max_per_person for p in state.policies)
    if not limited and not always:
        return None
    return KindLimits(
        limits=np.array([p.max_per_person or 0 for p in state.policies], dtype=np.int64),
        priorities=np.array([p.priority for p in state.policies], dtype=float),
        unlink=np.array([p.on_shared == "unlink" for p in state.policies], dtype=bool),
        attr_caps=[a.max_per_person for a in state.attributes],
        attr_alike=state.attr_codes.alike_functions(state.attributes),
    )


def source_flags(state: GraphState, region: np.ndarray) -> np.ndarray | None:
    """Whether each region record is of each source the survivor policy ranks by."""
    names = state.survivor.sources
    if not names:
        return None
    codes = np.array(
        [state.records.sources.index(n) if n in state.records.sources else -1 for n in names],
        dtype=np.int64,
    )
    flags: np.ndarray = state.records.source[region][:, None] == codes[None, :]
    return flags


def resolve_persons(
    state: GraphState,
    affected: np.ndarray,
    new_records: np.ndarray,
    *,
    records_added: int = 0,
) -> ChangeSet:
    """Recompute the components of the ``affected`` persons plus ``new_records``.

    Gathers the region (every alive record of the affected persons, closed over
    the cut links that tie them to others, and the new records), resolves it with
    :func:`~identigraph.graph.core.resolve_region` and commits the ids, cut links,
    indexes and history. Returns the ChangeSet: new persons, merges, splits.
    """
    affected = close_over_cuts(state, affected)
    affected = sorted_unique(affected[affected >= 0])
    records = state.records
    # The region: every alive record of the affected persons, found through the
    # person index, plus the new records; sorted, so positions map by binary search.
    region = (
        sorted_union(records_of_persons(state, affected), new_records)
        if len(affected)
        else new_records
    )
    if not len(region):
        state.ids.n_persons -= len(affected)  # persons whose records all left
        return ChangeSet(records_added=records_added)
    links = state.links
    if len(region) == len(records):
        # Every record (a bulk load): all links; positions are region indexes already.
        generic = state.generic_mask()
        generic_codes = np.flatnonzero(generic)
        if generic.any():
            usable = ~generic[links.val]
            e_rec, e_val = links.rec[usable], links.val[usable]
        else:
            e_rec, e_val = links.rec, links.val
        n_codes: int | None = len(state.value_codes)
    else:
        rows = links.rows_of(region)
        is_generic = state.generic_mask(links.val[rows])
        generic_codes = links.val[rows][is_generic]
        usable = rows[~is_generic]
        e_rec = np.searchsorted(region, links.rec[usable])
        e_val = links.val[usable]
        n_codes = None
    m_rows, ml, mr = region_matches(state, region)
    prob = state.matches.frame["match_probability"].to_numpy(dtype=float)[m_rows]
    limits = kind_limits(state)
    o_rows, o_a, o_b = state.overrides.within(region)
    cannot = state.overrides.kind[o_rows] == CANNOT_LINK
    if limits is None and cannot.any():
        limits = kind_limits(state, always=True)
    old_ids = records.person[region]
    result = resolve_region(
        len(region),
        e_rec,
        e_val,
        record_hash=records.hash[region],
        old_ids=old_ids,
        issued=state.ids.issued,
        match_l=ml,
        match_r=mr,
        match_probability=prob,
        value_kind=state.value_codes.kind,
        value_hash=lambda codes: value_hashes(state, codes),
        limits=limits,
        attr_codes=[codes[region] for codes in state.attr_codes.codes] if limits else (),
        n_codes=n_codes,
        survivor=state.survivor,
        has_source=source_flags(state, region),
        must_l=o_a[~cannot],
        must_r=o_b[~cannot],
        apart_l=o_a[cannot],
        apart_r=o_b[cannot],
    )
    if result.split is not None:
        record_cuts(
            state, region, result.split, e_rec, e_val, result.link_value,
            len(result.values), ml, mr, prob, state.overrides.oid[o_rows[cannot]],
        )  # fmt: skip
    ids, labels = result.ids, result.labels
    records.person[region] = ids[labels]
    state.drift.note(state.ids.generation + 1, ids[labels], old_ids, labels, generic_codes)
    reindex_persons(state, region, old_ids)
    state.ids.generation += 1
    fresh = np.sort(ids[result.fresh])
    state.ids.issued.add(fresh, generation=state.ids.generation)
    state.ids.n_persons += len(ids) - len(affected)
    return _change_set(state, result.changes, fresh, records_added)


def _change_set(
    state: GraphState, changes: pd.DataFrame, fresh: np.ndarray, records_added: int
) -> ChangeSet:
    """The ChangeSet of one resolution; its merges and splits enter the id history."""
    if not len(changes):  # the common case of a small update: no pandas selections
        none = changes.iloc[:, :2]
        return ChangeSet(records_added=records_added, new_persons=fresh, merges=none, splits=none)
    merges = changes.loc[changes["reason"] == "merge", ["old_id", "new_id"]]
    splits = changes.loc[changes["reason"] == "split", ["old_id", "new_id"]]
    state.ids.history.append(
        changes[["old_id", "new_id", "reason"]].assign(
            time=pd.Timestamp(datetime.now(timezone.utc))
        )
    )
    return ChangeSet(
        records_added=records_added,
        new_persons=fresh,
        merges=merges.reset_index(drop=True),
        splits=splits.reset_index(drop=True),
    )


def log_vanished(state: GraphState, ids: np.ndarray, reason: str) -> None:
    """Enter persons that vanished (``"erased"``, ``"expired"``) in the id history."""
    if not len(ids):
        return
    state.ids.history.append(
        pd.DataFrame(
            {
                "old_id": np.sort(np.asarray(ids, dtype=np.int64)),
                "new_id": np.full(len(ids), -1, dtype=np.int64),
                "reason": pd.Series([reason] * len(ids), dtype=object),
                "time": pd.Timestamp(datetime.now(timezone.utc)),
            }
        )
    )


def close_over_cuts(state: GraphState, affected: np.ndarray) -> np.ndarray:
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
    the cut links' ends, sorted: :meth:`CutTable.ends`). Cost: nothing without cut
    links; otherwise O(records of the persons reached + their cut values'
    carriers) per step, with binary searches over the cut links.
    """
    cuts = state.cuts.links
    if not len(cuts) or not len(affected):
        return affected
    alive = state.records.alive
    person = state.records.person
    values = state.cuts.values()
    shared = state.cuts.shared  # shared values are listed as cut links too; to be sure
    reached = sorted_unique(affected[affected >= 0])
    frontier = reached
    while len(frontier):
        records = records_of_persons(state, frontier)
        carried = state.links.val[state.links.rows_of(records)]
        hit = region_index(values, carried) >= 0
        if len(shared):
            hit |= region_index(shared, carried) >= 0
        tied_values = carried[hit]
        # A generic value links nobody: its carriers are not tied through it.
        tied_values = tied_values[~state.generic_mask(tied_values)]
        tied = person[value_carriers(state, tied_values)]
        match = state.cuts.rows_of(records)
        match = match[cuts.val[match] < 0]  # cut match edges with an end here
        match = match[alive[cuts.rec[match]] & alive[cuts.other[match]]]
        found = np.concatenate([tied, person[cuts.rec[match]], person[cuts.other[match]]])
        frontier = sorted_difference(found[found >= 0], reached)
        reached = sorted_union(reached, frontier)
    return sorted_union(affected, reached)


def record_cuts(
    state: GraphState,
    region: np.ndarray,
    split: LimitSplit,
    e_rec: np.ndarray,
    e_val: np.ndarray,
    link_val: np.ndarray,
    n_values: int,
    m_l: np.ndarray,
    m_r: np.ndarray,
    prob: np.ndarray,
    apart_oid: np.ndarray = _NO_INDEX,
) -> None:
    """Record the cut links of a re-resolved region in the state's cut table.

    A link cut for cannot-link ``j`` of the region is recorded with the kind
    ``len(policies) + len(attributes) + oid``, naming the override by its id.

    Values of kinds with ``on_shared="unlink"`` that lost a link are shared: every
    link of a shared value is recorded as cut (with the limit that first cut one
    of them) and the value is listed in the cut table's ``shared`` codes.

    Parameters
    ----------
    state : GraphState
        The state, whose cut table is updated for the region.
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
    apart_oid : numpy.ndarray of int64
        Override id of each cannot-link of the region, in the split's order.
    """
    v_code = np.empty(n_values, dtype=np.int64)
    v_code[link_val] = e_val
    old = state.cuts.links
    # The region's cut links are decided anew (found by their ends, without a pass
    # over every cut link); erasures already dropped the cut links of dead records
    # (erase._drop_cut_links).
    gone = state.cuts.rows_of(region)
    links, matches = split.cut_links, split.cut_matches
    link_kind = split.cut_link_kind
    if len(split.shared_values):  # every link of a shared value, with its limit
        kind_of = np.full(n_values, -1, dtype=np.int64)
        kind_of[split.shared_values] = split.shared_kind
        shared_links = np.flatnonzero(kind_of[link_val] >= 0)
        shared_links = shared_links[
            np.lexsort(
                (
                    value_hashes(state, e_val[shared_links]),
                    state.records.hash[region[e_rec[shared_links]]],
                )
            )
        ]  # by record and value hashes, as the split orders links: order-free
        links = np.concatenate([links, shared_links])
        link_kind = np.concatenate([link_kind, kind_of[link_val[shared_links]]])
    # A cut match edge is listed from the end with the smaller record hash: order-free.
    left, right = region[m_l[matches]], region[m_r[matches]]
    swap = state.records.hash[left] > state.records.hash[right]
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    kinds = np.concatenate([link_kind, split.cut_match_kind]).astype(np.int64)
    apart = kinds < 0
    if apart.any():  # cut for a cannot-link: the kind names the override
        base = len(state.policies) + len(state.attributes)
        kinds[apart] = base + apart_oid[-1 - kinds[apart]]
    new = CutLinks(
        rec=np.concatenate([region[e_rec[links]], left]),
        val=np.concatenate([e_val[links], np.full(len(matches), -1, dtype=np.int64)]),
        other=np.concatenate([np.full(len(links), -1, dtype=np.int64), right]),
        kind=kinds,
        probability=np.concatenate([np.full(len(links), np.nan), prob[matches]]),
    )
    table = state.cuts
    if not len(gone) and not len(new):
        # The common case: the cut table stays as it is (and its cached indexes).
        if len(table.shared):
            # Shared values keep their place while cut links list them (see below).
            table.shared = table.shared[region_index(table.values(), table.shared) >= 0]
        return
    keep = table.replace(gone, new)
    # Shared values of the region are decided anew; the others keep their cut links.
    kept_values = old.val[keep]
    still = table.shared[np.isin(table.shared, kept_values)] if len(table.shared) else _NO_INDEX
    table.shared = sorted_union(still, v_code[split.shared_values]).astype(np.int64)
