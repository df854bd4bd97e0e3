"""Shared fixtures: a resolved demo graph, built once per test session."""

from __future__ import annotations

import pandas as pd
import pytest

import identigraph as ig
from identigraph.activation import Persons
from identigraph.cli import demo_specs


@pytest.fixture(scope="session")
def demo() -> tuple[ig.IdentityGraph, dict[str, pd.DataFrame]]:
    sources, _ = ig.datasets.customers(400, seed=3)
    crm = sources["crm"].copy()
    crm["email_opt_out"] = (crm.index % 9 == 0).astype(bool)
    sources = {**sources, "crm": crm}
    graph = ig.IdentityGraph(demo_specs())
    for name, frame in sources.items():
        graph.add(frame, source=name, id=ig.datasets.RECORD_ID_COLUMNS[name])
    graph.resolve()
    return graph, sources


@pytest.fixture(scope="session")
def demo_persons(demo: tuple[ig.IdentityGraph, dict[str, pd.DataFrame]]) -> Persons:
    return Persons(demo[0])
