"""The identity graph: records linked by shared identifiers and match edges."""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from identigraph._frames import to_pandas
from identigraph._progress import progress_bar
from identigraph.errors import (
    ConfigError,
    DuplicateRecordError,
    InputError,
    MissingColumnError,
    NoIdentifierColumnsError,
    UnknownRecordError,
)
from identigraph.graph._attributes import (
    AttributeCodes,
    alike_functions,
    append_attribute_codes,
    check_attributes,
    transform_attributes,
)
from identigraph.graph._batches import RecordBatch
from identigraph.graph._bulk import merge_values
from identigraph.graph._display import value_hashes
from identigraph.graph._growable import appended
from identigraph.graph._incremental import (
    append_batch,
    append_rejects,
    edge_rows,
    ensure_indexes,
    find_records,
    index_new_records,
    persons_of_values,
    records_of_persons,
    region_matches,
    reindex_persons,
)
from identigraph.graph._issued import IssuedIds
from identigraph.graph._postings import Postings
from identigraph.graph._values import ValueIndex
from identigraph.graph.changes import ChangeSet
from identigraph.graph.core import KindLimits, extract_keys, record_hashes, resolve_region
from identigraph.graph.erase import expire_values, record_positions, remove_records
from identigraph.graph.explain import Explanation, explain
from identigraph.graph.guards import CutLinks, close_over_cuts, conflicts_frame, record_cuts
from identigraph.graph.invariants import check_invariants
from identigraph.graph.lifecycle import Lifecycle
from identigraph.graph.lookup import lookup_all, lookup_person, row_frame
from identigraph.graph.person import PersonView, person_view
from identigraph.graph.record_ids import IdKind, check_id_kind, id_kind
from identigraph.graph.report import GraphReport, graph_report
from identigraph.graph.spec_checks import phone_counts, warn_phone_parse, warn_uncarried
from identigraph.graph.store import load_graph, save_graph
from identigraph.matcher import DEFAULT_THRESHOLD
from identigraph.matcher._frame_checks import check_frame, check_record_ids
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.linker import Matcher
from identigraph.matcher.specs import Identifier, Phone, check_identifiers
from identigraph.merge.golden import GoldenResult, golden_records
from identigraph.merge.rules import MostFrequent, Rule

__all__ = ["IdentityGraph"]

log = logging.getLogger("identigraph")
_DEFAULT_RULE = MostFrequent()

# Record, edge and value arrays that updates append to (graph/_growable.py).
_GROWING = (
    "_rec_source", "_rec_hash", "_rec_alive", "_person", "_edge_rec", "_edge_val",
    "_edge_spec", "_val_kind", "_val_count", "_val_key",
)  # fmt: skip
_REJECT_COLUMNS = ["source", "record_id", "column", "reason"]


class _Resolved(NamedTuple):
    """What one resolution changed: the id changes and the ids it issued (sorted)."""

    changes: pd.DataFrame
    fresh: np.ndarray


@dataclass(frozen=True, slots=True)
class _KindPolicy:
    name: str
    priority: int
    max_records: int | None
    max_per_person: int | None
    on_shared: str = "keep"


def _check_source(source: object) -> None:
    if not isinstance(source, str) or not source:
        msg = "source must be a non-empty string"
        raise InputError(msg)


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        msg = f"threshold must be within [0, 1], got {threshold}"
        raise ConfigError(msg)


