"""Hashed customer-list exports, one function per ad platform, one row per person.

Values are normalized exactly as each platform documents it, then hashed with
SHA-256; a raw email, phone or name is never written. Persons who opted out are
left out (and counted) unless the caller overrides consent.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph._unique import sorted_unique
from identigraph.activation import _normalize as norm
from identigraph.activation._order import lexorder
from identigraph.activation.audiences import AudienceResult
from identigraph.activation.consent import Consent, opted_out
from identigraph.activation.facts import Persons
from identigraph.errors import ConfigError, MissingColumnError
from identigraph.matcher._arrow import to_mask

__all__ = ["Export", "Exporter", "google_customer_match", "meta_customer_file"]

log = logging.getLogger("identigraph.activation")

Columns = str | Sequence[str]
#: The file's text columns: pandas' default string dtype, Arrow-backed, missing as NaN.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


@dataclass(frozen=True, slots=True)
class Export:
    """An upload file: one row per person, hashed values only.

    Attributes
    ----------
    platform : str
        ``"meta"`` or ``"google"``.
    frame : pandas.DataFrame
        The file's columns, headers as the platform names them (a multi-valued
        field repeats its header, e.g. three ``EMAIL`` columns).
    person_ids : numpy.ndarray
        Person of each row (not part of the file).
    left_out_consent : int
        Persons left out because they opted out.
    left_out_no_identifier : int
        Persons left out because none of their values is usable.
    """

    platform: str
    frame: pd.DataFrame
    person_ids: np.ndarray
    left_out_consent: int
    left_out_no_identifier: int

    def __repr__(self) -> str:
        return (
            f"Export(platform={self.platform!r}, rows={len(self.frame)}, "
            f"columns={list(self.frame.columns)}, left_out_consent={self.left_out_consent}, "
            f"left_out_no_identifier={self.left_out_no_identifier})"
        )

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the upload file: UTF-8 CSV with a header row, no index."""
        self.frame.to_csv(path, index=False, encoding="utf-8")


def _names(columns: Columns | None) -> tuple[str, ...]:
    if columns is None:
        return ()
    return (columns,) if isinstance(columns, str) else tuple(columns)


_T = TypeVar("_T")
#: A column as integer codes (-1: no value) into an Arrow array of distinct values.
_Col = tuple[np.ndarray, pa.Array]
#: A rule on the distinct raw values of a field (Arrow strings in, Arrow strings out).
_Rule = Callable[[pa.Array], pa.Array]
#: A file column: header, coded values, and whether they are hashed.
_Out = tuple[str, _Col, bool]


