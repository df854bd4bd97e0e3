"""Built-in placeholder lists and the masks that apply them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.matcher.junk import (
    JUNK_EMAIL_DOMAINS,
    JUNK_EMAIL_LOCAL_PARTS,
    JUNK_TOKENS,
    is_junk_email,
    is_junk_phone_number,
    junk_email_mask,
    junk_phone_mask,
    junk_phone_number_mask,
    junk_token_mask,
)


@pytest.mark.parametrize(
    "email",
    [
        "test@test.com",
        "test@gmail.com",
        "noreply@shop.com",
        "no-reply@shop.com",
        "donotreply@bank.com",
        "ann@example.com",
        "ann@example.org",
        "none@none.com",
        "null@mail.com",
        "x@x.com",
        "someone@domain.com",
    ],
)
def test_placeholder_emails(email: str) -> None:
    assert junk_email_mask(pd.Series([email])).tolist() == [True]


@pytest.mark.parametrize(
    "email", ["ann@mail.com", "testa@mail.com", "ann@example.com.au", "bob@notexample.com"]
)
def test_real_emails_pass(email: str) -> None:
    assert junk_email_mask(pd.Series([email])).tolist() == [False]


def test_email_mask_takes_extra_values_and_missing() -> None:
    emails = pd.Series(["ann@mail.com", "bob@mail.com", None])
    assert junk_email_mask(emails, frozenset({"bob@mail.com"})).tolist() == [False, True, False]
    assert junk_email_mask(pd.Series([], dtype=object)).tolist() == []


@pytest.mark.parametrize(
    "digits", ["0000000000", "1111111", "999999999999", "1234567890", "0123456789", "9876543210"]
)
def test_placeholder_phone_digits(digits: str) -> None:
    assert junk_phone_mask(pd.Series([digits])).tolist() == [True]


@pytest.mark.parametrize("digits", ["2015550123", "11111", "1234", "4155550100", "12345678901"])
def test_real_or_short_phone_digits_pass(digits: str) -> None:
    assert junk_phone_mask(pd.Series([digits])).tolist() == [False]


@given(st.sampled_from("0123456789"), st.integers(6, 15))
def test_any_repeated_digit_run_is_junk(digit: str, length: int) -> None:
    assert junk_phone_mask(pd.Series([digit * length])).tolist() == [True]


def test_tokens_compare_case_insensitively() -> None:
    values = pd.Series(["NULL", "N/A", "Unknown", "undefined", "real-value"])
    assert junk_token_mask(values).tolist() == [True, True, True, True, False]
    assert junk_token_mask(pd.Series(["kiosk"]), frozenset({"kiosk"})).tolist() == [True]


def test_lists_cover_the_documented_placeholders() -> None:
    assert {"null", "unknown", "n/a", "none"} <= JUNK_TOKENS
    assert {"test", "noreply", "no-reply"} <= JUNK_EMAIL_LOCAL_PARTS
    assert {"example.com", "test.com"} <= JUNK_EMAIL_DOMAINS
    assert all(v == v.strip().lower() for v in JUNK_TOKENS | JUNK_EMAIL_DOMAINS)


def _phone_number_reference(values: list[str | None]) -> list[bool]:
    """Placeholder digits with or without a country code, one skip at a time."""
    digits = pc.replace_substring_regex(pa.array(values, type=pa.string()), r"\D+", "")
    mask = np.zeros(len(values), dtype=bool)
    for skip in range(4):
        mask |= junk_phone_mask(pc.utf8_slice_codeunits(digits, skip))
    return mask.tolist()


_PHONE_TEXT = st.one_of(
    st.none(),
    st.text(alphabet="0123456789 +-()x٣", max_size=18),
    st.builds(
        lambda lead, digit, size, sep: lead + sep.join(digit * size),
        st.sampled_from(["", "1", "+1 ", "44", "+353", "9999", "12"]),
        st.sampled_from("0123456789"),
        st.integers(0, 14),
        st.sampled_from(["", "-"]),
    ),
    st.builds(
        lambda lead, run: lead + run,
        st.sampled_from(["", "1", "+1", "12", "123", "1234", "0"]),
        st.sampled_from(
            [
                "123456789",
                "0123456789",
                "1234567890",
                "01234567890",
                "987654321",
                "9876543210",
                "12345678",
                "2345678901",
            ]
        ),
    ),
)


@given(st.lists(_PHONE_TEXT, max_size=30))
def test_phone_number_mask_drops_up_to_three_leading_digits(values: list[str | None]) -> None:
    assert junk_phone_number_mask(pa.array(values, type=pa.string())).tolist() == (
        _phone_number_reference(values)
    )


@given(_PHONE_TEXT.filter(lambda v: v is not None))
def test_one_phone_number_is_junk_as_in_a_batch(value: str) -> None:
    batch = junk_phone_number_mask(pa.array([value] * 12, type=pa.string()))  # the RE2 path
    assert is_junk_phone_number(value) == bool(batch[0])


@given(
    st.one_of(
        st.builds(
            "{}@{}".format,
            st.sampled_from([*sorted(JUNK_EMAIL_LOCAL_PARTS)[:20], "ann", "no.reply", "testx"]),
            st.sampled_from([*sorted(JUNK_EMAIL_DOMAINS)[:10], "shop.com", "example.com.au"]),
        ),
        st.text(alphabet="abnortesy-@.xmpl", max_size=20),
    ),
    st.frozensets(st.sampled_from(["ann@shop.com", "x@y.com"]), max_size=2),
)
def test_one_email_is_junk_as_in_a_batch(email: str, extra: frozenset[str]) -> None:
    batch = junk_email_mask(pa.array([email] * 12, type=pa.string()), extra)
    assert is_junk_email(email, extra) == bool(batch[0])


@pytest.mark.parametrize(
    ("value", "junk"),
    [("+1 999 999 9999", True), ("(201) 555-0123", False), ("1234567890", True),
     ("+353 1234567890", True), ("+3531 1234567890", False), ("00000", False), ("", False)],
)  # fmt: skip
def test_phone_number_mask_examples(value: str, junk: bool) -> None:
    assert junk_phone_number_mask(pd.Series([value])).tolist() == [junk]


@given(
    st.lists(st.one_of(st.none(), st.sampled_from(sorted(JUNK_TOKENS)), st.text(max_size=10))),
    st.frozensets(st.text(max_size=6).map(str.lower), max_size=3),
)
def test_token_mask_equals_a_lowercased_lookup(
    values: list[str | None], extra: frozenset[str]
) -> None:
    values = [v if v is None or len(v) % 3 else v.upper() for v in values]
    values += ["X", "nİl", "UN\u212aNOWN"]  # İ and the Kelvin sign lowercase to ASCII
    array = pa.array(values, type=pa.string())
    lowered = pc.utf8_lower(array).to_pylist()
    expected = [v is not None and v in (JUNK_TOKENS | extra) for v in lowered]
    assert junk_token_mask(array, extra).tolist() == expected
