"""Identifier specs: defaults, dtypes, keys and junk."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.matcher.email import normalize_emails
from identigraph.matcher.specs import check_identifiers
from tests.strategies import email_addresses, phone_numbers, with_invisible


def test_defaults_per_kind() -> None:
    assert (ig.Email("e").kind, ig.Email("e").priority, ig.Email("e").max_records) == (
        "email",
        30,
        100,
    )
    assert (ig.Phone("p").kind, ig.Phone("p").max_records) == ("phone", 20)
    assert (ig.Cookie("c").kind, ig.Cookie("c").max_records) == ("cookie", 50)
    assert (ig.Key("crm_id").kind, ig.Key("crm_id").priority) == ("crm_id", 40)
    assert ig.Key("crm_id").priority > ig.Email("e").priority > ig.Phone("p").priority
    assert ig.Phone("p").priority > ig.Cookie("c").priority


def test_specs_are_frozen_and_replaceable() -> None:
    spec = ig.Cookie("c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.kind = "x"  # type: ignore[misc]
    assert dataclasses.replace(spec, max_records=5).max_records == 5


def test_to_text_dtypes() -> None:
    key = ig.Key("k")
    assert key.to_text(pd.Series([1, 2])).tolist() == ["1", "2"]
    assert key.to_text(pd.Series([1.0, np.nan])).iloc[0] == "1"
    assert key.to_text(pd.Series([" a ", ""])).isna().tolist() == [False, True]
    assert ig.Email("e").to_text(pd.Series([np.nan, np.nan])).isna().all()
    with pytest.raises(ig.DtypeError) as err:
        ig.Email("e").to_text(pd.Series([1, 2]))
    assert err.value.column == "e"
    with pytest.raises(ig.DtypeError):
        ig.Key("k").to_text(pd.Series([True, False]))
    with pytest.raises(ig.DtypeError):
        ig.Cookie("c").to_text(pd.Series(pd.to_datetime(["2024-01-01"])))
    with pytest.raises(ig.DtypeError):
        ig.Key("k").to_text(pd.Series([1.5, 2.0]))


@given(st.lists(st.text(min_size=1, max_size=10).map(str.strip).filter(bool), max_size=20))
def test_cookie_keys_are_idempotent(values: list[str]) -> None:
    spec = ig.Cookie("c")
    first = spec.normalize(pd.Series(values, dtype=object)).keys
    kept = [k for k in first.tolist() if k is not None]
    again = spec.normalize(pd.Series(kept, dtype=object)).keys.tolist()
    assert again == kept


@pytest.mark.parametrize("junk", ["null", "N/A", "unknown", "UNDEFINED", "0", "-1"])
def test_builtin_junk_tokens(junk: str) -> None:
    assert ig.Cookie("c").normalize(pd.Series([junk])).reasons.tolist() == ["junk_value"]
    assert ig.Cookie("c", builtin_junk=False).normalize(pd.Series([junk])).reasons.tolist() == [
        None
    ]


def test_caller_junk_extends_lists() -> None:
    spec = ig.Key("k", junk=frozenset({"DEMO-CARD"}))
    assert spec.normalize(pd.Series(["demo-card", "real"])).reasons.tolist() == ["junk_value", None]


@pytest.mark.parametrize("phone", ["0000000000", "1234567890", "111-111-1111", "+1 999 999 9999"])
def test_junk_phones(phone: str) -> None:
    assert ig.Phone("p", region="US").normalize(pd.Series([phone])).reasons.tolist() == [
        "junk_value"
    ]


_MIXED = st.lists(
    st.sampled_from(
        [*"aAbZ09@.+-_ \t\v\u00a0\u200büßİ٣０＠", "@mail.com", "@gmail.com", "201", "555"]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@pytest.mark.parametrize(
    "spec",
    [ig.Email("e"), ig.Email("e", provider_rules=True), ig.Phone("p", region="US"), ig.Cookie("c")],
    ids=["email", "email-provider", "phone", "cookie"],
)
@given(st.lists(_MIXED, min_size=9, max_size=20))
def test_one_value_normalizes_like_a_batch(spec: ig.Identifier, values: list[str]) -> None:
    # Batches of up to eight values take the Python regex path, larger ones RE2:
    # a real-time lookup of one value must give exactly what a bulk add gives.
    text = spec.to_text(pd.Series(values, dtype=object)).dropna()
    batch = spec.normalize(text)
    for i, value in enumerate(text.tolist()):
        single = spec.normalize(pd.Series([value], dtype=object))
        assert single.keys[0] == batch.keys[i], value
        assert single.reasons[0] == batch.reasons[i], value


# --- validation at construction -----------------------------------------------------------
_SPEC_TYPES = [ig.Email, ig.Phone, ig.Cookie, ig.Key]


@pytest.mark.parametrize("spec_type", _SPEC_TYPES)
@pytest.mark.parametrize(
    "field",
    [
        {"priority": "high"},
        {"priority": float("nan")},
        {"priority": float("inf")},
        {"priority": True},
        {"priority": None},
        {"max_records": True},
        {"max_records": 0},
        {"max_records": 2.5},
        {"max_records": "10"},
        {"max_per_person": False},
        {"max_per_person": -1},
        {"junk": None},
        {"junk": 5.5},
        {"junk": b"n/a"},
        {"junk": {"n/a": 1}},
        {"junk": ["n/a", None]},
        {"junk": [True]},
        {"junk": [""]},
        {"junk": ["\u200b "]},
        {"builtin_junk": "no"},
        {"builtin_junk": 1},
        {"on_shared": "drop"},
        {"on_shared": ["keep"]},
        {"kind": None},
        {"kind": 3},
    ],
    ids=repr,
)
def test_bad_fields_raise_config_error(spec_type: type, field: dict[str, object]) -> None:
    with pytest.raises(ig.ConfigError) as err:
        spec_type("col", **field)
    (name,) = field
    assert name in str(err.value)


@pytest.mark.parametrize(
    ("spec_type", "field"),
    [
        (ig.Email, {"hash": "no"}),
        (ig.Email, {"hash": 0}),
        (ig.Email, {"provider_rules": "yes"}),
        (ig.Phone, {"hash": None}),
        (ig.Phone, {"region": 1}),
        (ig.Phone, {"region": ["US"]}),
    ],
    ids=repr,
)
def test_bad_type_specific_fields_raise(spec_type: type, field: dict[str, object]) -> None:
    with pytest.raises(ig.ConfigError, match=next(iter(field))):
        spec_type("col", **field)


@pytest.mark.parametrize("column", ["", None, 3, pd.Series(["ann@mail.org"])])
def test_bad_column_raises_without_echoing_a_value(column: object) -> None:
    with pytest.raises(ig.ConfigError) as err:
        ig.Email(column)  # type: ignore[arg-type]
    assert "ann@mail.org" not in str(err.value)


def test_valid_fields_are_stored_as_plain_python() -> None:
    spec = ig.Key("k", priority=np.int64(7), max_records=np.int32(5), builtin_junk=np.True_)
    assert (spec.priority, spec.max_records, spec.builtin_junk) == (7, 5, True)
    assert type(spec.priority) is int
    assert type(spec.max_records) is int
    assert type(spec.builtin_junk) is bool
    assert ig.Cookie("c", priority=2.5).priority == 2.5
    assert ig.Email("e", kind="").kind == "e"  # an empty kind is the column's name


def test_junk_string_is_one_value() -> None:
    spec = ig.Cookie("c", junk="N/A-Cookie")
    assert spec.junk == frozenset({"n/a-cookie"})
    reasons = spec.normalize(pd.Series(["n/a-cookie", "n", "/", "a"])).reasons.tolist()
    assert reasons == ["junk_value", None, None, None]


def test_junk_values_are_cleaned_like_data() -> None:
    spec = ig.Key("k", junk=["\ufeffDemo ", 0], builtin_junk=False)
    assert spec.junk == frozenset({"demo", "0"})
    assert spec.normalize(pd.Series(["DEMO", "0", "1"])).reasons.tolist() == [
        "junk_value",
        "junk_value",
        None,
    ]


def test_validated_specs_rebuild_from_their_fields() -> None:
    # What the store does: rebuild a spec from its saved fields; the result is equal.
    for spec in [
        ig.Email("e", junk="x@y.org", priority=31.5),
        ig.Phone("p", region="gb", hash=False),
        ig.Key("k", max_records=3, junk=("A", "b")),
    ]:
        fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
        column = fields.pop("column")
        assert type(spec)(column, **fields) == spec


# --- check_identifiers ----------------------------------------------------------------------
def test_check_identifiers_accepts_specs() -> None:
    specs = [ig.Email("e"), ig.Phone("p")]
    assert check_identifiers(specs) == tuple(specs)
    assert check_identifiers(iter(specs)) == tuple(specs)
    assert check_identifiers(ig.Email("e")) == (ig.Email("e"),)
    assert check_identifiers(()) == ()


@pytest.mark.parametrize(
    "bad",
    [None, "email", b"email", 3, {"email": ig.Email("email")}, [ig.Email("e"), "phone"],
     [ig.Attribute("first_name")], [ig.Email("e"), ig.Cookie("e")], pd.DataFrame({"e": [1]})],
    ids=["none", "str", "bytes", "int", "dict", "str-item", "attribute", "same-column", "frame"],
)  # fmt: skip
def test_check_identifiers_refuses(bad: object) -> None:
    with pytest.raises(ig.ConfigError):
        check_identifiers(bad)


# --- to_text: what a column may hold -------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "values"),
    [
        (ig.Phone("p"), pd.Series([2015550123.0, np.inf])),
        (ig.Phone("p"), pd.Series([-np.inf, np.nan])),
        (ig.Key("k"), pd.Series([1.0, 2.0**60])),
        (ig.Key("k"), pd.Series(["a", True], dtype=object)),
        (ig.Key("k"), pd.Series([np.True_, "a"], dtype=object)),
        (ig.Cookie("c"), pd.Series(["a", b"\xff\xfe"], dtype=object)),
        (ig.Cookie("c"), pd.Series(["a", b"abc"], dtype=object)),
        (ig.Email("e"), pd.Series(["a", {"x": 1}.items()], dtype=object)),
        (ig.Email("e"), pd.Series(["a", ("ann@mail.org",)], dtype=object)),
        (ig.Email("e"), pd.Series(["a", 5], dtype=object)),
        (ig.Cookie("c"), pd.Series(["a", 1.5], dtype=object)),
        (ig.Cookie("c"), pd.Series(["a", pd.Timestamp("2024-01-01")], dtype=object)),
        (ig.Key("k"), pd.Series(["a", __import__("decimal").Decimal("1.5")], dtype=object)),
        (ig.Cookie("c"), pd.Series(["a", "\ud800"], dtype=object)),
        (ig.Cookie("c"), pd.Series(["a", "b"], dtype=pd.SparseDtype(object))),
        (ig.Key("k"), pd.Series([1, 0, 0], dtype=pd.SparseDtype(int))),
        (ig.Key("k"), pd.Series([True, None], dtype="boolean")),
        (ig.Cookie("c"), pd.Series([1, 2], dtype="Int64")),
        (ig.Key("k"), pd.Series([1 + 2j])),
        (ig.Key("k"), pd.Series(pd.to_timedelta([1], unit="D"))),
        (ig.Key("k"), pd.Series(pd.period_range("2024-01", periods=1, freq="M"))),
    ],
    ids=repr,
)
def test_to_text_refuses_what_a_spec_cannot_hold(spec: ig.Identifier, values: pd.Series) -> None:
    with pytest.raises(ig.DtypeError) as err:
        spec.to_text(values)
    assert err.value.column == spec.column
    assert err.value.__cause__ is None  # a chained Arrow message could quote a value
    assert "ann@mail.org" not in str(err.value)
    assert "\\xff" not in str(err.value)


def test_to_text_reads_what_a_spec_can_hold() -> None:
    key = ig.Key("k")
    assert key.to_text(pd.Series([2**70, "a"], dtype=object)).tolist() == [str(2**70), "a"]
    assert key.to_text(pd.Series([2**63 + 1], dtype="uint64")).tolist() == [str(2**63 + 1)]
    assert key.to_text(pd.Series([7, None], dtype="Int64")).tolist() == ["7", pd.NA]
    assert key.to_text(pd.Series([np.int16(3), "b"], dtype=object)).tolist() == ["3", "b"]
    arrow_dict = pd.Series(
        pd.arrays.ArrowExtensionArray(pa.array(["x", "y", "x"]).dictionary_encode())
    )
    assert key.to_text(arrow_dict).tolist() == ["x", "y", "x"]
    assert key.to_text(pd.Series(["a", "b"], dtype="category")).tolist() == ["a", "b"]
    assert ig.Phone("p").to_text(pd.Series([np.nan, np.nan])).isna().all()


# --- invisible characters and lengths --------------------------------------------------------
@pytest.mark.parametrize("spec", [ig.Email("e"), ig.Email("e", hash=False)], ids=["hash", "plain"])
@given(data=st.data(), address=email_addresses)
def test_invisible_characters_do_not_change_an_email_key(
    spec: ig.Email, data: st.DataObject, address: str
) -> None:
    spoilt = data.draw(with_invisible(address))
    keys = spec.normalize(pd.Series([address, spoilt, spoilt.upper()])).keys.tolist()
    assert keys[1] == keys[0]


@given(data=st.data(), number=phone_numbers(("US", "GB")))
def test_invisible_characters_do_not_change_a_phone_key(data: st.DataObject, number: str) -> None:
    spec = ig.Phone("p", region="US", hash=False)
    spoilt = data.draw(with_invisible(number))
    clean, dirty = spec.normalize(pd.Series([number, spoilt] * 9)).keys[:2]  # the array path
    assert dirty == clean
    assert spec.normalize(pd.Series([spoilt])).keys[0] == clean  # the per-value path


@given(data=st.data(), cookie=st.text(alphabet="abcXYZ019-_:.é", min_size=1, max_size=12))
def test_invisible_characters_do_not_change_a_cookie_key(data: st.DataObject, cookie: str) -> None:
    spoilt = data.draw(with_invisible(cookie))
    for spec in (ig.Cookie("c", builtin_junk=False), ig.Key("k", builtin_junk=False)):
        assert spec.normalize(pd.Series([spoilt])).keys.tolist() == [cookie]


@pytest.mark.parametrize("spec", [ig.Email("e"), ig.Phone("p", region="US"), ig.Cookie("c")])
def test_invisible_only_values_are_missing(spec: ig.Identifier) -> None:
    out = spec.normalize(pd.Series(["\u200b", "\ufeff \u200f", "\x00"]))
    assert out.keys.tolist() == [None] * 3
    assert out.reasons.tolist() == [None] * 3
    assert spec.canonicalize(pd.Series(["\u200b", "\ufeff"])).isna().all()


def test_bom_email_links_to_the_clean_address() -> None:
    spec = ig.Email("e")
    raw = ["ann@mail.org", "\ufeffann@mail.org", "ann@mail.org\x00", "ann\u200b@mail.org",
           "\u200fann@mail.org", "\u202eann@mail.org\u202c", "Ann@Mail.org\u2060"]  # fmt: skip
    keys = spec.normalize(pd.Series(raw)).keys
    assert len(set(keys.tolist())) == 1
    assert keys[0] is not None
    assert spec.canonicalize(pd.Series(raw)).tolist() == ["ann@mail.org"] * len(raw)


@pytest.mark.parametrize(
    ("spec", "limit"),
    [(ig.Email("e"), 254), (ig.Phone("p", region="US"), 250), (ig.Cookie("c"), 4096),
     (ig.Key("k"), 4096)],
    ids=["email", "phone", "cookie", "key"],
)  # fmt: skip
def test_over_long_values_are_rejected(spec: ig.Identifier, limit: int) -> None:
    fill = "a" if not isinstance(spec, ig.Phone) else "1"
    at_limit = (fill * (limit - 9) + "@mail.org") if isinstance(spec, ig.Email) else fill * limit
    over = "é" + at_limit  # one character, two bytes more
    huge = fill * 2**20
    out = spec.normalize(pd.Series([at_limit, over, huge]))
    assert out.reasons.tolist()[1:] == ["too_long", "too_long"]
    assert out.keys.tolist()[1:] == [None, None]
    assert out.reasons[0] != "too_long"
    assert spec.canonicalize(pd.Series([over])).isna().all()


def test_email_over_the_limit_is_invalid_in_the_normalizer() -> None:
    address = "a" * 250 + "@x.io"
    assert normalize_emails(pd.Series([address, address[5:]])).isna().tolist() == [True, False]
