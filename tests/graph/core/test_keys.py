"""column_keys: a column of strings read through Arrow gives what the spec's own steps give.

value_key: one raw value gives the key and reason column_keys gives it in a large batch.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.errors import DtypeError
from identigraph.graph.core import column_keys, extract_keys, value_key
from identigraph.graph.core import keys as keys_module
from tests.strategies import email_addresses, phone_strings, with_invisible

SPECS: list[ig.Identifier] = [
    ig.Key("k"),
    ig.Cookie("k"),
    ig.Email("k"),
    ig.Email("k", hash=False),
    ig.Phone("k", region="US", hash=False),
]

raw_values = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.sampled_from(["", "  ", "null", "N/A", "ck-1", " ck-1 ", "ck-1\u200b", "é" * 3]),
    email_addresses,
    email_addresses.flatmap(with_invisible),
    email_addresses.map(lambda e: f"  {e.upper()} "),
    phone_strings,
    st.text(max_size=12).filter(lambda s: not any(0xD800 <= ord(c) < 0xE000 for c in s)),
)


def _reference(
    spec: ig.Identifier, column: pd.Series
) -> tuple[list[int], list[object], list[object]]:
    """The documented steps one by one: factorize, ``to_text`` and ``normalize`` the uniques."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    text = spec.to_text(pd.Series(uniques, dtype=object))
    keys: list[object] = [None] * len(uniques)
    reasons: list[object] = [None] * len(uniques)
    present = np.flatnonzero(text.notna().to_numpy())
    if len(present):
        found = spec.normalize(text.iloc[present])
        for i, key, reason in zip(present, found.keys, found.reasons, strict=True):
            keys[i], reasons[i] = key, reason
    return codes.tolist(), keys, reasons


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{type(s).__name__}-{s.kind}")
@given(values=st.lists(raw_values, max_size=25))
def test_string_column_matches_the_spec_steps(spec: ig.Identifier, values: list[object]) -> None:
    column = pd.Series(values, dtype=object)
    codes, keys, reasons = column_keys(spec, column)
    expected_codes, expected_keys, expected_reasons = _reference(spec, column)
    assert codes.tolist() == expected_codes
    assert keys.tolist() == expected_keys
    assert reasons.tolist() == expected_reasons


@pytest.mark.parametrize("dtype", [object, "string[python]", "string[pyarrow]"])
def test_string_dtypes_give_the_same_keys(dtype: str | type) -> None:
    values = [" Ann@Mail.org", None, "ann@mail.org", "", "bob@mail.org", " Ann@Mail.org"]
    codes, keys, reasons = column_keys(ig.Email("e"), pd.Series(values, dtype=dtype))
    assert codes.tolist() == [0, -1, 1, 2, 3, 0]
    assert keys[0] == keys[1] != keys[3]
    assert keys[2] is None
    assert reasons.tolist() == [None] * 4


def test_integer_keys_in_an_object_column_are_read_as_text() -> None:
    codes, keys, _ = column_keys(ig.Key("k"), pd.Series(["7", 7, None, " 8"], dtype=object))
    assert codes.tolist() == [0, 1, -1, 2]
    assert keys.tolist() == ["7", "7", "8"]


@pytest.mark.parametrize(
    "bad", [b"raw-bytes", True, "\ud800"], ids=["bytes", "bool", "lone-surrogate"]
)
def test_values_arrow_would_misread_still_raise(bad: object) -> None:
    # Arrow reads bytes as text; the object check must still refuse them.
    with pytest.raises(DtypeError):
        column_keys(ig.Key("k"), pd.Series(["ok", bad], dtype=object))


ONE_VALUE_SPECS: list[ig.Identifier] = [
    *SPECS,
    ig.Email("k", provider_rules=True),
    ig.Email("k", junk={"ann@mail.org"}),
    ig.Email("k", builtin_junk=False, junk={"ann@mail.org"}),
    ig.Phone("k", region="GB"),
    ig.Phone("k", junk={"+12015550123"}),
    ig.Phone("k", region="US", builtin_junk=False),
    ig.Cookie("k", junk="ck-1", builtin_junk=False),
]

