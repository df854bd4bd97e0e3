"""Identifier specs: defaults, dtypes, keys and junk."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig


def test_defaults_per_kind() -> None:
    assert (ig.Email("e").kind, ig.Email("e").priority, ig.Email("e").max_records) == (
        "email",
        30,
        100,
    )
    assert (ig.Phone("p").kind, ig.Phone("p").max_records) == ("phone", 20)
    assert (ig.Cookie("c").kind, ig.Cookie("c").max_records) == ("cookie", 50)
    assert (ig.Key("crm_id").kind, ig.Key("crm_id").priority) == ("crm_id", 40)
    assert ig.Key("crm_id").priority > ig.Email("e").priority > ig.Phone("p").priority
    assert ig.Phone("p").priority > ig.Cookie("c").priority


def test_specs_are_frozen_and_replaceable() -> None:
    spec = ig.Cookie("c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.kind = "x"  # type: ignore[misc]
    assert dataclasses.replace(spec, max_records=5).max_records == 5


def test_to_text_dtypes() -> None:
    key = ig.Key("k")
    assert key.to_text(pd.Series([1, 2])).tolist() == ["1", "2"]
    assert key.to_text(pd.Series([1.0, np.nan])).iloc[0] == "1"
    assert key.to_text(pd.Series([" a ", ""])).isna().tolist() == [False, True]
    assert ig.Email("e").to_text(pd.Series([np.nan, np.nan])).isna().all()
    with pytest.raises(ig.DtypeError) as err:
        ig.Email("e").to_text(pd.Series([1, 2]))
    assert err.value.column == "e"
    with pytest.raises(ig.DtypeError):
        ig.Key("k").to_text(pd.Series([True, False]))
    with pytest.raises(ig.DtypeError):
        ig.Cookie("c").to_text(pd.Series(pd.to_datetime(["2024-01-01"])))
    with pytest.raises(ig.DtypeError):
        ig.Key("k").to_text(pd.Series([1.5, 2.0]))


@given(st.lists(st.text(min_size=1, max_size=10).map(str.strip).filter(bool), max_size=20))
def test_cookie_keys_are_idempotent(values: list[str]) -> None:
    spec = ig.Cookie("c")
    first = spec.normalize(pd.Series(values, dtype=object)).keys
    kept = [k for k in first.tolist() if k is not None]
    again = spec.normalize(pd.Series(kept, dtype=object)).keys.tolist()
    assert again == kept


@pytest.mark.parametrize("junk", ["null", "N/A", "unknown", "UNDEFINED", "0", "-1"])
def test_builtin_junk_tokens(junk: str) -> None:
    assert ig.Cookie("c").normalize(pd.Series([junk])).reasons.tolist() == ["junk_value"]
    assert ig.Cookie("c", builtin_junk=False).normalize(pd.Series([junk])).reasons.tolist() == [
        None
    ]


def test_caller_junk_extends_lists() -> None:
    spec = ig.Key("k", junk=frozenset({"DEMO-CARD"}))
    assert spec.normalize(pd.Series(["demo-card", "real"])).reasons.tolist() == ["junk_value", None]


@pytest.mark.parametrize("phone", ["0000000000", "1234567890", "111-111-1111", "+1 999 999 9999"])
def test_junk_phones(phone: str) -> None:
    assert ig.Phone("p", region="US").normalize(pd.Series([phone])).reasons.tolist() == [
        "junk_value"
    ]


_MIXED = st.lists(
    st.sampled_from(
        [*"aAbZ09@.+-_ \t\v\u00a0\u200büßİ٣０＠", "@mail.com", "@gmail.com", "201", "555"]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@pytest.mark.parametrize(
    "spec",
    [ig.Email("e"), ig.Email("e", provider_rules=True), ig.Phone("p", region="US"), ig.Cookie("c")],
    ids=["email", "email-provider", "phone", "cookie"],
)
@given(st.lists(_MIXED, min_size=9, max_size=20))
def test_one_value_normalizes_like_a_batch(spec: ig.Identifier, values: list[str]) -> None:
    # Batches of up to eight values take the Python regex path, larger ones RE2:
    # a real-time lookup of one value must give exactly what a bulk add gives.
    text = spec.to_text(pd.Series(values, dtype=object)).dropna()
    batch = spec.normalize(text)
    for i, value in enumerate(text.tolist()):
        single = spec.normalize(pd.Series([value], dtype=object))
        assert single.keys[0] == batch.keys[i], value
        assert single.reasons[0] == batch.reasons[i], value
