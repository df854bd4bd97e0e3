"""What the last resolution changed that a steward should look at: size jumps, new generics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from identigraph._unique import sorted_union, sorted_unique

__all__ = ["JUMP_FACTOR", "DriftLog"]

#: A person's size *jumped* when it at least doubled (and grew by two records or more).
JUMP_FACTOR = 2

_NO_INDEX = np.empty(0, dtype=np.int64)


@dataclass(slots=True, repr=False)
class DriftLog:
    """Size jumps and newly generic values of the last resolution, and the generics seen.

    Small by design: only the persons that jumped, only the values that turned
    generic, and the sorted codes of every value seen generic so far.

    Attributes
    ----------
    jump_person, jump_before, jump_after : numpy.ndarray of int64
        Persons whose size jumped in the last resolution: their id, the records of
        the largest person they came from, and their records now.
    new_generic : numpy.ndarray of int64
        Value codes that turned generic in the last resolution (sorted).
    generic_seen : numpy.ndarray of int64
        Every value code seen generic so far (sorted).
    generation : int
        The resolution these describe.

    Examples
    --------
    >>> import numpy as np
    >>> log = DriftLog()
    >>> log.note(3, np.array([9, 1, 9, 9, 9]), np.array([5, -1, 5, -1, -1]),
    ...          np.array([0, 1, 0, 0, 0]), np.array([7]))
    >>> log.jump_person.tolist(), log.jump_before.tolist(), log.jump_after.tolist()
    ([9], [2], [4])
    """

    jump_person: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    jump_before: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    jump_after: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    new_generic: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    generic_seen: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    generation: int = 0

    def __repr__(self) -> str:
        return f"DriftLog(jumps={len(self.jump_person)}, new_generic={len(self.new_generic)})"

    def note(
        self,
        generation: int,
        new_ids: np.ndarray,
        old_ids: np.ndarray,
        labels: np.ndarray,
        generic: np.ndarray,
    ) -> None:
        """Record one resolution of a region.

        Parameters
        ----------
        generation : int
            The resolution.
        new_ids, old_ids : numpy.ndarray of int64
            Person id of each region record after and before (``-1``: new record).
        labels : numpy.ndarray of int
            Component of each region record.
        generic : numpy.ndarray of int64
            Codes of the generic values the region's records carry.

        Notes
        -----
        O(n log n) for the n records of the region.
        """
        self.generation = generation
        n_comp = int(labels.max()) + 1 if len(labels) else 0
        after = np.bincount(labels, minlength=n_comp)
        before = np.zeros(n_comp, dtype=np.int64)
        has_old = old_ids >= 0
        if has_old.any():
            _, inverse, counts = np.unique(
                old_ids[has_old], return_inverse=True, return_counts=True
            )
            np.maximum.at(before, labels[has_old], counts[inverse.reshape(-1)])
        jumped = (before > 0) & (after >= JUMP_FACTOR * before) & (after - before >= 2)
        comp_id = np.zeros(n_comp, dtype=np.int64)
        comp_id[labels] = new_ids
        self.jump_person = comp_id[jumped]
        self.jump_before = before[jumped]
        self.jump_after = after[jumped].astype(np.int64)
        generic = sorted_unique(np.asarray(generic, dtype=np.int64))
        fresh = np.setdiff1d(generic, self.generic_seen, assume_unique=True)
        self.new_generic = fresh
        if len(fresh):
            self.generic_seen = sorted_union(self.generic_seen, fresh)
