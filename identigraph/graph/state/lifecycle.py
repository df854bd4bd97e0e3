"""The lifecycle of an identity graph: staged, resolved, live."""

from __future__ import annotations

import enum

__all__ = ["Lifecycle"]


class Lifecycle(enum.Enum):
    """Where a graph stands; one value in place of several flags.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Cookie("cookie_id")])
    >>> g.lifecycle
    <Lifecycle.STAGED: 'staged'>
    >>> _ = g.add(pd.DataFrame({"cookie_id": ["c-123", "c-123"]}), source="web")
    >>> g.resolve().new_persons.shape, g.lifecycle
    ((1,), <Lifecycle.RESOLVED: 'resolved'>)
    >>> g.build_indexes()
    >>> g.lifecycle
    <Lifecycle.LIVE: 'live'>
    """

    #: A bulk load: ``add`` and ``link`` stage records and links (value codes are
    #: provisional, look-up indexes out of date) until the first read or ``resolve()``.
    STAGED = "staged"
    #: Persons resolved; the look-up indexes are built when first needed.
    RESOLVED = "resolved"
    #: Resolved and indexed: every update resolves at once and returns its changes.
    LIVE = "live"
