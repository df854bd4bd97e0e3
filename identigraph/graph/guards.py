"""Per-person limits: split person clusters that hold more values of a kind than allowed.

The identity graph links records through shared identifier values and match
edges; its connected components are persons. An identifier spec may cap the
distinct values of its kind one person holds (``Key("crm_id", max_per_person=1)``).
After the unconstrained components are computed, :func:`enforce_limits` finds the
components that break a cap and splits only those, cutting the weakest links first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.graph._display import link_display, record_keys, value_hashes
from identigraph.graph._incremental import (
    edge_rows,
    records_of_persons,
    region_index,
    value_carriers,
)

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


@dataclass(frozen=True, slots=True)
class LimitSplit:
    """Result of :func:`enforce_limits`.

    Attributes
    ----------
    labels : numpy.ndarray of int64
        Component of each record after the split, numbered ``0 .. k-1`` in order of
        each component's smallest record.
    cut_links, cut_matches : numpy.ndarray of int64
        Indices into the identifier-link and match-edge arrays of the links cut.
    cut_link_kind, cut_match_kind : numpy.ndarray of int64
        For each cut, the kind whose limit the link would have broken.
    """

    labels: np.ndarray
    cut_links: np.ndarray
    cut_link_kind: np.ndarray
    cut_matches: np.ndarray
    cut_match_kind: np.ndarray


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


def _violating(
    labels: np.ndarray, n_records: int, value_kind: np.ndarray, limits: np.ndarray
) -> np.ndarray:
    """Components holding more distinct values of a limited kind than its limit."""
    value_comp = labels[n_records:]
    n_comp = int(labels.max()) + 1 if len(labels) else 0
    over = np.zeros(n_comp, dtype=bool)
    for kind in np.flatnonzero(limits > 0).tolist():  # one pass per limited kind
        held = np.bincount(value_comp[value_kind == kind], minlength=n_comp)
        over |= held > limits[kind]
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
    links); the email links of records 0 and 2 are cut.

    Notes
    -----
    Only components that break a limit are re-examined; the check is one
    ``numpy.bincount`` over the values per limited kind, O(n_values + components).

    A breaking component is split Kruskal-style. Its links are sorted strongest
    first: by priority (the kind's ``priority`` for identifier links,
    ``match_priority`` for match edges), then by probability (1 for identifier
    links), then by the records' and values' stable hashes, never by row order.
    Starting from single nodes, each link in that order joins its two sets unless
    the union would hold more distinct values of a limited kind than allowed; then
    the link is cut. The result therefore depends only on the links, their
    strengths and the hashes, not on input order; it keeps every link that can be
    kept given the stronger ones, and it is minimal in that adding back any one
    cut link would break a limit. A single record carrying more values than
    allowed keeps the strongest of them. Cost: O(m log m) to sort the m links of
    the breaking components plus a union-find pass over them in Python, about a
    microsecond a link.
    """
    n_values = len(labels) - n_records
    limits = np.asarray(limits, dtype=np.int64)
    record_labels = labels[:n_records]
    if match_probability is None:
        match_probability = np.ones(len(match_l))
    bad = _violating(labels, n_records, np.asarray(value_kind, dtype=np.int64), limits)
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
    order = np.lexsort((h2, h1, -probability, -priority))

    # Per-set counts of distinct values of each limited kind, strongest kind first.
    limited = np.flatnonzero(limits > 0)
    limited = limited[np.lexsort((limited, -np.asarray(priorities, dtype=float)[limited]))]
    slot_of_kind = np.full(len(limits), -1, dtype=np.int64)
    slot_of_kind[limited] = np.arange(len(limited))
    caps = limits[limited].tolist()
    n_slots = len(caps)
    counts: list[list[int]] = [[0] * n_slots for _ in range(len(nodes))]
    node_slot = slot_of_kind[value_kind[nodes[nodes >= n_records] - n_records]]
    for node, slot in zip(
        sub[nodes[nodes >= n_records]].tolist(), node_slot.tolist(), strict=True
    ):  # one pass over the values of the breaking components
        if slot >= 0:
            counts[node][slot] = 1

    parent = list(range(len(nodes)))
    size = [1] * len(nodes)
    cut: list[int] = []
    cut_slot: list[int] = []
    us, vs = u.tolist(), v.tolist()
    for e in order.tolist():  # Kruskal over the links of the breaking components
        a, b = us[e], vs[e]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a == b:
            continue
        ca, cb = counts[a], counts[b]
        broken = -1
        for s in range(n_slots):
            if ca[s] + cb[s] > caps[s]:
                broken = s
                break
        if broken >= 0:
            cut.append(e)
            cut_slot.append(broken)
            continue
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        counts[a] = [x + y for x, y in zip(ca, cb, strict=True)]

    roots = np.array(
        [_root(parent, int(i)) for i in range(len(nodes))], dtype=np.int64
    )  # one find per node of the breaking components
    new = record_labels.astype(np.int64, copy=True)
    bad_records = nodes[nodes < n_records]
    new[bad_records] = int(labels.max()) + 1 + roots[sub[bad_records]]
    cut_arr = np.asarray(cut, dtype=np.int64)
    cut_kind = limited[np.asarray(cut_slot, dtype=np.int64)].astype(np.int64)
    is_link = cut_arr < len(lr)
    return LimitSplit(
        labels=_compact(new),
        cut_links=links[cut_arr[is_link]],
        cut_link_kind=cut_kind[is_link],
        cut_matches=matches[cut_arr[~is_link] - len(lr)],
        cut_match_kind=cut_kind[~is_link],
    )


