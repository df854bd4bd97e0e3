"""Tests for identigraph.matcher.linker: the Matcher's fit, predict, link types and storage."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import ConfigError, DuplicateRecordError, InputError, MissingColumnError
from identigraph.matcher.blocking import Block, BlockSizeWarning
from identigraph.matcher.comparisons import (
    DateComparison,
    ExactComparison,
    NameComparison,
)
from identigraph.matcher.linker import PAIR_KEY_COLUMNS, Matcher

FIRST = ["anna", "bruno", "carla", "dmitri", "elena", "farid", "greta", "hiro", "ines",
         "jonas", "katya", "liam", "mona", "nils", "olga", "pavel", "quinn", "rosa", "sven",
         "tara"]  # fmt: skip
LAST = ["smith", "garcia", "novak", "tanaka", "okafor", "larsen", "rossi", "kowalski", "dubois",
        "silva", "murphy", "schmidt", "haddad", "nguyen", "ivanova", "meyer", "costa", "berg",
        "walsh", "klein", "moreau", "fischer", "jansen", "romano", "horvat", "lindqvist",
        "petrov", "santos", "weber", "zhang"]  # fmt: skip
CITIES = ["oslo", "lyon", "porto", "graz", "turku", "cork", "bari", "gent"]


def people(n_people: int = 240, n_dups: int = 90, seed: int = 0) -> pd.DataFrame:
    """Person records; ``n_dups`` of them repeat a person with a typo or a missing value."""
    rng = np.random.default_rng(seed)
    first = np.array(FIRST, dtype=object)[rng.integers(0, len(FIRST), n_people)]
    last = np.array(LAST, dtype=object)[rng.integers(0, len(LAST), n_people)]
    dob = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 60 * 365, n_people), "D")
    city = np.array(CITIES, dtype=object)[rng.integers(0, len(CITIES), n_people)]
    person = np.r_[np.arange(n_people), rng.choice(n_people, n_dups, replace=False)]
    frame = pd.DataFrame(
        {
            "rid": [f"r{i:04d}" for i in range(len(person))],
            "person": person,
            "first": first[person],
            "last": last[person],
            "dob": dob.strftime("%Y%m%d").to_numpy(dtype=object)[person],
            "city": city[person],
        }
    )
    dups = np.arange(n_people, len(person))
    kind = rng.integers(0, 4, len(dups))
    frame.loc[dups[kind == 0], "first"] = frame.loc[dups[kind == 0], "first"].str[:-1] + "e"
    frame.loc[dups[kind == 1], "last"] = frame.loc[dups[kind == 1], "last"].str[:-1]
    frame.loc[dups[kind == 2], "city"] = None
    day = frame.loc[dups[kind == 3], "dob"].str[-1].astype(int)
    frame.loc[dups[kind == 3], "dob"] = frame.loc[dups[kind == 3], "dob"].str[:-1] + (
        (day + 1) % 10
    ).astype(str)
    return frame


def matcher(**options: object) -> Matcher:
    return Matcher(
        comparisons=[
            NameComparison("first"),
            NameComparison("last", tf_adjust=True),
            DateComparison("dob"),
            ExactComparison("city"),
        ],
        blocking=[Block("dob"), Block(["last", "city"]), Block("first", transform="soundex")],
        **options,  # type: ignore[arg-type]
    )


def true_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    out = set()
    for _, ids in frame.groupby("person")["rid"]:
        out |= {tuple(sorted(p)) for p in itertools.combinations(ids, 2)}
    return out  # type: ignore[return-value]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return people()


@pytest.fixture(scope="module")
def fitted(data: pd.DataFrame) -> Matcher:
    return matcher().fit(data, id="rid")


@pytest.fixture(scope="module")
def pairs(fitted: Matcher, data: pd.DataFrame) -> pd.DataFrame:
    return fitted.predict(data, id="rid", threshold=None)


# -- predictions ----------------------------------------------------------------------
def test_finds_the_duplicates(pairs: pd.DataFrame, data: pd.DataFrame) -> None:
    found = set(
        zip(
            *(
                pairs.loc[pairs["match_probability"] >= 0.5, c]
                for c in ("record_id_l", "record_id_r")
            ),
            strict=True,
        )
    )
    truth = true_pairs(data)
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.95
    assert recall >= 0.95


def test_pairs_frame_columns(pairs: pd.DataFrame) -> None:
    assert list(pairs.columns) == [
        *PAIR_KEY_COLUMNS,
        "first_level",
        "last_level",
        "dob_level",
        "city_level",
        "match_weight",
        "match_probability",
    ]
    for column in ("first_level", "last_level", "dob_level", "city_level"):
        assert pairs[column].dtype == np.int8
    assert pairs["match_weight"].dtype == np.float64
    assert (pairs["source_l"] == "records").all()
    assert (pairs["source_r"] == "records").all()
    assert pairs["match_probability"].between(0, 1).all()


def test_pairs_are_ordered_once_each(pairs: pd.DataFrame) -> None:
    keys = list(zip(pairs["record_id_l"], pairs["record_id_r"], strict=True))
    assert all(left < right for left, right in keys)
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_probability_follows_weight(pairs: pd.DataFrame) -> None:
    expected = 2 ** pairs["match_weight"] / (1 + 2 ** pairs["match_weight"])
    np.testing.assert_allclose(pairs["match_probability"], expected)


def test_weights_explain_the_score(fitted: Matcher, data: pd.DataFrame) -> None:
    explained = fitted.predict(data, id="rid", weights=True, threshold=None)
    parts = explained[
        ["prior_weight", "first_weight", "last_weight", "dob_weight", "city_weight"]
    ].sum(axis=1)
    np.testing.assert_allclose(parts, explained["match_weight"])
    assert (explained["prior_weight"] == fitted.model.prior_weight).all()
    # without term frequencies a weight is the parameters table's weight of the level
    table = fitted.parameters.set_index(["comparison", "level"])["match_weight"]
    present = explained["dob_level"] >= 0
    looked_up = table.loc[[("dob", lvl) for lvl in explained.loc[present, "dob_level"]]]
    np.testing.assert_allclose(explained.loc[present, "dob_weight"], looked_up.to_numpy())


def test_missing_values_add_no_weight(fitted: Matcher, data: pd.DataFrame) -> None:
    explained = fitted.predict(data, id="rid", weights=True, threshold=None)
    missing = explained["city_level"] == -1
    assert missing.any()
    assert (explained.loc[missing, "city_weight"] == 0).all()


def test_threshold_keeps_likely_pairs(
    fitted: Matcher, data: pd.DataFrame, pairs: pd.DataFrame
) -> None:
    kept = fitted.predict(data, id="rid", threshold=0.9)
    expected = pairs[pairs["match_probability"] >= 0.9].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, expected)


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "high"])
def test_threshold_must_be_a_probability(
    fitted: Matcher, data: pd.DataFrame, threshold: object
) -> None:
    with pytest.raises(ConfigError):
        fitted.predict(data, id="rid", threshold=threshold)  # type: ignore[arg-type]


def test_term_frequency_adjustment_favours_rare_values() -> None:
    frame = pd.DataFrame(
        {
            "id": range(8),
            "first": ["ann", "ann", "bob", "bob", "cy", "dee", "ed", "flo"],
            "last": ["smith", "smith", "smith", "smith", "smith", "smith", "zane", "zane"],
            "dob": ["19900101"] * 8,
            "city": ["oslo"] * 8,
        }
    )
    m = matcher(prior=0.1).fit(frame, id="id")
    explained = m.predict(frame, id="id", weights=True, threshold=None)
    explained = explained.set_index(["record_id_l", "record_id_r"])
    assert explained.loc[(6, 7), "last_weight"] > explained.loc[(0, 1), "last_weight"]


def test_does_not_mutate_the_input(data: pd.DataFrame) -> None:
    before = data.copy()
    matcher().fit_predict(data, id="rid")
    pd.testing.assert_frame_equal(data, before)


@given(seed=st.integers(0, 2**32 - 1))
def test_predictions_invariant_under_row_order(
    seed: int, data: pd.DataFrame, pairs: pd.DataFrame, fitted: Matcher
) -> None:
    shuffled = data.sample(frac=1.0, random_state=seed)[["city", "rid", "dob", "last", "first"]]
    m = matcher().fit(shuffled, id="rid")
    pd.testing.assert_frame_equal(m.parameters, fitted.parameters)
    pd.testing.assert_frame_equal(m.predict(shuffled, id="rid", threshold=None), pairs)


def test_order_invariance_with_sampled_u(data: pd.DataFrame) -> None:
    small_sample = {"u_sample_size": 5000}
    one = matcher(**small_sample).fit_predict(data, id="rid")
    shuffled = data.iloc[::-1]
    two = matcher(**small_sample).fit_predict(shuffled, id="rid")
    pd.testing.assert_frame_equal(one, two)


def test_fit_predict_equals_fit_then_predict(data: pd.DataFrame, pairs: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(matcher().fit_predict(data, id="rid", threshold=None), pairs)


def test_index_is_the_default_record_id(data: pd.DataFrame, pairs: pd.DataFrame) -> None:
    indexed = data.set_index("rid")
    pd.testing.assert_frame_equal(
        matcher().fit_predict(indexed, source="records", threshold=None), pairs, check_names=False
    )


def test_source_name(data: pd.DataFrame, fitted: Matcher) -> None:
    named = fitted.predict(data, id="rid", source="crm")
    assert (named["source_l"] == "crm").all()


# -- link types -----------------------------------------------------------------------
def two_sources(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    shop = data.iloc[::2].rename(columns={"rid": "order_ref"})
    crm = data.iloc[1::2]
    return {"shop": shop, "crm": crm}


def test_link_pairs_only_across_sources(data: pd.DataFrame) -> None:
    sources = two_sources(data)
    ids = {"shop": "order_ref", "crm": "rid"}
    pairs = matcher(link_type="link").fit_predict(sources, id=ids)
    assert len(pairs)
    assert (pairs["source_l"] == "crm").all()
    assert (pairs["source_r"] == "shop").all()
    assert pairs["record_id_l"].isin(sources["crm"]["rid"]).all()
    assert pairs["record_id_r"].isin(sources["shop"]["order_ref"]).all()


def test_dedupe_pairs_only_within_sources(data: pd.DataFrame) -> None:
    pairs = matcher(link_type="dedupe").fit_predict(
        two_sources(data), id={"shop": "order_ref", "crm": "rid"}
    )
    assert len(pairs)
    assert (pairs["source_l"] == pairs["source_r"]).all()


def test_link_and_dedupe_covers_both(data: pd.DataFrame) -> None:
    ids = {"shop": "order_ref", "crm": "rid"}
    both = matcher().fit(two_sources(data), id=ids).predict(two_sources(data), id=ids)
    assert (both["source_l"] == both["source_r"]).any()
    assert (both["source_l"] != both["source_r"]).any()


def test_exact_u_is_the_share_of_agreeing_pairs(data: pd.DataFrame, fitted: Matcher) -> None:
    cities = data["city"].to_numpy()
    agree = total = 0
    for i, j in itertools.combinations(range(len(cities)), 2):
        if pd.notna(cities[i]) and pd.notna(cities[j]):
            total += 1
            agree += cities[i] == cities[j]
    city_u = fitted.model.u[fitted.model.names.index("city")]
    assert city_u[-1] == pytest.approx(agree / total)


# -- labels ---------------------------------------------------------------------------
def test_fit_from_labels(data: pd.DataFrame) -> None:
    m = matcher().fit(data, id="rid", labels="person")
    assert m.fit_info["labelled_pairs"] == len(true_pairs(data))
    pairs = m.predict(data, id="rid", threshold=0.5)
    found = set(zip(pairs["record_id_l"], pairs["record_id_r"], strict=True))
    assert len(found & true_pairs(data)) / len(true_pairs(data)) >= 0.95
    dob = m.parameters.query("comparison == 'dob'").set_index("label")["m_probability"]
    assert dob["exact"] > 0.6


# -- guards and errors ----------------------------------------------------------------
def test_block_size_guard_warns(data: pd.DataFrame) -> None:
    with pytest.warns(BlockSizeWarning, match="city"):
        Matcher(
            [ExactComparison("city"), DateComparison("dob")],
            [Block("city"), Block("dob")],
            max_block_size=10,
        ).fit(data, id="rid")


def test_not_fitted() -> None:
    m = matcher()
    assert not m.is_fitted
    with pytest.raises(ConfigError, match="not fitted"):
        m.predict(people(), id="rid")
    with pytest.raises(ConfigError):
        _ = m.parameters


def test_duplicate_record_ids(data: pd.DataFrame) -> None:
    doubled = pd.concat([data, data.iloc[:3]])
    with pytest.raises(DuplicateRecordError) as info:
        matcher().fit(doubled, id="rid")
    assert info.value.source == "records"


def test_fit_needs_pairs(data: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no record pairs"):
        matcher(link_type="link").fit(data, id="rid")
    with pytest.raises(InputError):
        matcher().fit(data.iloc[:1], id="rid")


def test_link_of_a_small_and_a_large_source(data: pd.DataFrame) -> None:
    sources = {"few": data.iloc[:3], "many": data.iloc[3:]}
    m = matcher(link_type="link", u_sample_size=1000).fit(sources, id="rid")
    assert m.fit_info["u_sample_pairs"] > 0
    assert (m.predict(sources, id="rid")["source_l"] == "few").all()


@pytest.mark.parametrize("column", ["first", "rid"])
def test_missing_column(data: pd.DataFrame, column: str) -> None:
    with pytest.raises(MissingColumnError):
        matcher().fit(data.drop(columns=[column]), id="rid")


@pytest.mark.parametrize(
    "options",
    [
        {"comparisons": []},
        {"blocking": []},
        {"comparisons": [ExactComparison("a"), NameComparison("a")]},
        {"link_type": "both"},
        {"max_block_size": 1},
        {"u_sample_size": 0},
        {"em_max_iter": 0},
        {"em_tol": 0},
        {"prior": 1.5},
    ],
)
def test_invalid_configuration(options: dict) -> None:
    settings = {"comparisons": [ExactComparison("a")], "blocking": [Block("a")]} | options
    with pytest.raises(ConfigError):
        Matcher(**settings)


# -- storage --------------------------------------------------------------------------
def test_json_round_trip(fitted: Matcher, data: pd.DataFrame, pairs: pd.DataFrame) -> None:
    text = fitted.to_json()
    again = Matcher.from_json(text)
    assert again.is_fitted
    pd.testing.assert_frame_equal(again.parameters, fitted.parameters)
    pd.testing.assert_frame_equal(again.predict(data, id="rid", threshold=None), pairs)
    assert "smith" not in text  # parameters only: no data values


def test_save_and_load(
    tmp_path: Path, fitted: Matcher, data: pd.DataFrame, pairs: pd.DataFrame
) -> None:
    path = tmp_path / "matcher.json"
    fitted.save(path)
    loaded = Matcher.load(path)
    pd.testing.assert_frame_equal(loaded.predict(data, id="rid", threshold=None), pairs)
    assert json.loads(path.read_text())["version"] == 1


def test_unfitted_round_trip() -> None:
    again = Matcher.from_json(matcher(link_type="link", seed=3).to_json())
    assert not again.is_fitted
    assert again.link_type == "link"
    assert again.seed == 3
    assert again.comparisons == matcher().comparisons
    assert again.blocking == matcher().blocking


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": "something else"}),
        json.dumps({"format": "identigraph.Matcher", "version": 99}),
        json.dumps({"format": "identigraph.Matcher", "version": 1, "settings": {}}),
    ],
)
def test_from_json_rejects_bad_input(text: str) -> None:
    with pytest.raises(ConfigError):
        Matcher.from_json(text)


def test_from_json_rejects_parameters_of_other_comparisons(fitted: Matcher) -> None:
    data = fitted.to_dict()
    data["settings"]["comparisons"] = data["settings"]["comparisons"][:2]
    with pytest.raises(ConfigError):
        Matcher.from_dict(data)


def test_repr_names_comparisons_only(fitted: Matcher) -> None:
    assert repr(fitted).startswith("Matcher(comparisons=[first, last, dob, city]")
    assert "fitted" in repr(fitted)
