"""Shared hypothesis strategies for identigraph's tests."""

from __future__ import annotations

# --- graphs -------------------------------------------------------------------------------
from hypothesis import strategies as st


@st.composite
def edge_lists(draw: st.DrawFn, max_nodes: int = 30) -> tuple[int, list[tuple[int, int]]]:
    """A node count and a list of undirected edges (self-loops and repeats allowed)."""
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    node = st.integers(min_value=0, max_value=n - 1)
    edges = draw(st.lists(st.tuples(node, node), max_size=3 * n))
    return n, edges


def reference_partition(n: int, edges: list[tuple[int, int]]) -> set[frozenset[int]]:
    """Components by a plain union-find, the reference for the vectorized engine."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, set[int]] = {}
    for x in range(n):
        groups.setdefault(find(x), set()).add(x)
    return {frozenset(g) for g in groups.values()}


@st.composite
def record_sources(
    draw: st.DrawFn, max_records: int = 25
) -> list[tuple[str, list[tuple[str, str | None, str | None, str | None]]]]:
    """Sources of records with small vocabularies of emails, phones and cookies.

    Each record is ``(record_id, email, phone, cookie)``; ``None`` and junk-free
    values only, so every shared value is real evidence.
    """
    emails = st.sampled_from([None, "ann@mail.com", "BOB@mail.com ", "cy@web.de", "dee@corp.io"])
    phones = st.sampled_from([None, "201-555-0123", "(212) 555-0199", "+1 415 555 0100"])
    cookies = st.sampled_from([None, "", "c1", "c2", "c3", "c4", "c5"])
    n_sources = draw(st.integers(min_value=1, max_value=3))
    out = []
    for s in range(n_sources):
        n = draw(st.integers(min_value=0, max_value=max_records))
        rows = [(f"r{i}", draw(emails), draw(phones), draw(cookies)) for i in range(n)]
        out.append((f"src{s}", rows))
    return out


# --- phone numbers ------------------------------------------------------------------------
# Numbers as people type them: national significant numbers drawn from phonenumbers' own
# type patterns (valid ones and near misses), written nationally or internationally with
# assorted separators, and spoilt with extensions, letters, other digit scripts and junk.
import re  # noqa: E402
from functools import cache  # noqa: E402
from itertools import pairwise  # noqa: E402

import phonenumbers  # noqa: E402

#: Regions the phone property tests parse with (``None`` is tested beside them).
PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN", "BR", "AU", "IT")
_PHONE_TYPES = (
    "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
    "personal_number", "pager", "uan", "voicemail",
)  # fmt: skip
_PHONE_SEPARATORS = ("", " ", " ", "-", ".", "/", "  ", " - ", ". ")
#: Decimal digits of other scripts: Arabic-Indic, fullwidth, extended Arabic-Indic.
_OTHER_DIGITS = tuple("".join(map(chr, range(zero, zero + 10))) for zero in (0x660, 0xFF10, 0x6F0))
_LABELS = ("tel:", "Tel: ", "Phone - ", "mob.", "n/a ", "x", "ext ", "(h) ", "tel:;phone-context=",
           "\uff0b", "Fax: *")  # fmt: skip
_EXTENSIONS = (" x", "x", " ext. ", " Ext ", " EXT", "#", " # ", " extension: ", " extn ",
               " x.", " int ", ";ext=", ",,", " X")  # fmt: skip


@cache
def _type_numbers(region: str) -> st.SearchStrategy[str]:
    """National significant numbers matching one of ``region``'s number-type patterns."""
    md = phonenumbers.PhoneMetadata.metadata_for_region(region)
    patterns = {
        desc.national_number_pattern
        for name in _PHONE_TYPES
        if (desc := getattr(md, name)) is not None and desc.national_number_pattern
    }
    return st.one_of(
        *(st.from_regex(re.compile(p, re.ASCII), fullmatch=True) for p in sorted(patterns))
    )


