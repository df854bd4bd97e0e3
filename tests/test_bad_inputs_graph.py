"""Bad input at the graph's door: what ``IdentityGraph`` and ``add`` refuse, and what they keep.

These tests need the facade to validate its arguments with
``identigraph.matcher.specs.check_identifiers`` (in ``IdentityGraph.__init__``)
and ``identigraph.matcher._frame_checks.check_frame`` (first thing in ``add``).
"""

from __future__ import annotations

import decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import identigraph as ig
from tests.matcher.test_frame_checks import DTYPE_CASES, SPECS, STRUCTURE_CASES

_CASES = {**STRUCTURE_CASES, **DTYPE_CASES}
SECRETS = ("ann@mail.org", "bob@mail.org", "A1", "\\xff")


@pytest.mark.parametrize(
    "identifiers",
    [None, "email", b"email", 3, {"email": ig.Email("email")}, [ig.Email("email"), "phone"],
     [ig.Email("e"), ig.Cookie("e")], [ig.Attribute("first_name")]],
    ids=["none", "str", "bytes", "int", "dict", "str-item", "same-column", "attribute"],
)  # fmt: skip
def test_graph_refuses_what_is_not_a_list_of_specs(identifiers: object) -> None:
    with pytest.raises(ig.ConfigError):
        ig.IdentityGraph(identifiers)  # type: ignore[arg-type]


def test_one_spec_alone_is_a_list_of_one() -> None:
    g = ig.IdentityGraph(ig.Email("email"))  # type: ignore[arg-type]
    assert g.identifiers == (ig.Email("email"),)
    g.add(pd.DataFrame({"email": ["ann@mail.org", "ANN@mail.org "]}), source="web")
    assert g.n_persons == 1


@pytest.mark.parametrize(("frame", "kwargs", "error"), list(_CASES.values()), ids=list(_CASES))
def test_add_refuses_and_keeps_the_graph_and_its_store(
    frame: object,
    kwargs: dict[str, object],
    error: type[Exception],
    tmp_path: Path,
) -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"email": ["ann@mail.org"], "card": ["A1"]}), source="crm")
    g.save(tmp_path / "g")
    before = g.records()
    with pytest.raises(error) as err:
        g.add(frame, source="web", **kwargs)  # type: ignore[arg-type]
    assert type(err.value) is error
    assert not [s for s in SECRETS if s in str(err.value)]
    pd.testing.assert_frame_equal(g.records(), before)
    g.save(tmp_path / "g")
    pd.testing.assert_frame_equal(ig.IdentityGraph.load(tmp_path / "g").records(), before)


# --- record ids of every kind read back equal (kept columns: tests/graph/test_store_dtypes.py)
@pytest.mark.parametrize(
    "ids",
    [
        pd.Index(["r1", "r2", "r3"], name="rid"),
        pd.Index([3, 1, 2**62]),
        pd.Index([2**63 + 1, 1, 2], dtype="uint64"),
        pd.Index([1.5, -0.0, 1e300]),
        pd.Index([True, False, None], dtype=object),
        pd.Index([decimal.Decimal("1.5"), decimal.Decimal(2), decimal.Decimal("-3.25")]),
        pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]),
        pd.Index([np.int64(5), 6, 7], dtype=object),
    ],
    ids=["str", "int", "uint64", "float", "bool-missing", "decimal", "datetime", "object-int"],
)
def test_record_ids_add_accepts_load_reads_back_equal(ids: pd.Index, tmp_path: Path) -> None:
    frame = pd.DataFrame({"email": ["ann@mail.org", "bob@mail.org", "ann@mail.org"]}, index=ids)
    g = ig.IdentityGraph(SPECS)
    if ids.hasnans:  # a missing id is the facade's own InputError
        with pytest.raises(ig.InputError):
            g.add(frame, source="web")
        return
    g.add(frame, source="web")
    g.save(tmp_path / "g")
    pd.testing.assert_frame_equal(ig.IdentityGraph.load(tmp_path / "g").records(), g.records())
