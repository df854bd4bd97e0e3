"""Synthetic multi-source customer data with ground truth, generated vectorized.

:func:`customers` draws a population of persons and the records four typical
sources hold about them: a CRM (with duplicate customer entries), a web data
management platform (events keyed by cookie), point-of-sale transactions and
support tickets. The records carry the noise of real customer data: emails in
several spellings, phone numbers in many formats, typos in names, missing values,
placeholder ("junk") values and landlines shared by a household. Like real
sources they keep a person's identifiers side by side (a CRM record holds email,
alternate email, mobile, home phone and loyalty card), so nearly every record
links to its person on identifiers alone; records without any linking evidence
(anonymous cookies and store purchases) come at an explicit ``anonymous_rate``.
The ``truth`` frame tells which person each record belongs to.

Every column is built from numpy arrays of codes indexed into small vocabularies
and joined as Arrow strings; there is no Python loop per record or per person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.errors import ConfigError

__all__ = [
    "RECORDS_PER_PERSON",
    "RECORD_ID_COLUMNS",
    "SOURCES",
    "CustomerConfig",
    "customers",
    "expected_records_per_person",
    "n_persons_for",
]

#: Source names, in the order :func:`customers` returns them.
SOURCES: Final = ("crm", "web", "pos", "support")

#: Record id column of each source: a string for the CRM, int64 elsewhere.
RECORD_ID_COLUMNS: Final = {
    "crm": "customer_id",
    "web": "event_id",
    "pos": "transaction_id",
    "support": "ticket_id",
}

_MAX_PERSONS = 100_000_000

# -- generation parameters (documented in customers' Notes) ------------------------------
_P_CRM = 0.85  # share of persons with a CRM record
_P_WEB = 0.75  # share of persons seen on the web
_COOKIE_COUNTS = (1, 2, 3, 4)
_COOKIE_PROBS = (0.4, 0.3, 0.2, 0.1)
_WEB_EXTRA_ROWS = 0.5  # rows per cookie: 1 + Poisson(0.5)
_POS_MEAN = 1.2  # transactions per person: Poisson
_SUPPORT_MEAN = 0.4  # tickets per person: Poisson
_P_CARD = 0.7  # share of CRM customers holding a loyalty card (registered in the CRM)
# what a CRM customer record holds: primary email, alternate email (persons with two or
# more), mobile, home phone (persons with a second line or a household landline), card
_CRM_FILLED = {"email": 0.97, "alt_email": 0.9, "phone": 0.95, "home_phone": 0.9, "card": 0.98}
_LOGIN_PRIMARY = 0.9  # a cookie logs in with the primary email, else the alternate one
_P_ACCOUNT_PHONE = 0.95  # share of persons whose web account holds their mobile
_LOGIN_PHONE = 0.8  # share of login rows that also carry the account's mobile
_POS_CARD = 0.9  # identified transactions of card holders with the card scanned
_POS_PHONE = 0.6  # ... with a phone given besides the card (always without a card)
_SUPPORT_BY_EMAIL = 0.7  # tickets opened by email (the rest by phone)
_SUPPORT_CUSTOMER_ID = 0.6  # tickets of CRM customers carrying a customer id


def expected_records_per_person(duplicate_rate: float = 0.1) -> float:
    """Expected number of records per person over all sources.

    Examples
    --------
    >>> round(expected_records_per_person(0.1), 3)
    4.785
    """
    cookies = float(np.dot(_COOKIE_COUNTS, _COOKIE_PROBS))
    web = _P_WEB * cookies * (1.0 + _WEB_EXTRA_ROWS)
    return _P_CRM * (1.0 + duplicate_rate) + web + _POS_MEAN + _SUPPORT_MEAN


#: Expected records per person with the default settings (4.785).
RECORDS_PER_PERSON: Final = expected_records_per_person(0.1)

# -- vocabularies -----------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Ordered roughly by frequency; draws favour the head of each list (Zipf-like).
_FIRST_NAMES = _words(
    """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
    Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy
    Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily
    Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah
    Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia
    Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry
    Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine
    Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia
    Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan
    Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia
    Ethan Judith Jeremy Evelyn Christian Hannah Walter Andrea Keith Megan Austin Cheryl
    Roger Jacqueline Terry Madison Sean Teresa Gerald Abigail Carl Sophia Dylan Martha
    Harold Sara Jordan Gloria Jesse Janice Bryan Kathryn Lawrence Ann Arthur Isabella
    Gabriel Judy Bruce Charlotte Logan Julia Billy Grace Joe Amber Alan Alice Juan Jean
    Elijah Denise Willie Frances Albert Danielle Wayne Marilyn Randy Natalie Mason Beverly
    Vincent Diana Liam Brittany Roy Theresa Bobby Kayla Caleb Alexis Bradley Doris Russell
    Lori Lucas Tiffany Wei Priya Mohammed Fatima Carlos Sofia Luis Ana Jorge Lucia Miguel
    Camila Hiroshi Yuki Omar Aisha"""
)
_LAST_NAMES = _words(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
    Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
    Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres
    Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
    Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris
    Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly
    Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
    Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez
    Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales
    Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds
    Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar
    Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington
    Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson
    Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer
    Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza
    Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley
    Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott
    Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews O'Brien O'Connor Smith-
    Jones"""
)
# City, first three ZIP digits, local area codes (all valid for libphonenumber, region US).
_CITIES = (
    ("New York", "100", "212 646 917"), ("Los Angeles", "900", "213 323 310"),
    ("Chicago", "606", "312 773"), ("Houston", "770", "713 832"), ("Phoenix", "850", "602 480"),
    ("Philadelphia", "191", "215 267"), ("San Antonio", "782", "210"),
    ("San Diego", "921", "619 858"), ("Dallas", "752", "214 469"), ("San Jose", "951", "408 669"),
    ("Austin", "787", "512 737"), ("Jacksonville", "322", "904"), ("Columbus", "432", "614"),
    ("Charlotte", "282", "704 980"), ("Indianapolis", "462", "317"),
    ("San Francisco", "941", "415 628"), ("Seattle", "981", "206"), ("Denver", "802", "303 720"),
    ("Boston", "021", "617 857"), ("Nashville", "372", "615"), ("Detroit", "482", "313"),
    ("Portland", "972", "503 971"), ("Las Vegas", "891", "702 725"), ("Memphis", "381", "901"),
    ("Louisville", "402", "502"), ("Baltimore", "212", "410 443"), ("Milwaukee", "532", "414"),
    ("Albuquerque", "871", "505"), ("Tucson", "857", "520"), ("Atlanta", "303", "404 678"),
    ("Miami", "331", "305 786"), ("Minneapolis", "554", "612"), ("Cleveland", "441", "216"),
    ("Tampa", "336", "813"), ("Pittsburgh", "152", "412"), ("St. Louis", "631", "314"),
    ("Newark", "071", "973 862"), ("Jersey City", "073", "201 551"), ("Brooklyn", "112", "718 347"),
    ("Salt Lake City", "841", "801 385"), ("Raleigh", "276", "919 984"),
    ("Omaha", "681", "402 531"),
    ("Kansas City", "641", "816"), ("Sacramento", "958", "916 279"), ("Orlando", "328", "407 321"),
    ("Richmond", "232", "804"), ("Hartford", "061", "860 959"), ("Providence", "029", "401"),
    ("Buffalo", "142", "716"), ("New Orleans", "701", "504"),
)  # fmt: skip
_STREETS = _words(
    """Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Sunset Lincoln Jackson
    Church River Highland Franklin Madison Jefferson Adams Chestnut Spring Ridge Meadow
    Forest Willow Center Mill North South Prospect Union Market Broad Water High Summit
    Grove Academy Orchard Liberty Cherry Dogwood Hickory Locust Lakeview Valley Woodland
    Bridge"""
)
_STREET_SUFFIXES = (
    ("St", "Street"), ("Ave", "Avenue"), ("Rd", "Road"), ("Blvd", "Boulevard"), ("Ln", "Lane"),
    ("Dr", "Drive"), ("Ct", "Court"), ("Way", "Way"), ("Pl", "Place"), ("Ter", "Terrace"),
)  # fmt: skip
_EMAIL_DOMAINS = (
    ("gmail.com", 34), ("yahoo.com", 12), ("hotmail.com", 8), ("outlook.com", 7),
    ("icloud.com", 7), ("aol.com", 3), ("comcast.net", 3), ("att.net", 2), ("verizon.net", 2),
    ("live.com", 2), ("msn.com", 1), ("me.com", 1), ("ymail.com", 1), ("protonmail.com", 1),
    ("brightwave-logistics.com", 2), ("harborpoint-health.org", 2), ("summitridge.edu", 2),
    ("northgate-insurance.com", 2), ("bluepeak-software.io", 2), ("cedarline-bank.com", 2),
    ("meridian-retail.com", 2), ("oakfield-energy.com", 2),
)  # fmt: skip
_PAGES = (
    "/", "/search", "/products", "/products/shoes", "/products/jackets", "/products/bags",
    "/products/accessories", "/products/sale", "/cart", "/checkout", "/checkout/payment",
    "/checkout/confirmation", "/account", "/account/orders", "/account/settings", "/login",
    "/signup", "/stores", "/help", "/help/returns", "/help/shipping", "/blog",
    "/blog/spring-collection", "/gift-cards", "/loyalty",
)  # fmt: skip
_SUBJECTS = (
    "Order not received", "Refund request", "Wrong item delivered", "Damaged item",
    "Change delivery address", "Cancel my order", "Password reset", "Cannot log in",
    "Loyalty points missing", "Return label request", "Billing question", "Product question",
    "Update email address", "Unsubscribe", "Complaint about a store",
)  # fmt: skip

