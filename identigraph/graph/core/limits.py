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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from identigraph.errors import ConfigError
from identigraph.graph.core._kruskal import Alike, Kruskal, unlike_set
from identigraph.graph.core.components import connected_components

__all__ = ["MATCH_PRIORITY", "Alike", "LimitSplit", "compact_labels", "enforce_limits"]

#: Priority of a match edge against identifier kinds (key 40, email 30, phone 20,
#: cookie 10 by default): a fuzzy match outranks a cookie, not a phone.
MATCH_PRIORITY = 15.0

_NO_INDEX = np.empty(0, dtype=np.int64)
#: Components with at most this many links are split by counts over arrays, one link
#: of every such component a step; larger ones by the union-find pass in Python.
_COUNT_EDGES = 256


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


def compact_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber labels ``0 .. k-1`` in order of first occurrence.

    Examples
    --------
    >>> import numpy as np
    >>> compact_labels(np.array([7, 2, 7, 5])).tolist()
    [0, 1, 0, 2]

    Notes
    -----
    O(n + largest label), no sort of the labels.
    """
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
            if unlike_set(value[lo : lo + int(held[c])].tolist(), cap + 1, alike):
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
    must_l: np.ndarray = _NO_INDEX,
    must_r: np.ndarray = _NO_INDEX,
    apart_l: np.ndarray = _NO_INDEX,
    apart_r: np.ndarray = _NO_INDEX,
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
    must_l, must_r : numpy.ndarray of int, optional
        Must-links between records: joined first, whatever the limits, never cut.
    apart_l, apart_r : numpy.ndarray of int, optional
        Cannot-links between records: a component holding both ends of one breaks
        it, and is split by the same cuts as a limit, the weakest links first (the
        cut's limit is ``-1 - j`` for cannot-link ``j``). The must-links must not
        join the two ends of a cannot-link.

    Returns
    -------
    LimitSplit

    Examples
    --------
    Three records share an email; each carries its own CRM key, and a person may
    hold one CRM key (kind 0, limit 1). Kind 1 (email) has no limit.

    >>> import numpy as np
    >>> from identigraph.graph.core.components import connected_components
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
    shared a value. A component that one cannot-link alone breaks (no limit, no
    unlinking kind, no second cannot-link) skips that pass: all such components
    are split together over arrays, with the same cuts (:func:`_split_apart`),
    O(m log m) for their m links.
    """
    return _enforce_limits(
        labels, n_records, link_rec, link_val, value_kind, limits, priorities, record_hash,
        value_hash, match_l, match_r, match_probability, match_priority=match_priority,
        attr_codes=attr_codes, attr_caps=attr_caps, attr_alike=attr_alike, unlink=unlink,
        must_l=must_l, must_r=must_r, apart_l=apart_l, apart_r=apart_r, arrays=True,
    )  # fmt: skip


