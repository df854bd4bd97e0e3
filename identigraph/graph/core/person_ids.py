"""Person ids: record hashes, fresh ids for new clusters, and the carry-over of old ids."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import numpy as np
import pandas as pd

from identigraph.errors import ConfigError
from identigraph.graph.core.survivor import SurvivorPolicy, pick_survivors

__all__ = ["IssuedIdLookup", "NoIssuedIds", "assign_ids", "record_hashes"]

_MASK63 = np.uint64(0x7FFF_FFFF_FFFF_FFFF)


def record_hashes(source: str, record_ids: pd.Index) -> np.ndarray:
    """64-bit hash of each ``(source, record_id)`` key; the same key always hashes the same.

    Integer ids hash by value, other ids by their string form (so ``7`` and ``"7"``
    are different keys, as they are to the graph).
    """
    id_hash = _id_hashes(record_ids.to_numpy())
    return _mix(id_hash ^ _source_salt(source))


@lru_cache(maxsize=256)
def _source_salt(source: str) -> np.uint64:
    """Mixed hash of a source name (cached: a record-at-a-time add needs it every call)."""
    salt: np.uint64 = _mix(_hash(np.array([source], dtype=object)))[0]
    return salt


def _hash(values: np.ndarray) -> np.ndarray:
    # Record ids are unique: hashing each directly beats factorizing them first.
    out: np.ndarray = pd.util.hash_array(values, categorize=False)
    return out


def _id_hashes(values: np.ndarray) -> np.ndarray:
    """Hash integer ids by value and every other id by its string form, whatever the dtype."""
    if values.dtype.kind in "iu":
        return _hash(values)
    if values.dtype == object and len(values):
        inferred = pd.api.types.infer_dtype(values, skipna=False)
        if inferred == "integer":
            try:
                return _hash(values.astype(np.int64))
            except OverflowError:
                return _hash(values.astype(np.uint64))
        if inferred == "mixed-integer":
            is_int = np.fromiter(
                (isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values),
                dtype=bool,
                count=len(values),
            )
            out = np.empty(len(values), dtype=np.uint64)
            out[is_int] = _id_hashes(values[is_int])
            out[~is_int] = _id_hashes(values[~is_int])
            return out
    return _hash(pd.Index(values).astype(str).to_numpy(dtype=object))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, used to derive a replacement id on the rare collision."""
    with np.errstate(over="ignore"):
        x = x.astype(np.uint64)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        mixed: np.ndarray = x ^ (x >> np.uint64(31))
        return mixed


