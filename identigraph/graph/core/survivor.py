"""Survivor policy: which old person id survives a merge, and which part keeps it on a split."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from identigraph.errors import ConfigError

__all__ = ["DEFAULT_CRITERIA", "SurvivorPolicy", "pick_survivors"]

#: The default criteria: the oldest issued id, then the larger person.
DEFAULT_CRITERIA: tuple[str, ...] = ("oldest", "size")

_PLAIN = frozenset({"oldest", "size", "id"})
_SOURCE = "source:"


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivorPolicy:
    """An ordered list of criteria deciding which person id survives a merge or split.

    When persons merge, the ids of the merging persons are ranked by the criteria,
    first one first, and the best keeps its id; the others are absorbed (``"merge"``
    rows of :meth:`IdentityGraph.id_history`). When a person splits, its id stays
    with the part that ranks best; the other parts get fresh ids (``"split"``).

    Parameters
    ----------
    criteria : sequence of str, default ("oldest", "size")
        Each one of:

        - ``"source:NAME"``: a person holding a record of source ``NAME`` outranks
          one that does not (on a split: the part holding such a record);
        - ``"oldest"``: the id issued first outranks later ones (no effect on a
          split, where every part holds the same id);
        - ``"size"``: the person with more records outranks (on a split: the part
          holding more of the person's records);
        - ``"id"``: the smaller id (no effect on a split).

        Remaining ties go to the larger part, then to the smaller id or record
        hash, so the result never depends on input order.

    Raises
    ------
    ConfigError
        An unknown criterion, a ``"source:"`` without a name, or a criterion given
        twice.

    Examples
    --------
    >>> import identigraph as ig
    >>> policy = ig.SurvivorPolicy(criteria=["source:crm", "oldest", "size"])
    >>> policy.criteria, policy.sources
    (('source:crm', 'oldest', 'size'), ('crm',))
    >>> ig.SurvivorPolicy().criteria
    ('oldest', 'size')

    Notes
    -----
    Why the default is ``("oldest", "size")``: downstream systems (the CRM, the
    warehouse, ad audiences, support tools) key on person ids. The oldest id is
    the one most likely exported and referenced already, so keeping it changes
    the fewest keys downstream; a new anonymous cluster that joins a known
    customer never takes over the customer's id, however many events it has.
    Among ids issued by the same resolution (a bulk load), the larger person's
    id survives, since more records keep their id.

    The same policy decides which record a new id derives from, wherever ids are
    minted (a bulk load, a new cluster in an update, the parts of a split that do
    not keep the old id): the record that ranks best under the ``"source:NAME"``
    criteria, then the smallest record hash (:meth:`record_keys`). A known CRM
    customer loaded in bulk together with its web events thus gets the id derived
    from its CRM record, the id it would keep had the CRM been loaded first. The
    other criteria do not tell records apart; under the default policy a new id
    derives from the smallest record hash of its person.
    """

    criteria: Sequence[str] = DEFAULT_CRITERIA

    def __post_init__(self) -> None:
        if isinstance(self.criteria, str):
            msg = "criteria must be a sequence of criteria, not one string"
            raise ConfigError(msg)
        criteria = tuple(self.criteria)
        for c in criteria:
            if not isinstance(c, str):
                msg = f"a survivor criterion must be a string, got {type(c).__name__}"
                raise ConfigError(msg)
            if c.startswith(_SOURCE):
                if not c[len(_SOURCE) :]:
                    msg = "a 'source:' criterion needs a source name, e.g. 'source:crm'"
                    raise ConfigError(msg)
            elif c not in _PLAIN:
                msg = (
                    f"unknown survivor criterion {c!r}; use 'source:NAME', "
                    f"{', '.join(repr(p) for p in sorted(_PLAIN))}"
                )
                raise ConfigError(msg)
        if len(set(criteria)) != len(criteria):
            msg = f"survivor criteria repeat: {list(criteria)}"
            raise ConfigError(msg)
        object.__setattr__(self, "criteria", criteria)

    @property
    def sources(self) -> tuple[str, ...]:
        """Names of the sources the criteria rank by, in order."""
        return tuple(c[len(_SOURCE) :] for c in self.criteria if c.startswith(_SOURCE))

    def merge_keys(
        self, *, ids: np.ndarray, born: np.ndarray, size: np.ndarray, has_source: np.ndarray
    ) -> list[np.ndarray]:
        """Sort keys of merge candidates, most significant first; smaller ranks better.

        ``born`` is the generation that issued each id (``-1``: unknown, ranks last),
        ``size`` the records of each, ``has_source`` one column per :attr:`sources`.
        """
        never = np.iinfo(np.int64).max
        plain = {
            "oldest": np.where(born < 0, never, born).astype(np.int64),
            "size": -np.asarray(size, dtype=np.int64),
            "id": np.asarray(ids, dtype=np.int64),
        }
        return self._keys(plain, has_source)

    def record_keys(self, *, has_source: np.ndarray) -> list[np.ndarray]:
        """Sort keys of the records of a new person, for the record its new id derives from.

        Only the ``"source:NAME"`` criteria tell records apart (a record holding a
        source outranks one that does not); the caller adds the record hash as the
        final tie-break.
        """
        return self._keys({}, has_source)

    def split_keys(self, *, size: np.ndarray, has_source: np.ndarray) -> list[np.ndarray]:
        """Sort keys of the parts of a split person (the criteria that tell parts apart)."""
        return self._keys({"size": -np.asarray(size, dtype=np.int64)}, has_source)

    def _keys(self, plain: dict[str, np.ndarray], has_source: np.ndarray) -> list[np.ndarray]:
        keys: list[np.ndarray] = []
        j = 0
        for c in self.criteria:  # a handful of criteria
            if c.startswith(_SOURCE):
                keys.append(~np.asarray(has_source[:, j], dtype=bool))
                j += 1
            elif c in plain:
                keys.append(plain[c])
        return keys


def pick_survivors(groups: np.ndarray, keys: Sequence[np.ndarray]) -> np.ndarray:
    """Index of the best candidate of each group: smallest ``keys``, first key first.

    Parameters
    ----------
    groups : numpy.ndarray of int
        Group of each candidate (a merged person, a split id).
    keys : sequence of numpy.ndarray
        Sort keys of the candidates, most significant first (as
        :meth:`SurvivorPolicy.merge_keys` gives them, plus the caller's final
        tie-breaks, so that the result is unique).

    Returns
    -------
    numpy.ndarray of int64
        Index of each group's winner, in ascending order of group.

    Examples
    --------
    Two merged persons: group 0 holds ids 5 (born 1, 3 records) and 9 (born 0, one
    record); group 1 holds id 7 alone. Under the default policy the older id wins:

    >>> import numpy as np
    >>> policy = SurvivorPolicy()
    >>> ids = np.array([5, 9, 7])
    >>> keys = policy.merge_keys(ids=ids, born=np.array([1, 0, 2]),
    ...                          size=np.array([3, 1, 2]), has_source=np.zeros((3, 0)))
    >>> ids[pick_survivors(np.array([0, 0, 1]), [*keys, ids])].tolist()
    [9, 7]

    Notes
    -----
    One ``numpy.lexsort``: O(n log n) for n candidates. Pure: the pandas engine and
    a distributed backend (``previous=`` carry-over) call it alike.
    """
    groups = np.asarray(groups)
    order = np.lexsort((*reversed(list(keys)), groups))
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    out: np.ndarray = order[first].astype(np.int64)
    return out
