"""Comparisons: how two records' values in one column are graded into agreement levels.

A comparison sorts each candidate pair into one *level*: ``-1`` when either value
is missing (no information, neither agreement nor disagreement), ``0`` for "all
other" (disagreement), and higher levels for closer agreement, the highest
always being an exact match of the normalized values. :attr:`Comparison.level_labels`
names the levels from ``0`` up.

Levels are computed on arrays of pairs: values are factorized once, each distinct
pair of values is scored once with ``rapidfuzz.process.cpdist``.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, fields
from typing import Any, ClassVar, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from identigraph.errors import ConfigError
from identigraph.matcher._levels import pair_levels, prepare_column
from identigraph.matcher._values import as_text, parse_dates

__all__ = [
    "COMPARISONS",
    "TF_AUTO_MIN_VALUES",
    "Comparison",
    "DateComparison",
    "EditDistanceComparison",
    "ExactComparison",
    "NameComparison",
    "NumberComparison",
    "TextComparison",
    "comparison_from_dict",
]

IntArray = npt.NDArray[np.int64]
LevelArray = npt.NDArray[np.int8]

#: Values a column needs for ``tf_adjust="auto"`` to adjust: below it, a value's
#: share of a handful of records says little about how common it is.
TF_AUTO_MIN_VALUES = 1000


@dataclass(frozen=True, slots=True)
class Comparison(metaclass=ABCMeta):
    """Base of all comparisons: grade the values of ``column`` of two records.

    Parameters
    ----------
    column : str
        Column compared.
    name : str
        Name of the comparison in outputs (``<name>_level``); defaults to ``column``.
        Two comparisons of one matcher need different names.
    tf_adjust : bool or "auto", default False
        Term-frequency adjustment: an exact match on a common value (``"smith"``)
        counts less than one on a rare value (``"zbyszewski"``). ``"auto"`` applies
        it when the column holds at least :data:`TF_AUTO_MIN_VALUES` values, enough
        to tell common values from rare ones.
    """

    column: str
    _: KW_ONLY
    name: str = ""
    tf_adjust: bool | Literal["auto"] = False

    def __post_init__(self) -> None:
        kind = type(self).__name__
        if not (isinstance(self.tf_adjust, bool) or self.tf_adjust == "auto"):
            msg = f"{kind}({self.column!r}): tf_adjust must be True, False or 'auto'"
            raise ConfigError(msg)
        if not isinstance(self.column, str) or not self.column:
            msg = f"{kind}: column must be a non-empty string, got {self.column!r}"
            raise ConfigError(msg)
        if not self.name:
            object.__setattr__(self, "name", self.column)
        if not isinstance(self.name, str) or not self.name.isidentifier():
            msg = f"{kind}({self.column!r}): name must be an identifier, got {self.name!r}"
            raise ConfigError(msg)

    # -- description ------------------------------------------------------------------
    @property
    @abstractmethod
    def level_labels(self) -> tuple[str, ...]:
        """Label of each level, from ``0`` (else) to the top (exact)."""

    @property
    def n_levels(self) -> int:
        """Number of levels, ``-1`` (missing) not counted."""
        return len(self.level_labels)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-ready); :func:`comparison_from_dict` rebuilds it."""
        out: dict[str, Any] = {"type": type(self).__name__}
        for field in fields(self):
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    # -- engine hooks -----------------------------------------------------------------
    def keys(self, values: pd.Series) -> pd.Series:
        """Normalized form of distinct raw ``values``; ``None`` where missing.

        Equal keys are an exact match. The default trims and case-folds text.
        """
        return as_text(values)

    def features(self, keys: npt.NDArray[np.object_]) -> Any:
        """What :meth:`score` needs of each distinct key (by default the keys)."""
        return keys

    @abstractmethod
    def score(self, features: Any, left: IntArray, right: IntArray) -> LevelArray:
        """Levels below exact of the distinct key pairs ``(left[i], right[i])``."""

    # -- convenience ------------------------------------------------------------------
    def compare(
        self, left: Sequence[Any] | pd.Series, right: Sequence[Any] | pd.Series
    ) -> LevelArray:
        """Level of each pair ``(left[i], right[i])`` of raw values.

        Examples
        --------
        >>> NameComparison("name").compare(["Jon", "Ann", None], ["John", "Bob", "Ann"]).tolist()
        [2, 0, -1]
        """
        left_values = pd.Series(list(left), dtype=object)
        right_values = pd.Series(list(right), dtype=object)
        if len(left_values) != len(right_values):
            msg = f"{type(self).__name__}.compare: left and right differ in length"
            raise ConfigError(msg)
        n = len(left_values)
        prepared = prepare_column(self, pd.concat([left_values, right_values], ignore_index=True))
        positions = np.arange(n, dtype=np.int64)
        return pair_levels(self, prepared, positions, positions + n)