@st.composite
def _national_number(draw: st.DrawFn, region: str) -> str:
    """A number of ``region``'s plan, or one a digit or two away from it."""
    digits = list(draw(_type_numbers(region)))
    change = draw(st.sampled_from(["none", "none", "digit", "longer", "shorter"]))
    if change == "digit":
        digits[draw(st.integers(0, len(digits) - 1))] = draw(st.sampled_from("0123456789"))
    elif change == "longer":
        digits.insert(draw(st.integers(0, len(digits))), draw(st.sampled_from("0123456789")))
    elif change == "shorter" and len(digits) > 1:
        del digits[draw(st.integers(0, len(digits) - 1))]
    return "".join(digits)


@st.composite
def _grouped(draw: st.DrawFn, digits: str) -> str:
    """``digits`` cut into groups joined by separators, the first maybe in parentheses."""
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(digits) - 1)), max_size=4)))
    bounds = [0, *cuts, len(digits)]
    groups = [digits[a:b] for a, b in pairwise(bounds) if digits[a:b]] or [""]
    if len(groups) > 1 and draw(st.integers(0, 4)) == 0:
        groups[0] = f"({groups[0]})"
    seps = draw(st.lists(st.sampled_from(_PHONE_SEPARATORS), min_size=len(groups) - 1,
                         max_size=len(groups) - 1))  # fmt: skip
    return groups[0] + "".join(s + g for s, g in zip(seps, groups[1:], strict=True))


@st.composite
def phone_numbers(draw: st.DrawFn, regions: tuple[str, ...] = PHONE_REGIONS) -> str:
    """A phone number of one of ``regions`` in a national or international spelling.

    Forms: national with or without the trunk prefix, ``+CC``, ``+CC (0)``, ``00CC``,
    ``011 CC``, ``CC`` without ``+``; then, now and again, a label before it, an
    extension, a stray letter or sign, or the digits in another script.
    """
    region = draw(st.sampled_from(regions))
    md = phonenumbers.PhoneMetadata.metadata_for_region(region)
    cc, trunk = str(md.country_code), md.national_prefix or ""
    body = draw(_grouped(draw(_national_number(region))))
    space = draw(st.sampled_from(["", " ", "-", "."]))
    text = draw(
        st.sampled_from(
            [
                body,
                trunk + body,
                f"({trunk}{body[:3]}){body[3:]}",
                f"+{cc}{space}{body}",
                f"+{cc} ({trunk}){body}",
                f"+{cc}{space}{trunk}{body}",
                f"00{space}{cc}{space}{body}",
                f"011{space}{cc}{space}{body}",
                f"{cc}{space}{body}",
                f"{cc}{trunk}{body}",
            ]
        )
    )
    spoil = draw(st.sampled_from(["none"] * 8 + ["label", "extension", "insert", "script"]))
    if spoil == "label":
        text = draw(st.sampled_from(_LABELS)) + text
    elif spoil == "extension":
        digits = draw(st.text("0123456789", max_size=12))
        text += draw(st.sampled_from(_EXTENSIONS)) + digits
    elif spoil == "insert":
        at = draw(st.integers(0, len(text)))
        extra = draw(st.sampled_from(["a", "X", "--", "+", "tel:", "#", "*", "\t", "\xa0", "~"]))
        text = text[:at] + extra + text[at:]
    elif spoil == "script":
        text = text.translate(str.maketrans("0123456789", draw(st.sampled_from(_OTHER_DIGITS))))
    return text


#: Short strings of phone-number characters: digit runs, signs, separators, letters.
phone_like_texts = st.text(alphabet="0123456789+-. ()/x#", max_size=22)

#: Anything a phone column may hold: numbers in many spellings, near misses, junk.
phone_strings = st.one_of(
    phone_numbers(),
    phone_numbers(tuple(sorted(phonenumbers.SUPPORTED_REGIONS))),
    phone_like_texts,
    st.text(max_size=20),
)


# --- guards: graphs with per-person limits ------------------------------------------------
#: Identifier columns of :func:`limited_graphs` and the kind each holds.
GUARD_KINDS: tuple[str, ...] = ("crm_id", "email", "cookie")
_GUARD_VOCAB: dict[str, list[str | None]] = {
    "crm_id": [None, None, "K1", "K2", "K3", "K4", "K5", "K6"],
    "email": [None, "ann@mail.com", "bob@mail.com", "cy@web.de", "dee@corp.io", "eve@x.org"],
    "cookie": [None, "c1", "c2", "c3", "c4", "c5"],
}


