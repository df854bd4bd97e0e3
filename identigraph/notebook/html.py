"""HTML views of identigraph objects for notebooks, built from their public attributes only.

Every function returns a self-contained HTML fragment (escaped, no scripts).
Identifier values appear only masked: person views and explanations already hold
masked values; golden records are masked here by :func:`mask_column`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

# Shown objects are typed loosely on purpose: their classes (graph, matcher) call
# these functions from ``_repr_html_``, so this package must not import them back.
ChangeSet: TypeAlias = Any
Explanation: TypeAlias = Any
GraphReport: TypeAlias = Any
IdentityGraph: TypeAlias = Any
PersonView: TypeAlias = Any
Identifier: TypeAlias = Any
Matcher: TypeAlias = Any

__all__ = [
    "changes_html",
    "explanation_html",
    "golden_html",
    "graph_html",
    "mask_column",
    "matcher_html",
    "person_html",
    "report_html",
]

MaskStyle = Literal["email", "phone", "text"]

_STYLE = (
    "<style>.identigraph table{border-collapse:collapse;font-size:12px;margin:2px 0 8px}"
    ".identigraph th,.identigraph td{padding:2px 8px;text-align:left}"
    ".identigraph h4{margin:6px 0 2px}.identigraph .muted{color:#777}</style>"
)


def _esc(value: object) -> str:
    return html.escape(str(value))


def _table(frame: pd.DataFrame, *, max_rows: int = 20) -> str:
    if not len(frame):
        return "<p class='muted'>none</p>"
    shown = frame.head(max_rows).to_html(index=False, border=0, escape=True, na_rep="")
    more = len(frame) - max_rows
    note = f"<p class='muted'>... {more:,} more rows</p>" if more > 0 else ""
    return shown + note


def _facts(rows: Sequence[tuple[str, object]]) -> str:
    cells = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _wrap(title: str, body: str) -> str:
    return f"<div class='identigraph'>{_STYLE}<h4>{_esc(title)}</h4>{body}</div>"


def _section(title: str, body: str) -> str:
    return f"<h4>{_esc(title)}</h4>{body}"


def mask_column(values: pd.Series, style: MaskStyle) -> pd.Series:
    """Masked display form of a column of raw identifier values, vectorized.

    Parameters
    ----------
    values : pandas.Series
        Raw values; missing values stay missing.
    style : {"email", "phone", "text"}
        ``"email"`` keeps the first character of the local part and of the domain
        and the top-level domain; ``"phone"`` keeps the first three characters;
        ``"text"`` the first character.

    Returns
    -------
    pandas.Series of object

    Examples
    --------
    >>> mask_column(pd.Series(["john.doe@gmail.com", None, "x"]), "email").tolist()
    ['j***@g***.com', None, 'x***']
    >>> mask_column(pd.Series(["+12015550123"]), "phone").tolist()
    ['+12***']
    """
    text = values.astype("object").where(values.notna())
    present = text.notna().to_numpy()
    out = pd.Series(np.full(len(text), None, dtype=object), index=values.index)
    if not present.any():
        return out
    shown = text[present].astype(str).str.strip()
    first = shown.str[:1] + "***"
    if style == "email":
        local, at, domain = shown.str.rpartition("@")[[0, 1, 2]].T.to_numpy()
        domain = pd.Series(domain, index=shown.index)
        tld = domain.str.rpartition(".")[2]
        masked = (
            pd.Series(local, index=shown.index).str[:1] + "***@" + domain.str[:1] + "***." + tld
        )
        masked = masked.where(pd.Series(at, index=shown.index) == "@", first)
    elif style == "phone":
        masked = shown.str[:3] + "***"
    else:
        masked = first
    out[present] = masked.to_numpy(dtype=object)
    return out


def _style_of(kind: str) -> MaskStyle:
    return "email" if "email" in kind else "phone" if "phone" in kind else "text"


def graph_html(graph: IdentityGraph) -> str:
    """Sources, records, persons, identifiers and rejects by reason of a graph.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "not an email"]}), source="crm")
    >>> text = graph_html(g)
    >>> "invalid_email" in text, "ann@mail.com" in text
    (True, False)
    """
    clusters = graph.clusters()
    per_source = (
        clusters.groupby("source", sort=True, observed=True)
        .agg(records=("record_id", "size"), persons=("person_id", "nunique"))
        .reset_index()
    )
    specs = pd.DataFrame(
        {
            "column": [s.column for s in graph.identifiers],
            "kind": [s.kind for s in graph.identifiers],
            "type": [type(s).__name__ for s in graph.identifiers],
            "max_records": [s.max_records for s in graph.identifiers],
            "max_per_person": [s.max_per_person for s in graph.identifiers],
        }
    )
    rejects = graph.rejects
    by_reason = (
        rejects.groupby(["source", "column", "reason"], sort=True, observed=True)
        .size()
        .rename("values")
    ).reset_index()
    facts = _facts(
        [
            ("records", f"{len(graph):,}"),
            ("persons", f"{graph.n_persons:,}"),
            ("sources", ", ".join(map(str, graph.sources)) or "none"),
            ("rejected values", f"{len(rejects):,}"),
        ]
    )
    body = (
        facts
        + _section("Sources", _table(per_source))
        + _section("Identifiers", _table(specs))
        + _section("Rejects by reason", _table(by_reason))
    )
    return _wrap("IdentityGraph", body)


def changes_html(changes: ChangeSet) -> str:
    """Counts of a ChangeSet, and its merges and splits.

    Examples
    --------
    >>> from identigraph.graph import ChangeSet
    >>> "records added" in changes_html(ChangeSet(records_added=3))
    True
    """
    facts = _facts(
        [
            ("records added", f"{changes.records_added:,}"),
            ("records removed", f"{changes.records_removed:,}"),
            ("new persons", f"{len(changes.new_persons):,}"),
            ("removed persons", f"{len(changes.removed_persons):,}"),
            ("merges", f"{len(changes.merges):,}"),
            ("splits", f"{len(changes.splits):,}"),
        ]
    )
    body = facts
    if len(changes.merges):
        body += _section("Merges", _table(changes.merges))
    if len(changes.splits):
        body += _section("Splits", _table(changes.splits))
    return _wrap("ChangeSet" + (" (nothing changed)" if changes.is_empty else ""), body)


def person_html(view: PersonView) -> str:
    """A person's records, masked identifiers, links and cut links.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ANN@mail.com"]}), source="crm")
    >>> text = person_html(g.person(g.person_of("crm", 0)))
    >>> "a***@m***.com" in text, "ann@mail.com" in text
    (True, False)
    """
    edges = view.edges
    links = edges[edges["status"] == "link"].dropna(axis=1, how="all")
    cut = edges[edges["status"] != "link"].dropna(axis=1, how="all")
    facts = _facts(
        [
            ("person_id", view.person_id),
            ("records", len(view.records)),
            ("identifier values", len(view.identifiers)),
            ("links", len(links)),
            ("cut or generic links", len(cut)),
        ]
    )
    body = (
        facts
        + _section("Records", _table(view.records))
        + _section("Identifiers (masked)", _table(view.identifiers))
        + _section("Links", _table(links))
        + _section("Cut and generic links", _table(cut))
    )
    return _wrap(f"Person {view.person_id}", body)


def explanation_html(explanation: Explanation) -> str:
    """The verdict and the evidence path between two records, values masked.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ANN@mail.com"]}), source="crm")
    >>> "linked" in explanation_html(g.explain(("crm", 0), ("crm", 1)))
    True
    """
    a, b = explanation.a, explanation.b
    verdict = "linked" if explanation.linked else "not linked"
    facts = _facts(
        [
            ("records", f"{a[0]}:{a[1]} and {b[0]}:{b[1]}"),
            ("verdict", f"{verdict} ({explanation.reason})"),
            ("persons", f"{explanation.person_a}, {explanation.person_b}"),
            ("hops", len(explanation.path)),
        ]
    )
    path = explanation.path.dropna(axis=1, how="all")
    return _wrap("Explanation", facts + _section("Evidence path", _table(path)))


def matcher_html(matcher: Matcher) -> str:
    """Settings of a matcher and, once fitted, its parameters (m, u, weight per level).

    Examples
    --------
    >>> import identigraph as ig
    >>> m = ig.Matcher([ig.NameComparison("name")], [ig.Block("city")])
    >>> "not fitted" in matcher_html(m)
    True
    """
    comparisons = pd.DataFrame(
        {
            "name": [c.name for c in matcher.comparisons],
            "column": [c.column for c in matcher.comparisons],
            "type": [type(c).__name__ for c in matcher.comparisons],
        }
    )
    blocking = pd.DataFrame({"rule": [repr(b) for b in matcher.blocking]})
    rows: list[tuple[str, object]] = [
        ("link_type", matcher.link_type),
        ("state", "fitted" if matcher.is_fitted else "not fitted"),
    ]
    if matcher.is_fitted:
        rows.append(("prior", f"{matcher.prior:.6g}"))
        rows += [(str(k), v) for k, v in matcher.fit_info.items() if np.isscalar(v)]
    body = (
        _facts(rows)
        + _section("Comparisons", _table(comparisons))
        + _section("Blocking", _table(blocking))
    )
    if matcher.is_fitted:
        body += _section("Parameters", _table(matcher.parameters.round(4), max_rows=200))
    return _wrap("Matcher", body)


def report_html(report: GraphReport) -> str:
    """Every cluster size, the largest persons, generic values, cut links and rejects.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com", "ann@mail.com"]}), source="crm")
    >>> "Cluster sizes" in report_html(g.report())
    True
    """
    facts = _facts(
        [
            ("records", f"{report.records:,}"),
            ("persons", f"{report.persons:,}"),
            ("largest person", f"{report.max_size:,} records"),
            ("rejected values", f"{int(report.rejects['records'].sum()):,}"),
        ]
    )
    body = (
        facts
        + _section("Cluster sizes (every size)", _table(report.sizes, max_rows=len(report.sizes)))
        + _section("Largest persons", _table(report.largest))
        + _section("Generic values", _table(report.generic_values))
        + _section("Conflicts (links cut by limits)", _table(report.conflicts))
        + _section("Rejected values", _table(report.rejects))
    )
    return _wrap("GraphReport", body)


def golden_html(
    golden: pd.DataFrame,
    *,
    identifiers: Sequence[Identifier] = (),
    mask: Mapping[str, MaskStyle] | None = None,
    max_rows: int = 20,
) -> str:
    """Golden records as an HTML table, identifier columns masked.

    Parameters
    ----------
    golden : pandas.DataFrame
        What :meth:`IdentityGraph.golden` returns.
    identifiers : sequence of Identifier, optional
        The graph's specs: fields named like a spec's column are masked in its
        kind's style.
    mask : mapping of str to {"email", "phone", "text"}, optional
        More fields to mask. Without ``identifiers`` and ``mask``, every field
        whose name contains ``email`` or ``phone`` is masked.
    max_rows : int, default 20

    Examples
    --------
    >>> golden = pd.DataFrame({"person_id": [1], "email": ["ann@mail.com"], "name": ["Ann"]})
    >>> text = golden_html(golden)
    >>> "a***@m***.com" in text, "Ann" in text
    (True, True)
    """
    styles: dict[str, MaskStyle] = {s.column: _style_of(s.kind) for s in identifiers}
    styles.update(mask or {})
    if not styles:
        styles = {
            str(c): _style_of(str(c))
            for c in golden.columns
            if "email" in str(c) or "phone" in str(c)
        }
    shown = golden.head(max_rows).copy()
    for column, style in styles.items():
        if column not in shown.columns or column.endswith(("__source", "__record_id")):
            continue
        values = shown[column]
        present = values.dropna()
        if len(present) and isinstance(present.iloc[0], (list, tuple, np.ndarray)):
            items = values.explode()
            masked = mask_column(items, style).dropna().groupby(level=0).agg(list)
            shown[column] = masked.reindex(shown.index)
        else:
            shown[column] = mask_column(values, style)
    facts = _facts([("persons", f"{len(golden):,}"), ("fields", golden.shape[1] - 1)])
    body = facts + _table(shown, max_rows=max_rows)
    if len(golden) > max_rows:
        body += f"<p class='muted'>... {len(golden) - max_rows:,} more persons</p>"
    return _wrap("Golden records", body)
