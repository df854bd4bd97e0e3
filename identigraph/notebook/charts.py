"""Vega-Altair charts: cluster sizes, match weights, one pair's waterfall, links by threshold,
one person's graph. All need the ``charts`` extra and read public attributes only.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import networkx as nx
import numpy as np
import pandas as pd

from identigraph._optional import import_optional
from identigraph.errors import ConfigError, MissingColumnError

# Shown objects are typed loosely on purpose: their classes (graph, matcher) call
# these functions from ``_repr_html_``, so this package must not import them back.
GraphReport: TypeAlias = Any
PersonView: TypeAlias = Any
Matcher: TypeAlias = Any

__all__ = [
    "cluster_sizes_chart",
    "match_weights_chart",
    "person_chart",
    "threshold_chart",
]


def _alt() -> Any:
    return import_optional("altair", extra="charts")


def cluster_sizes_chart(report: GraphReport) -> Any:
    """Bars of how many persons have each number of records (log scale).

    Parameters
    ----------
    report : GraphReport
        ``graph.report()``; every size is shown, not only the largest.

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["a@x.io", "a@x.io", "b@x.io"]}), source="crm")
    >>> cluster_sizes_chart(g.report()).to_dict()["mark"]["type"]
    'bar'
    """
    alt = _alt()
    return (
        alt.Chart(report.sizes, title="Persons by number of records")
        .mark_bar()
        .encode(
            x=alt.X("size:O", title="records per person"),
            y=alt.Y("persons:Q", title="persons", scale=alt.Scale(type="symlog")),
            tooltip=["size", "persons"],
        )
    )


def match_weights_chart(matcher: Matcher) -> Any:
    """Match weight of every comparison level, one row of bars per comparison.

    Bars are ``log2(m / u)``: right (blue) is evidence for a match, left (red)
    against; the tooltip shows m, u and the Bayes factor.

    Returns
    -------
    altair.FacetChart

    Raises
    ------
    ConfigError
        The matcher is not fitted.

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> people = pd.DataFrame({"name": ["ann lee", "ann lea", "bob ray", "bob ray"],
    ...                        "city": ["oslo"] * 4})
    >>> m = ig.Matcher([ig.NameComparison("name")], [ig.Block("city")], prior=0.3)
    >>> chart = match_weights_chart(m.fit(people))
    >>> sorted(chart.to_dict()["facet"])
    ['row']
    """
    alt = _alt()
    params = matcher.parameters.assign(
        level_label=lambda t: t["level"].astype(str) + ": " + t["label"].astype(str),
        evidence=lambda t: np.where(t["match_weight"] >= 0, "for a match", "against"),
    )
    bars = (
        alt.Chart(params)
        .mark_bar()
        .encode(
            x=alt.X("match_weight:Q", title="match weight, log2(m/u)"),
            y=alt.Y("level_label:N", title=None, sort=alt.SortField("level", order="descending")),
            color=alt.Color(
                "evidence:N",
                scale=alt.Scale(domain=["for a match", "against"], range=["#4c78a8", "#e45756"]),
            ),
            tooltip=[
                "comparison",
                "level",
                "label",
                "m_probability",
                "u_probability",
                "bayes_factor",
                "match_weight",
            ],
        )
    )
    return bars.facet(row=alt.Row("comparison:N", title=None)).resolve_scale(y="independent")


def threshold_chart(pairs: pd.DataFrame, *, points: int = 101) -> Any:
    """Number of links each match-probability threshold would make.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Scored pairs (``match_probability``), e.g. ``matcher.predict(...)``
        without a threshold.
    points : int, default 101
        Thresholds evenly spaced in [0, 1].

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> pairs = pd.DataFrame({"match_probability": [0.1, 0.5, 0.95, 0.99]})
    >>> data = threshold_chart(pairs, points=3).to_dict()["datasets"]
    >>> [row["links"] for row in next(iter(data.values()))]
    [4, 3, 0]
    """
    alt = _alt()
    if "match_probability" not in pairs.columns:
        msg = "pairs need a match_probability column"
        raise MissingColumnError(msg, column="match_probability", available=list(pairs.columns))
    if not isinstance(points, int) or points < 2:
        msg = f"points must be an integer >= 2, got {points!r}"
        raise ConfigError(msg)
    probabilities = np.sort(pairs["match_probability"].to_numpy(dtype=float))
    thresholds = np.linspace(0.0, 1.0, points)
    links = len(probabilities) - np.searchsorted(probabilities, thresholds, side="left")
    frame = pd.DataFrame({"threshold": thresholds, "links": links.astype(np.int64)})
    return (
        alt.Chart(frame, title="Links by match-probability threshold")
        .mark_line(interpolate="step-after", point=False)
        .encode(
            x=alt.X("threshold:Q", title="threshold (match probability >=)"),
            y=alt.Y("links:Q", title="pairs linked"),
            tooltip=["threshold", "links"],
        )
    )


def person_chart(view: PersonView) -> Any:
    """One person's graph: records and masked identifier values, coloured by kind.

    Records are circles labelled ``source:record_id``, identifier values squares
    labelled with their masked value; the legend names each kind. Match edges are
    dashed.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_id")])
    >>> _ = g.add(pd.DataFrame({"email": ["a@x.io", None], "cookie_id": ["c1", "c1"]}),
    ...           source="web")
    >>> chart = person_chart(g.person(g.person_of("web", 0)))
    >>> len(chart.to_dict()["layer"])
    3
    """
    alt = _alt()
    g = view.to_networkx()
    pos = nx.kamada_kawai_layout(g) if g.number_of_nodes() > 2 else nx.spring_layout(g, seed=0)
    nodes = pd.DataFrame(
        [
            {
                "x": float(pos[n][0]),
                "y": float(pos[n][1]),
                "kind": data["kind"],
                "label": data["label"],
                "shape": "record" if data["kind"] == "record" else "value",
            }
            for n, data in g.nodes(data=True)
        ]
    )
    edges = pd.DataFrame(
        [
            {
                "x": float(pos[a][0]),
                "y": float(pos[a][1]),
                "x2": float(pos[b][0]),
                "y2": float(pos[b][1]),
                "edge": "match" if data.get("kind") == "match" else "identifier",
            }
            for a, b, data in g.edges(data=True)
        ],
        columns=["x", "y", "x2", "y2", "edge"],
    )
    axis = {"axis": None}
    lines = (
        alt.Chart(edges)
        .mark_rule(color="#999")
        .encode(
            x=alt.X("x:Q", **axis),
            y=alt.Y("y:Q", **axis),
            x2="x2:Q",
            y2="y2:Q",
            strokeDash=alt.StrokeDash(
                "edge:N", scale=alt.Scale(domain=["identifier", "match"], range=[[1, 0], [4, 3]])
            ),
        )
    )
    points = (
        alt.Chart(nodes)
        .mark_point(filled=True, size=180, opacity=1)
        .encode(
            x=alt.X("x:Q", **axis),
            y=alt.Y("y:Q", **axis),
            color=alt.Color("kind:N", title="kind", scale=alt.Scale(scheme="tableau10")),
            shape=alt.Shape(
                "shape:N", scale=alt.Scale(domain=["record", "value"], range=["circle", "square"])
            ),
            tooltip=["label", "kind"],
        )
    )
    labels = (
        alt.Chart(nodes)
        .mark_text(dy=-14, fontSize=10)
        .encode(x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), text="label:N")
    )
    return alt.layer(lines, points, labels, title=f"person {view.person_id}").properties(
        width=480, height=360
    )
