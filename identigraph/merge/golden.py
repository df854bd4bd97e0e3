"""Golden records: one row per person, each field picked or aggregated by a survivorship rule."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, overload

import numpy as np
import pandas as pd
import pyarrow as pa

from identigraph._progress import progress_bar
from identigraph.errors import ConfigError, MissingColumnError
from identigraph.merge._keys import (
    arrow_values,
    numeric_values,
    order_key,
    present_mask,
    text_lengths,
    time_key,
    value_codes,
)
from identigraph.merge._layout import Layout, build_layout, require_columns
from identigraph.merge.rules import (
    Aggregate,
    Collect,
    Count,
    Custom,
    FirstNonNull,
    Longest,
    Max,
    Min,
    MostFrequent,
    MostRecent,
    Oldest,
    Rule,
    Select,
    SourcePriority,
    Sum,
)

__all__ = ["GoldenResult", "golden_records"]

_log = logging.getLogger("identigraph.merge")

Normalizer = Callable[[pd.Series], pd.Series]
ProvenanceMode = Literal["wide", "long", "none"]

_KEY_COLUMNS = ("source", "record_id", "person_id")
_DEFAULT_RULE = MostFrequent()
_INT_MIN = np.iinfo(np.int64).min


class GoldenResult(NamedTuple):
    """Golden records with a tidy provenance frame (``golden_records(..., provenance="long")``).

    ``records`` is the golden frame without provenance columns; ``provenance`` has
    one row per person and selection field that has a value, with columns
    ``person_id``, ``field`` (categorical, in field order), ``source`` and
    ``record_id``, sorted by person id and then field. Unpacks like a tuple.

    Examples
    --------
    >>> import pandas as pd
    >>> from identigraph.merge import Longest
    >>> records = pd.DataFrame(
    ...     {"source": ["crm", "web"], "record_id": [1, 2], "name": ["Ann", "Ann Lee"]}
    ... )
    >>> clusters = records[["source", "record_id"]].assign(person_id=7)
    >>> golden, provenance = golden_records(
    ...     records, clusters, {"name": Longest()}, provenance="long"
    ... )
    >>> golden.to_dict("records")
    [{'person_id': 7, 'name': 'Ann Lee'}]
    >>> provenance.to_dict("records")
    [{'person_id': 7, 'field': 'name', 'source': 'web', 'record_id': 2}]
    """

    records: pd.DataFrame
    provenance: pd.DataFrame


# -- plan -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    rule: Rule
    column: str


def _plan(
    records: pd.DataFrame, rules: Mapping[str, Rule] | None, default: Rule | None
) -> list[_Field]:
    """The output fields, in order: the ``rules`` first, then the default-rule columns."""
    plan: list[_Field] = []
    for name, rule in (rules or {}).items():
        if not isinstance(name, str) or not name:
            msg = f"field names must be non-empty strings, got {name!r}"
            raise ConfigError(msg)
        if name == "person_id":
            msg = "no field may be called 'person_id': the golden records use that column"
            raise ConfigError(msg)
        if not isinstance(rule, Rule):
            msg = f"the rule for field {name!r} must be a Rule, got {type(rule).__name__}"
            raise ConfigError(msg)
        plan.append(_Field(name, rule, rule.input_column(name)))
    if default is not None:
        if not isinstance(default, Rule):
            msg = f"default must be a Rule or None, got {type(default).__name__}"
            raise ConfigError(msg)
        if default.column is not None:
            msg = f"the default rule {default!r} must not name a column: it applies to each column"
            raise ConfigError(msg)
        taken = {f.name for f in plan} | {f.column for f in plan} | set(_KEY_COLUMNS)
        plan.extend(
            _Field(column, default, column)
            for column in records.columns
            if isinstance(column, str) and column not in taken
        )
    return plan


def _available(records: pd.DataFrame) -> str:
    """Per source, the attribute columns holding at least one value."""
    attributes = [c for c in records.columns if c not in ("source", "record_id")]
    if "source" not in records.columns or not attributes:
        return ", ".join(map(str, attributes)) or "(none)"
    has = records[attributes].notna().groupby(records["source"].to_numpy()).any()
    names = np.asarray(has.columns, dtype=object)
    lines = [
        f"{source}: {', '.join(map(str, names[has.loc[source].to_numpy(dtype=bool)])) or '(none)'}"
        for source in has.index
    ]
    return "; ".join(lines)


def _check_plan(
    records: pd.DataFrame,
    plan: list[_Field],
    normalizers: Mapping[str, Normalizer],
    provenance: str,
) -> None:
    if provenance not in ("wide", "long", "none"):
        msg = f"provenance must be 'wide', 'long' or 'none', got {provenance!r}"
        raise ConfigError(msg)
    for field in plan:
        for column in field.rule.columns(field.name):
            if column not in records.columns:
                msg = (
                    f"rule {field.rule!r} for field {field.name!r} reads column {column!r}, "
                    f"which the records do not have; columns with values per source: "
                    f"{_available(records)}"
                )
                raise MissingColumnError(
                    msg, column=column, available=tuple(map(str, records.columns))
                )
        if field.rule.normalized and field.column not in normalizers:
            have = ", ".join(sorted(map(str, normalizers))) or "none"
            msg = (
                f"rule {field.rule!r} for field {field.name!r} asks for normalized values of "
                f"column {field.column!r}, which has no normalizer (normalizers: {have})"
            )
            raise ConfigError(msg)
    names = ["person_id", *(f.name for f in plan)]
    if provenance == "wide":
        for field in plan:
            if isinstance(field.rule, Select):
                names += [f"{field.name}__source", f"{field.name}__record_id"]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            msg = f"two output columns would be called {name!r}: rename a field"
            raise ConfigError(msg)
        seen.add(name)


# -- per-call state ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    normalized: bool
    values: pd.Series  # row order, RangeIndex
    present: np.ndarray  # row order: usable value


_Key = tuple[np.ndarray, "np.ndarray | None"]  # canonical order: higher wins; validity


class _Context:
    """One call's records, layout and caches."""

    def __init__(
        self,
        records: pd.DataFrame,
        layout: Layout,
        normalizers: Mapping[str, Normalizer],
        rejected: dict[str, np.ndarray],
    ) -> None:
        self.records = records
        self.layout = layout
        self.normalizers = normalizers
        self.rejected = rejected
        self._columns: dict[tuple[str, bool], _Column] = {}
        self._keys: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._codes: dict[tuple[str, bool], np.ndarray] = {}

    def column(self, name: str, normalized: bool = False) -> _Column:
        """Values (normalized if asked) of a column, and where they are usable."""
        cached = self._columns.get((name, normalized))
        if cached is not None:
            return cached
        raw = self.records[name]
        if normalized:
            values = _normalize(self.normalizers[name], raw, name)
        else:
            values = raw.reset_index(drop=True)
        present = present_mask(values)
        rows = self.rejected.get(name)
        if rows is not None:
            present[rows] = False
        column = _Column(name, normalized, values, present)
        self._columns[(name, normalized)] = column
        return column

    def codes(self, column: _Column) -> np.ndarray:
        """Canonical-order value codes of a column (equal values, equal codes)."""
        key = (column.name, column.normalized)
        if key not in self._codes:
            self._codes[key] = self.layout.to_canonical(value_codes(column.values))
        return self._codes[key]

    def sort_key(self, name: str, kind: Literal["order", "time"]) -> tuple[np.ndarray, np.ndarray]:
        """Canonical-order ascending key of a column and its validity (rejected cells invalid)."""
        if (name, kind) not in self._keys:
            values = self.records[name].reset_index(drop=True)
            key, valid = time_key(values) if kind == "time" else order_key(values)
            valid = valid & present_mask(values)
            rows = self.rejected.get(name)
            if rows is not None:
                valid[rows] = False
            canonical = self.layout.to_canonical
            self._keys[(name, kind)] = (canonical(key), canonical(valid))
        return self._keys[(name, kind)]


