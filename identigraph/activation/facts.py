"""Resolved persons read once from a graph, and facts of any source joined to them."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Hashable

import numpy as np
import pandas as pd

from identigraph.activation._keys import IdIndex
from identigraph.errors import ConfigError, InputError, MissingColumnError
from identigraph.graph import IdentityGraph

__all__ = ["Persons", "remap_person_ids"]

log = logging.getLogger("identigraph.activation")

_CLUSTER_COLUMNS = ("source", "record_id", "person_id")


class Persons:
    """The resolved persons of an identity graph: who holds which record.

    Every activation step (facts, audiences, exports, onboarding, journeys) reads
    persons through this object. It reads the graph's public outputs once
    (:meth:`IdentityGraph.clusters`, and :meth:`IdentityGraph.records` when first
    needed) and keeps the graph for live look-ups. It is built from the current
    graph only, so records that were erased or expired never come back.

    Parameters
    ----------
    graph : IdentityGraph
        A live graph, or one read with :meth:`IdentityGraph.load`.

    Attributes
    ----------
    graph : IdentityGraph or None
        The graph, or None for persons built with :meth:`from_clusters`.
    clusters : pandas.DataFrame
        ``source, record_id, person_id``, one row per record.
    person_ids : numpy.ndarray
        Every person id, sorted (int64).

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"id": [1, 2], "email": ["ann@mail.com", "bob@mail.com"]}),
    ...           source="crm", id="id")
    >>> persons = ig.activation.Persons(g)
    >>> orders = pd.DataFrame({"customer": ["1", "1", "2", "7"], "total": [5.0, 7.0, 1.0, 3.0]})
    >>> facts = persons.facts(orders, source="crm", id="customer")
    >>> facts["person_id"].isna().tolist()
    [False, False, False, True]
    >>> persons.n_persons
    2
    """

    def __init__(self, graph: IdentityGraph) -> None:
        if not isinstance(graph, IdentityGraph):
            msg = f"Persons takes an IdentityGraph, got {type(graph).__name__}"
            raise InputError(msg)
        self._setup(graph.clusters(), graph)

    @classmethod
    def from_clusters(
        cls, clusters: pd.DataFrame, *, records: pd.DataFrame | None = None
    ) -> Persons:
        """Persons from a ``source, record_id, person_id`` frame, without a graph.

        Parameters
        ----------
        clusters : pandas.DataFrame
            As :meth:`IdentityGraph.clusters` returns it.
        records : pandas.DataFrame, optional
            As :meth:`IdentityGraph.records` returns it (``source, record_id`` and
            attribute columns); needed by record-level conditions, consent and exports.

        Returns
        -------
        Persons

        Raises
        ------
        MissingColumnError
            A column of ``clusters`` is missing.

        Examples
        --------
        >>> clusters = pd.DataFrame({"source": ["crm", "web"], "record_id": [1, "e1"],
        ...                          "person_id": [7, 7]})
        >>> Persons.from_clusters(clusters).n_persons
        1
        """
        for column in _CLUSTER_COLUMNS:
            if column not in clusters.columns:
                msg = f"clusters lacks column {column!r}"
                raise MissingColumnError(msg, column=column, available=list(clusters.columns))
        self = cls.__new__(cls)
        self._setup(clusters, None)
        if records is not None:
            self._records = records
        return self

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Persons:
        """Persons of a graph saved with :meth:`IdentityGraph.save`.

        Raises
        ------
        StoreError
            The store cannot be read.
        """
        return cls(IdentityGraph.load(path))

    def _setup(self, clusters: pd.DataFrame, graph: IdentityGraph | None) -> None:
        start = time.perf_counter()
        self.graph = graph
        source = clusters["source"].reset_index(drop=True)
        if isinstance(source.dtype, pd.CategoricalDtype):
            source = source.cat.rename_categories([str(c) for c in source.cat.categories])
        else:
            source = source.astype("category")
            source = source.cat.rename_categories([str(c) for c in source.cat.categories])
        self.clusters = pd.DataFrame(
            {
                "source": source,
                "record_id": clusters["record_id"].reset_index(drop=True),
                "person_id": clusters["person_id"].to_numpy(dtype=np.int64),
            }
        )
        self.person_ids, self._codes = _dense_codes(self.clusters["person_id"].to_numpy())
        self._records: pd.DataFrame | None = None
        self._rows: dict[str, np.ndarray] = {}
        self._index: dict[str, IdIndex] = {}
        self._record_persons: np.ndarray | None = None
        self._record_codes: np.ndarray | None = None
        log.info(
            "persons: %d records, %d persons read in %.2f s",
            len(self.clusters),
            len(self.person_ids),
            time.perf_counter() - start,
        )

    def __repr__(self) -> str:
        return f"Persons(records={len(self.clusters)}, persons={self.n_persons})"

    @property
    def n_persons(self) -> int:
        """Number of persons."""
        return len(self.person_ids)

    @property
    def sources(self) -> list[str]:
        """Sources of the records, in order of the categories."""
        return [str(s) for s in self.clusters["source"].cat.categories]

    # ------------------------------------------------------------------ records
    def records(self) -> pd.DataFrame:
        """Kept attribute columns of every record with its ``person_id``.

        Returns
        -------
        pandas.DataFrame
            ``source, record_id, person_id`` and the attribute columns of
            :meth:`IdentityGraph.records`.

        Raises
        ------
        ConfigError
            Persons built from clusters alone, without records.
        """
        if self._record_persons is None:
            if self._records is None:
                if self.graph is None:
                    msg = "these persons were built from clusters alone: pass records="
                    raise ConfigError(msg)
                self._records = self.graph.records()
            recs = self._records
            codes = np.full(len(recs), -1, dtype=np.int64)
            source_codes, names = pd.factorize(recs["source"])
            for i, source in enumerate(names):
                rows = np.flatnonzero(source_codes == i)
                codes[rows] = self.person_codes(str(source), recs["record_id"].iloc[rows])
            persons = np.where(codes >= 0, self.person_ids[np.maximum(codes, 0)], -1)
            self._record_codes = codes
            self._record_persons = persons
            front = recs[["source", "record_id"]].assign(person_id=persons)
            self._records = pd.concat([front, recs.drop(columns=["source", "record_id"])], axis=1)
        assert self._records is not None
        return self._records

    def record_codes(self) -> np.ndarray:
        """Position in :attr:`person_ids` of the person of each row of :meth:`records`; -1: none.

        Computed with :meth:`records`, once; every export reuses it.

        Examples
        --------
        >>> clusters = pd.DataFrame({"source": ["crm", "crm"], "record_id": [1, 2],
        ...                          "person_id": [90, 70]})
        >>> records = pd.DataFrame({"source": ["crm", "crm", "crm"], "record_id": [2, 1, 3]})
        >>> Persons.from_clusters(clusters, records=records).record_codes().tolist()
        [0, 1, -1]
        """
        self.records()
        assert self._record_codes is not None
        return self._record_codes

    def records_of(self, source: str) -> pd.DataFrame:
        """:meth:`records` of one source, columns it never fills left out."""
        recs = self.records()
        part = recs[recs["source"].astype(str).to_numpy() == source]
        return part.dropna(axis=1, how="all").reset_index(drop=True)

    # ------------------------------------------------------------------ joins
    def _source_rows(self, source: str) -> np.ndarray:
        rows = self._rows.get(source)
        if rows is None:
            codes = self.clusters["source"].cat.categories.get_indexer([source])
            if codes[0] < 0:
                rows = np.empty(0, dtype=np.int64)
            else:
                rows = np.flatnonzero(self.clusters["source"].cat.codes.to_numpy() == codes[0])
            self._rows[source] = rows
        return rows

    def person_keys(self, source: str, record_ids: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
        """Person id of each ``(source, record id)``; -1 where the graph holds no such record.

        Ids are compared in one canonical form: ``7``, ``np.int64(7)`` and ``"7"`` are
        the same id, so a caller never casts ids to join.

        Examples
        --------
        >>> clusters = pd.DataFrame({"source": ["pos", "pos"], "record_id": [7, 8],
        ...                          "person_id": [1, 2]})
        >>> Persons.from_clusters(clusters).person_keys("pos", ["8", 9]).tolist()
        [2, -1]
        """
        codes = self.person_codes(source, record_ids)
        return np.where(codes >= 0, self.person_ids[np.maximum(codes, 0)], -1)

    def person_codes(
        self, source: str, record_ids: pd.Series | pd.Index | np.ndarray
    ) -> np.ndarray:
        """Position in :attr:`person_ids` of the person of each ``(source, record id)``; -1: none.

        As :meth:`person_keys`, as positions: a mask over persons is then one
        assignment, without looking person ids up again.

        Examples
        --------
        >>> clusters = pd.DataFrame({"source": ["pos", "pos"], "record_id": [7, 8],
        ...                          "person_id": [20, 10]})
        >>> Persons.from_clusters(clusters).person_codes("pos", [7, 8, 9]).tolist()
        [1, 0, -1]
        """
        rows = self._source_rows(source)
        query = pd.Series(
            np.asarray(record_ids, dtype=object)
            if isinstance(record_ids, (list, tuple))
            else record_ids
        ).reset_index(drop=True)
        if not len(rows):
            return np.full(len(query), -1, dtype=np.int64)
        index = self._index.get(source)
        if index is None:
            index = IdIndex(self.clusters["record_id"].iloc[rows])
            self._index[source] = index
        pos = index.positions(query)
        codes = self._codes[rows]
        return np.where(pos >= 0, codes[np.maximum(pos, 0)], -1)

    def source_codes(self, source: str) -> np.ndarray:
        """Positions in :attr:`person_ids` of the persons holding records of ``source``.

        One entry per record of the source (a person with several records repeats).

        Examples
        --------
        >>> clusters = pd.DataFrame({"source": ["crm", "web", "crm"], "record_id": [1, 1, 2],
        ...                          "person_id": [30, 30, 10]})
        >>> Persons.from_clusters(clusters).source_codes("crm").tolist()
        [1, 0]
        """
        return self._codes[self._source_rows(source)]

    def facts(self, frame: pd.DataFrame, *, source: str, id: str | None = None) -> pd.DataFrame:
        """Attach the person of each row of a frame keyed by ``(source, record id)``.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows about records of one source (orders, tickets, web events). Not modified.
        source : str
            The source whose record ids the frame carries.
        id : str, optional
            Column holding the record id; by default the frame's index.

        Returns
        -------
        pandas.DataFrame
            A copy of ``frame`` with a ``person_id`` column (nullable ``Int64``; NA for
            rows whose record the graph does not hold).

        Raises
        ------
        MissingColumnError
            ``id`` is not a column of the frame.

        Notes
        -----
        Cost: one hash join, O(rows + records of the source).
        """
        persons = self._keys_of(frame, source=source, id=id)
        out = frame.copy()
        out["person_id"] = pd.array(np.where(persons >= 0, persons, 0), dtype="Int64")
        out.loc[persons < 0, "person_id"] = pd.NA
        return out

    def _keys_of(self, frame: pd.DataFrame, *, source: str, id: str | None) -> np.ndarray:
        if not isinstance(frame, pd.DataFrame):
            msg = f"expected a pandas DataFrame, got {type(frame).__name__}"
            raise InputError(msg)
        if id is None:
            ids: pd.Series | pd.Index = frame.index
        elif id not in frame.columns:
            msg = f"id column {id!r} is not in the frame"
            raise MissingColumnError(msg, column=id, available=[str(c) for c in frame.columns])
        else:
            ids = frame[id]
        return self.person_keys(source, ids)

    def person_of(self, source: str, record_id: Hashable) -> int | None:
        """Person of one record, or None; the live graph is asked when there is one."""
        if self.graph is not None:
            try:
                return self.graph.person_of(source, record_id)
            except KeyError:
                return None
        found = int(self.person_keys(source, pd.Series([record_id], dtype=object))[0])
        return None if found < 0 else found


def _dense_codes(person_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ids, and the position of each id among them.

    One hash pass over the ids and one sort of the distinct ones (not a sort of
    every id, nor a binary search per id).
    """
    ids = np.asarray(person_ids, dtype=np.int64)
    codes, uniques = pd.factorize(ids)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return np.asarray(uniques, dtype=np.int64)[order], rank[codes]