class _Gather:
    """The exported persons and their records' values, each step done once and kept.

    Every step is cached on this object: the raw values of a field, their distinct
    values, each rule's normalized codes, each ranking and each hashing. Exports of
    the same persons for several platforms share it (see :class:`Exporter`), so a
    value both platforms normalize or hash alike is normalized and hashed once.
    """

    def __init__(
        self,
        persons: Persons,
        members: AudienceResult | np.ndarray | Sequence[int] | None,
        consent: Consent | None,
        override_consent: bool,
    ) -> None:
        ids = persons.person_ids
        if members is not None:
            wanted = members.person_ids if isinstance(members, AudienceResult) else members
            wanted = np.sort(np.asarray(wanted, dtype=np.int64))  # sorted keys: one pass
            pos = np.searchsorted(ids, wanted)
            hit = pos < len(ids)
            hit[hit] = ids[pos[hit]] == wanted[hit]
            keep = np.zeros(len(ids), dtype=bool)
            keep[pos[hit]] = True
            ids = ids[keep]
        self.left_out_consent = 0
        if consent is not None and not override_consent:
            out = np.isin(ids, opted_out(persons, consent))
            self.left_out_consent = int(out.sum())
            ids = ids[~out]
        self.ids = ids
        self.recs = persons.records()
        # row of each record's person in the file: positions among all persons, then a
        # table from those positions to rows (ids is a sorted subset of person_ids)
        row_of = np.full(persons.n_persons + 1, -1, dtype=np.int64)
        row_of[np.searchsorted(persons.person_ids, ids)] = np.arange(len(ids))
        self.row = row_of[persons.record_codes()]  # code -1 reads the last entry: -1
        self._cache: dict[tuple[object, ...], object] = {}
        self._family: dict[int, str] = {}
        self._known: dict[str, tuple[pa.Array, pa.Array]] = {}

    def _memo(self, key: tuple[object, ...], make: Callable[[], _T]) -> _T:
        if key not in self._cache:
            self._cache[key] = make()
        return cast("_T", self._cache[key])

    # -- raw values -------------------------------------------------------------------
    def raw(self, columns: tuple[str, ...]) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """Row, raw value and order of every present value of ``columns``."""
        return self._memo(("raw", columns), lambda: self._raw(columns))

    def _raw(self, columns: tuple[str, ...]) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        rows, values, order = [], [], []
        for j, column in enumerate(columns):
            if column not in self.recs.columns:
                msg = f"export column {column!r} is not a kept column of any source"
                raise MissingColumnError(
                    msg, column=column, available=[str(c) for c in self.recs.columns]
                )
            col = self.recs[column]
            hit = np.flatnonzero(col.notna().to_numpy() & (self.row >= 0))
            rows.append(self.row[hit])
            values.append(norm.to_arrow(col.iloc[hit]))
            order.append(hit + j * len(self.recs))
        if not rows:
            return np.empty(0, np.int64), pa.array([], pa.string()), np.empty(0, np.int64)
        return (
            np.concatenate(rows),
            pa.concat_arrays(values) if len(values) > 1 else values[0],
            np.concatenate(order),
        )

    def distinct(self, columns: tuple[str, ...]) -> _Col:
        """Each present raw value of ``columns`` as a code into its distinct values."""
        return self._memo(("distinct", columns), lambda: _encode(self.raw(columns)[1]))

    def prefetch(self, fields: Sequence[tuple[str, ...]]) -> None:
        """:meth:`distinct` of several fields at once, their encodings side by side.

        Arrow's dictionary encoding releases the GIL, so on a machine of several cores
        the fields' encodings overlap; the raw values are gathered on this thread.
        """
        todo = [f for f in dict.fromkeys(fields) if f and ("distinct", f) not in self._cache]
        workers = min(len(todo), len(os.sched_getaffinity(0)))
        if workers < 2:
            return  # each field is encoded when first needed
        raws = [self.raw(f)[1] for f in todo]
        with ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="identigraph-export"
        ) as pool:
            for field, encoded in zip(todo, pool.map(_encode, raws), strict=True):
                self._cache[("distinct", field)] = encoded

    # -- normalized, ranked, hashed ---------------------------------------------------
    def normalized(self, columns: tuple[str, ...], key: str, rule: _Rule) -> _Col:
        """Codes of the normalized form of each raw value; each distinct raw value once.

        ``key`` names ``rule``: two calls with one key share the result.
        """

        def make() -> _Col:
            codes, uniques = self.distinct(columns)
            inner, values = _encode(rule(uniques))
            return (inner[codes] if len(inner) else codes), values

        return self._memo(("normalized", columns, key), make)

    def top(self, columns: tuple[str, ...], key: str, rule: _Rule, k: int) -> list[_Col]:
        """The ``k`` most frequent normalized values of each person (ties: first seen)."""

        def make() -> list[_Col]:
            rows, _, order = self.raw(columns)
            codes, uniques = self.normalized(columns, key, rule)
            return _rank(len(self.ids), rows, codes, uniques, order, k)

        return self._memo(("top", columns, key, k), make)

    def derived(
        self, base: list[_Col], key: str, fn: _Rule, *, one_to_one: bool = False
    ) -> list[_Col]:
        """``base`` columns with ``fn`` applied to their distinct values (shared, once).

        Every column of ``base`` shares its distinct values, so they are mapped
        once. ``one_to_one``: ``fn`` maps distinct values to distinct values (never
        to null), so the codes stay as they are.
        """

        def make() -> list[_Col]:
            uniques = base[0][1]
            if one_to_one:
                mapped = fn(uniques)
                return [(c, mapped) for c, _ in base]
            remap, values = _map_uniques((np.arange(len(uniques)), uniques), fn)
            return [(_through(remap, c), values) for c, _ in base]

        return self._memo(("derived", id(base), key), make)

    def hashed(self, columns: list[_Out]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Digests of the hashed columns' distinct values, keyed by ``id`` of those values.

        Each entry is a table from a distinct value's code to a row of digests (-1:
        not hashed) and the digests as a ``(n, 64)`` matrix of hex bytes. Distinct
        values used by some row are hashed once (and once for all the exports
        sharing this object).
        """
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for _, (_, uniques), hashed in columns:
            if not hashed or id(uniques) in out:
                continue
            used = np.zeros(len(uniques), dtype=bool)
            for _, (codes, other), flag in columns:
                if flag and other is uniques:
                    used[codes[codes >= 0]] = True
            out[id(uniques)] = self._digests(uniques, used)
        return out

    def _digests(self, uniques: pa.Array, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = ("digests", id(uniques))
        done = cast("tuple[pa.Array, np.ndarray, np.ndarray] | None", self._cache.get(key))
        if done is not None and not np.any(used & ~(done[1] >= 0)):
            return done[1], done[2]
        valid = used if done is None else used | (done[1] >= 0)
        rows = np.flatnonzero(valid)
        found = self._hash(uniques.take(pa.array(rows)), self._family.get(id(uniques)))
        at = np.full(len(uniques), -1, dtype=np.int64)
        at[rows] = np.arange(len(rows))
        matrix = _hex_matrix(found)
        self._cache[key] = (uniques, at, matrix)  # keeps ``uniques`` (its id) alive
        return at, matrix

    def _hash(self, values: pa.Array, family: str | None) -> pa.Array:
        """Digests of distinct ``values``; a family's values already hashed are reused.

        A family (the emails of both platforms) keeps every value it hashed, so an
        address Meta and Google normalize alike is hashed once.
        """
        if family is None:
            return norm.sha256_arrow(values)
        known = self._known.get(family)
        if known is None:
            digests = norm.sha256_arrow(values)
            self._known[family] = (values, digests)
            return digests
        seen, seen_digests = known
        pos = pc.index_in(values, value_set=seen).to_numpy(zero_copy_only=False)
        pos = np.where(np.isnan(pos), -1, pos).astype(np.int64) if pos.dtype.kind == "f" else pos
        miss = np.flatnonzero(pos < 0)
        if len(miss):
            new = values.take(pa.array(miss))
            seen = pa.concat_arrays([seen, new])
            seen_digests = pa.concat_arrays([seen_digests, norm.sha256_arrow(new)])
            self._known[family] = (seen, seen_digests)
            pos[miss] = len(seen) - len(miss) + np.arange(len(miss))
        return seen_digests.take(pa.array(pos))

    def emails(self, columns: tuple[str, ...], k: int, *, gmail: bool) -> list[_Col]:
        """The ``k`` most frequent addresses of each person, Meta's or Google's rule.

        Google's rule is Meta's followed by the Gmail rule on the distinct normalized
        addresses; where that merges no two addresses the ranking is the same and
        is shared, otherwise the persons' addresses are ranked again.
        """
        base = self.top(columns, "email", norm.email_arrow, k)
        self._family[id(base[0][1])] = "email"
        if not gmail:
            return base

        def make() -> list[_Col]:
            codes, uniques = self.normalized(columns, "email", norm.email_arrow)
            fixed = norm.gmail_local_arrow(uniques)
            if fixed is uniques:  # no Gmail address: Meta's ranking as it is
                return base
            inner, values = _encode(fixed)
            if len(values) == len(uniques) and bool(np.all(inner >= 0)):
                return [(_through(inner, c), values) for c, _ in base]
            rows, _, order = self.raw(columns)
            return _rank(len(self.ids), rows, _through(inner, codes), values, order, k)

        out = self._memo(("gmail", columns, k), make)
        self._family[id(out[0][1])] = "email"
        return out

    def countries(self, country: tuple[str, ...], default_country: str | None) -> _Col:
        """Each exported person's country as a coded column; ``default_country`` fills gaps."""
        return self._memo(
            ("countries", country, default_country),
            lambda: _countries(self, country, default_country),
        )