_ASCII = "abcdefABCDEF0123456789@.+-_ ()/xyzGMAILgmailN"
one_raw_values = st.one_of(
    raw_values,
    st.text(alphabet=_ASCII, max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.sampled_from(["AB" * 32, "ab" * 32, " " + "0f" * 32, "a" * 300, "x" * 5000]),
    st.sampled_from(["Ann.Lee+promo@GoogleMail.com", "+x@gmail.com", "noreply@shop.com"]),
    st.sampled_from(["+1 999 999 9999", "123456789", "+44 1234567890", "(201) 555-0123"]),
    st.integers(-(10**12), 10**12),
)
#: Pre-hashed values: digests in both cases, and the digest of an address written plain.
_DIGESTS = [
    "AB" * 32,
    "ab" * 32,
    hashlib.sha256(b"ann@mail.org").hexdigest(),
    hashlib.sha256(b"ann@mail.org").hexdigest().upper(),
    "ann@mail.org",
]
#: Distinct fillers that send a batch down the bulk kernels (RE2, the vectorized phone parser).
_FILLERS = [f"{i:03d}-filler-{i}@shop{i}.com" for i in range(40)]


@pytest.mark.parametrize("spec", ONE_VALUE_SPECS, ids=repr)
@given(raw=one_raw_values)
def test_one_value_gives_the_key_of_a_large_batch(spec: ig.Identifier, raw: object) -> None:
    try:
        codes, keys, reasons = column_keys(spec, pd.Series([raw, *_FILLERS], dtype=object))
    except DtypeError:
        with pytest.raises(DtypeError):
            value_key(spec, raw)
        return
    expected = (None, None) if codes[0] < 0 else (keys[codes[0]], reasons[codes[0]])
    assert value_key(spec, raw) == expected
    # A frame of one record (resolve_one) takes the one-value steps too.
    codes, keys, reasons = column_keys(spec, pd.Series([raw], dtype=object))
    assert ((None, None) if codes[0] < 0 else (keys[codes[0]], reasons[codes[0]])) == expected


def _big_frame(rows: int) -> pd.DataFrame:
    ids = np.arange(rows)
    return pd.DataFrame(
        {
            "email": [f"user{i % 9_000}@mail{i % 7}.com" for i in ids],
            "phone": [f"+1 201 555 {i % 10_000:04d}" for i in ids],
            "cookie": [f"ck-{i % 20_000}" if i % 3 else None for i in ids],
        }
    )


def test_columns_normalized_on_threads_give_the_plain_loops_edges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = _big_frame(60_000)
    specs = [(0, ig.Email("email")), (1, ig.Phone("phone")), (2, ig.Cookie("cookie"))]
    threaded = extract_keys(frame, specs, None, 0)
    monkeypatch.setattr(keys_module, "_THREADED_ROWS", len(frame) + 1)
    plain = extract_keys(frame, specs, None, 0)
    for field in ("rec", "val", "spec", "reject_rec", "reject_reason", "new_keys"):
        assert getattr(threaded, field).tolist() == getattr(plain, field).tolist()
    assert threaded.next_code == plain.next_code


def test_a_column_that_cannot_hold_its_identifier_raises_from_the_threads() -> None:
    frame = _big_frame(60_000).assign(card=1.5)
    with pytest.raises(DtypeError, match="'card'"):
        extract_keys(frame, [(0, ig.Email("email")), (1, ig.Key("card"))], None, 0)


@pytest.mark.parametrize(
    "spec", [*SPECS, ig.Phone("k", region="US")], ids=lambda s: f"{type(s).__name__}-{s.kind}"
)
@given(values=st.lists(st.one_of(raw_values, st.sampled_from(_DIGESTS)), max_size=25))
def test_keys_kept_in_arrow_equal_the_object_keys(
    spec: ig.Identifier, values: list[object]
) -> None:
    column = pd.Series(values, dtype=object)
    codes, keys, reasons = column_keys(spec, column)
    a_codes, a_keys, a_reasons, distinct = keys_module._column_codes(spec, column, arrow=True)
    assert a_codes.tolist() == codes.tolist()
    assert a_reasons.tolist() == reasons.tolist()
    present = [key for key in keys.tolist() if key is not None]
    if distinct:  # the flag is never wrong
        assert len(set(present)) == len(present)
    if isinstance(a_keys, pa.Array):
        assert not (isinstance(spec, (ig.Email, ig.Phone)) and not spec.hash)
        assert a_keys.to_pylist() == keys.tolist()
    else:
        assert a_keys.tolist() == keys.tolist()


@pytest.mark.parametrize("rows", [40, 60_000])
def test_a_bulk_loads_keys_in_arrow_are_the_new_keys(rows: int) -> None:
    frame = _big_frame(rows).assign(card=[f" K{i % 500} " if i % 4 else "n/a" for i in range(rows)])
    specs = [(0, ig.Email("email")), (1, ig.Cookie("cookie")), (3, ig.Key("card"))]
    plain = extract_keys(frame, specs, None, 5)
    arrow = extract_keys(frame, specs, None, 5, arrow_keys=True)
    for field in ("rec", "val", "spec", "reject_rec", "reject_spec", "reject_reason"):
        assert getattr(arrow, field).tolist() == getattr(plain, field).tolist()
    assert (arrow.next_code, arrow.new_kinds) == (plain.next_code, plain.new_kinds)
    assert len(arrow.new_keys) == 0
    assert [len(c) for c in arrow.new_key_chunks] == [n for _, n in plain.new_kinds]
    types = [pa.LargeStringArray, pa.StringArray, pa.StringArray]
    assert [type(c) for c in arrow.new_key_chunks] == types
    chunks = [
        c.to_pylist() if isinstance(c, pa.Array) else c.tolist() for c in arrow.new_key_chunks
    ]
    assert [key for chunk in chunks for key in chunk] == plain.new_keys.tolist()
    # Emails are distinct addresses, hashed into Arrow; cookies are as written; cards
    # are trimmed (" K1 " and "K1" would give one key).
    assert arrow.new_key_distinct == (True, True, False)


@pytest.mark.parametrize(
    ("values", "distinct"),
    [
        (["a@x.com", "b@x.com", None, "a@x.com"], True),  # normalized as written
        (["a@x.com", "b@x.com", "B@x.com"], False),  # two spellings of one address
        (["a@x.com", " b@x.com"], True),  # trimmed apart, still distinct
        (["a@x.com", "ab" * 32, "AB" * 32], False),  # one digest given twice
    ],
)
def test_hashed_keys_in_arrow_say_whether_they_repeat(
    values: list[str | None], distinct: bool
) -> None:
    column = pd.Series(values, dtype=object)
    codes, keys, _ = column_keys(ig.Email("e"), column)
    a_codes, a_keys, _, a_distinct = keys_module._column_codes(ig.Email("e"), column, arrow=True)
    assert isinstance(a_keys, pa.Array)
    assert a_keys.to_pylist() == keys.tolist()
    assert a_codes.tolist() == codes.tolist()
    assert a_distinct is distinct
    assert keys[0] == hashlib.sha256(b"a@x.com").hexdigest()
