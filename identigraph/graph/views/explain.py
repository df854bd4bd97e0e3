"""Why two records are, or are not, the same person: the chain of evidence between them."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import networkx as nx
import numpy as np
import pandas as pd

from identigraph._unique import sorted_union
from identigraph.errors import InputError
from identigraph.graph.state.indexes import records_of_persons, value_carriers
from identigraph.graph.state.keys import positions, record_keys
from identigraph.graph.state.overrides import CANNOT_LINK
from identigraph.graph.views.display import link_display
from identigraph.graph.views.person import link_table

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["HOP_COLUMNS", "Explanation", "Reason", "explain"]

#: Columns of :attr:`Explanation.path`.
HOP_COLUMNS = [
    "from_source",
    "from_record_id",
    "to_source",
    "to_record_id",
    "evidence",
    "value",
    "match_probability",
    "match_weight",
    "levels",
    "status",
]

Reason = Literal[
    "same_record", "linked", "generic_value", "limit_cut", "cannot_link", "no_shared_evidence"
]

_REASON_TEXT = {
    "same_record": "the same record",
    "linked": "linked",
    "generic_value": "not linked: the evidence between them is a generic value",
    "limit_cut": "not linked: a per-person limit cut the link",
    "cannot_link": "not linked: a cannot-link override keeps them apart",
    "no_shared_evidence": "not linked: no shared evidence",
}

RecordKey = tuple[str, Hashable]


@dataclass(frozen=True, slots=True)
class Explanation:
    """The evidence between two records, as :meth:`IdentityGraph.explain` finds it.

    Attributes
    ----------
    a, b : tuple
        The two ``(source, record_id)`` keys.
    linked : bool
        Whether they belong to the same person.
    reason : str
        ``"linked"`` or ``"same_record"`` when linked; otherwise
        ``"limit_cut"`` (a link on the way was cut by a per-person limit),
        ``"cannot_link"`` (a cannot-link override keeps their persons apart),
        ``"generic_value"`` (the way goes through values too common to link) or
        ``"no_shared_evidence"`` (no chain of shared values or matches at all).
    person_a, person_b : int
        Person ids of the two records.
    path : pandas.DataFrame
        One row per hop from ``a`` to ``b`` (columns :data:`HOP_COLUMNS`): the two
        records, the ``evidence`` (identifier kind or ``"match"``), the masked
        ``value`` or the match's probability, weight and comparison ``levels``, and
        ``status``: ``"link"``, ``"generic"`` or ``"cut"``. Empty when there is no
        chain.
    """

    a: RecordKey
    b: RecordKey
    linked: bool
    reason: Reason
    person_a: int
    person_b: int
    path: pd.DataFrame

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import explanation_html

        return explanation_html(self)

    def __repr__(self) -> str:
        return f"Explanation(linked={self.linked}, reason={self.reason!r}, hops={len(self.path)})"

    def __str__(self) -> str:
        head = f"{self.a[0]}:{self.a[1]} and {self.b[0]}:{self.b[1]}: {_REASON_TEXT[self.reason]}"
        if self.linked:
            head += f" (person {self.person_a})"
        else:
            head += f" (persons {self.person_a} and {self.person_b})"
        lines = [head]
        for hop in self.path.to_dict("records"):  # a handful of hops
            if hop["evidence"] == "match":
                evidence = f"match p={hop['match_probability']:.3f}"
                if not pd.isna(hop["match_weight"]):
                    evidence += f" weight={hop['match_weight']:.2f}"
                if hop["levels"]:
                    evidence += f" [{hop['levels']}]"
            else:
                evidence = f"{hop['evidence']} {hop['value']}"
            flag = "" if hop["status"] == "link" else f"  ({hop['status']})"
            lines.append(
                f"  {hop['from_source']}:{hop['from_record_id']} -> "
                f"{hop['to_source']}:{hop['to_record_id']}  {evidence}{flag}"
            )
        return "\n".join(lines)


def _empty_path() -> pd.DataFrame:
    frame: pd.DataFrame = pd.DataFrame(
        {c: pd.Series([], dtype=float if c.startswith("match_") else object) for c in HOP_COLUMNS}
    )
    return frame


def _link_graph(links: pd.DataFrame) -> nx.Graph:
    """Bipartite state of records ``("r", pos)`` and values ``("v", code)``, in a fixed order."""
    g = nx.Graph()
    rec = links["rec"].to_numpy()
    val = links["val"].to_numpy()
    other = links["other"].to_numpy()
    status = links["status"].to_numpy()
    for i in np.lexsort((other, val, rec)).tolist():  # one edge per link of a few persons
        right = ("v", int(val[i])) if val[i] >= 0 else ("r", int(other[i]))
        g.add_edge(("r", int(rec[i])), right, row=i, status=status[i])
    return g


def _person_path(state: GraphState, pa: int, pb: int) -> list[int] | None:
    """Shortest chain of persons from ``pa`` to ``pb`` through generic values or cut links."""
    cuts = state.cuts.links.alive(state.records.alive)
    ident = cuts.val >= 0
    blocking = sorted_union(np.flatnonzero(state.generic_mask()), cuts.val[ident])
    rows = state.links.rows_of(value_carriers(state, blocking))
    rows = rows[np.isin(state.links.val[rows], blocking)]
    person = state.records.person
    g = nx.Graph()
    pairs = pd.DataFrame(
        {"v": state.links.val[rows], "p": person[state.links.rec[rows]]}
    ).drop_duplicates()
    g.add_edges_from(
        zip(
            (("v", v) for v in pairs["v"].tolist()),
            (("p", p) for p in pairs["p"].tolist()),
            strict=True,
        )
    )
    m = ~ident
    g.add_edges_from(
        zip(
            (("p", p) for p in person[cuts.rec[m]].tolist()),
            (("p", p) for p in person[cuts.other[m]].tolist()),
            strict=True,
        )
    )
    if ("p", pa) not in g or ("p", pb) not in g:
        return None
    try:
        nodes = nx.shortest_path(g, ("p", pa), ("p", pb))
    except nx.NetworkXNoPath:
        return None
    return [int(n[1]) for n in nodes if n[0] == "p"]


def _levels(links: pd.DataFrame, row: int) -> str:
    cols = [c for c in links.columns if isinstance(c, str) and c.endswith("_level")]
    parts = []
    for c in cols:  # a handful of comparisons
        level = links[c].iloc[row]
        if not pd.isna(level):
            parts.append(f"{c[: -len('_level')]}={int(level)}")
    return ", ".join(parts)


def _hops(
    state: GraphState, g: nx.Graph, links: pd.DataFrame, nodes: list[tuple[str, int]]
) -> pd.DataFrame:
    kind_names = [p.name for p in state.policies]
    rows: list[dict[str, object]] = []
    i = 0
    while i < len(nodes) - 1:  # one step per hop of the path
        start = nodes[i]
        if nodes[i + 1][0] == "v":
            end = nodes[i + 2]
            value = nodes[i + 1][1]
            first = g.edges[start, nodes[i + 1]]
            second = g.edges[nodes[i + 1], end]
            statuses = {first["status"], second["status"]}
            status = "generic" if "generic" in statuses else "cut" if "cut" in statuses else "link"
            rows.append(
                {
                    "from": start[1],
                    "to": end[1],
                    "evidence": kind_names[int(state.value_codes.kind[value])],
                    "value": link_display(state, np.array([start[1]]), np.array([value]))[0],
                    "match_probability": np.nan,
                    "match_weight": np.nan,
                    "levels": "",
                    "status": status,
                }
            )
            i += 2
        else:
            end = nodes[i + 1]
            edge = g.edges[start, end]
            row = int(edge["row"])
            rows.append(
                {
                    "from": start[1],
                    "to": end[1],
                    "evidence": "match",
                    "value": None,
                    "match_probability": float(links["match_probability"].iloc[row]),
                    "match_weight": float(links["match_weight"].iloc[row]),
                    "levels": _levels(links, row),
                    "status": edge["status"],
                }
            )
            i += 1
    if not rows:
        return _empty_path()
    frame = pd.DataFrame(rows)
    from_source, from_id = record_keys(state, frame["from"].to_numpy(dtype=np.int64))
    to_source, to_id = record_keys(state, frame["to"].to_numpy(dtype=np.int64))
    out: pd.DataFrame = frame.drop(columns=["from", "to"]).assign(
        from_source=from_source, from_record_id=from_id, to_source=to_source, to_record_id=to_id
    )[HOP_COLUMNS]
    return out


def _kept_apart(state: GraphState, pa: int, pb: int) -> bool:
    """Whether a cannot-link joins a record of person ``pa`` and one of ``pb``."""
    overrides = state.overrides
    rows = overrides.rows_of(records_of_persons(state, np.array([pa], dtype=np.int64)))
    rows = rows[overrides.kind[rows] == CANNOT_LINK]
    person = state.records.person
    ends = {
        (int(x), int(y))
        for x, y in zip(person[overrides.a[rows]], person[overrides.b[rows]], strict=True)
    }
    return (pa, pb) in ends or (pb, pa) in ends


def _record_key(key: object, name: str) -> RecordKey:
    if not isinstance(key, tuple) or len(key) != 2 or not isinstance(key[0], str):
        msg = f"{name} must be a (source, record_id) tuple, got {type(key).__name__}"
        raise InputError(msg)
    return key[0], key[1]


def explain(state: GraphState, a: RecordKey, b: RecordKey) -> Explanation:
    """Explain how two records are linked, or why they are not.

    Parameters
    ----------
    state : GraphState
        A resolved graph's state.
    a, b : tuple
        ``(source, record_id)`` keys of two records of the state.

    Returns
    -------
    Explanation

    Raises
    ------
    InputError
        ``a`` or ``b`` is not a ``(source, record_id)`` tuple.
    UnknownRecordError
        The state holds no such record.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    >>> _ = g.add(pd.DataFrame({"email": ["john.doe@gmail.com"]}), source="crm")
    >>> _ = g.add(pd.DataFrame({"email": ["John.Doe@gmail.com"], "cookie_id": ["c1"]}),
    ...           source="web")
    >>> _ = g.add(pd.DataFrame({"cookie_id": ["c1"]}), source="app")
    >>> print(g.explain(("crm", 0), ("app", 0)))  # doctest: +ELLIPSIS
    crm:0 and app:0: linked (person ...)
      crm:0 -> web:0  email j***@g***.com
      web:0 -> app:0  cookie c***

    Notes
    -----
    Linked records: a shortest path in the person's linking subgraph (records,
    identifier values and match edges; ``networkx`` on that subgraph only). Records
    of different persons: a shortest chain of persons joined by generic values or
    cut links, then a shortest record path through those persons. Cost: the
    membership tests are O(links of the state); path searches are over the
    persons involved.
    """
    key_a, key_b = _record_key(a, "a"), _record_key(b, "b")
    pos = positions(
        state,
        pd.Series([key_a[0], key_b[0]], dtype=object),
        pd.Series([key_a[1], key_b[1]], dtype=object),
    )
    ra, rb = int(pos[0]), int(pos[1])
    pa, pb = int(state.records.person[ra]), int(state.records.person[rb])
    if ra == rb:
        return Explanation(key_a, key_b, True, "same_record", pa, pb, _empty_path())
    if pa == pb:
        persons = [pa]
    else:
        chain = _person_path(state, pa, pb)
        if chain is None:
            why: Reason = "cannot_link" if _kept_apart(state, pa, pb) else "no_shared_evidence"
            return Explanation(key_a, key_b, False, why, pa, pb, _empty_path())
        persons = chain
    records = records_of_persons(state, np.array(persons, dtype=np.int64))
    links = link_table(state, records)
    if pa == pb:
        links = links[links["status"] == "link"].reset_index(drop=True)
    g = _link_graph(links)
    nodes = nx.shortest_path(g, ("r", ra), ("r", rb))
    path = _hops(state, g, links, nodes)
    if pa == pb:
        return Explanation(key_a, key_b, True, "linked", pa, pb, path)
    reason: Reason = "limit_cut" if (path["status"] == "cut").any() else "generic_value"
    if _kept_apart(state, pa, pb):
        reason = "cannot_link"
    return Explanation(key_a, key_b, False, reason, pa, pb, path)