def _at_least(scores: npt.NDArray[np.float64], thresholds: tuple[float, ...]) -> LevelArray:
    """Number of ``thresholds`` each score reaches."""
    levels = np.zeros(len(scores), dtype=np.int8)
    for threshold in thresholds:
        levels += scores >= threshold
    return levels


def _at_most(distances: npt.NDArray[np.int64], thresholds: tuple[int, ...]) -> LevelArray:
    """Number of ``thresholds`` each distance stays within."""
    levels = np.zeros(len(distances), dtype=np.int8)
    for threshold in thresholds:
        levels += distances <= threshold
    return levels


def _similarity_thresholds(owner: Comparison, values: Sequence[float]) -> tuple[float, ...]:
    thresholds = tuple(sorted((float(t) for t in values), reverse=True))
    if len(set(thresholds)) != len(thresholds) or not all(0 < t < 1 for t in thresholds):
        msg = (
            f"{type(owner).__name__}({owner.column!r}): thresholds must be distinct "
            f"numbers strictly between 0 and 1, got {tuple(values)!r}"
        )
        raise ConfigError(msg)
    return thresholds


def _positive_ints(owner: Comparison, what: str, values: Sequence[int]) -> tuple[int, ...]:
    numbers = tuple(sorted(values))
    if len(set(numbers)) != len(numbers) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in numbers
    ):
        msg = (
            f"{type(owner).__name__}({owner.column!r}): {what} must be distinct integers "
            f">= 1, got {tuple(values)!r}"
        )
        raise ConfigError(msg)
    return numbers


def _texts(features: npt.NDArray[np.object_], codes: IntArray) -> list[str]:
    return features[codes].tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class ExactComparison(Comparison):
    """Two levels: exact match of the trimmed, case-folded values, or not.

    Examples
    --------
    >>> ExactComparison("state").compare(["NSW", "vic"], ["nsw ", "qld"]).tolist()
    [1, 0]
    >>> ExactComparison("state").level_labels
    ('else', 'exact')
    """

    @property
    def level_labels(self) -> tuple[str, ...]:
        return ("else", "exact")

    def score(self, features: Any, left: IntArray, right: IntArray) -> LevelArray:
        return np.zeros(len(left), dtype=np.int8)


@dataclass(frozen=True, slots=True)
class _SimilarityComparison(Comparison):
    """Exact, then a ``rapidfuzz`` similarity at or above each threshold.

    Subclasses name the scorer, its scale (1 or 100) and the label of its levels.
    """

    _: KW_ONLY
    thresholds: tuple[float, ...] = ()

    _scorer: ClassVar[Any] = None
    _scale: ClassVar[float] = 1.0
    _label: ClassVar[str] = ""

    def __post_init__(self) -> None:
        Comparison.__post_init__(self)
        object.__setattr__(self, "thresholds", _similarity_thresholds(self, self.thresholds))

    @property
    def level_labels(self) -> tuple[str, ...]:
        fuzzy = tuple(f"{self._label} >= {t:g}" for t in reversed(self.thresholds))
        return ("else", *fuzzy, "exact")

    def score(self, features: Any, left: IntArray, right: IntArray) -> LevelArray:
        if not self.thresholds:
            return np.zeros(len(left), dtype=np.int8)
        scores = process.cpdist(
            _texts(features, left),
            _texts(features, right),
            scorer=self._scorer,
            score_cutoff=self._scale * min(self.thresholds),
            dtype=np.float64,
            workers=-1,
        )
        return _at_least(scores / self._scale, self.thresholds)


