"""Vectorized replay of ``phonenumbers.parse`` + ``is_valid_number`` for plain numbers.

:func:`fast_e164` follows ``phonenumbers.parse`` and ``is_valid_number`` step by
step on whole arrays, with the library's own metadata regexes run by Arrow. RE2
accepts every pattern of the metadata and, on the ASCII digit strings it is given
here, matches as Python's ``re`` does (the tests check where the prefix patterns
cut). It decides values written with ASCII digits, one leading ``+`` and the
separators `` ().-/``, maybe after a label (``"tel: "``) and before a short
extension. Everything else (letters inside the number, other digits or
punctuation, a ``+`` with an unknown country code, a national prefix that rewrites
the number, two-digit numbers) is left to the caller's per-value reference.

Digits are kept as one byte buffer with row offsets; every step only moves the
start of each row's national number along its digits, so the E.164 form is
``+<country code><digits from start>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata

from identigraph.matcher._arrow import from_buffers, is_ascii_digit, row_counts, string_buffers

__all__ = ["fast_e164"]

# Limits of phonenumbers.phonenumberutil (_MIN_LENGTH_FOR_NSN, _MAX_LENGTH_FOR_NSN,
# _MAX_INPUT_STRING_LENGTH).
_MIN_NSN = 2
_MAX_NSN = 17
_MAX_INPUT = 250
#: Text before the number, which ``parse`` drops (it starts at the first ``+`` or
#: digit): printable ASCII but digits, ``+`` and ``;`` (RFC 3966 parameters).
_LEAD = r"[\x20-\x2A\x2C-\x2F\x3A\x3C-\x7E]*"
#: Values decided here: ASCII digits, at most one ``+`` before the first digit, and
#: separators that are all phonenumbers punctuation and never extension marks.
_SIMPLE = rf"^{_LEAD}\+?[0-9 ().\-/]*$"
#: An extension after a simple number ending in a digit: within every limit of
#: phonenumbers' extension patterns, which strip it when the number before it is
#: viable (three digits or more); the E.164 form ignores it.
_EXTENSION = r" *(?:[xX#]|[eE][xX][tT](?:[nN]|[eE][nN][sS][iI][oO][nN])?)[.:]? *[0-9]{1,6}$"
_WITH_EXTENSION = rf"^{_LEAD}\+?[0-9 ().\-/]*[0-9]{_EXTENSION}"

_ZERO, _PLUS = ord("0"), ord("+")
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


# -- metadata -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Desc:
    """A number description: anchored pattern (``None`` never matches) and lengths."""

    pattern: str | None
    lengths: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the replay needs from one region's metadata, with anchored regexes."""

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


@cache
def _plan(country_code: int, region: str) -> _Plan | None:
    """The plan of ``region`` (``"001"``: the non-geographic ``country_code``)."""
    md = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if md is None or md.country_code is None or md.general_desc is None:
        return None
    # Any matching type makes a number valid, so the order of the tests is free: the
    # most common types go first and most numbers need one pattern only.
    types = [md.fixed_line]
    if not md.same_mobile_and_fixed_line_pattern:
        types.append(md.mobile)
    types += [getattr(md, name) for name in _TYPES if name != "fixed_line"]
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


def _usable(plan: _Plan | None) -> _Plan | None:
    return plan if plan is not None and plan.possible else None


def _home_plan(region: str) -> _Plan | None:
    """Plan of the default region passed to ``parse``."""
    md = PhoneMetadata.metadata_for_region(region)
    if md is None or md.country_code is None:
        return None
    return _usable(_plan(md.country_code, region))


def _code_plan(country_code: int) -> _Plan | None:
    """Plan of the main region of a country calling code, as ``parse`` picks it."""
    return _usable(_plan(country_code, phonenumbers.region_code_for_country_code(country_code)))


# -- Arrow and byte helpers -----------------------------------------------------------


def _bools(result: pa.Array) -> np.ndarray:
    return np.asarray(result.to_numpy(zero_copy_only=False), dtype=bool)


