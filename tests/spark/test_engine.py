"""The ``previous=`` carry-over rule against the pandas engine, without Spark.

``identigraph.spark.resolve(..., previous=...)`` gives tonight's persons the ids one
update of a graph holding last night's persons gives them (see ``one_update``).
These tests check that rule against ``IdentityGraph.add`` wherever the night is one
update there too, and show why a sequence of updates may keep other ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings

import identigraph as ig
from identigraph.spark import _engine
from tests.spark.conftest import one_update
from tests.spark.test_resolve import _ATTRIBUTES, _POLICY, _SPECS, _multi_source

_KEY = ["source", "record_id"]


def _ids(clusters: pd.DataFrame) -> pd.Series:
    out = clusters.assign(source=clusters["source"].astype(str),
                          record_id=clusters["record_id"].astype(str))  # fmt: skip
    return out.set_index(_KEY)["person_id"].sort_index()


def _graph(sources: dict[str, pd.DataFrame], names: list[str], overrides: list) -> ig.IdentityGraph:
    g = ig.IdentityGraph(_SPECS, attributes=_ATTRIBUTES, survivor=_POLICY)
    for name in names:
        g.add(sources[name], source=name, id="rid")
    for kind, a, b in overrides:
        (g.must_link if kind == "must_link" else g.cannot_link)(a, b, reason=kind)
    return g


def _consistent(g: ig.IdentityGraph, drawn: list) -> list:
    """The drawn overrides ``g`` accepts, in order (contradicting ones are refused)."""
    kept = []
    for kind, a, b in drawn:
        try:
            (g.must_link if kind == "must_link" else g.cannot_link)(a, b, reason=kind)
        except ig.OverrideConflictError:
            continue
        kept.append((kind, a, b))
    return kept


@settings(max_examples=40)
@given(_multi_source())
def test_one_update_is_what_add_gives(data: tuple) -> None:
    """Last night: the first sources with their overrides (one bulk load). Tonight: the
    last source in one ``add``, which applies every override, with a survivor policy
    that ranks a source first. The ids equal the one-update rule's."""
    sources, _, drawn = data
    names = list(sources)
    last = names[-1]
    g = _graph(sources, names[:-1], [])
    earlier = [(k, a, b) for k, a, b in drawn if last not in (a[0], b[0])]
    kept = _consistent(g, earlier)
    previous = g.clusters()
    g.add(sources[last], source=last, id="rid")  # one update
    rebuilt = _graph(sources, names, kept).clusters()
    pd.testing.assert_series_equal(
        _ids(g.clusters()), _ids(one_update(previous, rebuilt, _POLICY, ("s1",)))
    )


def test_a_sequence_of_updates_may_keep_an_id_minted_between_them() -> None:
    # Last night: Ann's CRM record. Tonight a web event arrives (its own person, a new
    # id), then a must-link joins it to Ann. Ranked first by source, the web person's
    # id survives the merge in the pandas engine; one update never minted that id,
    # so Ann keeps hers. The persons are the same either way.
    policy = ig.SurvivorPolicy(criteria=["source:web", "oldest", "size"])
    crm = pd.DataFrame({"id": ["c1"], "email": ["ann@x.com"]})
    web = pd.DataFrame({"id": ["w1"], "email": ["ann.b@y.com"]})
    g = ig.IdentityGraph([ig.Email("email")], survivor=policy)
    g.add(crm, source="crm", id="id")
    previous = g.clusters()
    ann = int(g.person_of("crm", "c1"))
    g.add(web, source="web", id="id")
    minted = int(g.person_of("web", "w1"))
    g.must_link(("crm", "c1"), ("web", "w1"))
    assert set(g.clusters()["person_id"]) == {minted}
    bulk = ig.IdentityGraph([ig.Email("email")], survivor=policy)
    bulk.add(crm, source="crm", id="id")
    bulk.add(web, source="web", id="id")
    bulk.must_link(("crm", "c1"), ("web", "w1"))
    assert set(one_update(previous, bulk.clusters(), policy)["person_id"]) == {ann}


def test_assign_group_ids_is_the_one_update_rule() -> None:
    # Two old persons (5: two records, 9: one) merge; under "source:web" the id of
    # the person holding a web record survives, whatever its size.
    policy = ig.SurvivorPolicy(criteria=["source:web", "oldest", "size"])
    nodes = _engine.node_ids("crm", pd.Index(["a", "b", "c"]))
    ids, changes = _engine.assign_group_ids(
        np.zeros(3, dtype=np.int64), np.array([5, 5, 9]), nodes, np.array([5, 9]),
        policy=policy, sources=np.array(["crm", "crm", "web"], dtype=object),
    )  # fmt: skip
    assert ids.tolist() == [9]
    assert changes.to_dict("records") == [{"old_id": 5, "new_id": 9, "reason": "merge"}]