def _encode(values: pa.Array) -> _Col:
    """Arrow values as codes into their distinct values (null: -1), first seen first."""
    if not len(values):
        return np.empty(0, np.int64), pa.array([], pa.string())
    encoded = pc.dictionary_encode(values)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    if encoded.null_count:
        codes = np.where(to_mask(encoded.is_valid()), codes, -1)
    return codes.astype(np.int64), encoded.dictionary


def _hex_matrix(digests: pa.Array) -> np.ndarray:
    """Hex digests (64 ASCII characters each, no null) as a ``(n, 64)`` uint8 matrix."""
    n = len(digests)
    if not n:
        return np.empty((0, 64), dtype=np.uint8)
    offsets = np.frombuffer(digests.buffers()[1], dtype=np.int32)[digests.offset :]
    assert offsets[n] - offsets[0] == 64 * n, "hex digests have 64 characters each"
    data = np.frombuffer(digests.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[0] + 64 * n].reshape(n, 64)


def _fixed_width(matrix: np.ndarray, codes: np.ndarray) -> pa.Array:
    """Rows ``codes`` of a matrix of fixed-width text as an Arrow string array (-1: null).

    One numpy gather of the rows' bytes and their offsets: the cost of a memory
    copy, where ``take`` on strings walks variable offsets value by value.
    """
    n, width = len(codes), matrix.shape[1]
    valid = codes >= 0
    picked = np.take(matrix, codes[valid], axis=0)  # row copies: twice fancy indexing's pace
    kind = pa.string() if n * width < 2**31 else pa.large_string()
    offsets = np.zeros(n + 1, dtype=np.int32 if kind == pa.string() else np.int64)
    np.cumsum(valid * width, out=offsets[1:])
    n_null = int(n - valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if n_null else None
    out = pa.Array.from_buffers(
        kind, n, [bitmap, pa.py_buffer(offsets), pa.py_buffer(picked)], null_count=n_null
    )
    return out if kind == pa.string() else out.cast(pa.string())


def _through(remap: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``remap[codes]`` with -1 kept."""
    if not len(remap):
        return codes
    return np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)


def _map_uniques(column: _Col, fn: _Rule) -> _Col:
    """Apply ``fn`` to the distinct values of a coded column (null results: no value)."""
    codes, uniques = column
    inner, values = _encode(fn(uniques))
    return _through(inner, codes), values


def _rank(
    n_rows: int, rows: np.ndarray, codes: np.ndarray, uniques: pa.Array, order: np.ndarray, k: int
) -> list[_Col]:
    """Per row, the ``k`` most frequent codes (ties: first seen), as ``k`` coded columns.

    ``order`` ranks the values by when they were seen. A row holding one value
    takes it at once; the values of the other rows are grouped by ``(row, code)``
    with one packed sort (:func:`lexorder`), and rows holding several distinct
    values are ranked by count and first sight.
    """
    out = [(np.full(n_rows, -1, dtype=np.int64), uniques) for _ in range(k)]
    keep = codes >= 0
    if not keep.any():
        return out
    rows, codes, order = rows[keep].astype(np.int64), codes[keep], order[keep]
    # a row holding one value ranks it first: no sorting for those (most persons)
    single = np.bincount(rows, minlength=n_rows)[rows] == 1
    out[0][0][rows[single]] = codes[single]
    if single.all():
        return out
    rows, codes, order = rows[~single], codes[~single], order[~single]
    if len(order) > 1 and bool(np.all(order[1:] > order[:-1])):
        sort = lexorder([codes, rows])  # stable: ties stay in the order seen
    else:
        sort = np.lexsort((order, codes, rows))
    rows, codes, order = rows[sort], codes[sort], order[sort]
    starts = np.flatnonzero(np.r_[True, (rows[1:] != rows[:-1]) | (codes[1:] != codes[:-1])])
    size = np.diff(np.r_[starts, len(rows)])
    row, code, first_seen = rows[starts], codes[starts], order[starts]
    # groups are sorted by row; rank within the rows that hold several of them
    row_start = np.r_[True, row[1:] != row[:-1]]
    n_groups = np.diff(np.r_[np.flatnonzero(row_start), len(row)])
    several = np.flatnonzero(np.repeat(n_groups > 1, n_groups))
    if len(several):
        by_count = np.lexsort((first_seen[several], -size[several], row[several]))
        code[several] = code[several][by_count]
    begin = np.maximum.accumulate(np.where(row_start, np.arange(len(row)), 0))
    rank = np.arange(len(row)) - begin
    for r in range(k):
        sel = rank == r
        out[r][0][row[sel]] = code[sel]
    return out


def _check(max_columns: int, region: str) -> None:
    if not isinstance(max_columns, int) or isinstance(max_columns, bool) or max_columns < 1:
        msg = f"max_columns must be an integer >= 1, got {max_columns!r}"
        raise ConfigError(msg)
    if not isinstance(region, str) or len(region) != 2:
        msg = f"region must be an ISO 3166-1 alpha-2 code such as 'US', got {region!r}"
        raise ConfigError(msg)


def _countries(gather: _Gather, country: tuple[str, ...], default_country: str | None) -> _Col:
    """Each exported person's country as a coded column; ``default_country`` fills gaps."""
    fallback = None
    if default_country is not None:
        fallback = norm.country_arrow(pa.array([str(default_country)]))[0].as_py()
        if fallback is None:
            msg = f"default_country must be an ISO 3166-1 alpha-2 code, got {default_country!r}"
            raise ConfigError(msg)
    if country:
        codes, uniques = gather.top(country, "country", norm.country_arrow, 1)[0]
    else:
        codes, uniques = np.full(len(gather.ids), -1, dtype=np.int64), pa.array([], pa.string())
    missing = codes < 0
    if fallback is not None and missing.any():
        found = np.flatnonzero(to_mask(pc.equal(uniques, fallback)))
        if not len(found):
            uniques = pa.concat_arrays([uniques, pa.array([fallback], pa.string())])
            found = np.array([len(uniques) - 1])
        codes = np.where(missing, found[0], codes)
    return codes, uniques


#: A rule by country: values, and their persons' country (one for all, or one each).
_CountryRule = Callable[[pa.Array, "str | np.ndarray | None"], pa.Array]


def _by_country(
    gather: _Gather,
    columns: tuple[str, ...],
    countries: _Col,
    key: str,
    rule: _CountryRule,
    *,
    differs_for: frozenset[str | None] = frozenset(),
) -> _Col:
    """The most frequent value of each person, normalized by ``rule`` for their country.

    With one country for every person each distinct raw value is normalized once
    (and shared with any other rule of the same ``key`` that agrees for that
    country: ``differs_for`` lists the countries where this rule is its own);
    otherwise each value is normalized with its person's country.
    """
    rows, raw, order = gather.raw(columns)
    country_codes, country_names = countries
    kinds = sorted_unique(country_codes[rows])
    if len(kinds) <= 1:
        only = country_names[int(kinds[0])].as_py() if len(kinds) and kinds[0] >= 0 else None
        name = f"{key}:{only}" + (f":{id(rule)}" if only in differs_for else "")
        return gather.top(columns, name, lambda u: rule(u, only), 1)[0]
    name_of = np.asarray(country_names.to_numpy(zero_copy_only=False), dtype=object)
    person = country_codes[rows]
    country_of = name_of[np.maximum(person, 0)]
    country_of[person < 0] = None
    codes, uniques = _encode(rule(raw, country_of))
    return _rank(len(gather.ids), rows, codes, uniques, order, 1)[0]


def _is(country: str | np.ndarray | None, code: str | None) -> np.ndarray | bool:
    if isinstance(country, np.ndarray):
        return np.asarray(country == code, dtype=bool) if code else pd.isna(country)
    return country == code


def _us_zip(values: pa.Array, country: str | np.ndarray | None) -> pa.Array:
    return norm.zip_arrow(values, _is(country, "us"))


def _meta_zip(values: pa.Array, country: str | np.ndarray | None) -> pa.Array:
    return norm.zip_arrow(values, _is(country, "us"), _is(country, "gb"))


def _meta_state(values: pa.Array, country: str | np.ndarray | None) -> pa.Array:
    """State names mapped for US persons and persons of no known country."""
    return norm.state_arrow(values, np.logical_or(_is(country, "us"), _is(country, None)))


def _date_part(part: int) -> _Rule:
    """Year, month or day (``part`` 0, 1, 2) of ``YYYY-MM-DD`` strings."""
    start, stop = ((0, 4), (5, 7), (8, 10))[part]

    def pick(values: pa.Array) -> pa.Array:
        return pc.utf8_slice_codeunits(values, start, stop)

    return pick


def _first_letter(values: pa.Array) -> pa.Array:
    return pc.utf8_slice_codeunits(values, 0, 1)


def _phone_digits(values: pa.Array) -> pa.Array:
    """E.164 numbers without their ``+``: one-to-one, so the codes stay as they are."""
    return pc.utf8_slice_codeunits(values, 1)


def _finish(
    platform: str,
    gather: _Gather,
    columns: list[_Out],
    not_identifying: set[str],
    start: float,
) -> Export:
    """Hash the hashed columns, drop persons without identifiers, build the file.

    Columns that share their distinct values (the repeated ``EMAIL`` columns) share
    one hashing of them, and only the values some row uses are hashed. The file's
    columns are Arrow text taken from those values by code (one ``take`` each), so
    no Python object is made per row.
    """
    present = np.zeros(len(gather.ids), dtype=bool)
    for header, (codes, _), _ in columns:
        if header not in not_identifying:
            present |= codes >= 0
    digests = gather.hashed(columns)
    data = {}
    for i, (_, (codes, uniques), hashed) in enumerate(columns):
        kept = codes[present]
        if hashed:
            at, matrix = digests[id(uniques)]
            taken = _fixed_width(matrix, _through(at, kept))
        else:
            taken = uniques.take(pa.array(kept, mask=kept < 0))
        data[i] = pd.Series(taken, dtype=_TEXT)
    frame = pd.DataFrame(data)
    frame.columns = pd.Index([header for header, _, _ in columns])
    export = Export(
        platform=platform,
        frame=frame,
        person_ids=gather.ids[present],
        left_out_consent=gather.left_out_consent,
        left_out_no_identifier=int((~present).sum()),
    )
    log.info(
        "%s export: %d persons, %d left out for consent, %d without identifiers, %.2f s",
        platform,
        len(frame),
        export.left_out_consent,
        export.left_out_no_identifier,
        time.perf_counter() - start,
    )
    return export


def meta_customer_file(
    persons: Persons,
    *,
    email: Columns = (),
    phone: Columns = (),
    first_name: Columns = (),
    last_name: Columns = (),
    zip: Columns = (),
    city: Columns = (),
    state: Columns = (),
    country: Columns = (),
    default_country: str | None = None,
    birth_date: Columns = (),
    gender: Columns = (),
    madid: Columns = (),
    extern_id: bool = True,
    region: str = "US",
    members: AudienceResult | np.ndarray | Sequence[int] | None = None,
    consent: Consent | None = None,
    override_consent: bool = False,
    max_columns: int = 3,
) -> Export:
    """A Meta (Facebook) customer-file custom audience, hashed as Meta documents it.

    Each argument names the kept record columns that hold a field (several columns,
    e.g. ``("email", "alt_email")``, pool their values). A person's values are
    gathered over all of their records; a multi-valued field keeps the person's
    ``max_columns`` most frequent values in repeated columns (Meta accepts up to
    three email and three phone columns); single-valued fields keep the most
    frequent value. Fields without columns are left out of the file.

    Normalization, as Meta states it: Marketing API, "Customer File Custom
    Audiences", section "Hashing and Normalizing Data"
    (https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences),
    checked against Meta's own code for it, the Business SDK for Python
    (github.com/facebook/facebook-python-business-sdk, ``facebook_business/mixins.py``,
    ``CustomAudienceMixin.normalize_key``); column headers and limits: Meta Business
    Help Centre, "How to format a customer list when creating a custom audience"
    (https://www.facebook.com/business/help/2082575038703844):

    - ``EMAIL``: leading and trailing whitespace trimmed, lowercase.
    - ``PHONE``: digits only with the country code, no ``+`` and no leading zeros
      (numbers are parsed to E.164 first, reading those without a country code in
      ``region``).
    - ``FN``, ``LN``: lowercase letters only, no punctuation or spaces; accented
      letters kept in UTF-8 ("special characters in UTF-8"). ``FI``: the first
      letter of ``FN``.
    - ``CT``: ``a``-``z`` only, lowercase, no punctuation, special characters or
      spaces: accents are dropped from their letters (``"São Paulo"`` ->
      ``"saopaulo"``).
    - ``ST``: for US persons (and persons of no known country) the 2-letter ANSI
      code, lowercase (full names mapped); elsewhere ``a``-``z`` only, as ``CT``.
    - ``ZIP``: lowercase, no spaces; US codes cut to their first 5 digits; UK
      postcodes cut to area, district and sector (``"SW1A 1AA"`` -> ``"sw1a1"``, Meta's
      "Area/District/Sector format"; an outward code alone is kept).
    - ``COUNTRY``: ISO 3166-1 alpha-2 code, lowercase (``uk`` written as ``gb``).
    - ``DOBY`` (``YYYY``, 1900 to the current year), ``DOBM`` (``MM``, 01-12),
      ``DOBD`` (``DD``, 01-31) from a date column; other dates give no value.
    - ``GEN``: ``m`` or ``f``.
    - All the above are SHA-256 hex digests. ``MADID`` (lowercase, hyphens kept)
      and ``EXTERN_ID`` (the person id) are not hashed.

    Parameters
    ----------
    persons : Persons
    email, phone, first_name, last_name, zip, city, state, country, birth_date, gender, madid
        Column name or names per field.
    default_country : str, optional
        Country of persons without one (also decides the US ZIP rule).
    extern_id : bool, default True
        Write the person id as ``EXTERN_ID``.
    region : str, default "US"
        Region phone numbers without a country code are read in.
    members : AudienceResult or array of person ids, optional
        Export these persons only (default: every person).
    consent : Consent, optional
        Opted-out persons are left out and counted in ``left_out_consent``.
    override_consent : bool, default False
    max_columns : int, default 3
        Columns per multi-valued field (``EMAIL``, ``PHONE``).

    Returns
    -------
    Export

    Raises
    ------
    MissingColumnError
        A named column is not a kept column of the graph.
    ConfigError
        Invalid ``max_columns``, ``region`` or ``default_country``.

    Examples
    --------
    >>> import hashlib
    >>> import identigraph as ig
    >>> from identigraph.activation import Persons
    >>> g = ig.IdentityGraph([ig.Email("email"), ig.Phone("phone", region="US")])
    >>> _ = g.add(pd.DataFrame({"email": [" Ann@Mail.com"], "phone": ["(201) 555-0123"],
    ...                         "first_name": ["Ann-Marie"]}), source="crm")
    >>> out = meta_customer_file(Persons(g), email="email", phone="phone",
    ...                          first_name="first_name", max_columns=1)
    >>> list(out.frame.columns)
    ['EMAIL', 'PHONE', 'FN', 'FI', 'EXTERN_ID']
    >>> out.frame["EMAIL"][0] == hashlib.sha256(b"ann@mail.com").hexdigest()
    True
    >>> out.frame["PHONE"][0] == hashlib.sha256(b"12015550123").hexdigest()
    True

    See Also
    --------
    Exporter : both platforms' files from one gathering of the values.

    Notes
    -----
    Cost: O(records) vectorized, each distinct raw value normalized once and each
    distinct normalized value hashed once.
    """
    return Exporter(
        persons, members=members, consent=consent, override_consent=override_consent
    ).meta_customer_file(
        email=email, phone=phone, first_name=first_name, last_name=last_name, zip=zip,
        city=city, state=state, country=country, default_country=default_country,
        birth_date=birth_date, gender=gender, madid=madid, extern_id=extern_id,
        region=region, max_columns=max_columns,
    )  # fmt: skip


def google_customer_match(
    persons: Persons,
    *,
    email: Columns = (),
    phone: Columns = (),
    first_name: Columns = (),
    last_name: Columns = (),
    country: Columns = (),
    default_country: str | None = None,
    zip: Columns = (),
    region: str = "US",
    members: AudienceResult | np.ndarray | Sequence[int] | None = None,
    consent: Consent | None = None,
    override_consent: bool = False,
    max_columns: int = 3,
) -> Export:
    """A Google Ads Customer Match file, hashed as Google documents it.

    Headers ``Email``, ``Phone``, ``First Name``, ``Last Name``, ``Country``, ``Zip``;
    several ``Email`` and ``Phone`` columns for persons with several values (Google
    allows multiple Email, Phone and Zip columns). Values are gathered as for
    :func:`meta_customer_file`.

    Normalization, as Google states it: Google Ads Help, "Format your customer data
    file" (https://support.google.com/google-ads/answer/7659867) and "Formatting
    guidelines for uploading hashed data"
    (https://support.google.com/google-ads/answer/7476159) with their CSV template
    ("lowercase all characters and remove all extra spaces ... in email addresses
    and names", "phone numbers must be formatted as E.164 prior to hashing", Country
    and Zip not hashed); Google Ads API reference, ``OfflineUserAddressInfo``
    (names); Google Ads API, "Enhanced conversions for web", email formatting
    (https://developers.google.com/google-ads/api/docs/conversions/enhance-conversions):

    - ``Email``: trimmed, lowercase; for ``gmail.com`` and ``googlemail.com``
      addresses the periods of the part before ``@`` are removed, and so is a
      ``+suffix`` (Gmail delivers ``j.o.hn+ads@gmail.com`` to ``john@gmail.com``;
      the ``+suffix`` rule is ours, Google's pages name the periods only).
    - ``Phone``: E.164 with the ``+`` and country code (numbers without a country
      code read in ``region``).
    - ``First Name``, ``Last Name``: lowercase, no punctuation, no spaces.
    - The above are SHA-256 hex digests. ``Country`` (ISO 3166-1 alpha-2,
      lowercase) and ``Zip`` (no spaces; US codes to 5 digits) are not hashed.

    Parameters
    ----------
    persons : Persons
    email, phone, first_name, last_name, country, zip
        Column name or names per field.
    default_country : str, optional
    region : str, default "US"
    members, consent, override_consent, max_columns
        As for :func:`meta_customer_file`.

    Returns
    -------
    Export

    Raises
    ------
    MissingColumnError
        A named column is not a kept column of the graph.
    ConfigError
        Invalid ``max_columns``, ``region`` or ``default_country``.

    Examples
    --------
    >>> import hashlib
    >>> import identigraph as ig
    >>> from identigraph.activation import Persons
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["J.Doe+news@Gmail.com"], "zip": ["02139"]}),
    ...           source="crm")
    >>> out = google_customer_match(Persons(g), email="email", zip="zip",
    ...                             default_country="US", max_columns=1)
    >>> list(out.frame.columns)
    ['Email', 'Country', 'Zip']
    >>> out.frame["Email"][0] == hashlib.sha256(b"jdoe@gmail.com").hexdigest()
    True
    >>> out.frame[["Country", "Zip"]].to_dict("records")
    [{'Country': 'us', 'Zip': '02139'}]

    Notes
    -----
    Cost: as :func:`meta_customer_file`.
    """
    return Exporter(
        persons, members=members, consent=consent, override_consent=override_consent
    ).google_customer_match(
        email=email, phone=phone, first_name=first_name, last_name=last_name, country=country,
        default_country=default_country, zip=zip, region=region, max_columns=max_columns,
    )  # fmt: skip


class Exporter:
    """Hashed customer files of one set of persons for several platforms, work shared.

    Each file's values are gathered, normalized, ranked and hashed as the module's
    functions do it, but every step is kept on this object: a field exported to
    both platforms is read and ranked once, a rule both platforms apply alike (names,
    a phone's E.164 form, a US ZIP) runs once on each distinct raw value, and a
    normalized value both hash (a name) is hashed once. Build one per export run:
    it holds the persons' values until it is dropped.

    Parameters
    ----------
    persons : Persons
    members : AudienceResult or array of person ids, optional
        Export these persons only (default: every person).
    consent : Consent, optional
        Opted-out persons are left out and counted in ``left_out_consent``.
    override_consent : bool, default False

    Examples
    --------
    >>> import identigraph as ig
    >>> from identigraph.activation import Persons
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@mail.com"], "fn": ["Ann"]}), source="crm")
    >>> files = Exporter(Persons(g))
    >>> meta = files.meta_customer_file(email="email", first_name="fn", extern_id=False)
    >>> google = files.google_customer_match(email="email", first_name="fn")
    >>> meta.frame["FN"][0] == google.frame["First Name"][0]
    True

    Notes
    -----
    Cost: as the functions, less the work the files share.
    """

    def __init__(
        self,
        persons: Persons,
        *,
        members: AudienceResult | np.ndarray | Sequence[int] | None = None,
        consent: Consent | None = None,
        override_consent: bool = False,
    ) -> None:
        self.persons = persons
        self.members = members
        self.consent = consent
        self.override_consent = override_consent
        self._gather: _Gather | None = None

    def __repr__(self) -> str:
        return f"Exporter(persons={self.persons.n_persons}, consent={self.consent is not None})"

    def _start(self, max_columns: int, region: str) -> tuple[float, _Gather]:
        start = time.perf_counter()
        _check(max_columns, region)
        if self._gather is None:
            self._gather = _Gather(self.persons, self.members, self.consent, self.override_consent)
        return start, self._gather

    def meta_customer_file(
        self,
        *,
        email: Columns = (),
        phone: Columns = (),
        first_name: Columns = (),
        last_name: Columns = (),
        zip: Columns = (),
        city: Columns = (),
        state: Columns = (),
        country: Columns = (),
        default_country: str | None = None,
        birth_date: Columns = (),
        gender: Columns = (),
        madid: Columns = (),
        extern_id: bool = True,
        region: str = "US",
        max_columns: int = 3,
    ) -> Export:
        """:func:`meta_customer_file` of these persons (same arguments and rules)."""
        start, gather = self._start(max_columns, region)
        fields = (email, phone, first_name, last_name, zip, city, state, country, birth_date)
        gather.prefetch([_names(f) for f in (*fields, gender, madid)])
        countries = gather.countries(_names(country), default_country)
        cols: list[_Out] = []
        if email:
            emails = gather.emails(_names(email), max_columns, gmail=False)
            cols.extend(("EMAIL", v, True) for v in emails)
        if phone:
            phones = gather.derived(
                _phones(gather, phone, region, max_columns), "+", _phone_digits, one_to_one=True
            )
            cols.extend(("PHONE", v, True) for v in phones)
        first = (
            gather.top(_names(first_name), "letters", norm.letters_arrow, 1) if first_name else None
        )
        if first is not None:
            cols.append(("FN", first[0], True))
        if last_name:
            cols.append(
                ("LN", gather.top(_names(last_name), "letters", norm.letters_arrow, 1)[0], True)
            )
        if first is not None:
            cols.append(("FI", gather.derived(first, "first letter", _first_letter)[0], True))
        if zip:
            zips = _by_country(
                gather, _names(zip), countries, "zip", _meta_zip, differs_for=frozenset({"gb"})
            )
            cols.append(("ZIP", zips, True))
        if city:
            cols.append(
                ("CT", gather.top(_names(city), "a-z", norm.ascii_letters_arrow, 1)[0], True)
            )
        if state:
            states = _by_country(gather, _names(state), countries, "state", _meta_state)
            cols.append(("ST", states, True))
        if country or default_country is not None:
            cols.append(("COUNTRY", countries, True))
        if birth_date:
            dates = gather.top(_names(birth_date), "date", norm.iso_date_arrow, 1)
            for header, part in (("DOBY", 0), ("DOBM", 1), ("DOBD", 2)):
                cols.append((header, gather.derived(dates, header, _date_part(part))[0], True))
        if gender:
            cols.append(
                ("GEN", gather.top(_names(gender), "gender", norm.gender_arrow, 1)[0], True)
            )
        if madid:
            cols.append(
                ("MADID", gather.top(_names(madid), "lower", norm.lower_arrow, 1)[0], False)
            )
        if extern_id:
            extern = pa.array(gather.ids).cast(pa.string())
            cols.append(("EXTERN_ID", (np.arange(len(extern), dtype=np.int64), extern), False))
        return _finish("meta", gather, cols, {"COUNTRY", "EXTERN_ID"}, start)

    def google_customer_match(
        self,
        *,
        email: Columns = (),
        phone: Columns = (),
        first_name: Columns = (),
        last_name: Columns = (),
        country: Columns = (),
        default_country: str | None = None,
        zip: Columns = (),
        region: str = "US",
        max_columns: int = 3,
    ) -> Export:
        """:func:`google_customer_match` of these persons (same arguments and rules)."""
        start, gather = self._start(max_columns, region)
        gather.prefetch([_names(f) for f in (email, phone, first_name, last_name, country, zip)])
        countries = gather.countries(_names(country), default_country)
        cols: list[_Out] = []
        if email:
            emails = gather.emails(_names(email), max_columns, gmail=True)
            cols.extend(("Email", v, True) for v in emails)
        if phone:
            cols.extend(("Phone", v, True) for v in _phones(gather, phone, region, max_columns))
        if first_name:
            first = gather.top(_names(first_name), "letters", norm.letters_arrow, 1)[0]
            cols.append(("First Name", first, True))
        if last_name:
            last = gather.top(_names(last_name), "letters", norm.letters_arrow, 1)[0]
            cols.append(("Last Name", last, True))
        if country or default_country is not None:
            cols.append(("Country", countries, False))
        if zip:
            zips = _by_country(
                gather, _names(zip), countries, "zip", _us_zip, differs_for=frozenset({"gb"})
            )
            cols.append(("Zip", zips, False))
        return _finish("google", gather, cols, {"Country", "Zip"}, start)


def _phones(gather: _Gather, phone: Columns, region: str, k: int) -> list[_Col]:
    """The ``k`` most frequent E.164 numbers of each person (shared by both platforms)."""
    return gather.top(
        _names(phone), f"e164:{region.upper()}", lambda u: norm.phone_arrow(u, region), k
    )
