"""Erasure and expiry: take records or identifier values out of a graph, re-resolving locally.

:func:`remove_records` deletes records (a privacy erasure); :func:`expire_values`
forgets anonymous identifier values nobody has used since a cutoff. Both drop the
identifier links concerned, forget values no alive record carries any more, and
re-resolve only the persons those links held together.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from identigraph._unique import sorted_difference, sorted_union, sorted_unique
from identigraph.errors import ConfigError, InputError, MissingColumnError, UnknownPersonError
from identigraph.graph.changes import ChangeSet
from identigraph.graph.core import column_keys, segment_of
from identigraph.graph.ops.hubs import refresh_hubs
from identigraph.graph.ops.overrides import drop_overrides_of
from identigraph.graph.ops.resolve import log_vanished, resolve_persons
from identigraph.graph.state.cuts import CutLinks
from identigraph.graph.state.indexes import (
    batch_starts,
    persons_of_values,
    records_of_persons,
)
from identigraph.graph.state.keys import positions as keyed_positions
from identigraph.graph.state.keys import record_cells

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["expire_values", "parse_age", "record_positions", "remove_records"]

_NAT = np.iinfo(np.int64).min
# Largest batch an erasure rewrites whole; larger ones are cut into pieces this size.
_PIECE = 1 << 16
# Link deletions in fewer runs than this copy the slices between them, else use a mask.
_FEW_RUNS = 256


# ---------------------------------------------------------------------------- inputs
def record_positions(
    state: GraphState,
    records: pd.DataFrame | Iterable[tuple[str, Hashable]] | None,
    person: int | Sequence[int] | np.ndarray | None,
) -> np.ndarray:
    """Positions of the records named by ``records`` and of every record of ``person``.

    Raises
    ------
    UnknownRecordError
        A named record is not in the graph.
    UnknownPersonError
        A person id is not in the graph.
    MissingColumnError
        A ``records`` frame lacks ``source`` or ``record_id``.
    InputError
        ``records`` is neither such a frame nor ``(source, record_id)`` pairs.
    """
    parts = [np.empty(0, dtype=np.int64)]
    if records is not None:
        if isinstance(records, pd.DataFrame):
            missing = [c for c in ("source", "record_id") if c not in records.columns]
            if missing:
                msg = f"records lack columns {missing}"
                raise MissingColumnError(
                    msg, column=missing[0], available=[str(c) for c in records.columns]
                )
            sources = records["source"].astype(object)
            ids = records["record_id"].astype(object)
        else:
            pairs = list(records)
            if not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
                msg = "records must be a DataFrame with source and record_id, or (source, id) pairs"
                raise InputError(msg)
            sources = pd.Series([p[0] for p in pairs], dtype=object)
            ids = pd.Series([p[1] for p in pairs], dtype=object)
        if len(sources):
            parts.append(keyed_positions(state, sources, ids))
    if person is not None:
        try:
            wanted = np.atleast_1d(np.asarray(person, dtype=np.int64))
        except (TypeError, ValueError, OverflowError) as err:
            msg = f"person must be a person id (int) or a sequence of them, got {person!r}"
            raise InputError(msg) from err
        found = records_of_persons(state, wanted)
        missing_ids = sorted_difference(wanted, state.records.person[found])
        if len(missing_ids):
            msg = f"persons not in the graph: {missing_ids[:10].tolist()}"
            raise UnknownPersonError(msg)
        parts.append(found)
    return sorted_unique(np.concatenate(parts))


def parse_age(
    older_than: str | pd.Timedelta | pd.offsets.BaseOffset,
) -> pd.Timedelta | pd.offsets.BaseOffset:
    """A positive age from a Timedelta string (``"90D"``), a pandas offset alias or object.

    Examples
    --------
    >>> parse_age("90D")
    Timedelta('90 days 00:00:00')
    >>> parse_age("3MS")
    <3 * MonthBegins>
    """
    age: pd.Timedelta | pd.offsets.BaseOffset
    if isinstance(older_than, pd.Timedelta):
        age = older_than
    elif isinstance(older_than, pd.offsets.BaseOffset):
        age = _as_timedelta(older_than)
    elif isinstance(older_than, str):
        try:
            with warnings.catch_warnings():  # "3MS" reads as deprecated milliseconds: an offset
                warnings.simplefilter("error")
                age = pd.Timedelta(older_than)
        except (ValueError, Warning):
            try:
                age = _as_timedelta(pd.tseries.frequencies.to_offset(older_than))
            except ValueError as err:
                msg = f"older_than must be a Timedelta or offset such as '90D', got {older_than!r}"
                raise ConfigError(msg) from err
    else:
        msg = f"older_than must be a string, Timedelta or DateOffset, got {older_than!r}"
        raise ConfigError(msg)
    if not isinstance(age, (pd.Timedelta, pd.offsets.BaseOffset)) or (
        isinstance(age, pd.Timedelta) and age <= pd.Timedelta(0)
    ):
        msg = f"older_than must be positive, got {older_than!r}"
        raise ConfigError(msg)
    return age


def _as_timedelta(offset: pd.offsets.BaseOffset) -> pd.Timedelta | pd.offsets.BaseOffset:
    """Fixed-length offsets (days, hours...) as a Timedelta; calendar offsets as they are."""
    try:
        fixed: pd.Timedelta = pd.Timedelta(cast(Any, offset))
    except (TypeError, ValueError):
        return offset
    return fixed


# ---------------------------------------------------------------------------- erasure
def _blank(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """``column`` with ``rows`` emptied: missing, or 0/False where the dtype has no missing.

    A categorical column also drops the categories no remaining row uses.
    """
    keep = np.ones(len(column), dtype=bool)
    keep[rows] = False
    blanked: pd.Series
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        blanked = column.where(keep, column.dtype.type(0))
    else:
        blanked = column.where(keep)
    if isinstance(blanked.dtype, pd.CategoricalDtype):
        # A category only erased records held is erased data too.
        blanked = blanked.cat.remove_unused_categories()
    return blanked


def _split_big_batches(state: GraphState, positions: np.ndarray) -> None:
    """Cut the large batches holding ``positions`` into pieces of their own memory.

    Emptying a cell rewrites its whole column; in pieces of at most ``_PIECE`` rows
    an erasure rewrites one piece, and the copies (``take``) let the old buffers,
    erased values included, be freed. Done once per large batch, at its first erasure.
    """
    touched = set(segment_of(batch_starts(state), positions).tolist())
    big = {b for b in touched if len(state.records.batches[b].ids) > _PIECE}
    if not big:
        return
    batches = []
    for b, batch in enumerate(state.records.batches):  # one step per batch
        if b not in big:
            batches.append(batch)
            continue
        for lo in range(0, len(batch.ids), _PIECE):  # one step per piece
            rows = np.arange(lo, min(lo + _PIECE, len(batch.ids)))
            batches.append(
                replace(
                    batch,
                    start=batch.start + lo,
                    ids=batch.ids.take(rows),
                    attributes=batch.attributes.take(rows).reset_index(drop=True),
                )
            )
    state.records.batches = batches
    state.records.batch_starts = np.empty(0, dtype=np.int64)


def _scrub(state: GraphState, positions: np.ndarray, columns: np.ndarray | None = None) -> None:
    """Empty the kept attributes of records (all columns, or one column per record)."""
    if not len(positions):
        return
    _split_big_batches(state, positions)
    batch_of = segment_of(batch_starts(state), positions)
    for b in sorted_unique(batch_of).tolist():  # one step per batch holding an erased record
        batch = state.records.batches[b]
        mine = batch_of == b
        rows = positions[mine] - batch.start
        frame = batch.attributes.copy(deep=False)
        for i, name in enumerate(frame.columns):  # one step per attribute column
            hit = rows if columns is None else rows[columns[mine] == name]
            if len(hit):
                frame.isetitem(i, _blank(frame.iloc[:, i], hit))
        batch.attributes = frame


def _drop_edges(state: GraphState, rows: np.ndarray) -> None:
    """Delete identifier links by their position in the edge arrays (keeps them sorted)."""
    if not len(rows):
        return
    rows = sorted_unique(rows)
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if len(breaks) < _FEW_RUNS:
        # Few runs of rows (one per erased record): copy the slices between them.
        starts, stops = rows[np.r_[0, breaks]], rows[np.r_[breaks - 1, len(rows) - 1]] + 1
        lows, highs = np.r_[0, stops].tolist(), np.r_[starts, len(state.links.rec)].tolist()
        spans = list(zip(lows, highs, strict=True))
        for name in ("rec", "val", "spec"):  # one step per link array
            array = getattr(state.links, name)
            setattr(state.links, name, np.concatenate([array[a:b] for a, b in spans]))
    else:
        keep = np.ones(len(state.links.rec), dtype=bool)
        keep[rows] = False
        state.links.rec = state.links.rec[keep]
        state.links.val = state.links.val[keep]
        state.links.spec = state.links.spec[keep]
    state.postings.by_value.stale += len(rows)


def _forget_values(state: GraphState, codes: np.ndarray) -> None:
    """Drop value codes no alive record carries from the key dictionaries."""
    if not len(codes):
        return
    state.value_codes.key[codes] = None
    kind_names = [p.name for p in state.policies]
    kinds = state.value_codes.kind[codes]
    for k in sorted_unique(kinds).tolist():  # one step per identifier kind
        index = state.value_codes.indexes.get(kind_names[k])
        if index is not None:
            index.drop(codes[kinds == k])


def _drop_cut_links(state: GraphState, *, values: np.ndarray | None = None) -> None:
    """Forget cut links of dead records (and of the given values)."""
    cuts = state.cuts.links
    if not len(cuts):
        return
    keep = cuts.alive_mask(state.records.alive)
    if values is not None and len(values):
        keep &= ~np.isin(cuts.val, values)
    if not keep.all():
        state.cuts.replace(np.flatnonzero(~keep), CutLinks.empty())


def _drop_rejects(state: GraphState, positions: np.ndarray) -> None:
    if not state.records.rejects:
        return
    sources = state.records.source[positions]
    kept = []
    for frame in state.records.rejects:  # one step per reject frame (small ones are merged)
        gone = np.zeros(len(frame), dtype=bool)
        for code in sorted_unique(sources).tolist():  # one step per source of an erased record
            name = state.records.sources[code]
            ids = _record_ids_at(state, positions[sources == code])
            gone |= (frame["source"] == name).to_numpy() & frame["record_id"].isin(ids).to_numpy()
        rest = frame[~gone].reset_index(drop=True) if gone.any() else frame
        if len(rest):
            kept.append(rest)
    state.records.rejects = kept


def _record_ids_at(state: GraphState, positions: np.ndarray) -> list[object]:
    batch_of = segment_of(batch_starts(state), positions)
    out: list[object] = []
    for b in sorted_unique(batch_of).tolist():  # one step per batch holding an erased record
        batch = state.records.batches[b]
        out.extend(batch.ids[positions[batch_of == b] - batch.start].tolist())
    return out


def remove_records(state: GraphState, where: np.ndarray) -> ChangeSet:
    """Erase the records at ``positions`` and re-resolve the persons they touched.

    The records die (their positions are never reused); their identifier links are
    deleted; values no alive record carries any more are forgotten; their match
    edges, cut links and reject rows go; their kept attributes are emptied. A value
    whose count falls back under its kind's ``max_records`` links again.

    Notes
    -----
    Cost: O(links) to compact the link arrays, O(values of a kind) to forget values
    of that kind, O(match edges + rejects), and components over the affected persons.
    """
    positions = sorted_unique(where)
    if not len(positions):
        return ChangeSet()
    affected = state.records.person[positions]
    affected = sorted_unique(affected[affected >= 0])
    rows = state.links.rows_of(positions)
    carried, counts = np.unique(state.links.val[rows], return_counts=True)
    was_generic = state.generic_mask(carried)
    state.value_codes.count[carried] -= counts
    unlocked = carried[was_generic & ~state.generic_mask(carried)]
    orphans = carried[state.value_codes.count[carried] == 0]
    # Cut links the removed records took part in may be kept once they are gone:
    # the other carriers of their cut (or shared) values and the other ends of
    # their cut match edges are re-resolved with them.
    cuts = state.cuts.links
    cut_values = sorted_union(cuts.val[cuts.val >= 0], state.cuts.shared)
    relinked = carried[np.isin(carried, cut_values)]
    match_cut = (cuts.val < 0) & (np.isin(cuts.rec, positions) | np.isin(cuts.other, positions))
    partners = np.concatenate([cuts.rec[match_cut], cuts.other[match_cut]])

    _drop_rejects(state, positions)
    drop_overrides_of(state, positions)  # an erased record's overrides go with it
    state.records.alive[positions] = False
    state.records.person[positions] = -1
    for table in (state.postings.by_person, state.postings.by_hash):
        table.stale += len(positions)
    _drop_edges(state, rows)
    _forget_values(state, orphans)
    _scrub(state, positions)
    for codes in state.attr_codes.codes:  # attribute values (names) of erased records go too
        codes[positions] = -1
    if len(state.matches.frame):
        ends_l = state.matches.frame["rec_l"].to_numpy()
        ends_r = state.matches.frame["rec_r"].to_numpy()
        dead = ~(state.records.alive[ends_l] & state.records.alive[ends_r])
        if dead.any():
            state.matches.frame = state.matches.frame[~dead].reset_index(drop=True)
    _drop_cut_links(state, values=orphans)
    # A hub whose carriers now hold fewer distinct values may link again.
    kept = carried[state.value_codes.count[carried] > 0]
    unhubbed = refresh_hubs(state, kept)

    # Persons of alive records carrying a value that links again join the region.
    again = sorted_union(sorted_union(unlocked, relinked), unhubbed)
    partners = partners[state.records.alive[partners]]
    touched = sorted_union(
        affected, persons_of_values(state, again, before=len(state.records.alive))
    )
    touched = sorted_union(touched, state.records.person[partners])
    remaining = state.records.person[records_of_persons(state, affected)]
    vanished = sorted_difference(affected, remaining)
    done = resolve_persons(state, touched, np.empty(0, dtype=np.int64))
    log_vanished(state, vanished, "erased")
    return ChangeSet(
        records_removed=len(positions),
        new_persons=done.new_persons,
        removed_persons=vanished,
        merges=done.merges,
        splits=done.splits,
    )


# ---------------------------------------------------------------------------- expiry
def _record_times(state: GraphState, time_column: str) -> np.ndarray:
    """Per record position, ``time_column`` as UTC nanoseconds (NaT sentinel where unknown)."""
    times = np.full(len(state.records.alive), _NAT, dtype=np.int64)
    seen = False
    for batch in state.records.batches:  # one step per batch
        if time_column not in batch.attributes.columns:
            continue
        seen = True
        column = pd.to_datetime(batch.attributes[time_column], errors="coerce", utc=True)
        values = column.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        times[batch.start : batch.stop] = values.view(np.int64)
    if not seen:
        msg = f"no source keeps the time column {time_column!r}"
        raise MissingColumnError(msg, column=time_column)
    return times


def _twin_cells(state: GraphState, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells of other columns of the same kind that hold the value of links ``rows``.

    Two columns of one kind with the same value in one record give one link (a
    bulk load keeps the first); an expiry of that value empties both cells.
    """
    recs, vals = state.links.rec[rows], state.links.val[rows]
    kinds, specs = state.value_codes.kind[vals], state.links.spec[rows]
    out_rec, out_col = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=object)]
    for s, spec in enumerate(state.identifiers):  # one step per spec: a handful
        mine = np.flatnonzero((kinds == state.kind_index[spec.kind]) & (specs != s))
        if not len(mine):
            continue
        cells = record_cells(state, recs[mine], spec.column)
        _, keys, _ = column_keys(spec, cells)
        same = np.asarray(keys == state.value_codes.key[vals[mine]], dtype=bool)
        out_rec.append(recs[mine][same])
        out_col.append(np.full(int(same.sum()), spec.column, dtype=object))
    return np.concatenate(out_rec), np.concatenate(out_col)


