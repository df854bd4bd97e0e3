"""A summary of an identity graph: cluster sizes, largest persons, generic values, conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.errors import ConfigError
from identigraph.graph.views.conflicts import conflicts_frame
from identigraph.graph.views.outputs import clusters_frame, generic_values_frame, rejects_frame

if TYPE_CHECKING:
    from identigraph.graph.state.graph_state import GraphState

__all__ = ["GraphReport", "graph_report"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphReport:
    """What :meth:`IdentityGraph.report` finds.

    Attributes
    ----------
    records, persons : int
        Records and persons in the graph.
    sizes : pandas.DataFrame
        ``size, persons``: how many persons have each number of records.
    largest : pandas.DataFrame
        ``person_id, records`` and one column per source with its record count, for
        the largest persons (largest first, then by id).
    generic_values : pandas.DataFrame
        :meth:`IdentityGraph.generic_values`.
    conflicts : pandas.DataFrame
        :meth:`IdentityGraph.conflicts`.
    rejects : pandas.DataFrame
        ``column, reason, records``: rejected identifier values by column and reason.
    size_jumps : pandas.DataFrame
        ``person_id, records_before, records_after``: persons whose size at least
        doubled (by two records or more) in the last resolution, ``records_before``
        being the largest person they came from. A new junk value arriving in a
        source shows up here first.
    new_generic_values : pandas.DataFrame
        ``kind, value, records``: values that turned generic in the last resolution
        (the link key, never a raw email or phone).
    """

    records: int
    persons: int
    sizes: pd.DataFrame
    largest: pd.DataFrame
    generic_values: pd.DataFrame
    conflicts: pd.DataFrame
    rejects: pd.DataFrame
    size_jumps: pd.DataFrame = field(default_factory=lambda: _empty_jumps())
    new_generic_values: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "kind": pd.Series([], dtype=object),
                "value": pd.Series([], dtype=object),
                "records": np.empty(0, np.int64),
            }
        )
    )

    def __repr__(self) -> str:
        return (
            f"GraphReport(records={self.records}, persons={self.persons}, "
            f"largest={self.max_size}, generic_values={len(self.generic_values)}, "
            f"conflicts={len(self.conflicts)}, rejects={int(self.rejects['records'].sum())})"
        )

    @property
    def max_size(self) -> int:
        """Records of the largest person (0 for an empty graph)."""
        return int(self.sizes["size"].max()) if len(self.sizes) else 0

    def __str__(self) -> str:
        singles = self.sizes.loc[self.sizes["size"] == 1, "persons"].sum()
        lines = [
            f"{self.records} records, {self.persons} persons "
            f"({int(singles)} single-record), largest person {self.max_size} records",
            "",
            "cluster sizes (size: persons)",
        ]
        sizes, persons = self.sizes["size"].tolist(), self.sizes["persons"].tolist()
        shown = list(range(len(sizes)))
        if len(sizes) > 20:  # the ten smallest and ten largest sizes, and how many between
            shown = [*range(10), -1, *range(len(sizes) - 10, len(sizes))]
        lines += [
            f"  ... {len(sizes) - 20} more sizes" if k < 0 else f"  {sizes[k]}: {persons[k]}"
            for k in shown
        ]
        lines += ["", "largest persons", _indent(self.largest.to_string(index=False))]
        lines += ["", f"generic values: {len(self.generic_values)}"]
        if len(self.generic_values):
            counts = self.generic_values.groupby("kind")["records"].agg(["size", "max"])
            lines += [
                f"  {kind}: {n} values, up to {m} records"
                for kind, n, m in zip(counts.index, counts["size"], counts["max"], strict=True)
            ]
        lines += ["", f"conflicts (links cut by per-person limits): {len(self.conflicts)}"]
        if len(self.conflicts):
            by = self.conflicts.groupby(["limit", "kind"]).size().reset_index(name="n")
            lines += [
                f"  limit {lim}, {kind} links: {n}"
                for lim, kind, n in zip(by["limit"], by["kind"], by["n"], strict=True)
            ]
        lines += ["", f"drift in the last resolution: {len(self.size_jumps)} size jumps, "
                  f"{len(self.new_generic_values)} values newly generic"]  # fmt: skip
        lines += [
            f"  person {p}: {b} -> {a} records"
            for p, b, a in zip(
                self.size_jumps["person_id"],
                self.size_jumps["records_before"],
                self.size_jumps["records_after"],
                strict=True,
            )
        ][:10]
        lines += ["", f"rejected values: {int(self.rejects['records'].sum())}"]
        lines += [
            f"  {c} {r}: {n}"
            for c, r, n in zip(
                self.rejects["column"], self.rejects["reason"], self.rejects["records"], strict=True
            )
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import report_html

        return report_html(self)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def graph_report(state: GraphState, *, top: int = 10) -> GraphReport:
    """Build the :class:`GraphReport` of ``state`` (see :meth:`IdentityGraph.report`).

    Notes
    -----
    Cost: O(records) group-bys, plus :meth:`IdentityGraph.conflicts`.
    """
    if not isinstance(top, int) or top < 0:
        msg = f"top must be a non-negative integer, got {top!r}"
        raise ConfigError(msg)
    clusters = clusters_frame(state)
    size = clusters.groupby("person_id", sort=False).size()
    sizes = (
        size.value_counts()
        .rename_axis("size")
        .rename("persons")
        .sort_index()
        .reset_index()
        .astype({"size": np.int64, "persons": np.int64})
    )
    ranked = pd.DataFrame({"person_id": size.index.to_numpy(), "records": size.to_numpy()})
    ranked = ranked.sort_values(["records", "person_id"], ascending=[False, True]).head(top)
    members = clusters[clusters["person_id"].isin(ranked["person_id"])]
    by_source = pd.crosstab(members["person_id"], members["source"].astype(str))
    by_source = by_source.reindex(columns=[str(s) for s in state.records.sources], fill_value=0)
    by_source.columns = [str(c) for c in by_source.columns]
    largest = ranked.merge(by_source.reset_index(), on="person_id", how="left").reset_index(
        drop=True
    )
    rejects = rejects_frame(state)
    empty = {
        "column": pd.Series([], dtype=object),
        "reason": pd.Series([], dtype=object),
        "records": np.empty(0, np.int64),
    }
    reject_counts = (
        rejects.groupby(["column", "reason"]).size().rename("records").reset_index()
        if len(rejects)
        else pd.DataFrame(empty)
    )
    return GraphReport(
        records=len(clusters),
        persons=len(size),
        sizes=sizes,
        largest=largest,
        generic_values=generic_values_frame(state),
        conflicts=conflicts_frame(state),
        rejects=reject_counts.sort_values(["column", "reason"], ignore_index=True),
        size_jumps=_size_jumps(state),
        new_generic_values=_new_generic(state),
    )


def _empty_jumps() -> pd.DataFrame:
    none = np.empty(0, np.int64)
    return pd.DataFrame({"person_id": none, "records_before": none, "records_after": none})


def _size_jumps(state: GraphState) -> pd.DataFrame:
    """The persons whose size jumped in the last resolution (still in the graph)."""
    drift = state.drift
    if not len(drift.jump_person):
        return _empty_jumps()
    out = pd.DataFrame(
        {
            "person_id": drift.jump_person,
            "records_before": drift.jump_before,
            "records_after": drift.jump_after,
        }
    )
    return out.sort_values(
        ["records_after", "person_id"], ascending=[False, True], ignore_index=True
    )


def _new_generic(state: GraphState) -> pd.DataFrame:
    """The values that turned generic in the last resolution and still are."""
    codes = state.drift.new_generic
    codes = codes[state.generic_mask(codes)] if len(codes) else codes
    kinds = np.array([p.name for p in state.policies] or [""], dtype=object)
    out = pd.DataFrame(
        {
            "kind": pd.Series(kinds[state.value_codes.kind[codes]], dtype=object),
            "value": pd.Series(state.value_codes.key[codes], dtype=object),
            "records": state.value_codes.count[codes].astype(np.int64),
        }
    )
    return out.sort_values(["records", "kind"], ascending=[False, True], ignore_index=True)
