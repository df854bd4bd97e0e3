"""Golden records on Spark against IdentityGraph.golden on the same records."""

from __future__ import annotations

from typing import Any

import pandas as pd

import identigraph as ig
from identigraph import spark as igs
from identigraph.cli import demo_specs
from tests.spark.conftest import collect
from tests.spark.test_resolve import _pandas, _spark_frames


def test_golden_equals_pandas_golden(spark: Any) -> None:
    sources, _ = ig.datasets.customers(60, seed=5, household_rate=0.3, junk_rate=0.1)
    ids = ig.datasets.RECORD_ID_COLUMNS
    keep = {n: f[[c for c in f.columns if f[c].dtype.kind not in "Mf"]] for n, f in sources.items()}
    rules = {
        "email": ig.MostFrequent(normalized=True),
        "first_name": ig.SourcePriority(list(keep)).then(ig.MostFrequent()),
    }
    g = _pandas(keep, ids, demo_specs())
    expected = g.golden(rules)
    frames = _spark_frames(spark, keep)
    result = igs.resolve(frames, identifiers=demo_specs(), ids=ids)
    got = collect(igs.golden(result, frames, rules, ids=ids, identifiers=demo_specs()))
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) == g.n_persons
    as_text = {c: str for c in expected.columns}
    pd.testing.assert_frame_equal(
        got.astype(object).where(got.notna(), None).astype(as_text)
        .sort_values("person_id", ignore_index=True),
        expected.astype(object).where(expected.notna(), None).astype(as_text)
        .sort_values("person_id", ignore_index=True),
    )  # fmt: skip
    # the rule picked a rejected-free, normalized email where the person has one
    assert got["email"].notna().any()
