"""Built-in placeholder lists and the masks that apply them."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.matcher.junk import (
    JUNK_EMAIL_DOMAINS,
    JUNK_EMAIL_LOCAL_PARTS,
    JUNK_TOKENS,
    junk_email_mask,
    junk_phone_mask,
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
