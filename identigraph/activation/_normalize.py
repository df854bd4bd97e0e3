"""Platform normalizations of contact values, vectorized over unique values.

Each rule exists twice: on Arrow string arrays (``*_arrow``, what the exports run,
so values stay in Arrow from the records to the file) and on pandas Series (the
public spelling, a thin wrapper). Missing values and empty results are null.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._arrow import to_mask
from identigraph.matcher._hashing import sha256_hex
from identigraph.matcher.specs import Phone

__all__ = [
    "ascii_letters",
    "ascii_letters_arrow",
    "city",
    "country",
    "country_arrow",
    "digits",
    "email",
    "email_arrow",
    "gender",
    "gender_arrow",
    "gmail_arrow",
    "gmail_email",
    "gmail_local_arrow",
    "iso_date",
    "iso_date_arrow",
    "letters",
    "letters_arrow",
    "lower",
    "lower_arrow",
    "meta_zip",
    "phone_arrow",
    "phone_e164",
    "sha256",
    "sha256_arrow",
    "state",
    "state_arrow",
    "to_arrow",
    "us_zip",
    "zip_arrow",
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


#: pandas' default text dtype, Arrow-backed: results stay in Arrow, missing reads NaN.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_NULL = pa.scalar(None, pa.string())


def to_arrow(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """Values as one Arrow string array; missing values null, other types as their text."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else values.cast(pa.string())
    s = pd.Series(values).reset_index(drop=True)
    try:
        arr = pa.array(s, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        text = s.astype(str).where(s.notna(), None)
        arr = pa.array(text, type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


def _blank(arr: pa.Array) -> pa.Array:
    """Empty strings as null."""
    return pc.if_else(pc.equal(arr, ""), _NULL, arr)


def _series(arr: pa.Array) -> pd.Series:
    """An Arrow string array as a text Series (no copy); null and empty strings missing."""
    return pd.Series(_blank(arr), dtype=TEXT)


def _keep(arr: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), arr, _NULL)


def _mask(values: np.ndarray | bool, n: int) -> pa.Array:
    return pa.array(np.broadcast_to(np.asarray(values, dtype=bool), (n,)))


# -- rules on Arrow arrays ----------------------------------------------------------------
def lower_arrow(arr: pa.Array) -> pa.Array:
    """Trimmed and lowercased; blank as null."""
    return _blank(pc.utf8_lower(pc.utf8_trim_whitespace(arr)))


def email_arrow(arr: pa.Array) -> pa.Array:
    """Trimmed, lowercased address; null unless it looks like ``local@domain.tld``."""
    low = lower_arrow(arr)
    return _keep(low, pc.match_substring_regex(low, _EMAIL))


def gmail_arrow(arr: pa.Array) -> pa.Array:
    """As :func:`email_arrow`; periods and ``+suffix`` before ``@`` removed for Gmail."""
    return gmail_local_arrow(email_arrow(arr))


def gmail_local_arrow(low: pa.Array) -> pa.Array:
    """Addresses as :func:`email_arrow` gives them, with Gmail's local part reduced.

    For ``gmail.com`` and ``googlemail.com`` the periods and any ``+suffix`` before
    ``@`` are removed (null if nothing is left); other addresses are unchanged.
    """
    gmail = pc.fill_null(pc.match_substring_regex(low, r"@(gmail|googlemail)\.com$"), False)
    if not pc.any(gmail).as_py():
        return low
    parts = pc.split_pattern(low, "@")
    local = pc.list_element(parts, 0)
    local = pc.replace_substring(pc.replace_substring_regex(local, r"\+.*$", ""), ".", "")
    joined = pc.binary_join_element_wise(local, pc.list_element(parts, 1), "@")
    joined = _keep(joined, pc.invert(pc.starts_with(joined, "@")))
    return pc.if_else(gmail, joined, low)


def letters_arrow(arr: pa.Array) -> pa.Array:
    """Lowercase letters only (accents kept, UTF-8): digits, punctuation and spaces removed."""
    return _blank(pc.replace_substring_regex(pc.utf8_lower(arr), r"[^\p{L}\p{M}]+", ""))


def ascii_letters_arrow(arr: pa.Array) -> pa.Array:
    """Lowercase ``a``-``z`` only: accents dropped from their letters, anything else removed."""
    folded = pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKD"), r"\p{M}+", "")
    return _blank(pc.replace_substring_regex(pc.utf8_lower(folded), r"[^a-z]+", ""))


_STATE_NAMES = pa.array(list(US_STATES))
_STATE_CODES = pa.array(list(US_STATES.values()))


def state_arrow(arr: pa.Array, us: np.ndarray | bool = True) -> pa.Array:
    """``a``-``z`` only; where ``us``, a US state's name becomes its 2-letter code."""
    low = lower_arrow(arr)
    found = pc.index_in(low, value_set=_STATE_NAMES)
    named = pc.if_else(
        pc.and_(pc.is_valid(found), _mask(us, len(low))), _STATE_CODES.take(found), low
    )
    return ascii_letters_arrow(named)


def country_arrow(arr: pa.Array) -> pa.Array:
    """ISO 3166-1 alpha-2 code, lowercase (``uk`` as ``gb``); null for anything else."""
    low = lower_arrow(arr)
    low = pc.if_else(pc.fill_null(pc.equal(low, "uk"), False), pa.scalar("gb"), low)
    return _keep(low, pc.match_substring_regex(low, r"^[a-z]{2}$"))


#: A UK postcode without spaces: area and district (the outward code), then the
#: sector digit and the two letters of the unit. Groups: outward + sector, unit.
_UK_POSTCODE = r"^([a-z]{1,2}[0-9][a-z0-9]?[0-9])[a-z]{2}$"
#: What Meta takes for the UK: an outward code, or an outward code and sector digit.
_UK_SECTOR = r"^[a-z]{1,2}[0-9][a-z0-9]?[0-9]?$"


def zip_arrow(
    arr: pa.Array, us: np.ndarray | bool, gb: np.ndarray | bool | None = None
) -> pa.Array:
    """Lowercase, no spaces; US codes to their first 5 digits; with ``gb``, Meta's UK rule.

    ``us`` and ``gb`` mark the values of US and UK persons (one flag for all, or an
    array). Without ``gb`` a UK postcode is kept whole (Google's rule).
    """
    low = _blank(pc.replace_substring_regex(pc.utf8_lower(arr), r"\s+", ""))
    out = low
    if gb is not None and np.any(gb):
        sector = pc.replace_substring_regex(low, _UK_POSTCODE, r"\1")
        sector = _keep(sector, pc.match_substring_regex(sector, _UK_SECTOR))
        out = pc.if_else(_mask(gb, len(low)), sector, out)
    if np.any(us):
        five = pc.replace_substring_regex(low, r"^(\d{5})-?\d{4}$", r"\1")
        five = _keep(five, pc.match_substring_regex(five, r"^\d{5}$"))
        out = pc.if_else(_mask(us, len(low)), five, out)
    return out


def phone_arrow(arr: pa.Array, region: str) -> pa.Array:
    """E.164 number (``+12015550123``), numbers without a country code read in ``region``."""
    out = Phone("phone", region=region).canonicalize(pd.Series(arr, dtype=TEXT))
    return pa.array(out.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def gender_arrow(arr: pa.Array) -> pa.Array:
    """``m`` or ``f`` (from ``m``, ``male``, ``F``, ``Female``...); null otherwise."""
    first = pc.utf8_slice_codeunits(lower_arrow(arr), 0, 1)
    return _keep(first, pc.is_in(first, pa.array(["m", "f"])))


def iso_date_arrow(arr: pa.Array, *, today: pd.Timestamp | None = None) -> pa.Array:
    """``YYYY-MM-DD`` of dates from 1900-01-01 up to ``today``; null for anything else."""
    stamps = pd.to_datetime(pd.Series(arr, dtype=TEXT), errors="coerce", format="mixed")
    today = pd.Timestamp.now().normalize() if today is None else today
    stamps = stamps.where((stamps >= pd.Timestamp("1900-01-01")) & (stamps <= today))
    text = stamps.dt.strftime("%Y-%m-%d")
    return pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def sha256_arrow(arr: pa.Array) -> pa.Array:
    """Lowercase SHA-256 hex digest of each value's UTF-8 bytes; null kept.

    One C-level pass of CPython's SHA-256 over the present values (see
    :func:`identigraph.matcher._hashing.sha256_hex`), the only per-value loop here.
    """
    if not arr.null_count:  # the values' UTF-8 bytes straight from Arrow: no str.encode
        return pa.array(sha256_hex(arr.cast(pa.binary()).to_pylist()), type=pa.string())
    valid = to_mask(arr.is_valid())
    out = np.full(len(arr), None, dtype=object)
    out[valid] = sha256_hex(arr.filter(pa.array(valid)).cast(pa.binary()).to_pylist())
    return pa.array(out, type=pa.string(), from_pandas=True)


# -- the same rules on pandas Series ------------------------------------------------------
def lower(values: pd.Series) -> pd.Series:
    """Trimmed and lowercased; blank as None."""
    return _series(lower_arrow(to_arrow(values)))


def email(values: pd.Series) -> pd.Series:
    """Trimmed, lowercased address; None unless it looks like ``local@domain.tld``."""
    return _series(email_arrow(to_arrow(values)))


def gmail_email(values: pd.Series) -> pd.Series:
    """As :func:`email`; dots and ``+suffix`` before ``@`` removed for gmail.com, googlemail.com.

    Examples
    --------
    >>> gmail_email(pd.Series([" Jo.Hn+ads@GMail.com", "jo.hn+x@corp.com"])).tolist()
    ['john@gmail.com', 'jo.hn+x@corp.com']
    """
    return _series(gmail_arrow(to_arrow(values)))


def letters(values: pd.Series) -> pd.Series:
    """Lowercase letters only (accents kept, UTF-8): digits, punctuation and spaces removed."""
    return _series(letters_arrow(to_arrow(values)))


def ascii_letters(values: pd.Series) -> pd.Series:
    """Lowercase ``a``-``z`` only: accented letters lose their accents, the rest is removed.

    Examples
    --------
    >>> ascii_letters(pd.Series(["San Antonio", "São Paulo", "Winston-Salem"])).tolist()
    ['sanantonio', 'saopaulo', 'winstonsalem']
    """
    return _series(ascii_letters_arrow(to_arrow(values)))


def city(values: pd.Series) -> pd.Series:
    """Meta's city: lowercase ``a``-``z`` only, no spaces: ``"San Antonio"`` -> ``"sanantonio"``."""
    return ascii_letters(values)


def state(values: pd.Series, countries: pd.Series | None = None) -> pd.Series:
    """US states as their 2-letter code (names mapped), others lowercase ``a``-``z`` only.

    Names are mapped for persons whose country is ``us`` or unknown; a known other
    country keeps its region's letters (``countries``: ISO codes, lowercase).

    Examples
    --------
    >>> state(pd.Series(["New York", "Georgia", "Île-de-France"]),
    ...       pd.Series(["us", "ge", "fr"])).tolist()
    ['ny', 'georgia', 'iledefrance']
    """
    arr = to_arrow(values)
    us: np.ndarray | bool = True
    if countries is not None:
        c = pd.Series(countries).reset_index(drop=True)
        us = (c.isna() | (c == "us")).to_numpy(dtype=bool)
    return _series(state_arrow(arr, us))


def country(values: pd.Series) -> pd.Series:
    """ISO 3166-1 alpha-2 code, lowercase; None for anything else.

    ``uk``, which ISO 3166-1 reserves for the United Kingdom, becomes its code ``gb``.

    Examples
    --------
    >>> country(pd.Series([" US", "UK", "usa"])).tolist()
    ['us', 'gb', nan]
    """
    return _series(country_arrow(to_arrow(values)))


def _country_masks(countries: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    c = pd.Series(countries).reset_index(drop=True)
    return (c == "us").to_numpy(dtype=bool), (c == "gb").to_numpy(dtype=bool)


def us_zip(values: pd.Series, countries: pd.Series) -> pd.Series:
    """Lowercase, spaces removed; for US persons the first 5 digits (ZIP+4 cut to ZIP).

    Examples
    --------
    >>> us_zip(pd.Series(["02139-4307", "SW1A 1AA"]), pd.Series(["us", "gb"])).tolist()
    ['02139', 'sw1a1aa']
    """
    us, _ = _country_masks(countries)
    return _series(zip_arrow(to_arrow(values), us))


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
    us, gb = _country_masks(countries)
    return _series(zip_arrow(to_arrow(values), us, gb))


def digits(values: pd.Series) -> pd.Series:
    """Digits only."""
    return _series(pc.replace_substring_regex(to_arrow(values), r"\D+", ""))


def phone_e164(values: pd.Series, region: str) -> pd.Series:
    """E.164 number (``+12015550123``), numbers without a country code read in ``region``."""
    return _series(phone_arrow(to_arrow(values), region))


def gender(values: pd.Series) -> pd.Series:
    """``m`` or ``f`` (from ``m``, ``male``, ``F``, ``Female``...); None otherwise."""
    return _series(gender_arrow(to_arrow(values)))


def iso_date(values: pd.Series, *, today: pd.Timestamp | None = None) -> pd.Series:
    """``YYYY-MM-DD`` of dates from 1900 up to ``today`` (default: now); None otherwise.

    Examples
    --------
    >>> iso_date(pd.Series(["1970-10-07", "1899-12-31", "2999-01-01", "soon"])).tolist()
    ['1970-10-07', nan, nan, nan]
    """
    return _series(iso_date_arrow(to_arrow(values), today=today))


def sha256(values: pd.Series) -> pd.Series:
    """SHA-256 hex digest of each value (UTF-8), None kept.

    Examples
    --------
    >>> sha256(pd.Series(["abc", None])).tolist()[0][:16]
    'ba7816bf8f01cfea'
    """
    out = sha256_arrow(to_arrow(values))
    return pd.Series(out.to_numpy(zero_copy_only=False), dtype=object)
