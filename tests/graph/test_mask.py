"""Masked display values: never more than the first character of each part."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.graph.core.mask import MASK, mask_key, mask_value, mask_values

_CODES = sorted(str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _reveals_at_most_first_char(part: str, masked: str) -> bool:
    return masked == part[:1] + MASK


@given(st.emails())
def test_email_parts_show_first_character_only(email: str) -> None:
    email = email.lower()
    masked = mask_value(email, "email")
    local, _, domain = email.rpartition("@")
    m_local, _, m_domain = masked.rpartition("@")
    assert _reveals_at_most_first_char(local, m_local)
    labels, m_labels = domain.split("."), m_domain.split(".")
    assert len(labels) == len(m_labels)
    for label, m in zip(labels[:-1], m_labels[:-1], strict=True):
        assert _reveals_at_most_first_char(label, m)
    tld, m_tld = labels[-1], m_labels[-1]
    # the top-level domain is public; anything else in its place is masked
    assert (
        m_tld == tld
        if (len(labels) > 1 and tld.isascii() and tld.isalpha())
        else (_reveals_at_most_first_char(tld, m_tld))
    )


@given(st.sampled_from(_CODES), st.text(alphabet="0123456789", min_size=4, max_size=12))
def test_phone_shows_country_code_and_first_digit(code: str, national: str) -> None:
    assert mask_value(f"+{code}{national}", "phone") == f"+{code} {national[0]}{MASK}"


@given(st.text(max_size=40), st.sampled_from(["cookie", "crm_id", "device", "loyalty"]))
def test_other_kinds_show_first_character(value: str, kind: str) -> None:
    assert mask_value(value, kind) == value[:1] + MASK


@given(st.text(max_size=30))
def test_unparseable_phone_is_masked_whole(value: str) -> None:
    masked = mask_value(value, "phone")
    if not (value.startswith("+") and value[1:].isdigit()):
        assert masked == value[:1] + MASK


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("john.doe@gmail.com", "email", "j***@g***.com"),
        ("ann@mail.co.uk", "email", "a***@m***.c***.uk"),
        ("ann@localhost", "email", "a***@l***"),
        ("ann@host.xn--p1ai", "email", "a***@h***.x***"),
        ("+442079460000", "phone", "+44 2***"),
        ("+12015550123", "phone", "+1 2***"),
        ("2015550123", "phone", "2***"),
        ("", "cookie", "***"),
    ],
)
def test_examples(value: str, kind: str, expected: str) -> None:
    assert mask_value(value, kind) == expected


def test_mask_values_and_keys() -> None:
    assert mask_values(["a@b.de", "cd@ef.gh.com"], "email").tolist() == [
        "a***@b***.de",
        "c***@e***.g***.com",
    ]
    digest = "ab" * 32
    assert mask_key(digest, "phone") == "#abababab"
    assert mask_key("AB" * 32, "text") == "A***"  # not a lowercase digest: masked
    assert mask_key("K-123", "text") == "K***"
