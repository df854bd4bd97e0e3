"""Per-person limits: split person clusters that hold more values of a kind than allowed.

The identity graph links records through shared identifier values and match
edges; its connected components are persons. An identifier spec may cap the
distinct values of its kind one person holds (``Key("crm_id", max_per_person=1)``),
and an :class:`~identigraph.matcher.attributes.Attribute` (a first name) caps the
mutually unlike values of a column that links nothing itself. After the
unconstrained components are computed, :func:`enforce_limits` finds the components
that break a cap and splits only those, cutting the weakest links first. A value of
a kind with ``on_shared="unlink"`` that loses a link is shared: it links nobody and
its component is split again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.errors import ConfigError
from identigraph.graph._attributes import alike_functions
from identigraph.graph._display import link_display, record_keys, value_hashes
from identigraph.graph._incremental import (
    edge_rows,
    equal_ranges,
    records_of_persons,
    region_index,
    region_matches,
    value_carriers,
)
from identigraph.graph.components import connected_components

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = [
    "CONFLICT_COLUMNS",
    "MATCH_PRIORITY",
    "CutLinks",
    "LimitSplit",
    "apply_limits",
    "close_over_cuts",
    "conflicts_frame",
    "enforce_limits",
]

#: Priority of a match edge against identifier kinds (key 40, email 30, phone 20,
#: cookie 10 by default): a fuzzy match outranks a cookie, not a phone.
MATCH_PRIORITY = 15.0

#: Columns of :meth:`IdentityGraph.conflicts`.
CONFLICT_COLUMNS = [
    "source",
    "record_id",
    "person_id",
    "kind",
    "value",
    "other_source",
    "other_record_id",
    "other_person_id",
    "match_probability",
    "reason",
    "limit",
]

_NO_INDEX = np.empty(0, dtype=np.int64)

#: ``alike(code, code) -> bool``: whether two values of an attribute count as one.
Alike = Callable[[int, int], bool]


@dataclass(frozen=True, slots=True)
class LimitSplit:
    """Result of :func:`enforce_limits`.

    Attributes
    ----------
    labels : numpy.ndarray of int64
        Component of each record after the split, numbered ``0 .. k-1`` in order of
        each component's smallest record.
    cut_links, cut_matches : numpy.ndarray of int64
        Indices into the identifier-link and match-edge arrays of the links cut,
        strongest first (the order the split examined them); the links of
        shared values are left out.
    cut_link_kind, cut_match_kind : numpy.ndarray of int64
        For each cut, the limit the link would have broken: a kind index, or
        ``len(limits) + t`` for attribute ``t``.
    shared_values : numpy.ndarray of int64
        Values that lost a link and whose kind unlinks shared values (ascending):
        they link nothing.
    shared_kind : numpy.ndarray of int64
        For each shared value, the limit that first cut one of its links.
    """

    labels: np.ndarray
    cut_links: np.ndarray
    cut_link_kind: np.ndarray
    cut_matches: np.ndarray
    cut_match_kind: np.ndarray
    shared_values: np.ndarray = field(default_factory=lambda: _NO_INDEX)
    shared_kind: np.ndarray = field(default_factory=lambda: _NO_INDEX)


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber labels ``0 .. k-1`` in order of first occurrence."""
    if not len(labels):
        return labels.astype(np.int64)
    # First position of each label without sorting the labels: O(n + labels).
    first = np.full(int(labels.max()) + 1, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels), dtype=np.int64))
    used = np.flatnonzero(first < len(labels))
    rank = np.empty(len(first), dtype=np.int64)
    rank[used[np.argsort(first[used], kind="stable")]] = np.arange(len(used))
    out: np.ndarray = rank[labels]
    return out


def _unlike_set(values: list[int], size: int, alike: Alike) -> bool:
    """Whether ``size`` of ``values`` are mutually unlike (a small backtracking search)."""
    if size <= 1:
        return len(values) >= size
    for i, x in enumerate(values):  # a handful of values per person
        rest = [y for y in values[i + 1 :] if not alike(x, y)]
        if len(rest) >= size - 1 and _unlike_set(rest, size - 1, alike):
            return True
    return False


def _too_many(sa: frozenset[int], sb: frozenset[int], cap: int, alike: Alike | None) -> bool:
    """Whether ``sa | sb`` holds more than ``cap`` mutually unlike values.

    Each of ``sa`` and ``sb`` holds at most ``cap`` on its own.
    """
    union = sa | sb
    if len(union) <= cap:
        return False
    if alike is None:
        return True
    if cap == 1:  # within each set every two values are alike: only cross pairs decide
        return any(not alike(x, y) for x in sorted(sa - sb) for y in sorted(sb - sa))
    return _unlike_set(sorted(union), cap + 1, alike)


