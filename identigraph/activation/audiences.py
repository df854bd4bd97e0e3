"""Audiences: declarative, composable conditions over persons, with person-level exclusion.

A condition says *what* (a person holds a CRM record; a person has a web visit in
the last 30 days; a golden field is over 100); :class:`Audience` combines an include
condition with exclusions; :meth:`Audience.build` evaluates it for every person at
once, and :class:`AudienceIndex` answers for one person in microseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from identigraph.activation.consent import Consent, opted_out
from identigraph.activation.facts import Persons
from identigraph.errors import ConfigError, InputError, MissingColumnError, UnknownPersonError

__all__ = [
    "AllOf",
    "AnyOf",
    "Audience",
    "AudienceCheck",
    "AudienceIndex",
    "AudienceResult",
    "Condition",
    "Field",
    "HasFact",
    "InSource",
    "Not",
    "overlap",
    "priority",
]

log = logging.getLogger("identigraph.activation")

FieldOp = Literal["==", "!=", "<", "<=", ">", ">=", "in", "notna", "isna"]

_OPS: dict[str, Callable[[pd.Series, Any], pd.Series]] = {
    "==": lambda s, v: s == v,
    "!=": lambda s, v: s.notna() & (s != v),
    "<": lambda s, v: s < v,
    "<=": lambda s, v: s <= v,
    ">": lambda s, v: s > v,
    ">=": lambda s, v: s >= v,
    "in": lambda s, v: s.isin(list(v)),
    "notna": lambda s, v: s.notna(),
    "isna": lambda s, v: s.isna(),
}


# ---------------------------------------------------------------------- conditions
@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """Base of every audience condition; combine with ``&``, ``|`` and ``~``.

    Parameters
    ----------
    label : str, optional
        Name shown by :meth:`AudienceResult.explain`; by default a description.
    """

    label: str | None = None

    @property
    def name(self) -> str:
        """The label, or a description of the condition."""
        return self.label if self.label is not None else self.describe()

    def describe(self) -> str:
        """A short description built from the condition's settings."""
        return type(self).__name__

    def __and__(self, other: Condition) -> AllOf:
        return AllOf(parts=(self, other))

    def __or__(self, other: Condition) -> AnyOf:
        return AnyOf(parts=(self, other))

    def __invert__(self) -> Not:
        return Not(part=self)

    def leaves(self) -> tuple[Condition, ...]:
        """The record- and field-level conditions this one is built of."""
        return (self,)


@dataclass(frozen=True, slots=True, kw_only=True)
class InSource(Condition):
    """The person holds at least one record of ``source``.

    Examples
    --------
    >>> InSource(source="crm").name
    'in crm'
    """

    source: str

    def __post_init__(self) -> None:
        if not isinstance(self.source, str) or not self.source:
            msg = "InSource: source must be a non-empty string"
            raise ConfigError(msg)

    def describe(self) -> str:
        return f"in {self.source}"


