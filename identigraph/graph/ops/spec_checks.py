"""Warnings about specs that look misconfigured for the data: once per spec, no values."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from identigraph.matcher.specs import Identifier, Phone

__all__ = ["SpecWarning", "phone_counts", "warn_phone_parse", "warn_uncarried"]

log = logging.getLogger("identigraph.graph")

#: A Phone spec without a region warns when more than this share of its values fail.
PHONE_FAIL_SHARE = 0.5
#: ... and at least this many values were seen (a few bad numbers prove nothing).
PHONE_MIN_VALUES = 10


class SpecWarning(UserWarning):
    """An identifier spec that looks misconfigured for the data it met.

    Attributes
    ----------
    spec : str
        The spec, as ``Type('column')``; never a value.
    """

    def __init__(self, message: str, *, spec: str) -> None:
        super().__init__(message)
        self.spec = spec


def _name(spec: Identifier) -> str:
    return f"{type(spec).__name__}({spec.column!r})"


def warn_uncarried(
    identifiers: Sequence[Identifier], carried: Iterable[str], warned: set[str]
) -> None:
    """Warn once for each spec whose column no source carried.

    Examples
    --------
    >>> import warnings
    >>> import identigraph as ig
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_uncarried([ig.Email("email"), ig.Phone("phone")], {"email"}, set())
    >>> [str(w.message) for w in caught]  # doctest: +NORMALIZE_WHITESPACE
    ["spec Phone('phone'): no source carries column 'phone', so it links nothing;
      rename the column with add(columns=...) or drop the spec"]
    """
    have = set(carried)
    for spec in identifiers:  # one step per spec
        name = _name(spec)
        if spec.column in have or name in warned:
            continue
        warned.add(name)
        msg = (
            f"spec {name}: no source carries column {spec.column!r}, so it links nothing; "
            "rename the column with add(columns=...) or drop the spec"
        )
        log.warning(msg)
        warnings.warn(SpecWarning(msg, spec=name), stacklevel=4)


def warn_phone_parse(
    spec: Identifier, n_values: int, n_failed: int, warned: set[str], *, source: str
) -> None:
    """Warn once when a Phone spec without ``region`` fails to parse most of its values.

    Examples
    --------
    >>> import warnings
    >>> import identigraph as ig
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_phone_parse(ig.Phone("phone"), 20, 15, set(), source="pos")
    >>> caught[0].message.spec
    "Phone('phone')"
    """
    name = _name(spec)
    if not isinstance(spec, Phone) or spec.region is not None or name in warned:
        return
    if n_values < PHONE_MIN_VALUES or n_failed <= PHONE_FAIL_SHARE * n_values:
        return
    warned.add(name)
    msg = (
        f"spec {name}: {n_failed} of {n_values} values of source {source!r} are not valid "
        "phone numbers; without region= only numbers in international form (+...) parse: "
        "give the spec a default region such as region='US'"
    )
    log.warning(msg)
    warnings.warn(SpecWarning(msg, spec=name), stacklevel=5)


def phone_counts(
    spec_index: int, edge_spec: np.ndarray, reject_spec: np.ndarray
) -> tuple[int, int]:
    """Values a spec linked or rejected in one add, and how many it rejected."""
    failed = int(np.count_nonzero(reject_spec == spec_index))
    return int(np.count_nonzero(edge_spec == spec_index)) + failed, failed
