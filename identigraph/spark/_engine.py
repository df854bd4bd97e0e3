"""The in-memory engine's functions, as the Spark backend calls them: arrays and pandas only.

Every use of the graph engine's functions by :mod:`identigraph.spark` goes through
this module, so that the Spark backend computes exactly what the pandas engine
computes: the same extraction and normalization of identifier values, the same
record hashes, the same per-person limit split (:func:`resolve_region` of
:mod:`identigraph.graph.core`) and the same person-id rules. Nothing here imports
pyspark; each function takes and returns numpy arrays or pandas frames, and runs
inside a Spark task on one batch or one group of whole components.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from identigraph._unique import sorted_unique
from identigraph.graph.core import (
    KindLimits,
    LimitSplit,
    NoIssuedIds,
    SurvivorPolicy,
    assign_ids,
    extract_keys,
    record_hashes,
    resolve_region,
)
from identigraph.graph.core.mask import MaskStyle, mask_key
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Email, Identifier, Phone

__all__ = [
    "CONFLICT_COLUMNS",
    "Kinds",
    "Split",
    "assign_group_ids",
    "check_specs",
    "extract",
    "node_ids",
    "person_ids",
    "split_regions",
]

_SIGN = np.uint64(1 << 63)
_MASK63 = np.int64(0x7FFF_FFFF_FFFF_FFFF)
_NO_INDEX = np.empty(0, dtype=np.int64)

#: Columns of :attr:`Split.conflicts`, those of ``IdentityGraph.conflicts`` (ids as text).
CONFLICT_COLUMNS = (
    "source", "record_id", "person_id", "kind", "value", "other_source", "other_record_id",
    "other_person_id", "match_probability", "reason", "limit", "override_reason",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Kinds:
    """The identifier kinds of a set of specs, their policies and the attributes' caps.

    Attributes
    ----------
    kinds : tuple of str
        Kind names, in order of first use; an edge's kind is an index into them.
    spec_kind : tuple of int
        Kind index of each identifier spec.
    max_records : tuple of int or None
        Per kind: values carried by more records are generic and link nobody.
    max_per_person : tuple of int or None
        Per kind: most distinct values one person may hold.
    priorities : tuple of float
        Per kind: strength of its links (weaker links are cut first).
    unlink : tuple of bool
        Per kind: whether a value that loses a link stops linking (``on_shared="unlink"``).
    styles : tuple of str
        Per kind: how its link keys are masked for display.
    attributes : tuple of Attribute
        The attributes, whose caps and ``alike`` rules the split applies.
    """

    kinds: tuple[str, ...]
    spec_kind: tuple[int, ...]
    max_records: tuple[int | None, ...]
    max_per_person: tuple[int | None, ...]
    priorities: tuple[float, ...]
    unlink: tuple[bool, ...]
    styles: tuple[MaskStyle, ...]
    attributes: tuple[Attribute, ...]

    @property
    def capped(self) -> bool:
        """Whether any kind or attribute limits a person."""
        return any(m for m in self.max_per_person) or bool(self.attributes)


def _style(spec: Identifier) -> MaskStyle:
    if isinstance(spec, Email):
        return "email"
    if isinstance(spec, Phone):
        return "phone"
    return "text"


def check_specs(identifiers: Sequence[Identifier], attributes: Sequence[Attribute]) -> Kinds:
    """Check specs as the pandas engine does and return their kinds and policies.

    Raises
    ------
    ConfigError
        Not identifier specs, a column named twice, kinds that disagree on their
        limits, or bad attributes (the same checks as :class:`IdentityGraph`).

    Examples
    --------
    >>> import identigraph as ig
    >>> kinds = check_specs([ig.Email("a"), ig.Email("b"), ig.Key("crm", max_per_person=1)], [])
    >>> kinds.kinds, kinds.spec_kind, kinds.max_per_person
    (('email', 'crm'), (0, 0, 1), (None, 1))
    """
    from identigraph import IdentityGraph  # the public constructor's checks, nothing else

    graph = IdentityGraph(identifiers, attributes=attributes)
    specs = list(graph.identifiers)
    order = tuple(dict.fromkeys(spec.kind for spec in specs))
    by_kind: dict[str, Identifier] = {}
    for spec in specs:  # the first spec of a kind stands for it (they agree on policies)
        by_kind.setdefault(spec.kind, spec)
    return Kinds(
        kinds=order,
        spec_kind=tuple(order.index(spec.kind) for spec in specs),
        max_records=tuple(by_kind[k].max_records for k in order),
        max_per_person=tuple(by_kind[k].max_per_person for k in order),
        priorities=tuple(float(by_kind[k].priority) for k in order),
        unlink=tuple(by_kind[k].on_shared == "unlink" for k in order),
        styles=tuple(_style(by_kind[k]) for k in order),
        attributes=tuple(graph.attributes),
    )


def node_ids(source: str, record_ids: pd.Index) -> np.ndarray:
    """Record hashes as signed 64-bit node ids whose order is the hashes' unsigned order.

    The sign bit is flipped, so the smallest node of a component holds the
    smallest record hash, from which the pandas engine derives a new person's id.

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = node_ids("crm", pd.Index([1, 2]))
    >>> nodes.dtype.name, len(set(nodes.tolist()))
    ('int64', 2)
    """
    hashes = record_hashes(source, record_ids)
    out: np.ndarray = (hashes ^ _SIGN).view(np.int64)
    return out


def _hashes(nodes: np.ndarray) -> np.ndarray:
    """Record hashes back from node ids (see :func:`node_ids`)."""
    out: np.ndarray = np.asarray(nodes, dtype=np.int64).view(np.uint64) ^ _SIGN
    return out


def person_ids(min_nodes: np.ndarray) -> np.ndarray:
    """Person id of a new person from its smallest node id (see :func:`node_ids`).

    Examples
    --------
    >>> import numpy as np
    >>> person_ids(np.array([-1, 5])).tolist()
    [9223372036854775807, 5]
    """
    out: np.ndarray = np.asarray(min_nodes, dtype=np.int64) & _MASK63
    return out


def extract(
    frame: pd.DataFrame,
    identifiers: Sequence[Identifier],
    attributes: Sequence[Attribute],
    *,
    attribute_frame: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Link keys, rejects and attribute values of the rows of one frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of one source; identifier and attribute columns it lacks are skipped.
    identifiers, attributes : sequence
        All the specs, so that spec indexes are global.
    attribute_frame : pandas.DataFrame, optional
        The same rows, from which the attributes' columns are read instead
        (``frame`` may hold text as Arrow for the normalizers, this as objects).

    Returns
    -------
    edges : pandas.DataFrame
        ``row, spec, key``: row position, spec index and link key, one row per
        record and distinct key of a kind (a second column of the same kind giving
        the same key is dropped, as the pandas engine drops it).
    rejects : pandas.DataFrame
        ``row, spec, reason``.
    attribute_values : pandas.DataFrame
        ``row, attribute, value``: transformed attribute values as text, missing
        ones left out.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> frame = pd.DataFrame({"a": ["ann@mail.com", "n/a"], "b": ["Ann@Mail.com", None]})
    >>> edges, rejects, _ = extract(frame, [ig.Email("a"), ig.Email("b")], [])
    >>> edges["row"].tolist(), rejects["reason"].tolist()
    ([0], ['junk_value'])
    """
    specs = [(i, s) for i, s in enumerate(identifiers) if s.column in frame.columns]
    got = extract_keys(frame, specs, None, 0)
    edges = pd.DataFrame(
        {
            "row": got.rec.astype(np.int64),
            "spec": got.spec.astype(np.int32),
            "key": pd.Series(got.new_keys[got.val] if len(got.val) else [], dtype=object),
        }
    )
    kind_names = [s.kind for _, s in specs]
    if len(set(kind_names)) < len(kind_names) and len(edges):  # two columns of one kind
        kind_of = {spec_id: kind_names.index(s.kind) for spec_id, s in specs}
        kind_index = np.zeros(len(identifiers), dtype=np.int64)
        kind_index[list(kind_of)] = list(kind_of.values())
        key_code, _ = pd.factorize(np.asarray(got.new_keys, dtype=object))
        repeated = pd.DataFrame(
            {"r": got.rec, "k": kind_index[got.spec], "c": key_code[got.val]}
        ).duplicated()
        edges = edges[~repeated.to_numpy()].reset_index(drop=True)
    rejects = pd.DataFrame(
        {
            "row": got.reject_rec.astype(np.int64),
            "spec": got.reject_spec.astype(np.int32),
            "reason": pd.Series(got.reject_reason, dtype=object),
        }
    )
    rows, names, values = [], [], []
    held = frame if attribute_frame is None else attribute_frame
    for t, attribute in enumerate(attributes):  # one step per attribute
        if attribute.column not in held.columns:
            continue
        transformed = attribute.values(held[attribute.column])
        present = np.flatnonzero(~pd.isna(transformed))
        rows.append(present)
        names.append(np.full(len(present), t, dtype=np.int32))
        # The pandas engine holds attribute values as text in its vocabularies.
        values.append(np.asarray([str(v) for v in transformed[present]], dtype=object))
    attribute_values = pd.DataFrame(
        {
            "row": np.concatenate([*rows, np.empty(0, np.int64)]).astype(np.int64),
            "attribute": np.concatenate([*names, np.empty(0, np.int32)]).astype(np.int32),
            "value": pd.Series(np.concatenate([*values, np.empty(0, object)]), dtype=object),
        }
    )
    return edges, rejects, attribute_values


