"""Tests for identigraph.matcher.phone: the vectorized path equals the reference."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.matcher import _e164
from identigraph.matcher.phone import e164_reference, normalize_phone_array, normalize_phones
from tests.strategies import PHONE_REGIONS, phone_like_texts, phone_numbers, phone_strings

REGIONS = [*PHONE_REGIONS, None]
ALL_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    phonenumbers.PhoneNumberType.PAGER,
    phonenumbers.PhoneNumberType.UAN,
    phonenumbers.PhoneNumberType.VOICEMAIL,
]


def normalized(values: list[str], region: str | None) -> list[str | None]:
    out = normalize_phones(pd.Series(values, dtype=object), region)
    return [None if pd.isna(v) else v for v in out]


def reference(values: list[str], region: str | None) -> list[str | None]:
    return [e164_reference(v, region) for v in values]


def fallback_share(values: list[str], region: str | None) -> float:
    _, fallback = _e164.fast_e164(pa.array(values, type=pa.string()), region)
    return float(fallback.mean())


# -- properties -------------------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
@given(values=st.lists(phone_strings, min_size=1, max_size=30))
def test_equals_reference(region: str | None, values: list[str]) -> None:
    assert normalized(values, region) == reference(values, region)


@given(
    values=st.lists(phone_numbers(), min_size=1, max_size=30),
    region=st.sampled_from(REGIONS),
)
def test_equals_reference_on_numbers(values: list[str], region: str | None) -> None:
    assert normalized(values, region) == reference(values, region)


@given(values=st.lists(phone_like_texts, min_size=1, max_size=30), region=st.sampled_from(REGIONS))
def test_equals_reference_on_digit_soup(values: list[str], region: str | None) -> None:
    assert normalized(values, region) == reference(values, region)


@given(
    values=st.lists(phone_numbers(), min_size=1, max_size=30),
    region=st.sampled_from(REGIONS),
)
def test_idempotent(values: list[str], region: str | None) -> None:
    once = [v for v in normalized(values, region) if v is not None]
    assert normalized(once, region) == once
    assert normalized(once, None) == once


def test_every_region_and_country_code() -> None:
    """Example numbers of every region, in E.164, international and national form."""
    rng = np.random.default_rng(3)
    for region in ALL_REGIONS:
        values = []
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            nsn = phonenumbers.national_significant_number(example)
            for _ in range(3):  # the example and two near variants
                digits = np.array(list(nsn))
                digits[rng.integers(0, len(nsn))] = str(rng.integers(0, 10))
                variant = phonenumbers.parse(f"+{example.country_code}{''.join(digits)}")
                for number in (example, variant):
                    for fmt in (
                        phonenumbers.PhoneNumberFormat.E164,
                        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                        phonenumbers.PhoneNumberFormat.NATIONAL,
                    ):
                        values.append(phonenumbers.format_number(number, fmt))
        values = list(dict.fromkeys(values))
        for parse_region in (region, None):
            assert normalized(values, parse_region) == reference(values, parse_region), region


def test_arrow_regexes_strip_like_python_re() -> None:
    """The metadata's prefix patterns cut where Python's ``re.match`` ends, under RE2 too."""
    rng = np.random.default_rng(11)
    digits = np.array(list("0123456789"))
    values = ["".join(rng.choice(digits, rng.integers(0, 14))) for _ in range(400)]
    values += ["".join(rng.choice(np.array(list("0019")), rng.integers(0, 10))) for _ in range(200)]
    arr = pa.array(values, type=pa.string())
    patterns = set()
    for region in ALL_REGIONS:
        md = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for p in (md.international_prefix, md.national_prefix_for_parsing, md.leading_digits):
            if p:
                patterns.add(p)
    for p in sorted(patterns):
        stripped = pc.replace_substring_regex(
            arr, pattern=f"^(?:{p})", replacement="", max_replacements=1
        ).to_pylist()
        compiled = re.compile(p)
        expected = [v[m.end() :] if (m := compiled.match(v)) else v for v in values]
        assert stripped == expected, p


# -- examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("(201) 555-0123", "US", "+12015550123"),
        ("201.555.0123", "US", "+12015550123"),
        ("1-201-555-0123", "US", "+12015550123"),
        ("12015550123", "US", "+12015550123"),
        ("2015550123", "US", "+12015550123"),
        ("+1 (201) 555-0123", None, "+12015550123"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("555-0123", "US", None),  # local-only length
        ("(201) 555-0123 ext. 45", "US", "+12015550123"),
        ("201 555 0123 x1234567", "US", "+12015550123"),
        ("1-800-FLOWERS", "US", "+18003569377"),  # letters: through the reference
        ("+1 268 464 1234", "US", "+12684641234"),  # +1 number of Antigua
        ("(268) 464-1234", "AG", "+12684641234"),
        ("613-555-0123", "CA", "+16135550123"),
        ("(212) 555-0199", "CA", "+12125550199"),  # a US number dialled in Canada
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "DE", "+442079460958"),
        ("0044 7911 123456", "GB", "+447911123456"),
        ("07911 123456", None, None),  # no region, no "+"
        ("030 123456", "DE", "+4930123456"),
        ("00 33 1 23 45 67 89", "DE", "+33123456789"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0 11 2345 6789", "BR", "+551123456789"),  # trunk 0 of a prefix that can rewrite
        ("(11) 92345-6789", "BR", "+5511923456789"),
        ("98765 43210", "IN", "+919876543210"),
        ("(02) 9876 5432", "AU", "+61298765432"),
        ("06 1234 5678", "IT", "+390612345678"),  # Italy keeps the leading 0
        ("+39 06 1234 5678", None, "+390612345678"),
        ("+800 1234 5678", None, "+80012345678"),  # non-geographic
        ("+999 1234 5678", "US", None),  # unknown country code
        ("０２０ ７９４６ ０９５８", "GB", "+442079460958"),
        ("٠٢٠ ٧٩٤٦ ٠٩٥٨", "GB", "+442079460958"),
        ("", "US", None),
        ("--", "US", None),
        ("12", "US", None),
        ("tel:+1-201-555-0123", None, "+12015550123"),
        ("Mobile: 07911 123456", "GB", "+447911123456"),
        ("unknown", "GB", None),
    ],
)
def test_examples(value: str, region: str | None, expected: str | None) -> None:
    assert e164_reference(value, region) == expected
    assert normalized([value], region) == [expected]


def test_missing_values_and_index() -> None:
    values = pd.Series(["201-555-0123", None, np.nan, "n/a"], index=[10, 20, 30, 40])
    out = normalize_phones(values, "US")
    assert out.index.tolist() == [10, 20, 30, 40]
    assert out.dtype == object
    assert out.iloc[0] == "+12015550123"
    assert out.iloc[1:].isna().all()
    assert values.iloc[0] == "201-555-0123"  # the input is left alone


@pytest.mark.parametrize("dtype", ["object", "str", "string"])
def test_string_dtypes(dtype: str) -> None:
    values = pd.Series(["201-555-0123", "+44 20 7946 0958", None], dtype=dtype)
    assert normalized(values.tolist()[:2], "US") == ["+12015550123", "+442079460958"]
    out = normalize_phones(values, "US")
    assert out.tolist()[:2] == ["+12015550123", "+442079460958"]
    assert pd.isna(out.iloc[2])


def test_integer_input() -> None:
    out = normalize_phones(pd.Series([2015550123, 12015550123, 5]), "US")
    assert out.tolist()[:2] == ["+12015550123", "+12015550123"]
    assert pd.isna(out.iloc[2])
    text = normalize_phones(pd.Series(["2015550123"]), "US")
    assert text.tolist() == ["+12015550123"]


def test_empty() -> None:
    out = normalize_phones(pd.Series([], dtype=object), "US")
    assert out.empty
    assert out.dtype == object


@pytest.mark.parametrize("region", ["us", "ZZ", "001"])
def test_region_phonenumbers_does_not_know(region: str) -> None:
    values = ["+1 201 555 0123", "201 555 0123", "+44 20 7946 0958"]
    assert normalized(values, region) == reference(values, region)


def test_common_formats_stay_on_the_fast_path() -> None:
    us = ["(201) 555-0123", "201-555-0124", "201.555.0125", "+1 201 555 0126", "12015550127",
          "011 44 20 7946 0958", "+44 (0)20 7946 0959", "201 555 0128 x12",
          "tel:+1-201-555-0130", "Phone: (201) 555-0131 ext. 7", "n/a", "N/A 123"]  # fmt: skip
    gb = ["020 7946 0958", "+44 20 7946 0958", "0044 7911 123456", "07911 123457",
          "(0121) 496 0123", "+44 (0)121 496 0124", "+1 201 555 0129"]  # fmt: skip
    assert fallback_share(us, "US") == 0.0
    assert fallback_share(gb, "GB") == 0.0
    assert fallback_share(["+49 30 123456", "+33 1 23 45 67 89"], None) == 0.0
    assert fallback_share(["1-800-FLOWERS", "٠٢٠ ٧٩٤٦ ٠٩٥٨", "++1 201 555 0123"], "US") == 1.0


_PLUS_PLACES = ["+1 201 555 0123", "(+1) 201 555 0123", " - +1 201 555 0123", "1+201 555 0123",
                "+1+201 555 0123", "++1 201 555 0123", "201 555 0123+", "+(44) 20 7946 0958",
                "/+44 20 7946 0958", "+ 44 20 7946 0958", "tel:+1 201 555 0123",
                "+1 201 555 0123 x5", "0+1 201 555 0123", "(201) 555-0123",
                "201-555-0123 ext. 9"]  # fmt: skip


@pytest.mark.parametrize("region", ["US", "GB", None])
def test_plus_anywhere(region: str | None) -> None:
    values = _PLUS_PLACES * 2  # a batch large enough for the array path
    assert normalized(values, region) == reference(values, region)


@given(st.lists(phone_strings, min_size=16, max_size=40), st.integers(0, 5))
def test_array_input_sliced_or_chunked(values: list[str], skip: int) -> None:
    array = pa.array(values, type=pa.string()).slice(skip)
    expected = reference(array.to_pylist(), "US")
    assert normalize_phone_array(array, "US").tolist() == expected
    e164, undecided = _e164.fast_e164(array, "US")
    decided = [v for v, u in zip(e164.tolist(), undecided.tolist(), strict=True) if not u]
    assert decided == [v for v, u in zip(expected, undecided.tolist(), strict=True) if not u]
    half = len(array) // 2
    chunked = pa.chunked_array([array.slice(0, half), array.slice(half)])
    assert normalize_phone_array(chunked, "US").tolist() == expected


def test_array_nulls_and_small_batches() -> None:
    values = ["(201) 555-0123", None, "555-0123", "1-800-FLOWERS"]
    assert normalize_phone_array(pa.array(values), "US").tolist() == [
        "+12015550123",
        None,
        None,
        "+18003569377",
    ]
    assert (
        normalize_phone_array(pa.array(values * 8), "US").tolist()
        == [
            "+12015550123",
            None,
            None,
            "+18003569377",
        ]
        * 8
    )
    assert normalize_phone_array(pa.array([], type=pa.string()), "US").tolist() == []
