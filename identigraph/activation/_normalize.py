"""Platform normalizations of contact values, vectorized over unique values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._hashing import sha256_hex
from identigraph.matcher.specs import Phone

__all__ = [
    "city",
    "country",
    "digits",
    "email",
    "gender",
    "gmail_email",
    "letters",
    "lower",
    "meta_zip",
    "phone_e164",
    "sha256",
    "state",
    "us_zip",
]

US_STATES = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
    "colorado": "co", "connecticut": "ct", "delaware": "de", "district of columbia": "dc",
    "florida": "fl", "georgia": "ga", "hawaii": "hi", "idaho": "id", "illinois": "il",
    "indiana": "in", "iowa": "ia", "kansas": "ks", "kentucky": "ky", "louisiana": "la",
    "maine": "me", "maryland": "md", "massachusetts": "ma", "michigan": "mi",
    "minnesota": "mn", "mississippi": "ms", "missouri": "mo", "montana": "mt",
    "nebraska": "ne", "nevada": "nv", "new hampshire": "nh", "new jersey": "nj",
    "new mexico": "nm", "new york": "ny", "north carolina": "nc", "north dakota": "nd",
    "ohio": "oh", "oklahoma": "ok", "oregon": "or", "pennsylvania": "pa",
    "rhode island": "ri", "south carolina": "sc", "south dakota": "sd", "tennessee": "tn",
    "texas": "tx", "utah": "ut", "vermont": "vt", "virginia": "va", "washington": "wa",
    "west virginia": "wv", "wisconsin": "wi", "wyoming": "wy",
}  # fmt: skip

_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _arrow(values: pd.Series) -> pa.Array:
    """Values as an Arrow string array; missing values null, other types as their text."""
    s = pd.Series(values).reset_index(drop=True)
    try:
        arr = pa.array(s, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        text = s.astype(str).where(s.notna(), None)
        arr = pa.array(text, type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


#: pandas' default text dtype, Arrow-backed: results stay in Arrow, missing reads NaN.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _series(arr: pa.Array) -> pd.Series:
    """An Arrow string array as a text Series (no copy); null and empty strings missing."""
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.Series(arr, dtype=TEXT)


def _lower(values: pd.Series) -> pa.Array:
    return pc.utf8_lower(pc.utf8_trim_whitespace(_arrow(values)))


def _keep(arr: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), arr, pa.scalar(None, pa.string()))


def lower(values: pd.Series) -> pd.Series:
    """Trimmed and lowercased; blank as None."""
    return _series(_lower(values))


def email(values: pd.Series) -> pd.Series:
    """Trimmed, lowercased address; None unless it looks like ``local@domain.tld``."""
    arr = _lower(values)
    return _series(_keep(arr, pc.match_substring_regex(arr, _EMAIL)))


def gmail_email(values: pd.Series) -> pd.Series:
    """As :func:`email`; dots and ``+suffix`` before ``@`` removed for gmail.com, googlemail.com.

    Examples
    --------
    >>> gmail_email(pd.Series([" Jo.Hn+ads@GMail.com", "jo.hn+x@corp.com"])).tolist()
    ['john@gmail.com', 'jo.hn+x@corp.com']
    """
    arr = _lower(values)
    arr = _keep(arr, pc.match_substring_regex(arr, _EMAIL))
    gmail = pc.fill_null(pc.match_substring_regex(arr, r"@(gmail|googlemail)\.com$"), False)
    parts = pc.split_pattern(arr, "@")
    local = pc.list_element(parts, 0)
    local = pc.replace_substring(pc.replace_substring_regex(local, r"\+.*$", ""), ".", "")
    joined = pc.binary_join_element_wise(local, pc.list_element(parts, 1), "@")
    joined = _keep(joined, pc.invert(pc.starts_with(joined, "@")))
    return _series(pc.if_else(gmail, joined, arr))


def letters(values: pd.Series) -> pd.Series:
    """Lowercase letters only (accents kept, UTF-8): digits, punctuation and spaces removed."""
    arr = pc.utf8_lower(_arrow(values))
    return _series(pc.replace_substring_regex(arr, r"[^\p{L}\p{M}]+", ""))


def city(values: pd.Series) -> pd.Series:
    """Lowercase letters only, no spaces: ``"San Antonio"`` -> ``"sanantonio"``."""
    return letters(values)


def state(values: pd.Series) -> pd.Series:
    """US states as their 2-letter code (names mapped), others lowercase letters only."""
    s = lower(values)
    named = s.map(US_STATES)
    return letters(named.where(named.notna(), s))


def country(values: pd.Series) -> pd.Series:
    """ISO 3166-1 alpha-2 code, lowercase; None for anything else.

    ``uk``, which ISO 3166-1 reserves for the United Kingdom, becomes its code ``gb``.

    Examples
    --------
    >>> country(pd.Series([" US", "UK", "usa"])).tolist()
    ['us', 'gb', nan]
    """
    arr = _lower(values)
    arr = pc.if_else(pc.fill_null(pc.equal(arr, "uk"), False), pa.scalar("gb"), arr)
    return _series(_keep(arr, pc.match_substring_regex(arr, r"^[a-z]{2}$")))


#: A UK postcode without spaces: area and district (the outward code), then the
#: sector digit and the two letters of the unit. Groups: outward + sector, unit.
_UK_POSTCODE = r"^([a-z]{1,2}[0-9][a-z0-9]?[0-9])[a-z]{2}$"
#: What Meta takes for the UK: an outward code, or an outward code and sector digit.
_UK_SECTOR = r"^[a-z]{1,2}[0-9][a-z0-9]?[0-9]?$"


def _zip_parts(values: pd.Series, countries: pd.Series) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Values lowercase without spaces, and masks of US and UK (``gb``) persons."""
    arr = pc.replace_substring_regex(pc.utf8_lower(_arrow(values)), r"\s+", "")
    country_of = countries.reset_index(drop=True)
    us = pa.array((country_of == "us").to_numpy(dtype=bool))
    gb = pa.array((country_of == "gb").to_numpy(dtype=bool))
    return arr, us, gb


