"""Normalize phone numbers to E.164 with ``phonenumbers``, vectorized for common formats."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata

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


# -- the vectorized fast path ---------------------------------------------------------
#
# The fast path replays ``phonenumbers.parse`` + ``is_valid_number`` step by step on
# whole arrays, with the library's own metadata regexes (run by Arrow's RE2, which
# accepts every pattern of the metadata; inputs are ASCII digits only, where RE2 and
# Python's ``re`` agree). It decides only values written with ASCII digits, one
# leading ``+`` and the separators below; everything else (letters, extensions,
# other digits and punctuation, a ``+`` with an unknown country code, national
# prefixes that rewrite the number) goes to :func:`e164_reference`.

# Limits of phonenumbers.phonenumberutil (_MIN_LENGTH_FOR_NSN, _MAX_LENGTH_FOR_NSN,
# _MAX_INPUT_STRING_LENGTH).
_MIN_NSN = 2
_MAX_NSN = 17
_MAX_INPUT = 250
#: Values the fast path decides: separators, at most one ``+`` before the first digit,
#: ASCII digits. All separators are phonenumbers punctuation, never an extension mark.
_SIMPLE = r"^[ ().\-/]*\+?[0-9 ().\-/]*$"
_NON_DIGITS = r"[^0-9]+"

_IS_COUNTRY_CODE = np.zeros(1000, dtype=bool)
_IS_COUNTRY_CODE[list(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)] = True

# Outcomes of phonenumbers' _test_number_length.
_TOO_SHORT, _POSSIBLE, _TOO_LONG, _LOCAL_ONLY, _INVALID_LENGTH = range(5)

# Number types is_valid_number accepts (every type but UNKNOWN); mobile is tested only
# when its pattern differs from the fixed-line one, as in _number_type_helper.
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)


@dataclass(frozen=True, slots=True)
class _Desc:
    """A number description: anchored pattern (``None`` never matches) and lengths."""

    pattern: str | None
    lengths: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the fast path needs from one region's metadata, with anchored regexes."""

    country_code: int
    idd: str | None
    national_prefix: str | None
    rewrites: bool
    general: _Desc
    possible: tuple[int, ...]
    local_only: tuple[int, ...]
    types: tuple[_Desc, ...]
    leading_digits: str | None


def _desc(desc: phonenumbers.PhoneNumberDesc) -> _Desc:
    pattern = desc.national_number_pattern
    return _Desc(
        pattern=f"^(?:{pattern})$" if pattern else None,
        lengths=tuple(desc.possible_length or ()),
    )


@lru_cache(maxsize=None)
def _plan(country_code: int, region: str) -> _Plan | None:
    """The plan of ``region`` (``"001"``: the non-geographic ``country_code``)."""
    md = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if md is None:
        return None
    types = [getattr(md, name) for name in _TYPES]
    if not md.same_mobile_and_fixed_line_pattern:
        types.append(md.mobile)
    general = md.general_desc
    return _Plan(
        country_code=int(md.country_code),
        idd=f"^(?:{md.international_prefix})" if md.international_prefix else None,
        national_prefix=(
            f"^(?:{md.national_prefix_for_parsing})" if md.national_prefix_for_parsing else None
        ),
        rewrites=bool(md.national_prefix_transform_rule),
        general=_desc(general),
        possible=tuple(general.possible_length or ()),
        local_only=tuple(general.possible_length_local_only or ()),
        types=tuple(_desc(d) for d in types if d is not None),
        leading_digits=f"^(?:{md.leading_digits})" if md.leading_digits else None,
    )


def _region_plan(country_code: int) -> _Plan | None:
    """Plan of the main region of a country calling code, as ``parse`` picks it."""
    return _plan(country_code, phonenumbers.region_code_for_country_code(country_code))


def _bools(result: pa.Array) -> np.ndarray:
    return np.asarray(result.to_numpy(zero_copy_only=False), dtype=bool)


def _matches(x: pa.Array, pattern: str | None) -> np.ndarray:
    if pattern is None:
        return np.zeros(len(x), dtype=bool)
    return _bools(pc.match_substring_regex(x, pattern=pattern))


def _strip(x: pa.Array, pattern: str) -> pa.Array:
    """``x`` without the leftmost-first match of the anchored ``pattern``."""
    return pc.replace_substring_regex(x, pattern=pattern, replacement="", max_replacements=1)


