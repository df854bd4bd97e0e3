"""Normalize email addresses: invisible characters, trim, NFKC, lowercase, syntax, providers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._arrow import (
    all_ascii,
    drop_invisible,
    fullmatch,
    fullmatches,
    is_in,
    to_arrow,
    to_mask,
    to_objects,
    too_long,
)

__all__ = ["EMAIL_PATTERN", "MAX_EMAIL_LENGTH", "normalize_email_array", "normalize_emails"]

#: Longest address accepted, in characters (RFC 5321: a 256-octet path less its brackets).
MAX_EMAIL_LENGTH = 254

_ATOM = r"[^\t\n\f\r @.,;:\"()<>\[\]\\]+"
#: Accepted address syntax after lowercasing: dot-atoms on both sides of one ``@``,
#: at least one dot in the domain, and a top-level domain of two or more characters
#: that does not start with a digit or hyphen. Unicode letters are allowed.
EMAIL_PATTERN = (
    rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*\.[^\t\n\f\r @.,;:\"()<>\[\]\\0-9-]{_ATOM}"
)

_GMAIL = ("gmail.com", "googlemail.com")
#: Providers that ignore a ``+tag`` suffix of the local part.
_PLUS_TAG_PROVIDERS = (
    *_GMAIL, "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com",
    "mac.com", "protonmail.com", "proton.me", "pm.me", "fastmail.com", "yandex.ru",
)  # fmt: skip
_NULL = pa.scalar(None, pa.string())


def normalize_email_array(values: pa.Array, *, provider_rules: bool = False) -> pa.Array:
    """:func:`normalize_emails` on an Arrow string array; invalid addresses become null."""
    values = drop_invisible(values)
    if all_ascii(values):  # NFKC leaves ASCII alone; ASCII case mapping is enough
        out = pc.ascii_lower(pc.utf8_trim_whitespace(values))
    else:
        wide = pc.invert(pc.string_is_ascii(values))
        if to_mask(wide).any():
            values = pc.if_else(wide, pc.utf8_normalize(values, "NFKC"), values)
        out = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    valid = pc.fill_null(fullmatch(out, EMAIL_PATTERN), False)
    long = too_long(out, MAX_EMAIL_LENGTH)
    if long.any():
        valid = pc.and_(valid, pa.array(~long))
    out = pc.if_else(valid, out, _NULL)
    if provider_rules and to_mask(valid).any():
        parts = pc.extract_regex(out, r"^(?P<local>.*)@(?P<domain>[^@]*)$")
        local, domain = pc.struct_field(parts, "local"), pc.struct_field(parts, "domain")
        plus = pc.fill_null(is_in(domain, _PLUS_TAG_PROVIDERS), False)
        local = pc.if_else(plus, pc.replace_substring_regex(local, r"\+.*$", ""), local)
        gmail = pc.fill_null(is_in(domain, _GMAIL), False)
        local = pc.if_else(gmail, pc.replace_substring(local, ".", ""), local)
        domain = pc.if_else(gmail, pa.scalar("gmail.com"), domain)
        # A local part that was only a tag ("+x@gmail.com") is not an address.
        kept = pc.fill_null(pc.greater(pc.utf8_length(local), 0), False)
        rebuilt = pc.binary_join_element_wise(local, domain, "@")
        out = pc.if_else(kept, rebuilt, _NULL)
    return out


def normalize_email_text(text: str, *, provider_rules: bool = False) -> str | None:
    """:func:`normalize_email_array` of one printable-ASCII string (``None`` when invalid).

    The one-value form for real-time look-ups: no array set-up. On printable ASCII
    (characters 0x20-0x7E) the array path trims spaces, lowercases (NFKC changes
    nothing) and matches :data:`EMAIL_PATTERN`, as this does; other text must take
    the array path.

    Examples
    --------
    >>> normalize_email_text(" Ann.Lee+promo@GMail.com", provider_rules=True)
    'annlee@gmail.com'
    >>> normalize_email_text("not-an-email") is None
    True
    """
    out = text.strip(" ").lower()
    if len(out) > MAX_EMAIL_LENGTH or not fullmatches(out, EMAIL_PATTERN):
        return None
    if not provider_rules:
        return out
    local, _, domain = out.rpartition("@")
    if domain in _PLUS_TAG_PROVIDERS:
        local = local.partition("+")[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


def normalize_emails(values: pd.Series, *, provider_rules: bool = False) -> pd.Series:
    """Normalize email addresses; invalid ones become missing.

    Invisible characters (a byte-order mark, zero-width spaces, bidirectional
    marks, NUL and other controls; see :func:`identigraph.matcher._arrow.drop_invisible`)
    are removed first; then the address is trimmed, put in Unicode NFKC form,
    lowercased and checked. Addresses longer than :data:`MAX_EMAIL_LENGTH`
    characters are invalid.

    Parameters
    ----------
    values : pandas.Series of str
        Raw addresses.
    provider_rules : bool, default False
        Apply mailbox-provider rules: drop a ``+tag`` at providers that ignore it,
        drop dots in Gmail local parts and map ``googlemail.com`` to ``gmail.com``.

    Returns
    -------
    pandas.Series of object
        Normalized addresses, ``NaN`` where the syntax check failed, on the input's index.

    Examples
    --------
    >>> import pandas as pd
    >>> normalize_emails(pd.Series([" Ann.Lee+promo@GMail.com", "not-an-email"]),
    ...                  provider_rules=True).tolist()
    ['annlee@gmail.com', nan]
    >>> normalize_emails(pd.Series(["\\ufeffAnn@Mail.org\\u200b"])).tolist()
    ['ann@mail.org']

    Notes
    -----
    Arrow string kernels (RE2 for the syntax check): O(n), a few microseconds of
    fixed cost per call.
    """
    out = to_objects(normalize_email_array(to_arrow(values), provider_rules=provider_rules))
    out[pd.isna(out)] = np.nan
    return pd.Series(out, index=values.index, dtype=object)