@dataclass(frozen=True, slots=True)
class NameComparison(_SimilarityComparison):
    """Names: exact, then Jaro-Winkler similarity at or above each threshold.

    Parameters
    ----------
    column : str
        Column holding the name.
    thresholds : sequence of float, default (0.92, 0.85)
        Jaro-Winkler similarities (strictly between 0 and 1) that open a level each.
    tf_adjust : bool or "auto", default "auto"
        Term-frequency adjustment, on by default for names wherever the column
        holds enough values (:data:`TF_AUTO_MIN_VALUES`) to estimate how common
        each name is: agreeing on a rare name is stronger evidence than agreeing
        on a common one.
    swap_with : str or None
        Another name column (the surname of a first-name comparison): a level just
        below exact when the two records' names are exchanged (``column`` of one
        equals ``swap_with`` of the other, both ways). Used by a :class:`Matcher`.

    Examples
    --------
    >>> c = NameComparison("given_name")
    >>> c.level_labels
    ('else', 'jaro_winkler >= 0.85', 'jaro_winkler >= 0.92', 'exact')
    >>> c.compare(["Martha", "Jon", "Steven", "Ann"], ["martha", "John", "Stephen", "Bob"]).tolist()
    [3, 2, 1, 0]
    >>> NameComparison("first", swap_with="last").level_labels[-2:]
    ('swapped with last', 'exact')
    """

    _: KW_ONLY
    thresholds: tuple[float, ...] = (0.92, 0.85)
    tf_adjust: bool | Literal["auto"] = "auto"
    swap_with: str | None = None

    _scorer = staticmethod(JaroWinkler.normalized_similarity)
    _label = "jaro_winkler"

    def __post_init__(self) -> None:
        _SimilarityComparison.__post_init__(self)
        if self.swap_with is not None and (
            not isinstance(self.swap_with, str)
            or not self.swap_with
            or self.swap_with == self.column
        ):
            msg = (
                f"NameComparison({self.column!r}): swap_with must be another column's name, "
                f"got {self.swap_with!r}"
            )
            raise ConfigError(msg)

    @property
    def level_labels(self) -> tuple[str, ...]:
        labels = _SimilarityComparison.level_labels.fget(self)  # type: ignore[attr-defined]
        if self.swap_with is None:
            return tuple(labels)
        return (*labels[:-1], f"swapped with {self.swap_with}", labels[-1])


@dataclass(frozen=True, slots=True)
class TextComparison(_SimilarityComparison):
    """Free text (addresses, company names): exact, then token-set ratio thresholds.

    The token-set ratio ignores word order and repeated words, so
    ``"12 high street"`` and ``"high street 12"`` score 1.

    Parameters
    ----------
    column : str
        Column holding the text.
    thresholds : sequence of float, default (0.9, 0.7)
        Token-set ratios (0 to 1, exclusive) that open a level each.

    Examples
    --------
    >>> c = TextComparison("address")
    >>> c.compare(["12 High Street", "1 Main Rd"], ["high street 12", "9 Elm Ave"]).tolist()
    [2, 0]
    """

    _: KW_ONLY
    thresholds: tuple[float, ...] = (0.9, 0.7)

    _scorer = staticmethod(fuzz.token_set_ratio)
    _scale = 100.0
    _label = "token_set"


@dataclass(frozen=True, slots=True)
class EditDistanceComparison(Comparison):
    """Codes typed by hand (postcodes, national ids): exact, then at most k edits.

    Edits are Damerau-Levenshtein operations (optimal string alignment): insertions,
    deletions, substitutions and transpositions of adjacent characters.

    Parameters
    ----------
    column : str
        Column holding the code.
    max_edits : sequence of int, default (1, 2)
        Edit counts that open a level each.

    Examples
    --------
    >>> c = EditDistanceComparison("postcode")
    >>> c.level_labels
    ('else', '<= 2 edits', '<= 1 edits', 'exact')
    >>> c.compare(["2600", "2600", "2600"], ["2060", "2611", "3799"]).tolist()
    [2, 1, 0]
    """

    _: KW_ONLY
    max_edits: tuple[int, ...] = (1, 2)

    def __post_init__(self) -> None:
        Comparison.__post_init__(self)
        object.__setattr__(self, "max_edits", _positive_ints(self, "max_edits", self.max_edits))

    @property
    def level_labels(self) -> tuple[str, ...]:
        return ("else", *(f"<= {k} edits" for k in reversed(self.max_edits)), "exact")

    def score(self, features: Any, left: IntArray, right: IntArray) -> LevelArray:
        if not self.max_edits:
            return np.zeros(len(left), dtype=np.int8)
        distances = process.cpdist(
            _texts(features, left),
            _texts(features, right),
            scorer=OSA.distance,
            score_cutoff=max(self.max_edits),
            dtype=np.int64,
            workers=-1,
        )
        return _at_most(distances, self.max_edits)


