"""Masked display forms of identifier values: enough to tell values apart, never the value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import phonenumbers

__all__ = ["MASK", "MaskStyle", "mask_key", "mask_value", "mask_values"]

#: What stands for the hidden rest of each part; fixed, so the length is not shown.
MASK = "***"

MaskStyle = Literal["email", "phone", "text"]

_COUNTRY_CODES = frozenset(str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
_HEX = frozenset("0123456789abcdef")


def _part(text: str) -> str:
    return text[:1] + MASK


def _mask_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at:
        return _part(value)
    labels = domain.split(".")
    masked = [_part(label) for label in labels[:-1]]
    tld = labels[-1]
    # The top-level domain is shared by millions of addresses; show it when it looks like one.
    masked.append(tld if len(labels) > 1 and tld.isascii() and tld.isalpha() else _part(tld))
    return f"{_part(local)}@{'.'.join(masked)}"


def _mask_phone(value: str) -> str:
    digits = value[1:] if value.startswith("+") else ""
    if not digits.isdigit():
        return _part(value)
    for size in (1, 2, 3):  # country calling codes are prefix-free
        code = digits[:size]
        if code in _COUNTRY_CODES and len(digits) > size:
            return f"+{code} {_part(digits[size:])}"
    return _part(value)


_MASKERS = {"email": _mask_email, "phone": _mask_phone, "text": _part}


def mask_value(value: str, kind: str) -> str:
    """Masked display form of one normalized identifier value.

    Parameters
    ----------
    value : str
        The normalized value: a lowercase email address, an E.164 phone number, or
        any other identifier text.
    kind : str
        ``"email"`` and ``"phone"`` mask by their structure; any other kind masks
        the value as one part.

    Returns
    -------
    str
        Each part reduced to its first character followed by ``***``.

    Examples
    --------
    >>> mask_value("john.doe@gmail.com", "email")
    'j***@g***.com'
    >>> mask_value("+12015550123", "phone")
    '+1 2***'
    >>> mask_value("GA1.2.3341.1700000000", "cookie")
    'G***'

    Notes
    -----
    The parts of an email are its local part and the labels of its domain; the
    top-level domain (``com``, ``de``) is shown whole when it consists of letters.
    A phone number shows its country calling code and the first digit of the
    national number. Every other part shows only its first character, and ``***``
    never reveals the length of what it hides.
    """
    masker = _MASKERS.get(kind, _part)
    return masker(value)


def mask_values(values: Iterable[str], style: MaskStyle) -> np.ndarray:
    """Masked display forms of many values of one style, as an object array.

    Used for the handful of values an explanation, a person view or a conflict
    report shows; cost O(n) string operations.

    Examples
    --------
    >>> mask_values(["ann@mail.co.uk", "bo@x.org"], "email").tolist()
    ['a***@m***.c***.uk', 'b***@x***.org']
    """
    masker = _MASKERS[style]
    return np.array([masker(v) for v in values], dtype=object)


def mask_key(key: str, style: MaskStyle) -> str:
    """Display form of a link key when the raw value is not kept.

    A SHA-256 digest (hashed emails and phones) shows as ``#`` and its first eight
    hex digits, the form :meth:`IdentityGraph.generic_values` lists in full; any
    other key is masked like a value.

    Examples
    --------
    >>> mask_key("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "email")
    '#9f86d081'
    >>> mask_key("C00001234", "text")
    'C***'
    """
    if len(key) == 64 and set(key) <= _HEX:
        return "#" + key[:8]
    return mask_value(key, style)
