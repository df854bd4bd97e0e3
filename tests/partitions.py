"""The partition a clusters frame describes, for comparing graphs built different ways."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

import identigraph as ig


def partition(clusters: pd.DataFrame) -> set[frozenset[tuple[str, object]]]:
    """The persons of ``clusters`` as sets of ``(source, record_id)`` keys; ids ignored."""
    groups: dict[int, set[tuple[str, object]]] = {}
    keys = zip(clusters["source"].astype(str), clusters["record_id"], strict=True)
    for key, person in zip(keys, clusters["person_id"].tolist(), strict=True):
        groups.setdefault(int(person), set()).add(key)
    return {frozenset(g) for g in groups.values()}


def rebuilt(graph: ig.IdentityGraph, specs: Sequence[ig.Identifier]) -> ig.IdentityGraph:
    """A new graph of ``specs`` holding ``graph``'s alive records, one bulk add per source.

    Record ids are integers in the graphs these tests build.
    """
    out = ig.IdentityGraph(specs)
    for source, part in graph.records().groupby("source", sort=True, observed=True):
        frame = part.drop(columns=["source"]).set_index("record_id")
        frame.index = frame.index.astype("int64")
        out.add(frame, source=str(source))
    return out