@dataclass(frozen=True, slots=True)
class NumberComparison(Comparison):
    """Numbers (house numbers, ages, amounts): exact, then within each distance.

    Values that are not numbers count as missing.

    Parameters
    ----------
    column : str
        Column holding the number (numeric or text dtype).
    within : sequence of float, default (1.0,)
        Absolute differences that open a level each.

    Examples
    --------
    >>> c = NumberComparison("street_number", within=(1, 10))
    >>> c.level_labels
    ('else', 'within 10', 'within 1', 'exact')
    >>> c.compare([12, "12", 12, 12], ["12", 13, 20, "x"]).tolist()
    [3, 2, 1, -1]
    """

    _: KW_ONLY
    within: tuple[float, ...] = (1.0,)

    def __post_init__(self) -> None:
        Comparison.__post_init__(self)
        within = tuple(sorted(float(d) for d in self.within))
        if len(set(within)) != len(within) or not all(d > 0 for d in within):
            msg = (
                f"NumberComparison({self.column!r}): within must be distinct positive "
                f"numbers, got {tuple(self.within)!r}"
            )
            raise ConfigError(msg)
        object.__setattr__(self, "within", within)

    @property
    def level_labels(self) -> tuple[str, ...]:
        return ("else", *(f"within {d:g}" for d in reversed(self.within)), "exact")

    def keys(self, values: pd.Series) -> pd.Series:
        text = pd.Series(as_text(values), dtype="string")
        numbers = pd.to_numeric(text, errors="coerce").astype("Float64")
        keys: pd.Series = pd.Series(numbers.to_numpy(dtype=object, na_value=None), dtype=object)
        return keys

    def features(self, keys: npt.NDArray[np.object_]) -> Any:
        return keys.astype(np.float64)

    def score(self, features: Any, left: IntArray, right: IntArray) -> LevelArray:
        distance = np.abs(features[left] - features[right])
        levels = np.zeros(len(left), dtype=np.int8)
        for d in self.within:
            levels += distance <= d
        return levels