@dataclass(frozen=True, slots=True)
class Split:
    """Result of :func:`split_regions`: the persons of whole components after the limits.

    Attributes
    ----------
    clusters : pandas.DataFrame
        ``node, person_id`` of every record given.
    conflicts : pandas.DataFrame
        The links cut, in :data:`CONFLICT_COLUMNS` (``other_person_id`` ``-1``
        where no person holds the value).
    """

    clusters: pd.DataFrame
    conflicts: pd.DataFrame


def _alike_functions(
    attributes: Sequence[Attribute], vocabularies: Sequence[np.ndarray]
) -> list[Callable[[int, int], bool] | None]:
    """For each attribute, whether two of its codes are alike (``None``: only equal codes)."""
    out: list[Callable[[int, int], bool] | None] = []
    for attribute, vocabulary in zip(attributes, vocabularies, strict=True):  # per attribute
        if attribute.alike is None:
            out.append(None)
            continue
        seen: dict[tuple[int, int], bool] = {}

        def alike(
            a: int, b: int, attribute: Attribute = attribute, words: np.ndarray = vocabulary,
            seen: dict[tuple[int, int], bool] = seen,
        ) -> bool:  # fmt: skip
            key = (a, b) if a < b else (b, a)
            found = seen.get(key)
            if found is None:
                found = seen[key] = a == b or attribute.is_alike(str(words[a]), str(words[b]))
            return found

        out.append(alike)
    return out


