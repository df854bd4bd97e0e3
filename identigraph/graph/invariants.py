"""The invariants of a graph's state, stated once and checked in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from identigraph.errors import InvariantError
from identigraph.graph.lifecycle import Lifecycle

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["check_invariants"]


def _require(ok: bool | np.bool_, invariant: str) -> None:
    if not ok:
        msg = f"graph invariant broken: {invariant}"
        raise InvariantError(msg, invariant=invariant)


def check_invariants(g: IdentityGraph) -> None:
    """Check every invariant of ``g``'s state; raise :class:`InvariantError` on the first broken.

    Records: the per-record arrays are equally long and the batches cover them in
    order. Links: sorted by record, every end alive, every value code known; once
    resolved, each value's count is the bincount of its links. Match edges: both
    ends alive, left below right, sorted and unique. Cut links: alive ends. Persons:
    once resolved, every alive record has an issued person id and the person count
    is the number of distinct ids.

    Notes
    -----
    O(records + links + values + match edges); for tests and :meth:`IdentityGraph.load`.
    """
    n = len(g._rec_alive)
    _require(
        len(g._rec_source) == len(g._rec_hash) == len(g._person) == n,
        "record arrays (source, hash, alive, person) are equally long",
    )
    covered = 0
    for batch in g._batches:  # one step per batch
        _require(batch.start == covered, "batches cover the records in order")
        _require(len(batch.attributes) == len(batch.ids), "each batch keeps one row a record")
        covered = batch.stop
    _require(covered == n, "batches cover every record")
    _require(
        len(g._edge_rec) == len(g._edge_val) == len(g._edge_spec),
        "link arrays (record, value, spec) are equally long",
    )
    n_values = len(g._val_kind)
    _require(len(g._val_count) == len(g._val_key) == n_values, "value arrays are equally long")
    if len(g._edge_rec):
        _require((np.diff(g._edge_rec) >= 0).all(), "links are sorted by record")
        _require(g._rec_alive[g._edge_rec].all(), "every link's record is alive")
        _require(
            (g._edge_val >= 0).all() and (g._edge_val < n_values).all(),
            "every link's value is known",
        )
    match = g._match
    if len(match):
        left, right = match["rec_l"].to_numpy(), match["rec_r"].to_numpy()
        _require((left < right).all(), "a match edge's left record is below its right")
        _require((g._rec_alive[left] & g._rec_alive[right]).all(), "match edges join alive records")
        key = left * max(n, 1) + right
        _require((np.diff(key) > 0).all(), "match edges are sorted and unique")
    cuts = g._cuts
    if len(cuts):
        _require(g._rec_alive[cuts.rec].all(), "every cut link's record is alive")
        other = cuts.other[cuts.other >= 0]
        _require(g._rec_alive[other].all(), "every cut match edge's other record is alive")
    if g.lifecycle is Lifecycle.STAGED:
        return
    _require(
        (g._val_count == np.bincount(g._edge_val, minlength=n_values)).all(),
        "value counts equal the bincount of the links",
    )
    persons = g._person[g._rec_alive]
    _require((persons >= 0).all(), "every alive record of a resolved graph has a person")
    distinct = np.unique(persons)
    _require(len(distinct) == g._n_persons, "the person count is the number of distinct ids")
    _require(g._ids.contains(distinct).all(), "every person id was issued")
