"""Tests of the synthetic customer data generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapidfuzz.distance import OSA

import identigraph as ig
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
        "customer_id", "first_name", "last_name", "email", "alt_email", "phone", "home_phone",
        "loyalty_card", "address", "city", "postcode", "birth_date", "updated_at",
    ],
    "web": ["event_id", "cookie_id", "device_id", "email", "phone", "seen_at", "page"],
    "pos": ["transaction_id", "phone", "loyalty_card", "order_total", "purchased_at", "store"],
    "support": [
        "ticket_id", "customer_id", "email", "phone", "status", "opened_at", "subject",
    ],
}  # fmt: skip
INT_COLUMNS = {"event_id", "transaction_id", "ticket_id"}
DATE_COLUMNS = {"birth_date", "updated_at", "seen_at", "purchased_at", "opened_at"}
FLOAT_COLUMNS = {"order_total"}
JUNK = {
    "email": set(datasets._JUNK_EMAILS),
    "alt_email": set(datasets._JUNK_EMAILS),
    "phone": set(datasets._JUNK_PHONES),
    "home_phone": set(datasets._JUNK_PHONES),
    "cookie_id": set(datasets._JUNK_COOKIES),
    "loyalty_card": set(datasets._JUNK_CARDS),
}
EMAIL = Email("email", hash=False)
PHONE = Phone("phone", region="US", hash=False)
EMAIL_COLUMNS = ("email", "alt_email")
PHONE_COLUMNS = ("phone", "home_phone")
#: The identifier specs of the synthetic data (as ``identigraph.cli.demo_specs``).
SPECS = [
    ig.Email("email"),
    ig.Email("alt_email", kind="email"),
    ig.Phone("phone", region="US"),
    ig.Phone("home_phone", kind="phone", region="US"),
    ig.Cookie("cookie_id"),
    ig.Cookie("device_id", kind="device"),
    ig.Key("loyalty_card"),
    ig.Key("customer_id"),
]


@pytest.fixture(scope="module")
def data() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    return customers(3000, seed=7, junk_rate=0.05, household_rate=0.2)


def persons_of(truth: pd.DataFrame, source: str) -> np.ndarray:
    return truth.loc[truth["source"] == source, "person"].to_numpy()


def keys_by_person(
    sources: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    columns: tuple[str, ...],
    spec: Email | Phone,
) -> pd.DataFrame:
    """Normalized identifier keys (junk and invalid dropped) with the person of each record."""
    parts = []
    for name, frame in sources.items():
        for column in columns:
            if column not in frame:
                continue
            text = spec.to_text(frame[column])
            present = text.notna().to_numpy()
            keys = spec.normalize(text[present]).keys
            person = persons_of(truth, name)[present]
            parts.append(pd.DataFrame({"key": keys, "person": person, "source": name}))
    return pd.concat(parts, ignore_index=True).dropna()


def within_person_recall(sources: dict[str, pd.DataFrame], truth: pd.DataFrame) -> float:
    """Pairwise recall of identifier links made only between records of one true person."""
    graph = ig.IdentityGraph([ig.Key(s.column, kind=s.kind) for s in SPECS])
    for name, frame in sources.items():
        person = persons_of(truth, name).astype(str)
        # the record id is copied first: the CRM id column is an identifier as well
        tagged = {"record_id": frame[RECORD_ID_COLUMNS[name]]}
        for spec in SPECS:
            if spec.column in frame:
                canon = spec.canonicalize(frame[spec.column]).astype("string")
                tagged[spec.column] = (canon + "#" + person).astype(object)
        graph.add(frame.assign(**tagged), source=name, id="record_id")
    clusters = graph.clusters()  # ids as str(id): the sources' id types differ
    keys = truth.assign(record_id=truth["record_id"].astype(str))
    assert len(clusters.merge(keys, on=["source", "record_id"])) == len(truth)
    return ig.evaluate.pairwise(clusters, truth).recall


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
    specs |= {"alt_email": Email("alt_email"), "home_phone": Phone("home_phone", region="US")}
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
    keys = keys_by_person(*data, EMAIL_COLUMNS, EMAIL)
    assert keys.groupby("key")["person"].nunique().max() == 1
    assert keys.groupby("person")["key"].nunique().max() <= 3


def test_household_landlines_are_shared_by_distinct_persons(data):
    keys = keys_by_person(*data, PHONE_COLUMNS, PHONE)
    holders = keys.groupby("key")["person"].nunique()
    assert (holders > 1).sum() > 20
    assert holders.max() <= 4
    assert keys.groupby("person")["key"].nunique().max() <= 2


def test_without_households_no_phone_is_shared():
    sources, truth = customers(2000, seed=4, household_rate=0.0, junk_rate=0.0)
    keys = keys_by_person(sources, truth, PHONE_COLUMNS, PHONE)
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


# -- linking evidence -------------------------------------------------------------------
def test_identifier_only_recall_ceiling():
    sources, truth = customers(3000, seed=5)
    assert within_person_recall(sources, truth) >= 0.93


def test_unlinkable_records_come_from_the_knobs():
    clean = customers(3000, seed=5, anonymous_rate=0.0, junk_rate=0.0)
    noisy = customers(3000, seed=5, anonymous_rate=0.2, junk_rate=0.05)
    assert within_person_recall(*clean) >= 0.97
    assert within_person_recall(*noisy) < within_person_recall(*clean) - 0.1


@pytest.mark.parametrize("rate", [0.0, 0.1, 1.0])
def test_anonymous_rate(rate):
    sources, _ = customers(3000, seed=3, anonymous_rate=rate, junk_rate=0.0)
    web = sources["web"]
    logged_in = web["email"].notna().groupby(web["cookie_id"]).any()
    assert (~logged_in).mean() == pytest.approx(rate, abs=0.02)
    anonymous_cookies = logged_in.index[~logged_in]
    anonymous_rows = web[web["cookie_id"].isin(anonymous_cookies)]
    assert anonymous_rows[["device_id", "email", "phone"]].isna().all(axis=None)
    pos = sources["pos"]
    unidentified = pos["phone"].isna() & pos["loyalty_card"].isna()
    assert unidentified.mean() == pytest.approx(rate, abs=0.02)
    assert sources["support"][["email", "phone"]].replace("", np.nan).notna().any(axis=1).all()


def test_crm_record_holds_a_persons_contact_data(data):
    sources, truth = data
    crm = sources["crm"].assign(person=persons_of(truth, "crm"))
    alt = crm["alt_email"].replace("", np.nan).notna() & ~crm["alt_email"].isin(JUNK["email"])
    assert 0.3 < alt.mean() < 0.6  # half the persons have a second address
    same = EMAIL.canonicalize(crm["email"]) == EMAIL.canonicalize(crm["alt_email"])
    assert not same.any()
    assert crm["phone"].notna().mean() > 0.85
    home = crm["home_phone"].notna() & ~crm["home_phone"].isin(JUNK["phone"])
    assert 0.2 < home.mean() < 0.5  # second lines and household landlines
    # cards: registered in the CRM to the person who scans them at the till
    cards = pd.concat(
        [
            pd.DataFrame({"card": f["loyalty_card"], "person": persons_of(truth, name)})
            for name, f in sources.items()
            if "loyalty_card" in f
        ]
    )
    cards = cards[cards["card"].notna() & ~cards["card"].isin(JUNK["loyalty_card"])]
    assert cards["card"].str.fullmatch(r"60\d{10}").all()
    assert cards.groupby("card")["person"].nunique().max() == 1
    assert set(cards["person"]) <= set(crm["person"])
    pos_cards = set(sources["pos"]["loyalty_card"].dropna())
    crm_cards = set(crm["loyalty_card"].dropna())
    assert len(pos_cards - crm_cards - JUNK["loyalty_card"]) < 0.05 * len(pos_cards)


def test_web_logins_carry_the_account_email_and_mobile(data):
    sources, truth = data
    web = sources["web"]
    email, phone = web["email"].notna(), web["phone"].notna()
    assert 0.6 < email.mean() < 0.9
    assert (phone & ~email).sum() <= (web["email"].isin(JUNK["email"])).sum()
    assert phone[email].mean() > 0.6
    keys = keys_by_person(sources, truth, ("phone",), PHONE)
    web_keys = keys.loc[keys["source"] == "web", "key"].unique()
    holders = keys[keys["key"].isin(web_keys)].groupby("key")["person"].nunique()
    assert holders.max() == 1  # a mobile, never a household landline
    # each cookie logs in with one email
    login = EMAIL.canonicalize(web["email"]).dropna()
    cookie = web.loc[login.index, "cookie_id"]
    real = ~cookie.isin(JUNK["cookie_id"])
    assert login[real].groupby(cookie[real]).nunique().max() == 1


def test_support_tickets_name_crm_customers(data):
    sources, truth = data
    support = sources["support"].assign(person=persons_of(truth, "support"))
    crm = sources["crm"].assign(person=persons_of(truth, "crm"))
    with_id = support[support["customer_id"].notna()]
    in_crm = support["person"].isin(crm["person"])
    assert 0.45 < with_id.shape[0] / in_crm.sum() < 0.75
    owner = crm.set_index("customer_id")["person"]
    assert (owner.loc[with_id["customer_id"]].to_numpy() == with_id["person"].to_numpy()).all()


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
        {"anonymous_rate": -0.01},
        {"anonymous_rate": 2},
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