def _kind_policies(identifiers: Sequence[Identifier]) -> list[_KindPolicy]:
    policies: dict[str, _KindPolicy] = {}
    for spec in identifiers:
        policy = _KindPolicy(
            spec.kind, spec.priority, spec.max_records, spec.max_per_person, spec.on_shared
        )
        known = policies.setdefault(spec.kind, policy)
        if known != policy:
            msg = (
                f"identifier specs of kind {spec.kind!r} disagree on priority, max_records, "
                f"max_per_person or on_shared ({known} vs {policy}); give them the same settings"
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
    attributes : sequence of Attribute, optional
        Columns that never link records but cap how many mutually unlike values
        (first names) one person may hold; see :class:`identigraph.Attribute`
        and :func:`identigraph.graph.guards.enforce_limits`.

    Attributes
    ----------
    identifiers : tuple of Identifier
        The specs, as given.
    attributes : tuple of Attribute
        The attribute specs, as given.

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

    def __init__(
        self, identifiers: Sequence[Identifier] = (), *, attributes: Sequence[Attribute] = ()
    ) -> None:
        self.identifiers = check_identifiers(identifiers)
        self._policies = _kind_policies(self.identifiers)
        self._kind_index = {p.name: i for i, p in enumerate(self._policies)}
        self.attributes = check_attributes(attributes, self.identifiers)
        self._reset()

    # ------------------------------------------------------------------ state
    def _reset(self) -> None:
        self._sources: list[str] = []
        self._id_kinds: dict[str, IdKind] = {}  # type of each source's record ids
        self._carried: set[str] = set()  # identifier columns some source carried
        self._warned: set[str] = set()  # specs warned about (spec_checks.py), once each
        self._batches: list[RecordBatch] = []
        self._batch_starts = np.empty(0, dtype=np.int64)  # cache, see _incremental.batch_starts
        self._rec_source = np.empty(0, dtype=np.int32)
        self._rec_hash = np.empty(0, dtype=np.uint64)
        self._rec_alive = np.empty(0, dtype=bool)
        self._person = np.empty(0, dtype=np.int64)
        self._values: dict[str, ValueIndex] = {}
        self._next_value = 0
        self._val_key = np.empty(0, dtype=object)  # code -> link key (None once erased)
        self._cut_values: tuple[CutLinks, np.ndarray] | None = None  # see guards._cut_values
        # Ends of the cut links, sorted, and their rows (see guards._cut_ends).
        self._cut_ends: tuple[CutLinks, np.ndarray, np.ndarray] | None = None
        # Ends of the match edges, sorted, and their rows (see _incremental.region_matches).
        self._match_ends: tuple[pd.DataFrame, np.ndarray, np.ndarray] | None = None
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
        self._ids = IssuedIds()  # every person id issued, with its generation
        self._n_persons = 0
        # Postings (graph/_incremental.py): value -> records, person -> records, hash -> record.
        self._by_value = Postings()
        self._by_person = Postings()
        self._by_hash = Postings()
        self._generation = 0
        self._history: list[pd.DataFrame] = []
        self._cuts = CutLinks.empty()  # links cut by per-person limits (graph/guards.py)
        # Shared values (on_shared="unlink"): sorted codes; their links are listed in _cuts.
        self._shared = np.empty(0, dtype=np.int64)
        # Attribute codes of every record (-1: none) and vocabularies (graph/_attributes.py).
        self._attr = AttributeCodes.empty(len(self.attributes))
        # A new graph is a bulk load: its records are resolved together at the first read.
        self._lifecycle = Lifecycle.STAGED

    # ------------------------------------------------------------------ sizes
    def __len__(self) -> int:
        """Number of records in the graph."""
        return int(self._rec_alive.sum())

    @property
    def n_persons(self) -> int:
        """Number of persons (clusters)."""
        self.resolve()
        return self._n_persons

    @property
    def lifecycle(self) -> Lifecycle:
        """Where the graph stands: ``STAGED`` (a bulk load), ``RESOLVED`` or ``LIVE``."""
        return self._lifecycle

    @property
    def _staged(self) -> bool:
        return self._lifecycle is Lifecycle.STAGED

    @property
    def sources(self) -> list[str]:
        """Names of the sources added so far, in order of first addition."""
        return list(self._sources)

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import graph_html

        return graph_html(self)

    def __repr__(self) -> str:
        specs = ", ".join(f"{type(s).__name__}({s.column!r})" for s in self.identifiers)
        persons = "staged" if self._staged else self._n_persons
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
        matcher: Matcher | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> ChangeSet:
        """Add the records of one source and link them.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per record. It need not carry every identifier column; it must
            carry at least one. The frame is not modified.
        source : str
            Name of the source (``"crm"``, ``"web"``...). Record ids are unique per source
            and of one type per source (integers, strings...), fixed by its first add.
        id : str, optional
            Column holding the record id; by default the frame's index.
        keep : sequence of str, optional
            Attribute columns to keep for golden records (after renaming); by
            default all columns but the id column.
        columns : dict, optional
            Renames ``{frame column: graph column}`` applied first, so that sources
            with different column names share one vocabulary.
        matcher : Matcher, optional
            Also add match edges between the frame's own records (dedupe within the
            source) with ``match_probability >= threshold``; an unfitted matcher is
            fitted on the frame first. For links across sources, call
            :meth:`link` with the pairs of ``matcher.predict({...})``.
        threshold : float, default :data:`identigraph.DEFAULT_THRESHOLD` (0.5)
            Match probability a matcher's pair needs to become a link.

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
            An identifier column's dtype cannot hold that identifier, or the record ids
            mix types or are of another type than the source's ids so far (``"7"``
            for a source of integer ids): one record must not become two.

        Notes
        -----
        Unusable identifier values (invalid, placeholder) are listed in :attr:`rejects`;
        the record is still added. A frame with no rows adds nothing.
        Cost: O(rows) vectorized work, normalization of unique values only, and
        connected components over the new records and the persons they touch.
        """
        frame = to_pandas(frame, argument="frame")
        check_frame(frame, self.identifiers, id=id, keep=keep, columns=columns)
        _check_source(source)
        if columns:
            frame = frame.rename(columns=columns)
        specs = [(i, s) for i, s in enumerate(self.identifiers) if s.column in frame.columns]
        if not specs and matcher is None:
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
        pairs = None
        if matcher is not None:  # scored before anything is appended, as it may raise
            _check_threshold(threshold)
            pairs = matcher.dedupe(frame, id=id, source=source, threshold=threshold)
        start, values = self._append_records(frame, specs, source, ids, attributes)
        n_new = len(ids)
        if pairs is not None:
            self._stage_matches(pairs, threshold)
        if self._staged:
            return ChangeSet(records_added=n_new, staged=True)
        return self._resolve_added(start, n_new, values)

    def _append_records(
        self,
        frame: pd.DataFrame,
        specs: list[tuple[int, Identifier]],
        source: str,
        ids: pd.Index,
        attributes: pd.DataFrame,
    ) -> tuple[int, np.ndarray]:
        """Append the checked records of ``frame``; their first position and edge values."""
        bulk = self._staged
        # First what may raise (transforms, normalization), then the appends.
        transformed = transform_attributes(self, frame)
        hashes = record_hashes(source, ids)
        if not bulk:
            for _, spec in specs:
                self._values.setdefault(spec.kind, ValueIndex())
        extracted = extract_keys(frame, specs, None if bulk else self._values, self._next_value)
        self._next_value = extracted.next_code

        start = len(self._rec_alive)
        n_new = len(ids)
        if source not in self._sources:
            self._sources.append(source)
        source_code = self._sources.index(source)
        append_batch(self, RecordBatch(source, start, ids, attributes))
        self._rec_source = appended(self._rec_source, np.full(n_new, source_code, np.int32))
        self._rec_hash = appended(self._rec_hash, hashes)
        self._rec_alive = appended(self._rec_alive, np.ones(n_new, bool))
        self._person = appended(self._person, np.full(n_new, -1, np.int64))
        append_attribute_codes(self, transformed, n_new)  # attribute values (_attributes.py)
        self._grow_values(extracted.new_kinds)
        self._val_key = appended(self._val_key, extracted.new_keys)
        edge_start = len(self._edge_rec)
        # Edges come sorted by record and stay so: the new records follow the old.
        self._edge_rec = appended(self._edge_rec, extracted.rec + start)
        self._edge_val = appended(self._edge_val, extracted.val)
        self._edge_spec = appended(self._edge_spec, extracted.spec)
        index_new_records(self, start, edge_start, hashes)
        if len(extracted.reject_rec):
            append_rejects(
                self,
                pd.DataFrame(
                    {
                        "source": source,
                        "record_id": ids[extracted.reject_rec],
                        "column": [self.identifiers[i].column for i in extracted.reject_spec],
                        "reason": extracted.reject_reason,
                    }
                ),
            )
        self._carried.update(spec.column for _, spec in specs)
        for i, spec in specs:
            if isinstance(spec, Phone) and spec.region is None:
                n_values, n_failed = phone_counts(i, extracted.spec, extracted.reject_spec)
                warn_phone_parse(spec, n_values, n_failed, self._warned, source=source)
        if not bulk:  # a bulk load counts once its codes are merged
            np.add.at(self._val_count, extracted.val, 1)
        return start, extracted.val

    def _resolve_added(self, start: int, n_new: int, values: np.ndarray) -> ChangeSet:
        """Resolve the records appended from ``start`` on, carrying edge ``values``."""
        affected = self._persons_with_values(values, exclude_from=start)
        region_new = np.arange(start, start + n_new, dtype=np.int64)
        changes = self._resolve(affected, region_new)
        return self._finish(changes, records_added=n_new)

    def resolve(self, *, progress: bool | None = None) -> ChangeSet:
        """Resolve the records of a bulk load into persons; a no-op once resolved.

        A new graph defers resolution: ``add`` and ``link`` only stage records and
        edges until the first read (``clusters``, ``n_persons``, ``person_of``...) or
        this call, so a bulk load gives the same persons and ids whatever the order
        of its sources and rows. From then on every ``add``, ``link`` or removal
        resolves at once and returns its own :class:`ChangeSet`.

        Parameters
        ----------
        progress : bool, optional
            Show a progress bar over the steps (merging value codes, then the
            components, limits and person ids); by default only in a terminal or a
            notebook. Reads that resolve implicitly use the default.

        Returns
        -------
        ChangeSet
            The persons of the bulk load (empty when already resolved).
        """
        if not self._staged:
            return ChangeSet()
        started = time.perf_counter()
        n_records = len(self._rec_alive)
        with progress_bar(2, desc="resolve", unit="step", progress=progress) as bar:
            merge_values(self)
            bar.update(1)
            self._lifecycle = Lifecycle.RESOLVED
            if self._batches:
                warn_uncarried(self.identifiers, self._carried, self._warned)
            changes = self._resolve(np.empty(0, np.int64), np.flatnonzero(self._rec_alive))
            bar.update(1)
        result = self._finish(changes, records_added=n_records)
        log.info(
            "resolved %d records into %d persons in %.2f s",
            n_records,
            len(result.new_persons),
            time.perf_counter() - started,
        )
        return result

    def check_invariants(self) -> None:
        """Check the invariants of the graph's state (tests call it after every step).

        See :func:`identigraph.graph.invariants.check_invariants` for the list.

        Raises
        ------
        InvariantError
            An invariant is broken (a bug, or a corrupt store).

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Cookie("cookie_id")])
        >>> _ = g.add(pd.DataFrame({"cookie_id": ["c-123", "c-123"]}), source="web")
        >>> g.check_invariants()
        """
        check_invariants(self)

    def build_indexes(self) -> None:
        """Build the look-up indexes now, resolving a bulk load first.

        A bulk load leaves out the indexes that updates and look-ups use (value ->
        records, person -> records, the key dictionaries' hash tables), so that a
        batch job that only reads ``clusters()`` never pays for them; the first
        update or look-up builds them. A service calls this once before it takes
        requests, so that no request waits for it.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Cookie("cookie_id")])
        >>> _ = g.add(pd.DataFrame({"cookie_id": ["c1", "c1"]}), source="web")
        >>> g.build_indexes()
        >>> g.lookup(cookie_id="c1") == g.person_of("web", 0)
        True
        """
        self.resolve()
        ensure_indexes(self)
        for index in self._values.values():
            index.build()
        # Spare capacity behind the growing arrays, so the first update copies none.
        for name in _GROWING:
            setattr(self, name, appended(getattr(self, name), getattr(self, name)[:0]))

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
        return self._check_ids(ids, source, where)

    def _check_ids(self, ids: pd.Index, source: str, where: str) -> pd.Index:
        """``ids`` once none is missing, repeated, of another type than the source's ids so
        far, or already in the graph for ``source``."""
        check_record_ids(ids, where)
        kind = check_id_kind(ids, self._id_kind(source), source=source, where=where)
        if kind is not None:
            self._id_kinds.setdefault(source, kind)
        if ids.hasnans:
            missing = np.count_nonzero(ids.isna())
            msg = f"source {source!r}: {missing} record ids in {where} are missing"
            raise InputError(msg)
        if not ids.is_unique:
            repeated = ids[ids.duplicated()].unique()[:10].tolist()
            msg = f"source {source!r}: record ids repeat in {where}: {repeated}"
            raise DuplicateRecordError(msg, source=source, record_ids=repeated)
        again = find_records(self, source, ids) >= 0
        if again.any():
            repeated = ids[again][:10].tolist()
            msg = f"source {source!r}: record ids already in the graph: {repeated}"
            raise DuplicateRecordError(msg, source=source, record_ids=repeated)
        return ids

    def _id_kind(self, source: str) -> IdKind | None:
        """The type of the record ids of ``source`` (from its first batch), None if new."""
        known = self._id_kinds.get(source)
        if known is None:
            first = next((b for b in self._batches if b.source == source and len(b.ids)), None)
            if first is not None:
                known = id_kind(first.ids, source=source, where="the graph")
                if known is not None:
                    self._id_kinds[source] = known
        return known

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
        self._val_kind = appended(self._val_kind, np.concatenate([*kinds, np.empty(0, np.int16)]))
        self._val_count = appended(self._val_count, np.zeros(grow, np.int64))

    # ------------------------------------------------------------------ link
    def link(self, pairs: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD) -> ChangeSet:
        """Add match edges between records already in the graph.

        Parameters
        ----------
        pairs : pandas.DataFrame
            Columns ``source_l, record_id_l, source_r, record_id_r,
            match_probability`` and optionally ``match_weight`` (as a matcher's
            ``predict`` returns them).
        threshold : float, default :data:`identigraph.DEFAULT_THRESHOLD` (0.5)
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
        >>> g.resolve().new_persons.shape
        (2,)
        >>> pairs = pd.DataFrame({"source_l": ["crm"], "record_id_l": [0], "source_r": ["crm"],
        ...                       "record_id_r": [1], "match_probability": [0.97]})
        >>> g.link(pairs, threshold=0.9).merges[["old_id", "new_id"]].shape
        (1, 2)
        >>> g.n_persons
        1
        """
        pairs = to_pandas(pairs, argument="pairs")
        needed = ["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"]
        missing = [c for c in needed if c not in pairs.columns]
        if missing:
            msg = f"pairs lack columns {missing}"
            raise MissingColumnError(msg, column=missing[0], available=list(pairs.columns))
        ends = self._stage_matches(pairs, threshold)
        if self._staged:
            return ChangeSet(staged=True)
        if not len(ends):
            return ChangeSet()
        affected = np.unique(self._person[ends])
        changes = self._resolve(affected, np.empty(0, np.int64))
        return self._finish(changes)

    def _stage_matches(self, pairs: pd.DataFrame, threshold: float) -> np.ndarray:
        """Store the accepted pairs as match edges; returns their end records."""
        _check_threshold(threshold)
        accepted = pairs[pairs["match_probability"].to_numpy(dtype=float) >= threshold]
        if accepted.empty:
            return np.empty(0, dtype=np.int64)
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
        # Comparison levels (``<name>_level`` columns) stay with the edge for explain().
        levels = [c for c in accepted.columns if isinstance(c, str) and c.endswith("_level")]
        new = new.assign(**{c: accepted[c].to_numpy() for c in levels})
        new = new[new["rec_l"] != new["rec_r"]]
        self._match = (
            pd.concat([self._match, new], ignore_index=True)
            .sort_values("match_probability", ascending=False, kind="stable")
            .drop_duplicates(["rec_l", "rec_r"])
            .sort_values(["rec_l", "rec_r"], ignore_index=True)
        )
        return np.concatenate([new["rec_l"].to_numpy(), new["rec_r"].to_numpy()])

    def _positions(self, sources: pd.Series, record_ids: pd.Series) -> np.ndarray:
        """Global record positions of ``(source, record_id)`` keys; raises on unknown keys."""
        out = np.full(len(sources), -1, dtype=np.int64)
        src = sources.to_numpy(dtype=object)
        rid = record_ids.to_numpy(dtype=object)
        for source in pd.unique(src):  # one step per source named
            rows = np.flatnonzero(src == source)
            out[rows] = find_records(self, source, pd.Index(rid[rows], dtype=object))
        found = out >= 0
        if not found.all():
            bad = np.flatnonzero(~found)[:10]
            keys = list(zip(src[bad].tolist(), rid[bad].tolist(), strict=True))
            msg = f"records not in the graph: {keys}"
            raise UnknownRecordError(msg)
        return out

    # ------------------------------------------------------------------ resolve
    def _generic_mask(self, values: np.ndarray | None = None) -> np.ndarray:
        """Values (all, or the given codes) carried by more records than their kind allows."""
        limits = np.array(
            [p.max_records if p.max_records is not None else np.iinfo(np.int64).max
             for p in self._policies] or [0],
            dtype=np.int64,
        )  # fmt: skip
        if values is None:
            return self._val_count > limits[self._val_kind]
        generic: np.ndarray = self._val_count[values] > limits[self._val_kind[values]]
        return generic

    def _limits(self) -> KindLimits | None:
        """The per-person limits of the graph's kinds and attributes; None without any."""
        if not self.attributes and not any(p.max_per_person for p in self._policies):
            return None
        return KindLimits(
            limits=np.array([p.max_per_person or 0 for p in self._policies], dtype=np.int64),
            priorities=np.array([p.priority for p in self._policies], dtype=float),
            unlink=np.array([p.on_shared == "unlink" for p in self._policies], dtype=bool),
            attr_caps=[a.max_per_person for a in self.attributes],
            attr_alike=alike_functions(self),
        )

    def _persons_with_values(self, values: np.ndarray, *, exclude_from: int) -> np.ndarray:
        """Persons of records below ``exclude_from`` that carry any of ``values``."""
        if exclude_from == 0 or not len(values):
            return np.empty(0, dtype=np.int64)
        return persons_of_values(self, values, before=exclude_from)

    def _resolve(self, affected: np.ndarray, new_records: np.ndarray) -> _Resolved:
        """Recompute components of the affected persons plus new records; assign ids."""
        affected = close_over_cuts(self, affected)
        affected = np.unique(affected[affected >= 0])
        # The region: every alive record of the affected persons, found through the
        # person index, plus the new records; sorted, so positions map by binary search.
        region = (
            np.union1d(records_of_persons(self, affected), new_records)
            if len(affected)
            else new_records
        )
        if not len(region):
            self._n_persons -= len(affected)  # persons whose records all left
            return _Resolved(ChangeSet().merges, np.empty(0, dtype=np.int64))
        if len(region) == len(self._rec_alive):
            # Every record (a bulk load): all links; positions are region indexes already.
            generic = self._generic_mask()
            if generic.any():
                usable = ~generic[self._edge_val]
                e_rec, e_val = self._edge_rec[usable], self._edge_val[usable]
            else:
                e_rec, e_val = self._edge_rec, self._edge_val
            n_codes: int | None = len(self._val_kind)
        else:
            rows = edge_rows(self, region)
            usable = rows[~self._generic_mask(self._edge_val[rows])]
            e_rec = np.searchsorted(region, self._edge_rec[usable])
            e_val = self._edge_val[usable]
            n_codes = None
        m_rows, ml, mr = region_matches(self, region)
        prob = self._match["match_probability"].to_numpy(dtype=float)[m_rows]
        limits = self._limits()
        old_ids = self._person[region]
        result = resolve_region(
            len(region),
            e_rec,
            e_val,
            record_hash=self._rec_hash[region],
            old_ids=old_ids,
            issued=self._ids,
            match_l=ml,
            match_r=mr,
            match_probability=prob,
            value_kind=self._val_kind,
            value_hash=lambda codes: value_hashes(self, codes),
            limits=limits,
            attr_codes=[codes[region] for codes in self._attr.codes] if limits else (),
            n_codes=n_codes,
        )
        if result.split is not None:
            record_cuts(
                self, region, result.split, e_rec, e_val, result.link_value,
                len(result.values), ml, mr, prob,
            )  # fmt: skip
        ids, labels, is_fresh, changes = result.ids, result.labels, result.fresh, result.changes
        self._person[region] = ids[labels]
        reindex_persons(self, region, old_ids)
        self._generation += 1
        fresh = np.sort(ids[is_fresh])
        self._ids.add(fresh, generation=self._generation)
        self._n_persons += len(ids) - len(affected)
        return _Resolved(changes, fresh)

    def _finish(self, resolved: _Resolved, *, records_added: int = 0) -> ChangeSet:
        """The ChangeSet of one resolution; merges and splits enter the id history."""
        changes, fresh_ids = resolved
        if not len(changes):  # the common case of a small update: no pandas selections
            none = changes.iloc[:, :2]
            return ChangeSet(
                records_added=records_added, new_persons=fresh_ids, merges=none, splits=none
            )
        merges = changes.loc[changes["reason"] == "merge", ["old_id", "new_id"]]
        splits = changes.loc[changes["reason"] == "split", ["old_id", "new_id"]]
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
        if not self._batches:
            return pd.DataFrame(
                {"source": pd.Categorical([]), "record_id": [], "person_id": np.empty(0, np.int64)}
            )
        alive = self._rec_alive
        ids = [
            batch.ids
            if alive[batch.start : batch.stop].all()
            else batch.ids[alive[batch.start : batch.stop]]
            for batch in self._batches
        ]  # one step per batch
        return pd.DataFrame(
            {
                "source": pd.Categorical.from_codes(
                    self._rec_source[alive], dtype=pd.CategoricalDtype(self._sources)
                ),
                "record_id": ids[0].append(ids[1:]) if len(ids) > 1 else ids[0],
                "person_id": self._person[alive],
            }
        )

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
        with warnings.catch_warnings():
            # Batches whose column is all missing take the other batches' dtype, as
            # pandas 2 does; its FutureWarning about that rule is not the caller's.
            warnings.simplefilter("ignore", FutureWarning)
            return pd.concat(parts, ignore_index=True)

    def golden(
        self,
        rules: Mapping[str, Rule] | None = None,
        *,
        default: Rule | None = _DEFAULT_RULE,
        provenance: Literal["wide", "long", "none"] = "wide",
    ) -> pd.DataFrame | GoldenResult:
        """One golden record per person, each field chosen by a survivorship rule.

        Parameters
        ----------
        rules : mapping of str to Rule, optional
            Output field -> rule (``ig.MostRecent(by="updated_at")``,
            ``ig.SourcePriority([...]).then(ig.MostFrequent())``, ``ig.Sum("order_total")``...).
        default : Rule or None, default MostFrequent()
            Rule for every kept column without one; ``None`` leaves them out.
        provenance : {"wide", "long", "none"}
            ``"wide"`` adds ``<field>__source`` and ``<field>__record_id`` columns;
            ``"long"`` returns a :class:`GoldenResult` with a tidy provenance frame.

        Returns
        -------
        pandas.DataFrame or GoldenResult
            One row per person, ``person_id`` first.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email")])
        >>> _ = g.add(pd.DataFrame({"id": [1], "email": ["Ann@Mail.com "], "name": ["Ann"]}),
        ...           source="crm", id="id")
        >>> _ = g.add(pd.DataFrame({"id": [9], "email": ["ann@mail.com"], "name": ["Annie"]}),
        ...           source="web", id="id")
        >>> golden = g.golden({"name": ig.SourcePriority(["crm", "web"]),
        ...                    "email": ig.MostFrequent(normalized=True)}, default=None)
        >>> golden[["name", "name__source", "email"]].to_dict("records")
        [{'name': 'Ann', 'name__source': 'crm', 'email': 'ann@mail.com'}]

        Notes
        -----
        Identifier columns get their spec's normalized plain form when a rule asks
        for ``normalized=True``; rejected identifier values never win. See
        :func:`identigraph.golden_records` for the rules' tie-breaks and cost.
        """
        normalizers = {spec.column: spec.canonicalize for spec in self.identifiers}
        return golden_records(
            self.records(),
            self.clusters(),
            rules,
            default=default,
            provenance=provenance,
            normalizers=normalizers,
            rejected=self.rejects,
        )

    def generic_values(self) -> pd.DataFrame:
        """Identifier values shared by more records than their kind's ``max_records``.

        Returns
        -------
        pandas.DataFrame
            ``kind, value, records``; ``value`` is the link key (the SHA-256 digest
            for hashed kinds), never a raw email or phone.
        """
        self.resolve()
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

    # ------------------------------------------------------------------ guards and explanations
    def conflicts(self) -> pd.DataFrame:
        """Links cut to keep persons within their identifiers' and attributes' limits.

        Returns
        -------
        pandas.DataFrame
            One row per cut link: ``source, record_id, person_id`` (the record whose
            link was cut and its person), ``kind`` (identifier kind, or ``"match"``),
            ``value`` (masked, ``j***@g***.com``; ``None`` for a match edge),
            ``other_source, other_record_id`` (the other record of a match edge),
            ``other_person_id`` (the person holding the value or the other record;
            ``NA`` when no person holds the value), ``match_probability`` (NaN for
            identifier links), ``reason`` (``"max_per_person"``, or
            ``"shared_value"`` for every link of a value that a kind with
            ``on_shared="unlink"`` treats as shared) and ``limit`` (the kind, or
            the attribute's column, whose limit the link would have broken).

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Key("crm_id", max_per_person=1), ig.Email("email")])
        >>> crm = pd.DataFrame({"crm_id": ["A", "B"], "email": ["ann@mail.com"] * 2})
        >>> _ = g.add(crm, source="crm")
        >>> g.conflicts()[["kind", "value", "limit"]].to_dict("records")
        [{'kind': 'email', 'value': 'a***@m***.com', 'limit': 'crm_id'}]

        See Also
        --------
        identigraph.graph.guards.enforce_limits : how limits split a person.
        """
        self.resolve()
        return conflicts_frame(self)

    def explain(self, a: tuple[str, Hashable], b: tuple[str, Hashable]) -> Explanation:
        """Why two records are the same person, or why they are not.

        Parameters
        ----------
        a, b : tuple
            ``(source, record_id)`` keys of two records.

        Returns
        -------
        Explanation
            ``linked``, ``reason`` and ``path``: the chain of records and the evidence
            on each hop (identifier kind and masked value, or match probability,
            weight and comparison levels); see :func:`identigraph.graph.explain.explain`.

        Raises
        ------
        UnknownRecordError
            The graph holds no such record.
        """
        return explain(self, a, b)

    def person(self, person_id: int) -> PersonView:
        """One person's records, identifier values and links (values masked).

        Raises
        ------
        UnknownPersonError
            No person has that id.
        """
        self.resolve()
        return person_view(self, person_id)

    def report(self, *, top: int = 10) -> GraphReport:
        """Cluster sizes, the ``top`` largest persons, generic values, conflicts and rejects."""
        return graph_report(self, top=top)

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

    # ------------------------------------------------------------------ living graph
    def remove(
        self,
        *,
        records: pd.DataFrame | Iterable[tuple[str, Hashable]] | None = None,
        person: int | Sequence[int] | None = None,
    ) -> ChangeSet:
        """Erase records (a privacy request) and re-resolve only the persons they touched.

        Parameters
        ----------
        records : DataFrame or iterable of (source, record_id), optional
            Records to erase: a frame with columns ``source, record_id`` or pairs.
        person : int or sequence of int, optional
            Erase every record of these persons.

        Returns
        -------
        ChangeSet
            ``records_removed``; ``removed_persons`` (persons whose records all
            left); ``splits`` (a person held together only by an erased record
            splits, its largest part keeping the id) and ``new_persons`` for the
            parts; ``merges`` where a value falls back under ``max_records`` and
            links again.

        Raises
        ------
        UnknownRecordError
            A named record is not in the graph.
        UnknownPersonError
            A person id is not in the graph.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
        >>> web = pd.DataFrame({"email": ["ann@mail.com", "ann@mail.com", None],
        ...                     "cookie_id": [None, "c1", "c1"]})
        >>> _ = g.add(web, source="web")
        >>> g.n_persons
        1
        >>> changes = g.remove(records=[("web", 1)])  # the only record with both
        >>> changes.records_removed, len(changes.splits), g.n_persons
        (1, 1, 2)

        Notes
        -----
        The erased records' identifier links, match edges, cut links and reject
        rows are deleted, and their kept attributes emptied (missing, or 0/False in
        integer and boolean columns); identifier values no remaining record carries
        are forgotten. Record ids of erased records stay in memory, unused, until
        the graph is saved (a store holds alive records only); an erased record's id
        may be added again. Cost: O(links) to compact the link arrays, O(values of
        a kind) to forget values, components over the persons touched only.
        """
        self.resolve()  # an erasure acts on persons: a staged load resolves first
        positions = record_positions(self, records, person)
        return remove_records(self, positions)

    def expire(
        self,
        older_than: str | pd.Timedelta | pd.offsets.BaseOffset,
        *,
        time_column: str,
        kinds: Sequence[str] = ("cookie",),
        now: object = None,
    ) -> ChangeSet:
        """Forget anonymous identifier values nobody has used since a cutoff.

        Parameters
        ----------
        older_than : str, Timedelta or DateOffset
            Age of the cutoff: ``"90D"``, ``pd.Timedelta(days=90)``, ``"3MS"``.
        time_column : str
            Kept attribute column with the time each record was seen (``seen_at``).
            Naive times are taken as UTC.
        kinds : sequence of str, default ("cookie",)
            Identifier kinds that expire.
        now : datetime-like, optional
            The present; by default the current UTC time.

        Returns
        -------
        ChangeSet
            Splits (and new persons) where an expired value held persons together.

        Raises
        ------
        ConfigError
            ``older_than`` cannot be read, or a kind is unknown.
        MissingColumnError
            No source keeps ``time_column``.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
        >>> web = pd.DataFrame({"email": ["ann@mail.com", None], "cookie_id": ["c1", "c1"],
        ...                     "seen_at": pd.to_datetime(["2024-01-01", "2024-02-01"])})
        >>> _ = g.add(web, source="web")
        >>> g.n_persons
        1
        >>> g.expire("90D", time_column="seen_at", now="2024-12-31").splits.shape[0]
        1
        >>> g.n_persons
        2

        Notes
        -----
        A value of the given kinds expires when every alive record carrying it has
        a time and the latest is before ``now - older_than``; a record without a
        time keeps its values. Expired values lose their links and are forgotten,
        and the identifier cells they came from are emptied in the kept
        attributes; the records themselves stay. Cost: O(links) to find the
        links of the kinds, then components over the persons touched.
        """
        self.resolve()  # an expiry splits persons: a staged load resolves first
        return expire_values(self, older_than, kinds=kinds, time_column=time_column, now=now)

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        compression: str = "zstd",
        progress: bool | None = None,
    ) -> None:
        """Write the graph to the directory ``path`` (Parquet files and a JSON manifest).

        Parameters
        ----------
        path : str or os.PathLike
            Directory of the store; an existing store there is replaced.
        compression : str, default "zstd"
            Parquet compression codec (``"none"`` to store plain pages).
        progress : bool, optional
            Show a progress bar over the files written; by default only in a terminal
            or a notebook.

        Raises
        ------
        StoreError
            ``path`` is a file or a directory that is not a store, a kept attribute
            column holds values Parquet cannot type, or writing fails.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email")])
        >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ANN@mail.com"]}), source="crm")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     g.save(f"{tmp}/graph")
        ...     h = ig.IdentityGraph.load(f"{tmp}/graph")
        >>> h.clusters().equals(g.clusters())
        True

        Notes
        -----
        Only alive records and the values they carry are written. The save is
        atomic: at every instant ``path`` holds either the old or the new complete
        store, or the old one waits in a backup directory beside it that
        :meth:`load` and the next save restore; see :mod:`identigraph.graph.store`.
        Cost: O(records + links + values).
        """
        save_graph(self, path, compression=compression, progress=progress)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, progress: bool | None = None) -> IdentityGraph:
        """Read a graph written by :meth:`save`.

        ``progress`` shows a bar over the files read (by default only in a terminal
        or a notebook).

        Raises
        ------
        StoreError
            No store at ``path``, or a file is missing, corrupt or truncated
            (every file's SHA-256 is checked against the manifest).
        StoreVersionError
            The store was written by a newer format version.
        """
        return load_graph(path, cls, progress=progress)

    def lookup(
        self, identifiers: Mapping[str, object] | None = None, /, **kw: object
    ) -> int | None:
        """The person id the raw identifier values point to, or None.

        Parameters
        ----------
        identifiers : mapping, optional
            ``{keyword: raw value}``, for keywords that are not Python names.
        **kw
            ``email=..., phone=..., cookie_id=...``: a keyword is an identifier
            column or kind. Values are normalized exactly as :meth:`add` does.

        Returns
        -------
        int or None
            The person, or None when no value is known (or all are generic or shared,
            rejected or missing).

        Raises
        ------
        InputError
            A keyword is neither an identifier column nor a kind, or no keyword given.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email"), ig.Phone("phone", region="US")])
        >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com"], "phone": ["201 555 0123"]}),
        ...           source="crm")
        >>> g.lookup(email=" ANN@mail.com") == g.lookup(phone="+1 (201) 555-0123")
        True
        >>> g.lookup(email="bob@mail.com") is None
        True

        Notes
        -----
        When the values point to different persons, the person of the
        highest-priority kind wins (key 40, email 30, phone 20, cookie 10 by
        default; ties: the first keyword); :meth:`lookup_all` shows every answer.
        A generic value (over its kind's ``max_records``) identifies nobody, nor does a
        shared one (unlinked by a per-person limit, ``on_shared="unlink"``).
        Cost: normalization of the given values, one hash look-up per value and
        O(log records) index searches; no scan.
        """
        return lookup_person(self, {**(identifiers or {}), **kw})

    def lookup_all(
        self, identifiers: Mapping[str, object] | None = None, /, **kw: object
    ) -> pd.DataFrame:
        """Look each raw value up on its own: ``keyword, kind, person_id, status``.

        ``status`` is ``found``, ``unknown``, ``generic``, ``shared``, ``missing`` or the reject
        reason (``invalid_email``, ``invalid_phone``, ``junk_value``); ``person_id``
        (nullable Int64) is set when found. See :meth:`lookup`.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email")])
        >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com"]}), source="crm")
        >>> g.lookup_all(email="not an email")["status"].tolist()
        ['invalid_email']
        """
        return lookup_all(self, {**(identifiers or {}), **kw})

    def resolve_one(
        self,
        record: Mapping[str, object],
        *,
        source: str,
        id: str,
        keep: Sequence[str] | None = None,
        columns: dict[str, str] | None = None,
    ) -> int:
        """Add one record and return its person id.

        Parameters
        ----------
        record : mapping
            Column name to value, the record id included.
        source : str
            Source of the record.
        id : str
            Key of ``record`` holding the record id.
        keep, columns
            As for :meth:`add`.

        Returns
        -------
        int
            The person the record now belongs to.

        Raises
        ------
        DuplicateRecordError
            The source already holds that record id.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
        >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com"]}), source="crm")
        >>> pid = g.resolve_one({"event_id": 1, "email": "Ann@Mail.com", "cookie_id": "c1"},
        ...                     source="web", id="event_id")
        >>> pid == g.person_of("crm", 0) == g.lookup(cookie_id="c1")
        True

        Notes
        -----
        The record is added as :meth:`add` adds its one-row frame: the same checks,
        normalization and incremental resolution (without selecting columns from a
        frame that holds the id, where the id column is no identifier, attribute or
        kept column). Consecutive single records of a
        source share one batch. Cost: normalization of one record plus components
        of the persons it touches; no pass over the graph.
        """
        self.resolve()
        template = None
        if self._batches and self._batches[-1].source == source:
            template = self._batches[-1].attributes
        if not self._add_one(record, template, source=source, id=id, keep=keep, columns=columns):
            self.add(row_frame(record, template), source=source, id=id, keep=keep, columns=columns)
        return int(self._person[len(self._person) - 1])

    def _add_one(
        self,
        record: Mapping[str, object],
        template: pd.DataFrame | None,
        *,
        source: str,
        id: str,
        keep: Sequence[str] | None,
        columns: dict[str, str] | None,
    ) -> bool:
        """Add one record as :meth:`add` would add its one-row frame; False where it cannot.

        The kept attributes of the record are every key but ``id``: their one-row
        frame is built once and serves for the identifier values too, with no
        selection of columns from a frame that holds the id. Records that rename
        columns, choose the kept ones, carry no identifier, or whose id column is
        also an identifier, an attribute or a kept column of the batch go through
        :meth:`add` instead.
        """
        if keep is not None or columns or id not in record:
            return False
        if id in self._one_record_blocked or (template is not None and id in template.columns):
            return False
        _check_source(source)
        frame = row_frame({k: v for k, v in record.items() if k != id}, template)
        specs = [(i, s) for i, s in enumerate(self.identifiers) if s.column in frame.columns]
        if not specs:
            return False
        ids = pd.Index(pd.Series([record[id]], name=id))
        ids = self._check_ids(ids, source, f"column {id!r}")
        start, values = self._append_records(frame, specs, source, ids, frame)
        self._resolve_added(start, 1, values)
        return True

    @property
    def _one_record_blocked(self) -> frozenset[str]:
        """Columns that identifiers or attributes read: an id there needs the full path."""
        return frozenset(s.column for s in self.identifiers) | {a.column for a in self.attributes}
