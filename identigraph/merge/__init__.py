"""Survivorship rules and golden records: one best record per person."""

from __future__ import annotations

from identigraph.merge.golden import GoldenResult, golden_records
from identigraph.merge.rules import (
    Aggregate,
    Collect,
    Count,
    Custom,
    FirstNonNull,
    Longest,
    Max,
    Min,
    MostFrequent,
    MostRecent,
    Oldest,
    Rule,
    Select,
    SourcePriority,
    Sum,
)

__all__ = [
    "Aggregate",
    "Collect",
    "Count",
    "Custom",
    "FirstNonNull",
    "GoldenResult",
    "Longest",
    "Max",
    "Min",
    "MostFrequent",
    "MostRecent",
    "Oldest",
    "Rule",
    "Select",
    "SourcePriority",
    "Sum",
    "golden_records",
]
