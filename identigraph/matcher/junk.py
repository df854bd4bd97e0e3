"""Built-in lists of placeholder identifier values that must never link records."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

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


def junk_token_mask(values: pd.Series, extra: frozenset[str] = frozenset()) -> np.ndarray:
    """Mask of values that are placeholder tokens (``null``, ``unknown``, ``n/a``...)."""
    lowered = values.str.lower()
    return np.asarray(lowered.isin(JUNK_TOKENS | extra), dtype=bool)


def junk_email_mask(emails: pd.Series, extra: frozenset[str] = frozenset()) -> np.ndarray:
    """Mask of normalized (lowercase, trimmed) addresses that are placeholders."""
    if emails.empty:
        return np.zeros(0, dtype=bool)
    text = emails.astype("string[pyarrow]")
    mask = text.str.contains(_JUNK_EMAIL_PATTERN) | text.isin(extra)
    return np.asarray(mask.fillna(False), dtype=bool)


def junk_phone_mask(digits: pd.Series, extra: frozenset[str] = frozenset()) -> np.ndarray:
    """Mask of digit strings of six or more digits that are one repeated digit or a sequence."""
    if digits.empty:
        return np.zeros(0, dtype=bool)
    long_enough = digits.str.len().ge(6)
    mask = (long_enough & digits.str.fullmatch(_REPEATED_OR_SEQUENTIAL.pattern)) | digits.isin(
        extra
    )
    return np.asarray(mask.fillna(False), dtype=bool)