@st.composite
def limited_graphs(draw: st.DrawFn, max_records: int = 24) -> dict[str, object]:
    """Records sharing a few values, per-kind limits, and match edges between them.

    Returns a dict: ``rows`` (``(record_id, crm_id, email, cookie)``, one value or
    ``None`` per kind), ``limits`` and ``max_records`` (kind -> ``int`` or ``None``)
    and ``matches`` (``(i, j, probability)`` between row positions, ``i != j``).
    """
    n = draw(st.integers(min_value=1, max_value=max_records))
    rows = [
        (f"r{i}", *(draw(st.sampled_from(_GUARD_VOCAB[k])) for k in GUARD_KINDS)) for i in range(n)
    ]
    limits = {k: draw(st.one_of(st.none(), st.integers(1, 3))) for k in GUARD_KINDS}
    generic = {k: draw(st.sampled_from([None, None, 4, 8])) for k in GUARD_KINDS}
    matches: list[tuple[int, int, float]] = []
    if n > 1:
        pair = st.tuples(
            st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from([0.6, 0.8, 0.8, 0.95])
        ).filter(lambda t: t[0] != t[1])
        matches = draw(st.lists(pair, max_size=n // 2))
    return {"rows": rows, "limits": limits, "max_records": generic, "matches": matches}


# --- merge: records with person clusters --------------------------------------------------
import pandas as pd  # noqa: E402

#: Sources of :func:`merge_frames`.
MERGE_SOURCES: tuple[str, ...] = ("app", "crm", "pos", "web")
_MERGE_NAMES = [None, None, "", "  ", "Ann", "ann", "Anne", "Ann ", "Bob", "Robert", "Zoë"]
_MERGE_DAY = pd.Timestamp("2024-01-01")


@st.composite
def merge_frames(
    draw: st.DrawFn, max_records: int = 16, *, string_ids: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A records frame and its clusters frame (same rows, same order).

    Records: ``source``, ``record_id`` (integers, also repeated across sources;
    with ``string_ids`` some sources use strings instead), ``name`` (strings with
    nulls, blanks and near duplicates), ``score`` (floats with NaN and many ties),
    ``ts`` (datetimes with NaT), ``qty`` (integers, never null). Clusters put the
    records into a few persons.
    """
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(MERGE_SOURCES), st.integers(0, 12)),
            max_size=max_records,
            unique=True,
        )
    )
    n = len(keys)
    as_text = draw(st.sets(st.sampled_from(MERGE_SOURCES))) if string_ids else set()
    ids = [f"id{i:02d}" if s in as_text else i for s, i in keys]

    def column(values: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(values, min_size=n, max_size=n))

    days = st.one_of(st.none(), st.integers(0, 4).map(lambda d: _MERGE_DAY + pd.Timedelta(days=d)))
    records = pd.DataFrame(
        {
            "source": pd.Series([s for s, _ in keys], dtype="str"),
            "record_id": pd.Series(ids, dtype=object if as_text else "int64"),
            "name": pd.Series(column(st.sampled_from(_MERGE_NAMES)), dtype="str"),
            "score": pd.Series(
                column(st.sampled_from([None, 1.0, 2.0, 2.0, 3.5])), dtype="float64"
            ),
            "ts": pd.Series(column(days), dtype="datetime64[ns]"),
            "qty": pd.Series(column(st.integers(-3, 3)), dtype="int64"),
        }
    )
    persons = column(st.integers(0, max(1, n // 3)))
    clusters = pd.DataFrame(
        {
            "source": records["source"],
            "record_id": records["record_id"],
            "person_id": pd.Series(persons, dtype="int64").mul(10).add(7),
        }
    )
    return records, clusters


# --- activation -----------------------------------------------------------------------------
@st.composite
def activation_worlds(draw: st.DrawFn, max_persons: int = 8) -> dict[str, object]:
    """Resolved records of two sources and fact rows about them.

    ``clusters``: ``source, record_id, person_id`` with str ids for ``crm`` and int
    ids for ``pos``. ``facts``: ``source, record_id, day, status`` rows, ``day`` an
    offset in days before 2024-03-01.
    """
    n_persons = draw(st.integers(min_value=1, max_value=max_persons))
    owners = draw(
        st.lists(
            st.tuples(st.sampled_from(["crm", "pos"]), st.integers(0, n_persons - 1)),
            min_size=1,
            max_size=3 * n_persons,
        )
    )
    sources = [s for s, _ in owners]
    ids: list[object] = [f"C{i}" if s == "crm" else 100 + i for i, s in enumerate(sources)]
    persons = [1000 + 7 * p for _, p in owners]
    n = len(owners)
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, 40),
                st.sampled_from(["open", "closed"]),
            ),
            max_size=4 * n,
        )
    )
    return {
        "sources": sources,
        "ids": ids,
        "persons": persons,
        "facts": [(sources[r], ids[r], day, status) for r, day, status in rows],
    }


# --- compare: two runs over overlapping records ----------------------------------------
#: Record ids of one source as a source may hold them: ints, strings that look like ints,
#: other strings (an int and its text form are different records).
_RECORD_IDS: tuple[int | str, ...] = (0, 1, 2, 3, 5, 8, 13, "0", "1", "a", "b", "c", "x9", "11")


@st.composite
def run_pairs(draw: st.DrawFn, max_records: int = 20) -> tuple[list[tuple[str, object, int]], ...]:
    """Two runs ``(source, record_id, person)`` over overlapping records, mixed id types.

    The later run keeps, drops and adds records and reassigns some persons; person ids
    of both runs come from small ranges so that merges, splits and moves all occur.
    """
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["crm", "web"]), st.sampled_from(_RECORD_IDS)),
            unique=True,
            max_size=max_records,
        )
    )
    persons = st.integers(min_value=0, max_value=max(len(keys) // 2, 1))
    first = [(s, r, draw(persons)) for s, r in keys]
    later_keys = [k for k in keys if draw(st.booleans()) or draw(st.booleans())]
    extra = draw(
        st.lists(
            st.tuples(st.sampled_from(["crm", "pos"]), st.sampled_from(_RECORD_IDS)),
            unique=True,
            max_size=4,
        )
    )
    later_keys += [k for k in extra if k not in later_keys]
    before = {(s, r): p for s, r, p in first}
    second = [
        (s, r, before[(s, r)] if (s, r) in before and draw(st.booleans()) else draw(persons))
        for s, r in later_keys
    ]
    return first, second


# --- bad input: invisible characters --------------------------------------------------------
#: Characters every normalizer removes: byte-order mark, zero-width space, non-joiner,
#: joiner, word joiner, bidirectional marks, embeddings, overrides and isolates, the
#: soft hyphen, NUL and other controls that are not whitespace.
INVISIBLE_CHARACTERS: tuple[str, ...] = (
    "\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u200e", "\u200f", "\u061c",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u00ad", "\x00", "\x01", "\x07", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
)  # fmt: skip

#: Plain email addresses: ASCII and Unicode local parts and domains.
email_addresses = st.builds(
    "{}@{}.{}".format,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCZ0123456789._+-äöüß", min_size=1, max_size=12)
    .map(lambda s: s.strip("."))
    .filter(lambda s: bool(s) and ".." not in s),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-ü", min_size=1, max_size=10),
    st.sampled_from(["com", "org", "de", "io", "co.uk", "ΕΛ"]),
)


@st.composite
def with_invisible(draw: st.DrawFn, text: str) -> str:
    """``text`` with invisible characters inserted: before, inside and after it."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.sampled_from([0, len(text), draw(st.integers(0, len(text)))]))
        text = text[:at] + draw(st.sampled_from(INVISIBLE_CHARACTERS)) + text[at:]
    return text


# --- the store: kept-column kinds pandas users meet ---------------------------------------
import datetime as dt  # noqa: E402

import pyarrow as pa  # noqa: E402

_STORE_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=5)
_STORE_DAY = st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))


