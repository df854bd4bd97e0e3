"""One graph's state: its configuration, its tables and where it stands in its lifecycle."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from identigraph.errors import ConfigError
from identigraph.graph.core.survivor import SurvivorPolicy
from identigraph.graph.state.attributes import AttributeCodes
from identigraph.graph.state.config import KindPolicy, check_attributes, kind_policies
from identigraph.graph.state.cuts import CutTable
from identigraph.graph.state.drift import DriftLog
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.overrides import OverrideTable
from identigraph.graph.state.tables import (
    IdTable,
    LinkTable,
    MatchTable,
    PostingTable,
    RecordTable,
    ValueTable,
    require,
)
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Identifier, check_identifiers

__all__ = ["GraphState"]

_NO_LIMIT = np.iinfo(np.int64).max


def _per_kind(limits: list[int | None]) -> np.ndarray:
    """One limit per kind index, ``None`` as no limit (the largest int64)."""
    return np.array([_NO_LIMIT if x is None else x for x in limits] or [0], dtype=np.int64)


class GraphState:
    """The tables of one identity graph and the one lifecycle they move through.

    ``IdentityGraph`` is a facade over one ``GraphState``: it checks arguments and
    hands the state to the functions of :mod:`identigraph.graph.ops` (the only
    writers) and :mod:`identigraph.graph.views` (read-only). Tests and backends
    read the tables directly; :meth:`check_invariants` states what must hold.

    Parameters
    ----------
    identifiers : sequence of Identifier
        The identifier specs.
    attributes : sequence of Attribute, optional
        The attribute specs.
    survivor : SurvivorPolicy, optional
        Which person id survives a merge or a split; the default policy (oldest
        issued id, then size) when left out.

    Attributes
    ----------
    identifiers, attributes : tuple
        The specs, checked.
    survivor : SurvivorPolicy
        Which person id survives a merge or a split.
    policies : list of KindPolicy
        One per identifier kind, in order of first spec; ``kind_index`` maps a
        kind's name to its index (the ``kind`` of values and cut links).
    max_records, max_linked : numpy.ndarray of int64
        The kinds' limits by kind index (no limit: the largest int64).
    records, value_codes, links, matches, cuts, attr_codes, postings, ids, overrides, drift
        The tables (:mod:`identigraph.graph.state.tables`,
        :mod:`identigraph.graph.state.cuts`, :mod:`identigraph.graph.state.attributes`).
    lifecycle : Lifecycle
        ``STAGED`` (a bulk load), ``RESOLVED`` or ``LIVE`` (indexes built).
    carried, warned : set of str
        Identifier columns some source carried; specs already warned about.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ANN@mail.com"]}), source="crm")
    >>> g.resolve().records_added
    2
    >>> state = g.state
    >>> len(state.records), len(state.links), len(state.value_codes), state.lifecycle.name
    (2, 2, 1, 'RESOLVED')
    >>> state.check_invariants()
    """

    def __init__(
        self,
        identifiers: Sequence[Identifier],
        attributes: Sequence[Attribute] = (),
        survivor: SurvivorPolicy | None = None,
    ) -> None:
        self.identifiers = check_identifiers(identifiers)
        self.policies: list[KindPolicy] = kind_policies(self.identifiers)
        self.kind_index = {p.name: i for i, p in enumerate(self.policies)}
        self.attributes = check_attributes(attributes, self.identifiers)
        if survivor is not None and not isinstance(survivor, SurvivorPolicy):
            msg = f"survivor must be a SurvivorPolicy, got {type(survivor).__name__}"
            raise ConfigError(msg)
        self.survivor = survivor if survivor is not None else SurvivorPolicy()
        self.max_records = _per_kind([p.max_records for p in self.policies])
        self.max_linked = _per_kind([p.max_linked for p in self.policies])
        self.records = RecordTable()
        self.value_codes = ValueTable()
        self.links = LinkTable()
        self.matches = MatchTable()
        self.cuts = CutTable()
        self.attr_codes = AttributeCodes.empty(len(self.attributes))
        self.postings = PostingTable()
        self.ids = IdTable()
        self.overrides = OverrideTable()
        self.drift = DriftLog()
        self.carried: set[str] = set()
        self.warned: set[str] = set()
        # A new graph is a bulk load: its records are resolved together at the first read.
        self.lifecycle = Lifecycle.STAGED

    def __repr__(self) -> str:  # counts only: the tables hold personal data
        return (
            f"GraphState(lifecycle={self.lifecycle.name}, records={len(self.records)}, "
            f"links={len(self.links)}, values={len(self.value_codes)}, "
            f"persons={self.ids.n_persons})"
        )

    @property
    def staged(self) -> bool:
        """Whether the graph holds a bulk load not yet resolved."""
        return self.lifecycle is Lifecycle.STAGED

    def n_alive(self) -> int:
        """Number of alive records."""
        return int(self.records.alive.sum())

    def generic_mask(self, codes: np.ndarray | None = None) -> np.ndarray:
        """Values (all, or the given codes) carried by more records than their kind allows."""
        return self.value_codes.generic(self.max_records, codes)

    def reserve(self) -> None:
        """Spare capacity behind every growing array, so the next update copies none."""
        self.records.reserve()
        self.value_codes.reserve()
        self.links.reserve()

    def check_invariants(self) -> None:
        """Check every table's invariants and those joining tables.

        Records: the per-record arrays are equally long and the batches cover them
        in order. Links: sorted by record, every end alive, every value code known;
        once resolved, each value's count is the bincount of its links. Match
        edges: both ends alive, left below right, sorted and unique. Cut links:
        alive ends. Attributes: one code per record. Persons: once resolved, every
        alive record has an issued person id and the person count is the number of
        distinct ids. Overrides: alive ends; once resolved, every must-link's records
        are one person and every cannot-link's two.

        Raises
        ------
        InvariantError
            The first invariant found broken.

        Notes
        -----
        O(records + links + values + match edges); run after every step by the
        stateful tests and at the end of :meth:`IdentityGraph.load`.
        """
        records = self.records
        records.check()
        n = len(records)
        self.value_codes.check()
        n_values = len(self.value_codes)
        self.links.check(n, n_values)
        if len(self.links):
            require(records.alive[self.links.rec].all(), "every link's record is alive")
        self.matches.check(records.alive)
        self.cuts.check(records.alive)
        self.attr_codes.check(n)
        if self.lifecycle is Lifecycle.STAGED:
            self.overrides.check(records.alive)
            return
        self.overrides.check(records.alive, records.person)
        require(
            (self.value_codes.count == np.bincount(self.links.val, minlength=n_values)).all(),
            "value counts equal the bincount of the links",
        )
        self.ids.check(records.person[records.alive])
