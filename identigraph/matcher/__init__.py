"""Identifier specs, normalizers, blocking and comparisons: everything that produces edges."""

from __future__ import annotations

from identigraph.matcher.attributes import Attribute
from identigraph.matcher.blocking import (
    Block,
    BlockSizeWarning,
    LinkType,
    blocking_analysis,
    candidate_pairs,
)
from identigraph.matcher.charts import waterfall_chart
from identigraph.matcher.comparisons import (
    Comparison,
    DateComparison,
    EditDistanceComparison,
    ExactComparison,
    NameComparison,
    NumberComparison,
    TextComparison,
)
from identigraph.matcher.fellegi_sunter import FellegiSunterModel
from identigraph.matcher.linker import DEFAULT_THRESHOLD, Matcher, clerical_review
from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Normalized, Phone

__all__ = [
    "Attribute",
    "Block",
    "BlockSizeWarning",
    "Comparison",
    "Cookie",
    "DEFAULT_THRESHOLD",
    "DateComparison",
    "EditDistanceComparison",
    "Email",
    "ExactComparison",
    "FellegiSunterModel",
    "Identifier",
    "Key",
    "LinkType",
    "Matcher",
    "NameComparison",
    "Normalized",
    "NumberComparison",
    "Phone",
    "TextComparison",
    "blocking_analysis",
    "candidate_pairs",
    "clerical_review",
    "waterfall_chart",
]
