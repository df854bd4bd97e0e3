"""Hubs (placeholder values carried by many different people) link nobody; generic values
cost nothing to add; an expiry empties every cell that held the value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import identigraph as ig
import identigraph.graph.ops.resolve as resolve_ops


def _pos(n_nocard: int, *, start: int = 0) -> pd.DataFrame:
    ids = np.arange(start, start + n_nocard)
    return pd.DataFrame(
        {"tid": ids, "card": "NOCARD", "email": [f"shopper{i}@mail.com" for i in ids]}
    )


def _loyal() -> pd.DataFrame:
    # One customer's 80 receipts: one card, two emails (a real key that repeats).
    return pd.DataFrame(
        {"tid": np.arange(10_000, 10_080), "card": "C-42",
         "email": ["ann@mail.com", "ann.b@mail.com"] * 40}
    )  # fmt: skip


def test_a_placeholder_key_on_many_receipts_links_nobody_and_is_reported() -> None:
    g = ig.IdentityGraph([ig.Key("card"), ig.Email("email")])
    g.add(pd.concat([_pos(2_000), _loyal()], ignore_index=True), source="pos", id="tid")
    sizes = g.clusters().groupby("person_id").size()
    assert sizes.max() == 80  # the loyal customer's receipts, not the 2,000 shoppers
    assert (sizes == 1).sum() == 2_000
    generic = g.generic_values()
    assert generic[["kind", "value", "records", "reason"]].to_dict("records") == [
        {"kind": "card", "value": "NOCARD", "records": 2_000, "reason": "hub"}
    ]
    assert g.lookup(card="NOCARD") is None
    assert g.lookup_all(card="NOCARD")["status"].tolist() == ["generic"]
    g.check_invariants()


def test_a_spec_opts_out_of_hub_detection() -> None:
    g = ig.IdentityGraph([ig.Key("card", max_linked=None), ig.Email("email")])
    g.add(_pos(300), source="pos", id="tid")
    assert g.n_persons == 1
    assert g.generic_values().empty


def test_a_value_turning_hub_in_updates_splits_as_a_rebuild_would() -> None:
    g = ig.IdentityGraph([ig.Key("card", max_linked=5), ig.Email("email")])
    g.add(_pos(4), source="pos", id="tid")
    assert g.n_persons == 1  # four shoppers: under the limit, linked by the card
    changes = g.add(_pos(3, start=4), source="pos", id="tid")
    assert changes.splits["old_id"].nunique() == 1  # the one person split apart
    assert g.n_persons == 7
    # Erasing receipts brings the card back under the limit: it links again.
    changes = g.remove(records=[("pos", i) for i in range(2, 7)])
    assert g.n_persons == 1
    assert len(changes.merges) == 1
    rebuilt = ig.IdentityGraph([ig.Key("card", max_linked=5), ig.Email("email")])
    rebuilt.add(_pos(2), source="pos", id="tid")
    assert rebuilt.n_persons == g.n_persons
    g.check_invariants()


def test_hubs_survive_save_and_load(tmp_path: Path) -> None:
    g = ig.IdentityGraph([ig.Key("card", max_linked=5), ig.Email("email")])
    g.add(_pos(50), source="pos", id="tid")
    g.save(tmp_path / "g")
    h = ig.IdentityGraph.load(tmp_path / "g")
    pd.testing.assert_frame_equal(h.generic_values(), g.generic_values())
    pd.testing.assert_frame_equal(h.clusters(), g.clusters())
    h.add(_pos(1, start=50), source="pos", id="tid")
    assert h.n_persons == 51


def test_adding_a_record_with_a_generic_value_does_not_visit_its_carriers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = ig.IdentityGraph([ig.Cookie("kiosk", max_records=10), ig.Email("email")])
    g.add(pd.DataFrame({"kiosk": "K1", "email": [f"u{i}@mail.com" for i in range(500)]}),
          source="web")  # fmt: skip
    g.build_indexes()
    kiosk = int(g.state.value_codes.indexes["cookie"].get(np.array(["K1"], dtype=object))[0])
    asked: list[np.ndarray] = []
    real = resolve_ops.persons_of_values

    def spy(state: object, values: np.ndarray, *, before: int) -> np.ndarray:
        asked.append(np.asarray(values))
        return real(state, values, before=before)  # type: ignore[arg-type]

    monkeypatch.setattr(resolve_ops, "persons_of_values", spy)
    pid = g.resolve_one({"rid": 9_999, "kiosk": "K1", "email": "u3@mail.com"},
                        source="pos", id="rid")  # fmt: skip
    assert pid == g.person_of("web", 3)
    assert asked
    assert all(kiosk not in a for a in asked)
    assert g.n_persons == 500


def test_an_expiry_empties_every_column_of_the_kind_that_held_the_value() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie_a"), ig.Cookie("cookie_b")])
    web = pd.DataFrame(
        {"email": ["ann@mail.com", None], "cookie_a": ["ck1", "ck1"], "cookie_b": ["ck1", None],
         "seen_at": pd.to_datetime(["2024-01-01", "2024-01-02"])}
    )  # fmt: skip
    g.add(web, source="web")
    assert g.n_persons == 1
    changes = g.expire("90D", time_column="seen_at", now="2024-12-31")
    assert len(changes.splits) == 1
    records = g.records()
    assert records["cookie_a"].isna().all()
    assert records["cookie_b"].isna().all()
    g.check_invariants()
