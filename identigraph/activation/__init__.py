"""Activation on resolved persons: facts, audiences, onboarding, exports, journeys, consent.

Everything here reads resolved persons through the public API of
:class:`identigraph.IdentityGraph` (clusters, records, golden records, look-ups and
the id history), live or loaded from a store, and never the graph's internals.
"""

from __future__ import annotations

from identigraph.activation.audiences import (
    AllOf,
    AnyOf,
    Audience,
    AudienceCheck,
    AudienceIndex,
    AudienceResult,
    Condition,
    Field,
    HasFact,
    InSource,
    Not,
    overlap,
    priority,
)
from identigraph.activation.consent import Consent, opted_out
from identigraph.activation.facts import Persons, remap_person_ids

__all__ = [
    "AllOf",
    "AnyOf",
    "Audience",
    "AudienceCheck",
    "AudienceIndex",
    "AudienceResult",
    "Condition",
    "Consent",
    "Field",
    "HasFact",
    "InSource",
    "Not",
    "Persons",
    "opted_out",
    "overlap",
    "priority",
    "remap_person_ids",
]
