"""Attributes: record columns that never link records but cap how many unlike values a person holds.

An :class:`Attribute` names a column such as a CRM first name. The identity graph
never links two records because their attribute values agree; instead the
per-person limits (see :func:`identigraph.graph.core.enforce_limits`) count the attribute like
an identifier kind's ``max_per_person``: a merge that would give one person more
than ``max_per_person`` mutually unlike values is cut. A household landline then
cannot chain Ann and Bob into one person, while ``"Jon"`` and ``"John"`` on two
rows of one customer stay together.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Final, Literal

import jellyfish
import numpy as np
import pandas as pd

from identigraph.errors import ConfigError
from identigraph.matcher._values import as_text

__all__ = ["ALIKE_RULES", "TRANSFORMS", "AlikeRule", "Attribute", "Transform"]

Transform = Literal["lower", "metaphone", "soundex", "nysiis", "exact"]
AlikeRule = Literal["damerau1"]


def _exact(values: pd.Series) -> np.ndarray:
    """Trimmed text as written; ``None`` where missing or empty."""
    text = values.reset_index(drop=True).astype("string").str.strip()
    out: np.ndarray = text.astype(object).to_numpy(copy=True)
    out[pd.isna(out) | np.asarray(text.str.len().fillna(0).to_numpy(dtype=np.int64) == 0)] = None
    return out


def _lower(values: pd.Series) -> np.ndarray:
    """Trimmed, case-folded text with runs of whitespace as one space."""
    out: np.ndarray = as_text(values).to_numpy(dtype=object, copy=True)
    return out


def _phonetic(code: Callable[[str], str]) -> Callable[[pd.Series], np.ndarray]:
    def transform(values: pd.Series) -> np.ndarray:
        text = _lower(values)
        # jellyfish encodes one string at a time; callers pass unique values only.
        return np.array([code(v) or None if v is not None else None for v in text], dtype=object)

    return transform


#: Attribute transforms by name: unique raw values -> comparable values (``None``: missing).
TRANSFORMS: Final[dict[str, Callable[[pd.Series], np.ndarray]]] = {
    "lower": _lower,
    "exact": _exact,
    "metaphone": _phonetic(jellyfish.metaphone),
    "soundex": _phonetic(jellyfish.soundex),
    "nysiis": _phonetic(jellyfish.nysiis),
}


def _damerau1(a: str, b: str) -> bool:
    return abs(len(a) - len(b)) <= 1 and jellyfish.damerau_levenshtein_distance(a, b) <= 1


#: Named likeness rules: two transformed values count as one when the rule holds.
ALIKE_RULES: Final[dict[str, Callable[[str, str], bool]]] = {"damerau1": _damerau1}


@dataclass(frozen=True, slots=True)
class Attribute:
    """A column that never links records but limits how many unlike values a person holds.

    Parameters
    ----------
    column : str
        Column of the input frames (after :meth:`IdentityGraph.add`'s ``columns``
        renames) holding the attribute, e.g. a first name. Frames without it give
        their records no value.
    transform : {"lower", "metaphone", "soundex", "nysiis", "exact"}, default "lower"
        How raw values become comparable: ``"lower"`` trims, case-folds and
        collapses whitespace; ``"exact"`` only trims; the phonetic codes of
        ``jellyfish`` apply to the lowered text. Missing, empty and uncodable
        values are no evidence.
    max_per_person : int, default 1
        Most mutually unlike values one person may hold.
    alike : "damerau1", float or None, default "damerau1"
        When two different transformed values still count as one: ``"damerau1"``
        when they are one insertion, deletion, substitution or transposition
        apart (``"jon"``/``"john"``, ``"marie"``/``"maire"``); a float ``t`` when
        their Jaro-Winkler similarity is at least ``t``; ``None``: only equal
        values are alike.

    Raises
    ------
    ConfigError
        An empty column, an unknown transform or likeness rule, ``max_per_person``
        below 1, or a float ``alike`` outside ``(0, 1]``.

    Examples
    --------
    >>> import pandas as pd
    >>> first = Attribute("first_name")
    >>> first.values(pd.Series([" Ann ", "ANNA", None, ""])).tolist()
    ['ann', 'anna', None, None]
    >>> first.is_alike("ann", "anna"), first.is_alike("ann", "bob")
    (True, False)
    >>> Attribute("first_name", transform="soundex", alike=None).values(
    ...     pd.Series(["Robert", "Rupert"])).tolist()
    ['R163', 'R163']

    Notes
    -----
    Transforms run once per distinct value of a column; likeness is decided for
    pairs of distinct values that meet in a person the limits re-examine, each
    pair once per resolution. Two values are unlike when they are not alike, so
    with ``max_per_person=1`` every two values of a person must be alike.
    """

    column: str
    _: KW_ONLY
    transform: Transform = "lower"
    max_per_person: int = 1
    alike: AlikeRule | float | None = "damerau1"

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            got = repr(self.column) if isinstance(self.column, str) else type(self.column).__name__
            msg = f"Attribute: column must be a non-empty string, got {got}"
            raise ConfigError(msg)
        if not isinstance(self.transform, str) or self.transform not in TRANSFORMS:
            got = (
                repr(self.transform)
                if isinstance(self.transform, str)
                else "a " + type(self.transform).__name__
            )
            msg = (
                f"Attribute({self.column!r}): unknown transform {got}; "
                f"use one of {sorted(TRANSFORMS)}"
            )
            raise ConfigError(msg)
        limit = self.max_per_person
        if isinstance(limit, (bool, np.bool_)) or not isinstance(limit, numbers.Integral):
            msg = f"Attribute({self.column!r}): max_per_person must be an integer >= 1"
            raise ConfigError(msg)
        if int(limit) < 1:
            msg = f"Attribute({self.column!r}): max_per_person must be an integer >= 1"
            raise ConfigError(msg)
        object.__setattr__(self, "max_per_person", int(limit))
        alike = self.alike
        if isinstance(alike, bool):
            msg = f"Attribute({self.column!r}): alike must be a rule name, a float or None"
            raise ConfigError(msg)
        if isinstance(alike, str):
            if alike not in ALIKE_RULES:
                msg = (
                    f"Attribute({self.column!r}): unknown alike rule {alike!r}; "
                    f"use one of {sorted(ALIKE_RULES)}, a Jaro-Winkler threshold or None"
                )
                raise ConfigError(msg)
        elif isinstance(alike, (int, float)):
            if not 0.0 < float(alike) <= 1.0:
                msg = f"Attribute({self.column!r}): a Jaro-Winkler alike must be in (0, 1]"
                raise ConfigError(msg)
            object.__setattr__(self, "alike", float(alike))
        elif alike is not None:
            msg = f"Attribute({self.column!r}): alike must be a rule name, a float or None"
            raise ConfigError(msg)

    def values(self, raw: pd.Series) -> np.ndarray:
        """Transformed values of ``raw`` (an object array, ``None`` where missing).

        The transform runs on the distinct raw values only.
        """
        raw = pd.Series(raw).reset_index(drop=True)
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        if not len(uniques):
            return np.full(len(raw), None, dtype=object)
        # The distinct raw values keep their dtype: dates and numbers read as as_text does.
        done = np.empty(len(uniques) + 1, dtype=object)  # the -1 sentinel picks the last None
        done[:-1] = TRANSFORMS[self.transform](pd.Series(uniques))
        out: np.ndarray = done[codes]
        return out

    def is_alike(self, a: str, b: str) -> bool:
        """Whether two transformed values count as one (always so when equal)."""
        if a == b:
            return True
        if self.alike is None:
            return False
        if isinstance(self.alike, float):
            return bool(jellyfish.jaro_winkler_similarity(a, b) >= self.alike)
        return ALIKE_RULES[self.alike](a, b)