#: An anchored pattern that is a plain run of digits ("^(?:011)"): a prefix test.
_LITERAL = re.compile(r"\^\(\?:([0-9]+)\)")


def _matches(x: pa.Array, pattern: str | None) -> np.ndarray:
    if pattern is None or not len(x):
        return np.zeros(len(x), dtype=bool)
    literal = _LITERAL.fullmatch(pattern)
    if literal is not None:
        return _bools(pc.starts_with(x, pattern=literal.group(1)))
    return _bools(pc.match_substring_regex(x, pattern=pattern))


def _strip(x: pa.Array, pattern: str) -> pa.Array:
    """``x`` without the leftmost-first match of the anchored ``pattern``."""
    return pc.replace_substring_regex(x, pattern=pattern, replacement="", max_replacements=1)


def _lengths(x: pa.Array) -> np.ndarray:
    """Byte lengths (character counts of ASCII strings)."""
    return np.asarray(pc.binary_length(x).to_numpy(zero_copy_only=False), dtype=np.int64)


def _take(x: pa.Array, rows: np.ndarray) -> pa.Array:
    """Rows ``rows`` (ascending, distinct) of ``x``, without a copy when that is all of them."""
    return x if len(rows) == len(x) else x.take(rows)


def _any_per_row(flags: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Rows with at least one set byte ``flags``."""
    hits = np.flatnonzero(flags)
    n = len(offsets) - 1
    if hits.size > n // 2:  # dense: one pass of counts
        dense: np.ndarray = row_counts(flags, offsets) > 0
        return dense
    out = np.zeros(n, dtype=bool)
    out[np.searchsorted(offsets, hits, side="right") - 1] = True
    return out


def _ranges(begin: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions ``begin[i], ..., begin[i] + lengths[i] - 1`` of every row, in order."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) + np.repeat(begin - ends + lengths, lengths)


def _is_plain(data: np.ndarray) -> np.ndarray:
    """Digits, separators `` ().-/`` and ``+``: ``-./`` and the digits are 45 to 57."""
    return (
        ((data - np.uint8(45)) < 13)
        | ((data - np.uint8(40)) < 2)
        | (data == ord(" "))
        | (data == _PLUS)
    )


class _Digits:
    """The ASCII digits of each value: one byte buffer and row offsets."""

    def __init__(
        self, offsets: np.ndarray, data: np.ndarray, keep: np.ndarray, digit: np.ndarray
    ) -> None:
        """Digits (``digit`` marks them) of each row among its first ``keep`` bytes."""
        dropped = np.flatnonzero(keep < np.diff(offsets))
        if dropped.size:  # bytes from a row's cut to its end are not read
            begin = offsets[dropped] + keep[dropped]
            digit = digit.copy()
            digit[_ranges(begin, offsets[dropped + 1] - begin)] = False
        self.offsets = np.zeros(len(offsets), dtype=np.int64)
        np.cumsum(row_counts(digit, offsets), out=self.offsets[1:])
        self.data = data[np.flatnonzero(digit)]
        self.count = np.diff(self.offsets)
        self.array = from_buffers(self.offsets, self.data)

    def at(self, rows: np.ndarray, position: np.ndarray | int) -> np.ndarray:
        """Digit value at ``position`` of each row, -1 past its end."""
        where = self.offsets[rows] + position
        inside = where < self.offsets[rows + 1]
        out = np.full(len(rows), -1, dtype=np.int64)
        out[inside] = self.data[where[inside]].astype(np.int64) - _ZERO
        return out

    def suffixes(self, rows: np.ndarray, start: np.ndarray | int) -> pa.Array:
        """Each row's digits from ``start`` on, as an Arrow string array.

        ``rows`` is ascending; a start shared by all rows takes and slices in Arrow.
        """
        if np.ndim(start) == 0 or not len(rows) or np.min(start) == np.max(start):
            shift = int(np.max(start)) if len(rows) else 0
            taken = _take(self.array, rows)
            return taken if shift == 0 else pc.utf8_slice_codeunits(taken, shift)
        begin = self.offsets[rows] + start
        lengths = np.maximum(self.offsets[rows + 1] - begin, 0)
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return from_buffers(offsets, self.data[_ranges(begin, lengths)])

    def country_code(
        self, rows: np.ndarray, start: np.ndarray | int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Country calling code at ``start`` and its width (0: none).

        As ``_extract_country_code``: no code starts with 0; the shortest known
        prefix of up to three digits wins.
        """
        d1, d2, d3 = (self.at(rows, start + k) for k in range(3))
        found = np.zeros(len(rows), dtype=bool)
        code = np.zeros(len(rows), dtype=np.int64)
        width = np.zeros(len(rows), dtype=np.int64)
        value = np.zeros(len(rows), dtype=np.int64)
        present = d1 > 0
        for k, digit in enumerate((d1, d2, d3), start=1):
            present &= digit >= 0
            value = value * 10 + digit
            hit = present & ~found & _IS_COUNTRY_CODE[np.where(present, value, 0)]
            code[hit], width[hit] = value[hit], k
            found |= hit
        return code, width


# -- number rules ---------------------------------------------------------------------


def _length_result(lengths: np.ndarray, plan: _Plan) -> np.ndarray:
    """``_test_number_length`` against the general description, row by row."""
    first, last = plan.possible[0], plan.possible[-1]
    return np.select(
        [
            _one_of(lengths, plan.local_only),
            lengths == first,
            lengths < first,
            lengths > last,
            _one_of(lengths, plan.possible[1:]),
        ],
        [_LOCAL_ONLY, _POSSIBLE, _TOO_SHORT, _TOO_LONG, _POSSIBLE],
        _INVALID_LENGTH,
    )


def _national_prefix(x: pa.Array, plan: _Plan) -> tuple[np.ndarray, np.ndarray]:
    """``_maybe_strip_national_prefix_carrier_code``: digits it strips from each row.

    Also returns the rows whose prefix would rewrite the number (a transform
    rule), which are not replayed here.
    """
    cut = np.zeros(len(x), dtype=np.int64)
    unsure = np.zeros(len(x), dtype=bool)
    if plan.national_prefix is None:
        return cut, unsure
    rows = np.flatnonzero(_matches(x, plan.national_prefix) & (_lengths(x) > 0))
    if not rows.size:
        return cut, unsure
    if plan.rewrites:
        unsure[rows] = True
        return cut, unsure
    hit = x.take(rows)
    after = _strip(hit, plan.national_prefix)
    # Kept when the number matched the general pattern and the rest does not.
    kept = _matches(hit, plan.general.pattern) & ~_matches(after, plan.general.pattern)
    cut[rows] = np.where(kept, 0, _lengths(hit) - _lengths(after))
    return cut, unsure


def _one_of(lengths: np.ndarray, allowed: tuple[int, ...]) -> np.ndarray:
    """``np.isin(lengths, allowed)``, by comparisons for the few lengths a plan lists."""
    result = np.zeros(len(lengths), dtype=bool)
    for value in allowed:
        result |= lengths == value
    return result


def _matches_desc(x: pa.Array, lengths: np.ndarray, desc: _Desc) -> np.ndarray:
    """``_is_number_matching_desc``: a possible length and a full pattern match."""
    ok = _one_of(lengths, desc.lengths) if desc.lengths else np.ones(len(x), dtype=bool)
    rows = np.flatnonzero(ok)
    if rows.size and desc.pattern is not None:
        ok[rows] = _matches(_take(x, rows), desc.pattern)
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
        typed[rows] = _matches_desc(_take(nsn, rows), lengths[rows], desc)
    return valid & typed


def _valid(nsn: pa.Array, lengths: np.ndarray, country_code: int) -> np.ndarray | None:
    """``is_valid_number`` of ``+country_code nsn``; ``None`` when metadata is missing.

    Where several regions share the code, a number belongs to the first whose
    leading digits match, or (without leading digits) which it is valid for; it is
    then valid only if valid for that region (``_region_code_for_number_from_list``).
    """
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]
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
        sub = _take(nsn, rows)
        if plan.leading_digits is not None:
            hit = rows[_matches(sub, plan.leading_digits)]
            valid[hit] = _valid_for(nsn.take(hit), lengths[hit], plan)
            open_[hit] = False
        else:
            ok = rows[_valid_for(sub, lengths[rows], plan)]
            valid[ok] = True
            open_[ok] = False
    return valid