# Placeholder values a junk record carries instead of its identifier.
_JUNK_EMAILS = (
    "test@test.com", "noreply@example.com", "no-reply@example.com", "none@none.com",
    "asdf@asdf.com", "x@x.com", "unknown", "n/a", "NULL",
)  # fmt: skip
_JUNK_PHONES = (
    "0000000000", "1234567890", "(000) 000-0000", "999-999-9999", "111-111-1111",
    "123-456-7890", "unknown", "n/a",
)  # fmt: skip
_JUNK_COOKIES = ("undefined", "null", "unknown", "00000000-0000-0000-0000-000000000000")
_JUNK_CARDS = ("0", "-1", "unknown", "n/a")

# Exchanges 200-999 without the N11 service codes and the fictional 555.
_EXCHANGES = np.array([e for e in range(200, 1000) if e % 100 != 11 and e != 555], dtype=np.int64)

_DAY = 86_400
_STR = pa.large_string()


def _epoch_seconds(iso: str) -> int:
    return int(np.datetime64(iso, "s").astype(np.int64))


_WINDOW = (_epoch_seconds("2023-01-01"), _epoch_seconds("2025-01-01"))  # web, pos, support
_CRM_WINDOW = (_epoch_seconds("2015-01-01"), _epoch_seconds("2025-01-01"))  # updated_at
_BIRTH_DAYS = (_epoch_seconds("1940-01-01") // _DAY, _epoch_seconds("2007-01-01") // _DAY)


def _string_dtype() -> Any:
    """pandas' pyarrow-backed string dtype with NaN as the missing value ("str" in pandas 3)."""
    try:
        return pd.StringDtype(storage="pyarrow", na_value=np.nan)
    except TypeError:  # pandas 2.2 spells it "pyarrow_numpy"
        return pd.StringDtype("pyarrow_numpy")  # type: ignore[call-overload]


# -- configuration ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerConfig:
    """Settings of :func:`customers`.

    Parameters
    ----------
    n_persons : int, default 10_000
        Number of persons drawn (at most 10**8). Records scale with it, about
        :data:`RECORDS_PER_PERSON` per person.
    seed : int, default 0
        Seed of the random generator; the same settings give the same frames.
    junk_rate : float, default 0.01
        Share of the records of every source carrying a placeholder value
        (``"test@test.com"``, ``"0000000000"``, ``"unknown"``...) in one of their
        identifier columns.
    household_rate : float, default 0.05
        Share of persons living in a household of 2 to 4 persons that shares one
        landline and an address (and mostly a last name).
    typo_rate : float, default 0.05
        Chance that a CRM name field carries a typo (swapped, dropped or replaced
        character); a duplicate CRM record gets one with five times this chance.
    duplicate_rate : float, default 0.1
        Share of CRM customers entered twice under different customer ids.
    anonymous_rate : float, default 0.02
        Share of web cookies that never log in and of point-of-sale transactions
        made without a card or phone number: records with no linking evidence.

    Raises
    ------
    ConfigError
        A count is negative or not an integer, or a rate is outside [0, 1].

    Examples
    --------
    >>> CustomerConfig(n_persons=100, junk_rate=0.0).junk_rate
    0.0
    >>> CustomerConfig(typo_rate=1.5)
    Traceback (most recent call last):
    ...
    identigraph.errors.ConfigError: CustomerConfig: typo_rate must be a number in [0, 1], got 1.5
    """

    n_persons: int = 10_000
    seed: int = 0
    junk_rate: float = 0.01
    household_rate: float = 0.05
    typo_rate: float = 0.05
    duplicate_rate: float = 0.1
    anonymous_rate: float = 0.02

    def __post_init__(self) -> None:
        for name, upper in (("n_persons", _MAX_PERSONS), ("seed", None)):
            value = getattr(self, name)
            if (
                not isinstance(value, (int, np.integer))
                or isinstance(value, (bool, np.bool_))
                or value < 0
                or (upper is not None and value > upper)
            ):
                bound = f"in [0, {upper}]" if upper is not None else ">= 0"
                msg = f"CustomerConfig: {name} must be an integer {bound}, got {value!r}"
                raise ConfigError(msg)
            object.__setattr__(self, name, int(value))
        for name in (
            "junk_rate",
            "household_rate",
            "typo_rate",
            "duplicate_rate",
            "anonymous_rate",
        ):
            value = getattr(self, name)
            ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                value, (bool, np.bool_)
            )
            if not ok or not 0.0 <= float(value) <= 1.0:
                msg = f"CustomerConfig: {name} must be a number in [0, 1], got {value!r}"
                raise ConfigError(msg)
            object.__setattr__(self, name, float(value))