class IssuedIdLookup(Protocol):
    """What :func:`assign_ids` needs to know of the person ids issued so far.

    Any object with these two methods will do: the in-memory graph's
    :class:`~identigraph.graph.state.issued.IssuedIds`, or a table a distributed
    backend broadcasts.
    """

    def contains(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` (int64) were ever issued (bool array)."""
        ...

    def born(self, ids: np.ndarray) -> np.ndarray:
        """Generation that issued each of ``ids``, ``-1`` for ids never issued (int64)."""
        ...


class NoIssuedIds:
    """An :class:`IssuedIdLookup` of a graph that has issued no id yet (a first build).

    Examples
    --------
    >>> import numpy as np
    >>> NoIssuedIds().born(np.array([3, 4])).tolist()
    [-1, -1]
    """

    __slots__ = ()

    def contains(self, ids: np.ndarray) -> np.ndarray:
        """All False."""
        return np.zeros(len(ids), dtype=bool)

    def born(self, ids: np.ndarray) -> np.ndarray:
        """All ``-1``."""
        return np.full(len(ids), -1, dtype=np.int64)


def _fresh_ids(min_hash: np.ndarray, issued: IssuedIdLookup) -> np.ndarray:
    """New person ids from each cluster's smallest record hash, avoiding every issued id."""
    ids: np.ndarray = (min_hash & _MASK63).astype(np.int64)
    salt = np.uint64(0)
    while True:
        clash = issued.contains(ids)
        if len(ids) > 1:
            clash |= _repeats(ids)
        if not clash.any():
            return ids
        salt += np.uint64(1)
        with np.errstate(over="ignore"):
            ids[clash] = (_mix(min_hash[clash] + salt) & _MASK63).astype(np.int64)


def _repeats(ids: np.ndarray) -> np.ndarray:
    """Mask of every repeat of an id after its first occurrence.

    One sort of the ids answers the common case, no repeat at all; only when
    there is one does a stable sort find which occurrences come later.

    Examples
    --------
    >>> _repeats(np.array([7, 3, 7, 1, 3, 7])).tolist()
    [False, False, True, False, True, True]

    Notes
    -----
    Cost: one sort, O(n log n), where a hash table over random 64-bit ids is
    bound by memory latency and about 15 times slower at a few million ids;
    a second, stable sort only when an id repeats.
    """
    ordered = np.sort(ids)
    if not (ordered[1:] == ordered[:-1]).any():
        return np.zeros(len(ids), dtype=bool)
    order = np.argsort(ids, kind="stable")
    later = np.zeros(len(ids), dtype=bool)
    later[1:] = ids[order[1:]] == ids[order[:-1]]
    out = np.zeros(len(ids), dtype=bool)
    out[order] = later
    return out


def _first_of_groups(sorted_groups: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values."""
    first = np.ones(len(sorted_groups), dtype=bool)
    first[1:] = sorted_groups[1:] != sorted_groups[:-1]
    return first


_NO_CHANGES = pd.DataFrame(
    {
        "old_id": np.empty(0, dtype=np.int64),
        "new_id": np.empty(0, dtype=np.int64),
        "reason": pd.Series([], dtype=object),
    }
)


def _changes(old: list[np.ndarray], new: list[np.ndarray], reason: list[str]) -> pd.DataFrame:
    if not old:
        empty: pd.DataFrame = _NO_CHANGES.copy()
        return empty
    old_id = np.concatenate(old)
    new_id = np.concatenate(new)
    reasons = np.concatenate(
        [np.full(len(o), r, dtype=object) for o, r in zip(old, reason, strict=True)]
    )
    order = np.lexsort((new_id, old_id, reasons.astype(str)))
    out: pd.DataFrame = pd.DataFrame(
        {
            "old_id": old_id[order].astype(np.int64),
            "new_id": new_id[order].astype(np.int64),
            "reason": pd.Series(reasons[order], dtype=object),
        }
    )
    return out


def assign_ids(
    labels: np.ndarray,
    old_ids: np.ndarray,
    hashes: np.ndarray,
    issued: IssuedIdLookup,
    *,
    policy: SurvivorPolicy | None = None,
    has_source: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Person id of each component of a re-resolved region, keeping old ids stable.

    Parameters
    ----------
    labels : numpy.ndarray of int
        Component of each record of the region (``0 .. k-1``).
    old_ids : numpy.ndarray of int64
        Person id each record had before, ``-1`` for records new to the graph.
    hashes : numpy.ndarray of uint64
        Record hashes (see :func:`record_hashes`).
    issued : IssuedIdLookup
        Every id issued so far and its generation (smaller is older); new ids never
        reuse one.
    policy : SurvivorPolicy, optional
        Which id survives a merge and which part keeps the id on a split; the
        default policy (oldest issued id, then size) when left out.
    has_source : numpy.ndarray of bool, optional
        Shape ``(records, len(policy.sources))``: whether each record is of each
        source the policy ranks by; needed when the policy names sources.

    Returns
    -------
    ids : numpy.ndarray of int64
        Person id of each component.
    fresh : numpy.ndarray of bool
        Which components got a new id.
    changes : pandas.DataFrame
        Columns ``old_id, new_id, reason`` with reason ``"merge"`` (``old_id`` was
        absorbed into ``new_id``) or ``"split"`` (part of ``old_id`` became ``new_id``),
        sorted by reason, old id and new id.

    Examples
    --------
    Two old persons (ids 5 and 9, three and one records) now form one component,
    and a new record forms another:

    >>> import numpy as np
    >>> class Issued:  # ids 5 and 9, both issued in generation 1
    ...     def born(self, ids): return np.where(np.isin(ids, [5, 9]), 1, -1)
    ...     def contains(self, ids): return self.born(ids) >= 0
    >>> issued = Issued()
    >>> labels = np.array([0, 0, 0, 0, 1])
    >>> old = np.array([5, 5, 5, 9, -1])
    >>> hashes = np.array([11, 12, 13, 14, 15], dtype=np.uint64)
    >>> ids, fresh, changes = assign_ids(labels, old, hashes, issued)
    >>> int(ids[0]), fresh.tolist()
    (5, [False, True])
    >>> changes.to_dict("records")
    [{'old_id': 9, 'new_id': 5, 'reason': 'merge'}]

    Notes
    -----
    Rules, applied in this order:

    1. Every old id goes to its *heir*: the component that ranks best under the
       policy's split criteria (``"source:NAME"``: holds one of the old person's
       records of that source; ``"size"``: holds more of its records), then the
       component holding most of its records (ties: the larger component, then the
       one whose smallest record hash is smaller).
    2. A component that is heir to several old ids (a merge) keeps the id that
       ranks best under the policy (by default the oldest issued, then the one of
       the largest old cluster), then the smaller id.
    3. A component that is heir to none gets a fresh id derived from the hash of
       its record that ranks best under the policy's ``"source:NAME"`` criteria,
       then its smallest record hash (:meth:`SurvivorPolicy.record_keys`), so a
       batch build is independent of input order and follows the policy as an
       update does.

    So under the default policy, on a merge the oldest id survives, and on a
    split the largest part keeps the id while the other parts get new ones.

    Cost: a few sorts of the region, O(n log n), and O(log P) per id look-up.
    """
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    comp_min_hash = np.full(n_comp, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(comp_min_hash, labels, hashes)
    ids = np.full(n_comp, -1, dtype=np.int64)
    old_parts: list[np.ndarray] = []
    new_parts: list[np.ndarray] = []
    reasons: list[str] = []
    split_old = split_comp = np.empty(0, dtype=np.int64)
    has_old = old_ids >= 0
    if policy is None:
        policy = SurvivorPolicy()
    n_src = len(policy.sources)
    if n_src and (has_source is None or np.shape(has_source) != (len(labels), n_src)):
        msg = "a policy that ranks by source needs has_source, one column per source"
        raise ConfigError(msg)
    if has_old.any():
        comp = labels[has_old].astype(np.int64)
        old = old_ids[has_old]
        order = np.lexsort((comp, old))
        comp, old = comp[order], old[order]
        pair_start = np.ones(len(old), dtype=bool)
        pair_start[1:] = (old[1:] != old[:-1]) | (comp[1:] != comp[:-1])
        starts = np.flatnonzero(pair_start)
        n = np.diff(np.append(starts, len(old)))
        pair_of = np.cumsum(pair_start) - 1  # (old, comp) pair of each old record
        comp, old = comp[starts], old[starts]  # unique (old, comp) pairs, sorted by old
        group = np.cumsum(_first_of_groups(old)) - 1
        old_size = np.bincount(group, weights=n).astype(np.int64)[group]
        pair_src = np.zeros((len(old), n_src), dtype=bool)
        old_src = pair_src
        if n_src and has_source is not None:
            flags = np.asarray(has_source, dtype=bool)[has_old][order]
            for j in range(n_src):  # one pass per source the policy names
                pair_src[:, j] = np.bincount(pair_of, weights=flags[:, j], minlength=len(old)) > 0
            old_src = np.zeros((int(group[-1]) + 1, n_src), dtype=bool)
            for j in range(n_src):  # one pass per source the policy names
                old_src[:, j] = np.bincount(group, weights=pair_src[:, j]) > 0
            old_src = old_src[group]
        # 1. heirs: the policy's split criteria, then most of the old records, the
        #    larger component and its hash.
        comp_size = np.bincount(labels, minlength=n_comp)
        split_keys = policy.split_keys(size=n, has_source=pair_src)
        heir = pick_survivors(group, [*split_keys, -n, -comp_size[comp], comp_min_hash[comp], comp])
        # 2. each heir component keeps the id the policy ranks best, then the smaller.
        h_comp, h_old = comp[heir], old[heir]
        merge_keys = policy.merge_keys(
            ids=h_old, born=issued.born(h_old), size=old_size[heir], has_source=old_src[heir]
        )
        keeper = pick_survivors(h_comp, [*merge_keys, h_old])
        ids[h_comp[keeper]] = h_old[keeper]
        absorbed = np.ones(len(heir), dtype=bool)
        absorbed[keeper] = False
        if absorbed.any():
            old_parts.append(h_old[absorbed])
            new_parts.append(ids[h_comp[absorbed]])
            reasons.append("merge")
        not_heir = np.ones(len(old), dtype=bool)
        not_heir[heir] = False
        split_old, split_comp = old[not_heir], comp[not_heir]
    is_fresh = ids < 0
    fresh = np.flatnonzero(is_fresh)
    seed = comp_min_hash
    if n_src and has_source is not None and len(fresh):
        # 3. a new id derives from the record the policy ranks best, then the smallest hash.
        seed = hashes[
            pick_survivors(labels, [*policy.record_keys(has_source=np.asarray(has_source)), hashes])
        ]
    ids[fresh] = _fresh_ids(seed[fresh], issued)
    if len(split_old):
        old_parts.append(split_old)
        new_parts.append(ids[split_comp])
        reasons.append("split")
    return ids, is_fresh, _changes(old_parts, new_parts, reasons)
