"""Normalize email addresses: trim, Unicode NFKC, lowercase, syntax check, provider rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EMAIL_PATTERN", "normalize_emails"]

_ATOM = r"[^\s@.,;:\"()<>\[\]\\]+"
#: Accepted address syntax after lowercasing: dot-atoms on both sides of one ``@``,
#: at least one dot in the domain, and a top-level domain of two or more characters
#: that does not start with a digit or hyphen. Unicode letters are allowed.
EMAIL_PATTERN = rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*\.[^\s@.,;:\"()<>\[\]\\0-9-]{_ATOM}"

_GMAIL = ("gmail.com", "googlemail.com")
#: Providers that ignore a ``+tag`` suffix of the local part.
_PLUS_TAG_PROVIDERS = (
    *_GMAIL, "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com",
    "mac.com", "protonmail.com", "proton.me", "pm.me", "fastmail.com", "yandex.ru",
)  # fmt: skip


def normalize_emails(values: pd.Series, *, provider_rules: bool = False) -> pd.Series:
    """Normalize email addresses; invalid ones become missing.

    Parameters
    ----------
    values : pandas.Series of str
        Raw addresses, already trimmed and non-empty.
    provider_rules : bool, default False
        Apply mailbox-provider rules: drop a ``+tag`` at providers that ignore it,
        drop dots in Gmail local parts and map ``googlemail.com`` to ``gmail.com``.

    Returns
    -------
    pandas.Series of str
        Normalized addresses, with ``NA`` where the syntax check failed.

    Examples
    --------
    >>> import pandas as pd
    >>> normalize_emails(pd.Series([" Ann.Lee+promo@GMail.com", "not-an-email"]),
    ...                  provider_rules=True).tolist()
    ['annlee@gmail.com', nan]
    """
    out = values.astype("string[pyarrow]")
    wide = out.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).astype(bool)
    if wide.any():
        out = out.mask(wide, out[wide].str.normalize("NFKC"))
    out = out.str.strip().str.lower()
    valid = out.str.fullmatch(EMAIL_PATTERN).fillna(False).astype(bool)
    out = out.where(valid)
    if provider_rules and valid.any():
        parts = out.str.rsplit("@", n=1, expand=True)
        local, domain = parts[0], parts[1]
        plus = domain.isin(_PLUS_TAG_PROVIDERS)
        local = local.mask(plus, local.str.replace(r"\+.*$", "", regex=True))
        gmail = domain.isin(_GMAIL)
        local = local.mask(gmail, local.str.replace(".", "", regex=False))
        domain = domain.mask(gmail, "gmail.com")
        rebuilt = local + "@" + domain
        # A local part that was only a tag ("+x@gmail.com") is not an address.
        out = rebuilt.where(valid & local.str.len().gt(0).fillna(False).astype(bool))
    return out.astype(object).where(out.notna(), np.nan)
