"""Person ids of a bulk load, from the documented rule: each from its smallest record hash."""

from __future__ import annotations

import pandas as pd
import pytest

import identigraph as ig
from identigraph.graph.core import record_hashes

_MASK63 = (1 << 63) - 1

WEB = pd.DataFrame(
    {
        "rid": [1, 2, 3, 4],
        "email": ["ann@mail.org", " ANN@mail.org", None, "bob@mail.org"],
        "cookie": ["c1", "c2", "c2", None],
    }
)
CRM = pd.DataFrame(
    {
        "rid": ["A", "B", "C"],
        "email": ["bob@mail.org", None, "null"],
        "crm_id": ["K1", "K1", "K9"],
    }
)
# Persons by hand: web 1-2 share an email and 2-3 a cookie; web 4 and crm A share
# an email and crm A-B a CRM id; crm C's email is junk and its CRM id its own.
PERSONS = [[("web", 1), ("web", 2), ("web", 3)], [("web", 4), ("crm", "A"), ("crm", "B")]]
PERSONS += [[("crm", "C")]]


def _expected_id(records: list[tuple[str, object]]) -> int:
    hashes = [int(record_hashes(s, pd.Index([r]))[0]) for s, r in records]
    return min(hashes) & _MASK63


@pytest.mark.parametrize("order", [("web", "crm"), ("crm", "web")])
def test_bulk_person_ids_follow_the_smallest_record_hash(order: tuple[str, str]) -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie"), ig.Key("crm_id")])
    frames = {"web": WEB, "crm": CRM}
    for source in order:
        g.add(frames[source], source=source, id="rid")
    for records in PERSONS:
        assert {g.person_of(s, r) for s, r in records} == {_expected_id(records)}
    assert g.n_persons == len(PERSONS)
