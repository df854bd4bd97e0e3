"""Identifier specs: which column holds which kind of identifier, and how it is normalized.

A spec says *what* a column means; :class:`identigraph.IdentityGraph` decides how
to link on it. Values of the same ``kind`` link across sources, whatever their
column is called in each.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from abc import ABCMeta, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Final, Literal, NamedTuple

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
)

from identigraph.errors import ConfigError, DtypeError, UnknownRegionError
from identigraph.matcher._arrow import (
    drop_invisible,
    is_in,
    string_buffers,
    to_arrow,
    to_mask,
    to_objects,
    to_series,
    too_long,
)
from identigraph.matcher._hashing import (
    is_sha256_hex_text,
    lowercase_digests,
    sha256_digests,
    sha256_hex,
)
from identigraph.matcher.email import (
    MAX_EMAIL_LENGTH,
    normalize_email_array,
    normalize_email_text,
)
from identigraph.matcher.junk import (
    JUNK_TOKENS,
    is_junk_email,
    is_junk_phone_number,
    junk_email_mask,
    junk_phone_number_mask,
    junk_token_mask,
)
from identigraph.matcher.phone import e164_reference, normalize_phone_array

__all__ = ["Cookie", "Email", "Identifier", "Key", "Normalized", "Phone", "check_identifiers"]

# Arrow-backed strings: vectorized string kernels instead of a Python loop per value.
_TEXT: Final = "string[pyarrow]"
_NULL = pa.scalar(None, pa.string())
#: phonenumbers parses no longer input (``_MAX_INPUT_STRING_LENGTH``).
_MAX_PHONE_LENGTH = 250
#: Integral floats beyond this are not exact: no identifier is read from them.
_MAX_EXACT_FLOAT = 2.0**53


class Normalized(NamedTuple):
    """Link keys and reject reasons for a batch of raw values, aligned with the input.

    ``keys`` holds the value records link on (a string), or ``None`` where the raw
    value gives no key; ``reasons`` holds the reject reason (``"invalid_email"``,
    ``"invalid_phone"``, ``"junk_value"``, ``"too_long"``) of a value that gives no
    key, and ``None`` otherwise: for a usable value, and for one that is empty once
    its invisible characters are removed (it counts as missing).
    """

    keys: np.ndarray
    reasons: np.ndarray


@dataclass(frozen=True, slots=True)
class Identifier:
    """Base of all identifier specs: a column whose equal values link records.

    Parameters
    ----------
    column : str
        Column of the input frame holding the identifier.
    kind : str
        Values of the same kind link across sources and columns. Defaults per
        spec type (``"email"``, ``"phone"``, ``"cookie"``); for :class:`Key` the
        column name.
    priority : int
        Strength of the evidence (a finite number: a float is accepted too); when
        a person cluster breaks a limit, links of the lowest priority are cut first.
    max_records : int or None
        A value carried by more records than this is *generic* (a shared or
        junk value) and links nothing. ``None``: no limit.
    max_per_person : int or None
        Most distinct values of this kind one person may hold. ``None``: no limit.
    max_linked : int or None, default 50
        A value whose carriers hold more than this many distinct values of some
        other kind is a *hub* (``NOCARD`` on thousands of till receipts with
        thousands of emails, a kiosk cookie) and is generic: it links nothing and
        ``generic_values()`` lists it with reason ``"hub"``. A customer key on a
        customer's many orders is not one: those orders hold a few emails.
        ``None``: no such check for this kind.
    junk : str or iterable of str
        Extra placeholder values (compared after normalization) to reject. A
        single string is one value (``junk="n/a"``), not a set of characters;
        stored trimmed and lowercased as a ``frozenset``.
    builtin_junk : bool
        Also reject the built-in placeholder values of this kind.
    on_shared : {"keep", "unlink"}, default "keep"
        What a value of this kind becomes when a per-person limit cuts one of its
        links: ``"keep"`` leaves it linking the person that kept it;
        ``"unlink"`` treats it as shared (a household landline): it links
        nobody and the split runs again, so records whose only evidence was that
        value stay alone. ``IdentityGraph.conflicts()`` lists its links with
        reason ``"shared_value"``.

    Raises
    ------
    ConfigError
        A field of the wrong type (``max_records=True``, ``hash="no"``,
        ``priority="high"``), out of range (a limit below 1, a priority that is
        not finite), or an empty column name or junk value. Messages name the
        field and the type given, never the value.

    Notes
    -----
    Normalization removes invisible characters first (a byte-order mark,
    zero-width spaces and joiners, bidirectional marks, NUL and other controls),
    in every engine: a value that holds nothing else counts as missing. A value
    longer than the spec's limit (254 characters for an email, 250 for a phone,
    4,096 for a cookie or key) is rejected with reason ``"too_long"``.
    """

    column: str
    _: KW_ONLY
    kind: str = ""
    priority: int = 10
    max_records: int | None = None
    max_per_person: int | None = None
    max_linked: int | None = 50
    junk: frozenset[str] = frozenset()
    builtin_junk: bool = True
    on_shared: Literal["keep", "unlink"] = "keep"

    def __post_init__(self) -> None:
        name = type(self).__name__
        if not isinstance(self.column, str) or not self.column:
            got = repr(self.column) if isinstance(self.column, str) else type(self.column).__name__
            msg = f"{name}: column must be a non-empty string, got {got}"
            raise ConfigError(msg)
        where = f"{name}({self.column!r})"
        if not isinstance(self.kind, str):
            msg = f"{where}: kind must be a string, got {type(self.kind).__name__}"
            raise ConfigError(msg)
        if not self.kind:
            object.__setattr__(self, "kind", self.column)
        object.__setattr__(self, "priority", _finite_number(where, "priority", self.priority))
        for limit in ("max_records", "max_per_person", "max_linked"):
            object.__setattr__(self, limit, _limit(where, limit, getattr(self, limit)))
        for field in dataclasses.fields(self):  # flags: bools only, not "no" or 0
            if field.type == "bool":
                object.__setattr__(
                    self, field.name, _flag(where, field.name, getattr(self, field.name))
                )
        if not isinstance(self.on_shared, str) or self.on_shared not in ("keep", "unlink"):
            msg = f"{where}: on_shared must be 'keep' or 'unlink'"
            raise ConfigError(msg)
        object.__setattr__(self, "junk", _junk_values(where, self.junk))

    # -- conversion -------------------------------------------------------------------
    _accepts_numbers = False
    #: Longest usable value in characters, once trimmed; longer ones are ``"too_long"``.
    _max_length = 4096

    def to_text(self, values: pd.Series) -> pd.Series:
        """Trimmed strings of the non-missing ``values``; raises on a dtype that cannot hold them.

        Empty strings become missing. Integral floats (from a nullable integer column
        read as float) are written without the ``.0``. An object column may hold
        strings and, for a spec that accepts numbers, integers; booleans, bytes,
        containers, dates or infinite numbers there raise, as do sparse columns and
        text that is not valid Unicode.

        Raises
        ------
        DtypeError
            The dtype, or a Python type among the values, cannot hold the
            identifier. The message names the column, the dtype and the Python
            types, never a value.

        Examples
        --------
        >>> import pandas as pd
        >>> Key("card").to_text(pd.Series([" A1 ", "", 7], dtype=object)).tolist()
        ['A1', <NA>, '7']
        >>> Key("card").to_text(pd.Series(["A1", True], dtype=object))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        identigraph.errors.DtypeError: column 'card' holds Python bool values: no key ...
        """
        dtype = values.dtype
        if values.empty:
            return values.astype(_TEXT)
        if isinstance(dtype, pd.SparseDtype):
            raise self._dtype_error(dtype, "is sparse; pass it dense (.sparse.to_dense())")
        if is_bool_dtype(dtype) or isinstance(
            dtype, (pd.DatetimeTZDtype, pd.PeriodDtype, pd.IntervalDtype)
        ):
            raise self._dtype_error(dtype)
        if is_float_dtype(dtype):
            return self._float_text(values)
        if is_integer_dtype(dtype):
            if not self._accepts_numbers:
                raise self._dtype_error(dtype)
            return values.astype(_TEXT)
        kind = dtype.kind if isinstance(dtype, np.dtype) else None
        if kind in ("M", "m", "c", "V") or is_datetime64_any_dtype(dtype):
            raise self._dtype_error(dtype)
        is_object = dtype == np.dtype(object)
        if is_object:
            self._check_objects(values)
        try:
            if is_object:  # mixed objects (numbers among strings) as text
                values = values.astype(_TEXT)
            raw = to_arrow(values)
        except (pa.ArrowException, UnicodeError, TypeError, ValueError) as err:
            # The underlying message may quote a value: it is not chained.
            why = f"holds values that cannot be read as Unicode text ({type(err).__name__})"
            raise self._dtype_error(dtype, why) from None
        return to_series(_trimmed(raw), values.index)

    def _float_text(self, values: pd.Series) -> pd.Series:
        """Integral floats as integer text; raises on fractions, infinities and huge numbers."""
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        present = numbers[~np.isnan(numbers)]
        if present.size and not self._accepts_numbers:
            raise self._dtype_error(values.dtype)
        if not np.isfinite(present).all():
            raise self._dtype_error(values.dtype, "holds infinite numbers")
        if not (present == np.floor(present)).all():
            raise self._dtype_error(values.dtype, "holds numbers with a fractional part")
        if present.size and float(np.abs(present).max()) > _MAX_EXACT_FLOAT:
            raise self._dtype_error(values.dtype, "holds numbers too large to be exact as floats")
        text: pd.Series = values.astype("Int64").astype(_TEXT)
        return text

    def _check_objects(self, values: pd.Series, kind: str | None = None) -> None:
        """Raise unless an object column holds strings (and integers, where numbers are keys).

        ``kind`` is ``infer_dtype(values, skipna=True)`` where the caller has it already.
        """
        if kind is None:
            kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("string", "empty"):
            return  # the usual case, decided in one C pass
        objects = values.to_numpy(dtype=object)
        objects = objects[~pd.isna(objects)]
        types = set(map(type, objects))  # the unusual case: one step per value
        numbers_ok = (int, np.integer) if self._accepts_numbers else ()
        bad = sorted(
            t.__name__
            for t in types
            if issubclass(t, (bool, np.bool_)) or not issubclass(t, (str, *numbers_ok))
        )
        if bad:
            which = ", ".join(bad)
            raise self._dtype_error(values.dtype, f"holds Python {which} values")

    def _dtype_error(self, dtype: object, why: str | None = None) -> DtypeError:
        kind = type(self).__name__.lower()
        if why is None:
            msg = f"column {self.column!r} has dtype {dtype} which cannot hold a {kind} identifier"
        else:
            msg = f"column {self.column!r} {why}: no {kind} identifier can be read from it"
        return DtypeError(msg, column=self.column, dtype=str(dtype))

    # -- normalization ----------------------------------------------------------------
    def normalize(self, values: pd.Series) -> Normalized:
        """Link keys and reject reasons of trimmed, non-empty string ``values``.

        Invisible characters are removed first (a value of nothing else gives no
        key and no reason: it is missing); a value longer than the spec's limit is
        rejected as ``"too_long"``.

        Examples
        --------
        >>> import pandas as pd
        >>> values = pd.Series(["abc", "null", "\\u200b", "a" * 5000])
        >>> Cookie("cid").normalize(values).reasons.tolist()
        [None, 'junk_value', None, 'too_long']
        """
        return self._normalize_text(to_arrow(values))

    def _string_keys(self, values: pa.Array) -> Normalized:
        """``normalize(to_text(values))`` of an Arrow string array, nulls giving neither.

        Strings need no dtype check: this is the whole of :meth:`to_text` for them.
        """
        return self._normalize_text(_trimmed(values))

    def _arrow_keys(self, values: pa.Array) -> tuple[pa.Array, np.ndarray, bool] | None:
        """:meth:`_string_keys` of non-null strings with the keys left in Arrow.

        Returns the keys (null where a value gives none), the reject reasons, both
        equal to those of :meth:`_string_keys`, and whether the keys are as
        distinct as the values (normalization changed no value); ``None`` for a
        spec whose keys are made in Python anyway (a plain, unhashed email or
        phone), which takes :meth:`_string_keys`.
        """
        trimmed = _trimmed(values)
        text = _visible(trimmed)
        unchanged = text is trimmed and _same_text(values, trimmed)
        n = len(text)
        over = too_long(text, self._max_length)
        usable = to_mask(text.is_valid()) & ~over
        rows = np.flatnonzero(usable)
        junk = np.zeros(n, dtype=bool)
        if rows.size:
            junk[rows] = self._junk_mask(text if rows.size == n else text.take(pa.array(rows)))
        reasons = np.full(n, None, dtype=object)
        reasons[over] = "too_long"
        reasons[junk] = "junk_value"
        keep = usable & ~junk
        keys = text if keep.all() else pc.if_else(pa.array(keep), text, _NULL)
        return keys, reasons, unchanged

    def _normalize_text(self, values: pa.Array) -> Normalized:
        """:meth:`normalize` of an Arrow string array (nulls give no key and no reason)."""
        text = _visible(values)
        n = len(text)
        over = too_long(text, self._max_length)
        if n and not text.null_count and not over.any():  # every value usable: no copy
            return self._normalize_visible(text)
        keys = np.full(n, None, dtype=object)
        reasons = np.full(n, None, dtype=object)
        reasons[over] = "too_long"
        rows = np.flatnonzero(to_mask(text.is_valid()) & ~over)
        if rows.size:
            usable = text if rows.size == n else text.take(pa.array(rows))
            found = self._normalize_visible(usable)
            keys[rows] = found.keys
            reasons[rows] = found.reasons
        return Normalized(keys, reasons)

    def _normalize_visible(self, text: pa.Array) -> Normalized:
        """:meth:`normalize` of non-null values without invisible characters, within the limit."""
        junk = self._junk_mask(text)
        keys = to_objects(text)
        reasons = np.full(len(keys), None, dtype=object)
        keys[junk] = None
        reasons[junk] = "junk_value"
        return Normalized(keys, reasons)

    def _text_key(self, text: str) -> tuple[str | None, str | None]:
        """Key and reject reason of one trimmed, non-empty, printable-ASCII string.

        The one-value form of :meth:`_normalize_text` for real-time look-ups, with
        no array set-up: on printable ASCII (0x20-0x7E) there is no invisible
        character to remove, a character is a code point and lowercasing is ASCII's,
        so each step below is the array step's. Other text takes the array path.
        """
        if len(text) > self._max_length:
            return None, "too_long"
        return self._visible_key(text)

    def _visible_key(self, text: str) -> tuple[str | None, str | None]:
        """:meth:`_text_key` once the length is known to be within the limit."""
        if self._is_junk_token(text):
            return None, "junk_value"
        return text, None

    def _is_junk_token(self, text: str) -> bool:
        """:meth:`_junk_mask` of one printable-ASCII string."""
        lowered = text.lower()
        return (self.builtin_junk and lowered in JUNK_TOKENS) or lowered in self.junk

    def canonicalize(self, values: pd.Series) -> pd.Series:
        """Normalized plain form of raw ``values`` (no hashing); ``NA`` where unusable.

        This is the form a golden record shows: for an email the trimmed, lowercased
        address, for a phone its E.164 number.

        Examples
        --------
        >>> import pandas as pd
        >>> Phone("phone", region="US").canonicalize(pd.Series(["201 555 0123", None])).tolist()
        ['+12015550123', nan]
        """
        text = self.to_text(pd.Series(values).reset_index(drop=True))
        out = np.full(len(text), np.nan, dtype=object)
        present = text.notna().to_numpy()
        if present.any():
            raw = _visible(to_arrow(text[present]))
            canon = np.full(len(raw), np.nan, dtype=object)
            rows = np.flatnonzero(to_mask(raw.is_valid()) & ~too_long(raw, self._max_length))
            if rows.size:
                found = self._canonical_plain(raw.take(pa.array(rows)))
                found[pd.isna(found)] = np.nan
                canon[rows] = found
            out[present] = canon
        return pd.Series(out, index=values.index, dtype=object)

    def _canonical_plain(self, values: pa.Array) -> np.ndarray:
        """Normalized plain values, ``None`` where unusable."""
        out = to_objects(values)
        out[self._junk_mask(values)] = None
        return out

    def _junk_mask(self, values: pa.Array) -> np.ndarray:
        """Raw values that are placeholder tokens (built-in and the caller's)."""
        if self.builtin_junk:
            return junk_token_mask(values, self.junk)
        return to_mask(is_in(pc.utf8_lower(values), self.junk))


@dataclass(frozen=True, slots=True)
class _Hashed(Identifier, metaclass=ABCMeta):
    """An identifier linked on the SHA-256 hex digest of its normalized value."""

    _: KW_ONLY
    hash: bool = True

    @abstractmethod
    def _canonical(self, values: pa.Array) -> tuple[pa.Array | np.ndarray, np.ndarray]:
        """Normalized values (null or ``None`` when invalid) and the junk mask.

        The values stay an Arrow array where the normalizer makes one, so that
        hashing reads them without a round trip through Python objects.
        """

    _invalid_reason = "invalid"

    @abstractmethod
    def _canonical_text(self, text: str) -> tuple[str | None, bool]:
        """:meth:`_canonical` of one printable-ASCII string: the value and whether it is junk."""

    def _visible_key(self, text: str) -> tuple[str | None, str | None]:
        if self.hash:
            lowered = text.lower()
            if is_sha256_hex_text(lowered):
                return lowered, None
        canon, junk = self._canonical_text(text)
        if junk or self._is_junk_token(text):
            return None, "junk_value"
        if canon is None:
            return None, self._invalid_reason
        return (str(sha256_hex([canon])[0]) if self.hash else canon), None

    def _canonical_plain(self, values: pa.Array) -> np.ndarray:
        found, junk = self._canonical(values)
        canon = to_objects(found) if isinstance(found, pa.Array) else found
        canon[junk | self._junk_mask(values)] = None
        return canon

    def _normalize_visible(self, text: pa.Array) -> Normalized:
        n = len(text)
        keys = np.full(n, None, dtype=object)
        if self.hash:
            digests, at, reasons, _ = self._digest_keys(text)
            has_key = at >= 0
            keys[has_key] = to_objects(digests)[at[has_key]]
            return Normalized(keys, reasons)
        reasons = np.full(n, None, dtype=object)
        canon, junk = self._canonical(text)
        junk = junk | self._junk_mask(text)  # "unknown", "n/a"... as written
        canon = to_objects(canon) if isinstance(canon, pa.Array) else canon
        invalid = pd.isna(canon)
        good = ~invalid & ~junk
        reasons[invalid & ~junk] = self._invalid_reason
        reasons[junk] = "junk_value"
        keys[good] = canon[good]
        return Normalized(keys, reasons)

    def _digest_keys(
        self, text: pa.Array, *, distinct: bool = False
    ) -> tuple[pa.Array, np.ndarray, np.ndarray, bool]:
        """Keys of hashed non-null values without invisible characters, within the limit.

        Returns the digests (an Arrow ``large_string`` array: the lowercase digests
        given pre-hashed, one a value, then those of the distinct normalized
        values), the position of each value's key among them (``-1``: none), the
        reject reasons, and whether no digest was given (the digests are then
        distinct). Spellings that normalize alike are hashed once; values known
        ``distinct`` that normalization leaves as they are need no search for them.
        """
        n = len(text)
        reasons = np.full(n, None, dtype=object)
        at = np.full(n, -1, dtype=np.int64)
        hashed, given = lowercase_digests(text)  # pre-hashed: kept as their lowercase digest
        at[hashed] = np.arange(np.count_nonzero(hashed))
        if hashed.any():
            text = text.filter(pa.array(~hashed))
        idx = np.flatnonzero(~hashed)
        canon, junk = self._canonical(text)
        junk = junk | self._junk_mask(text)  # "unknown", "n/a"... as written
        if isinstance(canon, pa.Array):
            plain = canon.cast(pa.large_string())
        else:
            plain = pa.array(canon, type=pa.large_string(), from_pandas=True)
        invalid = to_mask(plain.is_null())
        good = ~invalid & ~junk
        kept = plain.filter(pa.array(good))
        if distinct and _unchanged(plain, text, good):  # its own dictionary
            dictionary, codes = kept, np.arange(len(kept), dtype=np.int64)
        else:
            unique = kept.dictionary_encode()
            dictionary = unique.dictionary
            codes = unique.indices.to_numpy(zero_copy_only=False)
        digests = sha256_digests(dictionary)
        at[idx[good]] = len(given) + codes
        reasons[idx[invalid & ~junk]] = self._invalid_reason
        reasons[idx[junk]] = "junk_value"
        if len(given):
            digests = pa.concat_arrays([given.cast(pa.large_string()), digests])
        return digests, at, reasons, not len(given)

    def _arrow_keys(self, values: pa.Array) -> tuple[pa.Array, np.ndarray, bool] | None:
        """:meth:`Identifier._arrow_keys` of a hashed spec: the digests made in Arrow.

        The keys are those of :meth:`_string_keys` with no Python string made for
        them; distinct when no two values gave one digest. ``None`` unless hashed.
        """
        if not self.hash:
            return None
        trimmed = _trimmed(values)
        text = _visible(trimmed)
        unchanged = text is trimmed and _same_text(values, trimmed)
        n = len(text)
        over = too_long(text, self._max_length)
        reasons = np.full(n, None, dtype=object)
        reasons[over] = "too_long"
        rows = np.flatnonzero(to_mask(text.is_valid()) & ~over)
        at = np.full(n, -1, dtype=np.int64)
        digests: pa.Array = pa.array([], type=pa.large_string())
        made = True
        if rows.size:
            usable = text if rows.size == n else text.take(pa.array(rows))
            digests, found, found_reasons, made = self._digest_keys(usable, distinct=unchanged)
            at[rows] = found
            reasons[rows] = found_reasons
        has_key = at >= 0
        keys = digests.take(pa.array(at, mask=~has_key))
        return keys, reasons, bool(made and len(digests) == np.count_nonzero(has_key))


@dataclass(frozen=True, slots=True)
class Email(_Hashed):
    """An email address, linked on the SHA-256 of its normalized form.

    Normalization trims, applies Unicode NFKC, lowercases and checks the syntax
    (invalid: reject reason ``invalid_email``). A value that already is a
    64-character hex SHA-256 digest is taken as the hash of a normalized address,
    so sources holding only hashed emails link to plain ones.

    Parameters
    ----------
    column : str
        Column holding the address (or its SHA-256 hex digest).
    provider_rules : bool, default False
        Drop ``+tags`` at providers that ignore them and dots in Gmail local parts.
    hash : bool, default True
        Link on the SHA-256 digest (the graph then stores no address). ``False``
        links on the normalized address itself.

    Examples
    --------
    >>> import pandas as pd
    >>> spec = Email("email")
    >>> keys = spec.normalize(pd.Series(["Ann@Mail.org ", "ann@mail.org"])).keys
    >>> keys[0] == keys[1], len(keys[0])
    (True, 64)
    """

    _: KW_ONLY
    kind: str = "email"
    priority: int = 30
    max_records: int | None = 100
    provider_rules: bool = False
    _invalid_reason = "invalid_email"
    _max_length = MAX_EMAIL_LENGTH

    def _canonical(self, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        canon = normalize_email_array(values, provider_rules=self.provider_rules)
        if self.builtin_junk:
            junk = junk_email_mask(canon, self.junk)
        else:
            junk = to_mask(is_in(canon, self.junk))
        return canon, junk

    def _canonical_text(self, text: str) -> tuple[str | None, bool]:
        canon = normalize_email_text(text, provider_rules=self.provider_rules)
        if canon is None:
            return None, False
        return canon, is_junk_email(canon, self.junk) if self.builtin_junk else canon in self.junk


@dataclass(frozen=True, slots=True)
class Phone(_Hashed):
    """A phone number, linked on the SHA-256 of its E.164 form.

    Numbers are parsed with ``region`` as the default country (numbers written with
    ``+`` or an international prefix keep their own); numbers that ``phonenumbers``
    does not consider valid are rejected (``invalid_phone``). Pre-hashed SHA-256
    digests of E.164 numbers are accepted as they are.

    Parameters
    ----------
    column : str
        Column holding the number (string or integer dtype).
    region : str or None, default None
        ISO 3166-1 alpha-2 default region, e.g. ``"US"``; ``None`` accepts only
        numbers in international form.
    hash : bool, default True
        Link on the SHA-256 digest of the E.164 number; ``False`` on the number.

    Examples
    --------
    >>> import pandas as pd
    >>> spec = Phone("phone", region="US", hash=False)
    >>> spec.normalize(pd.Series(["(201) 555-0123", "+1 201 555 0123"])).keys.tolist()
    ['+12015550123', '+12015550123']
    """

    _: KW_ONLY
    kind: str = "phone"
    priority: int = 20
    max_records: int | None = 20
    region: str | None = None
    _invalid_reason = "invalid_phone"
    _accepts_numbers = True
    _max_length = _MAX_PHONE_LENGTH

    def __post_init__(self) -> None:
        super(Phone, self).__post_init__()
        if self.region is not None:
            if not isinstance(self.region, str):
                msg = (
                    f"Phone({self.column!r}): region must be an ISO 3166-1 alpha-2 code "
                    f"such as 'US' or None, got {type(self.region).__name__}"
                )
                raise ConfigError(msg)
            region = self.region.upper()
            if region not in phonenumbers.SUPPORTED_REGIONS:
                raise UnknownRegionError(str(self.region))
            object.__setattr__(self, "region", region)

    def _canonical(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        if self.builtin_junk:  # with or without a country code of up to three digits
            junk = junk_phone_number_mask(values)
        else:
            junk = np.zeros(len(values), dtype=bool)
        canon = normalize_phone_array(values, self.region)
        if self.junk:
            junk |= np.isin(canon, list(self.junk))
        return canon, junk

    def _canonical_text(self, text: str) -> tuple[str | None, bool]:
        # normalize_phone_array takes the reference for small batches: so does this.
        canon = e164_reference(text, self.region)
        junk = self.builtin_junk and is_junk_phone_number(text)
        return canon, junk or (canon is not None and canon in self.junk)


@dataclass(frozen=True, slots=True)
class Cookie(Identifier):
    """An anonymous cookie or device id, linked on its trimmed value (case-sensitive).

    Examples
    --------
    >>> Cookie("device_id", kind="device").kind
    'device'
    """

    _: KW_ONLY
    kind: str = "cookie"
    priority: int = 10
    max_records: int | None = 50


@dataclass(frozen=True, slots=True)
class Key(Identifier):
    """Any exact customer, account, loyalty-card or device key, linked on its trimmed value.

    The kind defaults to the column name, so two sources naming their CRM id
    differently pass ``kind="crm_id"`` to link.

    Examples
    --------
    >>> Key("crm_id").kind, Key("customer_no", kind="crm_id").kind
    ('crm_id', 'crm_id')
    """

    _: KW_ONLY
    priority: int = 40
    _accepts_numbers = True


# -- validation -----------------------------------------------------------------------


def _finite_number(where: str, field: str, value: object) -> float:
    """``value`` as a plain ``int`` or ``float`` when it is a finite real number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        msg = f"{where}: {field} must be a number, got {type(value).__name__}"
        raise ConfigError(msg)
    number = int(value) if isinstance(value, numbers.Integral) else float(value)
    if not math.isfinite(number):
        msg = f"{where}: {field} must be finite"
        raise ConfigError(msg)
    return number


def _limit(where: str, field: str, value: object) -> int | None:
    """``value`` as a plain ``int`` >= 1, or ``None``."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        msg = f"{where}: {field} must be None or an integer >= 1, got {type(value).__name__}"
        raise ConfigError(msg)
    if int(value) < 1:
        msg = f"{where}: {field} must be None or an integer >= 1"
        raise ConfigError(msg)
    return int(value)


def _flag(where: str, field: str, value: object) -> bool:
    """``value`` when it is a ``bool`` (numpy's included), never a truthy string or number."""
    if not isinstance(value, (bool, np.bool_)):
        msg = f"{where}: {field} must be True or False, got {type(value).__name__}"
        raise ConfigError(msg)
    return bool(value)


def _junk_values(where: str, junk: object) -> frozenset[str]:
    """Caller junk as trimmed, lowercased strings; one string is one value."""
    if isinstance(junk, str):
        junk = (junk,)
    elif isinstance(junk, (bytes, bytearray, Mapping)) or not isinstance(junk, Iterable):
        msg = f"{where}: junk must be a string or an iterable of strings, got {type(junk).__name__}"
        raise ConfigError(msg)
    values = list(junk)  # a handful of configured values
    bad = sorted(
        {type(v).__name__ for v in values if isinstance(v, bool) or not isinstance(v, (str, int))}
    )
    if bad:
        msg = f"{where}: junk values must be strings, got {', '.join(bad)}"
        raise ConfigError(msg)
    text = pc.utf8_lower(_visible(pa.array([str(v).strip() for v in values], type=pa.string())))
    if text.null_count or to_mask(pc.equal(pc.utf8_length(text), 0)).any():
        msg = f"{where}: junk values must not be empty"
        raise ConfigError(msg)
    return frozenset(text.to_pylist())


def _trimmed(raw: pa.Array) -> pa.Array:
    """``raw`` strings trimmed of whitespace; what that empties becomes null."""
    text = pc.utf8_trim_whitespace(raw)
    empty = pc.fill_null(pc.equal(pc.utf8_length(text), 0), False)
    if not to_mask(empty).any():  # the usual case: no copy through if_else
        return text
    return pc.if_else(empty, _NULL, text)


def _same_text(raw: pa.Array, trimmed: pa.Array) -> bool:
    """Whether :func:`_trimmed` left every value of ``raw`` as it was.

    Trimming only removes characters and makes empty values null, so the two hold
    the same strings exactly when they hold as many bytes and as many nulls.
    """
    if raw.null_count != trimmed.null_count:
        return False
    raw_offsets, _ = string_buffers(raw)
    offsets, _ = string_buffers(trimmed)
    return bool(raw_offsets[-1] == offsets[-1])


def _unchanged(canon: pa.Array, text: pa.Array, rows: np.ndarray) -> bool:
    """Whether normalization left ``text`` as it was (``canon``) in each of ``rows`` (a mask)."""
    same = pc.fill_null(pc.equal(canon, text.cast(canon.type)), False)
    return bool(to_mask(same)[rows].all())


def _visible(text: pa.Array) -> pa.Array:
    """``text`` without invisible characters, trimmed again; what that empties becomes null."""
    cleaned = drop_invisible(text)
    if cleaned is text:  # nothing to remove: the usual case
        return text
    cleaned = pc.utf8_trim_whitespace(cleaned)
    empty = pc.fill_null(pc.equal(pc.utf8_length(cleaned), 0), False)
    return pc.if_else(empty, _NULL, cleaned)


def check_identifiers(identifiers: object) -> tuple[Identifier, ...]:
    """The identifier specs of a graph as a tuple, once they are specs on distinct columns.

    One spec alone is taken as a sequence of one.

    Parameters
    ----------
    identifiers : Identifier or iterable of Identifier
        What :class:`identigraph.IdentityGraph` was given.

    Returns
    -------
    tuple of Identifier

    Raises
    ------
    ConfigError
        ``None``, a string, a mapping or another non-iterable; an item that is not
        an :class:`Identifier`; two specs on one column. The message names types
        and columns only.

    Examples
    --------
    >>> check_identifiers(Email("email")) == (Email("email"),)
    True
    >>> check_identifiers(None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identigraph.errors.ConfigError: identifiers must be a sequence of ... got NoneType
    """
    if isinstance(identifiers, Identifier):
        return (identifiers,)
    if (
        identifiers is None
        or isinstance(identifiers, (str, bytes, bytearray, Mapping, pd.DataFrame, pd.Series))
        or not isinstance(identifiers, Iterable)
    ):
        msg = (
            "identifiers must be a sequence of identifier specs (ig.Email, ig.Phone...), "
            f"got {type(identifiers).__name__}"
        )
        raise ConfigError(msg)
    specs = tuple(identifiers)
    bad = sorted({type(s).__name__ for s in specs if not isinstance(s, Identifier)})
    if bad:
        msg = f"identifiers must be identifier specs (ig.Email, ig.Phone...), got {', '.join(bad)}"
        raise ConfigError(msg)
    columns = [spec.column for spec in specs]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        msg = f"each column may hold one identifier spec; repeated: {repeated}"
        raise ConfigError(msg)
    return specs
