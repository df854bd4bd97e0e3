"""Identifier specs: which column holds which kind of identifier, and how it is normalized.

A spec says *what* a column means; :class:`identigraph.IdentityGraph` decides how
to link on it. Values of the same ``kind`` link across sources, whatever their
column is called in each.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import KW_ONLY, dataclass
from typing import Final, Literal, NamedTuple

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.errors import ConfigError, DtypeError, UnknownRegionError
from identigraph.matcher._arrow import is_in, to_arrow, to_mask, to_objects, to_series
from identigraph.matcher._hashing import lowercase_digests, sha256_hex
from identigraph.matcher.email import normalize_email_array
from identigraph.matcher.junk import junk_email_mask, junk_phone_number_mask, junk_token_mask
from identigraph.matcher.phone import normalize_phone_array

__all__ = ["Cookie", "Email", "Identifier", "Key", "Normalized", "Phone"]

# Arrow-backed strings: vectorized string kernels instead of a Python loop per value.
_TEXT: Final = "string[pyarrow]"
_NULL = pa.scalar(None, pa.string())


class Normalized(NamedTuple):
    """Link keys and reject reasons for a batch of raw values, aligned with the input.

    ``keys`` holds the value records link on (a string), or ``None`` where the raw
    value gives no key; ``reasons`` holds ``None`` for a usable value and the reject
    reason (``"invalid_email"``, ``"invalid_phone"``, ``"junk_value"``) otherwise.
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
        Strength of the evidence; when a person cluster breaks a limit, links of
        the lowest priority are cut first.
    max_records : int or None
        A value carried by more records than this is *generic* (a shared or
        junk value) and links nothing. ``None``: no limit.
    max_per_person : int or None
        Most distinct values of this kind one person may hold. ``None``: no limit.
    junk : frozenset of str
        Extra placeholder values (compared after normalization) to reject.
    builtin_junk : bool
        Also reject the built-in placeholder values of this kind.
    on_shared : {"keep", "unlink"}, default "keep"
        What a value of this kind becomes when a per-person limit cuts one of its
        links: ``"keep"`` leaves it linking the person that kept it;
        ``"unlink"`` treats it as shared (a household landline): it links
        nobody and the split runs again, so records whose only evidence was that
        value stay alone. ``IdentityGraph.conflicts()`` lists its links with
        reason ``"shared_value"``.
    """

    column: str
    _: KW_ONLY
    kind: str = ""
    priority: int = 10
    max_records: int | None = None
    max_per_person: int | None = None
    junk: frozenset[str] = frozenset()
    builtin_junk: bool = True
    on_shared: Literal["keep", "unlink"] = "keep"

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            msg = f"{type(self).__name__}: column must be a non-empty string, got {self.column!r}"
            raise ConfigError(msg)
        if not self.kind:
            object.__setattr__(self, "kind", self.column)
        if not isinstance(self.kind, str):
            msg = f"{type(self).__name__}({self.column!r}): kind must be a string"
            raise ConfigError(msg)
        for name in ("max_records", "max_per_person"):
            limit = getattr(self, name)
            if limit is not None and (not isinstance(limit, int) or limit < 1):
                msg = f"{type(self).__name__}({self.column!r}): {name} must be None or >= 1"
                raise ConfigError(msg)
        if self.on_shared not in ("keep", "unlink"):
            msg = f"{type(self).__name__}({self.column!r}): on_shared must be 'keep' or 'unlink'"
            raise ConfigError(msg)
        object.__setattr__(self, "junk", frozenset(str(v).strip().lower() for v in self.junk))

    # -- conversion -------------------------------------------------------------------
    _accepts_numbers = False

    def to_text(self, values: pd.Series) -> pd.Series:
        """Trimmed strings of the non-missing ``values``; raises on a dtype that cannot hold them.

        Empty strings become missing. Integral floats (from a nullable integer column
        read as float) are written without the ``.0``.
        """
        dtype = values.dtype
        if values.empty:
            return values.astype(_TEXT)
        kind = dtype.kind if isinstance(dtype, np.dtype) else None
        if kind in ("i", "u") or (kind == "f" and values.isna().all()):
            if kind == "f" or self._accepts_numbers:
                return values.astype("Int64").astype(_TEXT)
        elif kind == "f":
            finite = values.dropna()
            if self._accepts_numbers and bool((finite == np.floor(finite)).all()):
                return values.astype("Int64").astype(_TEXT)
        elif kind not in ("b", "M", "m", "c", "V") and not isinstance(
            dtype, (pd.DatetimeTZDtype, pd.PeriodDtype, pd.IntervalDtype, pd.BooleanDtype)
        ):
            if values.dtype == object:  # mixed objects (numbers among strings) as text
                values = values.astype(_TEXT)
            text = pc.utf8_trim_whitespace(to_arrow(values))
            empty = pc.fill_null(pc.equal(pc.utf8_length(text), 0), False)
            return to_series(pc.if_else(empty, _NULL, text), values.index)
        msg = (
            f"column {self.column!r} has dtype {dtype} which cannot hold a "
            f"{type(self).__name__.lower()} identifier"
        )
        raise DtypeError(msg, column=self.column, dtype=str(dtype))

    # -- normalization ----------------------------------------------------------------
    def normalize(self, values: pd.Series) -> Normalized:
        """Link keys and reject reasons of trimmed, non-empty string ``values``.

        Examples
        --------
        >>> import pandas as pd
        >>> Cookie("cid").normalize(pd.Series(["abc", "null"])).reasons.tolist()
        [None, 'junk_value']
        """
        text = to_arrow(values)
        junk = self._junk_mask(text)
        keys = to_objects(text)
        reasons = np.full(len(keys), None, dtype=object)
        keys[junk] = None
        reasons[junk] = "junk_value"
        return Normalized(keys, reasons)

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
            canon = self._canonical_plain(to_arrow(text[present]))
            canon[pd.isna(canon)] = np.nan
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
    def _canonical(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """Normalized values (``None`` when invalid) and the junk mask."""

    _invalid_reason = "invalid"

    def _canonical_plain(self, values: pa.Array) -> np.ndarray:
        canon, junk = self._canonical(values)
        canon[junk | self._junk_mask(values)] = None
        return canon

    def normalize(self, values: pd.Series) -> Normalized:
        text = to_arrow(values)
        n = len(text)
        keys = np.full(n, None, dtype=object)
        reasons = np.full(n, None, dtype=object)
        if n == 0:
            return Normalized(keys, reasons)
        if self.hash:  # pre-hashed values are kept as their lowercase digest
            hashed, digests = lowercase_digests(text)
        else:
            hashed, digests = np.zeros(n, dtype=bool), text[:0]
        if hashed.any():
            keys[hashed] = to_objects(digests)
            text = text.filter(pa.array(~hashed))
        idx = np.flatnonzero(~hashed)
        canon, junk = self._canonical(text)
        junk = junk | self._junk_mask(text)  # "unknown", "n/a"... as written
        if self.hash:  # spellings that normalize alike are hashed once
            plain = pa.array(canon, type=pa.large_string(), from_pandas=True)
            invalid = to_mask(plain.is_null())
            good = ~invalid & ~junk
            unique = plain.filter(pa.array(good)).dictionary_encode()
            hashes = sha256_hex(unique.dictionary.cast(pa.large_binary()).to_pylist())
            good_vals = hashes[unique.indices.to_numpy(zero_copy_only=False)]
        else:
            invalid = pd.isna(canon)
            good = ~invalid & ~junk
            good_vals = canon[good]
        reasons[idx[invalid & ~junk]] = self._invalid_reason
        reasons[idx[junk]] = "junk_value"
        keys[idx[good]] = good_vals
        return Normalized(keys, reasons)


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

    def _canonical(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        canon = normalize_email_array(values, provider_rules=self.provider_rules)
        if self.builtin_junk:
            junk = junk_email_mask(canon, self.junk)
        else:
            junk = to_mask(is_in(canon, self.junk))
        return to_objects(canon), junk


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

    def __post_init__(self) -> None:
        super(Phone, self).__post_init__()
        if self.region is not None:
            region = str(self.region).upper()
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
