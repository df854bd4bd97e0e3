"""The partition a clusters frame describes, for comparing graphs built different ways."""

from __future__ import annotations

import pandas as pd


def partition(clusters: pd.DataFrame) -> set[frozenset[tuple[str, object]]]:
    """The persons of ``clusters`` as sets of ``(source, record_id)`` keys; ids ignored."""
    groups: dict[int, set[tuple[str, object]]] = {}
    keys = zip(clusters["source"].astype(str), clusters["record_id"], strict=True)
    for key, person in zip(keys, clusters["person_id"].tolist(), strict=True):
        groups.setdefault(int(person), set()).add(key)
    return {frozenset(g) for g in groups.values()}