@dataclass(frozen=True, slots=True, kw_only=True)
class HasFact(Condition):
    """The person has at least ``min_count`` rows of a fact table matching ``where`` in a window.

    Parameters
    ----------
    table : str
        A name of the ``facts`` given to :meth:`Audience.build` (a frame with a
        ``person_id`` column, see :meth:`Persons.facts`), or a source of the graph
        (its records' kept columns).
    where : mapping, optional
        ``{column: value}`` (equality) or ``{column: [values]}`` (any of them).
    time : str, optional
        Timestamp column the window applies to.
    within : str or pandas.Timedelta, optional
        Rows with ``now - within <= time <= now`` count; ``"30D"``, ``"7D"``, ``"12h"``.
    min_count : int, default 1

    Raises
    ------
    ConfigError
        ``within`` without ``time``, a window that is not a positive duration, or
        ``min_count < 1``.

    Examples
    --------
    >>> HasFact(table="web", time="seen_at", within="30D").name
    'web within 30 days'
    >>> HasFact(table="support", where={"status": "open"}).name
    "support where status == 'open'"
    """

    table: str
    where: Mapping[str, object] = field(default_factory=dict)
    time: str | None = None
    within: str | pd.Timedelta | None = None
    min_count: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.table, str) or not self.table:
            msg = "HasFact: table must be a non-empty string"
            raise ConfigError(msg)
        object.__setattr__(self, "where", dict(self.where))
        if self.within is not None:
            if self.time is None:
                msg = f"HasFact({self.table!r}): a window (within=) needs a time column (time=)"
                raise ConfigError(msg)
            try:
                window = pd.Timedelta(self.within)
            except (ValueError, TypeError) as err:
                msg = f"HasFact({self.table!r}): within={self.within!r} is not a duration"
                raise ConfigError(msg) from err
            if window <= pd.Timedelta(0):
                msg = f"HasFact({self.table!r}): within must be positive"
                raise ConfigError(msg)
            object.__setattr__(self, "within", window)
        if (
            not isinstance(self.min_count, (int, np.integer))
            or isinstance(self.min_count, bool)
            or self.min_count < 1
        ):
            msg = f"HasFact({self.table!r}): min_count must be an integer >= 1"
            raise ConfigError(msg)

    def describe(self) -> str:
        text = self.table
        if self.where:
            text += " where " + " and ".join(
                f"{c} in {list(v)!r}"
                if isinstance(v, (list, tuple, set, frozenset))
                else f"{c} == {v!r}"
                for c, v in self.where.items()
            )
        if self.within is not None:
            window = pd.Timedelta(self.within)
            days = window / pd.Timedelta(days=1)
            text += f" within {int(days)} days" if days == int(days) else f" within {window}"
        if self.min_count > 1:
            text += f" (at least {self.min_count})"
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Field(Condition):
    """A golden-record field compared with a value: ``Field(column="city", value="Boston")``.

    Parameters
    ----------
    column : str
        Column of the golden frame given to :meth:`Audience.build`.
    op : {"==", "!=", "<", "<=", ">", ">=", "in", "notna", "isna"}
    value : object
        Compared value (a collection for ``"in"``; unused by ``notna``/``isna``).

    Examples
    --------
    >>> Field(column="lifetime_value", op=">=", value=100).name
    'lifetime_value >= 100'
    """

    column: str
    op: FieldOp = "=="
    value: object = None

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            msg = f"Field: op must be one of {sorted(_OPS)}, got {self.op!r}"
            raise ConfigError(msg)
        if self.op == "in" and not isinstance(self.value, (list, tuple, set, frozenset)):
            msg = "Field: op='in' takes a list, tuple or set of values"
            raise ConfigError(msg)

    def describe(self) -> str:
        if self.op in ("notna", "isna"):
            return f"{self.column} {self.op}"
        return f"{self.column} {self.op} {self.value!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AllOf(Condition):
    """Every part holds."""

    parts: tuple[Condition, ...]

    def __post_init__(self) -> None:
        _flatten(self, AllOf)

    def describe(self) -> str:
        return "(" + " and ".join(p.name for p in self.parts) + ")"

    def leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for p in self.parts for leaf in p.leaves())


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyOf(Condition):
    """At least one part holds."""

    parts: tuple[Condition, ...]

    def __post_init__(self) -> None:
        _flatten(self, AnyOf)

    def describe(self) -> str:
        return "(" + " or ".join(p.name for p in self.parts) + ")"

    def leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for p in self.parts for leaf in p.leaves())


@dataclass(frozen=True, slots=True, kw_only=True)
class Not(Condition):
    """The part does not hold."""

    part: Condition

    def __post_init__(self) -> None:
        _check_parts(self, (self.part,))

    def describe(self) -> str:
        return f"not {self.part.name}"

    def leaves(self) -> tuple[Condition, ...]:
        return self.part.leaves()