def _violating(
    labels: np.ndarray,
    n_records: int,
    value_kind: np.ndarray,
    limits: np.ndarray,
    *,
    attr_codes: Sequence[np.ndarray] = (),
    attr_caps: Sequence[int] = (),
    attr_alike: Sequence[Alike | None] = (),
) -> np.ndarray:
    """Components holding more values of a limited kind or attribute than allowed."""
    value_comp = labels[n_records:]
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    over = np.zeros(n_comp, dtype=bool)
    for kind in np.flatnonzero(limits > 0).tolist():  # one pass per limited kind
        held = np.bincount(value_comp[value_kind == kind], minlength=n_comp)
        over |= held > limits[kind]
    record_comp = labels[:n_records]
    for codes, cap, alike in zip(attr_codes, attr_caps, attr_alike, strict=True):
        have = codes >= 0  # one pass per attribute
        if not have.any():
            continue
        base = int(codes.max()) + 1
        pairs = np.unique(record_comp[have].astype(np.int64) * base + codes[have])
        comp, value = pairs // base, pairs % base
        held = np.bincount(comp, minlength=n_comp)
        many = held > cap
        if alike is None:
            over |= many
            continue
        starts = np.searchsorted(comp, np.flatnonzero(many))
        for c, lo in zip(np.flatnonzero(many).tolist(), starts.tolist(), strict=True):
            # one step per component holding more distinct values than allowed
            if _unlike_set(value[lo : lo + int(held[c])].tolist(), cap + 1, alike):
                over[c] = True
    return np.flatnonzero(over)


