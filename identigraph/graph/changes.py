"""What one update of an identity graph changed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["ChangeSet"]


def _no_ids() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


_EMPTY = pd.DataFrame(
    {
        "old_id": np.empty(0, np.int64),
        "new_id": np.empty(0, np.int64),
        "reason": pd.Series([], dtype=object),
    }
)


def _no_changes() -> pd.DataFrame:
    return _EMPTY.copy()


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSet:
    """What an ``add``, ``link``, ``remove`` or ``expire`` changed.

    Attributes
    ----------
    records_added, records_removed : int
        Records that entered or left the graph.
    new_persons : numpy.ndarray of int64
        Person ids that did not exist before.
    removed_persons : numpy.ndarray of int64
        Person ids that no longer exist because all their records left.
    merges : pandas.DataFrame
        ``old_id, new_id``: persons absorbed into a surviving person.
    splits : pandas.DataFrame
        ``old_id, new_id``: parts of an old person that now carry another id.
    staged : bool
        The change was staged into a bulk load and resolved later: ``add`` and
        ``link`` of a new graph report only the records they added, and
        ``resolve()`` (called by the first read) reports the load's persons.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Cookie("cookie_id")])
    >>> g.add(pd.DataFrame({"cookie_id": ["c-123", "c-123"]}), source="web")
    ChangeSet(records_added=2, staged=True)
    >>> len(g.resolve().new_persons)
    1
    >>> ChangeSet().is_empty
    True
    """

    records_added: int = 0
    records_removed: int = 0
    new_persons: np.ndarray = field(default_factory=_no_ids)
    removed_persons: np.ndarray = field(default_factory=_no_ids)
    merges: pd.DataFrame = field(default_factory=_no_changes)
    splits: pd.DataFrame = field(default_factory=_no_changes)
    staged: bool = False

    @property
    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not (
            self.records_added
            or self.records_removed
            or len(self.new_persons)
            or len(self.removed_persons)
            or len(self.merges)
            or len(self.splits)
        )

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import changes_html

        return changes_html(self)

    def __repr__(self) -> str:
        if self.staged:
            return f"ChangeSet(records_added={self.records_added}, staged=True)"
        return (
            f"ChangeSet(records_added={self.records_added}, records_removed="
            f"{self.records_removed}, new_persons={len(self.new_persons)}, removed_persons="
            f"{len(self.removed_persons)}, merges={len(self.merges)}, splits={len(self.splits)})"
        )