def _flatten(owner: AllOf | AnyOf, kind: type[AllOf] | type[AnyOf]) -> None:
    """Check the parts; an unlabelled part of the same ``kind`` gives its own parts instead."""
    _check_parts(owner, owner.parts)
    flat: list[Condition] = []
    for part in owner.parts:
        flat.extend(part.parts if isinstance(part, kind) and part.label is None else (part,))
    object.__setattr__(owner, "parts", tuple(flat))


def _check_parts(owner: Condition, parts: Sequence[object]) -> None:
    if not isinstance(parts, tuple) or not parts:
        msg = f"{type(owner).__name__}: give a non-empty tuple of conditions"
        raise ConfigError(msg)
    for part in parts:
        if not isinstance(part, Condition):
            msg = f"{type(owner).__name__}: parts must be conditions, got {type(part).__name__}"
            raise ConfigError(msg)


# ---------------------------------------------------------------------- evaluation
def _ns(values: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds since the epoch, UTC (naive values taken as UTC)."""
    stamps = pd.to_datetime(values)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    out = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    out[stamps.isna().to_numpy()] = np.iinfo(np.int64).min
    return out


def _now_ns(now: object) -> int:
    stamp = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)  # type: ignore[arg-type]
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value)


@dataclass(frozen=True, slots=True)
class _Rows:
    """Rows of one leaf: person of each row, sorted, and its time (or None)."""

    persons: np.ndarray
    times: np.ndarray | None

    @classmethod
    def of(cls, persons: np.ndarray, times: np.ndarray | None, *, sort: bool = True) -> _Rows:
        keep = persons >= 0
        persons, times = persons[keep], None if times is None else times[keep]
        if not sort:
            return cls(persons, times)
        order = np.argsort(persons, kind="stable")
        return cls(persons[order], None if times is None else times[order])

    def concat(self, other: _Rows) -> _Rows:
        times = None
        if self.times is not None and other.times is not None:
            times = np.concatenate([self.times, other.times])
        return _Rows.of(np.concatenate([self.persons, other.persons]), times)


class _Source:
    """Where leaves read their rows: facts frames, the persons' records, a golden frame."""

    def __init__(
        self,
        persons: Persons,
        facts: Mapping[str, pd.DataFrame] | None,
        golden: pd.DataFrame | None,
        *,
        sort: bool,
    ) -> None:
        self.persons = persons
        self.sort = sort  # rows sorted by person, for the index; a full build needs no order
        self.facts = dict(facts or {})
        for name, frame in self.facts.items():
            if not isinstance(frame, pd.DataFrame) or "person_id" not in frame.columns:
                msg = (
                    f"facts[{name!r}] needs a person_id column: attach it with "
                    "Persons.facts(frame, source=..., id=...)"
                )
                raise MissingColumnError(msg, column="person_id")
        self.golden = golden

    def table(self, name: str) -> pd.DataFrame:
        if name in self.facts:
            return self.facts[name]
        if name in self.persons.sources:
            return self.persons.records_of(name)
        msg = (
            f"no fact table or source named {name!r}; facts: {sorted(self.facts)}, "
            f"sources: {self.persons.sources}"
        )
        raise ConfigError(msg)

    def rows(self, leaf: Condition) -> _Rows:
        if isinstance(leaf, InSource):
            codes = self.persons.source_codes(leaf.source)
            return _Rows.of(self.persons.person_ids[codes], None, sort=self.sort)
        if isinstance(leaf, HasFact):
            return _fact_rows(leaf, self.table(leaf.table), sort=self.sort)
        if isinstance(leaf, Field):
            golden = self.golden
            if golden is None:
                msg = f"condition {leaf.name!r} reads a golden field: pass golden= (g.golden(...))"
                raise ConfigError(msg)
            if leaf.column not in golden.columns:
                msg = f"golden frame lacks column {leaf.column!r}"
                raise MissingColumnError(msg, column=leaf.column, available=list(golden.columns))
            hit = _OPS[leaf.op](golden[leaf.column], leaf.value).to_numpy(
                dtype=bool, na_value=False
            )
            persons = golden["person_id"].to_numpy(dtype=np.int64)[hit]
            return _Rows.of(persons, None, sort=self.sort)
        msg = f"not a leaf condition: {type(leaf).__name__}"
        raise ConfigError(msg)


def _fact_rows(leaf: HasFact, frame: pd.DataFrame, *, sort: bool = True) -> _Rows:
    keep = np.ones(len(frame), dtype=bool)
    for column, value in leaf.where.items():
        if column not in frame.columns:
            msg = f"table {leaf.table!r} lacks column {column!r}"
            raise MissingColumnError(msg, column=column, available=[str(c) for c in frame.columns])
        if isinstance(value, (list, tuple, set, frozenset)):
            keep &= frame[column].isin(list(value)).to_numpy(dtype=bool)
        else:
            keep &= (frame[column] == value).to_numpy(dtype=bool, na_value=False)
    ids = np.where(keep, frame["person_id"].to_numpy(dtype=np.int64, na_value=-1), -1)
    times = None
    if leaf.time is not None:
        if leaf.time not in frame.columns:
            msg = f"table {leaf.table!r} lacks time column {leaf.time!r}"
            raise MissingColumnError(
                msg, column=leaf.time, available=[str(c) for c in frame.columns]
            )
        times = _ns(frame[leaf.time])
    return _Rows.of(ids, times, sort=sort)


def _mark(universe: np.ndarray, rows: _Rows, leaf: Condition, now: int) -> np.ndarray:
    """Mask over ``universe`` (sorted ids) of the persons for whom ``leaf`` holds."""
    persons = rows.persons
    if isinstance(leaf, HasFact) and leaf.within is not None and rows.times is not None:
        window = int(pd.Timedelta(leaf.within).value)
        inside = (rows.times >= now - window) & (rows.times <= now)
        persons = persons[inside]
    min_count = leaf.min_count if isinstance(leaf, HasFact) else 1
    return _mask_of(universe, persons, min_count)


def _mask_of(universe: np.ndarray, persons: np.ndarray, min_count: int = 1) -> np.ndarray:
    """Mask over ``universe`` (sorted ids) of the ids found at least ``min_count`` times.

    The ids are sorted first, so that counting is a difference of run starts and
    the look-up into ``universe`` is one merge-like pass of sorted keys, not a
    random binary search per row.
    """
    mask = np.zeros(len(universe), dtype=bool)
    if not len(persons):
        return mask
    ids = np.sort(persons)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    if min_count > 1:
        counts = np.diff(np.r_[starts, len(ids)])
        starts = starts[counts >= min_count]
    ids = ids[starts]
    pos = np.searchsorted(universe, ids)
    ok = pos < len(universe)
    ok[ok] = universe[pos[ok]] == ids[ok]
    mask[pos[ok]] = True
    return mask


def _evaluate(cond: Condition, leaf_mask: Callable[[Condition], np.ndarray]) -> np.ndarray:
    if isinstance(cond, AllOf):
        out = _evaluate(cond.parts[0], leaf_mask)
        for part in cond.parts[1:]:
            out = out & _evaluate(part, leaf_mask)
        return out
    if isinstance(cond, AnyOf):
        out = _evaluate(cond.parts[0], leaf_mask)
        for part in cond.parts[1:]:
            out = out | _evaluate(part, leaf_mask)
        return out
    if isinstance(cond, Not):
        return ~_evaluate(cond.part, leaf_mask)
    return leaf_mask(cond)


# ---------------------------------------------------------------------- audiences
@dataclass(frozen=True, slots=True)
class AudienceResult:
    """Members of an audience and, for every person, the rule that kept or dropped them.

    Attributes
    ----------
    name : str
    person_ids : numpy.ndarray
        Sorted int64 ids of the members.
    left_out_consent : int
        Persons who met every rule but opted out.
    """

    name: str
    person_ids: np.ndarray
    left_out_consent: int
    _explanation: pd.DataFrame

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.person_ids)

    def __len__(self) -> int:
        return self.size

    def __contains__(self, person_id: object) -> bool:
        if not isinstance(person_id, (int, np.integer)):
            return False
        pos = int(np.searchsorted(self.person_ids, person_id))
        return pos < len(self.person_ids) and int(self.person_ids[pos]) == int(person_id)

    def __repr__(self) -> str:
        return (
            f"AudienceResult(name={self.name!r}, size={self.size}, "
            f"left_out_consent={self.left_out_consent})"
        )

    def explain(self) -> pd.DataFrame:
        """One row per person: ``person_id, member, included, excluded_by, reason``.

        ``excluded_by`` names the first exclusion (or ``"consent"``) that dropped
        the person; ``reason`` reads ``"kept by <include>"``, ``"not included"`` or
        ``"excluded by <rule>"``.
        """
        return self._explanation.copy()


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """An include condition minus exclusions, evaluated for persons.

    Exclusion is person-level: when any record or fact of a person meets an
    exclusion, the person is out, whatever the include condition says.

    Parameters
    ----------
    name : str
    include : Condition
    exclude : Condition or sequence of Condition, optional
        Each one drops the persons it holds for; :meth:`AudienceResult.explain`
        names the first that did.

    Raises
    ------
    ConfigError
        An empty name, or a non-condition given.

    Examples
    --------
    >>> import identigraph as ig
    >>> from identigraph.activation import Audience, HasFact, InSource, Persons
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"id": ["a", "b"], "email": ["ann@x.com", "bob@x.com"]}),
    ...           source="crm", id="id")
    >>> _ = g.add(pd.DataFrame({"id": [1, 2], "email": ["ann@x.com", "bob@x.com"],
    ...                         "status": ["open", "closed"]}), source="support", id="id")
    >>> persons = Persons(g)
    >>> audience = Audience(name="crm, no open ticket", include=InSource(source="crm"),
    ...                     exclude=HasFact(table="support", where={"status": "open"}))
    >>> result = audience.build(persons)
    >>> result.size, g.person_of("crm", "b") in result, g.person_of("crm", "a") in result
    (1, True, False)
    >>> sorted(result.explain()["reason"])
    ["excluded by support where status == 'open'", 'kept by in crm']
    """

    name: str
    include: Condition
    exclude: Condition | Sequence[Condition] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            msg = "Audience: name must be a non-empty string"
            raise ConfigError(msg)
        if not isinstance(self.include, Condition):
            msg = "Audience: include must be a condition"
            raise ConfigError(msg)
        exclude = (self.exclude,) if isinstance(self.exclude, Condition) else tuple(self.exclude)
        for cond in exclude:
            if not isinstance(cond, Condition):
                msg = f"Audience: exclusions must be conditions, got {type(cond).__name__}"
                raise ConfigError(msg)
        object.__setattr__(self, "exclude", exclude)

    @property
    def exclusions(self) -> tuple[Condition, ...]:
        """The exclusions, as a tuple."""
        return tuple(self.exclude) if not isinstance(self.exclude, Condition) else (self.exclude,)

    def leaves(self) -> tuple[Condition, ...]:
        """Every leaf condition of the include and exclude parts."""
        out = list(self.include.leaves())
        for cond in self.exclusions:
            out.extend(cond.leaves())
        return tuple(out)

    def build(
        self,
        persons: Persons,
        *,
        facts: Mapping[str, pd.DataFrame] | None = None,
        golden: pd.DataFrame | None = None,
        now: object = None,
        consent: Consent | None = None,
        override_consent: bool = False,
    ) -> AudienceResult:
        """Evaluate the audience for every person at once.

        Parameters
        ----------
        persons : Persons
        facts : mapping of str to pandas.DataFrame, optional
            Fact tables by name, each with a ``person_id`` column (:meth:`Persons.facts`).
        golden : pandas.DataFrame, optional
            Golden records (``person_id`` and fields) for :class:`Field` conditions.
        now : timestamp-like, optional
            End of every time window; by default the current time (UTC).
        consent : Consent, optional
            Opted-out persons are left out, and counted in ``left_out_consent``.
        override_consent : bool, default False
            Keep opted-out persons (only where the caller has another legal basis).

        Returns
        -------
        AudienceResult

        Raises
        ------
        ConfigError
            A condition names an unknown table, or needs ``golden``.
        MissingColumnError
            A named column is missing.

        Notes
        -----
        Only the current graph is read: records erased or expired are gone from
        ``persons``, and facts of records the graph no longer holds carry no person.
        Cost: O(rows of the named tables) plus O(persons) per condition, vectorized.
        """
        start = time.perf_counter()
        source = _Source(persons, facts, golden, sort=False)
        universe = persons.person_ids
        now_ns = _now_ns(now)
        cache: dict[str, np.ndarray] = {}

        def leaf_mask(leaf: Condition) -> np.ndarray:
            key = repr(leaf)
            if key not in cache:
                if isinstance(leaf, InSource):  # positions of the source's persons, at hand
                    mask = np.zeros(len(universe), dtype=bool)
                    mask[persons.source_codes(leaf.source)] = True
                    cache[key] = mask
                else:
                    cache[key] = _mark(universe, source.rows(leaf), leaf, now_ns)
            return cache[key]

        opted = None
        if consent is not None and not override_consent:
            opted = opted_out(persons, consent)
        result = _assemble(self, universe, leaf_mask, opted)
        log.info(
            "audience %r: %d of %d persons in %.2f s",
            self.name,
            result.size,
            len(universe),
            time.perf_counter() - start,
        )
        return result


