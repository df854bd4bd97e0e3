"""Pure, backend-neutral graph algorithms: arrays (or pandas) in, arrays out.

Nothing here holds or reads a graph's state: the in-memory
:class:`~identigraph.graph.IdentityGraph` gathers arrays, calls these functions
and commits their results, and a distributed backend calls the same functions per
partition of whole components.

- keys: :func:`column_keys`, :func:`extract_keys` (a frame and specs to edges),
  :func:`value_key` (one raw value);
- codes: :func:`factorize_keys`, :func:`factorize_digest_words`, :func:`dense_codes`;
- components: :func:`connected_components`;
- hubs: :func:`hub_values` (values whose carriers hold many distinct other values);
- limits: :func:`enforce_limits` (the per-person limit split);
- person ids: :func:`record_hashes`, :func:`assign_ids` (with an :class:`IssuedIdLookup`);
- survivor policy: :class:`SurvivorPolicy`, :func:`pick_survivors`;
- one region: :func:`resolve_region`;
- sorted-array searches: :func:`equal_ranges`, :func:`expand_ranges`,
  :func:`range_positions`, :func:`region_index`, :func:`segment_of`.
"""

from __future__ import annotations

from identigraph.graph.core.arrays import (
    equal_ranges,
    expand_ranges,
    range_positions,
    region_index,
    segment_of,
)
from identigraph.graph.core.codes import dense_codes, factorize_digest_words, factorize_keys
from identigraph.graph.core.components import connected_components
from identigraph.graph.core.hubs import hub_values
from identigraph.graph.core.keys import (
    Extracted,
    KeyEncoder,
    column_keys,
    extract_keys,
    value_key,
)
from identigraph.graph.core.limits import (
    MATCH_PRIORITY,
    Alike,
    LimitSplit,
    compact_labels,
    enforce_limits,
)
from identigraph.graph.core.person_ids import (
    IssuedIdLookup,
    NoIssuedIds,
    assign_ids,
    record_hashes,
)
from identigraph.graph.core.region import KindLimits, RegionResult, resolve_region
from identigraph.graph.core.survivor import DEFAULT_CRITERIA, SurvivorPolicy, pick_survivors

__all__ = [
    "DEFAULT_CRITERIA",
    "MATCH_PRIORITY",
    "Alike",
    "Extracted",
    "IssuedIdLookup",
    "KeyEncoder",
    "KindLimits",
    "LimitSplit",
    "NoIssuedIds",
    "RegionResult",
    "SurvivorPolicy",
    "assign_ids",
    "column_keys",
    "compact_labels",
    "connected_components",
    "dense_codes",
    "enforce_limits",
    "equal_ranges",
    "expand_ranges",
    "extract_keys",
    "factorize_digest_words",
    "factorize_keys",
    "hub_values",
    "pick_survivors",
    "range_positions",
    "record_hashes",
    "region_index",
    "resolve_region",
    "segment_of",
    "value_key",
]