def _cutoff(age: pd.Timedelta | pd.offsets.BaseOffset, now: object) -> int:
    stamp = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)  # type: ignore[arg-type]
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    # Calendar offsets ("3MS") step in the present's own time zone.
    cutoff = (stamp - age).tz_convert("UTC").tz_localize(None)
    return int(cutoff.as_unit("ns").value)


def expire_values(
    state: GraphState,
    older_than: str | pd.Timedelta | pd.offsets.BaseOffset,
    *,
    kinds: Sequence[str],
    time_column: str,
    now: object = None,
) -> ChangeSet:
    """Forget the values of ``kinds`` whose carriers were all last seen before the cutoff.

    See :meth:`IdentityGraph.expire`.
    """
    age = parse_age(older_than)
    if isinstance(kinds, str):
        kinds = [kinds]
    known = {p.name: i for i, p in enumerate(state.policies)}
    unknown = [k for k in kinds if k not in known]
    if unknown:
        msg = f"unknown identifier kinds {unknown}; the graph has {sorted(known)}"
        raise ConfigError(msg)
    cutoff = _cutoff(age, now)
    times = _record_times(state, time_column)
    wanted = [known[k] for k in kinds]
    rows = np.flatnonzero(np.isin(state.value_codes.kind[state.links.val], wanted))
    if not len(rows):
        return ChangeSet()
    val = state.links.val[rows]
    when = times[state.links.rec[rows]]
    values, inverse = np.unique(val, return_inverse=True)
    latest = np.full(len(values), _NAT, dtype=np.int64)
    np.maximum.at(latest, inverse, when)
    earliest = np.full(len(values), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, inverse, when)
    # A value expires when every carrier has a time and the latest is before the cutoff.
    expired = values[(latest < cutoff) & (earliest > _NAT)]
    if not len(expired):
        return ChangeSet()
    gone = rows[np.isin(val, expired)]
    carriers = state.links.rec[gone]
    affected = state.records.person[sorted_unique(carriers)]
    affected = sorted_unique(affected[affected >= 0])
    columns = np.array([state.identifiers[s].column for s in state.links.spec[gone]], dtype=object)
    twin_rec, twin_col = _twin_cells(state, gone)
    _scrub(state, np.concatenate([carriers, twin_rec]), np.concatenate([columns, twin_col]))
    state.value_codes.count[expired] = 0
    _drop_edges(state, gone)
    _forget_values(state, expired)
    _drop_cut_links(state, values=expired)
    # The carriers' other values lost a distinct value of this kind: a hub may link again.
    others = sorted_unique(state.links.val[state.links.rows_of(sorted_unique(carriers))])
    unhubbed = refresh_hubs(state, others)
    if len(unhubbed):
        again = persons_of_values(state, unhubbed, before=len(state.records))
        affected = sorted_union(affected, again)
    done = resolve_persons(state, affected, np.empty(0, dtype=np.int64))
    remaining = state.records.person[records_of_persons(state, affected)]
    gone_ids = sorted_difference(
        sorted_difference(affected, remaining), done.merges["old_id"].to_numpy()
    )
    log_vanished(state, gone_ids, "expired")
    return done