def _root(parent: list[int], x: int) -> int:
    while parent[x] != x:
        x = parent[x]
    return x


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
    """Sorted unique values of the graph's cut identifier links, cached per cut table."""
    cuts = graph._cuts
    cached = graph._cut_values
    if cached is None or cached[0] is not cuts:
        cached = (cuts, np.unique(cuts.val[cuts.val >= 0]))
        graph._cut_values = cached
    return cached[1]


def close_over_cuts(graph: IdentityGraph, affected: np.ndarray) -> np.ndarray:
    """Add to ``affected`` the persons that cut links tie to it, transitively.

    A region re-resolved with its cut links must hold every person those links
    reach, so that an update splits exactly as a rebuild from scratch would.

    Notes
    -----
    A breadth-first walk from ``affected``: each step looks up the records of the
    frontier persons, the cut values they carry and those values' carriers, and the
    match cuts that end in the frontier. Cost: nothing without cut links; otherwise
    O(records of the persons reached + their cut values' carriers + cuts) per step.
    """
    cuts = graph._cuts
    if not len(cuts) or not len(affected):
        return affected
    alive = graph._rec_alive
    person = graph._person
    ident = cuts.val >= 0
    values = _cut_values(graph)
    values = values[~graph._generic_mask(values)]
    match = ~ident & alive[cuts.rec] & alive[np.maximum(cuts.other, 0)]
    m_l, m_r = person[cuts.rec[match]], person[cuts.other[match]]
    reached = np.unique(affected[affected >= 0])
    frontier = reached
    while len(frontier):
        carried = graph._edge_val[edge_rows(graph, records_of_persons(graph, frontier))]
        at = np.minimum(np.searchsorted(values, carried), max(len(values) - 1, 0))
        hit = values[at] == carried if len(values) else np.zeros(len(carried), dtype=bool)
        tied = person[value_carriers(graph, carried[hit])]
        ends = np.isin(m_l, frontier) | np.isin(m_r, frontier)
        found = np.concatenate([tied, m_l[ends], m_r[ends]])
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

    Parameters
    ----------
    graph : IdentityGraph
        The graph, whose ``_cuts`` are updated for the region.
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
    if not (limits > 0).any():
        return labels[:n_rec]
    n_values = len(labels) - n_rec
    v_code = np.empty(n_values, dtype=np.int64)
    v_code[link_val] = e_val
    m_l = m_r = _NO_INDEX
    prob = np.empty(0, dtype=float)
    if len(graph._match):
        ml = region_index(region, graph._match["rec_l"].to_numpy())
        mr = region_index(region, graph._match["rec_r"].to_numpy())
        both = (ml >= 0) & (mr >= 0)
        m_l, m_r = ml[both], mr[both]
        prob = graph._match["match_probability"].to_numpy(dtype=float)[both]
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
    )
    old = graph._cuts
    keep = np.ones(len(old), dtype=bool)
    if len(old):
        keep = (region_index(region, old.rec) < 0) & graph._rec_alive[old.rec]
        has_other = old.other >= 0
        others = old.other[has_other]
        keep[has_other] &= (region_index(region, others) < 0) & graph._rec_alive[others]
    links, matches = split.cut_links, split.cut_matches
    # A cut match edge is listed from the end with the smaller record hash: order-free.
    left, right = region[m_l[matches]], region[m_r[matches]]
    swap = graph._rec_hash[left] > graph._rec_hash[right]
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    new = CutLinks(
        rec=np.concatenate([region[e_rec[links]], left]),
        val=np.concatenate([e_val[links], np.full(len(matches), -1, dtype=np.int64)]),
        other=np.concatenate([np.full(len(links), -1, dtype=np.int64), right]),
        kind=np.concatenate([split.cut_link_kind, split.cut_match_kind]),
        probability=np.concatenate([np.full(len(links), np.nan), prob[matches]]),
    )
    graph._cuts = old.take(keep).concat(new)
    return split.labels


def conflicts_frame(graph: IdentityGraph) -> pd.DataFrame:
    """The cut links of ``graph`` as :meth:`IdentityGraph.conflicts` shows them."""
    cuts = graph._cuts
    if len(cuts):
        alive = graph._rec_alive
        cuts = cuts.take(alive[cuts.rec] & ((cuts.other < 0) | alive[np.maximum(cuts.other, 0)]))
    n = len(cuts)
    source, record_id = record_keys(graph, cuts.rec)
    ident = cuts.val >= 0
    kind_names = np.array([p.name for p in graph._policies] or [""], dtype=object)
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
            "reason": "max_per_person",
            "limit": pd.Series(kind_names[cuts.kind] if n else [], dtype=object),
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
    out: np.ndarray = holder.reindex(values).fillna(-1).to_numpy(dtype=np.int64)
    return out
