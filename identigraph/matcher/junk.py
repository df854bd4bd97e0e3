"""Built-in lists of placeholder identifier values that must never link records."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._arrow import (
    all_ascii,
    ascii_digits,
    from_buffers,
    fullmatch,
    fullmatches,
    is_in,
    search,
    searches,
    string_buffers,
    to_arrow,
    to_mask,
)

__all__ = [
    "JUNK_EMAIL_DOMAINS",
    "JUNK_EMAIL_LOCAL_PARTS",
    "JUNK_TOKENS",
    "is_junk_email",
    "is_junk_phone_number",
    "junk_email_mask",
    "junk_phone_mask",
    "junk_phone_number_mask",
    "junk_token_mask",
]

#: Values that mean "no value" in any identifier column (compared case-insensitively).
JUNK_TOKENS: frozenset[str] = frozenset(
    {
        "null", "none", "nil", "nan", "na", "n/a", "n.a.", "unknown", "undefined", "unset",
        "empty", "blank", "missing", "test", "dummy", "default", "0", "-1", "-", "--", "?",
        "x", "xx", "xxx", "xxxx", "00000000-0000-0000-0000-000000000000",
    }
)  # fmt: skip

#: Local parts of placeholder and system addresses (``test@``, ``noreply@``...).
JUNK_EMAIL_LOCAL_PARTS: frozenset[str] = JUNK_TOKENS | frozenset(
    {
        "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
        "nomail", "no-mail", "noemail", "no-email", "noone", "nobody", "asdf", "qwerty",
        "abc", "aaa", "email", "mail", "user", "example", "sample", "fake",
        "invalid", "declined", "refused", "anonymous",
    }
)  # fmt: skip

#: Domains reserved for documentation and tests (RFC 2606) and common placeholders.
JUNK_EMAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "example.com", "example.org", "example.net", "example.edu", "test.com", "test.org",
        "test.test", "invalid.com", "invalid", "localhost", "domain.com", "none.com",
        "null.com", "noemail.com", "nomail.com", "no-email.com", "fake.com", "email.invalid",
    }
)  # fmt: skip

_JUNK_EMAIL_PATTERN = (
    "^(?:"
    + "|".join(re.escape(x) for x in sorted(JUNK_EMAIL_LOCAL_PARTS))
    + ")@|@(?:"
    + "|".join(re.escape(x) for x in sorted(JUNK_EMAIL_DOMAINS))
    + ")$"
)

#: One digit repeated, or a run of consecutive digits (no back-references: RE2-safe).
_REPEATED_OR_SEQUENTIAL = re.compile(
    "|".join(f"{d}+" for d in "0123456789") + r"|0?1234567890?|9876543210?"
)

#: Last four digits of every digit string that junk is made of: one digit four times,
#: or the end of a sequence (``...6789``, ``...7890``, ``...4321``, ``...3210``).
_JUNK_PHONE_ENDING = np.zeros(10_000, dtype=bool)
_JUNK_PHONE_ENDING[[int(d * 4) for d in "0123456789"] + [3210, 4321, 6789, 7890]] = True
#: Leading digits a country code may take, dropped before the test.
_COUNTRY_CODE_DIGITS = 3
_NOT_ASCII_DIGIT = re.compile("[^0-9]")


def _tokens(values: pd.Series | pa.Array) -> pa.Array:
    return values if isinstance(values, pa.Array) else to_arrow(values)


def junk_token_mask(
    values: pd.Series | pa.Array, extra: frozenset[str] = frozenset()
) -> np.ndarray:
    """Mask of values that are placeholder tokens (``null``, ``unknown``, ``n/a``...).

    Examples
    --------
    >>> import pandas as pd
    >>> junk_token_mask(pd.Series(["N/A", "abc"])).tolist()
    [True, False]
    """
    text = _tokens(values)
    tokens = JUNK_TOKENS | extra
    # Lowercasing maps each character to one character: only values as long as a
    # token can be one, and only those are lowercased and looked up.
    if not text.null_count and all_ascii(text):
        lengths = np.diff(string_buffers(text)[0])
    else:
        lengths = np.asarray(pc.fill_null(pc.utf8_length(text), -1).to_numpy(), dtype=np.int64)
    sizes = [len(token) for token in tokens]
    size_of_token = np.zeros(max(sizes, default=0) + 2, dtype=bool)  # the last slot stays False
    size_of_token[sizes] = True
    rows = np.flatnonzero(size_of_token[np.clip(lengths, -1, len(size_of_token) - 1)])
    mask = np.zeros(len(text), dtype=bool)
    if rows.size:
        mask[rows] = to_mask(is_in(pc.utf8_lower(text.take(rows)), tokens))
    return mask


def junk_email_mask(
    emails: pd.Series | pa.Array, extra: frozenset[str] = frozenset()
) -> np.ndarray:
    """Mask of normalized (lowercase, trimmed) addresses that are placeholders.

    Examples
    --------
    >>> import pandas as pd
    >>> junk_email_mask(pd.Series(["noreply@shop.com", "ann@example.org", "ann@mail.com"])).tolist()
    [True, True, False]
    """
    text = _tokens(emails)
    mask = to_mask(search(text, _JUNK_EMAIL_PATTERN))
    return mask | to_mask(is_in(text, extra)) if extra else mask


def junk_phone_mask(
    digits: pd.Series | pa.Array, extra: frozenset[str] = frozenset()
) -> np.ndarray:
    """Mask of digit strings of six or more digits that are one repeated digit or a sequence.

    Examples
    --------
    >>> import pandas as pd
    >>> junk_phone_mask(pd.Series(["0000000000", "1234567890", "2015550123", "111"])).tolist()
    [True, True, False, False]
    """
    text = _tokens(digits)
    long_enough = to_mask(pc.greater_equal(pc.utf8_length(text), 6))
    mask = long_enough & to_mask(fullmatch(text, _REPEATED_OR_SEQUENTIAL.pattern))
    return mask | to_mask(is_in(text, extra)) if extra else mask


def junk_phone_number_mask(values: pd.Series | pa.Array) -> np.ndarray:
    """Mask of raw phone numbers whose digits are a placeholder, with or without a country code.

    The ASCII digits of each value are tested with :func:`junk_phone_mask` as they
    are and without their first one, two or three digits.

    Examples
    --------
    >>> import pandas as pd
    >>> junk_phone_number_mask(pd.Series(["+1 999 999 9999", "(201) 555-0123", None])).tolist()
    [True, False, False]

    Notes
    -----
    O(n) array passes over the bytes; the four :func:`junk_phone_mask` tests run
    only on the numbers whose last four digits could end a placeholder.
    """
    text = _tokens(values)
    offsets, digits = ascii_digits(text)
    mask = np.zeros(len(text), dtype=bool)
    rows = np.flatnonzero(np.diff(offsets) >= 6)
    if not rows.size:
        return mask
    end = offsets[rows + 1]
    tail = np.zeros(rows.size, dtype=np.int64)
    for back in (4, 3, 2, 1):
        tail = tail * 10 + digits[end - back].astype(np.int64) - ord("0")
    rows = rows[_JUNK_PHONE_ENDING[tail]]
    if rows.size:
        candidates = from_buffers(offsets, digits).take(rows)
        found = np.zeros(rows.size, dtype=bool)
        for skip in range(_COUNTRY_CODE_DIGITS + 1):
            found |= junk_phone_mask(pc.utf8_slice_codeunits(candidates, skip))
        mask[rows] = found
    return mask


def is_junk_email(email: str, extra: frozenset[str] = frozenset()) -> bool:
    """:func:`junk_email_mask` of one normalized address.

    Examples
    --------
    >>> is_junk_email("noreply@shop.com"), is_junk_email("ann@mail.com")
    (True, False)
    """
    return searches(email, _JUNK_EMAIL_PATTERN) or email in extra


def is_junk_phone_number(text: str) -> bool:
    """:func:`junk_phone_number_mask` of one raw number.

    Examples
    --------
    >>> is_junk_phone_number("+1 999 999 9999"), is_junk_phone_number("(201) 555-0123")
    (True, False)
    """
    digits = _NOT_ASCII_DIGIT.sub("", text)
    return any(
        len(digits) - skip >= 6 and fullmatches(digits[skip:], _REPEATED_OR_SEQUENTIAL.pattern)
        for skip in range(_COUNTRY_CODE_DIGITS + 1)
    )
