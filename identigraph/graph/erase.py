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

from identigraph.errors import ConfigError, InputError, MissingColumnError, UnknownPersonError
from identigraph.graph._incremental import (
    batch_starts,
    edge_rows,
    persons_of_values,
    records_of_persons,
)
from identigraph.graph.changes import ChangeSet
from identigraph.graph.core import segment_of

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["expire_values", "parse_age", "record_positions", "remove_records"]

_NAT = np.iinfo(np.int64).min
# Largest batch an erasure rewrites whole; larger ones are cut into pieces this size.
_PIECE = 1 << 16
# Link deletions in fewer runs than this copy the slices between them, else use a mask.
_FEW_RUNS = 256


# ---------------------------------------------------------------------------- inputs
def record_positions(
    g: IdentityGraph,
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
            parts.append(g._positions(sources, ids))
    if person is not None:
        try:
            wanted = np.atleast_1d(np.asarray(person, dtype=np.int64))
        except (TypeError, ValueError, OverflowError) as err:
            msg = f"person must be a person id (int) or a sequence of them, got {person!r}"
            raise InputError(msg) from err
        found = records_of_persons(g, wanted)
        missing_ids = np.setdiff1d(wanted, g._person[found])
        if len(missing_ids):
            msg = f"persons not in the graph: {missing_ids[:10].tolist()}"
            raise UnknownPersonError(msg)
        parts.append(found)
    return np.unique(np.concatenate(parts))


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
    """``column`` with ``rows`` emptied: missing, or 0/False where the dtype has no missing."""
    keep = np.ones(len(column), dtype=bool)
    keep[rows] = False
    blanked: pd.Series
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        blanked = column.where(keep, column.dtype.type(0))
    else:
        blanked = column.where(keep)
    return blanked


def _split_big_batches(g: IdentityGraph, positions: np.ndarray) -> None:
    """Cut the large batches holding ``positions`` into pieces of their own memory.

    Emptying a cell rewrites its whole column; in pieces of at most ``_PIECE`` rows
    an erasure rewrites one piece, and the copies (``take``) let the old buffers,
    erased values included, be freed. Done once per large batch, at its first erasure.
    """
    touched = set(segment_of(batch_starts(g), positions).tolist())
    big = {b for b in touched if len(g._batches[b].ids) > _PIECE}
    if not big:
        return
    batches = []
    for b, batch in enumerate(g._batches):  # one step per batch
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
    g._batches = batches
    g._batch_starts = np.empty(0, dtype=np.int64)


def _scrub(g: IdentityGraph, positions: np.ndarray, columns: np.ndarray | None = None) -> None:
    """Empty the kept attributes of records (all columns, or one column per record)."""
    if not len(positions):
        return
    _split_big_batches(g, positions)
    batch_of = segment_of(batch_starts(g), positions)
    for b in np.unique(batch_of).tolist():  # one step per batch holding an erased record
        batch = g._batches[b]
        mine = batch_of == b
        rows = positions[mine] - batch.start
        frame = batch.attributes.copy(deep=False)
        for i, name in enumerate(frame.columns):  # one step per attribute column
            hit = rows if columns is None else rows[columns[mine] == name]
            if len(hit):
                frame.isetitem(i, _blank(frame.iloc[:, i], hit))
        batch.attributes = frame


def _drop_edges(g: IdentityGraph, rows: np.ndarray) -> None:
    """Delete identifier links by their position in the edge arrays (keeps them sorted)."""
    if not len(rows):
        return
    rows = np.unique(rows)
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if len(breaks) < _FEW_RUNS:
        # Few runs of rows (one per erased record): copy the slices between them.
        starts, stops = rows[np.r_[0, breaks]], rows[np.r_[breaks - 1, len(rows) - 1]] + 1
        lows, highs = np.r_[0, stops].tolist(), np.r_[starts, len(g._edge_rec)].tolist()
        spans = list(zip(lows, highs, strict=True))
        for name in ("_edge_rec", "_edge_val", "_edge_spec"):  # one step per link array
            array = getattr(g, name)
            setattr(g, name, np.concatenate([array[a:b] for a, b in spans]))
    else:
        keep = np.ones(len(g._edge_rec), dtype=bool)
        keep[rows] = False
        g._edge_rec = g._edge_rec[keep]
        g._edge_val = g._edge_val[keep]
        g._edge_spec = g._edge_spec[keep]
    g._by_value.stale += len(rows)


def _forget_values(g: IdentityGraph, codes: np.ndarray) -> None:
    """Drop value codes no alive record carries from the key dictionaries."""
    if not len(codes):
        return
    g._val_key[codes] = None
    kind_names = [p.name for p in g._policies]
    kinds = g._val_kind[codes]
    for k in np.unique(kinds).tolist():  # one step per identifier kind
        index = g._values.get(kind_names[k])
        if index is not None:
            index.drop(codes[kinds == k])


def _drop_cut_links(g: IdentityGraph, *, values: np.ndarray | None = None) -> None:
    """Forget cut links of dead records (and of the given values)."""
    cuts = g._cuts
    if not len(cuts):
        return
    keep = g._rec_alive[cuts.rec] & ((cuts.other < 0) | g._rec_alive[np.maximum(cuts.other, 0)])
    if values is not None and len(values):
        keep &= ~np.isin(cuts.val, values)
    if not keep.all():
        g._cuts = cuts.take(keep)


def _drop_rejects(g: IdentityGraph, positions: np.ndarray) -> None:
    if not g._rejects:
        return
    sources = g._rec_source[positions]
    kept = []
    for frame in g._rejects:  # one step per reject frame (small ones are merged)
        gone = np.zeros(len(frame), dtype=bool)
        for code in np.unique(sources).tolist():  # one step per source of an erased record
            name = g._sources[code]
            ids = _record_ids_at(g, positions[sources == code])
            gone |= (frame["source"] == name).to_numpy() & frame["record_id"].isin(ids).to_numpy()
        rest = frame[~gone].reset_index(drop=True) if gone.any() else frame
        if len(rest):
            kept.append(rest)
    g._rejects = kept


def _record_ids_at(g: IdentityGraph, positions: np.ndarray) -> list[object]:
    batch_of = segment_of(batch_starts(g), positions)
    out: list[object] = []
    for b in np.unique(batch_of).tolist():  # one step per batch holding an erased record
        batch = g._batches[b]
        out.extend(batch.ids[positions[batch_of == b] - batch.start].tolist())
    return out


def remove_records(g: IdentityGraph, positions: np.ndarray) -> ChangeSet:
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
    positions = np.unique(positions)
    if not len(positions):
        return ChangeSet()
    affected = g._person[positions]
    affected = np.unique(affected[affected >= 0])
    rows = edge_rows(g, positions)
    carried, counts = np.unique(g._edge_val[rows], return_counts=True)
    was_generic = g._generic_mask(carried)
    g._val_count[carried] -= counts
    unlocked = carried[was_generic & ~g._generic_mask(carried)]
    orphans = carried[g._val_count[carried] == 0]
    # Cut links the removed records took part in may be kept once they are gone:
    # the other carriers of their cut (or shared) values and the other ends of
    # their cut match edges are re-resolved with them.
    cuts = g._cuts
    cut_values = np.union1d(cuts.val[cuts.val >= 0], g._shared)
    relinked = carried[np.isin(carried, cut_values)]
    match_cut = (cuts.val < 0) & (np.isin(cuts.rec, positions) | np.isin(cuts.other, positions))
    partners = np.concatenate([cuts.rec[match_cut], cuts.other[match_cut]])

    _drop_rejects(g, positions)
    g._rec_alive[positions] = False
    g._person[positions] = -1
    for table in (g._by_person, g._by_hash):
        table.stale += len(positions)
    _drop_edges(g, rows)
    _forget_values(g, orphans)
    _scrub(g, positions)
    for codes in g._attr.codes:  # attribute values (names) of erased records go too
        codes[positions] = -1
    if len(g._match):
        ends_l = g._match["rec_l"].to_numpy()
        ends_r = g._match["rec_r"].to_numpy()
        dead = ~(g._rec_alive[ends_l] & g._rec_alive[ends_r])
        if dead.any():
            g._match = g._match[~dead].reset_index(drop=True)
    _drop_cut_links(g, values=orphans)

    # Persons of alive records carrying a value that links again join the region.
    again = np.union1d(unlocked, relinked)
    partners = partners[g._rec_alive[partners]]
    touched = np.union1d(affected, persons_of_values(g, again, before=len(g._rec_alive)))
    touched = np.union1d(touched, g._person[partners])
    remaining = g._person[records_of_persons(g, affected)]
    vanished = np.setdiff1d(affected, remaining)
    done = g._finish(g._resolve(touched, np.empty(0, dtype=np.int64)))
    return ChangeSet(
        records_removed=len(positions),
        new_persons=done.new_persons,
        removed_persons=vanished,
        merges=done.merges,
        splits=done.splits,
    )


# ---------------------------------------------------------------------------- expiry
def _record_times(g: IdentityGraph, time_column: str) -> np.ndarray:
    """Per record position, ``time_column`` as UTC nanoseconds (NaT sentinel where unknown)."""
    times = np.full(len(g._rec_alive), _NAT, dtype=np.int64)
    seen = False
    for batch in g._batches:  # one step per batch
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


def _cutoff(age: pd.Timedelta | pd.offsets.BaseOffset, now: object) -> int:
    stamp = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)  # type: ignore[arg-type]
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    # Calendar offsets ("3MS") step in the present's own time zone.
    cutoff = (stamp - age).tz_convert("UTC").tz_localize(None)
    return int(cutoff.as_unit("ns").value)


def expire_values(
    g: IdentityGraph,
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
    known = {p.name: i for i, p in enumerate(g._policies)}
    unknown = [k for k in kinds if k not in known]
    if unknown:
        msg = f"unknown identifier kinds {unknown}; the graph has {sorted(known)}"
        raise ConfigError(msg)
    cutoff = _cutoff(age, now)
    times = _record_times(g, time_column)
    rows = np.flatnonzero(np.isin(g._val_kind[g._edge_val], [known[k] for k in kinds]))
    if not len(rows):
        return ChangeSet()
    val = g._edge_val[rows]
    when = times[g._edge_rec[rows]]
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
    carriers = g._edge_rec[gone]
    affected = g._person[np.unique(carriers)]
    affected = np.unique(affected[affected >= 0])
    columns = np.array([g.identifiers[s].column for s in g._edge_spec[gone]], dtype=object)
    _scrub(g, carriers, columns)
    g._val_count[expired] = 0
    _drop_edges(g, gone)
    _forget_values(g, expired)
    _drop_cut_links(g, values=expired)
    return g._finish(g._resolve(affected, np.empty(0, dtype=np.int64)))