def n_persons_for(n_records: int, *, duplicate_rate: float = 0.1) -> int:
    """Number of persons for which :func:`customers` yields about ``n_records`` records.

    Parameters
    ----------
    n_records : int
        Wanted total number of records over all sources.
    duplicate_rate : float, default 0.1
        The ``duplicate_rate`` the data will be generated with.

    Returns
    -------
    int

    Raises
    ------
    ConfigError
        ``n_records`` is negative or not an integer, or the rate is outside [0, 1].

    Examples
    --------
    >>> n_persons_for(1_000_000)
    208986
    """
    if not isinstance(n_records, (int, np.integer)) or isinstance(n_records, bool) or n_records < 0:
        msg = f"n_records must be an integer >= 0, got {n_records!r}"
        raise ConfigError(msg)
    rate = CustomerConfig(n_persons=0, duplicate_rate=duplicate_rate).duplicate_rate
    return round(int(n_records) / expected_records_per_person(rate))


def customers(
    n_persons: int = 10_000,
    seed: int = 0,
    *,
    junk_rate: float = 0.01,
    household_rate: float = 0.05,
    typo_rate: float = 0.05,
    duplicate_rate: float = 0.1,
    anonymous_rate: float = 0.02,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Synthetic customer records of four sources and the person each belongs to.

    Parameters
    ----------
    n_persons : int, default 10_000
        Number of persons; :func:`n_persons_for` gives it for a wanted record count.
    seed : int, default 0
        Random seed: the same arguments give the same frames, bit for bit.
    junk_rate, household_rate, typo_rate, duplicate_rate, anonymous_rate : float
        Noise settings, see :class:`CustomerConfig`.

    Returns
    -------
    sources : dict of str to pandas.DataFrame
        Frames ``"crm"``, ``"web"``, ``"pos"`` and ``"support"`` (columns below).
    truth : pandas.DataFrame
        Columns ``source``, ``record_id`` and ``person`` (int64): one row per record
        of every source, in source order and then in each frame's row order.
        ``record_id`` holds the frame's id value (str for ``crm``, int for the others).

    Raises
    ------
    ConfigError
        Invalid settings.

    Examples
    --------
    >>> sources, truth = customers(200, seed=1)
    >>> list(sources)
    ['crm', 'web', 'pos', 'support']
    >>> list(sources["pos"].columns)
    ['transaction_id', 'phone', 'loyalty_card', 'order_total', 'purchased_at', 'store']
    >>> len(truth) == sum(len(frame) for frame in sources.values())
    True

    See Also
    --------
    n_persons_for : persons for a wanted number of records.

    Notes
    -----
    Columns (string columns use pandas' pyarrow-backed ``str`` dtype, missing as NaN;
    dates are ``datetime64[ns]``):

    - ``crm``: ``customer_id`` (str, ``"C00000001"``, unique), ``first_name``,
      ``last_name``, ``email`` (primary address), ``alt_email`` (a second address of
      persons who have one), ``phone`` (the mobile), ``home_phone`` (the person's
      second line or the household landline), ``loyalty_card`` (the card registered
      to the customer), ``address`` (street line), ``city``, ``postcode`` (str, five
      digits), ``birth_date``, ``updated_at``. 85 % of persons are customers; their
      record holds each of their contact values with a chance of 90 % to 98 %.
      ``duplicate_rate`` of them have a second record with another customer id,
      often another email (35 %) or none (30 %), another phone (the second number,
      30 %) or none (25 %), no alternate email, home phone or card, a name typo at
      five times ``typo_rate``, and mostly the same address and birth date.
    - ``web``: ``event_id`` (int64), ``cookie_id`` (Google-Analytics style),
      ``device_id`` (advertising id, on app cookies only), ``email`` (login email of
      the person's web account, mostly the primary address, on three quarters of
      the rows, often in another case or with spaces), ``phone`` (the mobile held by
      the account, sent along on most login rows), ``seen_at``, ``page``. 75 % of
      persons have 1 to 4 cookies (2 on average) of 1 + Poisson(0.5) events each;
      ``anonymous_rate`` of the cookies never log in and carry no advertising id.
    - ``pos``: ``transaction_id`` (int64), ``phone`` (on 78 %, in eight formats),
      ``loyalty_card`` (str; 60 % of persons, all of them customers, hold one and
      scan it 9 times in 10), ``order_total`` (float64), ``purchased_at``,
      ``store``. Poisson(1.2) transactions per person; ``anonymous_rate`` of them
      carry neither card nor phone, the others at least one.
    - ``support``: ``ticket_id`` (int64), ``customer_id`` (the CRM id, on 60 % of
      the tickets of customers), ``email`` (on 82 %), ``phone`` (on 54 %), at least
      one of the two, ``status`` (``"open"``/``"closed"``), ``opened_at``,
      ``subject``. Poisson(0.4) tickets per person.

    A person holds 1 to 3 email addresses (unique to the person: a primary, an
    alternate and an old one), 1 to 2 phone numbers (a mobile and maybe a second
    line; household members share their landline) and 1 or 2 devices. Phone
    numbers are valid US numbers: real area codes of the person's city, exchanges
    2xx-9xx without N11 and 555. Web, POS and support rows are in time order with
    ids counting up; CRM rows are shuffled. A person may have no record at all
    (under 1 %).

    Sources keep a person's identifiers side by side, as real ones do: the CRM
    record bridges emails, phones, card and customer id; a login row ties a cookie
    to the account email and mobile; a transaction ties a card to a phone; a ticket
    ties an email to a phone or a customer id. So records link on identifiers
    alone, within each person, for about 95 % of the pairs of records of one person
    (98 % with ``anonymous_rate=0`` and ``junk_rate=0``). What stays apart is
    deliberate: anonymous cookies and transactions, placeholder values, duplicate
    CRM records entered without email or phone (left to fuzzy matching), and a
    few records of persons without a CRM record whose contact values meet nowhere.

    Records per person average :func:`expected_records_per_person` (4.785 with the
    default ``duplicate_rate``). Time and memory are O(records): a million
    records take about 1.5 s, ten million about 22 s and 3.1 GiB at peak.
    """
    config = CustomerConfig(
        n_persons=n_persons,
        seed=seed,
        junk_rate=junk_rate,
        household_rate=household_rate,
        typo_rate=typo_rate,
        duplicate_rate=duplicate_rate,
        anonymous_rate=anonymous_rate,
    )
    return _generate(config)


# -- array helpers ----------------------------------------------------------------------
def _vocab(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), type=_STR)


def _cat(*parts: Any) -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and Python strings."""
    args = [pa.scalar(p, _STR) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", _STR))


def _digits(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers as zero-padded decimal strings."""
    text = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), _STR)
    return pc.utf8_lpad(text, width=width, padding="0")


def _weighted(
    rng: np.random.Generator, weights: Sequence[float] | np.ndarray, size: int
) -> np.ndarray:
    """Indices drawn with the given (unnormalized) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.searchsorted(cum / cum[-1], rng.random(size), side="right").astype(np.int64)


def _zipf(rng: np.random.Generator, n_values: int, size: int, offset: float = 8.0) -> np.ndarray:
    """Indices into a list ordered by frequency, the head drawn most often."""
    return _weighted(rng, 1.0 / (np.arange(n_values) + offset), size)


def _pick(variant: np.ndarray, builders: Sequence[Callable[[np.ndarray], pa.Array]]) -> pa.Array:
    """Row ``i`` from ``builders[variant[i]]`` (under 256), each builder called once on its rows."""
    # a stable sort of small unsigned integers is a radix sort in numpy: O(n)
    order = np.argsort(variant.astype(np.uint8), kind="stable")
    bounds = np.searchsorted(variant[order], np.arange(len(builders) + 1))
    pieces = [
        pc.cast(build(order[lo:hi]), _STR)
        for build, lo, hi in zip(builders, bounds[:-1], bounds[1:], strict=True)
    ]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pa.concat_arrays(pieces).take(inverse)


def _nulls(idx: np.ndarray) -> pa.Array:
    return pa.nulls(len(idx), _STR)


def _with_blanks(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    """Turn a ``share`` of the missing values into empty strings."""
    blank = np.asarray(pc.is_null(values)) & (rng.random(len(values)) < share)
    return pc.if_else(pa.array(blank), pa.scalar("", _STR), values)


_RESTYLES: tuple[Callable[[pa.Array], pa.Array], ...] = (
    lambda a: a,
    pc.utf8_upper,
    pc.utf8_lower,
    pc.utf8_capitalize,
    pc.utf8_title,
    lambda a: _cat(" ", a),
    lambda a: _cat(a, " "),
    lambda a: _cat("  ", a, " "),
)


def _restyle(rng: np.random.Generator, values: pa.Array, weights: Sequence[float]) -> pa.Array:
    """Change case or add spaces: as is, upper, lower, capitalized, title, padded (3 ways)."""
    variant = _weighted(rng, weights, len(values))

    def apply(style: Callable[[pa.Array], pa.Array]) -> Callable[[np.ndarray], pa.Array]:
        return lambda idx: style(values.take(idx))

    return _pick(variant, [apply(style) for style in _RESTYLES])


def _format_phones(
    rng: np.random.Generator, numbers: np.ndarray, weights: Sequence[float]
) -> pa.Array:
    """Ten-digit numbers (``-1``: missing) written in eight common formats."""
    variant = _weighted(rng, weights, len(numbers))
    variant[numbers < 0] = len(weights)

    def parts(idx: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
        num = numbers[idx]
        return _digits(num // 10**7, 3), _digits(num // 10**4 % 1000, 3), _digits(num % 10**4, 4)

    def fmt(*template: str | int) -> Callable[[np.ndarray], pa.Array]:
        def build(idx: np.ndarray) -> pa.Array:
            got = parts(idx)
            return _cat(*(got[t] if isinstance(t, int) else t for t in template))

        return build

    builders = [
        fmt("(", 0, ") ", 1, "-", 2),
        fmt(0, "-", 1, "-", 2),
        fmt(0, ".", 1, ".", 2),
        fmt("+1 ", 0, " ", 1, " ", 2),
        fmt(0, 1, 2),
        fmt("+1", 0, 1, 2),
        fmt("1-", 0, "-", 1, "-", 2),
        fmt(0, " ", 1, " ", 2),
        _nulls,
    ]
    return _pick(variant, builders)


def _typos(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
    """One typo per word (fixed-width unicode array, words of two or more characters).

    A typo swaps two neighbouring characters, drops one or replaces one by another
    letter of the same case.
    """
    n = len(words)
    width = words.dtype.itemsize // 4
    if n == 0 or width == 0:
        return words
    codes = words.view(np.uint32).reshape(n, width).copy()
    lengths = (codes > 0).sum(axis=1)
    op = rng.integers(0, 3, n)
    pos = np.minimum((rng.random(n) * lengths).astype(np.int64), lengths - 1)
    rows = np.arange(n)
    # swap: pos and pos + 1 (pos moved left at the last character)
    swap = op == 0
    left = np.minimum(pos, lengths - 2)[swap]
    a, b = codes[rows[swap], left], codes[rows[swap], left + 1]
    codes[rows[swap], left], codes[rows[swap], left + 1] = b, a
    # drop: shift the tail left by one
    drop = np.flatnonzero(op == 1)
    cols = np.arange(width)
    src = cols[None, :] + (cols[None, :] >= pos[drop, None])
    shifted = np.take_along_axis(codes[drop], np.minimum(src, width - 1), axis=1)
    shifted[src >= width] = 0
    codes[drop] = shifted
    # replace: another letter of the same case
    repl = np.flatnonzero(op == 2)
    cur = codes[repl, pos[repl]].astype(np.int64)
    upper = (cur >= ord("A")) & (cur <= ord("Z"))
    base = np.where(upper, ord("A"), ord("a"))
    letter = np.where((cur - base >= 0) & (cur - base < 26), cur - base, 0)
    codes[repl, pos[repl]] = base + (letter + rng.integers(1, 26, len(repl))) % 26
    return np.asarray(codes.reshape(-1).view(words.dtype))


def _hex(values: np.ndarray) -> pa.Array:
    """uint64 values as strings of 16 lowercase hex digits."""
    table = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
    raw = np.ascontiguousarray(values.astype(">u8")).view(np.uint8).reshape(-1, 8)
    return _from_fixed_width(np.ascontiguousarray(table[raw]).view("S16").reshape(-1))


def _from_fixed_width(values: np.ndarray) -> pa.Array:
    """A numpy ``S``/``U`` array as one Arrow string array (pyarrow may chunk large ones)."""
    converted = pa.array(values)
    if isinstance(converted, pa.ChunkedArray):
        converted = converted.combine_chunks()
    return converted.cast(_STR)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: a bijection of uint64, so distinct inputs stay distinct."""
    z = values.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)))


def _permuted_digits(values: np.ndarray, salt: int, modulus: int) -> np.ndarray:
    """A bijection of ``[0, modulus)`` (``modulus`` a power of ten times 9 or 10)."""
    return (values.astype(np.int64) * 2_654_435_761 + salt) % modulus


def _seconds_to_datetime(seconds: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = seconds.astype("datetime64[s]").astype("datetime64[ns]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _inject_junk(
    rng: np.random.Generator,
    rate: float,
    columns: dict[str, tuple[pa.Array, Sequence[str]]],
) -> dict[str, pa.Array]:
    """Put a placeholder into one identifier column of a ``rate`` share of the records."""
    names = list(columns)
    n = len(next(iter(columns.values()))[0])
    junk = rng.random(n) < rate
    column = rng.integers(0, len(names), n)
    choice = rng.random(n)
    out = {}
    for k, name in enumerate(names):  # the handful of identifier columns
        values, placeholders = columns[name]
        mask = junk & (column == k)
        picks = (choice[mask] * len(placeholders)).astype(np.int64)
        out[name] = pc.replace_with_mask(values, pa.array(mask), _vocab(placeholders).take(picks))
    return out


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    dtype = _string_dtype()
    data: dict[str, pd.Series] = {}
    for name, col in columns.items():  # a handful of columns
        if isinstance(col, (pa.Array, pa.ChunkedArray)):
            data[name] = pd.Series(dtype.__from_arrow__(col))
        else:  # numpy; object arrays stay object (no string inference)
            data[name] = pd.Series(col, dtype=col.dtype)
    frame: pd.DataFrame = pd.DataFrame(data)
    return frame


# -- population -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _People:
    first: np.ndarray  # index into _FIRST_NAMES
    last: np.ndarray  # index into _LAST_NAMES
    city: np.ndarray
    street: np.ndarray
    suffix: np.ndarray  # index into _STREET_SUFFIXES
    house: np.ndarray
    apt: np.ndarray  # 0: none
    zip_tail: np.ndarray
    birth: np.ndarray  # days since 1970-01-01
    mobile: np.ndarray  # ten-digit number
    second: np.ndarray  # ten-digit number or -1
    household: np.ndarray  # household number or -1
    emails: pa.Array  # lowercase addresses, grouped by person: primary, alternate, old
    email_start: np.ndarray
    email_count: np.ndarray
    in_crm: np.ndarray  # bool: the person is a CRM customer
    card: np.ndarray  # loyalty card number (ten digits) or -1

    def email_of(
        self, rng: np.random.Generator, persons: np.ndarray, primary: float, among: int = 3
    ) -> np.ndarray:
        """Index into ``emails``: the primary w.p. ``primary``, else one of the first ``among``."""
        count = np.minimum(self.email_count[persons], among)
        slot = (rng.random(len(persons)) * count).astype(np.int64)
        slot[rng.random(len(persons)) < primary] = 0
        return np.asarray(self.email_start[persons] + slot)

    def phone_of(
        self, rng: np.random.Generator, persons: np.ndarray, p_mobile: float
    ) -> np.ndarray:
        """The mobile w.p. ``p_mobile`` (household members: half), else the second number.

        A person without a second number gives the mobile.
        """
        second = self.second[persons]
        p_mobile_of = np.where(self.household[persons] >= 0, min(p_mobile, 0.5), p_mobile)
        use_second = (rng.random(len(persons)) >= p_mobile_of) & (second >= 0)
        return np.asarray(np.where(use_second, second, self.mobile[persons]))


def _households(
    rng: np.random.Generator, n: int, rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members, their household number and their household's first member."""
    target = round(rate * n)
    sizes = rng.integers(2, 5, size=target // 2 + 1)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), target, side="right")]
    members = rng.permutation(n)[: int(sizes.sum())]
    household = np.repeat(np.arange(len(sizes)), sizes)
    heads = members[np.cumsum(sizes) - sizes]
    return members, household, heads[household]


def _phone_numbers(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """Distinct valid US numbers, mostly with an area code of the given city."""
    local = [np.array(codes.split(), dtype=np.int64) for _, _, codes in _CITIES]
    count = np.array([len(c) for c in local])
    start = np.cumsum(count) - count
    flat = np.concatenate(local)
    n = len(city)
    area = flat[start[city] + (rng.random(n) * count[city]).astype(np.int64)]
    moved = rng.random(n) < 0.15
    area[moved] = flat[rng.integers(0, len(flat), int(moved.sum()))]

    def draw(k: int) -> np.ndarray:
        return _EXCHANGES[rng.integers(0, len(_EXCHANGES), k)] * 10**4 + rng.integers(0, 10**4, k)

    numbers = area * 10**7 + draw(n)
    for _ in range(100):  # a few rounds redraw the rare collisions
        _, first = np.unique(numbers, return_index=True)
        again = np.ones(n, dtype=bool)
        again[first] = False
        if not again.any():
            return np.asarray(numbers)
        numbers[again] = area[again] * 10**7 + draw(int(again.sum()))
    msg = "could not draw distinct phone numbers"  # pragma: no cover - 10**9 numbers per city
    raise RuntimeError(msg)  # pragma: no cover


def _email_addresses(
    rng: np.random.Generator, first: np.ndarray, last: np.ndarray, birth: np.ndarray
) -> pa.Array:
    """Lowercase addresses from name parts; a repeated address gets a ``.N`` suffix."""
    n = len(first)
    f_slug = _vocab(["".join(c for c in s.lower() if c.isalpha()) for s in _FIRST_NAMES])
    l_slug = _vocab(["".join(c for c in s.lower() if c.isalpha()) for s in _LAST_NAMES])
    f_init = pc.utf8_slice_codeunits(f_slug, 0, 1)
    l_init = pc.utf8_slice_codeunits(l_slug, 0, 1)
    year = (1970 + birth // 365.2425).astype(np.int64)
    pattern = _weighted(rng, (20, 12, 6, 14, 12, 10, 6, 10, 10), n)
    number = rng.integers(1, 100, n)

    def fn(idx: np.ndarray) -> pa.Array:
        return f_slug.take(first[idx])

    def ln(idx: np.ndarray) -> pa.Array:
        return l_slug.take(last[idx])

    builders: list[Callable[[np.ndarray], pa.Array]] = [
        lambda i: _cat(fn(i), ".", ln(i)),
        lambda i: _cat(fn(i), ln(i)),
        lambda i: _cat(fn(i), "_", ln(i)),
        lambda i: _cat(f_init.take(first[i]), ln(i)),
        lambda i: _cat(fn(i), ".", ln(i), _digits(year[i] % 100, 2)),
        lambda i: _cat(fn(i), l_init.take(last[i]), _digits(number[i], 2)),
        lambda i: _cat(ln(i), ".", fn(i)),
        lambda i: _cat(fn(i), _digits(year[i], 4)),
        lambda i: _cat(ln(i), f_init.take(first[i]), _digits(number[i], 1)),
    ]
    local = _pick(pattern, builders)
    domains = _vocab([d for d, _ in _EMAIL_DOMAINS])
    domain = domains.take(_weighted(rng, [w for _, w in _EMAIL_DOMAINS], n))
    emails = _cat(local, "@", domain)
    # Rank of each address among equal ones; the second holder of an address gets ".1".
    # No base pattern ends in "." followed by digits only, so suffixed addresses are new.
    codes = np.asarray(pc.dictionary_encode(emails).indices, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    lengths = np.diff(np.r_[starts, n])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, lengths)
    again = rank > 0
    if again.any():
        where = np.flatnonzero(again)
        fixed = _cat(local.take(where), ".", _digits(rank[where], 1), "@", domain.take(where))
        emails = pc.replace_with_mask(emails, pa.array(again), fixed)
    return emails


def _people(rng: np.random.Generator, config: CustomerConfig) -> _People:
    n = config.n_persons
    first = _zipf(rng, len(_FIRST_NAMES), n)
    last = _zipf(rng, len(_LAST_NAMES), n)
    city = _zipf(rng, len(_CITIES), n, offset=4.0)
    street = rng.integers(0, len(_STREETS), n)
    suffix = _zipf(rng, len(_STREET_SUFFIXES), n, offset=2.0)
    house = np.minimum(rng.geometric(1 / 600, n), 9999)
    apt = np.where(rng.random(n) < 0.25, rng.integers(1, 40, n), 0)
    zip_tail = rng.integers(0, 100, n)
    birth = rng.integers(*_BIRTH_DAYS, size=n)

    members, household, heads = _households(rng, n, config.household_rate)
    for arr in (city, street, suffix, house, apt, zip_tail):  # a household shares its address
        arr[members] = arr[heads]
    same_name = rng.random(len(members)) < 0.7
    last[members[same_name]] = last[heads[same_name]]
    household_of = np.full(n, -1, dtype=np.int64)
    household_of[members] = household

    # phones: a mobile each, a second line for some, one landline per household
    has_second = (rng.random(n) < 0.25) & (household_of < 0)
    n_households = int(household.max()) + 1 if len(household) else 0
    head_of = np.empty(n_households, dtype=np.int64)
    head_of[household] = heads
    numbers = _phone_numbers(rng, np.concatenate([city, city[has_second], city[head_of]]))
    mobile = numbers[:n]
    second = np.full(n, -1, dtype=np.int64)
    k = int(has_second.sum())
    second[has_second] = numbers[n : n + k]
    second[members] = numbers[n + k :][household]

    email_count = 1 + _weighted(rng, (0.5, 0.35, 0.15), n)
    owner = np.repeat(np.arange(n), email_count)
    emails = _email_addresses(rng, first[owner], last[owner], birth[owner])

    # CRM customers; loyalty cards are registered in the CRM, so only customers hold one
    in_crm = rng.random(n) < _P_CRM
    card_salt = int(rng.integers(0, 10**10))
    holds_card = in_crm & (rng.random(n) < _P_CARD)
    card = np.where(holds_card, _permuted_digits(np.arange(n), card_salt, 10**10), -1)
    return _People(
        first=first,
        last=last,
        city=city,
        street=street,
        suffix=suffix,
        house=house,
        apt=apt,
        zip_tail=zip_tail,
        birth=birth,
        mobile=mobile,
        second=second,
        household=household_of,
        emails=emails,
        email_start=np.cumsum(email_count) - email_count,
        email_count=email_count,
        in_crm=in_crm,
        card=card,
    )


# -- sources ----------------------------------------------------------------------------
def _address(
    rng: np.random.Generator,
    street: np.ndarray,
    suffix: np.ndarray,
    house: np.ndarray,
    apt: np.ndarray,
) -> pa.Array:
    """Street lines such as ``"412 Maple St"`` or ``"8 Oak Avenue Apt 12"``."""
    n = len(street)
    # The suffix is spelled short ("St") or long ("Street"), varying per record.
    spelled = np.where(rng.random(n) < 0.75, 0, 1)
    suffixes = _vocab([s for pair in _STREET_SUFFIXES for s in pair])
    line = _cat(
        pc.cast(pa.array(house), _STR),
        " ",
        _vocab(_STREETS).take(street),
        " ",
        suffixes.take(suffix * 2 + spelled),
    )
    has_apt = apt > 0
    apt_text = _cat(" Apt ", pc.cast(pa.array(apt), _STR))
    return _cat(line, pc.if_else(pa.array(has_apt), apt_text, pa.scalar("", _STR)))


def _names(
    rng: np.random.Generator,
    vocabulary: tuple[str, ...],
    index: np.ndarray,
    typo: np.ndarray,
) -> pa.Array:
    words = np.array(vocabulary)
    names = _vocab(vocabulary).take(index)
    if typo.any():
        wrong = _typos(rng, words[index[typo]])
        names = pc.replace_with_mask(names, pa.array(typo), _from_fixed_width(wrong))
    return _restyle(rng, names, (93, 4, 1, 0, 0, 0, 2, 0))


def _crm(
    rng: np.random.Generator, config: CustomerConfig, p: _People
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    n = config.n_persons
    twice = p.in_crm & (rng.random(n) < config.duplicate_rate)
    person = np.concatenate([np.flatnonzero(p.in_crm), np.flatnonzero(twice)])
    is_dup = np.repeat([False, True], [int(p.in_crm.sum()), int(twice.sum())])
    order = rng.permutation(len(person))
    person, is_dup = person[order], is_dup[order]
    size = len(person)
    first = ~is_dup

    # The customer record holds the person's contact data side by side: primary and
    # alternate email, mobile and home phone (own second line or household landline),
    # loyalty card. Each is filled with its _CRM_FILLED chance.
    filled = {k: rng.random(size) < v for k, v in _CRM_FILLED.items()}
    start, count = p.email_start[person], p.email_count[person]
    mobile, second = p.mobile[person], p.second[person]
    email = np.where(filled["email"], start, -1)
    alt_email = np.where(first & filled["alt_email"] & (count > 1), start + 1, -1)
    phone = np.where(filled["phone"], mobile, -1)
    home_phone = np.where(first & filled["home_phone"], second, -1)
    card = np.where(first & filled["card"], p.card[person], -1)

    # The duplicate, entered without finding the first: the primary (35 %), another
    # (35 %) or no (30 %) email; the mobile (45 %), the second number (30 %) or no
    # (25 %) phone; no alternate email, home phone or card.
    u = rng.random(size)
    other_slot = (1 + (rng.random(size) * (count - 1)).astype(np.int64)) % count
    email = np.where(is_dup & (u < 0.35), start + other_slot, email)
    email = np.where(is_dup & (u >= 0.35) & (u < 0.65), -1, email)
    u = rng.random(size)
    phone = np.where(is_dup & (u < 0.3), np.where(second >= 0, second, mobile), phone)
    phone = np.where(is_dup & (u >= 0.3) & (u < 0.55), -1, phone)

    # names: typos at typo_rate per field, plus one at 5 x typo_rate on duplicates
    extra = is_dup & (rng.random(size) < min(1.0, 5 * config.typo_rate))
    field = rng.integers(0, 2, size)
    typo_first = (rng.random(size) < config.typo_rate) | (extra & (field == 0))
    typo_last = (rng.random(size) < config.typo_rate) | (extra & (field == 1))
    first_name = _names(rng, _FIRST_NAMES, p.first[person], typo_first)
    last_name = _names(rng, _LAST_NAMES, p.last[person], typo_last)

    # address: duplicates moved house in 15 % of cases
    city, street, suffix = p.city[person], p.street[person], p.suffix[person]
    house = p.house[person]
    apt, zip_tail = p.apt[person], p.zip_tail[person]
    moved = np.flatnonzero(is_dup & (rng.random(size) < 0.15))
    city[moved] = _zipf(rng, len(_CITIES), len(moved), offset=4.0)
    street[moved] = rng.integers(0, len(_STREETS), len(moved))
    suffix[moved] = _zipf(rng, len(_STREET_SUFFIXES), len(moved), offset=2.0)
    house[moved] = rng.integers(1, 2000, len(moved))
    apt[moved] = 0
    zip_tail[moved] = rng.integers(0, 100, len(moved))

    # birth date: 3 % missing; duplicates off by a day, a month or a year in 5 %
    birth = p.birth[person].copy()
    shift = np.array([-365, -30, -1, 1, 30, 365])[rng.integers(0, 6, size)]
    birth = np.where(is_dup & (rng.random(size) < 0.05), birth + shift, birth)
    no_birth = rng.random(size) < 0.03

    def email_text(index: np.ndarray) -> pa.Array:
        text = pc.if_else(
            pa.array(index >= 0), p.emails.take(np.maximum(index, 0)), pa.scalar(None, _STR)
        )
        return _with_blanks(rng, _restyle(rng, text, (88, 2, 0, 6, 0, 1, 3, 0)), 0.2)

    def phone_text(numbers: np.ndarray) -> pa.Array:
        return _with_blanks(rng, _format_phones(rng, numbers, (50, 30, 0, 0, 10, 10, 0, 0)), 0.2)

    card_text = pc.if_else(
        pa.array(card >= 0), _cat("60", _digits(np.maximum(card, 0), 10)), pa.scalar(None, _STR)
    )
    junked = _inject_junk(
        rng,
        config.junk_rate,
        {
            "email": (email_text(email), _JUNK_EMAILS),
            "alt_email": (email_text(alt_email), _JUNK_EMAILS),
            "phone": (phone_text(phone), _JUNK_PHONES),
            "home_phone": (phone_text(home_phone), _JUNK_PHONES),
            "loyalty_card": (card_text, _JUNK_CARDS),
        },
    )
    updated = rng.integers(*_CRM_WINDOW, size=size)
    frame = _frame(
        {
            "customer_id": _customer_ids(np.arange(size)),
            "first_name": first_name,
            "last_name": last_name,
            "email": junked["email"],
            "alt_email": junked["alt_email"],
            "phone": junked["phone"],
            "home_phone": junked["home_phone"],
            "loyalty_card": junked["loyalty_card"],
            "address": _address(rng, street, suffix, house, apt),
            "city": _vocab([c for c, _, _ in _CITIES]).take(city),
            "postcode": _cat(_vocab([z for _, z, _ in _CITIES]).take(city), _digits(zip_tail, 2)),
            "birth_date": _seconds_to_datetime(birth * _DAY, no_birth),
            "updated_at": _seconds_to_datetime(updated),
        }
    )
    return frame, person, is_dup


def _customer_ids(rows: np.ndarray) -> pa.Array:
    """CRM customer ids of CRM row positions: ``"C00000001"`` for row 0."""
    return _cat("C", _digits(rows + 1, 8))


def _web(
    rng: np.random.Generator, config: CustomerConfig, p: _People
) -> tuple[pd.DataFrame, np.ndarray]:
    n = config.n_persons
    n_cookies = np.where(
        rng.random(n) < _P_WEB, np.asarray(_COOKIE_COUNTS)[_weighted(rng, _COOKIE_PROBS, n)], 0
    )
    owner = np.repeat(np.arange(n), n_cookies)
    n_c = len(owner)
    n_devices = 1 + (rng.random(n) < 0.4)
    device_start = np.cumsum(n_devices) - n_devices
    device = device_start[owner] + (rng.random(n_c) * n_devices[owner]).astype(np.int64)
    # An anonymous cookie never logs in and is a browser cookie (no advertising id): no
    # evidence ties it to a person. The others log in to the person's web account with
    # its email (the primary address, else the alternate one); the account holds the
    # person's mobile for some persons, sent along on some login rows.
    anonymous = rng.random(n_c) < config.anonymous_rate
    app = ~anonymous & (rng.random(n_c) < 0.3)
    login_email = p.email_of(rng, owner, primary=_LOGIN_PRIMARY, among=2)
    account_phone = rng.random(n) < _P_ACCOUNT_PHONE
    first_seen = rng.integers(_WINDOW[0], _WINDOW[1] - 90 * _DAY, size=n_c)

    rows = 1 + rng.poisson(_WEB_EXTRA_ROWS, n_c)
    cookie = np.repeat(np.arange(n_c), rows)
    seen = first_seen[cookie] + rng.integers(0, 90 * _DAY, len(cookie))
    order = np.argsort(seen, kind="stable")
    cookie, seen = cookie[order], seen[order]
    size = len(cookie)

    # cookie ids in the style of Google Analytics: GA1.2.<random>.<first seen>
    salt, device_salt = (int(s) for s in rng.integers(0, 2**62, 2))
    client = 10**9 + _permuted_digits(np.arange(n_c), salt % 10**9, 9 * 10**9)
    cookie_ids = _cat(
        "GA1.2.", pc.cast(pa.array(client), _STR), ".", pc.cast(pa.array(first_seen), _STR)
    )
    # device ids: advertising ids (uuid form), uppercase on iOS, lowercase on Android
    n_dev = int(n_devices.sum())
    dev_index = np.arange(n_dev, dtype=np.uint64) * np.uint64(2) + np.uint64(device_salt)
    hi = _hex(_mix64(dev_index))
    lo = _hex(_mix64(dev_index + np.uint64(1)))
    device_ids = _cat(
        pc.utf8_slice_codeunits(hi, 0, 8), "-", pc.utf8_slice_codeunits(hi, 8, 12), "-4",
        pc.utf8_slice_codeunits(hi, 13, 16), "-", pc.utf8_slice_codeunits(lo, 0, 4), "-",
        pc.utf8_slice_codeunits(lo, 4, 16),
    )  # fmt: skip
    ios = rng.random(n_dev) < 0.5
    device_ids = pc.if_else(pa.array(ios), pc.utf8_upper(device_ids), device_ids)

    has_device = app[cookie] & (rng.random(size) < 0.95)
    device_col = pc.if_else(
        pa.array(has_device), device_ids.take(device[cookie]), pa.scalar(None, _STR)
    )
    first_row = np.zeros(size, dtype=bool)
    first_row[np.unique(cookie, return_index=True)[1]] = True
    has_email = ~anonymous[cookie] & (first_row | (rng.random(size) < 0.3))
    email_col = pc.if_else(
        pa.array(has_email), p.emails.take(login_email[cookie]), pa.scalar(None, _STR)
    )
    email_col = _restyle(rng, email_col, (45, 10, 0, 15, 10, 8, 8, 4))
    person = owner[cookie]
    has_phone = has_email & account_phone[person] & (rng.random(size) < _LOGIN_PHONE)
    phone_col = _format_phones(
        rng, np.where(has_phone, p.mobile[person], -1), (10, 0, 0, 40, 0, 50, 0, 0)
    )
    junked = _inject_junk(
        rng,
        config.junk_rate,
        {
            "email": (email_col, _JUNK_EMAILS),
            "phone": (phone_col, _JUNK_PHONES),
            "cookie_id": (cookie_ids.take(cookie), _JUNK_COOKIES),
        },
    )
    frame = _frame(
        {
            "event_id": np.arange(1, size + 1, dtype=np.int64),
            "cookie_id": junked["cookie_id"],
            "device_id": device_col,
            "email": junked["email"],
            "phone": junked["phone"],
            "seen_at": _seconds_to_datetime(seen),
            "page": _vocab(_PAGES).take(_zipf(rng, len(_PAGES), size, offset=2.0)),
        }
    )
    return frame, person


def _pos(
    rng: np.random.Generator, config: CustomerConfig, p: _People
) -> tuple[pd.DataFrame, np.ndarray]:
    n = config.n_persons
    person = np.repeat(np.arange(n), rng.poisson(_POS_MEAN, n))
    size = len(person)
    bought = rng.integers(*_WINDOW, size=size)
    order = np.argsort(bought, kind="stable")
    person, bought = person[order], bought[order]

    # An anonymous transaction carries neither card nor phone. The others are identified
    # at the till: card holders mostly scan their card, and a phone number is given
    # besides it sometimes, always when no card is scanned.
    anonymous = rng.random(size) < config.anonymous_rate
    card = p.card[person]
    show_card = ~anonymous & (card >= 0) & (rng.random(size) < _POS_CARD)
    give_phone = ~anonymous & (~show_card | (rng.random(size) < _POS_PHONE))
    card_text = _cat("60", _digits(np.maximum(card, 0), 10))
    card_col = pc.if_else(pa.array(show_card), card_text, pa.scalar(None, _STR))

    phone = p.phone_of(rng, person, p_mobile=0.9)
    phone[~give_phone] = -1
    phone_col = _format_phones(rng, phone, (25, 20, 15, 10, 15, 5, 5, 5))

    stores_per_city = 2
    home = rng.random(size) < 0.8
    store_city = np.where(home, p.city[person], _zipf(rng, len(_CITIES), size, offset=4.0))
    store = store_city * stores_per_city + rng.integers(0, stores_per_city, size)
    store_names = _vocab([f"{c} #{k + 1}" for c, _, _ in _CITIES for k in range(stores_per_city)])
    junked = _inject_junk(
        rng,
        config.junk_rate,
        {"phone": (phone_col, _JUNK_PHONES), "loyalty_card": (card_col, _JUNK_CARDS)},
    )
    frame = _frame(
        {
            "transaction_id": np.arange(1, size + 1, dtype=np.int64),
            "phone": junked["phone"],
            "loyalty_card": junked["loyalty_card"],
            "order_total": np.round(rng.lognormal(3.6, 0.8, size), 2),
            "purchased_at": _seconds_to_datetime(bought),
            "store": store_names.take(store),
        }
    )
    return frame, person


def _support(
    rng: np.random.Generator,
    config: CustomerConfig,
    p: _People,
    crm_person: np.ndarray,
    crm_is_dup: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    n = config.n_persons
    person = np.repeat(np.arange(n), rng.poisson(_SUPPORT_MEAN, n))
    size = len(person)
    opened = rng.integers(*_WINDOW, size=size)
    order = np.argsort(opened, kind="stable")
    person, opened = person[order], opened[order]

    # A ticket opened by email carries the sender's address (any of the person's) and
    # sometimes a phone number; one opened by phone carries the number and sometimes
    # an email. Agents attach the CRM customer id to many tickets of customers,
    # picking the duplicate record in 3 of 10 cases when there is one.
    by_email = rng.random(size) < _SUPPORT_BY_EMAIL
    has_email = by_email | (rng.random(size) < 0.4)
    has_phone = ~by_email | (rng.random(size) < 0.35)
    email = p.email_of(rng, person, primary=0.6)
    email_col = pc.if_else(pa.array(has_email), p.emails.take(email), pa.scalar(None, _STR))
    email_col = _with_blanks(rng, _restyle(rng, email_col, (60, 8, 0, 10, 7, 5, 8, 2)), 0.15)
    phone = p.phone_of(rng, person, p_mobile=0.8)
    phone[~has_phone] = -1
    phone_col = _format_phones(rng, phone, (30, 25, 10, 10, 15, 5, 0, 5))

    first_row = np.full(n, -1, dtype=np.int64)
    dup_row = np.full(n, -1, dtype=np.int64)
    first_row[crm_person[~crm_is_dup]] = np.flatnonzero(~crm_is_dup)
    dup_row[crm_person[crm_is_dup]] = np.flatnonzero(crm_is_dup)
    use_dup = (dup_row[person] >= 0) & (rng.random(size) < 0.3)
    row = np.where(use_dup, dup_row[person], first_row[person])
    row[rng.random(size) >= _SUPPORT_CUSTOMER_ID] = -1
    customer_col = pc.if_else(
        pa.array(row >= 0), _customer_ids(np.maximum(row, 0)), pa.scalar(None, _STR)
    )
    status = np.where(rng.random(size) < 0.2, 0, 1)
    junked = _inject_junk(
        rng,
        config.junk_rate,
        {"email": (email_col, _JUNK_EMAILS), "phone": (phone_col, _JUNK_PHONES)},
    )
    frame = _frame(
        {
            "ticket_id": np.arange(1, size + 1, dtype=np.int64),
            "customer_id": customer_col,
            "email": junked["email"],
            "phone": junked["phone"],
            "status": _vocab(("open", "closed")).take(status),
            "opened_at": _seconds_to_datetime(opened),
            "subject": _vocab(_SUBJECTS).take(_zipf(rng, len(_SUBJECTS), size, offset=3.0)),
        }
    )
    return frame, person


def _generate(config: CustomerConfig) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    rng = np.random.default_rng(config.seed)
    people = _people(rng, config)
    crm, crm_person, crm_is_dup = _crm(rng, config, people)
    web = _web(rng, config, people)
    pos = _pos(rng, config, people)
    support = _support(rng, config, people, crm_person, crm_is_dup)
    made = {"crm": (crm, crm_person), "web": web, "pos": pos, "support": support}
    sources = {name: made[name][0] for name in SOURCES}
    persons = [made[name][1] for name in SOURCES]

    sizes = [len(sources[name]) for name in SOURCES]
    record_id = np.empty(sum(sizes), dtype=object)
    start = 0
    for name, size in zip(SOURCES, sizes, strict=True):
        ids = sources[name][RECORD_ID_COLUMNS[name]].to_numpy()
        record_id[start : start + size] = ids if ids.dtype == object else ids.astype(object)
        start += size
    source = _vocab(SOURCES).take(np.repeat(np.arange(len(SOURCES)), sizes))
    truth = _frame(
        {
            "source": source,
            "record_id": record_id,
            "person": np.concatenate(persons).astype(np.int64),
        }
    )
    return sources, truth