def _days(unit: str, tz: str | None = None) -> object:
    def build(values: list[object]) -> pd.Series:
        column = pd.to_datetime(pd.Series(values, dtype=object)).astype(f"datetime64[{unit}]")
        return column.dt.tz_localize(tz) if tz else column

    return build


#: Kind name -> (cell strategy, how a list of cells becomes a column). Cells never mix
#: ``None`` and ``NaN`` in an object column (one spelling of missing is kept per column).
STORE_COLUMN_KINDS: dict[str, tuple[st.SearchStrategy[object], object]] = {
    "object-str": (st.one_of(st.none(), _STORE_TEXT), lambda v: pd.Series(v, dtype=object)),
    "str": (st.one_of(st.none(), _STORE_TEXT), lambda v: pd.Series(v, dtype="str")),
    "string-python": (
        st.one_of(st.none(), _STORE_TEXT),
        lambda v: pd.Series(v, dtype=pd.StringDtype("python")),
    ),
    "string-pyarrow": (
        st.one_of(st.none(), _STORE_TEXT),
        lambda v: pd.Series(v, dtype=pd.StringDtype("pyarrow")),
    ),
    "arrow-string": (
        st.one_of(st.none(), _STORE_TEXT),
        lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.string())),
    ),
    "categorical-str": (
        st.one_of(st.none(), st.sampled_from(["a", "b", "Zoë"])),
        lambda v: pd.Series(pd.Categorical(v, categories=["b", "a", "Zoë"])),
    ),
    "categorical-int": (
        st.one_of(st.none(), st.integers(-3, 3)),
        lambda v: pd.Series(pd.Categorical(v)),
    ),
    "Int64": (
        st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
        lambda v: pd.Series(v, dtype="Int64"),
    ),
    "UInt8": (st.one_of(st.none(), st.integers(0, 255)), lambda v: pd.Series(v, dtype="UInt8")),
    "int64": (st.integers(-(2**63), 2**63 - 1), lambda v: pd.Series(v, dtype="int64")),
    "object-int": (st.integers(-(2**63), 2**63 - 1), lambda v: pd.Series(v, dtype=object)),
    "Float64": (
        st.one_of(st.none(), st.floats(allow_nan=False)),
        lambda v: pd.Series(v, dtype="Float64"),
    ),
    "bool": (st.booleans(), lambda v: pd.Series(v, dtype=bool)),
    "float": (st.floats(), lambda v: pd.Series(v, dtype="float64")),  # NaN and infinities
    "boolean": (st.one_of(st.none(), st.booleans()), lambda v: pd.Series(v, dtype="boolean")),
    "object-decimal": (
        st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=3)),
        lambda v: pd.Series(v, dtype=object),
    ),
    "arrow-decimal": (
        st.one_of(st.none(), st.decimals(min_value=-(10**6), max_value=10**6, places=2)),
        lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.decimal128(12, 2))),
    ),
    "object-bytes": (
        st.one_of(st.none(), st.binary(max_size=4)),
        lambda v: pd.Series(v, dtype=object),
    ),
    "object-date": (st.one_of(st.none(), _STORE_DAY), lambda v: pd.Series(v, dtype=object)),
    "datetime-ns": (st.one_of(st.none(), _STORE_DAY), _days("ns")),
    "datetime-ns-tz": (st.one_of(st.none(), _STORE_DAY), _days("ns", "Europe/Berlin")),
    "datetime-s": (st.one_of(st.none(), _STORE_DAY), _days("s")),
    "datetime-s-tz": (st.one_of(st.none(), _STORE_DAY), _days("s", "America/New_York")),
    "datetime-us-utc": (st.one_of(st.none(), _STORE_DAY), _days("us", "UTC")),
    "object-list": (
        st.one_of(st.none(), st.lists(st.sampled_from(["a", "b"]), max_size=3)),
        lambda v: pd.Series(v, dtype=object),
    ),
}
