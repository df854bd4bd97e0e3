"""Survivorship rules: how a golden record picks or aggregates each of its fields.

A rule says *what* survives; :func:`identigraph.merge.golden_records` decides how
to compute it for every person at once. There are two families:

* **selection rules** (:class:`MostRecent`, :class:`Oldest`, :class:`MostFrequent`,
  :class:`SourcePriority`, :class:`Longest`, :class:`FirstNonNull`, :class:`Max`,
  :class:`Min`) pick the value of one member record, so the golden record can say
  which ``source`` and ``record_id`` it came from. ``rule.then(other)`` adds
  tie-breakers.
* **aggregate rules** (:class:`Sum`, :class:`Count`, :class:`Collect`,
  :class:`Custom`) combine the values of all member records; they have no
  provenance.

A rule reads the column named like the field it fills unless it names its own
``column``. ``normalized=True`` reads the normalized form of the column instead
(the normalizer comes from the caller; the graph passes its identifier specs'
``canonicalize``, so a golden email is the trimmed, lowercased address).

Selection is a total order, so results never depend on row order. A selection
rule only considers records with a usable value (not null, not an empty or
blank string, not a rejected identifier value), ranks them by its own criterion,
then by each tie-breaker in turn, and finally by source name and then record id,
both ascending. Record ids compare in their natural order within a source; a
source whose ids mix types (``1`` and ``"a"``) compares them by their string form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, MISSING, dataclass, fields, replace
from typing import Any, TypeVar

from identigraph.errors import ConfigError

__all__ = [
    "Aggregate",
    "Collect",
    "Count",
    "Custom",
    "FirstNonNull",
    "Longest",
    "Max",
    "Min",
    "MostFrequent",
    "MostRecent",
    "Oldest",
    "Rule",
    "Select",
    "SourcePriority",
    "Sum",
]

_S = TypeVar("_S", bound="Select")


def _column_names(value: object, *, rule: str, name: str) -> tuple[str, ...]:
    """``value`` (a string or a sequence of strings) as a non-empty tuple of names."""
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not names:
        msg = f"{rule}: {name} must be a non-empty string or sequence of strings"
        raise ConfigError(msg)
    out = tuple(names)
    if not all(isinstance(n, str) and n for n in out):
        msg = f"{rule}: every entry of {name} must be a non-empty string, got {out!r}"
        raise ConfigError(msg)
    if len(set(out)) != len(out):
        msg = f"{rule}: {name} repeats an entry: {out!r}"
        raise ConfigError(msg)
    return out


def _check_name(value: object, *, rule: str, name: str) -> None:
    if not isinstance(value, str) or not value:
        msg = f"{rule}: {name} must be a non-empty string, got {value!r}"
        raise ConfigError(msg)


@dataclass(frozen=True, slots=True, repr=False)
class Rule:
    """Base of every survivorship rule; use one of its subclasses.

    Parameters
    ----------
    column : str or None, default None
        Input column; ``None`` reads the column named like the field the rule fills.
    normalized : bool, default False
        Read the normalized form of the column (needs a normalizer for it).
    """

    _: KW_ONLY
    column: str | None = None
    normalized: bool = False

    _accepts_normalized = True

    def __post_init__(self) -> None:
        name = type(self).__name__
        if type(self) in (Rule, Select, Aggregate):
            msg = f"{name} is a base class: use a concrete rule such as MostFrequent()"
            raise ConfigError(msg)
        if self.column is not None:
            _check_name(self.column, rule=name, name="column")
        if not isinstance(self.normalized, bool):
            msg = f"{name}: normalized must be True or False, got {self.normalized!r}"
            raise ConfigError(msg)
        if self.normalized and not self._accepts_normalized:
            msg = f"{name} does not take normalized=True"
            raise ConfigError(msg)

    def input_column(self, field: str) -> str:
        """The column whose values fill ``field``: ``column``, else ``field`` itself.

        Examples
        --------
        >>> Collect("phone").input_column("phones"), MostFrequent().input_column("city")
        ('phone', 'city')
        """
        return self.column if self.column is not None else field

    def columns(self, field: str) -> tuple[str, ...]:
        """Every column the rule reads when it fills ``field``, input column first.

        Examples
        --------
        >>> MostRecent(by="updated_at").then(FirstNonNull("created_at")).columns("email")
        ('email', 'updated_at', 'created_at')
        """
        out = [self.input_column(field)]
        for rule in (self, *getattr(self, "tie_breakers", ())):
            out.extend(c for c in rule._order_columns() if c not in out)
        return tuple(out)

    def _order_columns(self) -> tuple[str, ...]:
        """Columns read to order records (``by``, ``order_by``), besides the input column."""
        return ()

    def __repr__(self) -> str:
        parts = []
        for f in fields(self):
            if f.name == "tie_breakers":
                continue
            value = getattr(self, f.name)
            if f.default is not MISSING and value == f.default:
                continue
            shown = getattr(value, "__qualname__", None) if callable(value) else None
            parts.append(f"{f.name}={shown if shown else repr(value)}")
        text = f"{type(self).__name__}({', '.join(parts)})"
        return text + "".join(f".then({t!r})" for t in getattr(self, "tie_breakers", ()))


@dataclass(frozen=True, slots=True, repr=False)
class Select(Rule):
    """Base of the selection rules: pick the value of one member record.

    Parameters
    ----------
    tie_breakers : tuple of Select, default ()
        Rules that rank records the rule itself leaves tied, in order; usually
        built with :meth:`then`. Tie-breakers use the column (and ``normalized``)
        of the rule they break ties for, so they name no column of their own.
    """

    _: KW_ONLY
    tie_breakers: tuple[Select, ...] = ()

    def __post_init__(self) -> None:
        super(Select, self).__post_init__()
        breakers = self.tie_breakers
        if not isinstance(breakers, (tuple, list)):
            msg = f"{type(self).__name__}: tie_breakers must be a tuple of selection rules"
            raise ConfigError(msg)
        object.__setattr__(self, "tie_breakers", tuple(breakers))
        for rule in self.tie_breakers:
            _check_tie_breaker(rule)
            if rule.tie_breakers:
                msg = "a tie-breaker carries no tie-breakers of its own: chain them with .then()"
                raise ConfigError(msg)

    def then(self: _S, rule: Select) -> _S:
        """This rule, with ``rule`` (and its own tie-breakers) ranking the records it leaves tied.

        Parameters
        ----------
        rule : Select
            A selection rule without a ``column`` or ``normalized`` of its own.

        Returns
        -------
        Select
            A new rule of the same type; ``self`` is unchanged.

        Raises
        ------
        ConfigError
            If ``rule`` is not a selection rule or names its own column.

        Examples
        --------
        >>> SourcePriority(["crm", "pos"]).then(MostFrequent()).then(Longest())
        SourcePriority(order=('crm', 'pos')).then(MostFrequent()).then(Longest())
        """
        _check_tie_breaker(rule)
        added = (replace(rule, tie_breakers=()), *rule.tie_breakers)
        return replace(self, tie_breakers=(*self.tie_breakers, *added))


def _check_tie_breaker(rule: object) -> None:
    if not isinstance(rule, Select):
        msg = (
            f"tie-breakers must be selection rules (MostRecent, MostFrequent, ...), "
            f"got {type(rule).__name__}"
        )
        raise ConfigError(msg)
    if rule.column is not None or rule.normalized:
        msg = (
            f"tie-breaker {rule!r} names its own column or normalized=True: a tie-breaker "
            "uses the column of the rule it breaks ties for"
        )
        raise ConfigError(msg)


@dataclass(frozen=True, slots=True, repr=False)
class _ByTime(Select):
    """A selection rule ranked by the timestamp column ``by``."""

    by: str

    def __post_init__(self) -> None:
        super(_ByTime, self).__post_init__()
        _check_name(self.by, rule=type(self).__name__, name="by")

    def _order_columns(self) -> tuple[str, ...]:
        return (self.by,)


@dataclass(frozen=True, slots=True, repr=False)
class MostRecent(_ByTime):
    """The value of the record with the latest ``by`` timestamp.

    ``by`` may hold datetimes (naive ones count as UTC), numbers (larger is more
    recent) or strings, which are parsed as dates: ISO 8601 first, then other
    common spellings (month first, as pandas' ``format="mixed"``). A null or
    unparseable ``by`` ranks below every real one.

    Parameters
    ----------
    by : str
        Column holding the record's timestamp.

    Examples
    --------
    >>> MostRecent(by="updated_at", column="email", normalized=True)
    MostRecent(column='email', normalized=True, by='updated_at')
    """


@dataclass(frozen=True, slots=True, repr=False)
class Oldest(_ByTime):
    """The value of the record with the earliest ``by`` timestamp (see :class:`MostRecent`).

    Examples
    --------
    >>> Oldest("created_at")
    Oldest(by='created_at')
    """


@dataclass(frozen=True, slots=True, repr=False)
class MostFrequent(Select):
    """The value held by the most member records.

    Values are equal when exactly equal (``normalized=True`` compares normalized
    forms). Frequencies count every member record with a usable value, also when
    the rule breaks ties (not only the records still tied).

    Examples
    --------
    >>> MostFrequent()
    MostFrequent()
    """


@dataclass(frozen=True, slots=True, repr=False)
class SourcePriority(Select):
    """The value from the most trusted source: ``order`` lists sources, most trusted first.

    Sources not in ``order`` rank after all listed ones (and tie among themselves).

    Parameters
    ----------
    order : sequence of str
        Source names, most trusted first; a single string names one source.

    Examples
    --------
    >>> SourcePriority(["crm", "pos", "web"]).then(MostFrequent())
    SourcePriority(order=('crm', 'pos', 'web')).then(MostFrequent())
    """

    order: Sequence[str]

    def __post_init__(self) -> None:
        super(SourcePriority, self).__post_init__()
        names = _column_names(self.order, rule=type(self).__name__, name="order")
        object.__setattr__(self, "order", names)


@dataclass(frozen=True, slots=True, repr=False)
class Longest(Select):
    """The longest value, in characters of its string form.

    Examples
    --------
    >>> Longest(column="address")
    Longest(column='address')
    """


@dataclass(frozen=True, slots=True, repr=False)
class FirstNonNull(Select):
    """The first usable value with records ordered by ``order_by`` (ascending; nulls last).

    Parameters
    ----------
    order_by : str or sequence of str
        Column(s) to order records by; later columns break ties of earlier ones.
        Any sortable dtype: numbers, datetimes, strings (lexicographic).

    Examples
    --------
    >>> FirstNonNull(["created_at", "priority"]).order_by
    ('created_at', 'priority')
    """

    order_by: Sequence[str]

    def __post_init__(self) -> None:
        super(FirstNonNull, self).__post_init__()
        names = _column_names(self.order_by, rule=type(self).__name__, name="order_by")
        object.__setattr__(self, "order_by", names)

    def _order_columns(self) -> tuple[str, ...]:
        return tuple(self.order_by)


@dataclass(frozen=True, slots=True, repr=False)
class Max(Select):
    """The largest value (numbers, datetimes, or strings in lexicographic order).

    A selection rule: the golden record names the record holding the value.

    Parameters
    ----------
    column : str or None, default None
        Input column; ``None`` reads the column named like the field.

    Examples
    --------
    >>> Max("seen_at")
    Max(column='seen_at')
    """

    column: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Min(Select):
    """The smallest value (see :class:`Max`).

    Examples
    --------
    >>> Min("first_order_at").input_column("first_order")
    'first_order_at'
    """

    column: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Aggregate(Rule):
    """Base of the aggregate rules: combine the values of all member records."""


@dataclass(frozen=True, slots=True, repr=False)
class Sum(Aggregate):
    """The sum of the usable numeric values; null for a person without any.

    Integer and boolean columns sum exactly into a nullable ``Int64`` column; other
    numbers into ``float64``. Strings are converted with :func:`pandas.to_numeric`;
    a value that does not convert raises :class:`~identigraph.errors.DtypeError`.

    Parameters
    ----------
    column : str or None, default None
        Input column; ``None`` reads the column named like the field.

    Examples
    --------
    >>> Sum("order_total")
    Sum(column='order_total')
    """

    column: str | None = None

    _accepts_normalized = False


@dataclass(frozen=True, slots=True, repr=False)
class Count(Aggregate):
    """The number of member records with a usable value (0 for none).

    ``Count("record_id")`` counts member records.

    Parameters
    ----------
    column : str or None, default None
        Input column; ``None`` reads the column named like the field.
    unique : bool, default False
        Count distinct values instead.

    Examples
    --------
    >>> Count("email", unique=True, normalized=True)
    Count(column='email', normalized=True, unique=True)
    """

    column: str | None = None
    _: KW_ONLY
    unique: bool = False

    def __post_init__(self) -> None:
        super(Count, self).__post_init__()
        if not isinstance(self.unique, bool):
            msg = f"Count: unique must be True or False, got {self.unique!r}"
            raise ConfigError(msg)


@dataclass(frozen=True, slots=True, repr=False)
class Collect(Aggregate):
    """The list of the usable values, in the tie-break order (source name, then record id).

    Lists hold the column's values (normalized ones with ``normalized=True``); a
    person without any gets an empty list. The column is a pyarrow list column
    (``pd.ArrowDtype``) when the values have one Arrow type, else an object column
    of Python lists (a slower path, for columns that mix types).

    Parameters
    ----------
    column : str or None, default None
        Input column; ``None`` reads the column named like the field.
    unique : bool, default False
        Keep only the first occurrence of each value.
    limit : int or None, default None
        Keep at most this many values (the first ones).

    Examples
    --------
    >>> Collect("phone", unique=True, limit=5)
    Collect(column='phone', unique=True, limit=5)
    """

    column: str | None = None
    _: KW_ONLY
    unique: bool = False
    limit: int | None = None

    def __post_init__(self) -> None:
        super(Collect, self).__post_init__()
        if not isinstance(self.unique, bool):
            msg = f"Collect: unique must be True or False, got {self.unique!r}"
            raise ConfigError(msg)
        limit = self.limit
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            msg = f"Collect: limit must be None or an integer >= 1, got {limit!r}"
            raise ConfigError(msg)
        if limit is not None and limit < 1:
            msg = f"Collect: limit must be None or an integer >= 1, got {limit!r}"
            raise ConfigError(msg)


@dataclass(frozen=True, slots=True, repr=False)
class Custom(Aggregate):
    """Any function of one person's values: the one slow path.

    ``fn`` is called once per person that has at least one usable value, with a
    :class:`pandas.Series` of those values in the tie-break order, indexed by a
    ``(source, record_id)`` MultiIndex; its return value fills the field (persons
    without values get null). This is a Python call per person: expect tens of
    microseconds each, so minutes for millions of persons. Prefer a built-in rule.

    Parameters
    ----------
    fn : callable
        ``fn(values: pd.Series) -> object``.
    column : str or None, default None
        Input column; ``None`` reads the column named like the field.
    normalized : bool, default False
        Pass normalized values.

    Examples
    --------
    >>> def initials(values):
    ...     return "".join(sorted({v[0] for v in values}))
    >>> Custom(initials, column="first_name")
    Custom(column='first_name', fn=initials)
    """

    fn: Callable[[Any], object]

    def __post_init__(self) -> None:
        super(Custom, self).__post_init__()
        if not callable(self.fn):
            msg = f"Custom: fn must be callable, got {type(self.fn).__name__}"
            raise ConfigError(msg)
