"""Platform normalizations of contact values, vectorized over unique values."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

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


def _text(values: pd.Series) -> pd.Series:
    """Values as Python strings (object dtype), missing and blank as None."""
    s = pd.Series(values, dtype=object).reset_index(drop=True)
    s = s.where(s.notna(), None)
    s = s.astype("string").astype(object)
    return s.where(pd.notna(s), None)


def _blank_none(s: pd.Series) -> pd.Series:
    return s.where(s.notna() & (s != ""), None)


def lower(values: pd.Series) -> pd.Series:
    """Trimmed and lowercased; blank as None."""
    return _blank_none(_text(values).str.strip().str.lower())


def email(values: pd.Series) -> pd.Series:
    """Trimmed, lowercased address; None unless it looks like ``local@domain.tld``."""
    s = lower(values)
    ok = s.str.match(_EMAIL, na=False).astype(bool)
    return s.where(ok, None)


def gmail_email(values: pd.Series) -> pd.Series:
    """As :func:`email`; dots and ``+suffix`` before ``@`` removed for gmail.com, googlemail.com.

    Examples
    --------
    >>> gmail_email(pd.Series([" Jo.Hn+ads@GMail.com", "jo.hn+x@corp.com"])).tolist()
    ['john@gmail.com', 'jo.hn+x@corp.com']
    """
    s = email(values)
    parts = s.str.extract(r"^([^@]+)@(gmail\.com|googlemail\.com)$")
    hit = parts[0].notna().to_numpy()
    if hit.any():
        local = parts.loc[hit, 0].str.replace(r"\+.*$", "", regex=True).str.replace(".", "")
        s = s.copy()
        s[hit] = (local + "@" + parts.loc[hit, 1]).to_numpy()
        s = _blank_none(s.where(~s.str.startswith("@", na=False).astype(bool), None))
    return s


def letters(values: pd.Series) -> pd.Series:
    """Lowercase letters only (accents kept, UTF-8): digits, punctuation and spaces removed."""
    s = _text(values).str.lower().str.replace(r"[\W\d_]+", "", regex=True)
    return _blank_none(s)


def city(values: pd.Series) -> pd.Series:
    """Lowercase letters only, no spaces: ``"San Antonio"`` -> ``"sanantonio"``."""
    return letters(values)


def state(values: pd.Series) -> pd.Series:
    """US states as their 2-letter code (names mapped), others lowercase letters only."""
    s = lower(values)
    named = s.map(US_STATES)
    s = named.where(named.notna(), s)
    return letters(s)


def country(values: pd.Series) -> pd.Series:
    """ISO 3166-1 alpha-2 code, lowercase; None for anything else."""
    s = lower(values)
    return s.where(s.str.fullmatch(r"[a-z]{2}", na=False).astype(bool), None)


def us_zip(values: pd.Series, countries: pd.Series) -> pd.Series:
    """Lowercase, spaces removed; for US persons the first 5 digits (ZIP+4 cut to ZIP)."""
    s = _blank_none(_text(values).str.lower().str.replace(r"\s+", "", regex=True))
    us = (countries.reset_index(drop=True) == "us").to_numpy(dtype=bool)
    five = s.str.extract(r"^(\d{5})(?:-?\d{4})?$")[0]
    out = s.copy()
    out[us] = five[us].where(five[us].notna(), None)
    return _blank_none(out)


def digits(values: pd.Series) -> pd.Series:
    """Digits only."""
    return _blank_none(_text(values).str.replace(r"\D+", "", regex=True))


def phone_e164(values: pd.Series, region: str) -> pd.Series:
    """E.164 number (``+12015550123``), numbers without a country code read in ``region``."""
    out = Phone("phone", region=region).canonicalize(pd.Series(values).reset_index(drop=True))
    return _blank_none(_text(out))


def gender(values: pd.Series) -> pd.Series:
    """``m`` or ``f`` (from ``m``, ``male``, ``F``, ``Female``...); None otherwise."""
    s = lower(values)
    first = s.str[:1]
    return first.where(first.isin(["m", "f"]), None)


def sha256(values: pd.Series) -> pd.Series:
    """SHA-256 hex digest of each value (UTF-8), None kept; each distinct value hashed once.

    Examples
    --------
    >>> sha256(pd.Series(["abc", None])).tolist()[0][:16]
    'ba7816bf8f01cfea'
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    encode: Callable[[str], bytes] = str.encode
    digests = np.fromiter(
        (hashlib.sha256(encode(v)).hexdigest() for v in uniques),
        dtype=object,
        count=len(uniques),
    )
    out = np.full(len(codes), None, dtype=object)
    out[codes >= 0] = digests[codes[codes >= 0]]
    return pd.Series(out, dtype=object)