def remap_person_ids(person_ids: np.ndarray | pd.Series, history: pd.DataFrame) -> np.ndarray:
    """Current person ids of ids issued earlier, following merges in ``id_history()``.

    A person merged into another (``reason == "merge"``) now goes by the id that
    absorbed it, through any chain of merges. Splits keep the old id for the
    largest part (see :class:`IdentityGraph`), so an id that split maps to itself;
    stitch events by record keys to follow them into the parts.

    Parameters
    ----------
    person_ids : array-like of int
        Ids from an earlier snapshot.
    history : pandas.DataFrame
        :meth:`IdentityGraph.id_history`: ``old_id, new_id, reason, time``.

    Returns
    -------
    numpy.ndarray
        int64 ids, same length.

    Examples
    --------
    >>> history = pd.DataFrame({"old_id": [1, 2], "new_id": [2, 3],
    ...                         "reason": ["merge", "merge"]})
    >>> remap_person_ids(np.array([1, 2, 5]), history).tolist()
    [3, 3, 5]
    """
    ids = np.asarray(person_ids, dtype=np.int64).copy()
    merges = history[history["reason"] == "merge"]
    if not len(merges):
        return ids
    old = merges["old_id"].to_numpy(dtype=np.int64)
    new = merges["new_id"].to_numpy(dtype=np.int64)
    order = np.argsort(old, kind="stable")
    old, new = old[order], new[order]
    # the latest merge of an id wins: keep the last occurrence of each old id
    last = np.r_[old[1:] != old[:-1], True]
    old, new = old[last], new[last]
    for _ in range(len(old) + 1):  # each pass follows one more link of every chain
        pos = np.searchsorted(old, ids)
        hit = (pos < len(old)) & (old[np.minimum(pos, len(old) - 1)] == ids)
        if not hit.any():
            break
        moved = new[pos[hit]]
        if np.array_equal(moved, ids[hit]):
            break
        ids[hit] = moved
    return ids
