"""The worked examples in docs/ run and produce what they promise."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).parents[1] / "docs" / "examples"


def test_golden_profiles_example() -> None:
    namespace = runpy.run_path(str(EXAMPLES / "golden_profiles.py"))
    golden, graph = namespace["golden"], namespace["graph"]
    assert len(golden) == graph.n_persons
    assert golden["person_id"].is_unique
    assert {"first_name__source", "first_name__record_id", "lifetime_value"} <= set(golden.columns)
    assert set(golden["first_name__source"].dropna()) <= {"crm", "pos", "web"}