# -- the replay -----------------------------------------------------------------------


def _by_country(rows: np.ndarray, country: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``rows`` grouped by country calling code (ascending), each group ascending."""
    codes = country[rows]
    present = np.flatnonzero(np.bincount(codes, minlength=1))
    if len(present) <= 4:  # a pass per code beats sorting
        return [(int(cc), rows[codes == cc]) for cc in present]
    order = np.argsort(codes, kind="stable")
    cuts = np.cumsum(np.bincount(codes)[present])[:-1]
    return list(zip(present.tolist(), np.split(rows[order], cuts), strict=True))


def _plain_rows(
    offsets: np.ndarray, data: np.ndarray, digit: np.ndarray, raw: pa.Array
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows decided here, the bytes of each row before any extension, rows with "+"."""
    keep = np.diff(offsets)
    short = keep <= _MAX_INPUT
    at_plus = np.flatnonzero(data == _PLUS)
    plus_row = np.searchsorted(offsets, at_plus, side="right") - 1
    plus = np.zeros(len(keep), dtype=bool)
    plus[plus_row] = True
    plain = ~_any_per_row(~_is_plain(data), offsets)
    simple = short & ~plus & plain
    # Digits, separators and one "+" with no digit before it: what _SIMPLE accepts
    # (the separators before the "+" are label characters of _LEAD).
    once = np.bincount(plus_row, minlength=len(keep)) == 1
    lone = once[plus_row]
    at_plus, plus_row = at_plus[lone], plus_row[lone]
    leading = ~_any_per_row(
        digit[_ranges(offsets[plus_row], at_plus - offsets[plus_row])],
        np.concatenate([[0], np.cumsum(at_plus - offsets[plus_row])]),
    )
    simple[plus_row[leading & short[plus_row] & plain[plus_row]]] = True
    # Labels, extensions and other characters: by regex.
    rows = np.flatnonzero(short & ~simple & ~(plus & plain))
    if rows.size:
        sub = raw.take(rows)
        simple[rows] = _matches(sub, _SIMPLE)
        ext = ~simple[rows]
        ext[ext] = _matches(sub.filter(pa.array(ext)), _WITH_EXTENSION)
        if ext.any():
            keep[rows[ext]] = _lengths(_strip(sub.filter(pa.array(ext)), _EXTENSION))
            simple[rows[ext]] = True
    return simple, keep, plus


def fast_e164(raw: pa.Array, region: str | None) -> tuple[np.ndarray, np.ndarray]:
    """E.164 strings of ``raw`` (``None``: invalid) and the rows left undecided.

    ``region`` must be ``None`` or one of ``phonenumbers.SUPPORTED_REGIONS``;
    ``raw`` holds no nulls.

    Examples
    --------
    >>> import pyarrow as pa
    >>> e164, undecided = fast_e164(pa.array(["(201) 555-0123", "1-800-FLOWERS", "555-0123"]), "US")
    >>> e164.tolist(), undecided.tolist()
    (['+12015550123', None, None], [False, True, False])
    """
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    n = len(raw)
    result = np.full(n, None, dtype=object)
    offsets, data = string_buffers(raw)
    digit = is_ascii_digit(data)
    simple, keep, plus = _plain_rows(offsets, data, digit, raw)
    digits = _Digits(offsets, data, keep, digit)
    count = digits.count
    extension = keep < np.diff(offsets)
    # Two digits may be a short viable number: rare, left undecided. Fewer never
    # make a viable number, unless an extension is then read as digits.
    fallback = ~simple | (count == _MIN_NSN) | (extension & (count < _MIN_NSN))
    live = simple & (count > _MIN_NSN)
    if region is None:
        live &= plus  # without a default region only "+" numbers parse
    country = np.zeros(n, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)  # where the national number begins in the digits
    extracted = np.zeros(n, dtype=bool)  # country code read from the number

    def read_code(rows: np.ndarray, code: np.ndarray | int, begin: np.ndarray | int) -> None:
        country[rows], start[rows], extracted[rows] = code, begin, True

    # "+" then a country code; an unknown code is retried without the "+": undecided.
    rows = np.flatnonzero(live & plus)
    code, width = digits.country_code(rows, 0)
    fallback[rows[width == 0]], live[rows[width == 0]] = True, False
    read_code(rows[width > 0], code[width > 0], width[width > 0])

    home = None if region is None else _home_plan(region)
    rows = np.flatnonzero(live & ~plus)
    if rows.size and home is None:
        fallback[rows], live[rows] = True, False
    elif rows.size and home is not None:
        # The region's international prefix, unless a 0 follows it.
        if home.idd is not None:
            x = digits.suffixes(rows, 0)
            idd = _matches(x, home.idd)
            at = np.flatnonzero(idd)
            if at.size:
                cut = count[rows[at]] - _lengths(_strip(x.take(at), home.idd))
                idd[at] = digits.at(rows[at], cut) != 0
                hit, cut = rows[idd], cut[idd[at]]
                code, width = digits.country_code(hit, cut)
                ok = (count[hit] - cut > _MIN_NSN) & (width > 0)
                live[hit[~ok]] = False  # too short after the prefix, or an unknown code
                read_code(hit[ok], code[ok], cut[ok] + width[ok])
                rows = rows[~idd]
        # The region's own country code written without "+", when the rest is better.
        own = str(home.country_code)
        x = digits.suffixes(rows, 0)
        starts = _bools(pc.starts_with(x, own))
        hit = rows[starts]
        if hit.size:
            full = x.filter(pa.array(starts))
            cut, unsure = _national_prefix(digits.suffixes(hit, len(own)), home)
            after = digits.suffixes(hit, len(own) + cut)
            pattern = home.general.pattern
            better = (~_matches(full, pattern) & _matches(after, pattern)) | (
                _length_result(count[hit], home) == _TOO_LONG
            )
            fallback[hit[unsure]], live[hit[unsure]] = True, False
            chosen = ~unsure & better
            read_code(hit[chosen], home.country_code, len(own) + cut[chosen])
        rows = rows[live[rows]]
        country[rows] = home.country_code

    # Per country: national prefix, lengths, validity.
    for cc, members in _by_country(np.flatnonzero(live), country):
        decided: list[np.ndarray] = []
        numbers: list[pa.Array] = []
        for from_number in (True, False):
            rows = members[extracted[members] == from_number]
            plan = _code_plan(cc) if from_number else home
            if not rows.size or plan is None:
                fallback[rows] = True
                continue
            length = count[rows] - start[rows]
            x = digits.suffixes(rows, start[rows])
            cut, unsure = _national_prefix(x, plan)
            # Stripped only when a possible (or too long) number remains.
            cut[~_one_of(_length_result(length - cut, plan), (_POSSIBLE, _TOO_LONG))] = 0
            short = length < _MIN_NSN  # rejected before the prefix is looked at
            fallback[rows[unsure & ~short]] = True
            length -= cut
            ok = ~unsure & ~short & (length >= _MIN_NSN) & (length <= _MAX_NSN)
            start[rows] += cut
            if cut[ok].any():
                x = digits.suffixes(rows[ok], start[rows[ok]])
            elif not ok.all():
                x = x.filter(pa.array(ok))
            decided.append(rows[ok])
            numbers.append(x)
        rows = np.concatenate(decided) if decided else members[:0]
        if not rows.size:
            continue
        nsn = numbers[0] if len(numbers) == 1 else pa.concat_arrays(numbers)
        valid = _valid(nsn, count[rows] - start[rows], cc)
        if valid is None:
            fallback[rows] = True
            continue
        e164 = pc.binary_join_element_wise(f"+{cc}", nsn.filter(pa.array(valid)), "")
        result[rows[valid]] = e164.to_numpy(zero_copy_only=False)
    return result, fallback