def _enforce_limits(
    labels: np.ndarray,
    n_records: int,
    link_rec: np.ndarray,
    link_val: np.ndarray,
    value_kind: np.ndarray,
    limits: np.ndarray,
    priorities: np.ndarray,
    record_hash: np.ndarray,
    value_hash: np.ndarray | Callable[[np.ndarray], np.ndarray],
    match_l: np.ndarray,
    match_r: np.ndarray,
    match_probability: np.ndarray | None,
    *,
    match_priority: float,
    attr_codes: Sequence[np.ndarray],
    attr_caps: Sequence[int],
    attr_alike: Sequence[Alike | None] | None,
    unlink: np.ndarray | None,
    must_l: np.ndarray,
    must_r: np.ndarray,
    apart_l: np.ndarray,
    apart_r: np.ndarray,
    arrays: bool,
) -> LimitSplit:
    """:func:`enforce_limits`; with ``arrays``, the components that allow it are split over
    arrays (:func:`_split_apart`, :func:`_split_counts`), not by the union-find pass in
    Python: the same cuts."""
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
    must_l = np.asarray(must_l, dtype=np.int64)
    must_r = np.asarray(must_r, dtype=np.int64)
    apart_l = np.asarray(apart_l, dtype=np.int64)
    apart_r = np.asarray(apart_r, dtype=np.int64)
    bad = _violating(
        labels,
        n_records,
        value_kind,
        limits,
        attr_codes=a_codes,
        attr_caps=a_caps,
        attr_alike=a_alike,
    )
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    fast_comp = np.zeros(n_comp, dtype=bool)  # broken by one cannot-link alone
    if len(apart_l):
        together = np.flatnonzero(record_labels[apart_l] == record_labels[apart_r])
        apart_comp = record_labels[apart_l[together]]
        if arrays:
            once = np.bincount(apart_comp, minlength=n_comp)[apart_comp] == 1
            fast_comp[apart_comp[once]] = True
            fast_comp[bad] = False  # a limit breaks it too
    # Components split by counts over arrays: a limit breaks them, no cannot-link does.
    count_comp = np.zeros(n_comp, dtype=bool)
    if arrays and not a_codes:
        count_comp[bad] = True
        if len(apart_l):
            count_comp[apart_comp] = False
    if arrays and unlink is not None and np.asarray(unlink, dtype=bool).any():
        # A cut link of an unlinking kind shares its value: the union-find rounds.
        unlinking = np.asarray(unlink, dtype=bool)[value_kind[link_val]]
        fast_comp[record_labels[link_rec[unlinking]]] = False
        count_comp[record_labels[link_rec[unlinking]]] = False
    if len(apart_l):
        bad = np.union1d(bad, apart_comp).astype(np.int64)
    if not len(bad):
        return LimitSplit(compact_labels(record_labels), _NO_INDEX, _NO_INDEX, _NO_INDEX, _NO_INDEX)

    in_bad = np.zeros(n_comp, dtype=bool)
    in_bad[bad] = True
    node_bad = in_bad[labels]
    links = np.flatnonzero(node_bad[link_rec])
    matches = np.flatnonzero(node_bad[match_l]) if len(match_l) else _NO_INDEX
    nodes = np.flatnonzero(node_bad)
    sub = np.full(len(labels), -1, dtype=np.int64)
    sub[nodes] = np.arange(len(nodes))

    # Edge end points in the sub-problem, strengths and tie-breaking hashes.
    lr, lv = link_rec[links], link_val[links]
    ml, mr = match_l[matches], match_r[matches]
    hl, hr = record_hash[ml], record_hash[mr]
    musts = np.flatnonzero(node_bad[must_l]) if len(must_l) else _NO_INDEX
    fl, fr = must_l[musts], must_r[musts]
    vhash = np.zeros(n_values, dtype=np.uint64)
    hashed = _tied_values(lr, lv, ml, mr, fl, record_hash, np.asarray(priorities)[value_kind[lv]],
                          match_priority, nodes[nodes < n_records])  # fmt: skip
    if len(hashed):
        vhash[hashed] = value_hash(hashed) if callable(value_hash) else value_hash[hashed]
    u = np.concatenate([sub[lr], sub[ml], sub[fl]])
    v = np.concatenate([sub[lv + n_records], sub[mr], sub[fr]])
    priority = np.concatenate(
        [
            np.asarray(priorities, dtype=float)[value_kind[lv]],
            np.full(len(ml), match_priority),
            np.full(len(fl), np.inf),  # must-links: joined first, never cut
        ]
    )
    probability = np.concatenate([np.ones(len(lr)), match_probability[matches], np.ones(len(fl))])
    h1 = np.concatenate([record_hash[lr], np.minimum(hl, hr), record_hash[fl]])
    h2 = np.concatenate([vhash[lv], np.maximum(hl, hr), record_hash[fr]])
    spread = _spread(u, v, len(lr), priority, len(nodes))
    order = np.lexsort((h2, h1, spread, -probability, -priority))

    # Limits of the sub-problem: the limited kinds, strongest first, then the attributes.
    limited = np.flatnonzero(limits > 0)
    limited = limited[np.lexsort((limited, -np.asarray(priorities, dtype=float)[limited]))]
    slot_of_kind = np.full(len(limits), -1, dtype=np.int64)
    slot_of_kind[limited] = np.arange(len(limited))
    slot_kind = np.concatenate([limited, len(limits) + np.arange(len(a_codes))]).astype(np.int64)
    split = Kruskal(len(nodes), limits[limited].tolist(), a_caps, a_alike)
    node_comp = labels[nodes]
    node_fast = fast_comp[node_comp]
    n_links = len(lr)
    forced_from = n_links + len(ml)
    edge_slot = np.full(len(order), -1, dtype=np.int64)  # limit slot of each cut edge
    roots = np.empty(len(nodes), dtype=np.int64)
    if node_fast.any():
        fast_root = _split_apart(
            len(nodes), u, v, order, node_fast, sub[apart_l], sub[apart_r],
            apart_slot=split.apart_slot, edge_slot=edge_slot,
        )  # fmt: skip
        roots[node_fast] = len(nodes) + fast_root[node_fast]
    # Few edges a component and packed counts in 62 bits: split by counts over arrays.
    count_comp[np.bincount(node_comp[u], minlength=n_comp) > _COUNT_EDGES] = False
    if split.width * len(limited) > 62:
        count_comp[:] = False
    node_count = count_comp[node_comp]
    if node_count.any():
        value_slot = np.full(len(nodes), -1, dtype=np.int64)
        is_value = nodes >= n_records
        value_slot[is_value] = slot_of_kind[value_kind[nodes[is_value] - n_records]]
        shift = split.width * np.maximum(value_slot, 0)
        first = np.where(value_slot >= 0, np.left_shift(1, shift), 0)
        count_root = _split_counts(
            u, v, order, node_count, node_comp, first.astype(np.int64),
            bias=split.bias, high=split.high, width=split.width, forced_from=forced_from,
            edge_slot=edge_slot,
        )  # fmt: skip
        roots[node_count] = 2 * len(nodes) + count_root[node_count]
    node_done = node_fast | node_count
    nodes_slow = np.flatnonzero(~node_done)
    value_nodes = nodes[(nodes >= n_records) & ~node_done]
    node_slot = slot_of_kind[value_kind[value_nodes - n_records]]
    for node, slot in zip(
        sub[value_nodes].tolist(), node_slot.tolist(), strict=True
    ):  # one pass over the values of the breaking components
        if slot >= 0:
            split.first_counts[node] = split.one(slot)
    record_nodes = nodes[(nodes < n_records) & ~node_done]
    for t, codes in enumerate(a_codes):  # one pass per attribute over the records
        mine = codes[record_nodes]
        have = mine >= 0
        first_sets = split.first_sets[t]
        for node, code in zip(sub[record_nodes[have]].tolist(), mine[have].tolist(), strict=True):
            first_sets[node] = frozenset((code,))
    in_region = np.zeros(len(apart_l), dtype=bool)
    if len(apart_l):  # both ends in the breaking components, not split over arrays
        in_region = node_bad[apart_l] & node_bad[apart_r] & ~fast_comp[record_labels[apart_l]]
    for j, (x, y) in enumerate(
        zip(sub[apart_l].tolist(), sub[apart_r].tolist(), strict=True)
    ):  # one step per cannot-link of the region
        if in_region[j]:
            split.first_apart[x] = (split.first_apart[x] or frozenset()) | {2 * j}
            split.first_apart[y] = (split.first_apart[y] or frozenset()) | {2 * j + 1}
    split.reset(nodes_slow.tolist())

    apart_slot = split.apart_slot
    us, vs = u.tolist(), v.tolist()
    run = order[~node_done[u[order]]] if node_done.any() else order
    shared = np.zeros(n_values, dtype=bool)
    shared_values: list[np.ndarray] = []
    shared_kind: list[np.ndarray] = []
    while True:  # one round, and one more per unlinking round
        cut, cut_slot = split.run(run.tolist(), us, vs, forced_from)
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
        shared_kind.append(_slot_kinds(slot_arr[is_link][fresh][first], slot_kind, apart_slot))
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

    roots[nodes_slow] = [split.find(i) for i in nodes_slow.tolist()]  # one find a node
    new = record_labels.astype(np.int64, copy=True)
    bad_records = nodes[nodes < n_records]
    new[bad_records] = int(labels.max()) + 1 + roots[sub[bad_records]]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    cut_edges = np.flatnonzero(edge_slot >= 0)
    cut_edges = cut_edges[np.argsort(rank[cut_edges])]  # in the order examined: order-free
    cut_kind = _slot_kinds(edge_slot[cut_edges], slot_kind, apart_slot)
    is_link = cut_edges < n_links
    values_out = np.concatenate([_NO_INDEX, *shared_values])
    kinds_out = np.concatenate([_NO_INDEX, *shared_kind])
    order_out = np.argsort(values_out, kind="stable")
    return LimitSplit(
        labels=compact_labels(new),
        cut_links=links[cut_edges[is_link]],
        cut_link_kind=cut_kind[is_link],
        cut_matches=matches[cut_edges[~is_link] - n_links],
        cut_match_kind=cut_kind[~is_link],
        shared_values=values_out[order_out],
        shared_kind=kinds_out[order_out].astype(np.int64),
    )


