"""The identity graph: records linked by shared identifiers and match edges."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from identigraph.errors import (
    ConfigError,
    DuplicateRecordError,
    InputError,
    MissingColumnError,
    NoIdentifierColumnsError,
    UnknownRecordError,
)
from identigraph.graph._extract import extract_edges
from identigraph.graph._person_ids import assign_ids, record_hashes
from identigraph.graph._values import ValueIndex
from identigraph.graph.changes import ChangeSet
from identigraph.graph.components import connected_components
from identigraph.matcher.specs import Identifier

__all__ = ["IdentityGraph"]

log = logging.getLogger("identigraph")

_CLUSTER_COLUMNS = ["source", "record_id", "person_id"]
_REJECT_COLUMNS = ["source", "record_id", "column", "reason"]


@dataclass(frozen=True, slots=True)
class _KindPolicy:
    name: str
    priority: int
    max_records: int | None
    max_per_person: int | None


@dataclass(slots=True)
class _Batch:
    """Records added by one call: rows ``start .. stop-1`` of the record arrays."""

    source: str
    start: int
    ids: pd.Index
    attributes: pd.DataFrame

    @property
    def stop(self) -> int:
        return self.start + len(self.ids)


def _kind_policies(identifiers: Sequence[Identifier]) -> list[_KindPolicy]:
    policies: dict[str, _KindPolicy] = {}
    for spec in identifiers:
        policy = _KindPolicy(spec.kind, spec.priority, spec.max_records, spec.max_per_person)
        known = policies.setdefault(spec.kind, policy)
        if known != policy:
            msg = (
                f"identifier specs of kind {spec.kind!r} disagree on priority, max_records or "
                f"max_per_person ({known} vs {policy}); give them the same settings"
            )
            raise ConfigError(msg)
    return list(policies.values())


class IdentityGraph:
    """Records from many sources linked by shared identifiers into person clusters.

    Each record is a node; each usable identifier value (a normalized, hashed email,
    an E.164 phone, a cookie, a customer key) links the records that carry it. The
    connected components of that graph are persons. Identifier values are held as
    integer codes and components are computed with ``scipy.sparse.csgraph``.

    Parameters
    ----------
    identifiers : sequence of Identifier
        The identifier specs: which columns hold which kind of identifier.

    Attributes
    ----------
    identifiers : tuple of Identifier
        The specs, as given.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    >>> crm = pd.DataFrame({"customer_id": [1, 2], "email": ["ann@mail.com", "bob@mail.com"]})
    >>> web = pd.DataFrame({"event_id": ["e1", "e2", "e3"],
    ...                     "email": [" ANN@mail.com", None, None],
    ...                     "cookie_id": ["c1", "c1", "c9"]})
    >>> _ = g.add(crm, source="crm", id="customer_id")
    >>> _ = g.add(web, source="web", id="event_id")
    >>> clusters = g.clusters()
    >>> clusters.groupby("person_id").size().sort_values().tolist()
    [1, 1, 3]
    >>> g
    IdentityGraph(identifiers=[Email('email'), Cookie('cookie_id')], records=5, persons=3)

    Notes
    -----
    Person ids are 63-bit integers. A new person's id derives from the hash of its
    smallest member key, so the same records give the same ids whatever the order
    of sources and rows. Once issued, ids stay stable: when persons merge, the
    larger keeps its id; when a person splits, its largest part does.
    """

    def __init__(self, identifiers: Sequence[Identifier] = ()) -> None:
        self.identifiers = tuple(identifiers)
        for spec in self.identifiers:
            if not isinstance(spec, Identifier):
                msg = f"identifiers must be Identifier specs (ig.Email, ig.Phone...), got {spec!r}"
                raise ConfigError(msg)
        columns = [spec.column for spec in self.identifiers]
        if len(set(columns)) != len(columns):
            msg = f"each column may hold one identifier spec; repeated: {sorted(columns)}"
            raise ConfigError(msg)
        self._policies = _kind_policies(self.identifiers)
        self._kind_index = {p.name: i for i, p in enumerate(self._policies)}
        self._spec_kind = np.array(
            [self._kind_index[s.kind] for s in self.identifiers], dtype=np.int16
        )
        self._reset()

    # ------------------------------------------------------------------ state
    def _reset(self) -> None:
        self._sources: list[str] = []
        self._batches: list[_Batch] = []
        self._rec_source = np.empty(0, dtype=np.int32)
        self._rec_hash = np.empty(0, dtype=np.uint64)
        self._rec_alive = np.empty(0, dtype=bool)
        self._person = np.empty(0, dtype=np.int64)
        self._values: dict[str, ValueIndex] = {}
        self._next_value = 0
        self._val_kind = np.empty(0, dtype=np.int16)
        self._val_count = np.empty(0, dtype=np.int64)
        self._edge_rec = np.empty(0, dtype=np.int64)
        self._edge_val = np.empty(0, dtype=np.int64)
        self._edge_spec = np.empty(0, dtype=np.int16)
        self._match = pd.DataFrame(
            {"rec_l": np.empty(0, np.int64), "rec_r": np.empty(0, np.int64),
             "match_probability": np.empty(0, float), "match_weight": np.empty(0, float)}
        )  # fmt: skip
        self._rejects: list[pd.DataFrame] = []
        self._born = pd.Series(np.empty(0, dtype=np.int64), index=pd.Index([], dtype=np.int64))
        self._issued = np.empty(0, dtype=np.int64)
        self._generation = 0
        self._history: list[pd.DataFrame] = []
        # A new graph is a bulk load: its records are resolved together at the first read.
        self._resolved = False

    # ------------------------------------------------------------------ sizes
    def __len__(self) -> int:
        """Number of records in the graph."""
        return int(self._rec_alive.sum())

    @property
    def n_persons(self) -> int:
        """Number of persons (clusters)."""
        self.resolve()
        return len(self._born)

    @property
    def sources(self) -> list[str]:
        """Names of the sources added so far, in order of first addition."""
        return list(self._sources)

    def __repr__(self) -> str:
        specs = ", ".join(f"{type(s).__name__}({s.column!r})" for s in self.identifiers)
        persons = len(self._born) if self._resolved else "unresolved"
        return f"IdentityGraph(identifiers=[{specs}], records={len(self)}, persons={persons})"

    # ------------------------------------------------------------------ add
    def add(
        self,
        frame: pd.DataFrame,
        *,
        source: str,
        id: str | None = None,
        keep: Sequence[str] | None = None,
        columns: dict[str, str] | None = None,
    ) -> ChangeSet:
        """Add the records of one source and link them.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per record. It need not carry every identifier column; it must
            carry at least one. The frame is not modified.
        source : str
            Name of the source (``"crm"``, ``"web"``...). Record ids are unique per source.
        id : str, optional
            Column holding the record id; by default the frame's index.
        keep : sequence of str, optional
            Attribute columns to keep for golden records (after renaming); by
            default all columns but the id column.
        columns : dict, optional
            Renames ``{frame column: graph column}`` applied first, so that sources
            with different column names share one vocabulary.

        Returns
        -------
        ChangeSet
            Records added, new persons, merges.

        Raises
        ------
        MissingColumnError
            ``id`` or a ``keep`` column is not in the frame.
        NoIdentifierColumnsError
            The frame carries none of the identifier columns.
        DuplicateRecordError
            A record id repeats within the frame or is already in the graph for this source.
        InputError
            ``frame`` is not a DataFrame, ``source`` is empty, or a record id is missing.
        DtypeError
            An identifier column's dtype cannot hold that identifier.

        Notes
        -----
        Unusable identifier values (invalid, placeholder) are listed in :attr:`rejects`;
        the record is still added. A frame with no rows adds nothing.
        Cost: O(rows) vectorized work, normalization of unique values only, and
        connected components over the new records and the persons they touch.
        """
        if not isinstance(frame, pd.DataFrame):
            msg = f"add() takes a pandas DataFrame, got {type(frame).__name__}"
            raise InputError(msg)
        if not isinstance(source, str) or not source:
            msg = "source must be a non-empty string"
            raise InputError(msg)
        if columns:
            frame = frame.rename(columns=columns)
        specs = [(i, s) for i, s in enumerate(self.identifiers) if s.column in frame.columns]
        if not specs:
            wanted = [s.column for s in self.identifiers]
            msg = (
                f"source {source!r} carries none of the identifier columns {wanted}; "
                f"its columns are {[str(c) for c in frame.columns]}"
            )
            raise NoIdentifierColumnsError(msg)
        ids = self._record_ids(frame, source, id)
        attributes = self._attributes(frame, source, id, keep)
        if len(frame) == 0:
            log.info("add(): source %r: empty frame, nothing added", source)
            return ChangeSet()
        extracted = extract_edges(frame, specs, self._values, self._next_value)
        self._next_value = extracted.next_code

        start = len(self._rec_alive)
        n_new = len(ids)
        if source not in self._sources:
            self._sources.append(source)
        source_code = self._sources.index(source)
        self._batches.append(_Batch(source, start, ids, attributes))
        self._rec_source = np.concatenate([self._rec_source, np.full(n_new, source_code, np.int32)])
        self._rec_hash = np.concatenate([self._rec_hash, record_hashes(source, ids)])
        self._rec_alive = np.concatenate([self._rec_alive, np.ones(n_new, bool)])
        self._person = np.concatenate([self._person, np.full(n_new, -1, np.int64)])
        self._grow_values(extracted.new_kinds)
        new_rec = extracted.rec + start
        self._edge_rec = np.concatenate([self._edge_rec, new_rec])
        self._edge_val = np.concatenate([self._edge_val, extracted.val])
        self._edge_spec = np.concatenate([self._edge_spec, extracted.spec])
        if len(extracted.reject_rec):
            self._rejects.append(
                pd.DataFrame(
                    {
                        "source": source,
                        "record_id": ids[extracted.reject_rec],
                        "column": [self.identifiers[i].column for i in extracted.reject_spec],
                        "reason": extracted.reject_reason,
                    }
                )
            )
        self._val_count += np.bincount(extracted.val, minlength=len(self._val_count))
        if not self._resolved:
            return ChangeSet(records_added=n_new)
        affected = self._persons_with_values(extracted.val, exclude_from=start)
        region_new = np.arange(start, start + n_new, dtype=np.int64)
        changes = self._resolve(affected, region_new)
        return self._finish(changes, records_added=n_new)

    def resolve(self) -> ChangeSet:
        """Resolve the records of a bulk load into persons; a no-op once resolved.

        A new graph defers resolution: ``add`` and ``link`` only stage records and
        edges until the first read (``clusters``, ``n_persons``, ``person_of``...) or
        this call, so a bulk load gives the same persons and ids whatever the order
        of its sources and rows. From then on every ``add``, ``link`` or removal
        resolves at once and returns its own :class:`ChangeSet`.

        Returns
        -------
        ChangeSet
            The persons of the bulk load (empty when already resolved).
        """
        if self._resolved:
            return ChangeSet()
        self._resolved = True
        n_records = len(self._rec_alive)
        changes = self._resolve(np.empty(0, np.int64), np.flatnonzero(self._rec_alive))
        return self._finish(changes, records_added=n_records)

    def _record_ids(self, frame: pd.DataFrame, source: str, id_column: str | None) -> pd.Index:
        if id_column is None:
            ids = pd.Index(frame.index)
            where = "the index"
        else:
            if id_column not in frame.columns:
                msg = f"source {source!r} has no id column {id_column!r}"
                raise MissingColumnError(
                    msg, column=id_column, available=[str(c) for c in frame.columns]
                )
            ids = pd.Index(frame[id_column])
            where = f"column {id_column!r}"
        if ids.hasnans:
            msg = f"source {source!r}: {int(ids.isna().sum())} record ids in {where} are missing"
            raise InputError(msg)
        if not ids.is_unique:
            repeated = ids[ids.duplicated()].unique()[:10].tolist()
            msg = f"source {source!r}: record ids repeat in {where}: {repeated}"
            raise DuplicateRecordError(msg, source=source, record_ids=repeated)
        for batch in self._batches:
            if batch.source == source:
                again = ids[ids.isin(batch.ids)]
                alive = self._rec_alive[batch.start + batch.ids.get_indexer(again)]
                again = again[alive]
                if len(again):
                    repeated = again[:10].tolist()
                    msg = f"source {source!r}: record ids already in the graph: {repeated}"
                    raise DuplicateRecordError(msg, source=source, record_ids=repeated)
        return ids

    def _attributes(
        self, frame: pd.DataFrame, source: str, id_column: str | None, keep: Sequence[str] | None
    ) -> pd.DataFrame:
        if keep is None:
            names = [c for c in frame.columns if c != id_column]
        else:
            names = list(keep)
            missing = [c for c in names if c not in frame.columns]
            if missing:
                msg = f"source {source!r}: keep names columns it lacks: {missing}"
                raise MissingColumnError(
                    msg, column=missing[0], available=[str(c) for c in frame.columns]
                )
        # Copy-on-write makes this selection cheap; the caller's frame is never touched.
        return frame.loc[:, names].reset_index(drop=True)

    def _grow_values(self, new_kinds: list[tuple[str, int]]) -> None:
        kinds = [np.full(n, self._kind_index[kind], dtype=np.int16) for kind, n in new_kinds]
        grow = sum(n for _, n in new_kinds)
        self._val_kind = np.concatenate([self._val_kind, *kinds])
        self._val_count = np.concatenate([self._val_count, np.zeros(grow, np.int64)])

    # ------------------------------------------------------------------ link
    def link(self, pairs: pd.DataFrame, *, threshold: float = 0.5) -> ChangeSet:
        """Add match edges between records already in the graph.

        Parameters
        ----------
        pairs : pandas.DataFrame
            Columns ``source_l, record_id_l, source_r, record_id_r,
            match_probability`` and optionally ``match_weight`` (as a matcher's
            ``predict`` returns them).
        threshold : float, default 0.5
            Pairs with ``match_probability >= threshold`` become links.

        Returns
        -------
        ChangeSet

        Raises
        ------
        MissingColumnError
            A required column is missing.
        UnknownRecordError
            A pair names a record the graph does not hold.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Key("crm_id")])
        >>> _ = g.add(pd.DataFrame({"crm_id": ["a", "b"]}), source="crm")
        >>> pairs = pd.DataFrame({"source_l": ["crm"], "record_id_l": [0], "source_r": ["crm"],
        ...                       "record_id_r": [1], "match_probability": [0.97]})
        >>> g.link(pairs, threshold=0.9).merges[["old_id", "new_id"]].shape
        (1, 2)
        >>> g.n_persons
        1
        """
        needed = ["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"]
        missing = [c for c in needed if c not in pairs.columns]
        if missing:
            msg = f"pairs lack columns {missing}"
            raise MissingColumnError(msg, column=missing[0], available=list(pairs.columns))
        if not 0.0 <= threshold <= 1.0:
            msg = f"threshold must be within [0, 1], got {threshold}"
            raise ConfigError(msg)
        accepted = pairs[pairs["match_probability"].to_numpy(dtype=float) >= threshold]
        if accepted.empty:
            return ChangeSet()
        rec_l = self._positions(accepted["source_l"], accepted["record_id_l"])
        rec_r = self._positions(accepted["source_r"], accepted["record_id_r"])
        weight = (
            accepted["match_weight"].to_numpy(dtype=float)
            if "match_weight" in accepted.columns
            else np.full(len(accepted), np.nan)
        )
        new = pd.DataFrame(
            {
                "rec_l": np.minimum(rec_l, rec_r),
                "rec_r": np.maximum(rec_l, rec_r),
                "match_probability": accepted["match_probability"].to_numpy(dtype=float),
                "match_weight": weight,
            }
        )
        new = new[new["rec_l"] != new["rec_r"]]
        self._match = (
            pd.concat([self._match, new], ignore_index=True)
            .sort_values("match_probability", ascending=False, kind="stable")
            .drop_duplicates(["rec_l", "rec_r"])
            .sort_values(["rec_l", "rec_r"], ignore_index=True)
        )
        if not self._resolved:
            return ChangeSet()
        ends = np.concatenate([new["rec_l"].to_numpy(), new["rec_r"].to_numpy()])
        affected = np.unique(self._person[ends])
        changes = self._resolve(affected, np.empty(0, np.int64))
        return self._finish(changes)

    def _positions(self, sources: pd.Series, record_ids: pd.Series) -> np.ndarray:
        """Global record positions of ``(source, record_id)`` keys; raises on unknown keys."""
        out = np.full(len(sources), -1, dtype=np.int64)
        src = sources.to_numpy(dtype=object)
        rid = record_ids.to_numpy(dtype=object)
        for batch in self._batches:
            rows = np.flatnonzero((src == batch.source) & (out < 0))
            if not len(rows):
                continue
            pos = batch.ids.get_indexer(pd.Index(rid[rows]))
            hit = pos >= 0
            out[rows[hit]] = batch.start + pos[hit]
        found = out >= 0
        found[found] = self._rec_alive[out[found]]
        if not found.all():
            bad = np.flatnonzero(~found)[:10]
            keys = list(zip(src[bad].tolist(), rid[bad].tolist(), strict=True))
            msg = f"records not in the graph: {keys}"
            raise UnknownRecordError(msg)
        return out

    # ------------------------------------------------------------------ resolve
    def _generic_mask(self) -> np.ndarray:
        """Values carried by more records than their kind allows."""
        limits = np.array(
            [p.max_records if p.max_records is not None else np.iinfo(np.int64).max
             for p in self._policies] or [0],
            dtype=np.int64,
        )  # fmt: skip
        return self._val_count > limits[self._val_kind]

    def _persons_with_values(self, values: np.ndarray, *, exclude_from: int) -> np.ndarray:
        """Persons of records below ``exclude_from`` that carry any of ``values``."""
        if exclude_from == 0 or not len(values):
            return np.empty(0, dtype=np.int64)
        old = self._edge_rec < exclude_from
        carriers = self._edge_rec[old][np.isin(self._edge_val[old], values)]
        persons = self._person[carriers]
        return np.unique(persons[persons >= 0])

    def _resolve(self, affected: np.ndarray, new_records: np.ndarray) -> pd.DataFrame:
        """Recompute components of the affected persons plus new records; assign ids."""
        alive = self._rec_alive
        if len(affected):
            old_records = np.flatnonzero(np.isin(self._person, affected) & alive)
            region = np.union1d(old_records, new_records)
        else:
            region = new_records
        if not len(region):
            return ChangeSet().merges
        n_all = len(alive)
        local = np.full(n_all, -1, dtype=np.int64)
        local[region] = np.arange(len(region))
        generic = self._generic_mask()
        if len(region) == n_all:
            use = ~generic[self._edge_val]
        else:
            use = local[self._edge_rec] >= 0
            use &= ~generic[self._edge_val]
        e_rec = local[self._edge_rec[use]]
        e_val = self._edge_val[use]
        # Number the region's values after its records, without a sort.
        value_node = np.zeros(len(generic), dtype=np.int64)
        value_node[e_val] = 1
        n_values = int(value_node.sum())
        value_node = np.cumsum(value_node) - 1 + len(region)
        a, b = [e_rec], [value_node[e_val]]
        if len(self._match):
            ml = local[self._match["rec_l"].to_numpy()]
            mr = local[self._match["rec_r"].to_numpy()]
            both = (ml >= 0) & (mr >= 0)
            a.append(ml[both])
            b.append(mr[both])
        n_nodes = len(region) + n_values
        # Every value node touches a record, so record labels already cover 0..k-1.
        labels = connected_components(n_nodes, np.concatenate(a), np.concatenate(b))[: len(region)]
        old_ids = self._person[region]
        ids, is_fresh, changes = assign_ids(
            labels, old_ids, self._rec_hash[region], self._born, self._issued
        )
        self._person[region] = ids[labels]
        fresh = np.sort(ids[is_fresh])
        gone = np.setdiff1d(np.unique(old_ids[old_ids >= 0]), ids[~is_fresh])
        self._generation += 1
        self._born = pd.concat(
            [
                self._born.drop(gone),
                pd.Series(self._generation, index=pd.Index(fresh, dtype=np.int64), dtype=np.int64),
            ]
        )
        self._issued = np.union1d(self._issued, fresh) if len(self._issued) else fresh
        return changes

    def _finish(self, changes: pd.DataFrame, *, records_added: int = 0) -> ChangeSet:
        generation = self._generation
        fresh_ids = self._born.index[self._born.to_numpy() == generation].to_numpy()
        merges = changes.loc[changes["reason"] == "merge", ["old_id", "new_id"]]
        splits = changes.loc[changes["reason"] == "split", ["old_id", "new_id"]]
        if len(changes):
            self._history.append(
                changes[["old_id", "new_id", "reason"]].assign(
                    time=pd.Timestamp(datetime.now(timezone.utc))
                )
            )
        return ChangeSet(
            records_added=records_added,
            new_persons=np.sort(fresh_ids),
            merges=merges.reset_index(drop=True),
            splits=splits.reset_index(drop=True),
        )

    # ------------------------------------------------------------------ outputs
    def clusters(self) -> pd.DataFrame:
        """One row per record: ``source, record_id, person_id``.

        Returns
        -------
        pandas.DataFrame
            ``source`` (categorical), ``record_id`` (the ids as given) and
            ``person_id`` (int64), in the order records were added.
        """
        self.resolve()
        parts = []
        for batch in self._batches:
            alive = self._rec_alive[batch.start : batch.stop]
            ids = batch.ids[alive] if not alive.all() else batch.ids
            parts.append(
                pd.DataFrame(
                    {
                        "source": batch.source,
                        "record_id": ids,
                        "person_id": self._person[batch.start : batch.stop][alive],
                    }
                )
            )
        if not parts:
            return pd.DataFrame(
                {"source": pd.Categorical([]), "record_id": [], "person_id": np.empty(0, np.int64)}
            )
        out = pd.concat(parts, ignore_index=True)
        out["source"] = pd.Categorical(out["source"], categories=self._sources)
        return out[_CLUSTER_COLUMNS]

    @property
    def rejects(self) -> pd.DataFrame:
        """One row per unusable identifier value: ``source, record_id, column, reason``.

        Reasons: ``invalid_email``, ``invalid_phone``, ``junk_value``. The rejected
        values themselves are not shown.
        """
        if not self._rejects:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in _REJECT_COLUMNS})
        return pd.concat(self._rejects, ignore_index=True)[_REJECT_COLUMNS]

    def records(self) -> pd.DataFrame:
        """The kept attribute columns of every record, with ``source`` and ``record_id`` first."""
        parts = []
        for batch in self._batches:
            alive = self._rec_alive[batch.start : batch.stop]
            attrs = batch.attributes[alive] if not alive.all() else batch.attributes
            front = pd.DataFrame({"source": batch.source, "record_id": batch.ids[alive]})
            parts.append(pd.concat([front, attrs.reset_index(drop=True)], axis=1))
        if not parts:
            return pd.DataFrame({"source": [], "record_id": []})
        return pd.concat(parts, ignore_index=True)

    def generic_values(self) -> pd.DataFrame:
        """Identifier values shared by more records than their kind's ``max_records``.

        Returns
        -------
        pandas.DataFrame
            ``kind, value, records``; ``value`` is the link key (the SHA-256 digest
            for hashed kinds), never a raw email or phone.
        """
        generic = np.flatnonzero(self._generic_mask())
        kinds, keys, counts = [], [], []
        for kind, index in self._values.items():
            k, codes = index.items()
            hit = np.isin(codes, generic)
            kinds.extend([kind] * int(hit.sum()))
            keys.append(k[hit])
            counts.append(self._val_count[codes[hit]])
        return pd.DataFrame(
            {
                "kind": kinds,
                "value": np.concatenate(keys) if keys else [],
                "records": np.concatenate(counts) if counts else np.empty(0, np.int64),
            }
        ).sort_values(
            ["records", "kind", "value"], ascending=[False, True, True], ignore_index=True
        )

    def id_history(self) -> pd.DataFrame:
        """Every merge and split of person ids: ``old_id, new_id, reason, time``."""
        self.resolve()
        if not self._history:
            return pd.DataFrame(
                {"old_id": np.empty(0, np.int64), "new_id": np.empty(0, np.int64),
                 "reason": pd.Series([], dtype=object),
                 "time": pd.Series([], dtype="datetime64[ns, UTC]")}
            )  # fmt: skip
        return pd.concat(self._history, ignore_index=True)

    def person_of(self, source: str, record_id: Hashable) -> int:
        """Person id of one record.

        Raises
        ------
        UnknownRecordError
            The graph holds no such record.
        """
        self.resolve()
        pos = self._positions(
            pd.Series([source], dtype=object), pd.Series([record_id], dtype=object)
        )
        return int(self._person[pos[0]])
