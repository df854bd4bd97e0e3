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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from identigraph.activation import _normalize as norm
from identigraph.activation._order import lexorder
from identigraph.activation.audiences import AudienceResult
from identigraph.activation.consent import Consent, opted_out
from identigraph.activation.facts import Persons
from identigraph.errors import ConfigError, MissingColumnError
from identigraph.matcher._hashing import sha256_hex

__all__ = ["Export", "google_customer_match", "meta_customer_file"]

log = logging.getLogger("identigraph.activation")

Columns = str | Sequence[str]
#: The file's text columns: pandas' default string dtype, Arrow-backed, missing as NaN.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
Normalizer = Callable[[pd.Series], pd.Series]


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


class _Gather:
    """Values of the exported persons' records, most frequent normalized value first."""

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

    def raw(self, columns: tuple[str, ...]) -> tuple[np.ndarray, pd.Series, np.ndarray]:
        """Row, raw value and order of every present value of ``columns``."""
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
            values.append(col.iloc[hit].reset_index(drop=True))
            order.append(hit + j * len(self.recs))
        if not rows:
            return np.empty(0, np.int64), pd.Series([], dtype=object), np.empty(0, np.int64)
        return (
            np.concatenate(rows),
            pd.concat(values, ignore_index=True) if len(values) > 1 else values[0],
            np.concatenate(order),
        )

    def top(self, columns: tuple[str, ...], normalize: Normalizer, k: int) -> list[_Col]:
        """The ``k`` most frequent normalized values of each person (ties: first seen)."""
        rows, raw, order = self.raw(columns)
        codes, uniques = _normalized_codes(raw, normalize)
        return _rank(len(self.ids), rows, codes, uniques, order, k)


#: A column as integer codes (-1: no value) into an array of distinct values.
_Col = tuple[np.ndarray, np.ndarray]


def _normalized_codes(raw: pd.Series, normalize: Normalizer) -> _Col:
    """Codes of the normalized form of each raw value; each distinct raw value normalized once."""
    if not len(raw):
        return np.empty(0, np.int64), np.empty(0, dtype=object)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    norm_codes, norm_uniques = pd.factorize(normalize(pd.Series(uniques)), use_na_sentinel=True)
    remap = np.r_[norm_codes.astype(np.int64), -1]  # raw code -1 (no value) reads -1
    return remap[codes], np.asarray(norm_uniques, dtype=object)


def _values(column: _Col) -> np.ndarray:
    """A coded column as an object array of values, None where there is none."""
    codes, uniques = column
    out = np.full(len(codes), None, dtype=object)
    out[codes >= 0] = uniques[codes[codes >= 0]]
    return out


