"""The graph's configuration, checked once: identifier kinds' policies and attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from identigraph.errors import ConfigError
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Identifier

__all__ = ["KindPolicy", "check_attributes", "kind_policies"]


@dataclass(frozen=True, slots=True)
class KindPolicy:
    """What every spec of one identifier kind agrees on."""

    name: str
    priority: int
    max_records: int | None
    max_per_person: int | None
    on_shared: str = "keep"
    max_linked: int | None = None


def kind_policies(identifiers: Sequence[Identifier]) -> list[KindPolicy]:
    """One policy per kind, in order of first spec; raises where specs of a kind disagree."""
    policies: dict[str, KindPolicy] = {}
    for spec in identifiers:
        policy = KindPolicy(
            spec.kind,
            spec.priority,
            spec.max_records,
            spec.max_per_person,
            spec.on_shared,
            spec.max_linked,
        )
        known = policies.setdefault(spec.kind, policy)
        if known != policy:
            msg = (
                f"identifier specs of kind {spec.kind!r} disagree on priority, max_records, "
                f"max_per_person, max_linked or on_shared ({known} vs {policy}); "
                "give them the same settings"
            )
            raise ConfigError(msg)
    return list(policies.values())


def check_attributes(
    attributes: Sequence[Attribute], identifiers: Sequence[Identifier]
) -> tuple[Attribute, ...]:
    """The attributes as a tuple; raises on anything but distinct non-identifier columns."""
    if isinstance(attributes, Attribute):
        attributes = (attributes,)
    out = tuple(attributes)
    for attribute in out:
        if not isinstance(attribute, Attribute):
            msg = f"attributes must be ig.Attribute specs, got {type(attribute).__name__}"
            raise ConfigError(msg)
    columns = [a.column for a in out]
    if len(set(columns)) != len(columns):
        msg = f"each column may hold one attribute; repeated: {sorted(columns)}"
        raise ConfigError(msg)
    taken = sorted({s.column for s in identifiers} & set(columns))
    if taken:
        msg = f"columns {taken} hold identifiers; an attribute needs a column of its own"
        raise ConfigError(msg)
    return out