def _normalize(normalizer: Normalizer, raw: pd.Series, name: str) -> pd.Series:
    out = normalizer(raw)
    values = out.reset_index(drop=True) if isinstance(out, pd.Series) else pd.Series(out)
    if len(values) != len(raw):
        msg = f"the normalizer for column {name!r} returned {len(values)} values for {len(raw)}"
        raise ConfigError(msg)
    return values


def _rejected_rows(layout: Layout, rejected: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Rows of each column whose value the graph rejected (unknown records are ignored)."""
    if rejected is None or rejected.empty:
        if rejected is not None:
            require_columns(rejected, ("source", "record_id", "column"), name="rejected")
        return {}
    require_columns(rejected, ("source", "record_id", "column"), name="rejected")
    rows = layout.keys().locate(rejected["source"], rejected["record_id"])
    columns = rejected["column"].to_numpy()
    found = rows >= 0
    out: dict[str, np.ndarray] = {}
    for name in pd.unique(columns[found]):
        out[str(name)] = rows[found & (columns == name)]
    return out


# -- selection --------------------------------------------------------------------------


def _reverse(key: np.ndarray) -> np.ndarray:
    """An order-reversing map of a key (``~`` on integers never overflows)."""
    return ~key if key.dtype.kind in "iu" else -key


def _pick(candidates: np.ndarray, keys: list[_Key], layout: Layout) -> np.ndarray:
    """Per person, the canonical position of the first candidate with the highest keys.

    Lexicographic arg-max per person: each key narrows the candidates to those
    equal to the person's best; the first remaining position (the source-name,
    record-id tie-break) wins. -1 for a person without candidates. O(n) per key.
    """
    n = len(candidates)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts, sizes = layout.starts, layout.sizes
    mask = candidates.copy()
    for key, valid in keys:
        usable = mask if valid is None else mask & valid
        lowest = _INT_MIN if key.dtype.kind in "iu" else -np.inf
        scored = np.where(usable, key, lowest)
        best = np.repeat(np.maximum.reduceat(scored, starts), sizes)
        mask &= scored == best
    positions = np.where(mask, np.arange(n, dtype=np.int64), n)
    first = np.minimum.reduceat(positions, starts)
    first[first == n] = -1
    return first


def _most_recent_key(rule: MostRecent, ctx: _Context, column: _Column) -> _Key:
    return ctx.sort_key(rule.by, "time")


def _oldest_key(rule: Oldest, ctx: _Context, column: _Column) -> _Key:
    key, valid = ctx.sort_key(rule.by, "time")
    return _reverse(key), valid


def _frequency_key(rule: MostFrequent, ctx: _Context, column: _Column) -> _Key:
    layout = ctx.layout
    candidates = layout.to_canonical(column.present)
    codes = ctx.codes(column)
    rows = np.flatnonzero(candidates)
    counts = np.zeros(len(candidates), dtype=np.int64)
    if len(rows):
        pairs = layout.group[rows] * (int(codes.max()) + 1) + codes[rows]
        _, inverse, sizes = np.unique(pairs, return_inverse=True, return_counts=True)
        counts[rows] = sizes[inverse.reshape(-1)]
    return counts, None


def _source_key(rule: SourcePriority, ctx: _Context, column: _Column) -> _Key:
    rank = {name: i for i, name in enumerate(rule.order)}
    unlisted = len(rank)
    per_source = np.array(
        [-rank.get(str(name), unlisted) for name in ctx.layout.source_names], dtype=np.int64
    )
    return ctx.layout.to_canonical(per_source[ctx.layout.source_codes]), None


def _longest_key(rule: Longest, ctx: _Context, column: _Column) -> _Key:
    return ctx.layout.to_canonical(text_lengths(column.values)), None


def _first_keys(rule: FirstNonNull, ctx: _Context, column: _Column) -> list[_Key]:
    out: list[_Key] = []
    for name in rule.order_by:
        key, valid = ctx.sort_key(name, "order")
        out.append((_reverse(key), valid))
    return out


def _value_key(column: _Column, ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
    key, valid = order_key(column.values)
    return ctx.layout.to_canonical(key), ctx.layout.to_canonical(valid)


def _max_key(rule: Max, ctx: _Context, column: _Column) -> _Key:
    return _value_key(column, ctx)


def _min_key(rule: Min, ctx: _Context, column: _Column) -> _Key:
    key, valid = _value_key(column, ctx)
    return _reverse(key), valid


#: Selection rule type -> its ranking key(s) for one column (canonical order, higher wins).
_SELECT_KEYS: dict[type[Select], Callable[..., _Key | list[_Key]]] = {
    MostRecent: _most_recent_key,
    Oldest: _oldest_key,
    MostFrequent: _frequency_key,
    SourcePriority: _source_key,
    Longest: _longest_key,
    FirstNonNull: _first_keys,
    Max: _max_key,
    Min: _min_key,
}


def _lookup(registry: Mapping[type, Any], rule: Rule) -> Any:
    for klass in type(rule).__mro__:
        if klass in registry:
            return registry[klass]
    msg = f"no engine for rule type {type(rule).__name__}"
    raise ConfigError(msg)


def _select(ctx: _Context, field: _Field) -> np.ndarray:
    """Row of the record each person's value comes from (-1 where no record has one)."""
    rule = field.rule
    assert isinstance(rule, Select)
    column = ctx.column(field.column, rule.normalized)
    keys: list[_Key] = []
    for step in (rule, *rule.tie_breakers):
        made = _lookup(_SELECT_KEYS, step)(step, ctx, column)
        keys.extend(made if isinstance(made, list) else [made])
    first = _pick(ctx.layout.to_canonical(column.present), keys, ctx.layout)
    rows = ctx.layout.order[np.maximum(first, 0)] if len(first) else first
    return np.where(first >= 0, rows, -1)