def _positions(nodes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index in ``nodes`` (unique) of each of ``wanted`` (all present)."""
    order = np.argsort(nodes, kind="stable")
    out: np.ndarray = order[np.searchsorted(nodes, wanted, sorter=order)]
    return out


def split_regions(
    records: pd.DataFrame,
    links: pd.DataFrame,
    attribute_values: pd.DataFrame,
    matches: pd.DataFrame,
    kinds: Kinds,
    must: pd.DataFrame | None = None,
    apart: pd.DataFrame | None = None,
    policy: SurvivorPolicy | None = None,
) -> Split:
    """Resolve whole components, limits included, exactly as the pandas engine does.

    One call takes any number of whole components (a region closed under links)
    and resolves them together with :func:`identigraph.graph.core.resolve_region`,
    the function the pandas engine calls.

    Parameters
    ----------
    records : pandas.DataFrame
        ``node, source, record_id``: every record of the components (record ids as text).
    links : pandas.DataFrame
        ``node, kind, key``: usable identifier links (values generic in the full
        data left out), ``kind`` an index into ``kinds.kinds``.
    attribute_values : pandas.DataFrame
        ``node, attribute, value``: transformed attribute values as text.
    matches : pandas.DataFrame
        ``node_l, node_r, match_probability``: accepted match pairs.
    kinds : Kinds
        The run's kinds, policies and attributes.
    must, apart : pandas.DataFrame, optional
        ``node_l, node_r`` (and ``reason`` for ``apart``): must-links, which no
        limit cuts, and cannot-links, whose ends the weakest links are cut to
        keep apart, as :meth:`IdentityGraph.must_link` and ``cannot_link`` do.
    policy : SurvivorPolicy, optional
        The survivor policy, whose ``"source:NAME"`` criteria pick the record a
        new person's id derives from (default: its smallest record hash).

    Returns
    -------
    Split

    Examples
    --------
    Two records share a key value but each has its own CRM key, capped at one:

    >>> import pandas as pd
    >>> import identigraph as ig
    >>> kinds = check_specs([ig.Key("crm", max_per_person=1), ig.Email("email")], [])
    >>> records = pd.DataFrame({"node": [1, 2], "source": "s", "record_id": ["a", "b"]})
    >>> links = pd.DataFrame({"node": [1, 2, 1, 2], "kind": [0, 0, 1, 1],
    ...                       "key": ["K1", "K2", "e", "e"]})
    >>> none = pd.DataFrame({"node": [], "attribute": [], "value": []})
    >>> no_pairs = pd.DataFrame({"node_l": [], "node_r": [], "match_probability": []})
    >>> out = split_regions(records, links, none, no_pairs, kinds)
    >>> out.clusters["person_id"].nunique(), out.conflicts["limit"].tolist()
    (2, ['crm'])

    Notes
    -----
    A component's split depends on its own records, values and links only, and
    person ids derive from record hashes, so resolving components apart (in any
    grouping) gives the persons and ids of one resolution of all the records.
    Cost: that of :func:`resolve_region` on the records given, O(n log n).
    """
    nodes = records["node"].to_numpy(dtype=np.int64)
    n = len(nodes)
    link_rec = _positions(nodes, links["node"].to_numpy(dtype=np.int64))
    link_kind = links["kind"].to_numpy(dtype=np.int64)
    keys = links["key"].to_numpy(dtype=object)
    # A value is a (kind, key) pair; codes number them in order of first link.
    value_of, distinct = pd.factorize(
        pd.MultiIndex.from_arrays([link_kind, keys]) if len(links) else pd.Index([])
    )
    value_of = np.asarray(value_of, dtype=np.int64)
    n_values = len(distinct)
    value_kind = np.zeros(n_values, dtype=np.int64)
    value_key = np.empty(n_values, dtype=object)
    value_kind[value_of] = link_kind
    value_key[value_of] = keys
    salt = pd.util.hash_array(np.asarray(kinds.kinds, dtype=object))
    value_hash = np.asarray(
        pd.util.hash_array(value_key) ^ salt[value_kind] if n_values else _NO_INDEX,
        dtype=np.uint64,
    )

    # Match pairs as IdentityGraph.link keeps them: one per record pair, the most probable.
    m_l = _positions(nodes, matches["node_l"].to_numpy(dtype=np.int64))
    m_r = _positions(nodes, matches["node_r"].to_numpy(dtype=np.int64))
    prob = matches["match_probability"].to_numpy(dtype=float)
    pair = pd.DataFrame({"l": np.minimum(m_l, m_r), "r": np.maximum(m_l, m_r), "p": prob})
    pair = (
        pair[pair["l"] != pair["r"]]
        .sort_values("p", ascending=False, kind="stable")
        .drop_duplicates(["l", "r"])
        .sort_values(["l", "r"], ignore_index=True)
    )
    m_l, m_r = pair["l"].to_numpy(dtype=np.int64), pair["r"].to_numpy(dtype=np.int64)
    prob = pair["p"].to_numpy(dtype=float)

    attr_codes, vocabularies = [], []
    att_node = attribute_values["node"].to_numpy(dtype=np.int64)
    att_index = attribute_values["attribute"].to_numpy(dtype=np.int64)
    att_value = attribute_values["value"].to_numpy(dtype=object)
    for t in range(len(kinds.attributes)):  # one step per attribute
        mine = np.flatnonzero(att_index == t)
        codes = np.full(n, -1, dtype=np.int64)
        local, vocabulary = pd.factorize(att_value[mine])
        codes[_positions(nodes, att_node[mine])] = local
        attr_codes.append(codes)
        vocabularies.append(np.asarray(vocabulary, dtype=object))
    no_pairs = pd.DataFrame({"node_l": _NO_INDEX, "node_r": _NO_INDEX, "reason": []})
    must = no_pairs if must is None else must
    apart = no_pairs if apart is None else apart
    must_l = _positions(nodes, must["node_l"].to_numpy(dtype=np.int64))
    must_r = _positions(nodes, must["node_r"].to_numpy(dtype=np.int64))
    apart_l = _positions(nodes, apart["node_l"].to_numpy(dtype=np.int64))
    apart_r = _positions(nodes, apart["node_r"].to_numpy(dtype=np.int64))
    limits = None
    if kinds.capped or len(apart_l):  # cannot-links need limits, even with none limited
        limits = KindLimits(
            limits=np.array([m or 0 for m in kinds.max_per_person], dtype=np.int64),
            priorities=np.array(kinds.priorities, dtype=float),
            unlink=np.array(kinds.unlink, dtype=bool),
            attr_caps=[a.max_per_person for a in kinds.attributes],
            attr_alike=_alike_functions(kinds.attributes, vocabularies),
        )
    record_hash = _hashes(nodes)
    has_source = None
    if policy is not None and policy.sources:
        names = np.asarray(policy.sources, dtype=object)
        has_source = records["source"].to_numpy(dtype=object)[:, None] == names[None, :]
    result = resolve_region(
        n,
        link_rec,
        value_of,
        record_hash=record_hash,
        old_ids=np.full(n, -1, dtype=np.int64),
        issued=NoIssuedIds(),
        match_l=m_l,
        match_r=m_r,
        match_probability=prob,
        value_kind=value_kind,
        value_hash=value_hash,
        limits=limits,
        attr_codes=attr_codes if limits is not None else (),
        must_l=must_l,
        must_r=must_r,
        apart_l=apart_l,
        apart_r=apart_r,
        survivor=policy,
        has_source=has_source,
    )
    person = result.person_ids
    clusters = pd.DataFrame({"node": nodes, "person_id": person})
    conflicts = _conflicts(
        records, result.split, person, link_rec, value_of, value_kind, value_key,
        value_hash, record_hash, m_l, m_r, prob, kinds,
        apart["reason"].to_numpy(dtype=object) if "reason" in apart else np.empty(0, object),
    )  # fmt: skip
    return Split(clusters=clusters, conflicts=conflicts)


def _conflicts(
    records: pd.DataFrame,
    split: LimitSplit | None,
    person: np.ndarray,
    link_rec: np.ndarray,
    link_val: np.ndarray,
    value_kind: np.ndarray,
    value_key: np.ndarray,
    value_hash: np.ndarray,
    record_hash: np.ndarray,
    m_l: np.ndarray,
    m_r: np.ndarray,
    prob: np.ndarray,
    kinds: Kinds,
    apart_reason: np.ndarray,
) -> pd.DataFrame:
    """The cut links of a split, as ``IdentityGraph.conflicts`` lists them (values masked).

    A cut's limit is a kind or attribute index, or ``-1 - j`` for cannot-link ``j``.
    """
    if split is None:
        return pd.DataFrame({c: [] for c in CONFLICT_COLUMNS})
    links, link_limit = split.cut_links, split.cut_link_kind
    shared = np.zeros(len(value_kind), dtype=bool)
    if len(split.shared_values):  # every link of a shared value, with its limit
        limit_of = np.full(len(value_kind), -1, dtype=np.int64)
        limit_of[split.shared_values] = split.shared_kind
        shared[split.shared_values] = True
        shared_links = np.flatnonzero(shared[link_val])
        shared_links = shared_links[
            np.lexsort((value_hash[link_val[shared_links]], record_hash[link_rec[shared_links]]))
        ]
        links = np.concatenate([links, shared_links])
        link_limit = np.concatenate([link_limit, limit_of[link_val[shared_links]]])
    # The person still holding each value through a kept link (-1: none).
    kept = np.ones(len(link_rec), dtype=bool)
    kept[links] = False
    holder = np.full(len(value_kind), -1, dtype=np.int64)
    holder[link_val[kept]] = person[link_rec[kept]]
    # A cut match edge is listed from the end with the smaller record hash.
    left, right = m_l[split.cut_matches], m_r[split.cut_matches]
    swap = record_hash[left] > record_hash[right]
    left, right = np.where(swap, right, left), np.where(swap, left, right)

    source = records["source"].to_numpy(dtype=object)
    record_id = records["record_id"].to_numpy(dtype=object)
    limit_names = np.array([*kinds.kinds, *(a.column for a in kinds.attributes), ""], dtype=object)
    limit = np.concatenate([link_limit, split.cut_match_kind]).astype(np.int64)
    apart = limit < 0
    override = np.full(len(limit), None, dtype=object)
    override[apart] = np.asarray(apart_reason, dtype=object)[-1 - limit[apart]]
    limit_name = np.asarray(limit_names[np.maximum(limit, 0)], dtype=object)
    limit_name[apart] = "cannot_link"
    rec = np.concatenate([link_rec[links], left])
    vals = link_val[links]
    n_links, n_matches = len(links), len(left)
    value = np.array(
        [mask_key(str(value_key[v]), kinds.styles[value_kind[v]]) for v in vals.tolist()]
        + [None] * n_matches,
        dtype=object,
    )
    return pd.DataFrame(
        {
            "source": pd.Series(source[rec], dtype=object),
            "record_id": pd.Series(record_id[rec], dtype=object),
            "person_id": person[rec],
            "kind": pd.Series(
                np.concatenate(
                    [
                        np.asarray(kinds.kinds, dtype=object)[value_kind[vals]],
                        np.full(n_matches, "match", dtype=object),
                    ]
                ),
                dtype=object,
            ),
            "value": pd.Series(value, dtype=object),
            "other_source": pd.Series(
                np.concatenate([np.full(n_links, None, dtype=object), source[right]]), dtype=object
            ),
            "other_record_id": pd.Series(
                np.concatenate([np.full(n_links, None, dtype=object), record_id[right]]),
                dtype=object,
            ),
            "other_person_id": np.concatenate([holder[vals], person[right]]).astype(np.int64),
            "match_probability": np.concatenate(
                [np.full(n_links, np.nan), prob[split.cut_matches]]
            ),
            "reason": pd.Series(
                np.where(
                    apart,
                    "cannot_link",
                    np.concatenate(
                        [
                            np.where(shared[vals], "shared_value", "max_per_person"),
                            np.full(n_matches, "max_per_person"),
                        ]
                    ),
                ).astype(object),
                dtype=object,
            ),
            "limit": pd.Series(limit_name, dtype=object),
            "override_reason": pd.Series(override, dtype=object),
        }
    )


class _PreviousIds:
    """The person ids of a previous run, as :func:`assign_ids` looks issued ids up."""

    __slots__ = ("_ids",)

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = sorted_unique(np.asarray(ids, dtype=np.int64))

    def contains(self, ids: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self._ids, ids)
        found: np.ndarray = (at < len(self._ids)) & (
            self._ids[np.minimum(at, max(len(self._ids) - 1, 0))] == ids
            if len(self._ids)
            else np.zeros(len(ids), dtype=bool)
        )
        return found

    def born(self, ids: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.where(self.contains(ids), 1, -1).astype(np.int64)
        return out


def assign_group_ids(
    labels: np.ndarray,
    old_ids: np.ndarray,
    nodes: np.ndarray,
    previous_ids: np.ndarray,
    *,
    policy: SurvivorPolicy | None = None,
    sources: np.ndarray | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Person ids of components that share old ids, by the pandas engine's survivor rules.

    Parameters
    ----------
    labels : numpy.ndarray of int
        Component of each record (``0 .. k-1``).
    old_ids : numpy.ndarray of int64
        Person id of each record in the previous run, ``-1`` for new records.
    nodes : numpy.ndarray of int64
        Node ids of the records (see :func:`node_ids`).
    previous_ids : numpy.ndarray of int64
        Every person id of the previous run that new ids must avoid.
    policy : SurvivorPolicy, optional
        Which id survives a merge and which part keeps it on a split, as
        :class:`IdentityGraph` applies it (default: oldest, then size; every id
        of the previous run counts as issued in one generation).
    sources : numpy.ndarray of str, optional
        Source of each record; needed when ``policy`` ranks by source.

    Returns
    -------
    ids : numpy.ndarray of int64
        Person id of each component.
    changes : pandas.DataFrame
        ``old_id, new_id, reason`` (``merge`` or ``split``), as ``IdentityGraph.add`` reports.

    Examples
    --------
    >>> import numpy as np
    >>> ids, changes = assign_group_ids(np.array([0, 0, 1]), np.array([5, 9, 9]),
    ...                                 np.array([1, 2, 3]), np.array([5, 9]))
    >>> ids.tolist()[0], changes["reason"].tolist()  # 9 (two records) absorbs 5, and splits
    (9, ['merge', 'split'])
    """
    issued = _PreviousIds(previous_ids)
    has_source = None
    if policy is not None and policy.sources:
        names = np.asarray(policy.sources, dtype=object)
        has_source = np.asarray(sources, dtype=object)[:, None] == names[None, :]
    ids, _, changes = assign_ids(
        np.asarray(labels, dtype=np.int64), old_ids, _hashes(nodes), issued,
        policy=policy, has_source=has_source,
    )  # fmt: skip
    return ids, changes