def _decide(
    audience: Audience,
    universe: np.ndarray,
    leaf_mask: Callable[[Condition], np.ndarray],
    opted: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, list[str], int]:
    """Include mask, index of the first exclusion that holds (-1: none), their names, consent."""
    included = _evaluate(audience.include, leaf_mask)
    excluded_by = np.full(len(universe), -1, dtype=np.int64)
    names = []
    for i, cond in enumerate(audience.exclusions):
        hit = _evaluate(cond, leaf_mask) & (excluded_by < 0)
        excluded_by[hit] = i
        names.append(cond.name)
    left_out = 0
    if opted is not None:
        out = np.isin(universe, opted) & (excluded_by < 0)
        left_out = int((out & included).sum())
        excluded_by[out] = len(names)
    names.append("consent")
    return (
        included,
        excluded_by,
        [f"{n} ({i + 1})" if n in names[:i] else n for i, n in enumerate(names)],
        left_out,
    )


def _assemble(
    audience: Audience,
    universe: np.ndarray,
    leaf_mask: Callable[[Condition], np.ndarray],
    opted: np.ndarray | None,
) -> AudienceResult:
    included, excluded_by, names, left_out = _decide(audience, universe, leaf_mask, opted)
    member = included & (excluded_by < 0)
    kept, dropped = len(names), len(names) + 1
    reasons = [*(f"excluded by {n}" for n in names), f"kept by {audience.include.name}"]
    reason_codes = np.where(excluded_by >= 0, excluded_by, np.where(included, kept, dropped))
    explanation = pd.DataFrame(
        {
            "person_id": universe,
            "member": member,
            "included": included,
            "excluded_by": pd.Categorical.from_codes(
                excluded_by, categories=pd.Index(names)
            ).remove_unused_categories(),
            "reason": pd.Categorical.from_codes(
                reason_codes, categories=pd.Index([*reasons, "not included"])
            ).remove_unused_categories(),
        }
    )
    return AudienceResult(audience.name, universe[member], left_out, explanation)


