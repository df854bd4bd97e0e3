"""Every person id a graph ever issued, with the generation that issued it."""

from __future__ import annotations

import numpy as np

from identigraph.graph.state.postings import Postings

__all__ = ["IssuedIds"]


class IssuedIds:
    """Every person id ever issued, with the generation that issued it.

    New ids never reuse an issued one, so an id that left (merged away, erased)
    never comes back for another person. Look-ups binary-search a few sorted runs.

    Examples
    --------
    >>> import numpy as np
    >>> issued = IssuedIds()
    >>> issued.add(np.array([42, 7]), generation=1)
    >>> issued.contains(np.array([7, 8])).tolist(), issued.born(np.array([42, 8])).tolist()
    ([True, False], [1, -1])
    """

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table = Postings()

    def __len__(self) -> int:
        return len(self._table)

    def add(self, ids: np.ndarray, *, generation: int | np.ndarray) -> None:
        """Record ``ids`` as issued in ``generation`` (one for all, or one per id)."""
        self._table.add(ids, np.broadcast_to(np.asarray(generation, dtype=np.int64), len(ids)))

    def contains(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` were ever issued."""
        return self.born(ids) >= 0

    def born(self, ids: np.ndarray) -> np.ndarray:
        """Generation that issued each of ``ids``; ``-1`` for ids never issued."""
        return self._table.first(ids, default=-1)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """All issued ids (sorted) and their generations."""
        return self._table.items()
