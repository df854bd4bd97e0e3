"""The error hierarchy of identigraph.

Everything identigraph raises on purpose derives from :class:`IdentigraphError`.
Each subclass also derives from the matching built-in exception, so code that
catches ``ValueError`` or ``KeyError`` keeps working::

    IdentigraphError
    ├── ConfigError (ValueError)            bad specification or option
    │   ├── UnknownRegionError              phone region phonenumbers does not know
    │   ├── PairBudgetError                 a blocking rule makes more pairs than max_pairs
    │   └── OverrideConflictError           a cannot-link between records must-links join
    ├── InputError (ValueError)             a frame that cannot be used as given
    │   ├── MissingColumnError (KeyError)   a named column is not in the frame
    │   ├── DtypeError (TypeError)          a column has a dtype that cannot hold the identifier
    │   ├── NoIdentifierColumnsError        a frame carries none of the identifier columns
    │   ├── DuplicateRecordError            record ids repeat within one source
    │   └── UnsupportedFrameError (TypeError) records of a type that is not a table
    ├── UnknownRecordError (KeyError)       a (source, record_id) the graph does not hold
    ├── UnknownPersonError (KeyError)       a person id the graph does not hold
    ├── UnknownOverrideError (KeyError)     no such override between two records
    ├── StoreError (OSError)                a saved graph cannot be read or written
    │   └── StoreVersionError               written by a newer format version
    ├── InvariantError (AssertionError)     a graph's state broke one of its invariants
    └── MissingDependencyError (ImportError) an optional extra is not installed

Messages never contain raw emails or phone numbers: errors name columns,
sources, record ids and counts, not identifier values.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConfigError",
    "DtypeError",
    "DuplicateRecordError",
    "IdentigraphError",
    "InputError",
    "InvariantError",
    "MissingColumnError",
    "MissingDependencyError",
    "NoIdentifierColumnsError",
    "OverrideConflictError",
    "PairBudgetError",
    "StoreError",
    "StoreVersionError",
    "UnknownOverrideError",
    "UnknownPersonError",
    "UnknownRecordError",
    "UnknownRegionError",
    "UnsupportedFrameError",
]


class IdentigraphError(Exception):
    """Root of every error identigraph raises on purpose."""

    def __str__(self) -> str:  # KeyError quotes its message; keep ours readable.
        return str(self.args[0]) if self.args else ""


class ConfigError(IdentigraphError, ValueError):
    """A specification, rule or option is invalid."""


class UnknownRegionError(ConfigError):
    """A phone region code that ``phonenumbers`` does not support."""

    def __init__(self, region: str) -> None:
        super().__init__(
            f"unknown phone region {region!r}: use an ISO 3166-1 alpha-2 code such as 'US' or 'GB'"
        )
        self.region = region


class PairBudgetError(ConfigError):
    """Blocking would make more candidate pairs than the ``max_pairs`` budget allows.

    Attributes
    ----------
    rule : object
        The blocking rule that crossed the budget.
    pairs : int
        Candidate pairs counted when the budget was crossed (the rule's own pairs
        when they alone exceed it, else the running total after deduplication).
    max_pairs : int
        The budget.
    """

    def __init__(self, message: str, *, rule: object, pairs: int, max_pairs: int) -> None:
        super().__init__(message)
        self.rule = rule
        self.pairs = pairs
        self.max_pairs = max_pairs


class OverrideConflictError(ConfigError):
    """Overrides contradict each other: a cannot-link between records must-links join.

    Also raised for an override of a record with itself.

    Attributes
    ----------
    count : int
        How many overrides contradict.
    """

    def __init__(self, message: str, *, count: int) -> None:
        super().__init__(message)
        self.count = count


class InputError(IdentigraphError, ValueError):
    """A data frame cannot be used as given."""


class MissingColumnError(InputError, KeyError):
    """A column named by a spec, rule or option is missing from a frame."""

    def __init__(self, message: str, *, column: str, available: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.column = column
        self.available = tuple(available)


class DtypeError(InputError, TypeError):
    """A column's dtype cannot hold the identifier it is declared as."""

    def __init__(self, message: str, *, column: str, dtype: str) -> None:
        super().__init__(message)
        self.column = column
        self.dtype = dtype


class NoIdentifierColumnsError(InputError):
    """A frame carries none of the graph's identifier columns."""


class DuplicateRecordError(InputError):
    """Record ids repeat within one source."""

    def __init__(self, message: str, *, source: str, record_ids: Sequence[object]) -> None:
        super().__init__(message)
        self.source = source
        self.record_ids = tuple(record_ids)


class UnsupportedFrameError(InputError, TypeError):
    """Records given as a type that is not a supported table (pandas, Arrow, polars...)."""

    def __init__(self, *, argument: str, got: str, accepted: Sequence[str]) -> None:
        super().__init__(
            f"{argument} must be a table of records, got {got}; accepted: {', '.join(accepted)}"
        )
        self.argument = argument
        self.got = got
        self.accepted = tuple(accepted)


class UnknownRecordError(IdentigraphError, KeyError):
    """A ``(source, record_id)`` key that the graph does not hold."""


class UnknownPersonError(IdentigraphError, KeyError):
    """A person id that the graph does not hold."""


class UnknownOverrideError(IdentigraphError, KeyError):
    """No override of the kind asked for joins the two records."""


class StoreError(IdentigraphError, OSError):
    """A saved graph cannot be read or written."""


class StoreVersionError(StoreError):
    """A saved graph was written by a newer, unknown format version."""


class InvariantError(IdentigraphError, AssertionError):
    """A graph's state broke one of its invariants (a bug, or a corrupt store).

    Attributes
    ----------
    invariant : str
        Which invariant, in words; never a value.
    """

    def __init__(self, message: str, *, invariant: str) -> None:
        super().__init__(message)
        self.invariant = invariant


class MissingDependencyError(IdentigraphError, ImportError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is required for this feature: pip install 'identigraph[{extra}]'"
        )
        self.package = package
        self.extra = extra
