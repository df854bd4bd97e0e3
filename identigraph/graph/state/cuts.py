"""Links cut by per-person limits, the shared values, and their sorted indexes.

The split itself is :func:`identigraph.graph.core.enforce_limits`, a pure
function; :func:`identigraph.graph.ops.resolve.record_cuts` writes what it cut
here, and :func:`identigraph.graph.views.conflicts.conflicts_frame` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from identigraph._unique import sorted_unique
from identigraph.graph.core import equal_ranges
from identigraph.graph.state.tables import require

__all__ = ["CutLinks", "CutTable"]

_NO_INDEX = np.empty(0, dtype=np.int64)


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

    def alive_mask(self, alive: np.ndarray) -> np.ndarray:
        """Which cut links have their records (both, for a match edge) alive."""
        other_alive = (self.other < 0) | alive[np.maximum(self.other, 0)]
        mask: np.ndarray = alive[self.rec] & other_alive
        return mask

    def alive(self, alive: np.ndarray) -> CutLinks:
        """The cut links whose records (both, for a match edge) are alive."""
        return self.take(self.alive_mask(alive)) if len(self) else self


@dataclass(slots=True, repr=False)
class CutTable:
    """The graph's cut links and shared values, with two sorted indexes over them.

    Attributes
    ----------
    links : CutLinks
        Every cut link; replaced, never edited in place.
    shared : numpy.ndarray of int64
        Sorted codes of the shared values (``on_shared="unlink"``); their links are
        listed in ``links`` too.
    values_cache, ends_cache
        The sorted cut values and the sorted cut ends of ``links``
        (:meth:`values`, :meth:`ends`), each naming the table it was made from.
    """

    links: CutLinks = field(default_factory=CutLinks.empty)
    shared: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    values_cache: tuple[CutLinks, np.ndarray] | None = None
    ends_cache: tuple[CutLinks, np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:
        return f"CutTable(links={len(self.links)}, shared={len(self.shared)})"

    def __len__(self) -> int:
        return len(self.links)

    def values(self) -> np.ndarray:
        """Values of the cut identifier links, sorted, one per link; cached per table."""
        cuts = self.links
        cached = self.values_cache
        if cached is None or cached[0] is not cuts:
            cached = (cuts, np.sort(cuts.val[cuts.val >= 0]))
            self.values_cache = cached
        return cached[1]

    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Record positions at the ends of the cut links, and the row of each.

        Every cut link has one end (``rec``), a cut match edge a second (``other``).
        The pairs ``(end, row)`` are sorted, so the cut links of any set of records
        are found by binary search; cached per table, like :meth:`values`.
        """
        cuts = self.links
        cached = self.ends_cache
        if cached is None or cached[0] is not cuts:
            match = np.flatnonzero(cuts.other >= 0)
            ends = np.concatenate([cuts.rec, cuts.other[match]])
            rows = np.concatenate([np.arange(len(cuts), dtype=np.int64), match])
            order = np.lexsort((rows, ends))
            cached = (cuts, ends[order], rows[order])
            self.ends_cache = cached
        return cached[1], cached[2]

    def rows_of(self, records: np.ndarray) -> np.ndarray:
        """Rows of the cut links with an end among ``records`` (sorted, unique)."""
        if not len(self.links):
            return _NO_INDEX
        ends, rows = self.ends()
        found = rows[equal_ranges(ends, np.asarray(records, dtype=np.int64))]
        return sorted_unique(found)

    def replace(self, gone: np.ndarray, new: CutLinks) -> np.ndarray:
        """Drop the rows ``gone`` (sorted, unique), append ``new``; the kept-rows mask.

        The caches are carried over instead of sorted again: dropped entries leave
        the sorted arrays and new ones are inserted (``searchsorted`` and memory
        moves, O(cut links), no sort of them).
        """
        old = self.links
        keep = np.ones(len(old), dtype=bool)
        keep[gone] = False
        self.links = old.take(keep).concat(new)
        self._carry_values(old, keep)
        self._carry_ends(old, keep, gone)
        return keep

    def _carry_values(self, old: CutLinks, keep: np.ndarray) -> None:
        cached = self.values_cache
        if cached is None or cached[0] is not old:
            return  # computed afresh when next asked for
        values = cached[1]
        gone = np.sort(old.val[~keep & (old.val >= 0)])
        if len(gone):  # equal values leave from consecutive positions
            rank = np.arange(len(gone)) - np.searchsorted(gone, gone, side="left")
            values = np.delete(values, np.searchsorted(values, gone, side="left") + rank)
        added = np.sort(self.links.val[int(keep.sum()) :])  # new rows follow the kept ones
        added = added[added >= 0]
        self.values_cache = (self.links, np.insert(values, np.searchsorted(values, added), added))

    def _carry_ends(self, old: CutLinks, keep: np.ndarray, gone: np.ndarray) -> None:
        cached = self.ends_cache
        if cached is None or cached[0] is not old:
            return  # computed afresh when next asked for
        ends, rows = cached[1], cached[2]
        if len(gone):
            stay = keep[rows]
            ends, rows = ends[stay], (np.cumsum(keep) - 1)[rows[stay]]
        cuts = self.links
        first = len(old) - len(gone)  # the new rows follow the kept ones
        match = np.flatnonzero(cuts.other[first:] >= 0) + first
        new_ends = np.concatenate([cuts.rec[first:], cuts.other[match]])
        new_rows = np.concatenate([np.arange(first, len(cuts), dtype=np.int64), match])
        order = np.lexsort((new_rows, new_ends))
        new_ends, new_rows = new_ends[order], new_rows[order]
        # New rows number after every kept one: after equal ends, (end, row) stays sorted.
        at = np.searchsorted(ends, new_ends, side="right")
        self.ends_cache = (cuts, np.insert(ends, at, new_ends), np.insert(rows, at, new_rows))

    def check(self, alive: np.ndarray) -> None:
        """Every cut link's records alive; shared values sorted, unique, and cut."""
        cuts = self.links
        if len(cuts):
            require(alive[cuts.rec].all(), "every cut link's record is alive")
            other = cuts.other[cuts.other >= 0]
            require(alive[other].all(), "every cut match edge's other record is alive")
        if len(self.shared):
            require((np.diff(self.shared) > 0).all(), "shared values are sorted and unique")
