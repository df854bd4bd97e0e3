"""Person-level marketing opt-out: one opted-out record takes the whole person out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from identigraph._unique import sorted_unique
from identigraph.activation.facts import Persons
from identigraph.errors import ConfigError, MissingColumnError

__all__ = ["Consent", "opted_out"]

_YES = ("1", "true", "t", "yes", "y", "opt_out", "opted_out", "optout")


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent:
    """Which column of which source marks a marketing opt-out.

    Parameters
    ----------
    opt_out : mapping of str to str
        ``{source: column}``: a record whose column holds an opt-out marks its person.
    values : tuple of str
        Text values (compared trimmed and lowercased) that mean "opted out"; booleans
        ``True`` and non-zero numbers always do.

    Raises
    ------
    ConfigError
        No source named, or a source or column name is empty.

    Examples
    --------
    >>> Consent(opt_out={"crm": "email_opt_out"}).sources
    ('crm',)
    """

    opt_out: Mapping[str, str] = field(default_factory=dict)
    values: tuple[str, ...] = _YES

    def __post_init__(self) -> None:
        if not self.opt_out:
            msg = "Consent: name at least one {source: column} in opt_out"
            raise ConfigError(msg)
        for source, column in self.opt_out.items():
            if (
                not isinstance(source, str)
                or not isinstance(column, str)
                or not source
                or not column
            ):
                msg = "Consent: opt_out maps source names to column names (non-empty strings)"
                raise ConfigError(msg)
        object.__setattr__(self, "opt_out", dict(self.opt_out))
        object.__setattr__(self, "values", tuple(str(v).strip().lower() for v in self.values))

    @property
    def sources(self) -> tuple[str, ...]:
        """Sources that carry an opt-out column."""
        return tuple(self.opt_out)


def _opted(values: pd.Series, yes: tuple[str, ...]) -> np.ndarray:
    if is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool, na_value=False)
    if is_numeric_dtype(values.dtype):
        return (values != 0).to_numpy(dtype=bool, na_value=False) & values.notna().to_numpy()
    text = values.astype("string").str.strip().str.lower()
    return text.isin(list(yes)).to_numpy(dtype=bool, na_value=False)


def opted_out(persons: Persons, consent: Consent) -> np.ndarray:
    """Sorted ids of the persons holding at least one opted-out record.

    Parameters
    ----------
    persons : Persons
    consent : Consent

    Returns
    -------
    numpy.ndarray
        int64 person ids.

    Raises
    ------
    MissingColumnError
        A named column is not among the source's kept columns.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> crm = pd.DataFrame({"email": ["ann@mail.com", "bob@mail.com"], "no_ads": [False, True]})
    >>> web = pd.DataFrame({"email": ["ANN@mail.com"], "no_ads": ["yes"]})
    >>> _ = g.add(crm, source="crm")
    >>> _ = g.add(web, source="web")
    >>> persons = Persons(g)
    >>> len(opted_out(persons, Consent(opt_out={"crm": "no_ads"})))
    1
    >>> len(opted_out(persons, Consent(opt_out={"crm": "no_ads", "web": "no_ads"})))
    2

    Notes
    -----
    Cost: O(records of the named sources).
    """
    recs = persons.records()
    sources = recs["source"].astype(str).to_numpy(dtype=object)
    found = []
    for source, column in consent.opt_out.items():
        rows = np.flatnonzero(sources == source)
        if not len(rows):
            continue
        if column not in recs.columns:
            msg = f"consent column {column!r} of source {source!r} is not a kept column"
            raise MissingColumnError(msg, column=column, available=[str(c) for c in recs.columns])
        hit = _opted(recs[column].iloc[rows], consent.values)
        found.append(recs["person_id"].to_numpy()[rows[hit]])
    if not found:
        return np.empty(0, dtype=np.int64)
    ids = sorted_unique(np.concatenate(found))
    return ids[ids >= 0]
