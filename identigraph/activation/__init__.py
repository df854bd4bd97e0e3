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
from identigraph.activation.exports import (
    Export,
    Exporter,
    google_customer_match,
    meta_customer_file,
)
from identigraph.activation.facts import Persons, remap_person_ids
from identigraph.activation.journeys import EventSource, Journeys, journeys, stitch_events
from identigraph.activation.onboarding import OnboardingReport, match_rates

__all__ = [
    "AllOf",
    "AnyOf",
    "Audience",
    "AudienceCheck",
    "AudienceIndex",
    "AudienceResult",
    "Condition",
    "Consent",
    "EventSource",
    "Export",
    "Exporter",
    "Field",
    "HasFact",
    "InSource",
    "Journeys",
    "Not",
    "OnboardingReport",
    "Persons",
    "google_customer_match",
    "journeys",
    "match_rates",
    "meta_customer_file",
    "opted_out",
    "overlap",
    "priority",
    "remap_person_ids",
    "stitch_events",
]