def _tied_values(
    lr: np.ndarray,
    lv: np.ndarray,
    ml: np.ndarray,
    mr: np.ndarray,
    fl: np.ndarray,
    record_hash: np.ndarray,
    link_priority: np.ndarray,
    match_priority: float,
    records: np.ndarray,
) -> np.ndarray:
    """The values whose hash can order a link: those of links that may tie before it.

    Links are ordered by strength, probability, spread, the first record hash, then
    the value hash (:func:`enforce_limits`). Two edges reach the value hash only with
    the same first record hash and strength: the same record (record hashes differ)
    and strength. So only the values of links sharing (record, strength) with another
    edge need a hash; the others' order does not read it. Every value when two records
    of the sub-problem share a hash. Returns the value indices, ascending.

    Cost: one sort of the edges' (record, strength) keys and one of the record
    hashes, O(m log m), instead of hashing every value (a hash of its text).
    """
    if not len(lr):
        return _NO_INDEX
    hashes = np.sort(record_hash[records])
    if (hashes[1:] == hashes[:-1]).any():
        return np.unique(lv)  # record hashes collide: any two links may tie
    first = np.where(record_hash[ml] <= record_hash[mr], ml, mr)  # a match edge's h1 record
    record = np.concatenate([lr, first, fl])
    strength = np.concatenate(
        [link_priority.astype(float), np.full(len(ml), match_priority), np.full(len(fl), np.inf)]
    )
    levels, level = np.unique(strength, return_inverse=True)
    key = record.astype(np.int64) * len(levels) + level
    ordered = np.sort(key)
    shared = ordered[1:][ordered[1:] == ordered[:-1]]  # keys of two edges or more
    tied = np.isin(key[: len(lr)], shared)
    out: np.ndarray = np.unique(lv[tied])
    return out


