"""Manual overrides: must-links and cannot-links between records, kept by the graph."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from identigraph._unique import sorted_unique
from identigraph.graph.core import equal_ranges, region_index
from identigraph.graph.state.tables import require

__all__ = ["CANNOT_LINK", "MUST_LINK", "OVERRIDE_KINDS", "OverrideTable"]

#: Kind codes of the table: a must-link joins two records, a cannot-link keeps them apart.
MUST_LINK, CANNOT_LINK = 0, 1
#: Names of the kind codes, as :meth:`IdentityGraph.overrides` shows them.
OVERRIDE_KINDS = ("must_link", "cannot_link")

_NO_INDEX = np.empty(0, dtype=np.int64)


@dataclass(slots=True, repr=False)
class OverrideTable:
    """Must-links and cannot-links, one row each, between two alive records.

    Attributes
    ----------
    kind : numpy.ndarray of int8
        ``MUST_LINK`` or ``CANNOT_LINK``.
    a, b : numpy.ndarray of int64
        Record positions, ``a < b``.
    reason : numpy.ndarray of object
        The steward's reason (text), as given.
    time : numpy.ndarray of int64
        When each was added (UTC nanoseconds).
    oid : numpy.ndarray of int64
        Stable id of each override (ascending); a cut made for a cannot-link names it.
    next_oid : int
        The id of the next override.

    Examples
    --------
    >>> import numpy as np
    >>> table = OverrideTable()
    >>> table.append(np.array([1]), np.array([4]), np.array([2]), ["same"], 0).tolist()
    [0]
    >>> len(table), table.rows_of(np.array([2])).tolist()
    (1, [0])
    """

    kind: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    a: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    b: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    reason: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    time: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    oid: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    next_oid: int = 0
    ends_cache: tuple[np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:  # counts only: reasons may name people
        must = int((self.kind == MUST_LINK).sum())
        return f"OverrideTable(must_links={must}, cannot_links={len(self) - must})"

    def __len__(self) -> int:
        return len(self.kind)

    def append(
        self,
        kind: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        reason: list[str] | np.ndarray,
        time: int | np.ndarray,
    ) -> np.ndarray:
        """Add overrides (ends in any order); returns their ids."""
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        oid = np.arange(self.next_oid, self.next_oid + len(a), dtype=np.int64)
        self.next_oid += len(a)
        self.kind = np.concatenate([self.kind, np.asarray(kind, dtype=np.int8)])
        self.a = np.concatenate([self.a, lo])
        self.b = np.concatenate([self.b, hi])
        self.reason = np.concatenate([self.reason, np.asarray(reason, dtype=object)])
        self.time = np.concatenate([self.time, np.broadcast_to(np.asarray(time, np.int64), len(a))])
        self.oid = np.concatenate([self.oid, oid])
        self.ends_cache = None
        return oid

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows of ``mask``."""
        for name in ("kind", "a", "b", "reason", "time", "oid"):  # one step per column
            setattr(self, name, getattr(self, name)[mask])
        self.ends_cache = None

    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Both ends of every override, sorted, and the row of each; cached."""
        if self.ends_cache is None:
            ends = np.concatenate([self.a, self.b])
            rows = np.concatenate([np.arange(len(self)), np.arange(len(self))]).astype(np.int64)
            order = np.lexsort((rows, ends))
            self.ends_cache = (ends[order], rows[order])
        return self.ends_cache

    def rows_of(self, records: np.ndarray) -> np.ndarray:
        """Rows of the overrides with an end among ``records`` (sorted, unique)."""
        if not len(self):
            return _NO_INDEX
        ends, rows = self.ends()
        return sorted_unique(rows[equal_ranges(ends, np.asarray(records, dtype=np.int64))])

    def within(self, region: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows with both ends in ``region`` (sorted positions) and their region indexes.

        Cost: O(q log n) for the smaller side q of region and overrides, the larger n;
        O(overrides) for a region of consecutive positions (a build).
        """
        if len(region) > len(self):  # a large region (a build): look the ends up in it
            rows = np.arange(len(self), dtype=np.int64)
        else:
            rows = self.rows_of(region)
        if not len(rows):
            return rows, rows, rows
        if len(region) and int(region[-1]) - int(region[0]) + 1 == len(region):
            # Consecutive positions (a build's region): the index is the offset.
            ia, ib = self.a[rows] - region[0], self.b[rows] - region[0]
            inside = len(region)
            ia = np.where((ia >= 0) & (ia < inside), ia, -1)
            ib = np.where((ib >= 0) & (ib < inside), ib, -1)
        else:
            ia, ib = region_index(region, self.a[rows]), region_index(region, self.b[rows])
        both = (ia >= 0) & (ib >= 0)
        return rows[both], ia[both], ib[both]

    def check(self, alive: np.ndarray, person: np.ndarray | None = None) -> None:
        """Ends alive and ordered, ids ascending; once resolved, every override holds."""
        if not len(self):
            return
        require(np.isin(self.kind, (MUST_LINK, CANNOT_LINK)).all(), "override kinds are known")
        require((self.a < self.b).all(), "an override joins two records, smaller first")
        require(alive[self.a].all() and alive[self.b].all(), "every override's records alive")
        require((np.diff(self.oid) > 0).all(), "override ids ascend")
        require(int(self.oid[-1]) < self.next_oid, "override ids are below the next id")
        if person is None:
            return
        same = person[self.a] == person[self.b]
        must = self.kind == MUST_LINK
        require(same[must].all(), "the records of every must-link are one person")
        require(not same[~must].any(), "the records of every cannot-link are two persons")
