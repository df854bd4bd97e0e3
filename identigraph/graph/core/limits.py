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

from identigraph._unique import sorted_unique
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
#: Components with at most this many cannot-links may be split by counts: each
#: cannot-link a pair of bits of one int64.
_PAIRS = 31


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
        pairs = sorted_unique(record_comp[have].astype(np.int64) * base + codes[have])
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
        Links of a kind as strong as a must-link (``priority`` ``inf``) come among
        them; a set they put over a cap then breaks it in every later union.
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

    When a cannot-link reaches both sides of a union, the smallest such cannot-link
    is the one reported.

    Cost: besides the check and a few O(n) gathers over the nodes (the selection of
    the breaking components, the renumbering), the work is that of the m links of
    the breaking components: O(m log m) to order them (one sort of packed keys, component by
    component, and one connected-components pass per priority level for the
    spreads), then the union-find. Components without an attribute or unlinking
    kind and with at most 256 links and 31 cannot-links (most) are split together
    over arrays, one vectorized step per link of the largest, their limit counts
    and cannot-links (a pair of bits each) packed into integers
    (:func:`_split_counts`); larger ones that one cannot-link alone breaks by a
    spanning forest (:func:`_split_apart`), O(m log m); the rest by a union-find
    pass in Python over their own nodes, about a microsecond a link (more where
    attribute sets meet), once more per unlinking round for the components that
    shared a value. All give the same cuts.
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
    unlinking = (
        np.asarray(unlink, dtype=bool)[value_kind[link_val]]
        if unlink is not None and np.asarray(unlink, dtype=bool).any()
        else None
    )
    fast_comp = np.zeros(n_comp, dtype=bool)  # broken by one cannot-link alone
    count_comp = np.zeros(n_comp, dtype=bool)  # split by counts over arrays
    apart_j, apart_comp = _NO_INDEX, _NO_INDEX  # cannot-links with both ends in one component
    if len(apart_l):
        apart_j = np.flatnonzero(record_labels[apart_l] == record_labels[apart_r])
        apart_comp = record_labels[apart_l[apart_j]]
    if arrays:
        pairs_in = np.bincount(apart_comp, minlength=n_comp) if len(apart_comp) else None
        if pairs_in is not None:
            fast_comp[apart_comp[pairs_in[apart_comp] == 1]] = True
            fast_comp[bad] = False  # a limit breaks it too
        if not a_codes:  # a limit or cannot-links (as bit pairs) break them, no attribute
            count_comp[bad] = True
            count_comp[apart_comp] = True
            if pairs_in is not None:
                count_comp[pairs_in > _PAIRS] = False
        if unlinking is not None:
            # A cut link of an unlinking kind shares its value: the union-find rounds.
            fast_comp[record_labels[link_rec[unlinking]]] = False
            count_comp[record_labels[link_rec[unlinking]]] = False
    if len(apart_comp):
        bad = sorted_unique(np.concatenate([bad, apart_comp]).astype(np.int64))
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
    u = np.concatenate([sub[lr], sub[ml], sub[fl]])
    v = np.concatenate([sub[lv + n_records], sub[mr], sub[fr]])
    n_links = len(lr)
    forced_from = n_links + len(ml)
    # Strength levels, 0 the strongest: must-links, then the kinds and match edges.
    strengths = sorted_unique(
        np.concatenate([np.asarray(priorities, dtype=float), [match_priority, np.inf]])
    )[::-1]
    kind_level = np.searchsorted(-strengths, -np.asarray(priorities, dtype=float))
    level = np.concatenate(
        [
            kind_level[value_kind[lv]],
            np.full(len(ml), int(np.searchsorted(-strengths, -match_priority))),
            np.zeros(len(fl), dtype=np.int64),
        ]
    )
    probability = np.concatenate([np.ones(len(lr)), match_probability[matches], np.ones(len(fl))])
    spread = _spread(u, v, n_links, -level.astype(float), len(nodes), level=level)
    first = np.where(hl <= hr, ml, mr)  # a match edge's h1 record
    h1_node = sub[np.concatenate([lr, first, fl])]
    # The components, numbered in order: each sees its edges in the order of all.
    comp_rank = np.cumsum(in_bad) - 1
    packed = _order_key(
        level, probability, spread, h1_node, record_hash[nodes[nodes < n_records]],
        comp_rank[labels[nodes[u]]],
    )  # fmt: skip
    in_tie = np.ones(len(u), dtype=bool) if packed is None else packed[3]
    vhash = np.zeros(n_values, dtype=np.uint64)
    hashed = _tied_values(lr, lv, in_tie)
    if len(hashed):
        vhash[hashed] = value_hash(hashed) if callable(value_hash) else value_hash[hashed]
    h1 = np.concatenate([record_hash[lr], np.minimum(hl, hr), record_hash[fl]])
    h2 = np.concatenate([vhash[lv], np.maximum(hl, hr), record_hash[fr]])
    if packed is None:  # the packed key would not fit in 62 bits
        order = np.lexsort((h2, h1, spread, -probability, level))
    else:
        order = _break_ties(packed[1], packed[2], in_tie, h2)

    # Limits of the sub-problem: the limited kinds, strongest first, then the attributes.
    limited = np.flatnonzero(limits > 0)
    limited = limited[np.lexsort((limited, -np.asarray(priorities, dtype=float)[limited]))]
    slot_of_kind = np.full(len(limits), -1, dtype=np.int64)
    slot_of_kind[limited] = np.arange(len(limited))
    slot_kind = np.concatenate([limited, len(limits) + np.arange(len(a_codes))]).astype(np.int64)
    packing = Kruskal(0, limits[limited].tolist(), a_caps, a_alike)
    apart_slot = packing.apart_slot
    node_comp = labels[nodes]
    edge_comp = node_comp[u]
    # Few edges a component and packed counts in 62 bits: split by counts over arrays,
    # else (one cannot-link alone) by the spanning forest, else by the pass in Python.
    count_comp[np.bincount(edge_comp, minlength=n_comp) > _COUNT_EDGES] = False
    if packing.width * len(limited) > 62:
        count_comp[:] = False
    fast_comp &= ~count_comp
    node_fast = fast_comp[node_comp]
    node_count = count_comp[node_comp]
    edge_slot = np.full(len(order), -1, dtype=np.int64)  # limit slot of each cut edge
    roots = np.empty(len(nodes), dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    if node_fast.any():
        fast_root = _split_apart(
            len(nodes), u, v, order, node_fast, sub[apart_l], sub[apart_r],
            apart_slot=apart_slot, edge_slot=edge_slot, rank=rank,
        )  # fmt: skip
        roots[node_fast] = len(nodes) + fast_root
    if node_count.any():
        value_slot = np.full(len(nodes), -1, dtype=np.int64)
        is_value = nodes >= n_records
        value_slot[is_value] = slot_of_kind[value_kind[nodes[is_value] - n_records]]
        shift = packing.width * np.maximum(value_slot, 0)
        counts = np.where(value_slot >= 0, np.left_shift(1, shift), 0)
        # Cannot-links of each component as bit pairs: its k-th (by index) marks its
        # ends with bits 2k and 2k + 1.
        in_count = count_comp[apart_comp]
        pair_j, pair_comp = apart_j[in_count], apart_comp[in_count]
        by_comp = np.lexsort((pair_j, pair_comp))
        pair_j, pair_comp = pair_j[by_comp], pair_comp[by_comp]
        pair_first = np.zeros(n_comp, dtype=np.int64)
        held, at = np.unique(pair_comp, return_index=True)
        pair_first[held] = at
        k = np.arange(len(pair_comp)) - pair_first[pair_comp]
        bits = np.zeros(len(nodes), dtype=np.int64)
        np.bitwise_or.at(bits, sub[apart_l[pair_j]], np.left_shift(1, 2 * k))
        np.bitwise_or.at(bits, sub[apart_r[pair_j]], np.left_shift(1, 2 * k + 1))
        count_root = _split_counts(
            u, v, order, node_count, node_comp, counts.astype(np.int64),
            bias=packing.bias, high=packing.high, width=packing.width,
            ceiling=packing.ceiling, forced_from=forced_from,
            edge_slot=edge_slot, pair_bits=bits, pair_first=pair_first, pair_j=pair_j,
            apart_slot=apart_slot,
        )  # fmt: skip
        roots[node_count] = 2 * len(nodes) + count_root[node_count]
    node_done = node_fast | node_count
    slow = np.flatnonzero(~node_done)
    shared_values: list[np.ndarray] = []
    shared_kind: list[np.ndarray] = []
    if len(slow):
        roots[slow] = _split_slow(
            slow, nodes, sub, u, v, order, lv, labels,
            n_records=n_records, n_links=n_links, forced_from=forced_from,
            value_kind=value_kind, slot_of_kind=slot_of_kind, slot_kind=slot_kind,
            caps=limits[limited].tolist(), a_codes=a_codes, a_caps=a_caps, a_alike=a_alike,
            apart_l=apart_l, apart_r=apart_r, unlink=unlink, edge_slot=edge_slot,
            shared_values=shared_values, shared_kind=shared_kind,
        )  # fmt: skip

    new = record_labels.astype(np.int64, copy=True)
    bad_records = nodes[nodes < n_records]
    new[bad_records] = int(labels.max()) + 1 + roots[sub[bad_records]]
    cut_edges = np.flatnonzero(edge_slot >= 0)
    if packed is None:
        cut_edges = cut_edges[np.argsort(rank[cut_edges])]  # in the order examined
    else:  # in the order of all edges (not component by component): order-free
        cut_edges = cut_edges[np.lexsort((h2[cut_edges], packed[0][cut_edges]))]
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


def _split_slow(
    slow: np.ndarray,
    nodes: np.ndarray,
    sub: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    order: np.ndarray,
    lv: np.ndarray,
    labels: np.ndarray,
    *,
    n_records: int,
    n_links: int,
    forced_from: int,
    value_kind: np.ndarray,
    slot_of_kind: np.ndarray,
    slot_kind: np.ndarray,
    caps: list[int],
    a_codes: list[np.ndarray],
    a_caps: list[int],
    a_alike: list[Alike | None],
    apart_l: np.ndarray,
    apart_r: np.ndarray,
    unlink: np.ndarray | None,
    edge_slot: np.ndarray,
    shared_values: list[np.ndarray],
    shared_kind: list[np.ndarray],
) -> np.ndarray:
    """The union-find pass in Python over the components no array path splits.

    ``slow`` are the sub-problem nodes of those components; they are numbered apart
    (``0 .. len(slow)-1``), and so are their edges, so that the pass builds its lists
    over them alone. Writes the slot of each cut edge into ``edge_slot``, appends the
    shared values and their limits; returns the root of every ``slow`` node.
    """
    n_slow = len(slow)
    local = np.full(len(nodes), -1, dtype=np.int64)
    local[slow] = np.arange(n_slow)
    is_slow = local >= 0
    slow_edge = np.flatnonzero(is_slow[u])  # ascending: links, matches, must-links
    eu, ev = local[u[slow_edge]], local[v[slow_edge]]
    local_forced = int(np.searchsorted(slow_edge, forced_from))
    local_order = np.searchsorted(slow_edge, order[is_slow[u[order]]])
    split = Kruskal(n_slow, caps, a_caps, a_alike)
    slow_nodes = nodes[slow]
    value_nodes = slow_nodes >= n_records
    node_slot = slot_of_kind[value_kind[slow_nodes[value_nodes] - n_records]]
    for node, slot in zip(
        np.flatnonzero(value_nodes).tolist(), node_slot.tolist(), strict=True
    ):  # one step per value of the components split here
        if slot >= 0:
            split.first_counts[node] = split.one(slot)
    record_at = np.flatnonzero(~value_nodes)
    for t, codes in enumerate(a_codes):  # one pass per attribute over the records
        mine = codes[slow_nodes[record_at]]
        have = mine >= 0
        first_sets = split.first_sets[t]
        for node, code in zip(record_at[have].tolist(), mine[have].tolist(), strict=True):
            first_sets[node] = frozenset((code,))
    if len(apart_l):  # both ends in the components split here
        sa, sb = sub[apart_l], sub[apart_r]
        here = np.flatnonzero((sa >= 0) & (sb >= 0))
        here = here[is_slow[sa[here]] & is_slow[sb[here]]]
        for j, x, y in zip(
            here.tolist(), local[sa[here]].tolist(), local[sb[here]].tolist(), strict=True
        ):  # one step per cannot-link of these components
            split.first_apart[x] = (split.first_apart[x] or frozenset()) | {2 * j}
            split.first_apart[y] = (split.first_apart[y] or frozenset()) | {2 * j + 1}
    split.reset(range(n_slow))

    us, vs = eu.tolist(), ev.tolist()
    slow_comp = labels[slow_nodes]
    edge_lv = np.full(len(slow_edge), -1, dtype=np.int64)  # the value of each link, else -1
    is_link = slow_edge < n_links
    edge_lv[is_link] = lv[slow_edge[is_link]]
    run = local_order
    shared = np.zeros(len(labels) - n_records, dtype=bool) if unlink is not None else None
    while True:  # one round, and one more per unlinking round
        cut, cut_slot = split.run(run.tolist(), us, vs, local_forced)
        edge_slot[slow_edge[run]] = -1
        cut_arr, slot_arr = np.asarray(cut, dtype=np.int64), np.asarray(cut_slot, dtype=np.int64)
        edge_slot[slow_edge[cut_arr]] = slot_arr
        if unlink is None or shared is None or not len(cut_arr):
            break
        # Values of unlinking kinds that lost a link, each with its first cut's limit.
        is_link = edge_lv[cut_arr] >= 0
        lost = edge_lv[cut_arr[is_link]]
        fresh = np.asarray(unlink, dtype=bool)[value_kind[lost]] & ~shared[lost]
        if not fresh.any():
            break
        new_values, first = np.unique(lost[fresh], return_index=True)
        shared_values.append(new_values)
        shared_kind.append(
            _slot_kinds(slot_arr[is_link][fresh][first], slot_kind, split.apart_slot)
        )
        shared[new_values] = True
        # Split the components that held them again, without any link of a shared value.
        touched = np.zeros(int(labels.max()) + 1, dtype=bool)
        touched[labels[new_values + n_records]] = True
        edge_touched = touched[slow_comp[eu]]
        edge_slot[slow_edge[edge_touched]] = -1
        dropped = (edge_lv >= 0) & shared[np.maximum(edge_lv, 0)]
        run = local_order[edge_touched[local_order] & ~dropped[local_order]]
        split.reset(np.flatnonzero(touched[slow_comp]).tolist())
    if shared is not None and shared_values:
        edge_slot[:n_links][shared[lv]] = -1
    return np.asarray([split.find(i) for i in range(n_slow)], dtype=np.int64)  # a find a node


def _order_key(
    level: np.ndarray,
    probability: np.ndarray,
    spread: np.ndarray,
    h1_node: np.ndarray,
    record_hash: np.ndarray,
    comp: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The link order but for the last key, from one sort of the other keys packed.

    Links are ordered by strength (``level``, 0 the strongest), probability (higher
    first), spread, the hash of a first record (``h1_node``: that record's node;
    records are the nodes ``0 .. len(record_hash)-1``), then a second hash. The first
    four pack into one int64, the *key*: strength, probability rank, spread and the
    rank of the record hash (equal hashes, equal ranks). Edges are examined component
    by component (``comp``, numbered in order), each in that order.

    Returns the key, the key with the component first, the edges stably sorted by
    the latter, and which edges share theirs with another edge: only their order
    reads the second hash (every edge, when two records share a hash: the order of
    all edges by key may then read it across components). ``None`` when the keys
    would not fit in 62 bits.

    Cost: a sort of the records' hashes and one stable sort of the packed keys, in
    place of a ``lexsort`` over five keys.
    """
    m = len(level)
    if not m:
        return _NO_INDEX, _NO_INDEX, _NO_INDEX, np.zeros(0, dtype=bool)
    ones = probability == 1.0
    probs = sorted_unique(np.concatenate([-probability[~ones], [-1.0]]))
    prob_rank = np.searchsorted(probs, -probability).astype(np.int64)
    hashes, record_rank = np.unique(record_hash, return_inverse=True)
    n_spread = int(spread.max()) + 1
    n_keys = (int(level.max()) + 1) * (len(probs) + 1) * n_spread * len(hashes)
    if n_keys * (int(comp.max()) + 1) >= 2**62:
        return None
    key = (level.astype(np.int64) * (len(probs) + 1) + prob_rank) * n_spread + spread
    key = key * len(hashes) + record_rank.reshape(-1)[h1_node]
    by_comp = comp.astype(np.int64) * n_keys + key
    order = np.argsort(by_comp, kind="stable")
    if len(hashes) < len(record_hash):
        return key, by_comp, order, np.ones(m, dtype=bool)
    ordered = by_comp[order]
    same = ordered[1:] == ordered[:-1]
    tie = np.zeros(m, dtype=bool)
    tie[1:] |= same
    tie[:-1] |= same
    in_tie = np.empty(m, dtype=bool)
    in_tie[order] = tie
    return key, by_comp, order, in_tie


def _break_ties(
    key: np.ndarray, order: np.ndarray, in_tie: np.ndarray, h2: np.ndarray
) -> np.ndarray:
    """``order`` (stable by ``key``) with the edges that share a key sorted by ``h2``.

    The runs of equal keys are contiguous in ``order``: one ``lexsort`` of the tied
    edges by (key, h2) puts each run in order in place, the ties of both by index.
    """
    at = np.flatnonzero(in_tie[order])
    if len(at):
        edges = order[at]
        order[at] = edges[np.lexsort((h2[edges], key[edges]))]
    return order


def _tied_values(lr: np.ndarray, lv: np.ndarray, in_tie: np.ndarray) -> np.ndarray:
    """The values whose hash can order a link: those of links tied before the value hash.

    Links are ordered by strength, probability, spread, the first record hash, then
    the value hash (:func:`enforce_limits`); ``in_tie`` marks the edges that share the
    first four with another edge (:func:`_order_key`). Only their values need a hash
    (a hash of the value's text). Returns the value indices, ascending.
    """
    if not len(lr):
        return _NO_INDEX
    tied = lv[in_tie[: len(lr)]]
    if not len(tied):
        return _NO_INDEX
    mark = np.zeros(int(tied.max()) + 1, dtype=bool)
    mark[tied] = True
    return np.flatnonzero(mark)


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
    rank: np.ndarray | None = None,
) -> np.ndarray:
    """Split the components that one cannot-link alone breaks, all at once over arrays.

    ``u, v`` are the edges of the sub-problem (nodes ``0 .. n_nodes-1``), ``order``
    the order the union-find pass would examine them in (``rank`` its inverse, if
    known); ``node_fast`` marks the nodes of the components to split here, each
    holding both ends of exactly one cannot-link ``j`` (``apart_u[j]``,
    ``apart_v[j]``; ``-1`` outside the sub-problem) and breaking no limit. Writes
    ``apart_slot + j`` into ``edge_slot`` for every edge cut and returns a label for
    each marked node (in ascending order of the nodes).

    Notes
    -----
    The union-find pass joins each edge's two sets unless both ends of the
    cannot-link would then be in one. With a single cannot-link (s, t) and no limit
    that can break (a part of a component holds no more values than the whole),
    its joins are exactly those of the unconstrained pass, Kruskal's spanning
    forest in ``order``, except the edge that first connects s and t: the latest
    edge of the forest's s-t path. So the parts are the forest's two trees without
    that edge, and the cuts are the edges between them. Computed for every
    component at once, its nodes numbered apart: ``minimum_spanning_tree`` with the
    examination rank as weight, a parallel binary search over each component's
    forest edges for the s-t bottleneck (one connected-components pass a halving,
    over the forest edges of the components still open), then one more pass
    without it. Cost: O(m log m) for the m edges of these components, no Python
    step per edge.
    """
    if rank is None:
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
    fast_nodes = np.flatnonzero(node_fast)
    n_fast = len(fast_nodes)
    local = np.full(n_nodes, -1, dtype=np.int64)
    local[fast_nodes] = np.arange(n_fast)
    edges = order[node_fast[u[order]]]  # in the order examined
    edges = edges[u[edges] != v[edges]]
    lu, lv = local[u[edges]], local[v[edges]]
    lo, hi = np.minimum(lu, lv), np.maximum(lu, lv)
    # Parallel edges: the first examined stands for them all (the rest close a cycle
    # or are cut with it); the spanning tree needs one weight a pair.
    _, first = np.unique(lo * n_fast + hi, return_index=True)
    graph = coo_matrix(
        (rank[edges[first]].astype(float) + 1.0, (lo[first], hi[first])), shape=(n_fast, n_fast)
    ).tocsr()
    tree = minimum_spanning_tree(graph).tocoo()
    t_rank = np.rint(tree.data).astype(np.int64) - 1
    t_rank.sort()  # the forest's edges in the order examined
    t_edge = order[t_rank]
    tu, tv = local[u[t_edge]], local[v[t_edge]]
    # The component of each forest edge and each cannot-link, numbered by its s end.
    comp = connected_components(n_fast, tu, tv)
    pairs = np.flatnonzero((apart_u >= 0) & (apart_v >= 0))
    pairs = pairs[node_fast[apart_u[pairs]] & node_fast[apart_v[pairs]]]
    s, t = local[apart_u[pairs]], local[apart_v[pairs]]
    pairs, s, t = pairs[comp[s] == comp[t]], s[comp[s] == comp[t]], t[comp[s] == comp[t]]
    pair_of_comp = np.full(n_fast, -1, dtype=np.int64)
    pair_of_comp[comp[s]] = np.arange(len(pairs))
    # Forest edges grouped by cannot-link, in the order examined within each group.
    group = pair_of_comp[comp[tu]]
    by_group = np.argsort(group, kind="stable")
    tu, tv, group = tu[by_group], tv[by_group], group[by_group]
    start = np.searchsorted(group, np.arange(len(pairs)))
    end = np.searchsorted(group, np.arange(len(pairs)), side="right")
    # The bottleneck: the first forest edge of its group after which s and t connect.
    low, high = start.copy(), end - 1
    open_ = np.flatnonzero(low < high)
    while len(open_):  # one pass a halving, over the groups still open
        mid = (low[open_] + high[open_]) // 2
        size = mid - start[open_] + 1
        at = np.repeat(start[open_] - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
        joined = connected_components(n_fast, tu[at], tv[at])
        together = joined[s[open_]] == joined[t[open_]]
        high[open_[together]] = mid[together]
        low[open_[~together]] = mid[~together] + 1
        open_ = open_[low[open_] < high[open_]]
    keep = np.ones(len(group), dtype=bool)
    keep[low] = False
    part = connected_components(n_fast, tu[keep], tv[keep])
    crossing = part[lu] != part[lv]
    edge_slot[edges[crossing]] = apart_slot + pairs[pair_of_comp[comp[lu[crossing]]]]
    return part


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


#: Every even bit of an int64: the first end of each cannot-link's bit pair.
_EVEN_BITS = np.int64(0x5555555555555555)


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
    ceiling: int,
    forced_from: int,
    edge_slot: np.ndarray,
    pair_bits: np.ndarray | None = None,
    pair_first: np.ndarray | None = None,
    pair_j: np.ndarray | None = None,
    apart_slot: int = 0,
) -> np.ndarray:
    """The union-find pass with packed limit counts, over every marked component at once.

    ``node_count`` marks the nodes of the components to split here (no attribute, no
    unlinking kind); ``first`` holds each node's packed counts and ``bias``, ``high``,
    ``width``, ``ceiling`` the packing of :class:`Kruskal`: a must-link that puts a
    set over a cap holds that count at ``cap + 1``, as :meth:`Kruskal.saturate` does,
    so that no slot carries into the next. Cannot-links come as bit pairs: the
    k-th cannot-link of component c (``pair_j[pair_first[c] + k]``) sets bit ``2k`` of
    ``pair_bits`` on its first end and ``2k + 1`` on its second; a union whose two
    sets hold the two bits of a pair is cut (after the limits, as the pass in Python
    checks them), reported for the lowest such pair, the smallest cannot-link.
    Step k examines the k-th edge (in ``order``) of every component together:
    components share no node, so their unions never meet, and each component sees
    its edges in the same order as the pass in Python, with the same joins and
    cuts. Writes the slot of each cut edge into ``edge_slot``; returns the root of
    every node (meaningful on ``node_count``). Cost: one vectorized step per edge of
    the largest component, O(m log n) in all.
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
    # Steps are few (at most _COUNT_EDGES a component): a radix sort of 16-bit keys.
    small = np.int16 if len(step) and int(step.max()) < 2**15 else np.int64
    by_step = np.argsort(step.astype(small), kind="stable")
    edges, step = edges[by_step], step[by_step]
    bounds = np.searchsorted(step, np.arange(int(step.max()) + 2 if len(step) else 1))
    parent = np.arange(n_nodes, dtype=np.int64)
    size = np.ones(n_nodes, dtype=np.int64)
    counts = np.asarray(first, dtype=np.int64).copy()
    bits = None if pair_bits is None or not pair_bits.any() else pair_bits.copy()
    bias64, high64 = np.int64(bias), np.int64(high)
    for k in range(len(bounds) - 1):  # one step per edge of the largest component
        e = edges[bounds[k] : bounds[k + 1]]
        ends = _find(parent, np.concatenate([u[e], v[e]]))
        a, b = ends[: len(e)], ends[len(e) :]
        apart = a != b
        e, a, b = e[apart], a[apart], b[apart]
        total = counts[a] + counts[b]
        free = e < forced_from  # must-links: joined whatever the limits
        over = (total + bias64) & high64
        if not free.all():  # a count over its cap held at cap + 1: no slot carries
            mask = (over[~free] >> np.int64(width - 1)) * np.int64((1 << width) - 1)
            total[~free] = (total[~free] & ~mask) | (np.int64(ceiling) & mask)
        over[~free] = 0
        cut = over != 0
        if cut.any():
            lowest = over[cut] & -over[cut]  # the first limit broken: its lowest bit
            edge_slot[e[cut]] = (np.log2(lowest.astype(float)).astype(np.int64)) // width
        if bits is not None and pair_first is not None and pair_j is not None:
            ba, bb = bits[a], bits[b]
            hit = ((ba & (bb >> 1)) | (bb & (ba >> 1))) & _EVEN_BITS
            hit[~free | cut] = 0
            split = hit != 0
            if split.any():
                lowest = hit[split] & -hit[split]  # the smallest cannot-link broken
                pair = np.log2(lowest.astype(float)).astype(np.int64) // 2
                j = pair_j[pair_first[node_comp[u[e[split]]]] + pair]
                edge_slot[e[split]] = apart_slot + j
                cut |= split
        a, b, total = a[~cut], b[~cut], total[~cut]
        swap = size[a] < size[b]
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        parent[b] = a
        size[a] += size[b]
        counts[a] = total
        if bits is not None:
            bits[a] = bits[a] | bits[b]
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
    u: np.ndarray,
    v: np.ndarray,
    n_links: int,
    priority: np.ndarray,
    n_nodes: int,
    *,
    level: np.ndarray | None = None,
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
    bridges them. ``level``, if given, ranks the priorities (0 the strongest).

    Cost: the levels from the strongest down, each joining its links into the
    groups of the stronger ones (one connected-components pass over the groups and
    the level's links), O(levels * n_nodes + m log m).
    """
    spread = np.zeros(len(u), dtype=np.int64)
    if not len(u):
        return spread
    if level is None:
        _, level = np.unique(-np.asarray(priority, dtype=float), return_inverse=True)
        level = level.reshape(-1)
    # Few levels: a radix sort of 16-bit keys.
    small = np.int16 if int(level.max()) < 2**15 else np.int64
    by_level = np.argsort(level.astype(small), kind="stable")
    bounds = np.searchsorted(level[by_level], np.arange(int(level.max()) + 2))
    group = np.arange(n_nodes, dtype=np.int64)  # the groups of the stronger links
    grouped = np.zeros(n_nodes, dtype=bool)  # records with a stronger link
    for i in range(len(bounds) - 1):  # the few levels, the strongest first: it spreads 0
        at = by_level[bounds[i] : bounds[i + 1]]
        if i and len(at):
            links = at[at < n_links]
            keep = grouped[u[links]]
            # (value, group) pairs
            pairs = sorted_unique(v[links][keep] * n_nodes + group[u[links]][keep])
            per_value = np.bincount(pairs // n_nodes, minlength=n_nodes)
            spread[links] = per_value[v[links]]
            edges = at[at >= n_links]
            ends = grouped[u[edges]].astype(np.int64) + grouped[v[edges]]
            spread[edges] = np.where(ends == 2, 1 + (group[u[edges]] != group[v[edges]]), ends)
        if i + 2 < len(bounds) and len(at):  # join this level's links into the groups
            group = _join_groups(group, u[at], v[at])
            grouped[u[at]] = True
            grouped[v[at]] = True
    return spread


def _join_groups(group: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``group`` (a group id for every node) with the groups of ``a[i]`` and ``b[i]`` joined.

    A joined group takes the smallest id among the groups it joins; the others keep
    theirs. One connected-components pass over the groups the edges touch alone (a
    level of few links touches few), and a few O(n) steps over the nodes.
    """
    ga, gb = group[a], group[b]
    touched = np.zeros(len(group), dtype=bool)
    touched[ga] = True
    touched[gb] = True
    ids = np.flatnonzero(touched)
    local = np.cumsum(touched) - 1
    joined = connected_components(len(ids), local[ga], local[gb])
    # Components come numbered in order of their smallest member: its first occurrence.
    first = np.ones(len(joined), dtype=bool)
    first[1:] = joined[1:] > np.maximum.accumulate(joined)[:-1]
    remap = np.arange(len(group), dtype=np.int64)
    remap[ids] = ids[first][joined]
    out: np.ndarray = remap[group]
    return out