def _split_apart(
    n_nodes: int,
    u: np.ndarray,
    v: np.ndarray,
    order: np.ndarray,
    node_fast: np.ndarray,
    apart_u: np.ndarray,
    apart_v: np.ndarray,
    *,
    apart_slot: int,
    edge_slot: np.ndarray,
) -> np.ndarray:
    """Split the components that one cannot-link alone breaks, all at once over arrays.

    ``u, v`` are the edges of the sub-problem (nodes ``0 .. n_nodes-1``), ``order``
    the order the union-find pass would examine them in; ``node_fast`` marks the
    nodes of the components to split here, each holding both ends of exactly one
    cannot-link ``j`` (``apart_u[j]``, ``apart_v[j]``; ``-1`` outside the
    sub-problem) and breaking no limit. Writes ``apart_slot + j`` into ``edge_slot``
    for every edge cut and returns a label for every node (meaningful on
    ``node_fast``).

    Notes
    -----
    The union-find pass joins each edge's two sets unless both ends of the
    cannot-link would then be in one. With a single cannot-link (s, t) and no limit
    that can break (a part of a component holds no more values than the whole),
    its joins are exactly those of the unconstrained pass, Kruskal's spanning
    forest in ``order``, except the edge that first connects s and t: the latest
    edge of the forest's s-t path. So the parts are the forest's two trees without
    that edge, and the cuts are the edges between them. Computed for every
    component at once: ``scipy.sparse.csgraph.minimum_spanning_tree`` with the
    examination rank as weight, a parallel binary search over each component's
    forest edges (one connected-components pass over the forest per halving) for
    the s-t bottleneck, then one more connected-components pass without it.
    Cost: O(m log m) for m edges, no Python step per edge.
    """
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    edges = np.flatnonzero(node_fast[u] & (u != v))
    lo, hi = np.minimum(u[edges], v[edges]), np.maximum(u[edges], v[edges])
    # Parallel edges: the first examined stands for them all (the rest close a cycle
    # or are cut with it); the spanning tree needs one weight a pair.
    by_pair = np.lexsort((rank[edges], hi, lo))
    first = np.ones(len(by_pair), dtype=bool)
    first[1:] = (lo[by_pair][1:] != lo[by_pair][:-1]) | (hi[by_pair][1:] != hi[by_pair][:-1])
    kept = edges[by_pair[first]]
    graph = coo_matrix(
        (
            rank[kept].astype(float) + 1.0,
            (np.minimum(u[kept], v[kept]), np.maximum(u[kept], v[kept])),
        ),
        shape=(n_nodes, n_nodes),
    ).tocsr()
    tree = minimum_spanning_tree(graph).tocoo()
    t_rank = np.rint(tree.data).astype(np.int64) - 1
    t_rank.sort()  # the forest's edges in the order examined
    t_edge = order[t_rank]
    tu, tv = u[t_edge], v[t_edge]
    # The component of each forest edge and each cannot-link, numbered by its s end.
    comp = connected_components(n_nodes, tu, tv)
    pairs = np.flatnonzero((apart_u >= 0) & (apart_v >= 0))
    pairs = pairs[node_fast[apart_u[pairs]]]
    pairs = pairs[comp[apart_u[pairs]] == comp[apart_v[pairs]]]
    s, t = apart_u[pairs], apart_v[pairs]
    pair_of_comp = np.full(n_nodes, -1, dtype=np.int64)
    pair_of_comp[comp[s]] = np.arange(len(pairs))
    # Forest edges grouped by cannot-link, in the order examined within each group.
    group = pair_of_comp[comp[tu]]
    by_group = np.argsort(group, kind="stable")
    tu, tv, t_edge, group = tu[by_group], tv[by_group], t_edge[by_group], group[by_group]
    start = np.searchsorted(group, np.arange(len(pairs)))
    end = np.searchsorted(group, np.arange(len(pairs)), side="right")
    # The bottleneck: the first forest edge of its group after which s and t connect.
    low, high = start.copy(), end - 1
    position = np.arange(len(group))
    while (low < high).any():  # one pass a halving: log2 of the largest forest
        mid = (low + high) // 2
        active = position <= mid[group]
        joined = connected_components(n_nodes, tu[active], tv[active])
        together = joined[s] == joined[t]
        open_ = low < high
        high = np.where(open_ & together, mid, high)
        low = np.where(open_ & ~together, mid + 1, low)
    keep = np.ones(len(group), dtype=bool)
    keep[low] = False
    part = connected_components(n_nodes, tu[keep], tv[keep])
    crossing = edges[part[u[edges]] != part[v[edges]]]
    edge_slot[crossing] = apart_slot + pairs[pair_of_comp[comp[u[crossing]]]]
    out: np.ndarray = part
    return out