def _coded(values: np.ndarray) -> _Col:
    """An object array of values (None: none) as a coded column."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _map_uniques(column: _Col, fn: Callable[[pd.Series], pd.Series]) -> _Col:
    """Apply ``fn`` to the distinct values of a coded column (None results: no value)."""
    codes, uniques = column
    mapped = fn(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    inner, values = _coded(mapped)
    out = np.where(codes >= 0, inner[np.maximum(codes, 0)], -1) if len(inner) else codes
    return out, values


def _rank(
    n_rows: int, rows: np.ndarray, codes: np.ndarray, uniques: np.ndarray, order: np.ndarray, k: int
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
        fallback = norm.country(pd.Series([default_country]))[0]
        if pd.isna(fallback):
            msg = f"default_country must be an ISO 3166-1 alpha-2 code, got {default_country!r}"
            raise ConfigError(msg)
    if country:
        codes, uniques = gather.top(country, norm.country, 1)[0]
    else:
        codes, uniques = np.full(len(gather.ids), -1, dtype=np.int64), np.empty(0, dtype=object)
    missing = codes < 0
    if fallback is not None and missing.any():
        found = np.flatnonzero(uniques == fallback)
        if not len(found):
            uniques = np.append(uniques, np.array([fallback], dtype=object))
            found = np.array([len(uniques) - 1])
        codes = np.where(missing, found[0], codes)
    return codes, uniques


def _zips(
    gather: _Gather,
    zips: tuple[str, ...],
    countries: _Col,
    rule: Callable[[pd.Series, pd.Series], pd.Series],
) -> _Col:
    """The most frequent ZIP of each person, normalized by ``rule`` for their country."""
    rows, raw, order = gather.raw(zips)
    country_codes, country_names = countries
    kinds = np.unique(country_codes[rows])
    if len(kinds) <= 1:  # one country for everyone: normalize each distinct value once
        only = country_names[kinds[0]] if len(kinds) and kinds[0] >= 0 else None
        codes, uniques = _normalized_codes(
            raw, lambda s: rule(s, pd.Series([only] * len(s), dtype=object))
        )
    else:
        country_of = pd.Series(_values((country_codes[rows], country_names)), dtype=object)
        codes, uniques = _coded(rule(raw, country_of).to_numpy(dtype=object))
    return _rank(len(gather.ids), rows, codes, uniques, order, 1)[0]


def _date_part(part: int) -> Callable[[pd.Series], pd.Series]:
    """Year, month or day (``part`` 0, 1, 2) of ``YYYY-MM-DD`` strings."""

    def pick(values: pd.Series) -> pd.Series:
        return values.str.split("-").str[part]

    return pick


def _iso_dates(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, errors="coerce")
    text = pd.Series(stamps).dt.strftime("%Y-%m-%d")
    return text.astype(object).where(text.notna(), None)


def _start(
    persons: Persons,
    members: AudienceResult | np.ndarray | Sequence[int] | None,
    consent: Consent | None,
    override_consent: bool,
    max_columns: int,
    region: str,
    country: Columns,
    default_country: str | None,
) -> tuple[float, _Gather, _Col]:
    """The start time; the arguments checked; the exported persons and their countries."""
    start = time.perf_counter()
    _check(max_columns, region)
    gather = _Gather(persons, members, consent, override_consent)
    return start, gather, _countries(gather, _names(country), default_country)


def _finish(
    platform: str,
    gather: _Gather,
    columns: list[tuple[str, _Col, bool]],
    not_identifying: set[str],
    start: float,
) -> Export:
    """Hash the hashed columns, drop persons without identifiers, build the file.

    Columns that share their distinct values (the repeated ``EMAIL`` columns) share
    one hashing of them, and only the values some exported row uses are hashed.
    The file's columns are Arrow-backed text taken from those values by code, so no
    Python object is made per row.
    """
    present = np.zeros(len(gather.ids), dtype=bool)
    for header, (codes, _), _ in columns:
        if header not in not_identifying:
            present |= codes >= 0
    outputs: dict[tuple[int, bool], pa.Array] = {}
    for _, (_, uniques), hashed in columns:
        key = (id(uniques), hashed)
        if key in outputs:
            continue
        used = np.zeros(len(uniques), dtype=bool)
        for _, (other_codes, other_uniques), other_hashed in columns:
            if other_uniques is uniques and other_hashed == hashed:
                used[other_codes[present & (other_codes >= 0)]] = True
        values = np.full(len(uniques), None, dtype=object)
        values[used] = sha256_hex(uniques[used].tolist()) if hashed else uniques[used]
        outputs[key] = pa.array(values, type=pa.string(), from_pandas=True)
    data = {}
    for i, (_, (codes, uniques), hashed) in enumerate(columns):
        kept = codes[present]
        taken = outputs[(id(uniques), hashed)].take(pa.array(kept, mask=kept < 0))
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

    Normalization (Meta Marketing API, "Customer File Custom Audiences", section
    "Hashing and Normalizing Data",
    https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences;
    column limits: Meta Business Help Centre, "How to format a customer list",
    https://www.facebook.com/business/help/2082575038703844):

    - ``EMAIL``: leading and trailing whitespace trimmed, lowercase.
    - ``PHONE``: digits only with the country code, no ``+`` and no leading zeros
      (numbers are parsed to E.164 first, reading those without a country code in
      ``region``).
    - ``FN``, ``LN``: lowercase letters only, no punctuation or spaces; accented
      letters kept in UTF-8. ``FI``: the first letter of ``FN``.
    - ``CT``: lowercase letters only, no punctuation, no spaces.
    - ``ST``: US states as their 2-letter code, lowercase (full names mapped);
      elsewhere lowercase letters only.
    - ``ZIP``: lowercase, no spaces; US codes cut to their first 5 digits; UK
      postcodes cut to area, district and sector (``"SW1A 1AA"`` -> ``"sw1a1"``, Meta's
      "Area/District/Sector format"; an outward code alone is kept).
    - ``COUNTRY``: ISO 3166-1 alpha-2 code, lowercase (``uk`` written as ``gb``).
    - ``DOBY`` (``YYYY``), ``DOBM`` (``MM``), ``DOBD`` (``DD``) from a date column.
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

    Notes
    -----
    Cost: O(records) vectorized, each distinct raw value normalized once and each
    distinct normalized value hashed once.
    """
    start, gather, countries = _start(
        persons, members, consent, override_consent, max_columns, region, country, default_country
    )
    cols: list[tuple[str, _Col, bool]] = []
    for header, names, fn, k in (
        ("EMAIL", _names(email), norm.email, max_columns),
        ("PHONE", _names(phone), lambda s: norm.digits(norm.phone_e164(s, region)), max_columns),
    ):
        if names:
            cols.extend((header, v, True) for v in gather.top(names, fn, k))
    first = gather.top(_names(first_name), norm.letters, 1)[0] if first_name else None
    if first is not None:
        cols.append(("FN", first, True))
    if last_name:
        cols.append(("LN", gather.top(_names(last_name), norm.letters, 1)[0], True))
    if first is not None:
        cols.append(("FI", _map_uniques(first, lambda u: u.str[:1]), True))
    if zip:
        cols.append(("ZIP", _zips(gather, _names(zip), countries, norm.meta_zip), True))
    if city:
        cols.append(("CT", gather.top(_names(city), norm.city, 1)[0], True))
    if state:
        cols.append(("ST", gather.top(_names(state), norm.state, 1)[0], True))
    if country or default_country is not None:
        cols.append(("COUNTRY", countries, True))
    if birth_date:
        dates = gather.top(_names(birth_date), _iso_dates, 1)[0]
        for header, part in (("DOBY", 0), ("DOBM", 1), ("DOBD", 2)):
            cols.append((header, _map_uniques(dates, _date_part(part)), True))
    if gender:
        cols.append(("GEN", gather.top(_names(gender), norm.gender, 1)[0], True))
    if madid:
        cols.append(("MADID", gather.top(_names(madid), norm.lower, 1)[0], False))
    if extern_id:
        extern = np.asarray(pa.array(gather.ids).cast(pa.string()), dtype=object)
        cols.append(("EXTERN_ID", (np.arange(len(extern), dtype=np.int64), extern), False))
    return _finish("meta", gather, cols, {"COUNTRY", "EXTERN_ID"}, start)


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

    Normalization (Google Ads Help, "Format your customer data file",
    https://support.google.com/google-ads/answer/7659867, and its linked
    "Formatting guidelines for uploading hashed data"; Google Ads API,
    "OfflineUserAddressInfo" and "Enhanced conversions for web: normalize and hash",
    https://developers.google.com/google-ads/api/docs/conversions/enhance-conversions):

    - ``Email``: trimmed, lowercase; for ``gmail.com`` and ``googlemail.com``
      addresses the periods of the part before ``@`` are removed, and so is a
      ``+suffix`` (Gmail delivers ``j.o.hn+ads@gmail.com`` to ``john@gmail.com``).
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
    start, gather, countries = _start(
        persons, members, consent, override_consent, max_columns, region, country, default_country
    )
    cols: list[tuple[str, _Col, bool]] = []
    if email:
        cols.extend(
            ("Email", v, True) for v in gather.top(_names(email), norm.gmail_email, max_columns)
        )
    if phone:
        cols.extend(
            ("Phone", v, True)
            for v in gather.top(_names(phone), lambda s: norm.phone_e164(s, region), max_columns)
        )
    if first_name:
        cols.append(("First Name", gather.top(_names(first_name), norm.letters, 1)[0], True))
    if last_name:
        cols.append(("Last Name", gather.top(_names(last_name), norm.letters, 1)[0], True))
    if country or default_country is not None:
        cols.append(("Country", countries, False))
    if zip:
        cols.append(("Zip", _zips(gather, _names(zip), countries, norm.us_zip), False))
    return _finish("google", gather, cols, {"Country", "Zip"}, start)
