"""Tests of the synthetic customer data generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapidfuzz.distance import OSA

from identigraph import datasets
from identigraph.datasets import (
    RECORD_ID_COLUMNS,
    RECORDS_PER_PERSON,
    SOURCES,
    CustomerConfig,
    customers,
    expected_records_per_person,
    n_persons_for,
)
from identigraph.errors import ConfigError
from identigraph.matcher.phone import e164_reference
from identigraph.matcher.specs import Cookie, Email, Key, Phone

COLUMNS = {
    "crm": [
        "customer_id", "first_name", "last_name", "email", "phone", "address", "city",
        "postcode", "birth_date", "updated_at",
    ],
    "web": ["event_id", "cookie_id", "device_id", "email", "seen_at", "page"],
    "pos": ["transaction_id", "phone", "loyalty_card", "order_total", "purchased_at", "store"],
    "support": ["ticket_id", "email", "phone", "status", "opened_at", "subject"],
}  # fmt: skip
INT_COLUMNS = {"event_id", "transaction_id", "ticket_id"}
DATE_COLUMNS = {"birth_date", "updated_at", "seen_at", "purchased_at", "opened_at"}
FLOAT_COLUMNS = {"order_total"}
JUNK = {
    "email": set(datasets._JUNK_EMAILS),
    "phone": set(datasets._JUNK_PHONES),
    "cookie_id": set(datasets._JUNK_COOKIES),
    "loyalty_card": set(datasets._JUNK_CARDS),
}
EMAIL = Email("email", hash=False)
PHONE = Phone("phone", region="US", hash=False)


@pytest.fixture(scope="module")
def data() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    return customers(3000, seed=7, junk_rate=0.05, household_rate=0.2)


def persons_of(truth: pd.DataFrame, source: str) -> np.ndarray:
    return truth.loc[truth["source"] == source, "person"].to_numpy()


def keys_by_person(
    sources: dict[str, pd.DataFrame], truth: pd.DataFrame, column: str, spec: Email | Phone
) -> pd.DataFrame:
    """Normalized identifier keys (junk and invalid dropped) with the person of each record."""
    parts = []
    for name, frame in sources.items():
        if column not in frame:
            continue
        text = spec.to_text(frame[column])
        present = text.notna().to_numpy()
        keys = spec.normalize(text[present]).keys
        parts.append(pd.DataFrame({"key": keys, "person": persons_of(truth, name)[present]}))
    return pd.concat(parts, ignore_index=True).dropna()


# -- shape, types, truth --------------------------------------------------------------
def test_sources_and_columns(data):
    sources, truth = data
    assert tuple(sources) == SOURCES
    for name, frame in sources.items():
        assert list(frame.columns) == COLUMNS[name]
    assert list(truth.columns) == ["source", "record_id", "person"]


def check_dtypes(sources: dict[str, pd.DataFrame], truth: pd.DataFrame) -> None:
    for frame in sources.values():
        for column in frame.columns:
            dtype = frame[column].dtype
            if column in INT_COLUMNS:
                assert dtype == np.int64, column
            elif column in DATE_COLUMNS:
                assert dtype == np.dtype("datetime64[ns]"), column
            elif column in FLOAT_COLUMNS:
                assert dtype == np.float64, column
            else:
                assert isinstance(dtype, pd.StringDtype), column
                assert dtype.storage in ("pyarrow", "pyarrow_numpy"), column  # pandas 3, 2.2
                assert dtype.na_value is not pd.NA, column
    assert isinstance(truth["source"].dtype, pd.StringDtype)
    assert truth["record_id"].dtype == object
    assert truth["person"].dtype == np.int64


def test_dtypes(data):
    check_dtypes(*data)


def test_truth_has_one_row_per_record(data):
    sources, truth = data
    assert len(truth) == sum(len(frame) for frame in sources.values())
    assert not truth.duplicated(["source", "record_id"]).any()
    for name, frame in sources.items():
        ids = truth.loc[truth["source"] == name, "record_id"].tolist()
        assert ids == frame[RECORD_ID_COLUMNS[name]].tolist()
    assert truth["person"].between(0, 2999).all()
    assert all(isinstance(v, str) for v in truth.loc[truth["source"] == "crm", "record_id"])
    assert all(isinstance(v, int) for v in truth.loc[truth["source"] == "pos", "record_id"])


def test_record_ids_unique(data):
    sources, _ = data
    for name, frame in sources.items():
        ids = frame[RECORD_ID_COLUMNS[name]]
        assert ids.is_unique, name
        assert ids.notna().all(), name
    assert sources["crm"]["customer_id"].str.fullmatch(r"C\d{8}").all()


def test_deterministic():
    first = customers(500, seed=11)
    second = customers(500, seed=11)
    other = customers(500, seed=12)
    for name in SOURCES:
        pd.testing.assert_frame_equal(first[0][name], second[0][name])
    pd.testing.assert_frame_equal(first[1], second[1])
    assert not first[0]["crm"].equals(other[0]["crm"])


def test_config_gives_same_data_as_arguments():
    config = CustomerConfig(n_persons=300, seed=5, typo_rate=0.2)
    sources, _ = customers(config.n_persons, config.seed, typo_rate=config.typo_rate)
    again, _ = customers(300, 5, typo_rate=0.2)
    pd.testing.assert_frame_equal(sources["crm"], again["crm"])


def test_no_persons_gives_empty_frames(data):
    sources, truth = customers(0)
    assert len(truth) == 0
    for name, frame in sources.items():
        assert list(frame.columns) == COLUMNS[name]
        assert len(frame) == 0
    check_dtypes(sources, truth)


def test_few_persons():
    sources, truth = customers(1, seed=3)
    assert set(truth["person"]) <= {0}
    assert len(truth) == sum(len(frame) for frame in sources.values())


# -- sizes ------------------------------------------------------------------------------
def test_records_per_person_and_n_persons_for():
    assert round(RECORDS_PER_PERSON, 6) == 4.785
    n = n_persons_for(20_000)
    _, truth = customers(n, seed=1)
    assert len(truth) == pytest.approx(20_000, rel=0.04)
    assert n_persons_for(0) == 0
    assert n_persons_for(10_000, duplicate_rate=1.0) < n_persons_for(10_000)
    assert expected_records_per_person(1.0) == pytest.approx(RECORDS_PER_PERSON + 0.85 * 0.9)


def test_sizes_scale_with_persons():
    small, _ = customers(2000, seed=2)
    large, _ = customers(4000, seed=2)
    for name in SOURCES:
        assert len(large[name]) == pytest.approx(2 * len(small[name]), rel=0.12), name


@pytest.mark.parametrize("bad", [-1, "10", True])
def test_n_persons_for_validates(bad):
    with pytest.raises(ConfigError):
        n_persons_for(bad)


# -- identifiers ------------------------------------------------------------------------
def test_phones_are_valid_us_numbers(data):
    sources, _ = data
    values = pd.concat([f["phone"] for f in sources.values() if "phone" in f]).dropna()
    values = values[~values.isin(JUNK["phone"]) & values.str.len().gt(0)]
    sample = values.sample(400, random_state=0).tolist()
    assert all(e164_reference(v, "US") is not None for v in sample)
    # numbers come written in many formats
    shapes = {v.translate(str.maketrans("0123456789", "9" * 10)) for v in sample}
    assert {"(999) 999-9999", "999-999-9999", "999.999.9999", "+9 999 999 9999"} <= shapes
    assert {"9999999999", "+99999999999", "9-999-999-9999", "999 999 9999"} <= shapes


def test_identifiers_other_than_junk_are_usable(data):
    sources, _ = data
    specs = {"email": EMAIL, "phone": PHONE, "cookie_id": Cookie("cookie_id")}
    specs["loyalty_card"] = Key("loyalty_card")
    for name, frame in sources.items():
        for column, spec in specs.items():
            if column not in frame:
                continue
            text = spec.to_text(frame[column]).dropna()
            junk = text.isin(JUNK[column]).to_numpy()
            normalized = spec.normalize(text)
            assert all(r is None for r in normalized.reasons[~junk]), (name, column)
            assert all(k is None for k in normalized.keys[junk]), (name, column)


def test_emails_vary_in_case_and_whitespace(data):
    sources, _ = data
    web = sources["web"]["email"].dropna()
    assert 0.5 < len(web) / len(sources["web"]) < 0.9  # most cookies log in once
    assert web.str.contains("[A-Z]").mean() > 0.1
    assert (web != web.str.strip()).mean() > 0.05
    domains = pd.concat([f["email"] for f in sources.values() if "email" in f]).dropna()
    domains = domains[~domains.isin(JUNK["email"])].str.strip().str.lower().str.split("@").str[1]
    assert domains.value_counts().index[0] == "gmail.com"
    assert not domains.str.startswith("example.").any()


def test_each_email_belongs_to_one_person(data):
    keys = keys_by_person(*data, "email", EMAIL)
    assert keys.groupby("key")["person"].nunique().max() == 1
    assert keys.groupby("person")["key"].nunique().max() <= 3


def test_household_landlines_are_shared_by_distinct_persons(data):
    keys = keys_by_person(*data, "phone", PHONE)
    holders = keys.groupby("key")["person"].nunique()
    assert (holders > 1).sum() > 20
    assert holders.max() <= 4
    assert keys.groupby("person")["key"].nunique().max() <= 2


def test_without_households_no_phone_is_shared():
    sources, truth = customers(2000, seed=4, household_rate=0.0, junk_rate=0.0)
    keys = keys_by_person(sources, truth, "phone", PHONE)
    assert keys.groupby("key")["person"].nunique().max() == 1


def test_cookies_belong_to_one_person(data):
    sources, truth = data
    web = pd.DataFrame({"cookie": sources["web"]["cookie_id"], "person": persons_of(truth, "web")})
    web = web[~web["cookie"].isin(JUNK["cookie_id"])]
    assert web.groupby("cookie")["person"].nunique().max() == 1
    per_person = web.groupby("person")["cookie"].nunique()
    assert per_person.between(1, 4).all()
    assert per_person.max() == 4
    assert web["cookie"].str.fullmatch(r"GA1\.2\.\d{10}\.\d{10}").all()


# -- noise ------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [0.0, 0.05, 0.2])
def test_junk_rate(rate):
    sources, _ = customers(3000, seed=8, junk_rate=rate)
    for name, frame in sources.items():
        junk = np.zeros(len(frame), dtype=bool)
        for column, values in JUNK.items():
            if column in frame:
                junk |= frame[column].isin(values).to_numpy()
        if rate == 0.0:
            assert not junk.any(), name
        else:
            assert junk.mean() == pytest.approx(rate, rel=0.3), name


def test_crm_duplicates():
    sources, truth = customers(2000, seed=9, duplicate_rate=1.0, typo_rate=0.1)
    crm = sources["crm"].assign(person=persons_of(truth, "crm"))
    assert crm.groupby("person").size().eq(2).all()
    pairs = crm.sort_values("customer_id").groupby("person")
    first, second = pairs.nth(0).set_index("person"), pairs.nth(1).set_index("person")
    second = second.loc[first.index]
    same_birth = (first["birth_date"] == second["birth_date"]).mean()
    same_address = (first["address"].str[:6] == second["address"].str[:6]).mean()
    same_email = (first["email"] == second["email"]).mean()
    name_differs = (
        (first["first_name"] != second["first_name"]) | (first["last_name"] != second["last_name"])
    ).mean()
    assert same_birth > 0.85
    assert same_address > 0.7
    assert same_email < 0.6
    assert 0.4 < name_differs < 0.8


def test_no_duplicates_at_rate_zero():
    sources, truth = customers(2000, seed=9, duplicate_rate=0.0)
    assert pd.Series(persons_of(truth, "crm")).is_unique
    assert len(sources["crm"]) == pytest.approx(0.85 * 2000, rel=0.05)


def test_typo_rate():
    clean, _ = customers(2000, seed=6, typo_rate=0.0, duplicate_rate=0.5)
    names = set(datasets._FIRST_NAMES)
    first = clean["crm"]["first_name"].str.strip().str.title()
    assert first.isin(names).all()
    noisy, _ = customers(2000, seed=6, typo_rate=0.5)
    first = noisy["crm"]["first_name"].str.strip().str.title()
    assert 0.3 < (~first.isin(names)).mean() < 0.6


def test_typos_change_one_character():
    rng = np.random.default_rng(0)
    words = np.array(datasets._LAST_NAMES * 5)
    wrong = datasets._typos(rng, words.copy())
    distances = [OSA.distance(a, b) for a, b in zip(words, wrong, strict=True)]
    assert max(distances) == 1
    assert np.mean(np.equal(distances, 1)) > 0.9  # swapping equal letters changes nothing
    assert datasets._typos(rng, np.array([], dtype="U5")).shape == (0,)


# -- configuration ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"n_persons": -1},
        {"n_persons": 2.5},
        {"n_persons": True},
        {"n_persons": "10"},
        {"n_persons": 10**9},
        {"seed": -3},
        {"seed": None},
        {"junk_rate": -0.1},
        {"household_rate": 1.01},
        {"typo_rate": float("nan")},
        {"duplicate_rate": "0.1"},
        {"junk_rate": True},
    ],
)
def test_config_validation(options):
    with pytest.raises(ConfigError):
        CustomerConfig(**options)
    n_persons = options.pop("n_persons", 10)
    with pytest.raises(ValueError, match="CustomerConfig"):
        customers(n_persons, **options)


def test_config_normalizes_numbers():
    config = CustomerConfig(n_persons=np.int64(5), junk_rate=1, seed=np.uint8(3))
    assert type(config.n_persons) is int
    assert type(config.seed) is int
    assert type(config.junk_rate) is float
    with pytest.raises(AttributeError):
        config.n_persons = 6  # type: ignore[misc]


def test_frame_accepts_chunked_arrow_columns():
    import pyarrow as pa

    text = pa.large_string()
    chunked = pa.chunked_array([pa.array(["a"], text), pa.array(["b", None], text)])
    frame = datasets._frame({"text": chunked, "n": np.arange(3, dtype=np.int64)})
    assert frame["text"].tolist()[:2] == ["a", "b"]
    assert frame["text"].isna().tolist() == [False, False, True]
    assert isinstance(frame["text"].dtype, pd.StringDtype)
