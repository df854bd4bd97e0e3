"""Person ids: record hashes, fresh ids for new clusters, and the carry-over of old ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["assign_ids", "record_hashes"]

_MASK63 = np.uint64(0x7FFF_FFFF_FFFF_FFFF)


def record_hashes(source: str, record_ids: pd.Index) -> np.ndarray:
    """64-bit hash of each ``(source, record_id)`` key; the same key always hashes the same.

    Integer ids hash by value, other ids by their string form (so ``7`` and ``"7"``
    are different keys, as they are to the graph).
    """
    values = record_ids.to_numpy()
    if values.dtype.kind not in "iu":
        values = pd.Index(record_ids).astype(str).to_numpy(dtype=object)
    id_hash = pd.util.hash_array(values)
    source_hash = pd.util.hash_array(np.array([source], dtype=object))[0]
    return _mix(id_hash ^ _mix(np.array([source_hash]))[0])


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, used to derive a replacement id on the rare collision."""
    with np.errstate(over="ignore"):
        x = x.astype(np.uint64)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _fresh_ids(min_hash: np.ndarray, issued: np.ndarray) -> np.ndarray:
    """New person ids from each cluster's smallest record hash, avoiding every issued id."""
    ids = (min_hash & _MASK63).astype(np.int64)
    salt = np.uint64(0)
    while True:
        taken = np.isin(ids, issued)
        _, first = np.unique(ids, return_index=True)
        repeated = np.ones(len(ids), dtype=bool)
        repeated[first] = False
        clash = taken | repeated
        if not clash.any():
            return ids
        salt += np.uint64(1)
        with np.errstate(over="ignore"):
            ids[clash] = (_mix(min_hash[clash] + salt) & _MASK63).astype(np.int64)


def assign_ids(
    labels: np.ndarray,
    old_ids: np.ndarray,
    hashes: np.ndarray,
    born: pd.Series,
    issued: np.ndarray,
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
    born : pandas.Series
        Generation in which each old id was issued (index: person id); smaller is older.
    issued : numpy.ndarray of int64
        Every id issued so far (new ids never reuse one).

    Returns
    -------
    ids : numpy.ndarray of int64
        Person id of each component.
    fresh : numpy.ndarray of bool
        Which components got a new id.
    changes : pandas.DataFrame
        Columns ``old_id, new_id, reason`` with reason ``"merge"`` (``old_id`` was
        absorbed into ``new_id``) or ``"split"`` (part of ``old_id`` became ``new_id``).

    Notes
    -----
    Rules, applied in this order:

    1. Every old id goes to its *heir*: the component holding most of its records
       (ties: the component whose smallest record hash is smaller).
    2. A component that is heir to several old ids (a merge) keeps the id of the
       largest old cluster (ties: the older id, then the smaller id).
    3. A component that is heir to none gets a fresh id derived from its smallest
       record hash, so a batch build is independent of input order.

    Cost: a few sorts of the region, O(n log n).
    """
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    comp_min_hash = np.full(n_comp, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(comp_min_hash, labels, hashes)
    ids = np.full(n_comp, -1, dtype=np.int64)
    empty = pd.DataFrame(
        {"old_id": np.empty(0, np.int64), "new_id": np.empty(0, np.int64), "reason": []}
    )
    has_old = old_ids >= 0
    changes = [empty]
    if has_old.any():
        pairs = pd.DataFrame({"comp": labels[has_old], "old": old_ids[has_old]})
        counts = pairs.value_counts(sort=False).rename("n").reset_index()
        counts["comp_hash"] = comp_min_hash[counts["comp"].to_numpy()]
        old_size = counts.groupby("old", sort=False)["n"].transform("sum")
        counts["old_size"] = old_size
        # 1. heirs: most records, then smaller component hash.
        counts = counts.sort_values(
            ["old", "n", "comp_hash"], ascending=[True, False, True], kind="stable"
        )
        heir = counts.drop_duplicates("old", keep="first")
        # 2. each heir component keeps its largest, then oldest, then smallest old id.
        heir = heir.assign(born=born.reindex(heir["old"]).fillna(np.inf).to_numpy())
        heir = heir.sort_values(
            ["comp", "old_size", "born", "old"], ascending=[True, False, True, True], kind="stable"
        )
        keeper = heir.drop_duplicates("comp", keep="first")
        ids[keeper["comp"].to_numpy()] = keeper["old"].to_numpy()
        absorbed = heir[~heir.index.isin(keeper.index)]
        if len(absorbed):
            changes.append(
                pd.DataFrame(
                    {
                        "old_id": absorbed["old"].to_numpy(),
                        "new_id": ids[absorbed["comp"].to_numpy()],
                        "reason": "merge",
                    }
                )
            )
        split_parts = counts[~counts.index.isin(heir.index)]
    else:
        split_parts = None
    is_fresh = ids < 0
    fresh = np.flatnonzero(is_fresh)
    ids[fresh] = _fresh_ids(comp_min_hash[fresh], issued)
    if split_parts is not None and len(split_parts):
        changes.append(
            pd.DataFrame(
                {
                    "old_id": split_parts["old"].to_numpy(),
                    "new_id": ids[split_parts["comp"].to_numpy()],
                    "reason": "split",
                }
            )
        )
    out = pd.concat(changes, ignore_index=True)
    out = out.astype({"old_id": np.int64, "new_id": np.int64, "reason": object})
    return ids, is_fresh, out.sort_values(["reason", "old_id", "new_id"], ignore_index=True)
