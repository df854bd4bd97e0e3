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
from identigraph.graph import ChangeSet, IdentityGraph
from identigraph.matcher import Cookie, Email, Identifier, Key, Phone

__version__ = "0.1.0"

__all__ = [
    "ChangeSet",
    "ConfigError",
    "Cookie",
    "DtypeError",
    "DuplicateRecordError",
    "Email",
    "IdentigraphError",
    "IdentityGraph",
    "Identifier",
    "InputError",
    "Key",
    "MissingColumnError",
    "MissingDependencyError",
    "NoIdentifierColumnsError",
    "Phone",
    "StoreError",
    "StoreVersionError",
    "UnknownPersonError",
    "UnknownRecordError",
    "UnknownRegionError",
    "__version__",
    "datasets",
    "evaluate",
]
