"""One person of an identity state: its records, identifiers and links, for inspection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from identigraph._unique import sorted_unique
from identigraph.errors import MissingDependencyError, UnknownPersonError
from identigraph.graph.state.indexes import records_of_persons
from identigraph.graph.state.keys import record_keys, value_hashes
from identigraph.graph.views.display import link_display

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["PersonView", "link_table", "person_view"]

_EDGE_COLUMNS = [
    "source",
    "record_id",
    "kind",
    "value_id",
    "value",
    "other_source",
    "other_record_id",
    "match_probability",
    "match_weight",
    "status",
]
_IDENTIFIER_COLUMNS = ["value_id", "kind", "value", "records", "status"]


def link_table(state: GraphState, records: np.ndarray) -> pd.DataFrame:
    """Every identifier link and match edge among ``records`` (sorted positions).

    Returns
    -------
    pandas.DataFrame
        ``rec, val, other, spec, status, match_probability, match_weight`` and the
        match edges' ``*_level`` columns. Identifier links have ``other == -1``,
        match edges ``val == -1``. ``status`` is ``"link"`` (used for linking),
        ``"generic"`` (the value is generic) or ``"cut"`` (cut by a per-person limit).

    Notes
    -----
    Cost: O(links of the records) plus O(match edges) for the match look-up.
    """
    records = sorted_unique(np.asarray(records, dtype=np.int64))
    rows = state.links.rows_of(records)
    rec, val = state.links.rec[rows], state.links.val[rows]
    order = np.lexsort((val, rec))
    rec, val = rec[order], val[order]
    spec = state.links.spec[rows][order].astype(np.int64)
    # The cut links with an end among the records: binary searches, not a pass.
    cuts = state.cuts.links.take(state.cuts.rows_of(records))
    n_val = np.int64(max(len(state.value_codes.kind), 1))
    ident_cut = cuts.val >= 0
    cut_keys = cuts.rec[ident_cut] * n_val + cuts.val[ident_cut]
    status = np.full(len(rec), "link", dtype=object)
    status[np.isin(rec * n_val + val, cut_keys)] = "cut"
    status[state.generic_mask()[val]] = "generic"
    ident = pd.DataFrame(
        {
            "rec": rec,
            "val": val,
            "other": np.full(len(rec), -1, dtype=np.int64),
            "spec": spec,
            "status": status,
            "match_probability": np.nan,
            "match_weight": np.nan,
        }
    )
    match = state.matches.frame
    if len(match):
        ml, mr = match["rec_l"].to_numpy(), match["rec_r"].to_numpy()
        inside = np.isin(ml, records) & np.isin(mr, records)
        m = match[inside]
        m_l, m_r = ml[inside], mr[inside]
        n_rec = np.int64(max(len(state.records.alive), 1))
        c_l, c_r = cuts.rec[~ident_cut], cuts.other[~ident_cut]
        cut_pairs = np.minimum(c_l, c_r) * n_rec + np.maximum(c_l, c_r)
        m_status = np.where(np.isin(m_l * n_rec + m_r, cut_pairs), "cut", "link")
        matches = m.drop(columns=["rec_l", "rec_r"]).assign(
            rec=m_l, val=np.int64(-1), other=m_r, spec=np.int64(-1), status=m_status
        )
        if len(matches):
            ident = pd.concat([ident, matches], ignore_index=True)
    out: pd.DataFrame = ident.reset_index(drop=True)
    return out


@dataclass(frozen=True, slots=True)
class PersonView:
    """One person: member records, the identifier values they hold and their links.

    Values are masked (``j***@g***.com``); see :func:`identigraph.graph.core.mask.mask_value`.

    Attributes
    ----------
    person_id : int
    records : pandas.DataFrame
        ``source, record_id`` of each member record.
    identifiers : pandas.DataFrame
        ``value_id, kind, value, records, status``: each identifier value a member
        carries, how many members carry it, and ``status`` ``"link"`` (it links
        them), ``"generic"`` (too common to link) or ``"cut"`` (its link was cut by a
        per-person limit; the value belongs to another person or to none).
    edges : pandas.DataFrame
        ``source, record_id, kind, value_id, value, other_source, other_record_id,
        match_probability, match_weight, status``: one row per identifier link
        (``value_id`` set) or match edge (``other_*`` set, ``kind == "match"``).

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ANN@mail.com"]}), source="crm")
    >>> view = g.person(g.person_of("crm", 0))
    >>> view.identifiers[["kind", "value", "records"]].to_dict("records")
    [{'kind': 'email', 'value': 'a***@m***.com', 'records': 2}]
    >>> sorted(view.to_networkx().degree, key=str)[:1]
    [(('record', 'crm', 0), 1)]
    """

    person_id: int
    records: pd.DataFrame
    identifiers: pd.DataFrame
    edges: pd.DataFrame

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import person_html

        return person_html(self)

    def chart(self) -> Any:
        """The person's state as an Altair chart, coloured by identifier kind (``charts`` extra).

        Returns
        -------
        altair.Chart

        Raises
        ------
        MissingDependencyError
            Altair is not installed.
        """
        from identigraph.notebook.charts import person_chart

        return person_chart(self)

    def __repr__(self) -> str:
        linked = int((self.identifiers["status"] == "link").sum())
        return (
            f"PersonView(person_id={self.person_id}, records={len(self.records)}, "
            f"identifiers={linked}, edges={len(self.edges)})"
        )

    def to_networkx(self) -> nx.Graph:
        """The person's linking subgraph as a ``networkx.Graph``.

        Record nodes are ``("record", source, record_id)``, value nodes
        ``("value", value_id)``; only links with status ``"link"`` are edges.
        Nodes carry ``kind`` (``"record"`` or the identifier kind) and ``label``
        (``source:record_id`` or the masked value); edges carry ``kind`` and, for
        match edges, ``match_probability`` and ``match_weight``.

        Notes
        -----
        Cost: O(records + links) of this person.
        """
        g = nx.Graph(person_id=self.person_id)
        for source, record_id in zip(
            self.records["source"].tolist(), self.records["record_id"].tolist(), strict=True
        ):  # one node per member record
            g.add_node(("record", source, record_id), kind="record", label=f"{source}:{record_id}")
        linked = self.identifiers[self.identifiers["status"] == "link"]
        for value_id, kind, value in zip(
            linked["value_id"].tolist(),
            linked["kind"].tolist(),
            linked["value"].tolist(),
            strict=True,
        ):  # one node per linking value
            g.add_node(("value", value_id), kind=kind, label=value)
        edges = self.edges[self.edges["status"] == "link"]
        for row in edges.to_dict("records"):  # one edge per link of this person
            left = ("record", row["source"], row["record_id"])
            if row["kind"] == "match":
                right = ("record", row["other_source"], row["other_record_id"])
                g.add_edge(
                    left,
                    right,
                    kind="match",
                    match_probability=row["match_probability"],
                    match_weight=row["match_weight"],
                )
            else:
                g.add_edge(left, ("value", row["value_id"]), kind=row["kind"])
        return g

    def draw(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the person's subgraph with matplotlib (the ``plot`` extra).

        Records are circles labelled ``source:record_id``, values squares labelled
        with their masked value. Extra keyword arguments go to
        ``networkx.draw_networkx``.

        Returns
        -------
        matplotlib.axes.Axes

        Raises
        ------
        MissingDependencyError
            matplotlib is not installed.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as err:
            package = "matplotlib"
            raise MissingDependencyError(package, "plot") from err
        g = self.to_networkx()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 5))
        pos = nx.spring_layout(g, seed=0)
        records = [n for n, k in g.nodes(data="kind") if k == "record"]
        values = [n for n, k in g.nodes(data="kind") if k != "record"]
        nx.draw_networkx_nodes(g, pos, nodelist=records, node_shape="o", ax=ax)
        nx.draw_networkx_nodes(g, pos, nodelist=values, node_shape="s", node_color="C1", ax=ax)
        nx.draw_networkx_edges(g, pos, ax=ax)
        nx.draw_networkx_labels(g, pos, labels=dict(g.nodes(data="label")), ax=ax, **kwargs)
        ax.set_title(f"person {self.person_id}")
        ax.set_axis_off()
        return ax


def person_view(state: GraphState, person_id: int) -> PersonView:
    """Build the :class:`PersonView` of ``person_id``; raises when it does not exist."""
    records = records_of_persons(state, np.array([person_id], dtype=np.int64))
    if not len(records):
        msg = f"no person with id {person_id}"
        raise UnknownPersonError(msg)
    source, record_id = record_keys(state, records)
    links = link_table(state, records)
    ident = links[links["val"] >= 0]
    kind_names = np.array([p.name for p in state.policies], dtype=object)

    # identifiers: one row per value, in a stable order (kind, then value hash)
    values, first = np.unique(ident["val"].to_numpy(), return_index=True)
    first_rec = ident["rec"].to_numpy()[first]
    kinds = kind_names[state.value_codes.kind[values]]
    order = np.lexsort((value_hashes(state, values), kinds.astype(str)))
    values, first_rec, kinds = values[order], first_rec[order], kinds[order]
    status_rank = {"link": 0, "cut": 1, "generic": 2}
    per_value = (
        ident.assign(rank=ident["status"].map(status_rank))
        .groupby("val", sort=True)
        .agg(records=("rec", "nunique"), rank=("rank", "min"))
        .reindex(values)
    )
    names = np.array(["link", "cut", "generic"], dtype=object)
    identifiers = pd.DataFrame(
        {
            "value_id": np.arange(len(values), dtype=np.int64),
            "kind": pd.Series(kinds, dtype=object),
            "value": pd.Series(link_display(state, first_rec, values), dtype=object),
            "records": per_value["records"].to_numpy(dtype=np.int64),
            "status": pd.Series(names[per_value["rank"].to_numpy(dtype=np.int64)], dtype=object),
        }
    )[_IDENTIFIER_COLUMNS]

    # edges: identifier links show the masked value each record holds
    value_id = pd.Series(np.arange(len(values)), index=values)
    rec = links["rec"].to_numpy()
    val = links["val"].to_numpy()
    is_ident = val >= 0
    e_source, e_record = record_keys(state, rec)
    o_source = np.full(len(links), None, dtype=object)
    o_record = np.full(len(links), None, dtype=object)
    if (~is_ident).any():
        o_source[~is_ident], o_record[~is_ident] = record_keys(
            state, links["other"].to_numpy()[~is_ident]
        )
    display = np.full(len(links), None, dtype=object)
    display[is_ident] = link_display(state, rec[is_ident], val[is_ident])
    kind = np.full(len(links), "match", dtype=object)
    kind[is_ident] = kind_names[state.value_codes.kind[val[is_ident]]]
    edges = pd.DataFrame(
        {
            "source": pd.Series(e_source, dtype=object),
            "record_id": pd.Series(e_record, dtype=object),
            "kind": pd.Series(kind, dtype=object),
            "value_id": pd.array(
                np.where(is_ident, value_id.reindex(val).fillna(-1).to_numpy(), -1),
                dtype="Int64",
            ),
            "value": pd.Series(display, dtype=object),
            "other_source": pd.Series(o_source, dtype=object),
            "other_record_id": pd.Series(o_record, dtype=object),
            "match_probability": links["match_probability"].to_numpy(dtype=float),
            "match_weight": links["match_weight"].to_numpy(dtype=float),
            "status": links["status"].to_numpy(dtype=object),
        }
    )
    edges.loc[~is_ident, "value_id"] = pd.NA
    return PersonView(
        person_id=int(person_id),
        records=pd.DataFrame(
            {
                "source": pd.Series(source, dtype=object),
                "record_id": pd.Series(record_id, dtype=object),
            }
        ),
        identifiers=identifiers,
        edges=edges[_EDGE_COLUMNS],
    )