def enforce_limits(
    labels: np.ndarray,
    n_records: int,
    link_rec: np.ndarray,
    link_val: np.ndarray,
    value_kind: np.ndarray,
    limits: np.ndarray,
    priorities: np.ndarray,
    record_hash: np.ndarray,
    value_hash: np.ndarray | Callable[[np.ndarray], np.ndarray],
    match_l: np.ndarray = _NO_INDEX,
    match_r: np.ndarray = _NO_INDEX,
    match_probability: np.ndarray | None = None,
    *,
    match_priority: float = MATCH_PRIORITY,
    attr_codes: Sequence[np.ndarray] = (),
    attr_caps: Sequence[int] = (),
    attr_alike: Sequence[Alike | None] | None = None,
    unlink: np.ndarray | None = None,
) -> LimitSplit:
    """Split the components that hold more values of a kind than its per-person limit.

    The graph is bipartite: records ``0 .. n_records-1`` and values
    ``0 .. n_values-1``; an identifier link joins a record and a value, a match
    edge joins two records.

    Parameters
    ----------
    labels : numpy.ndarray of int
        Unconstrained component of every node: the records first, then the values
        (as :func:`identigraph.graph.connected_components` returns them).
    n_records : int
        Number of record nodes.
    link_rec, link_val : numpy.ndarray of int
        Identifier links: record index and value index (counted from 0, not from
        ``n_records``).
    value_kind : numpy.ndarray of int
        Kind of each value.
    limits : numpy.ndarray of int
        Most distinct values of each kind a component may hold; ``0``: no limit.
    priorities : numpy.ndarray of float
        Strength of each kind's links; weaker links are cut first.
    record_hash : numpy.ndarray of uint64
        Stable hash of each record, to order links of equal strength.
    value_hash : numpy.ndarray of uint64 or callable
        Stable hash of each value, or a function giving them for an array of value
        indices (called only for values of components that break a limit).
    match_l, match_r : numpy.ndarray of int
        Match edges between records.
    match_probability : numpy.ndarray of float, optional
        Probability of each match edge.
    match_priority : float, default MATCH_PRIORITY
        Strength of match edges against the identifier kinds.
    attr_codes : sequence of numpy.ndarray of int, optional
        Attributes: for each, the code of every record's value (``-1``: none).
        Attributes link nothing; they only count toward their caps.
    attr_caps : sequence of int, optional
        For each attribute, the most mutually unlike values a component may hold.
    attr_alike : sequence of callable or None, optional
        For each attribute, ``alike(code, code) -> bool`` telling two different
        values that count as one, or ``None`` (only equal codes are alike).
    unlink : numpy.ndarray of bool, optional
        Per kind: a value of this kind that loses a link to any limit is *shared*:
        all its links are dropped and the split runs again on its component.

    Returns
    -------
    LimitSplit

    Examples
    --------
    Three records share an email; each carries its own CRM key, and a person may
    hold one CRM key (kind 0, limit 1). Kind 1 (email) has no limit.

    >>> import numpy as np
    >>> from identigraph.graph.components import connected_components
    >>> rec = np.array([0, 1, 2, 0, 1, 2])
    >>> val = np.array([0, 1, 2, 3, 3, 3])  # keys 0-2, email 3
    >>> labels = connected_components(7, rec, val + 3)
    >>> split = enforce_limits(
    ...     labels, 3, rec, val, value_kind=np.array([0, 0, 0, 1]),
    ...     limits=np.array([1, 0]), priorities=np.array([40.0, 30.0]),
    ...     record_hash=np.array([7, 5, 9], dtype=np.uint64),
    ...     value_hash=np.array([1, 2, 3, 4], dtype=np.uint64))
    >>> split.labels.tolist(), split.cut_links.tolist()
    ([0, 1, 2], [3, 5])

    The email stays with record 1 (the smallest record hash among equally strong
    links); the email links of records 0 and 2 are cut. Without the keys, a first
    name (attribute codes 0, 1, 0: records 0 and 2 share a name, record 1 has
    another; one name a person) cuts the email link of record 1, the first to
    break the cap (now record 0 has the smallest hash); with ``unlink`` for emails
    the email becomes shared and links nobody:

    >>> names = [np.array([0, 1, 0])]
    >>> rec, val = np.array([0, 1, 2]), np.array([0, 0, 0])
    >>> labels = connected_components(4, rec, val + 3)
    >>> args = (labels, 3, rec, val, np.array([0]), np.array([0]), np.array([30.0]),
    ...         np.array([5, 7, 9], dtype=np.uint64), np.array([4], dtype=np.uint64))
    >>> split = enforce_limits(*args, attr_codes=names, attr_caps=[1])
    >>> split.labels.tolist(), split.cut_links.tolist(), split.cut_link_kind.tolist()
    ([0, 1, 0], [1], [1])
    >>> shared = enforce_limits(*args, attr_codes=names, attr_caps=[1], unlink=np.array([True]))
    >>> shared.labels.tolist(), shared.shared_values.tolist(), shared.cut_links.tolist()
    ([0, 1, 2], [0], [])

    Notes
    -----
    Only components that break a limit are re-examined; the check is one
    ``numpy.bincount`` over the values per limited kind, O(n_values + components),
    and one ``numpy.unique`` over the records per attribute, with a pairwise
    likeness test within the components holding more distinct values than allowed.

    A breaking component is split Kruskal-style. Its links are sorted strongest
    first: by priority (the kind's ``priority`` for identifier links,
    ``match_priority`` for match edges), then by probability (1 for identifier
    links), then by spread: the number of groups of records joined by strictly
    stronger links among a value's carriers (a match edge's two records), records
    without a stronger link not counting. A person's own mobile, seen on records
    that share an email, spreads over one group and is added before a household
    landline spanning two members' groups, so the landline is the link cut.
    Remaining ties go by the records' and values' stable hashes, never by row order.
    Starting from single nodes, each link in that order joins its two sets unless
    the union would hold more distinct values of a limited kind than allowed, or
    more mutually unlike values of an attribute than its cap; then the link is cut
    (the kinds are checked strongest first, then the attributes in order, and the
    first limit broken is reported). The result therefore depends only on the links,
    their strengths, the hashes and the attribute values, not on input order; it
    keeps every link that can be kept given the stronger ones, and it is minimal in
    that adding back any one cut link would break a limit. A single record carrying
    more values than allowed keeps the strongest of them.

    With ``unlink``, every value of an unlinking kind with a cut link is shared:
    its links are dropped and the components that held such values are split
    again, until no new value is shared. Records whose only evidence was a shared
    value then stand alone.

    Cost: O(m log m) to sort the m links of the breaking components (with one
    vectorized connected-components pass per priority level for the spreads) plus a
    union-find pass over them in Python, about a microsecond a link (more where
    attribute sets meet), once more per unlinking round for the components that
    shared a value.
    """
    n_values = len(labels) - n_records
    limits = np.asarray(limits, dtype=np.int64)
    value_kind = np.asarray(value_kind, dtype=np.int64)
    record_labels = labels[:n_records]
    if match_probability is None:
        match_probability = np.ones(len(match_l))
    a_codes = [np.asarray(c, dtype=np.int64) for c in attr_codes]
    a_caps = [int(c) for c in attr_caps]
    a_alike: list[Alike | None] = (
        list(attr_alike) if attr_alike is not None else [None] * len(a_codes)
    )
    if not len(a_codes) == len(a_caps) == len(a_alike):
        msg = "attr_codes, attr_caps and attr_alike need one entry per attribute"
        raise ConfigError(msg)
    bad = _violating(
        labels,
        n_records,
        value_kind,
        limits,
        attr_codes=a_codes,
        attr_caps=a_caps,
        attr_alike=a_alike,
    )
    if not len(bad):
        return LimitSplit(_compact(record_labels), _NO_INDEX, _NO_INDEX, _NO_INDEX, _NO_INDEX)

    in_bad = np.zeros(int(labels.max()) + 1, dtype=bool)
    in_bad[bad] = True
    node_bad = in_bad[labels]
    links = np.flatnonzero(node_bad[link_rec])
    matches = np.flatnonzero(node_bad[match_l]) if len(match_l) else _NO_INDEX
    nodes = np.flatnonzero(node_bad)
    sub = np.full(len(labels), -1, dtype=np.int64)
    sub[nodes] = np.arange(len(nodes))

    # Edge end points in the sub-problem, strengths and tie-breaking hashes.
    lr, lv = link_rec[links], link_val[links]
    bad_values = np.flatnonzero(node_bad[n_records:])
    vhash = np.zeros(n_values, dtype=np.uint64)
    vhash[bad_values] = value_hash(bad_values) if callable(value_hash) else value_hash[bad_values]
    ml, mr = match_l[matches], match_r[matches]
    hl, hr = record_hash[ml], record_hash[mr]
    u = np.concatenate([sub[lr], sub[ml]])
    v = np.concatenate([sub[lv + n_records], sub[mr]])
    priority = np.concatenate(
        [np.asarray(priorities, dtype=float)[value_kind[lv]], np.full(len(ml), match_priority)]
    )
    probability = np.concatenate([np.ones(len(lr)), match_probability[matches]])
    h1 = np.concatenate([record_hash[lr], np.minimum(hl, hr)])
    h2 = np.concatenate([vhash[lv], np.maximum(hl, hr)])
    spread = _spread(u, v, len(lr), priority, len(nodes))
    order = np.lexsort((h2, h1, spread, -probability, -priority))

    # Limits of the sub-problem: the limited kinds, strongest first, then the attributes.
    limited = np.flatnonzero(limits > 0)
    limited = limited[np.lexsort((limited, -np.asarray(priorities, dtype=float)[limited]))]
    slot_of_kind = np.full(len(limits), -1, dtype=np.int64)
    slot_of_kind[limited] = np.arange(len(limited))
    slot_kind = np.concatenate([limited, len(limits) + np.arange(len(a_codes))]).astype(np.int64)
    split = _Kruskal(len(nodes), limits[limited].tolist(), a_caps, a_alike)
    value_nodes = nodes[nodes >= n_records]
    node_slot = slot_of_kind[value_kind[value_nodes - n_records]]
    for node, slot in zip(
        sub[value_nodes].tolist(), node_slot.tolist(), strict=True
    ):  # one pass over the values of the breaking components
        if slot >= 0:
            split.first_counts[node] = split.one(slot)
    record_nodes = nodes[nodes < n_records]
    for t, codes in enumerate(a_codes):  # one pass per attribute over the records
        mine = codes[record_nodes]
        have = mine >= 0
        first_sets = split.first_sets[t]
        for node, code in zip(sub[record_nodes[have]].tolist(), mine[have].tolist(), strict=True):
            first_sets[node] = frozenset((code,))
    split.reset(range(len(nodes)))

    n_links = len(lr)
    edge_slot = np.full(len(order), -1, dtype=np.int64)  # limit slot of each cut edge
    us, vs = u.tolist(), v.tolist()
    run = order
    shared = np.zeros(n_values, dtype=bool)
    shared_values: list[np.ndarray] = []
    shared_kind: list[np.ndarray] = []
    while True:  # one round, and one more per unlinking round
        cut, cut_slot = split.run(run.tolist(), us, vs)
        edge_slot[run] = -1
        cut_arr, slot_arr = np.asarray(cut, dtype=np.int64), np.asarray(cut_slot, dtype=np.int64)
        edge_slot[cut_arr] = slot_arr
        if unlink is None or not len(cut_arr):
            break
        # Values of unlinking kinds that lost a link, each with its first cut's limit.
        is_link = cut_arr < n_links
        lost = lv[cut_arr[is_link]]
        fresh = np.asarray(unlink, dtype=bool)[value_kind[lost]] & ~shared[lost]
        if not fresh.any():
            break
        new_values, first = np.unique(lost[fresh], return_index=True)
        shared_values.append(new_values)
        shared_kind.append(slot_kind[slot_arr[is_link][fresh][first]])
        shared[new_values] = True
        # Split the components that held them again, without any link of a shared value.
        touched = np.zeros(len(in_bad), dtype=bool)
        touched[labels[new_values + n_records]] = True
        edge_touched = touched[labels[nodes[u]]]
        edge_slot[edge_touched] = -1
        dropped = np.zeros(len(order), dtype=bool)
        dropped[:n_links] = shared[lv]
        run = order[edge_touched[order] & ~dropped[order]]
        split.reset(np.flatnonzero(touched[labels[nodes]]).tolist())
    if shared_values:
        edge_slot[:n_links][shared[lv]] = -1

    roots = np.array(
        [split.find(i) for i in range(len(nodes))], dtype=np.int64
    )  # one find per node of the breaking components
    new = record_labels.astype(np.int64, copy=True)
    bad_records = nodes[nodes < n_records]
    new[bad_records] = int(labels.max()) + 1 + roots[sub[bad_records]]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    cut_edges = np.flatnonzero(edge_slot >= 0)
    cut_edges = cut_edges[np.argsort(rank[cut_edges])]  # in the order examined: order-free
    cut_kind = slot_kind[edge_slot[cut_edges]]
    is_link = cut_edges < n_links
    values_out = np.concatenate([_NO_INDEX, *shared_values])
    kinds_out = np.concatenate([_NO_INDEX, *shared_kind])
    order_out = np.argsort(values_out, kind="stable")
    return LimitSplit(
        labels=_compact(new),
        cut_links=links[cut_edges[is_link]],
        cut_link_kind=cut_kind[is_link],
        cut_matches=matches[cut_edges[~is_link] - n_links],
        cut_match_kind=cut_kind[~is_link],
        shared_values=values_out[order_out],
        shared_kind=kinds_out[order_out].astype(np.int64),
    )


