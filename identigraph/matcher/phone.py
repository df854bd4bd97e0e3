"""Normalize phone numbers to E.164 with ``phonenumbers``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import phonenumbers

__all__ = ["e164_reference", "normalize_phones"]


def e164_reference(value: str, region: str | None) -> str | None:
    """E.164 form of one number as ``phonenumbers`` gives it, or ``None`` when invalid.

    This is the definition every fast path must reproduce exactly.

    Examples
    --------
    >>> e164_reference("(201) 555-0123", "US")
    '+12015550123'
    >>> e164_reference("12", "US") is None
    True
    """
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(values: pd.Series, region: str | None) -> pd.Series:
    """E.164 form of each number, ``NA`` where it is not a valid number.

    Parameters
    ----------
    values : pandas.Series of str
        Raw numbers, already trimmed and non-empty; pass unique values.
    region : str or None
        ISO 3166-1 alpha-2 region for numbers written without a country code.

    Returns
    -------
    pandas.Series of str

    Examples
    --------
    >>> import pandas as pd
    >>> normalize_phones(pd.Series(["+44 20 7946 0958", "201.555.0123"]), "US").tolist()
    ['+442079460958', '+12015550123']
    """
    out = [e164_reference(v, region) for v in values.tolist()]
    return pd.Series(np.array(out, dtype=object), index=values.index).where(
        lambda s: s.notna(), np.nan
    )
