"""Built-in lists of placeholder identifier values that must never link records."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._arrow import fullmatch, is_in, search, to_arrow, to_mask

__all__ = [
    "JUNK_EMAIL_DOMAINS",
    "JUNK_EMAIL_LOCAL_PARTS",
    "JUNK_TOKENS",
    "junk_email_mask",
    "junk_phone_mask",
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
    return to_mask(is_in(pc.utf8_lower(_tokens(values)), JUNK_TOKENS | extra))


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