def overlap(results: Sequence[AudienceResult]) -> pd.DataFrame:
    """Persons in both of every pair of audiences: a square frame of counts.

    The diagonal holds each audience's size.

    Examples
    --------
    >>> a = AudienceResult("a", np.array([1, 2, 3]), 0, pd.DataFrame())
    >>> b = AudienceResult("b", np.array([2, 3, 4]), 0, pd.DataFrame())
    >>> overlap([a, b]).to_dict()
    {'a': {'a': 3, 'b': 2}, 'b': {'a': 2, 'b': 3}}
    """
    names = [r.name for r in results]
    counts = np.zeros((len(results), len(results)), dtype=np.int64)
    for i, a in enumerate(results):
        for j, b in enumerate(results[i:], start=i):
            counts[i, j] = counts[j, i] = len(
                np.intersect1d(a.person_ids, b.person_ids, assume_unique=True)
            )
    return pd.DataFrame(counts, index=pd.Index(names), columns=pd.Index(names))


def priority(results: Sequence[AudienceResult]) -> pd.DataFrame:
    """Each person in at most one audience: the first of ``results`` that holds them.

    Returns
    -------
    pandas.DataFrame
        ``person_id, audience``, sorted by person.

    Examples
    --------
    >>> a = AudienceResult("a", np.array([1, 2]), 0, pd.DataFrame())
    >>> b = AudienceResult("b", np.array([2, 3]), 0, pd.DataFrame())
    >>> priority([a, b]).to_dict("list")
    {'person_id': [1, 2, 3], 'audience': ['a', 'a', 'b']}
    """
    if not results:
        return pd.DataFrame({"person_id": np.empty(0, np.int64), "audience": []})
    ids = np.concatenate([r.person_ids for r in results])
    which = np.concatenate([np.full(r.size, i) for i, r in enumerate(results)])
    order = np.lexsort((which, ids))
    ids, which = ids[order], which[order]
    first = np.r_[True, ids[1:] != ids[:-1]] if len(ids) else np.empty(0, bool)
    names = np.array([r.name for r in results], dtype=object)
    return pd.DataFrame({"person_id": ids[first], "audience": names[which[first]]})