def _take(values: pd.Series, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values`` at ``rows`` (null where -1); integer and boolean columns become nullable."""
    missing = rows < 0
    dtype = values.dtype
    if missing.any() and isinstance(dtype, np.dtype) and dtype.kind in "iub":
        data = values.to_numpy()[np.where(missing, 0, rows)]
        if dtype.kind == "b":
            return pd.arrays.BooleanArray(data, missing)
        return pd.arrays.IntegerArray(data, missing)
    taken: pd.api.extensions.ExtensionArray = values.array.take(rows, allow_fill=True)
    return taken


def _source_at(layout: Layout, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Source names of ``rows`` (null where -1), taken from the few distinct names."""
    codes = np.where(rows >= 0, layout.source_codes[np.maximum(rows, 0)], -1)
    names: pd.api.extensions.ExtensionArray = pd.Series(layout.source_names).array
    taken: pd.api.extensions.ExtensionArray = names.take(codes, allow_fill=True)
    return taken


# -- aggregates -------------------------------------------------------------------------


def _sum(rule: Sum, ctx: _Context, column: _Column) -> Any:
    layout = ctx.layout
    numbers, integral = numeric_values(column.values, column=column.name)
    present = layout.to_canonical(column.present)
    if not len(present):
        return pd.array([], dtype="Int64" if integral else "float64")
    numbers = layout.to_canonical(np.where(column.present, numbers, 0))
    sums = np.add.reduceat(numbers, layout.starts)
    empty = np.add.reduceat(present.astype(np.int64), layout.starts) == 0
    if integral:
        return pd.arrays.IntegerArray(sums.astype(np.int64), empty)
    return np.where(empty, np.nan, sums)


def _distinct_first(ctx: _Context, column: _Column, rows: np.ndarray) -> np.ndarray:
    """Of canonical positions ``rows``, those holding a person's first occurrence of a value."""
    codes = ctx.codes(column)
    pairs = ctx.layout.group[rows] * (int(codes.max()) + 1) + codes[rows]
    repeated = pd.Series(pairs).duplicated().to_numpy(dtype=bool)
    out: np.ndarray = rows[~repeated]
    return out


def _count(rule: Count, ctx: _Context, column: _Column) -> Any:
    layout = ctx.layout
    rows = np.flatnonzero(layout.to_canonical(column.present))
    if rule.unique and len(rows):
        rows = _distinct_first(ctx, column, rows)
    return np.bincount(layout.group[rows], minlength=layout.n_persons).astype(np.int64)


def _collect(rule: Collect, ctx: _Context, column: _Column) -> Any:
    layout = ctx.layout
    rows = np.flatnonzero(layout.to_canonical(column.present))
    if rule.unique and len(rows):
        rows = _distinct_first(ctx, column, rows)
    groups = layout.group[rows]
    if rule.limit is not None:
        rank = np.arange(len(rows)) - np.searchsorted(groups, groups, side="left")
        rows, groups = rows[rank < rule.limit], groups[rank < rule.limit]
    offsets = np.zeros(layout.n_persons + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=layout.n_persons), out=offsets[1:])
    values = column.values.take(layout.order[rows]).reset_index(drop=True)  # noqa: PD011
    arr = arrow_values(values)
    if arr is None:  # values of mixed types: Python lists (a loop per person)
        items = values.to_numpy(dtype=object)
        lists = np.empty(layout.n_persons, dtype=object)
        bounds = zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
        for person, (a, b) in enumerate(bounds):
            lists[person] = items[a:b].tolist()
        return lists
    if offsets[-1] > np.iinfo(np.int32).max:
        lists_arr = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), arr)
    else:
        lists_arr = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), arr)
    return pd.arrays.ArrowExtensionArray(lists_arr)