def _find(parent: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Roots of ``x`` in the forest ``parent``, compressing the paths walked."""
    root = parent[x]
    while True:  # one step a level: union by size keeps the trees O(log n) deep
        up = parent[root]
        if (up == root).all():
            break
        root = up
    parent[x] = root
    return root


def _split_counts(
    u: np.ndarray,
    v: np.ndarray,
    order: np.ndarray,
    node_count: np.ndarray,
    node_comp: np.ndarray,
    first: np.ndarray,
    *,
    bias: int,
    high: int,
    width: int,
    forced_from: int,
    edge_slot: np.ndarray,
) -> np.ndarray:
    """The union-find pass with packed limit counts, over every marked component at once.

    ``node_count`` marks the nodes of the components to split here (no cannot-link,
    no attribute, no unlinking kind); ``first`` holds each node's packed counts and
    ``bias``, ``high``, ``width`` the packing of :class:`Kruskal`. Step k examines the
    k-th edge (in ``order``) of every component together: components share no node,
    so their unions never meet, and each component sees its edges in the same order
    as the pass in Python, with the same joins and cuts. Writes the slot of each cut
    edge into ``edge_slot``; returns the root of every node (meaningful on
    ``node_count``). Cost: one vectorized step per edge of the largest component,
    O(m log n) in all.
    """
    n_nodes = len(node_count)
    edges = order[node_count[u[order]]]  # in the order examined
    comp = node_comp[u[edges]]
    by_comp = np.argsort(comp, kind="stable")
    edges, comp = edges[by_comp], comp[by_comp]
    start = np.ones(len(comp), dtype=bool)
    start[1:] = comp[1:] != comp[:-1]
    begin = np.flatnonzero(start)
    step = np.arange(len(comp)) - np.repeat(begin, np.diff(np.append(begin, len(comp))))
    by_step = np.argsort(step, kind="stable")
    edges, step = edges[by_step], step[by_step]
    bounds = np.searchsorted(step, np.arange(int(step.max()) + 2 if len(step) else 1))
    parent = np.arange(n_nodes, dtype=np.int64)
    size = np.ones(n_nodes, dtype=np.int64)
    counts = np.asarray(first, dtype=np.int64).copy()
    bias64, high64 = np.int64(bias), np.int64(high)
    for k in range(len(bounds) - 1):  # one step per edge of the largest component
        e = edges[bounds[k] : bounds[k + 1]]
        a, b = _find(parent, u[e]), _find(parent, v[e])
        apart = a != b
        e, a, b = e[apart], a[apart], b[apart]
        total = counts[a] + counts[b]
        over = (total + bias64) & high64
        over[e >= forced_from] = 0  # must-links: joined whatever the limits
        cut = over != 0
        if cut.any():
            lowest = over[cut] & -over[cut]  # the first limit broken: its lowest bit
            edge_slot[e[cut]] = (np.log2(lowest.astype(float)).astype(np.int64)) // width
        a, b, total = a[~cut], b[~cut], total[~cut]
        swap = size[a] < size[b]
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        parent[b] = a
        size[a] += size[b]
        counts[a] = total
    out: np.ndarray = _find(parent, np.arange(n_nodes, dtype=np.int64))
    return out


def _slot_kinds(slots: np.ndarray, slot_kind: np.ndarray, apart_slot: int) -> np.ndarray:
    """The limit of each cut slot: a kind or attribute, or ``-1 - j`` for cannot-link ``j``."""
    apart = slots >= apart_slot
    out: np.ndarray = np.where(
        apart,
        -1 - (slots - apart_slot),
        slot_kind[np.minimum(slots, max(apart_slot - 1, 0))]
        if len(slot_kind)
        else -1 - (slots - apart_slot),
    ).astype(np.int64)
    return out


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
