"""The identity graph: records linked by shared identifiers and match edges."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Concatenate, Literal, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from identigraph._frames import to_pandas
from identigraph._unique import sorted_unique
from identigraph.errors import (
    InputError,
    MissingColumnError,
    NoIdentifierColumnsError,
    OverrideConflictError,
    UnknownOverrideError,
)
from identigraph.graph.changes import ChangeSet
from identigraph.graph.core.survivor import SurvivorPolicy
from identigraph.graph.ops.erase import expire_values, record_positions, remove_records
from identigraph.graph.ops.ingest import (
    append_records,
    check_ids,
    kept_attributes,
    record_ids,
    row_frame,
    stage_matches,
)
from identigraph.graph.ops.overrides import add_overrides, drop_overrides
from identigraph.graph.ops.resolve import resolve_added, resolve_persons, resolve_staged
from identigraph.graph.state.graph_state import GraphState
from identigraph.graph.state.indexes import ensure_indexes
from identigraph.graph.state.keys import positions
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.overrides import CANNOT_LINK, MUST_LINK, OVERRIDE_KINDS
from identigraph.graph.store import load_graph, save_graph
from identigraph.graph.views.conflicts import conflicts_frame
from identigraph.graph.views.explain import Explanation, explain
from identigraph.graph.views.lookup import lookup_all, lookup_person
from identigraph.graph.views.outputs import (
    canonical_ids,
    clusters_frame,
    generic_values_frame,
    id_history_frame,
    records_frame,
    rejects_frame,
)
from identigraph.graph.views.overrides import overrides_frame
from identigraph.graph.views.person import PersonView, person_view
from identigraph.graph.views.report import GraphReport, graph_report
from identigraph.matcher import DEFAULT_THRESHOLD
from identigraph.matcher._frame_checks import check_frame
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.linker import Matcher, check_threshold
from identigraph.matcher.specs import Identifier
from identigraph.merge.golden import GoldenResult, golden_records
from identigraph.merge.rules import MostFrequent, Rule

__all__ = ["IdentityGraph"]

log = logging.getLogger("identigraph")
_DEFAULT_RULE = MostFrequent()
#: Most record pairs one cannot-link between persons may make.
_MAX_OVERRIDE_PAIRS = 10_000
#: An override's end: a ``(source, record_id)`` key, or a person id.
RecordRef = tuple[str, Hashable] | int


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _serialized(
    method: Callable[Concatenate[IdentityGraph, _P], _R],
) -> Callable[Concatenate[IdentityGraph, _P], _R]:
    """Run ``method`` holding the graph's lock: one call at a time, reads included."""

    @functools.wraps(method)
    def serialized(self: IdentityGraph, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return serialized


def _check_source(source: object) -> None:
    if not isinstance(source, str) or not source:
        msg = "source must be a non-empty string"
        raise InputError(msg)


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
        and :func:`identigraph.graph.core.enforce_limits`.
    survivor : SurvivorPolicy, optional
        Which person id survives a merge and which part keeps the id on a split
        (:class:`identigraph.SurvivorPolicy`); by default the oldest issued id,
        then the larger person, so that systems keyed on person ids see the
        fewest changes.

    Attributes
    ----------
    identifiers : tuple of Identifier
        The specs, as given.
    attributes : tuple of Attribute
        The attribute specs, as given.
    survivor : SurvivorPolicy
        The survivor policy.

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
    survivor policy picks the id that stays (by default the oldest, then the
    larger person's); when a person splits, its largest part keeps it (or the part
    the policy's source criteria prefer).

    Thread safety: every public method runs holding the graph's lock (a re-entrant
    lock), so a service may read from several threads while one writes: a read sees
    the graph before or after a whole update, never halfway. Reads wait for a running
    update (and for the first read's resolution of a bulk load) and run one at a time;
    a look-up holds the lock for well under a millisecond.
    """

    def __init__(
        self,
        identifiers: Sequence[Identifier] = (),
        *,
        attributes: Sequence[Attribute] = (),
        survivor: SurvivorPolicy | None = None,
    ) -> None:
        self._state = GraphState(identifiers, attributes, survivor)
        self.identifiers = self._state.identifiers
        self.attributes = self._state.attributes
        self.survivor = self._state.survivor
        self._lock = threading.RLock()

    @classmethod
    def _from_state(cls, state: GraphState) -> IdentityGraph:
        graph = cls.__new__(cls)
        graph._state = state
        graph.identifiers = state.identifiers
        graph.attributes = state.attributes
        graph.survivor = state.survivor
        graph._lock = threading.RLock()
        return graph

    def __getstate__(self) -> dict[str, object]:
        with self._lock:
            return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def _ensure_resolved(self) -> None:
        """Resolve a staged bulk load (a read needs persons); nothing once resolved."""
        if self._state.staged:
            resolve_staged(self._state)

    @property
    def state(self) -> GraphState:
        """The graph's tables (:class:`~identigraph.graph.state.GraphState`), to read only.

        For tests, backends and debugging: every write goes through this facade's
        methods, which keep the tables' invariants.
        """
        return self._state

    # ------------------------------------------------------------------ sizes
    @_serialized
    def __len__(self) -> int:
        """Number of records in the graph."""
        return self._state.n_alive()

    @property
    @_serialized
    def n_persons(self) -> int:
        """Number of persons (clusters)."""
        self._ensure_resolved()
        return self._state.ids.n_persons

    @property
    def lifecycle(self) -> Lifecycle:
        """Where the graph stands: ``STAGED`` (a bulk load), ``RESOLVED`` or ``LIVE``."""
        return self._state.lifecycle

    @property
    @_serialized
    def sources(self) -> list[str]:
        """Names of the sources added so far, in order of first addition."""
        return list(self._state.records.sources)

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import graph_html

        return graph_html(self)

    @_serialized
    def __repr__(self) -> str:
        specs = ", ".join(f"{type(s).__name__}({s.column!r})" for s in self.identifiers)
        persons = "staged" if self._state.staged else self._state.ids.n_persons
        return f"IdentityGraph(identifiers=[{specs}], records={len(self)}, persons={persons})"

    # ------------------------------------------------------------------ add
    @_serialized
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
        ids = record_ids(self._state, frame, source, id)
        attributes = kept_attributes(frame, source, id, keep)
        if len(frame) == 0:
            log.info("add(): source %r: empty frame, nothing added", source)
            return ChangeSet()
        pairs = None
        if matcher is not None:  # scored before anything is appended, as it may raise
            check_threshold(threshold, optional=False)
            pairs = matcher.dedupe(frame, id=id, source=source, threshold=threshold)
        start, values = append_records(self._state, frame, specs, source, ids, attributes)
        if pairs is not None:
            stage_matches(self._state, pairs, threshold)
        if self._state.staged:
            return ChangeSet(records_added=len(ids), staged=True)
        return resolve_added(self._state, start, values)

    @_serialized
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
        return resolve_staged(self._state, progress=progress)

    @_serialized
    def check_invariants(self) -> None:
        """Check the invariants of the graph's state (tests call it after every step).

        See :meth:`identigraph.graph.state.GraphState.check_invariants` for the list.

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
        self._state.check_invariants()

    @_serialized
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
        self._ensure_resolved()
        ensure_indexes(self._state)
        for index in self._state.value_codes.indexes.values():
            index.build()
        self._state.reserve()  # so that the first update copies no array

    # ------------------------------------------------------------------ link
    @_serialized
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
        check_threshold(threshold, optional=False)
        ends = stage_matches(self._state, pairs, threshold)
        if self._state.staged:
            return ChangeSet(staged=True)
        if not len(ends):
            return ChangeSet()
        affected = sorted_unique(self._state.records.person[ends])
        return resolve_persons(self._state, affected, np.empty(0, np.int64))

    # ------------------------------------------------------------------ outputs
    @_serialized
    def clusters(self) -> pd.DataFrame:
        """One row per record: ``source, record_id, person_id``.

        Returns
        -------
        pandas.DataFrame
            ``source`` (categorical), ``record_id`` (the ids as given) and
            ``person_id`` (int64), in the order records were added.
        """
        self._ensure_resolved()
        return clusters_frame(self._state)

    @property
    @_serialized
    def rejects(self) -> pd.DataFrame:
        """One row per unusable identifier value: ``source, record_id, column, reason``.

        Reasons: ``invalid_email``, ``invalid_phone``, ``junk_value``. The rejected
        values themselves are not shown.
        """
        return rejects_frame(self._state)

    @_serialized
    def records(self) -> pd.DataFrame:
        """The kept attribute columns of every record, with ``source`` and ``record_id`` first."""
        return records_frame(self._state)

    @_serialized
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
        self._ensure_resolved()
        state = self._state
        normalizers = {spec.column: spec.canonicalize for spec in self.identifiers}
        # Rules break ties by record id in its natural order: pass the ids as given,
        # then spell the provenance as the other output frames do.
        result = golden_records(
            records_frame(state, spelled=False),
            clusters_frame(state, spelled=False),
            rules,
            default=default,
            provenance=provenance,
            normalizers=normalizers,
            rejected=rejects_frame(state, spelled=False),
        )
        if isinstance(result, GoldenResult):
            long = result.provenance
            return GoldenResult(
                result.records, long.assign(record_id=canonical_ids(state, long["record_id"]))
            )
        spelled = {
            c: canonical_ids(state, result[c])
            for c in result.columns
            if isinstance(c, str) and c.endswith("__record_id")
        }
        return result.assign(**spelled) if spelled else result

    @_serialized
    def generic_values(self) -> pd.DataFrame:
        """Identifier values that link nothing: too common, or hubs.

        Returns
        -------
        pandas.DataFrame
            ``kind, value, records, reason``; ``value`` is the link key (the
            SHA-256 digest for hashed kinds), never a raw email or phone;
            ``reason`` is ``"max_records"`` (carried by more records than the
            kind's ``max_records``) or ``"hub"`` (its carriers hold more than the
            kind's ``max_linked`` distinct values of another kind: ``NOCARD`` on
            thousands of receipts with thousands of emails).

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Key("card", max_linked=2), ig.Email("email")])
        >>> pos = pd.DataFrame({"card": ["NOCARD"] * 4 + ["C1", "C1"],
        ...                     "email": ["a@x.io", "b@x.io", "c@x.io", "d@x.io",
        ...                               "e@x.io", "e@x.io"]})
        >>> _ = g.add(pos, source="pos")
        >>> g.generic_values()[["kind", "records", "reason"]].to_dict("records")
        [{'kind': 'card', 'records': 4, 'reason': 'hub'}]
        >>> g.n_persons  # NOCARD links nobody; C1 links its two receipts
        5
        """
        self._ensure_resolved()
        return generic_values_frame(self._state)

    @_serialized
    def id_history(self) -> pd.DataFrame:
        """Every change of person ids: ``old_id, new_id, reason, time``.

        ``reason`` is ``"merge"`` (``old_id`` absorbed into ``new_id``), ``"split"``
        (part of ``old_id`` became ``new_id``), ``"erased"`` (every record of
        ``old_id`` was removed) or ``"expired"`` (the person vanished in an
        expiry); ``new_id`` is ``-1`` for the last two.
        """
        self._ensure_resolved()
        return id_history_frame(self._state)

    # ------------------------------------------------------------------ guards and explanations
    @_serialized
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
        identigraph.graph.core.enforce_limits : how limits split a person.
        """
        self._ensure_resolved()
        return conflicts_frame(self._state)

    @_serialized
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
            weight and comparison levels); see :func:`identigraph.graph.views.explain.explain`.

        Raises
        ------
        UnknownRecordError
            The graph holds no such record.
        """
        self._ensure_resolved()
        return explain(self._state, a, b)

    @_serialized
    def person(self, person_id: int) -> PersonView:
        """One person's records, identifier values and links (values masked).

        Raises
        ------
        UnknownPersonError
            No person has that id.
        """
        self._ensure_resolved()
        return person_view(self._state, person_id)

    @_serialized
    def report(self, *, top: int = 10) -> GraphReport:
        """Cluster sizes, the ``top`` largest persons, generic values, conflicts and rejects."""
        self._ensure_resolved()
        return graph_report(self._state, top=top)

    @_serialized
    def person_of(self, source: str, record_id: Hashable) -> int:
        """Person id of one record.

        Raises
        ------
        UnknownRecordError
            The graph holds no such record.
        """
        self._ensure_resolved()
        pos = positions(
            self._state, pd.Series([source], dtype=object), pd.Series([record_id], dtype=object)
        )
        return int(self._state.records.person[pos[0]])

    # ------------------------------------------------------------------ overrides
    def _override_ends(self, ref: RecordRef, name: str) -> np.ndarray:
        """Record positions named by a ``(source, record_id)`` key or a person id."""
        if isinstance(ref, (int, np.integer)) and not isinstance(ref, bool):
            self._ensure_resolved()  # a person id names the records it holds now
            return record_positions(self._state, None, int(ref))
        if not isinstance(ref, tuple) or len(ref) != 2 or not isinstance(ref[0], str):
            msg = f"{name} must be a (source, record_id) tuple or a person id (int)"
            raise InputError(msg)
        return positions(
            self._state, pd.Series([ref[0]], dtype=object), pd.Series([ref[1]], dtype=object)
        )

    def _override(self, kind: int, a: RecordRef, b: RecordRef, reason: str) -> ChangeSet:
        if not isinstance(reason, str):
            msg = f"reason must be a string, got {type(reason).__name__}"
            raise InputError(msg)
        ra, rb = self._override_ends(a, "a"), self._override_ends(b, "b")
        if kind == MUST_LINK:  # one chain through every record named: they are one person
            chain = sorted_unique(np.concatenate([ra, rb]))
            if len(chain) < 2:
                msg = "an override needs two different records"
                raise OverrideConflictError(msg, count=1)
            left, right = chain[:-1], chain[1:]
        else:  # every record of one side apart from every record of the other
            if len(ra) * len(rb) > _MAX_OVERRIDE_PAIRS:
                msg = (
                    f"a cannot-link between persons of {len(ra)} and {len(rb)} records is "
                    f"more than {_MAX_OVERRIDE_PAIRS} record pairs: name records instead"
                )
                raise InputError(msg)
            left, right = np.repeat(ra, len(rb)), np.tile(rb, len(ra))
        kinds = np.full(len(left), kind, dtype=np.int8)
        return add_overrides(self._state, kinds, left, right, [reason] * len(left))

    @_serialized
    def must_link(self, a: RecordRef, b: RecordRef, *, reason: str = "") -> ChangeSet:
        """Say that two records are the same person, whatever later evidence says.

        A must-link is a link no per-person limit cuts; it holds through every later
        ``add``, ``link``, ``remove``, ``expire``, ``save`` and ``load``, until
        :meth:`drop_override` or the erasure of one of its records.

        Parameters
        ----------
        a, b : tuple or int
            ``(source, record_id)`` keys, or person ids: a person id stands for the
            records that person holds now (all of them are linked, in one chain).
        reason : str, optional
            Why (shown by :meth:`overrides`).

        Returns
        -------
        ChangeSet
            The persons that merged (``staged`` in a bulk load not yet resolved).

        Raises
        ------
        OverrideConflictError
            A cannot-link keeps two of the records apart, or ``a`` is ``b``.
        UnknownRecordError, UnknownPersonError
            No such record or person.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Email("email")])
        >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ann.b@work.com"]}), source="crm")
        >>> _ = g.must_link(("crm", 0), ("crm", 1), reason="same customer, checked by phone")
        >>> g.n_persons, g.overrides()[["kind", "reason"]].values.tolist()
        (1, [['must_link', 'same customer, checked by phone']])
        """
        return self._override(MUST_LINK, a, b, reason)

    @_serialized
    def cannot_link(self, a: RecordRef, b: RecordRef, *, reason: str = "") -> ChangeSet:
        """Say that two records are two people: the graph cuts what joins them.

        The weakest links between the two sides are cut, by the same minimal cut as
        the per-person limits (:func:`identigraph.graph.core.enforce_limits`); the
        cuts show in :meth:`conflicts` (reason ``"cannot_link"``, with the
        override's reason) and :meth:`explain`. It holds through every later update,
        save and load, until :meth:`drop_override` or an erasure of one record.

        Parameters
        ----------
        a, b : tuple or int
            ``(source, record_id)`` keys, or person ids (standing for every record
            the person holds now; every record of one side is kept apart from every
            record of the other, at most 10,000 pairs).
        reason : str, optional
            Why (shown by :meth:`overrides` and :meth:`conflicts`).

        Returns
        -------
        ChangeSet
            The persons split (``staged`` in a bulk load not yet resolved).

        Raises
        ------
        OverrideConflictError
            Must-links join the two records, or ``a`` is ``b``.

        Examples
        --------
        >>> import pandas as pd
        >>> import identigraph as ig
        >>> g = ig.IdentityGraph([ig.Phone("phone", region="US")])
        >>> _ = g.add(pd.DataFrame({"phone": ["415 555 0100"] * 2}), source="crm")
        >>> changes = g.cannot_link(("crm", 0), ("crm", 1), reason="twins")
        >>> changes.staged, g.n_persons  # a bulk load: applied when it resolves
        (True, 2)
        >>> g.conflicts()[["reason", "override_reason"]].values.tolist()
        [['cannot_link', 'twins']]
        """
        return self._override(CANNOT_LINK, a, b, reason)

    @_serialized
    def overrides(self) -> pd.DataFrame:
        """Every must-link and cannot-link of the graph, oldest first.

        Columns: ``kind`` (``"must_link"`` or ``"cannot_link"``), ``source_a,
        record_id_a, source_b, record_id_b``, ``reason``, ``time`` (UTC). The frame
        can be given back to :meth:`add_overrides` (a rebuild, another graph).
        """
        return overrides_frame(self._state)

    @_serialized
    def add_overrides(self, overrides: pd.DataFrame) -> ChangeSet:
        """Add many overrides at once, from a frame shaped as :meth:`overrides` gives.

        Columns ``kind, source_a, record_id_a, source_b, record_id_b`` and,
        optionally, ``reason``. One contradiction check and one re-resolution for
        all: the way to carry a steward's decisions over to a rebuilt graph.

        Raises
        ------
        MissingColumnError
            A column is missing.
        InputError
            An unknown ``kind``.
        OverrideConflictError
            The overrides contradict each other or the graph's.
        """
        frame = to_pandas(overrides)
        needed = ["kind", "source_a", "record_id_a", "source_b", "record_id_b"]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            msg = f"overrides lack columns {missing}"
            raise MissingColumnError(
                msg, column=missing[0], available=[str(c) for c in frame.columns]
            )
        kind = frame["kind"].map({n: i for i, n in enumerate(OVERRIDE_KINDS)})
        if kind.isna().any():
            msg = f"override kind must be one of {list(OVERRIDE_KINDS)}"
            raise InputError(msg)
        # Both ends in one look-up: a bulk load scans its record hashes once.
        sides = [(frame[f"source_{e}"], frame[f"record_id_{e}"]) for e in "ab"]
        ends = positions(
            self._state,
            pd.concat([s.astype(object) for s, _ in sides], ignore_index=True),
            pd.concat([i.astype(object) for _, i in sides], ignore_index=True),
        )
        ra, rb = ends[: len(frame)], ends[len(frame) :]
        reason = (
            frame["reason"].fillna("").astype(str).tolist()
            if "reason" in frame.columns
            else [""] * len(frame)
        )
        return add_overrides(self._state, kind.to_numpy(dtype=np.int8), ra, rb, reason)

    @_serialized
    def drop_override(
        self,
        a: tuple[str, Hashable],
        b: tuple[str, Hashable],
        *,
        kind: Literal["must_link", "cannot_link"] | None = None,
    ) -> ChangeSet:
        """Drop the overrides between two records (of one ``kind``, or both kinds).

        The persons of both records are re-resolved on the evidence alone.

        Raises
        ------
        UnknownOverrideError
            No such override between the two records.
        """
        ra, rb = self._override_ends(a, "a"), self._override_ends(b, "b")
        table = self._state.overrides
        lo, hi = min(int(ra[0]), int(rb[0])), max(int(ra[0]), int(rb[0]))
        hit = (table.a == lo) & (table.b == hi)
        if kind is not None:
            if kind not in OVERRIDE_KINDS:
                msg = f"kind must be one of {list(OVERRIDE_KINDS)}, got {kind!r}"
                raise InputError(msg)
            hit &= table.kind == OVERRIDE_KINDS.index(kind)
        if not hit.any():
            msg = "no such override between the two records"
            raise UnknownOverrideError(msg)
        return drop_overrides(self._state, np.flatnonzero(hit))

    # ------------------------------------------------------------------ living graph
    @_serialized
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
        self._ensure_resolved()  # an erasure acts on persons: a staged load resolves first
        return remove_records(self._state, record_positions(self._state, records, person))

    @_serialized
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
        self._ensure_resolved()  # an expiry splits persons: a staged load resolves first
        return expire_values(self._state, older_than, kinds=kinds, time_column=time_column, now=now)

    @_serialized
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
        :meth:`load` and the next save restore; see :mod:`identigraph.graph.store.parquet`.
        Cost: O(records + links + values).
        """
        self._ensure_resolved()  # a store holds persons: a staged load resolves first
        save_graph(self._state, path, compression=compression, progress=progress)

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
        return cls._from_state(load_graph(path, progress=progress))

    @_serialized
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
        shared one (unlinked by a per-person limit, ``on_shared="unlink"``), nor one whose
        every link was cut by a per-person limit (the same rule as :meth:`conflicts`).
        Cost: normalization of the given values, one hash look-up per value and
        O(log records) index searches; no scan.
        """
        self._ensure_resolved()
        return lookup_person(self._state, {**(identifiers or {}), **kw})

    @_serialized
    def lookup_all(
        self, identifiers: Mapping[str, object] | None = None, /, **kw: object
    ) -> pd.DataFrame:
        """Look each raw value up on its own: ``keyword, kind, person_id, status``.

        ``status`` is ``found``, ``unknown``, ``generic``, ``shared``, ``cut`` (every link of
        the value was cut by a per-person limit: nobody holds it), ``missing`` or the reject
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
        self._ensure_resolved()
        return lookup_all(self._state, {**(identifiers or {}), **kw})

    @_serialized
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
        self._ensure_resolved()
        template = None
        if self._state.records.batches and self._state.records.batches[-1].source == source:
            template = self._state.records.batches[-1].attributes
        if not self._add_one(record, template, source=source, id=id, keep=keep, columns=columns):
            self.add(row_frame(record, template), source=source, id=id, keep=keep, columns=columns)
        return int(self._state.records.person[len(self._state.records.person) - 1])

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
        ids = check_ids(self._state, ids, source, f"column {id!r}")
        start, values = append_records(self._state, frame, specs, source, ids, frame)
        resolve_added(self._state, start, values)
        return True

    @property
    def _one_record_blocked(self) -> frozenset[str]:
        """Columns that identifiers or attributes read: an id there needs the full path."""
        return frozenset(s.column for s in self.identifiers) | {a.column for a in self.attributes}