def _us_five(arr: pa.Array) -> pa.Array:
    five = pc.replace_substring_regex(arr, r"^(\d{5})-?\d{4}$", r"\1")
    return _keep(five, pc.match_substring_regex(five, r"^\d{5}$"))


def us_zip(values: pd.Series, countries: pd.Series) -> pd.Series:
    """Lowercase, spaces removed; for US persons the first 5 digits (ZIP+4 cut to ZIP).

    Examples
    --------
    >>> us_zip(pd.Series(["02139-4307", "SW1A 1AA"]), pd.Series(["us", "gb"])).tolist()
    ['02139', 'sw1a1aa']
    """
    arr, us, _ = _zip_parts(values, countries)
    return _series(pc.if_else(us, _us_five(arr), arr))


def meta_zip(values: pd.Series, countries: pd.Series) -> pd.Series:
    """Meta's ZIP: as :func:`us_zip`; for UK persons area, district and sector only.

    A full UK postcode loses the two letters of its unit (``"SW1A 1AA"`` ->
    ``"sw1a1"``); an outward code alone, or with its sector digit, is kept; any
    other value of a UK person is no value.

    Examples
    --------
    >>> meta_zip(pd.Series(["SW1A 1AA", "m1 1ae", "EC1A", "12345", "02139-4307"]),
    ...          pd.Series(["gb", "gb", "gb", "gb", "us"])).tolist()
    ['sw1a1', 'm11', 'ec1a', nan, '02139']
    """
    arr, us, gb = _zip_parts(values, countries)
    sector = pc.replace_substring_regex(arr, _UK_POSTCODE, r"\1")
    sector = _keep(sector, pc.match_substring_regex(sector, _UK_SECTOR))
    return _series(pc.if_else(us, _us_five(arr), pc.if_else(gb, sector, arr)))


def digits(values: pd.Series) -> pd.Series:
    """Digits only."""
    return _series(pc.replace_substring_regex(_arrow(values), r"\D+", ""))


def phone_e164(values: pd.Series, region: str) -> pd.Series:
    """E.164 number (``+12015550123``), numbers without a country code read in ``region``."""
    out = Phone("phone", region=region).canonicalize(pd.Series(values).reset_index(drop=True))
    return _series(_arrow(out))


def gender(values: pd.Series) -> pd.Series:
    """``m`` or ``f`` (from ``m``, ``male``, ``F``, ``Female``...); None otherwise."""
    first = pc.utf8_slice_codeunits(_lower(values), 0, 1)
    return _series(_keep(first, pc.is_in(first, pa.array(["m", "f"]))))


def sha256(values: pd.Series) -> pd.Series:
    """SHA-256 hex digest of each value (UTF-8), None kept; each distinct value hashed once.

    Examples
    --------
    >>> sha256(pd.Series(["abc", None])).tolist()[0][:16]
    'ba7816bf8f01cfea'
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    digests = sha256_hex(np.asarray(uniques, dtype=object).tolist())
    out = np.full(len(codes), None, dtype=object)
    out[codes >= 0] = digests[codes[codes >= 0]]
    return pd.Series(out, dtype=object)
