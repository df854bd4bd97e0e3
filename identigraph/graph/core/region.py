"""One region of records resolved into persons: components, limits, person ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from identigraph.errors import ConfigError
from identigraph.graph.core._kruskal import Alike
from identigraph.graph.core.codes import dense_codes
from identigraph.graph.core.components import connected_components
from identigraph.graph.core.limits import MATCH_PRIORITY, LimitSplit, enforce_limits
from identigraph.graph.core.person_ids import IssuedIdLookup, assign_ids
from identigraph.graph.core.survivor import SurvivorPolicy

__all__ = ["KindLimits", "RegionResult", "resolve_region"]

_NO_INDEX = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True, kw_only=True)
class KindLimits:
    """Per-person limits of a region: one entry per identifier kind, one per attribute.

    Attributes
    ----------
    limits : numpy.ndarray of int64
        Most distinct values of each kind a person may hold; ``0``: no limit.
    priorities : numpy.ndarray of float
        Strength of each kind's links; weaker links are cut first.
    unlink : numpy.ndarray of bool
        Kinds whose values become shared (link nobody) once one of their links is cut.
    attr_caps : sequence of int
        Most mutually unlike values of each attribute a person may hold.
    attr_alike : sequence of callable or None
        For each attribute, ``alike(code, code)`` or ``None`` (equal codes only).
    match_priority : float
        Strength of match edges against the kinds.
    """

    limits: np.ndarray
    priorities: np.ndarray
    unlink: np.ndarray
    attr_caps: Sequence[int] = ()
    attr_alike: Sequence[Alike | None] = ()
    match_priority: float = MATCH_PRIORITY

    def __post_init__(self) -> None:
        if not len(self.limits) == len(self.priorities) == len(self.unlink):
            msg = "limits, priorities and unlink need one entry per kind"
            raise ConfigError(msg)
        if len(self.attr_caps) != len(self.attr_alike):
            msg = "attr_caps and attr_alike need one entry per attribute"
            raise ConfigError(msg)

    @property
    def active(self) -> bool:
        """Whether any kind or attribute limits a person."""
        return bool((np.asarray(self.limits) > 0).any()) or bool(len(self.attr_caps))


@dataclass(frozen=True, slots=True)
class RegionResult:
    """Result of :func:`resolve_region`.

    Attributes
    ----------
    labels : numpy.ndarray of int64
        Person (component) of each region record, ``0 .. k-1`` in order of its
        smallest record.
    ids : numpy.ndarray of int64
        Person id of each component.
    fresh : numpy.ndarray of bool
        Which components got a new id.
    changes : pandas.DataFrame
        ``old_id, new_id, reason`` (``"merge"`` or ``"split"``), as
        :func:`assign_ids` returns them.
    values : numpy.ndarray of int64
        The distinct value codes of the region's links (ascending).
    link_value : numpy.ndarray of int64
        Index in ``values`` of each link's value.
    split : LimitSplit or None
        The cuts of the per-person limits (link and match-edge indices, shared
        values as indices into ``values``); ``None`` when no limit applies.
    """

    labels: np.ndarray
    ids: np.ndarray
    fresh: np.ndarray
    changes: pd.DataFrame
    values: np.ndarray
    link_value: np.ndarray
    split: LimitSplit | None

    @property
    def person_ids(self) -> np.ndarray:
        """Person id of each region record."""
        out: np.ndarray = self.ids[self.labels]
        return out


def resolve_region(
    n_records: int,
    link_rec: np.ndarray,
    link_val: np.ndarray,
    *,
    record_hash: np.ndarray,
    old_ids: np.ndarray,
    issued: IssuedIdLookup,
    match_l: np.ndarray = _NO_INDEX,
    match_r: np.ndarray = _NO_INDEX,
    match_probability: np.ndarray | None = None,
    value_kind: np.ndarray | None = None,
    value_hash: np.ndarray | Callable[[np.ndarray], np.ndarray] | None = None,
    limits: KindLimits | None = None,
    attr_codes: Sequence[np.ndarray] = (),
    n_codes: int | None = None,
    survivor: SurvivorPolicy | None = None,
    has_source: np.ndarray | None = None,
    must_l: np.ndarray = _NO_INDEX,
    must_r: np.ndarray = _NO_INDEX,
    apart_l: np.ndarray = _NO_INDEX,
    apart_r: np.ndarray = _NO_INDEX,
) -> RegionResult:
    """Persons of a region of records: components, per-person limits, stable ids.

    A region is a set of records closed under links: every record of every person
    it touches. The pandas engine calls this for the records an update touches (or
    every record, for a build); a distributed backend for each partition of
    whole components.

    Parameters
    ----------
    n_records : int
        Records of the region are ``0 .. n_records-1``.
    link_rec, link_val : numpy.ndarray of int
        Usable identifier links (generic values already left out): record index
        and value code (any non-negative integers; equal codes link).
    record_hash : numpy.ndarray of uint64
        Stable hash of each record (:func:`record_hashes`).
    old_ids : numpy.ndarray of int64
        Person id each record had, ``-1`` for new records.
    issued : IssuedIdLookup
        The person ids issued so far; new ids never reuse one.
    match_l, match_r : numpy.ndarray of int
        Match edges between region records.
    match_probability : numpy.ndarray of float, optional
        Probability of each match edge (1 when left out).
    value_kind : numpy.ndarray of int, optional
        Kind of each value code (indexed by code); needed with ``limits``.
    value_hash : numpy.ndarray of uint64 or callable, optional
        Stable hash of each value code, or a function of an array of codes;
        needed with ``limits``.
    limits : KindLimits, optional
        Per-person limits; none by default.
    attr_codes : sequence of numpy.ndarray of int, optional
        For each attribute of ``limits``, the code of every region record's value.
    n_codes : int, optional
        Every value code is below this: a hint that the region holds most codes
        (a build), so that they are numbered without a sort.
    survivor : SurvivorPolicy, optional
        Which old id survives a merge and which part keeps it on a split
        (:func:`assign_ids`); the default policy when left out.
    has_source : numpy.ndarray of bool, optional
        ``(n_records, len(survivor.sources))``: whether each record is of each
        source the survivor policy ranks by.
    must_l, must_r : numpy.ndarray of int, optional
        Must-links between region records: edges that no limit cuts.
    apart_l, apart_r : numpy.ndarray of int, optional
        Cannot-links between region records, enforced by cutting the weakest links
        between their ends (:func:`enforce_limits`); they need ``limits`` (with no
        kind limited, if none is).

    Returns
    -------
    RegionResult

    Examples
    --------
    Three records: 0 and 1 share value 10, record 2 is new and alone.

    >>> import numpy as np
    >>> from identigraph.graph.core import NoIssuedIds
    >>> out = resolve_region(
    ...     3, np.array([0, 1]), np.array([10, 10]),
    ...     record_hash=np.array([5, 6, 7], dtype=np.uint64),
    ...     old_ids=np.full(3, -1), issued=NoIssuedIds())
    >>> out.labels.tolist(), out.fresh.tolist(), len(out.changes)
    ([0, 0, 1], [True, True], 0)
    >>> int(out.ids[0]) == 5  # a fresh id derives from the smallest record hash
    True

    Notes
    -----
    Components over the records alone: every carrier of a value links to one
    carrier of it (a star in place of a value node), so a value carried once
    drops out. Cost: O(links) to number the values (O(links log links) without
    ``n_codes``), one sparse connected-components pass, the limit split of the
    components that break a limit (:func:`enforce_limits`), and the id
    carry-over (:func:`assign_ids`), O(n log n).
    """
    link_rec = np.asarray(link_rec, dtype=np.int64)
    values, value_of = dense_codes(link_val, universe=n_codes)
    carrier = np.empty(len(values), dtype=np.int64)
    carrier[value_of] = link_rec  # any one carrier: the partition is the same
    star = link_rec != carrier[value_of]
    a = np.concatenate(
        [link_rec[star], np.asarray(match_l, dtype=np.int64), np.asarray(must_l, dtype=np.int64)]
    )
    b = np.concatenate(
        [
            carrier[value_of[star]],
            np.asarray(match_r, dtype=np.int64),
            np.asarray(must_r, dtype=np.int64),
        ]
    )
    record_labels = connected_components(n_records, a, b)
    split = None
    if len(apart_l) and limits is None:
        msg = "cannot-links need limits (with no kind limited, if none is)"
        raise ConfigError(msg)
    if limits is not None and (limits.active or len(apart_l)):
        if value_kind is None or value_hash is None:
            msg = "limits need value_kind and value_hash"
            raise ConfigError(msg)
        # Records first, then the region's values, as the limit split reads them.
        labels = np.concatenate([record_labels, record_labels[carrier]])
        hashes = value_hash
        local_hash = (
            (lambda idx: hashes(values[idx])) if callable(hashes) else np.asarray(hashes)[values]
        )
        split = enforce_limits(
            labels,
            n_records,
            link_rec,
            value_of,
            np.asarray(value_kind)[values].astype(np.int64),
            limits.limits,
            limits.priorities,
            record_hash,
            local_hash,
            np.asarray(match_l, dtype=np.int64),
            np.asarray(match_r, dtype=np.int64),
            match_probability,
            match_priority=limits.match_priority,
            attr_codes=attr_codes,
            attr_caps=limits.attr_caps,
            attr_alike=limits.attr_alike,
            unlink=limits.unlink if np.asarray(limits.unlink).any() else None,
            must_l=must_l,
            must_r=must_r,
            apart_l=apart_l,
            apart_r=apart_r,
        )
        record_labels = split.labels
    ids, fresh, changes = assign_ids(
        record_labels, old_ids, record_hash, issued, policy=survivor, has_source=has_source
    )
    return RegionResult(record_labels, ids, fresh, changes, values, value_of, split)