# ---------------------------------------------------------------------- real time
@dataclass(frozen=True, slots=True)
class AudienceCheck:
    """The answer of :meth:`AudienceIndex.check` for one person."""

    person_id: int | None
    member: bool
    reason: str


class AudienceIndex:
    """Audiences prepared for answers about one person at a time, in microseconds.

    Rows of every condition are sorted by person once; a check is then a few
    binary searches. New facts (a purchase just made) are appended with
    :meth:`add_facts` and count at once. The index answers for the persons of its
    snapshot: after updates that merge or split persons, build a new one from
    ``Persons(graph)``.

    Parameters
    ----------
    persons : Persons
        Persons of a live graph (for look-ups of raw identifiers).
    audiences : sequence of Audience
    facts, golden, consent
        As for :meth:`Audience.build`.

    Examples
    --------
    >>> import identigraph as ig
    >>> from identigraph.activation import Audience, HasFact, InSource, Persons
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"id": [1], "email": ["ann@x.com"]}), source="crm", id="id")
    >>> persons = Persons(g)
    >>> orders = pd.DataFrame({"person_id": pd.array([], dtype="Int64"),
    ...                        "at": pd.to_datetime(pd.Series([], dtype=str))})
    >>> recent = HasFact(table="orders", time="at", within="7D", label="bought lately")
    >>> audience = Audience(name="win back", include=InSource(source="crm"), exclude=recent)
    >>> index = AudienceIndex(persons, [audience], facts={"orders": orders})
    >>> index.check("win back", email="ANN@x.com", now="2024-05-10").member
    True
    >>> pid = g.person_of("crm", 1)
    >>> index.add_facts("orders", pd.DataFrame({"person_id": [pid],
    ...                                         "at": [pd.Timestamp("2024-05-09")]}))
    >>> index.check("win back", email="ann@x.com", now="2024-05-10").reason
    'excluded by bought lately'
    """

    def __init__(
        self,
        persons: Persons,
        audiences: Sequence[Audience],
        *,
        facts: Mapping[str, pd.DataFrame] | None = None,
        golden: pd.DataFrame | None = None,
        consent: Consent | None = None,
    ) -> None:
        self.persons = persons
        self.audiences = {a.name: a for a in audiences}
        source = _Source(persons, facts, golden, sort=True)
        self._rows: dict[str, tuple[Condition, _Rows]] = {}
        for audience in audiences:
            for leaf in audience.leaves():
                key = repr(leaf)
                if key not in self._rows:
                    self._rows[key] = (leaf, source.rows(leaf))
        self._opted = opted_out(persons, consent) if consent is not None else np.empty(0, np.int64)
        self._consent = consent

    def add_facts(self, table: str, frame: pd.DataFrame) -> None:
        """Append fact rows (with a ``person_id`` column) to ``table``; they count at once.

        Raises
        ------
        MissingColumnError
            ``frame`` has no ``person_id`` column.
        """
        if "person_id" not in frame.columns:
            msg = "add_facts: the rows need a person_id column (Persons.facts or g.resolve_one)"
            raise MissingColumnError(msg, column="person_id", available=list(frame.columns))
        for key, (leaf, rows) in self._rows.items():
            if isinstance(leaf, HasFact) and leaf.table == table:
                self._rows[key] = (leaf, rows.concat(_fact_rows(leaf, frame)))

    def check(
        self,
        audience: str,
        person_id: int | None = None,
        *,
        now: object = None,
        override_consent: bool = False,
        **identifiers: object,
    ) -> AudienceCheck:
        """Whether one person, given by id or by a raw identifier, is in ``audience`` now.

        Parameters
        ----------
        audience : str
            Name of one of the index's audiences.
        person_id : int, optional
        now : timestamp-like, optional
        override_consent : bool, default False
        **identifiers
            Raw identifier values (``email=...``), looked up with
            :meth:`IdentityGraph.lookup` when ``person_id`` is not given.

        Returns
        -------
        AudienceCheck
            ``member`` False with reason ``"unknown person"`` when nobody is found.

        Raises
        ------
        ConfigError
            Unknown audience name, or identifiers without a live graph.
        UnknownPersonError
            ``person_id`` is not a person of the snapshot.
        """
        if audience not in self.audiences:
            msg = f"no audience named {audience!r}; known: {sorted(self.audiences)}"
            raise ConfigError(msg)
        if person_id is None:
            if not identifiers:
                msg = "check() needs a person_id or an identifier (email=..., phone=...)"
                raise InputError(msg)
            if self.persons.graph is None:
                msg = "looking identifiers up needs persons read from a graph"
                raise ConfigError(msg)
            found = self.persons.graph.lookup(identifiers)
            if found is None:
                return AudienceCheck(None, False, "unknown person")
            person_id = found
        universe = np.array([person_id], dtype=np.int64)
        ids = self.persons.person_ids
        pos = int(np.searchsorted(ids, person_id))
        if pos >= len(ids) or ids[pos] != person_id:
            msg = f"person {person_id} is not in this snapshot of the graph"
            raise UnknownPersonError(msg)
        now_ns = _now_ns(now)

        def leaf_mask(leaf: Condition) -> np.ndarray:
            rows = self._rows[repr(leaf)][1]
            lo, hi = np.searchsorted(rows.persons, [person_id, person_id + 1])
            part = _Rows(rows.persons[lo:hi], None if rows.times is None else rows.times[lo:hi])
            return _mark(universe, part, leaf, now_ns)

        chosen = self.audiences[audience]
        opted = self._opted if self._consent is not None and not override_consent else None
        included, excluded_by, names, _ = _decide(chosen, universe, leaf_mask, opted)
        if excluded_by[0] >= 0:
            return AudienceCheck(int(person_id), False, f"excluded by {names[excluded_by[0]]}")
        if included[0]:
            return AudienceCheck(int(person_id), True, f"kept by {chosen.include.name}")
        return AudienceCheck(int(person_id), False, "not included")