def _lengths(x: pa.Array) -> np.ndarray:
    return np.asarray(pc.utf8_length(x).to_numpy(zero_copy_only=False), dtype=np.int64)


def _choose(mask: np.ndarray, if_true: pa.Array, if_false: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask, type=pa.bool_()), if_true, if_false)


def _country_code(digits: pa.Array, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Country calling code at the start of ``digits`` and its length (0: none).

    As ``_extract_country_code``: no code starts with 0; the shortest known prefix
    of up to three digits wins.
    """
    head = pc.utf8_slice_codeunits(digits, 0, 3).to_numpy(zero_copy_only=False)
    codes = np.asarray(head, dtype="U3").view(np.uint32).reshape(len(head), 3)
    d = codes.astype(np.int64) - ord("0")
    cc1, cc2, cc3 = d[:, 0], d[:, 0] * 10 + d[:, 1], d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    has1, has2, has3 = lengths >= 1, lengths >= 2, lengths >= 3
    nonzero = has1 & (cc1 > 0)
    k1 = nonzero & _IS_COUNTRY_CODE[np.where(has1, cc1, 0).clip(0, 999)]
    k2 = nonzero & ~k1 & has2 & _IS_COUNTRY_CODE[np.where(has2, cc2, 0).clip(0, 999)]
    k3 = nonzero & ~k1 & ~k2 & has3 & _IS_COUNTRY_CODE[np.where(has3, cc3, 0).clip(0, 999)]
    width = np.select([k1, k2, k3], [1, 2, 3], 0)
    code = np.select([k1, k2, k3], [cc1, cc2, cc3], 0)
    return code, width


def _drop_head(x: pa.Array, width: np.ndarray) -> pa.Array:
    """``x`` without its first ``width`` characters (per row, 0 to 3)."""
    out = x
    for k in (1, 2, 3):
        if (width == k).any():
            out = _choose(width == k, pc.utf8_slice_codeunits(x, k), out)
    return out


def _length_result(lengths: np.ndarray, plan: _Plan) -> np.ndarray:
    """``_test_number_length`` against the general description, row by row."""
    first, last = plan.possible[0], plan.possible[-1]
    return np.select(
        [
            np.isin(lengths, plan.local_only),
            lengths == first,
            lengths < first,
            lengths > last,
            np.isin(lengths, plan.possible[1:]),
        ],
        [_LOCAL_ONLY, _POSSIBLE, _TOO_SHORT, _TOO_LONG, _POSSIBLE],
        _INVALID_LENGTH,
    )


def _strip_national_prefix(x: pa.Array, plan: _Plan) -> tuple[pa.Array, np.ndarray]:
    """``_maybe_strip_national_prefix_carrier_code``; rows it cannot replay are flagged.

    Returns the stripped numbers and a mask of rows whose prefix match would
    rewrite the number (a transform rule): those go to the reference.
    """
    unsure = np.zeros(len(x), dtype=bool)
    if plan.national_prefix is None:
        return x, unsure
    hit = _matches(x, plan.national_prefix) & (_lengths(x) > 0)
    if not hit.any():
        return x, unsure
    if plan.rewrites:
        return x, hit
    after = _strip(x, plan.national_prefix)
    # Keep the prefix when the number matched the general pattern and the rest does not.
    keep = _matches(x, plan.general.pattern) & ~_matches(after, plan.general.pattern)
    return _choose(hit & ~keep, after, x), unsure


def _matches_desc(x: pa.Array, lengths: np.ndarray, desc: _Desc) -> np.ndarray:
    """``_is_number_matching_desc``: a possible length and a full pattern match."""
    ok = np.isin(lengths, desc.lengths) if desc.lengths else np.ones(len(x), dtype=bool)
    rows = np.flatnonzero(ok)
    if rows.size and desc.pattern is not None:
        ok[rows] = _matches(x.take(rows), desc.pattern)
    else:
        ok[:] = False
    return ok


def _valid_for(nsn: pa.Array, lengths: np.ndarray, plan: _Plan) -> np.ndarray:
    """``_number_type_helper(nsn, metadata) != UNKNOWN``."""
    valid = _matches_desc(nsn, lengths, plan.general)
    typed = np.zeros(len(nsn), dtype=bool)
    for desc in plan.types:
        rows = np.flatnonzero(valid & ~typed)
        if not rows.size:
            break
        typed[rows] = _matches_desc(nsn.take(rows), lengths[rows], desc)
    return valid & typed


def _valid(nsn: pa.Array, country_code: int) -> np.ndarray | None:
    """``is_valid_number`` of ``+country_code nsn``; ``None`` when metadata is missing.

    Where several regions share the code, a number belongs to the first whose
    leading digits match, or (without leading digits) which it is valid for; it is
    then valid only if valid for that region (``_region_code_for_number_from_list``).
    """
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]
    lengths = _lengths(nsn)
    if len(regions) == 1:
        plan = _plan(country_code, regions[0])
        return None if plan is None else _valid_for(nsn, lengths, plan)
    valid = np.zeros(len(nsn), dtype=bool)
    open_ = np.ones(len(nsn), dtype=bool)
    for region in regions:
        rows = np.flatnonzero(open_)
        if not rows.size:
            break
        plan = _plan(country_code, region)
        if plan is None:
            continue
        sub = nsn.take(rows)
        if plan.leading_digits is not None:
            hit = _matches(sub, plan.leading_digits)
            valid[rows[hit]] = _valid_for(sub.filter(pa.array(hit)), lengths[rows[hit]], plan)
            open_[rows[hit]] = False
        else:
            ok = _valid_for(sub, lengths[rows], plan)
            valid[rows[ok]] = True
            open_[rows[ok]] = False
    return valid


def _fast_e164(raw: pa.Array, region: str | None) -> tuple[np.ndarray, np.ndarray]:
    """E.164 strings (``None``: invalid) and the mask of rows left to the reference."""
    n = len(raw)
    result = np.full(n, None, dtype=object)
    digits = pc.replace_substring_regex(raw, pattern=_NON_DIGITS, replacement="")
    n_digits = _lengths(digits)
    simple = _matches(raw, _SIMPLE) & (_lengths(raw) <= _MAX_INPUT)
    plus = _bools(pc.match_substring(raw, "+"))
    # Two digits may be a short viable number: rare, left to the reference. Fewer
    # than two digits is never viable.
    fallback = ~simple | (n_digits == _MIN_NSN)
    live = simple & (n_digits > _MIN_NSN)
    if region is None:
        live &= plus  # without a default region only "+" numbers parse

    home: _Plan | None = None
    country = np.zeros(n, dtype=np.int64)
    extracted = np.zeros(n, dtype=bool)  # country code read from the number
    national = digits

    # "+" then a country code; an unknown code is retried without the "+".
    rows = live & plus
    if rows.any():
        code, width = _country_code(digits, n_digits)
        fallback |= rows & (width == 0)
        rows &= width > 0
        live &= ~(plus & (width == 0))
        country[rows] = code[rows]
        extracted |= rows
        national = _choose(rows, _drop_head(digits, width), national)

    rows = live & ~plus
    if region is not None and rows.any():
        home = _plan(int(PhoneMetadata.metadata_for_region(region).country_code), region)
        if home is None or not home.possible:
            return result, fallback | rows
        # The region's international prefix, unless a 0 follows it.
        if home.idd is not None:
            rest = _strip(digits, home.idd)
            idd = rows & _matches(digits, home.idd) & ~_bools(pc.starts_with(rest, "0"))
            if idd.any():
                rest_len = _lengths(rest)
                code, width = _country_code(rest, rest_len)
                ok = idd & (rest_len > _MIN_NSN) & (width > 0)
                live &= ~(idd & ~ok)  # too short after the prefix, or unknown code
                country[ok] = code[ok]
                extracted |= ok
                national = _choose(ok, _drop_head(rest, width), national)
                rows &= ~idd
        # The region's own country code written without "+".
        own = str(home.country_code)
        starts = rows & _bools(pc.starts_with(digits, own))
        if starts.any():
            after, unsure = _strip_national_prefix(pc.utf8_slice_codeunits(digits, len(own)), home)
            better = (
                ~_matches(digits, home.general.pattern) & _matches(after, home.general.pattern)
            ) | (_length_result(n_digits, home) == _TOO_LONG)
            fallback |= starts & unsure
            rows &= ~(starts & unsure)
            live &= ~(starts & unsure)
            taken = starts & ~unsure & better
            extracted |= taken
            national = _choose(taken, after, national)
        country[rows] = home.country_code

    # Per country: national prefix, lengths, validity.
    national_text = national.to_numpy(zero_copy_only=False)
    for code in np.unique(country[live]):
        in_code = live & (country == code)
        decided = np.zeros(n, dtype=bool)
        for from_number in (True, False):
            rows = np.flatnonzero(in_code & (extracted == from_number))
            if not rows.size:
                continue
            plan = _region_plan(int(code)) if from_number else home
            if plan is None or not plan.possible:
                fallback[rows] = True
                continue
            nsn = pa.array(national_text[rows], type=pa.string())
            short = _lengths(nsn) < _MIN_NSN  # rejected before the prefix is looked at
            stripped, unsure = _strip_national_prefix(nsn, plan)
            keep = np.isin(_length_result(_lengths(stripped), plan), (_POSSIBLE, _TOO_LONG))
            nsn = _choose(keep, stripped, nsn)
            lengths = _lengths(nsn)
            fallback[rows[unsure & ~short]] = True
            ok = ~unsure & ~short & (lengths >= _MIN_NSN) & (lengths <= _MAX_NSN)
            national_text[rows[ok]] = nsn.filter(pa.array(ok)).to_numpy(zero_copy_only=False)
            decided[rows[ok]] = True
        rows = np.flatnonzero(decided)
        if not rows.size:
            continue
        nsn = pa.array(national_text[rows], type=pa.string())
        valid = _valid(nsn, int(code))
        if valid is None:
            fallback[rows] = True
            continue
        good = rows[valid]
        result[good] = f"+{code}" + national_text[good]
    return result, fallback


def _as_text(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Positions of the non-missing values and those values as Arrow strings.

    Integers (and any other non-string value) are read as their text.
    """
    if pd.api.types.is_integer_dtype(values.dtype):
        values = values.astype("string")
    text = np.asarray(values.to_numpy(dtype=object, na_value=None), dtype=object)
    present = np.flatnonzero(pd.notna(text))
    try:
        raw = pa.array(text[present], type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raw = pa.array(pd.Series(text[present], dtype=object).astype("string"), type=pa.string())
    return present, raw


def normalize_phones(values: pd.Series, region: str | None) -> pd.Series:
    """E.164 form of each number, ``NA`` where it is not a valid number.

    The result equals :func:`e164_reference` on every value. Numbers written with
    ASCII digits, an optional leading ``+`` and the separators `` ().-/`` are parsed
    and validated on whole arrays with ``phonenumbers``' own metadata, for every
    region and country calling code; the others (letters, extensions, other digits
    or punctuation, prefixes that rewrite the number) go through
    :func:`e164_reference` one by one.

    Parameters
    ----------
    values : pandas.Series of str
        Raw numbers, already trimmed and non-empty; pass unique values. Integers
        are read as their decimal text; missing values stay missing.
    region : str or None
        ISO 3166-1 alpha-2 region for numbers written without a country code;
        ``None`` accepts only numbers in international ``+`` form.

    Returns
    -------
    pandas.Series of object
        E.164 strings, ``NaN`` where invalid, aligned with ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> normalize_phones(pd.Series(["+44 20 7946 0958", "201.555.0123"]), "US").tolist()
    ['+442079460958', '+12015550123']
    >>> normalize_phones(pd.Series(["(201) 555-0123 ext. 4", "555-0123"]), "US").tolist()
    ['+12015550123', nan]

    See Also
    --------
    e164_reference : the definition, one number at a time.

    Notes
    -----
    Cost O(n) array passes, a few per country code present, plus about 70 µs per
    value left to the reference.
    """
    present, raw = _as_text(values)
    out = np.full(len(values), np.nan, dtype=object)
    if present.size:
        if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
            fast = np.full(present.size, None, dtype=object)
            fallback = np.ones(present.size, dtype=bool)
        else:
            fast, fallback = _fast_e164(raw, region)
        rows = np.flatnonzero(fallback)
        if rows.size:
            slow = [e164_reference(v, region) for v in raw.take(rows).to_pylist()]
            fast[rows] = np.array(slow, dtype=object)
        out[present] = np.where(pd.notna(fast), fast, np.nan)
    return pd.Series(out, index=values.index, dtype=object)