def _custom(rule: Custom, ctx: _Context, column: _Column) -> Any:
    layout = ctx.layout
    rows = np.flatnonzero(layout.to_canonical(column.present))
    record_rows = layout.order[rows]
    index = pd.MultiIndex.from_arrays(
        [layout.source.take(record_rows), layout.record_id.take(record_rows)],
        names=["source", "record_id"],
    )
    taken = column.values.take(record_rows).array  # noqa: PD011
    values = pd.Series(taken, index=index, name=column.name)
    groups = layout.group[rows]
    persons, firsts = np.unique(groups, return_index=True)
    ends = np.r_[firsts[1:], len(rows)].astype(np.int64)
    out: list[object] = [None] * layout.n_persons
    bounds = zip(persons.tolist(), firsts.tolist(), ends.tolist(), strict=True)
    for person, a, b in bounds:  # the slow path: one Python call per person
        out[person] = rule.fn(values.iloc[a:b])
    return pd.Series(out, dtype=object).infer_objects().array


#: Aggregate rule type -> its per-person values (length: number of persons).
_AGGREGATES: dict[type[Aggregate], Callable[..., Any]] = {
    Sum: _sum,
    Count: _count,
    Collect: _collect,
    Custom: _custom,
}


# -- entry point ------------------------------------------------------------------------


