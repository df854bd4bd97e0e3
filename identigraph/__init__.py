"""identigraph: identity resolution for customer data.

Link records from many sources that share identifiers (email, phone, cookie,
customer key) or match fuzzily into person clusters, and merge each person into
a golden record.
"""

from __future__ import annotations

from identigraph import datasets, evaluate
from identigraph.errors import (
    ConfigError,
    DtypeError,
    DuplicateRecordError,
    IdentigraphError,
    InputError,
    MissingColumnError,
    MissingDependencyError,
    NoIdentifierColumnsError,
    StoreError,
    StoreVersionError,
    UnknownPersonError,
    UnknownRecordError,
    UnknownRegionError,
)
from identigraph.graph import ChangeSet, Explanation, GraphReport, IdentityGraph, PersonView
from identigraph.matcher import (
    Block,
    BlockSizeWarning,
    Comparison,
    Cookie,
    DateComparison,
    EditDistanceComparison,
    Email,
    ExactComparison,
    FellegiSunterModel,
    Identifier,
    Key,
    Matcher,
    NameComparison,
    NumberComparison,
    Phone,
    TextComparison,
)

__version__ = "0.1.0"

__all__ = [
    "Block",
    "BlockSizeWarning",
    "ChangeSet",
    "Comparison",
    "ConfigError",
    "Cookie",
    "DateComparison",
    "DtypeError",
    "DuplicateRecordError",
    "EditDistanceComparison",
    "Email",
    "ExactComparison",
    "Explanation",
    "FellegiSunterModel",
    "GraphReport",
    "Identifier",
    "IdentigraphError",
    "IdentityGraph",
    "InputError",
    "Key",
    "Matcher",
    "MissingColumnError",
    "MissingDependencyError",
    "NameComparison",
    "NoIdentifierColumnsError",
    "NumberComparison",
    "PersonView",
    "Phone",
    "StoreError",
    "StoreVersionError",
    "TextComparison",
    "UnknownPersonError",
    "UnknownRecordError",
    "UnknownRegionError",
    "datasets",
    "evaluate",
    "__version__",
]