def _spread(
    u: np.ndarray, v: np.ndarray, n_links: int, priority: np.ndarray, n_nodes: int
) -> np.ndarray:
    """How many groups of records, joined by stronger links, each edge's evidence spans.

    Edges ``0 .. n_links-1`` are identifier links (``u`` a record node, ``v`` a
    value node) among nodes ``0 .. n_nodes-1``; the rest are match edges between two
    records. For every priority level, the *groups* are the components of the links
    strictly stronger than it. A value's spread is the number of groups among its
    carriers; a match edge's is the number of groups among its two records. Records
    without a stronger link are in no group and do not count. A value confined to
    one group (a person's own mobile, seen again on records that share its email)
    confirms; one spanning two groups (a household landline on two members' records)
    bridges them.
    """
    spread = np.zeros(len(u), dtype=np.int64)
    levels = np.unique(priority)
    for level in levels[:-1].tolist():  # the few priority levels; the strongest spreads 0
        stronger = priority > level
        labels = connected_components(n_nodes, u[stronger], v[stronger])
        grouped = np.zeros(n_nodes, dtype=bool)  # records with a stronger link
        grouped[u[stronger]] = True
        grouped[v[stronger]] = True
        at = np.flatnonzero(priority == level)
        links = at[at < n_links]
        keep = grouped[u[links]]
        pairs = np.unique(v[links][keep] * n_nodes + labels[u[links]][keep])  # (value, group)
        per_value = np.bincount(pairs // n_nodes, minlength=n_nodes)
        spread[links] = per_value[v[links]]
        edges = at[at >= n_links]
        ends = grouped[u[edges]].astype(np.int64) + grouped[v[edges]]
        spread[edges] = np.where(ends == 2, 1 + (labels[u[edges]] != labels[v[edges]]), ends)
    return spread


class _Kruskal:
    """Union-find over the nodes of the breaking components, with per-set limit counts.

    A set's counts of distinct values per limited kind are packed into one integer,
    ``width`` bits a slot, so that checking a union against every cap is one
    addition and one mask: ``(a + b + bias) & high`` is non-zero exactly when a
    slot's sum exceeds its cap, and its lowest set bit names the first such slot.
    """

    def __init__(
        self, n_nodes: int, caps: list[int], attr_caps: list[int], alike: list[Alike | None]
    ) -> None:
        self.width = max([*caps, 1]).bit_length() + 2
        self.bias = sum(
            ((1 << (self.width - 1)) - 1 - c) << (self.width * s) for s, c in enumerate(caps)
        )
        self.high = sum(1 << (self.width * s + self.width - 1) for s in range(len(caps)))
        self.attr_caps = attr_caps
        self.alike = alike
        self.first_counts: list[int] = [0] * n_nodes
        self.first_sets: list[list[frozenset[int] | None]] = [[None] * n_nodes for _ in attr_caps]
        self.parent = list(range(n_nodes))
        self.size = [1] * n_nodes
        self.counts = list(self.first_counts)
        self.sets: list[list[frozenset[int] | None]] = [list(s) for s in self.first_sets]

    def one(self, slot: int) -> int:
        """The packed counts of a single value of the limited kind in ``slot``."""
        return 1 << (self.width * slot)

    def reset(self, nodes: Iterable[int]) -> None:
        """Make ``nodes`` single sets again, each with its own values."""
        parent, size, counts, first = self.parent, self.size, self.counts, self.first_counts
        for x in nodes:  # one step per node of the components split (again)
            parent[x] = x
            size[x] = 1
            counts[x] = first[x]
            for sets, first_sets in zip(self.sets, self.first_sets, strict=True):
                sets[x] = first_sets[x]

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def run(self, edges: list[int], us: list[int], vs: list[int]) -> tuple[list[int], list[int]]:
        """Join the ends of ``edges`` in order unless a limit breaks: the cuts and their slots."""
        parent, size, counts = self.parent, self.size, self.counts
        bias, high, width = self.bias, self.high, self.width
        n_slots = self.high.bit_length() // width if self.high else 0
        attr = list(zip(self.sets, self.attr_caps, self.alike, strict=True))
        cut: list[int] = []
        cut_slot: list[int] = []
        for e in edges:  # Kruskal over the links of the breaking components
            a, b = us[e], vs[e]
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            while parent[b] != b:
                parent[b] = parent[parent[b]]
                b = parent[b]
            if a == b:
                continue
            total = counts[a] + counts[b]
            over = (total + bias) & high
            if over:
                cut.append(e)
                cut_slot.append(((over & -over).bit_length() - 1) // width)
                continue
            merged: list[frozenset[int] | None] = []
            broken = -1
            for t, (sets, cap, alike) in enumerate(attr):  # one step per attribute
                sa, sb = sets[a], sets[b]
                if sb is None or (sa is not None and sb <= sa):
                    merged.append(sa)
                elif sa is None or sa <= sb:
                    merged.append(sb)
                elif _too_many(sa, sb, cap, alike):
                    broken = n_slots + t
                    break
                else:
                    merged.append(sa | sb)
            if broken >= 0:
                cut.append(e)
                cut_slot.append(broken)
                continue
            if size[a] < size[b]:
                a, b = b, a
            parent[b] = a
            size[a] += size[b]
            counts[a] = total
            for (sets, _, _), m in zip(attr, merged, strict=True):
                sets[a] = m
        return cut, cut_slot


# ---------------------------------------------------------------------------- graph state
@dataclass(frozen=True, slots=True)
class CutLinks:
    """Links of a graph cut to respect per-person limits.

    One row per cut link: ``rec`` (record position), ``val`` (value code of an
    identifier link, ``-1`` for a match edge), ``other`` (other record of a match
    edge, ``-1`` otherwise), ``kind`` (index of the kind whose limit the link would
    break) and ``probability`` (match probability, NaN for identifier links).
    """

    rec: np.ndarray
    val: np.ndarray
    other: np.ndarray
    kind: np.ndarray
    probability: np.ndarray

    @classmethod
    def empty(cls) -> CutLinks:
        """No cut links."""
        return cls(_NO_INDEX, _NO_INDEX, _NO_INDEX, _NO_INDEX, np.empty(0, dtype=float))

    def __len__(self) -> int:
        return len(self.rec)

    def take(self, rows: np.ndarray) -> CutLinks:
        """The cut links at ``rows`` (indices or a boolean mask)."""
        return CutLinks(
            self.rec[rows],
            self.val[rows],
            self.other[rows],
            self.kind[rows],
            self.probability[rows],
        )

    def concat(self, other: CutLinks) -> CutLinks:
        """These cut links followed by ``other``'s."""
        return CutLinks(
            *(
                np.concatenate([getattr(self, f), getattr(other, f)])
                for f in ("rec", "val", "other", "kind", "probability")
            )
        )


def _limits(graph: IdentityGraph) -> tuple[np.ndarray, np.ndarray]:
    limits = np.array([p.max_per_person or 0 for p in graph._policies], dtype=np.int64)
    priorities = np.array([p.priority for p in graph._policies], dtype=float)
    return limits, priorities


def _cut_values(graph: IdentityGraph) -> np.ndarray:
    """Values of the graph's cut identifier links, sorted, one per link; cached per cut table."""
    cuts = graph._cuts
    cached = graph._cut_values
    if cached is None or cached[0] is not cuts:
        cached = (cuts, np.sort(cuts.val[cuts.val >= 0]))
        graph._cut_values = cached
    return cached[1]


def _update_cut_values(graph: IdentityGraph, old: CutLinks, keep: np.ndarray) -> None:
    """Carry the cached cut values over from ``old`` to the graph's new cut table.

    The new table is ``old``'s kept rows followed by new ones. Instead of sorting
    every cut value again, the dropped values leave the sorted array and the new ones
    are inserted: two ``searchsorted`` over the cut values, and memory moves.
    """
    cached = graph._cut_values
    if cached is None or cached[0] is not old:
        return  # computed afresh when next asked for
    values = cached[1]
    gone = np.sort(old.val[~keep & (old.val >= 0)])
    if len(gone):  # equal values leave from consecutive positions
        rank = np.arange(len(gone)) - np.searchsorted(gone, gone, side="left")
        values = np.delete(values, np.searchsorted(values, gone, side="left") + rank)
    cuts = graph._cuts
    added = np.sort(cuts.val[int(keep.sum()) :])  # the new rows follow the kept ones
    added = added[added >= 0]
    graph._cut_values = (cuts, np.insert(values, np.searchsorted(values, added), added))


def _cut_ends(graph: IdentityGraph) -> tuple[np.ndarray, np.ndarray]:
    """Record positions at the ends of the graph's cut links, and the row of each.

    Every cut link has one end (``rec``), a cut match edge a second (``other``).
    The pairs ``(end, row)`` are sorted, so the cut links of any set of records
    are found by binary search; cached per cut table, like :func:`_cut_values`.
    """
    cuts = graph._cuts
    cached = graph._cut_ends
    if cached is None or cached[0] is not cuts:
        match = np.flatnonzero(cuts.other >= 0)
        ends = np.concatenate([cuts.rec, cuts.other[match]])
        rows = np.concatenate([np.arange(len(cuts), dtype=np.int64), match])
        order = np.lexsort((rows, ends))
        cached = (cuts, ends[order], rows[order])
        graph._cut_ends = cached
    return cached[1], cached[2]


def _cut_rows(graph: IdentityGraph, records: np.ndarray) -> np.ndarray:
    """Rows of the graph's cut links with an end among ``records`` (sorted, unique)."""
    ends, rows = _cut_ends(graph)
    found = rows[equal_ranges(ends, np.asarray(records, dtype=np.int64))]
    return np.unique(found)


def _update_cut_ends(graph: IdentityGraph, old: CutLinks, gone: np.ndarray) -> None:
    """Carry the cached cut ends over from ``old`` to the graph's new cut table.

    The new table is ``old`` without the rows ``gone`` (sorted, unique), followed by
    new rows. Kept entries are renumbered and the new ones inserted, as
    :func:`_update_cut_values` does: O(cut links) memory moves and no sort of them.
    """
    cached = graph._cut_ends
    if cached is None or cached[0] is not old:
        return  # computed afresh when next asked for
    ends, rows = cached[1], cached[2]
    if len(gone):
        keep = np.ones(len(old), dtype=bool)
        keep[gone] = False
        stay = keep[rows]
        ends, rows = ends[stay], (np.cumsum(keep) - 1)[rows[stay]]
    cuts = graph._cuts
    first = len(old) - len(gone)  # the new rows follow the kept ones
    match = np.flatnonzero(cuts.other[first:] >= 0) + first
    new_ends = np.concatenate([cuts.rec[first:], cuts.other[match]])
    new_rows = np.concatenate([np.arange(first, len(cuts), dtype=np.int64), match])
    order = np.lexsort((new_rows, new_ends))
    new_ends, new_rows = new_ends[order], new_rows[order]
    # New rows number after every kept one: after equal ends, (end, row) stays sorted.
    at = np.searchsorted(ends, new_ends, side="right")
    graph._cut_ends = (cuts, np.insert(ends, at, new_ends), np.insert(rows, at, new_rows))


def close_over_cuts(graph: IdentityGraph, affected: np.ndarray) -> np.ndarray:
    """Add to ``affected`` the persons that cut links tie to it, transitively.

    A region re-resolved with its cut links must hold every person those links
    reach, so that an update splits exactly as a rebuild from scratch would. The
    walk also crosses shared values (``on_shared="unlink"``): they link nobody,
    yet the rebuild that made them shared saw their carriers together.

    Notes
    -----
    A breadth-first walk from ``affected``: each step looks up the records of the
    frontier persons, the cut and shared values they carry and those values'
    carriers, and the cut match edges that end in those records (found through
    the cut links' ends, sorted: :func:`_cut_ends`). Cost: nothing without cut
    links; otherwise O(records of the persons reached + their cut values'
    carriers) per step, with binary searches over the cut links.
    """
    cuts = graph._cuts
    if not len(cuts) or not len(affected):
        return affected
    alive = graph._rec_alive
    person = graph._person
    values = _cut_values(graph)
    shared = graph._shared  # shared values are listed as cut links too; to be sure
    reached = np.unique(affected[affected >= 0])
    frontier = reached
    while len(frontier):
        records = records_of_persons(graph, frontier)
        carried = graph._edge_val[edge_rows(graph, records)]
        hit = region_index(values, carried) >= 0
        if len(shared):
            hit |= region_index(shared, carried) >= 0
        tied_values = carried[hit]
        # A generic value links nobody: its carriers are not tied through it.
        tied_values = tied_values[~graph._generic_mask(tied_values)]
        tied = person[value_carriers(graph, tied_values)]
        match = _cut_rows(graph, records)
        match = match[cuts.val[match] < 0]  # cut match edges with an end here
        match = match[alive[cuts.rec[match]] & alive[cuts.other[match]]]
        found = np.concatenate([tied, person[cuts.rec[match]], person[cuts.other[match]]])
        frontier = np.setdiff1d(found[found >= 0], reached)
        reached = np.union1d(reached, frontier)
    return np.union1d(affected, reached)


def apply_limits(
    graph: IdentityGraph,
    region: np.ndarray,
    labels: np.ndarray,
    e_rec: np.ndarray,
    e_val: np.ndarray,
    link_val: np.ndarray,
) -> np.ndarray:
    """Enforce per-person limits on a re-resolved region; record its cut links.

    The region's attribute values count toward the attributes' caps, and values of
    kinds with ``on_shared="unlink"`` that lose a link are shared: every link of a
    shared value is recorded as cut (with the limit that first cut one of them)
    and the value is listed in the graph's ``_shared`` codes.

    Parameters
    ----------
    graph : IdentityGraph
        The graph, whose ``_cuts`` and ``_shared`` are updated for the region.
    region : numpy.ndarray of int64
        Record positions of the region (sorted).
    labels : numpy.ndarray of int64
        Unconstrained components of the region's records and then its values.
    e_rec, e_val : numpy.ndarray of int64
        The region's usable identifier links: region index of the record and
        global value code.
    link_val : numpy.ndarray of int64
        Region index of each link's value (its node is ``len(region) + link_val``).

    Returns
    -------
    numpy.ndarray of int64
        Component of each region record, ``0 .. k-1``.
    """
    n_rec = len(region)
    limits, priorities = _limits(graph)
    attributes = graph.attributes
    if not (limits > 0).any() and not attributes:
        return labels[:n_rec]
    unlink = np.array([p.on_shared == "unlink" for p in graph._policies], dtype=bool)
    n_values = len(labels) - n_rec
    v_code = np.empty(n_values, dtype=np.int64)
    v_code[link_val] = e_val
    rows, m_l, m_r = region_matches(graph, region)
    prob = graph._match["match_probability"].to_numpy(dtype=float)[rows]
    split = enforce_limits(
        labels,
        n_rec,
        e_rec,
        link_val,
        graph._val_kind[v_code].astype(np.int64),
        limits,
        priorities,
        graph._rec_hash[region],
        lambda idx: value_hashes(graph, v_code[idx]),
        m_l,
        m_r,
        prob,
        attr_codes=[codes[region] for codes in graph._attr.codes],
        attr_caps=[a.max_per_person for a in attributes],
        attr_alike=alike_functions(graph),
        unlink=unlink if unlink.any() else None,
    )
    old = graph._cuts
    # The region's cut links are decided anew (found by their ends, without a pass
    # over every cut link); erasures already dropped the cut links of dead records
    # (erase._drop_cut_links).
    gone = _cut_rows(graph, region) if len(old) else _NO_INDEX
    links, matches = split.cut_links, split.cut_matches
    link_kind = split.cut_link_kind
    if len(split.shared_values):  # every link of a shared value, with its limit
        kind_of = np.full(n_values, -1, dtype=np.int64)
        kind_of[split.shared_values] = split.shared_kind
        shared_links = np.flatnonzero(kind_of[link_val] >= 0)
        shared_links = shared_links[
            np.lexsort(
                (
                    value_hashes(graph, e_val[shared_links]),
                    graph._rec_hash[region[e_rec[shared_links]]],
                )
            )
        ]  # by record and value hashes, as the split orders links: order-free
        links = np.concatenate([links, shared_links])
        link_kind = np.concatenate([link_kind, kind_of[link_val[shared_links]]])
    # A cut match edge is listed from the end with the smaller record hash: order-free.
    left, right = region[m_l[matches]], region[m_r[matches]]
    swap = graph._rec_hash[left] > graph._rec_hash[right]
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    new = CutLinks(
        rec=np.concatenate([region[e_rec[links]], left]),
        val=np.concatenate([e_val[links], np.full(len(matches), -1, dtype=np.int64)]),
        other=np.concatenate([np.full(len(links), -1, dtype=np.int64), right]),
        kind=np.concatenate([link_kind, split.cut_match_kind]),
        probability=np.concatenate([np.full(len(links), np.nan), prob[matches]]),
    )
    if not len(gone) and not len(new):
        # The common case: the cut table stays as it is (and its cached indexes).
        if len(graph._shared):
            # Shared values keep their place while cut links list them (see below).
            graph._shared = graph._shared[region_index(_cut_values(graph), graph._shared) >= 0]
        return split.labels
    keep = np.ones(len(old), dtype=bool)
    keep[gone] = False
    kept = old.take(keep)
    # Shared values of the region are decided anew; the others keep their cut links.
    still = graph._shared[np.isin(graph._shared, kept.val)] if len(graph._shared) else _NO_INDEX
    graph._shared = np.union1d(still, v_code[split.shared_values]).astype(np.int64)
    graph._cuts = kept.concat(new)
    _update_cut_values(graph, old, keep)
    _update_cut_ends(graph, old, gone)
    return split.labels


def conflicts_frame(graph: IdentityGraph) -> pd.DataFrame:
    """The cut links of ``graph`` as :meth:`IdentityGraph.conflicts` shows them.

    ``reason`` is ``"shared_value"`` for the links of a shared value and
    ``"max_per_person"`` otherwise; ``limit`` names the identifier kind, or the
    attribute's column, whose limit the link would have broken. Values are masked.
    """
    cuts = graph._cuts
    if len(cuts):
        alive = graph._rec_alive
        cuts = cuts.take(alive[cuts.rec] & ((cuts.other < 0) | alive[np.maximum(cuts.other, 0)]))
    n = len(cuts)
    source, record_id = record_keys(graph, cuts.rec)
    ident = cuts.val >= 0
    kind_names = np.array([p.name for p in graph._policies] or [""], dtype=object)
    limit_names = np.array(
        [*(p.name for p in graph._policies), *(a.column for a in graph.attributes), ""],
        dtype=object,
    )
    reason = np.full(n, "max_per_person", dtype=object)
    kind = np.full(n, "match", dtype=object)
    value = np.full(n, None, dtype=object)
    other_source = np.full(n, None, dtype=object)
    other_record = np.full(n, None, dtype=object)
    other_person = np.full(n, -1, dtype=np.int64)
    if ident.any():
        rec, val = cuts.rec[ident], cuts.val[ident]
        kind[ident] = kind_names[graph._val_kind[val]]
        value[ident] = link_display(graph, rec, val)
        other_person[ident] = _holder(graph, val)
        reason[ident & np.isin(cuts.val, graph._shared)] = "shared_value"
    if (~ident).any():
        other = cuts.other[~ident]
        other_source[~ident], other_record[~ident] = record_keys(graph, other)
        other_person[~ident] = graph._person[other]
    out = pd.DataFrame(
        {
            "source": pd.Series(source, dtype=object),
            "record_id": pd.Series(record_id, dtype=object),
            "person_id": graph._person[cuts.rec],
            "kind": pd.Series(kind, dtype=object),
            "value": pd.Series(value, dtype=object),
            "other_source": pd.Series(other_source, dtype=object),
            "other_record_id": pd.Series(other_record, dtype=object),
            "other_person_id": pd.array(
                np.where(other_person >= 0, other_person, 0), dtype="Int64"
            ),
            "match_probability": cuts.probability,
            "reason": pd.Series(reason, dtype=object),
            "limit": pd.Series(limit_names[cuts.kind] if n else [], dtype=object),
        }
    )
    out.loc[other_person < 0, "other_person_id"] = pd.NA
    ordered: pd.DataFrame = out.sort_values(
        ["person_id", "source", "kind"], kind="stable", ignore_index=True
    )[CONFLICT_COLUMNS]
    return ordered


def _holder(graph: IdentityGraph, values: np.ndarray) -> np.ndarray:
    """Person holding each value through a kept link, ``-1`` when none does."""
    cuts = graph._cuts
    n_val = np.int64(len(graph._val_kind))
    rows = edge_rows(graph, value_carriers(graph, values))
    rows = rows[np.isin(graph._edge_val[rows], values)]
    rec, val = graph._edge_rec[rows], graph._edge_val[rows]
    cut_key = cuts.rec[cuts.val >= 0] * n_val + cuts.val[cuts.val >= 0]
    kept = ~np.isin(rec * n_val + val, cut_key)
    holder = pd.Series(graph._person[rec[kept]], index=val[kept])
    holder = holder[~holder.index.duplicated()]
    # fill_value keeps int64: a NaN would turn 63-bit person ids into rounded floats
    out: np.ndarray = holder.reindex(values, fill_value=-1).to_numpy(dtype=np.int64)
    return out
