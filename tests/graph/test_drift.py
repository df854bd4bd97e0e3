"""Report drift: persons whose size jumped in the last resolution, values newly generic."""

from __future__ import annotations

import pandas as pd

import identigraph as ig

SPECS = [ig.Email("email", hash=False), ig.Cookie("cookie_id", max_records=3)]


def _graph() -> ig.IdentityGraph:
    g = ig.IdentityGraph(SPECS)
    g.add(
        pd.DataFrame(
            {"email": ["ann@mail.com", None, "bob@mail.com", None, None],
             "cookie_id": ["c1", "c1", None, "c2", "c2"]}
        ),
        source="web",
    )  # fmt: skip
    g.build_indexes()
    return g


def test_a_bulk_load_has_no_jumps() -> None:
    report = _graph().report()
    assert report.size_jumps.empty
    assert report.new_generic_values.empty


def test_a_bridging_record_makes_a_size_jump() -> None:
    g = _graph()
    g.add(pd.DataFrame({"email": ["ann@mail.com"], "cookie_id": ["c2"]}, index=[9]), source="web")
    report = g.report()
    pid = g.person_of("web", 9)
    assert report.size_jumps.to_dict("records") == [
        {"person_id": pid, "records_before": 2, "records_after": 5}
    ]
    assert "1 size jumps" in str(report)
    # The next, quiet resolution clears the jumps.
    g.add(pd.DataFrame({"email": ["cy@mail.com"]}, index=[10]), source="web")
    assert g.report().size_jumps.empty


def test_a_value_turning_generic_is_flagged_once() -> None:
    g = _graph()
    more = pd.DataFrame({"cookie_id": ["c2", "c2"]}, index=[7, 8])
    g.add(more, source="web")
    flagged = g.report().new_generic_values
    assert flagged[["kind", "value", "records"]].values.tolist() == [["cookie", "c2", 4]]
    g.add(pd.DataFrame({"cookie_id": ["c2"]}, index=[11]), source="web")
    assert g.report().new_generic_values.empty  # already generic before
    assert len(g.state.drift.generic_seen) == 1