class _Dates(NamedTuple):
    text: npt.NDArray[np.object_]
    days: npt.NDArray[np.float64]
    year: npt.NDArray[np.float64]
    month: npt.NDArray[np.float64]
    day: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DateComparison(Comparison):
    """Dates (of birth): exact, day and month swapped, a typo, then within each span.

    Levels from the top: ``exact``; ``day/month swapped`` (10 March for 3 October
    of the same year); ``<= k edits`` in the ``YYYYMMDD`` form (one mistyped
    digit); ``within d days`` for each span. Text that is not a valid date is kept
    as text: it still matches exactly or within ``max_edits``, but never by span.

    Parameters
    ----------
    column : str
        Column holding the date (datetime dtype or text).
    swapped : bool, default True
        Include the day/month-swapped level.
    max_edits : int, default 1
        Edits for the typo level; ``0`` leaves the level out.
    within_days : sequence of int, default (365,)
        Spans in days that open a level each.
    date_format : str or None
        ``strftime`` format of text dates; by default ``YYYYMMDD`` and ISO 8601.

    Examples
    --------
    >>> c = DateComparison("dob")
    >>> c.level_labels
    ('else', 'within 365 days', '<= 1 edits', 'day/month swapped', 'exact')
    >>> c.compare(
    ...     ["1990-05-24", "19900524", "19900503", "19900524", "19900524", None],
    ...     ["19900524", "19900525", "19900305", "19901107", "20010101", "19900524"],
    ... ).tolist()
    [4, 2, 3, 1, 0, -1]
    """

    _: KW_ONLY
    swapped: bool = True
    max_edits: int = 1
    within_days: tuple[int, ...] = (365,)
    date_format: str | None = None

    def __post_init__(self) -> None:
        Comparison.__post_init__(self)
        if not isinstance(self.max_edits, int) or self.max_edits < 0:
            msg = f"DateComparison({self.column!r}): max_edits must be an integer >= 0"
            raise ConfigError(msg)
        within = _positive_ints(self, "within_days", self.within_days)
        object.__setattr__(self, "within_days", within)

    @property
    def level_labels(self) -> tuple[str, ...]:
        labels = ["else", *(f"within {d} days" for d in reversed(self.within_days))]
        if self.max_edits:
            labels.append(f"<= {self.max_edits} edits")
        if self.swapped:
            labels.append("day/month swapped")
        return (*labels, "exact")

    def keys(self, values: pd.Series) -> pd.Series:
        dates = parse_dates(values, self.date_format)
        text = as_text(values).to_numpy(dtype=object, copy=True)
        valid = dates.notna().to_numpy()
        text[valid] = dates[valid].dt.strftime("%Y%m%d").to_numpy(dtype=object)
        keys: pd.Series = pd.Series(text, dtype=object)
        return keys

    def features(self, keys: npt.NDArray[np.object_]) -> Any:
        dates = parse_dates(pd.Series(keys, dtype=object), "%Y%m%d")
        epoch = pd.Timestamp("1970-01-01")
        return _Dates(
            text=keys,
            days=((dates - epoch).dt.days).to_numpy(dtype=np.float64, na_value=np.nan),
            year=dates.dt.year.to_numpy(dtype=np.float64, na_value=np.nan),
            month=dates.dt.month.to_numpy(dtype=np.float64, na_value=np.nan),
            day=dates.dt.day.to_numpy(dtype=np.float64, na_value=np.nan),
        )

    def score(self, features: Any, left: IntArray, right: IntArray) -> LevelArray:
        dates: _Dates = features
        levels = np.zeros(len(left), dtype=np.int8)
        level = 0
        gap = np.abs(dates.days[left] - dates.days[right])
        for span in reversed(self.within_days):
            level += 1
            levels[gap <= span] = level
        if self.max_edits:
            level += 1
            distances = process.cpdist(
                _texts(dates.text, left),
                _texts(dates.text, right),
                scorer=OSA.distance,
                score_cutoff=self.max_edits,
                dtype=np.int64,
                workers=-1,
            )
            levels[distances <= self.max_edits] = level
        if self.swapped:
            level += 1
            swapped = (
                (dates.year[left] == dates.year[right])
                & (dates.month[left] == dates.day[right])
                & (dates.day[left] == dates.month[right])
            )
            levels[swapped] = level
        return levels


#: Comparison classes by name, for :func:`comparison_from_dict`.
COMPARISONS: dict[str, type[Comparison]] = {
    cls.__name__: cls
    for cls in (
        ExactComparison,
        NameComparison,
        TextComparison,
        EditDistanceComparison,
        NumberComparison,
        DateComparison,
    )
}


def comparison_from_dict(data: dict[str, Any]) -> Comparison:
    """Rebuild a comparison from :meth:`Comparison.to_dict` output.

    Raises
    ------
    ConfigError
        Unknown comparison type or options.

    Examples
    --------
    >>> c = NameComparison("surname", tf_adjust=True)
    >>> comparison_from_dict(c.to_dict()) == c
    True
    """
    options = dict(data)
    kind = options.pop("type", None)
    cls = COMPARISONS.get(str(kind))
    if cls is None:
        msg = f"unknown comparison type {kind!r}; known: {', '.join(COMPARISONS)}"
        raise ConfigError(msg)
    column = options.pop("column", None)
    kwargs: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
    try:
        return cls(column, **kwargs)
    except TypeError as err:
        msg = f"invalid options for {kind}: {sorted(options)}"
        raise ConfigError(msg) from err