@overload
def golden_records(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    rules: Mapping[str, Rule] | None = ...,
    *,
    default: Rule | None = ...,
    provenance: Literal["wide", "none"] = ...,
    normalizers: Mapping[str, Normalizer] | None = ...,
    rejected: pd.DataFrame | None = ...,
    progress: bool | None = ...,
) -> pd.DataFrame: ...


@overload
def golden_records(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    rules: Mapping[str, Rule] | None = ...,
    *,
    default: Rule | None = ...,
    provenance: Literal["long"],
    normalizers: Mapping[str, Normalizer] | None = ...,
    rejected: pd.DataFrame | None = ...,
    progress: bool | None = ...,
) -> GoldenResult: ...


def golden_records(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    rules: Mapping[str, Rule] | None = None,
    *,
    default: Rule | None = _DEFAULT_RULE,
    provenance: ProvenanceMode = "wide",
    normalizers: Mapping[str, Normalizer] | None = None,
    rejected: pd.DataFrame | None = None,
    progress: bool | None = None,
) -> pd.DataFrame | GoldenResult:
    """One golden record per person: each field picked or aggregated by a survivorship rule.

    Parameters
    ----------
    records : DataFrame
        Columns ``source``, ``record_id`` (unique together) and attribute columns;
        NaN where a source lacks a column. Never modified.
    clusters : DataFrame
        Columns ``source``, ``record_id`` and ``person_id`` (integers): one row per
        record. Rows for records not in ``records`` are ignored.
    rules : mapping of str to Rule, optional
        Output field -> rule. A rule reads the column named like its field unless it
        names its own (``Collect("phone")``, ``MostRecent(by=..., column="email")``).
    default : Rule or None, default MostFrequent()
        Rule for every other string-named column of ``records`` (each feeding a field
        of the same name), except ``source``, ``record_id``, ``person_id``, the
        fields of ``rules`` and the columns those rules read their values from
        (``by``/``order_by`` columns do get a field). ``None``: no other fields.
    provenance : {"wide", "long", "none"}, default "wide"
        ``"wide"``: after the fields, columns ``<field>__source`` and
        ``<field>__record_id`` for each selection field (null where no record has a
        value). ``"long"``: return a :class:`GoldenResult` with a tidy provenance
        frame instead. ``"none"``: no provenance.
    normalizers : mapping of str to callable, optional
        Column -> vectorized function from the raw column to its normalized form
        (NA where unusable), used by rules with ``normalized=True``.
    rejected : DataFrame, optional
        Columns ``source``, ``record_id``, ``column``: cells whose identifier value
        was rejected (invalid or junk); they count as null for every rule. Rows for
        unknown records are ignored.
    progress : bool or None, default None
        Show a progress bar over the fields: ``None`` when interactive (a terminal
        or a notebook), ``True`` or ``False`` to force it.

    Returns
    -------
    DataFrame or GoldenResult
        One row per person, ascending ``person_id`` first, then the fields in order
        (rules first, then default-rule columns), then wide provenance. Selection
        fields keep their column's dtype (integers and booleans become nullable
        where a person has no value); ``Collect`` fields hold lists.

    Raises
    ------
    MissingColumnError
        If a rule reads a column the records lack (the message lists the columns
        with values per source), or a frame lacks a key column.
    ConfigError
        On an invalid rule mapping, a clash of output column names, or
        ``normalized=True`` for a column without a normalizer.
    InputError
        On missing or repeated keys (``DuplicateRecordError``) or a non-numeric
        ``Sum`` column (``DtypeError``).
    UnknownRecordError
        If a record has no row in ``clusters``.

    Examples
    --------
    >>> import pandas as pd
    >>> from identigraph.merge import MostRecent, SourcePriority, Sum
    >>> records = pd.DataFrame({
    ...     "source": ["crm", "web", "web"],
    ...     "record_id": [1, 7, 8],
    ...     "name": ["Ann Lee", "ann", None],
    ...     "updated_at": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-07-01"]),
    ...     "total": [10.0, 5.5, 1.0],
    ... })
    >>> clusters = records[["source", "record_id"]].assign(person_id=[100, 100, 100])
    >>> golden = golden_records(records, clusters, {
    ...     "name": SourcePriority(["crm", "web"]),
    ...     "latest_name": MostRecent(by="updated_at", column="name"),
    ...     "total": Sum(),
    ... }, default=None)
    >>> golden.iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'person_id': 100, 'name': 'Ann Lee', 'latest_name': 'ann', 'total': 16.5,
     'name__source': 'crm', 'name__record_id': 1,
     'latest_name__source': 'web', 'latest_name__record_id': 7}

    See Also
    --------
    identigraph.merge.rules : the rules and their tie-breaks.

    Notes
    -----
    Vectorized: one join and one canonical sort (person, then source name, then
    record id) for the whole call, O(n log n); then per selection rule an O(n)
    lexicographic arg-max per person (a group-wise maximum per ranking key), and
    per aggregate an O(n) group-wise reduction. ``MostFrequent`` and ``unique=True``
    add a sort of the (person, value) pairs. ``Custom`` calls its function once per
    person: the one slow path. Memory: a few integer arrays of n entries besides
    the output.
    """
    start = time.perf_counter()
    plan = _plan(records, rules, default)
    normalizers = dict(normalizers or {})
    _check_plan(records, plan, normalizers, provenance)
    layout = build_layout(records, clusters)
    ctx = _Context(records, layout, normalizers, _rejected_rows(layout, rejected))

    data: dict[str, Any] = {"person_id": layout.person_ids}
    picks: dict[str, np.ndarray] = {}
    with progress_bar(len(plan), desc="golden records", unit="fields", progress=progress) as bar:
        for field in plan:
            if isinstance(field.rule, Select):
                rows = _select(ctx, field)
                picks[field.name] = rows
                selected = ctx.column(field.column, field.rule.normalized)
                data[field.name] = _take(selected.values, rows)
            else:
                aggregate = _lookup(_AGGREGATES, field.rule)
                column = ctx.column(field.column, field.rule.normalized)
                data[field.name] = aggregate(field.rule, ctx, column)
            bar.update(1)
    _log.info(
        "golden records: %d persons, %d records, %d fields in %.2f s",
        len(layout.person_ids),
        len(records),
        len(plan),
        time.perf_counter() - start,
    )
    if provenance == "wide":
        for name, rows in picks.items():
            data[f"{name}__source"] = _source_at(layout, rows)
            data[f"{name}__record_id"] = _take(layout.record_id, rows)
    golden: pd.DataFrame = pd.DataFrame(data)
    if provenance != "long":
        return golden
    return GoldenResult(golden, _long_provenance(layout, picks))


def _long_provenance(layout: Layout, picks: dict[str, np.ndarray]) -> pd.DataFrame:
    names = list(picks)
    persons, fields, rows = [], [], []
    for i, picked in enumerate(picks.values()):
        have = np.flatnonzero(picked >= 0)
        persons.append(have)
        fields.append(np.full(len(have), i, dtype=np.int64))
        rows.append(picked[have])
    person = np.concatenate(persons) if persons else np.zeros(0, dtype=np.int64)
    field = np.concatenate(fields) if fields else np.zeros(0, dtype=np.int64)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    order = np.argsort(person, kind="stable")
    person, field, row = person[order], field[order], row[order]
    frame: pd.DataFrame = pd.DataFrame(
        {
            "person_id": layout.person_ids[person],
            "field": pd.Categorical.from_codes(field, categories=pd.Index(names, dtype=object)),
            "source": layout.source.take(row).reset_index(drop=True),
            "record_id": layout.record_id.take(row).reset_index(drop=True),
        }
    )

    return frame
