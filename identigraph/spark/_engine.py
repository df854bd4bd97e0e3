"""The in-memory engine's functions, as the Spark backend calls them: arrays and pandas only.

Every use of the graph engine's internals by :mod:`identigraph.spark` goes through
this module, so that the Spark backend computes exactly what the pandas engine
computes: the same extraction and normalization of identifier values, the same
record hashes, the same per-person limit split and the same person-id rules.
Nothing here imports pyspark; each function takes and returns numpy arrays or
pandas frames, and runs inside a Spark task on one batch or one group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from identigraph.graph.core import assign_ids, extract_keys, record_hashes
from identigraph.graph.identity_graph import IdentityGraph
from identigraph.graph.state.issued import IssuedIds
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Identifier

__all__ = [
    "KindLimits",
    "Split",
    "assign_group_ids",
    "check_specs",
    "extract",
    "node_ids",
    "person_ids",
    "split_component",
]

_SIGN = np.uint64(1 << 63)
_MASK63 = np.int64(0x7FFF_FFFF_FFFF_FFFF)


@dataclass(frozen=True, slots=True)
class KindLimits:
    """The identifier kinds of a set of specs and their limits, in order of first use.

    Attributes
    ----------
    kinds : tuple of str
        Kind names; an edge's kind is an index into them.
    spec_kind : tuple of int
        Kind index of each identifier spec.
    max_records : tuple of int or None
        Per kind: values carried by more records are generic and link nobody.
    max_per_person : tuple of int or None
        Per kind: most distinct values one person may hold.
    """

    kinds: tuple[str, ...]
    spec_kind: tuple[int, ...]
    max_records: tuple[int | None, ...]
    max_per_person: tuple[int | None, ...]


def check_specs(identifiers: Sequence[Identifier], attributes: Sequence[Attribute]) -> KindLimits:
    """Check specs as the pandas engine does and return their kinds and limits.

    Raises
    ------
    ConfigError
        Not identifier specs, a column named twice, kinds that disagree on their
        limits, or bad attributes (the same checks as :class:`IdentityGraph`).
    """
    graph = IdentityGraph(identifiers, attributes=attributes)
    kinds = tuple(spec.kind for spec in graph.identifiers)
    order = tuple(dict.fromkeys(kinds))
    by_kind = {spec.kind: spec for spec in graph.identifiers}
    return KindLimits(
        kinds=order,
        spec_kind=tuple(order.index(k) for k in kinds),
        max_records=tuple(by_kind[k].max_records for k in order),
        max_per_person=tuple(by_kind[k].max_per_person for k in order),
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
    frame: pd.DataFrame, identifiers: Sequence[Identifier], attributes: Sequence[Attribute]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Link keys, rejects and attribute values of the rows of one frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of one source; identifier and attribute columns it lacks are skipped.
    identifiers, attributes : sequence
        All the specs, so that spec indexes are global.

    Returns
    -------
    edges : pandas.DataFrame
        ``row, spec, key``: row position, spec index and link key, one row per
        record and distinct key of a kind (a second column of the same kind giving
        the same key is dropped, as the pandas engine drops it).
    rejects : pandas.DataFrame
        ``row, spec, reason``.
    attribute_values : pandas.DataFrame
        ``row, attribute, value``: transformed attribute values, missing ones left out.
    """
    specs = [(i, s) for i, s in enumerate(identifiers) if s.column in frame.columns]
    got = extract_keys(frame, specs, None, 0)
    edges = pd.DataFrame(
        {
            "row": got.rec.astype(np.int64),
            "spec": got.spec.astype(np.int32),
            "key": pd.Series(got.new_keys[got.val] if len(got.val) else [], dtype=object),
            "kind": pd.Series(
                np.asarray([identifiers[i].kind for i in got.spec], dtype=object), dtype=object
            ),
        }
    )
    edges = edges.drop_duplicates(["row", "kind", "key"]).drop(columns="kind")
    rejects = pd.DataFrame(
        {
            "row": got.reject_rec.astype(np.int64),
            "spec": got.reject_spec.astype(np.int32),
            "reason": pd.Series(got.reject_reason, dtype=object),
        }
    )
    rows, names, values = [], [], []
    for t, attribute in enumerate(attributes):  # one step per attribute
        if attribute.column not in frame.columns:
            continue
        transformed = attribute.values(frame[attribute.column])
        present = np.flatnonzero(~pd.isna(transformed))
        rows.append(present)
        names.append(np.full(len(present), t, dtype=np.int32))
        values.append(np.asarray(transformed, dtype=object)[present])
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
    """Result of :func:`split_component`: the persons of some components after the limits.

    Attributes
    ----------
    clusters : pandas.DataFrame
        ``source, record_id, person_id`` of every record given.
    conflicts : pandas.DataFrame
        The links cut, in the columns of :meth:`IdentityGraph.conflicts`.
    """

    clusters: pd.DataFrame
    conflicts: pd.DataFrame


def split_component(
    frames: Sequence[tuple[str, pd.DataFrame, str]],
    pairs: pd.DataFrame | None,
    identifiers: Sequence[Identifier],
    attributes: Sequence[Attribute],
    threshold: float,
) -> Split:
    """Resolve whole components, limits included, exactly as the pandas engine does.

    Parameters
    ----------
    frames : sequence of (source, frame, id column)
        Every record of the components, source by source in the order of the
        full run, rows in their input order; values generic in the full data
        already set to missing.
    pairs : pandas.DataFrame or None
        Match pairs among these records, in the ``link()`` format.
    identifiers, attributes : sequence
        The specs of the run.
    threshold : float
        Match probability a pair needs to become a link.

    Returns
    -------
    Split

    Notes
    -----
    A component's split depends on its own records, values and links only, and
    person ids derive from record hashes, so resolving components apart gives the
    persons and ids of one resolution of all the records.
    """
    graph = IdentityGraph(identifiers, attributes=attributes)
    for source, frame, id_column in frames:  # one step per source
        graph.add(frame, source=source, id=id_column, keep=[])
    if pairs is not None and len(pairs):
        graph.link(pairs, threshold=threshold)
    return Split(clusters=graph.clusters(), conflicts=graph.conflicts())


def assign_group_ids(
    labels: np.ndarray, old_ids: np.ndarray, nodes: np.ndarray, previous_ids: np.ndarray
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
    issued = IssuedIds()
    issued.add(np.unique(previous_ids), generation=1)
    hashes = np.asarray(nodes, dtype=np.int64).view(np.uint64) ^ _SIGN
    ids, _, changes = assign_ids(np.asarray(labels, dtype=np.int64), old_ids, hashes, issued)
    return ids, changes
