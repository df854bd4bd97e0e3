"""Tests for the Matcher's explain_pair, clerical review, blocking analysis, link/dedupe entries,
the name-swap level and the waterfall chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import (
    ConfigError,
    InputError,
    MissingColumnError,
    PairBudgetError,
    UnknownRecordError,
)
from identigraph.matcher import DEFAULT_THRESHOLD
from identigraph.matcher.blocking import Block
from identigraph.matcher.charts import waterfall_chart
from identigraph.matcher.comparisons import (
    TF_AUTO_MIN_VALUES,
    DateComparison,
    ExactComparison,
    NameComparison,
)
from identigraph.matcher.linker import Matcher, clerical_review
from tests.matcher.test_linker import matcher, people


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return people()


@pytest.fixture(scope="module")
def fitted(data: pd.DataFrame) -> Matcher:
    return matcher().fit(data, id="rid")


@pytest.fixture(scope="module")
def scored(fitted: Matcher, data: pd.DataFrame) -> pd.DataFrame:
    return fitted.predict(data, id="rid", threshold=None, weights=True)


# -- one threshold --------------------------------------------------------------------
def test_default_threshold_is_the_predict_default(
    fitted: Matcher, data: pd.DataFrame, scored: pd.DataFrame
) -> None:
    assert 0 < DEFAULT_THRESHOLD < 1
    kept = fitted.predict(data, id="rid")
    assert (kept["match_probability"] >= DEFAULT_THRESHOLD).all()
    assert len(kept) == int((scored["match_probability"] >= DEFAULT_THRESHOLD).sum())


# -- explain_pair ---------------------------------------------------------------------
def test_explain_pair_adds_up_to_the_predicted_weight(
    fitted: Matcher, data: pd.DataFrame, scored: pd.DataFrame
) -> None:
    for row in scored.sample(25, random_state=0).itertuples():
        table = fitted.explain_pair(data, row.record_id_l, row.record_id_r, id="rid")
        assert table["part"].tolist() == ["prior", "first", "last", "dob", "city", "total"]
        weights = table["weight"].to_numpy()
        assert weights[:-1].sum() == pytest.approx(row.match_weight)
        assert weights[-1] == pytest.approx(row.match_weight)
        expected = [
            row.prior_weight,
            row.first_weight,
            row.last_weight,
            row.dob_weight,
            row.city_weight,
        ]
        np.testing.assert_allclose(weights[:-1], expected)
        assert table["level"].iloc[1:-1].tolist() == [
            row.first_level,
            row.last_level,
            row.dob_level,
            row.city_level,
        ]
        assert table["cumulative_probability"].iloc[-1] == pytest.approx(row.match_probability)


def test_explain_pair_is_symmetric(fitted: Matcher, data: pd.DataFrame) -> None:
    ab = fitted.explain_pair(data, "r0000", "r0001", id="rid")
    ba = fitted.explain_pair(data, "r0001", "r0000", id="rid")
    np.testing.assert_allclose(ab["weight"], ba["weight"])


def test_explain_pair_shows_no_values(fitted: Matcher, data: pd.DataFrame) -> None:
    table = fitted.explain_pair(data, "r0000", "r0001", id="rid")
    text = table.to_string()
    for column in ("first", "last", "city"):
        for value in data.loc[data["rid"].isin(["r0000", "r0001"]), column].dropna():
            assert f" {value} " not in f" {text} "


def test_explain_pair_unknown_records(fitted: Matcher, data: pd.DataFrame) -> None:
    with pytest.raises(UnknownRecordError):
        fitted.explain_pair(data, "r0000", "nobody", id="rid")
    sources = {"a": data.iloc[:100], "b": data.iloc[100:]}
    with pytest.raises(UnknownRecordError):
        fitted.explain_pair(sources, "r0000", "r0001", id="rid")
    table = fitted.explain_pair(sources, ("a", "r0000"), ("b", data["rid"].iloc[150]), id="rid")
    assert table["part"].iloc[-1] == "total"


def test_waterfall_chart(fitted: Matcher, data: pd.DataFrame) -> None:
    pytest.importorskip("altair")
    chart = waterfall_chart(fitted.explain_pair(data, "r0000", "r0001", id="rid"))
    spec = chart.to_dict()
    assert spec["title"] == "How the match weight adds up"
    with pytest.raises(MissingColumnError):
        waterfall_chart(pd.DataFrame({"part": ["prior"]}))


# -- clerical review ------------------------------------------------------------------
@given(
    weights=st.lists(st.floats(-30, 30, allow_nan=False), max_size=40),
    n=st.integers(0, 50),
    threshold=st.floats(0.01, 0.99),
)
def test_clerical_review_returns_the_nearest_pairs(
    weights: list[float], n: int, threshold: float
) -> None:
    pairs = pd.DataFrame({"match_weight": weights, "pair": range(len(weights))})
    review = clerical_review(pairs, n=n, threshold=threshold)
    cut = np.log2(threshold / (1 - threshold))
    distance = np.abs(np.asarray(weights) - cut)
    assert len(review) == min(n, len(weights))
    assert review["review_rank"].tolist() == list(range(1, len(review) + 1))
    got = np.abs(review["weight_from_threshold"].to_numpy())
    assert (np.diff(got) >= 0).all()
    if len(review) < len(weights):  # nothing left out is nearer than what is kept
        left_out = np.delete(distance, review["pair"].to_numpy())
        assert got.max(initial=0) <= left_out.min() + 1e-12


def test_clerical_review_of_a_matcher(fitted: Matcher, data: pd.DataFrame) -> None:
    review = fitted.clerical_review(data, id="rid", n=10)
    assert len(review) == 10
    assert review["match_probability"].between(0.001, 0.999).any()
    with pytest.raises(ConfigError):
        clerical_review(review, threshold=1.0)
    with pytest.raises(MissingColumnError):
        clerical_review(review.drop(columns="match_weight"))


# -- blocking analysis and budget -----------------------------------------------------
def test_blocking_analysis_agrees_with_fit(fitted: Matcher, data: pd.DataFrame) -> None:
    report = fitted.blocking_analysis(data, id="rid")
    assert report["rule"].tolist() == [repr(rule) for rule in fitted.blocking]
    assert report["cumulative_pairs"].iloc[-1] == fitted.fit_info["candidate_pairs"]


def test_max_pairs_stops_before_comparing(data: pd.DataFrame) -> None:
    loose = matcher(max_pairs=100)
    with pytest.raises(PairBudgetError) as info:
        loose.fit(data, id="rid")
    assert info.value.rule in loose.blocking
    assert not loose.is_fitted
    with pytest.raises(ConfigError):
        matcher(max_pairs=-5)


def test_max_pairs_survives_a_round_trip() -> None:
    assert Matcher.from_json(matcher(max_pairs=1000).to_json()).max_pairs == 1000


# -- link and dedupe entries ----------------------------------------------------------
def test_link_pairs_across_sources_only(data: pd.DataFrame) -> None:
    sources = {"shop": data.iloc[::2], "crm": data.iloc[1::2]}
    pairs = matcher().link(sources, id="rid")
    assert len(pairs)
    assert (pairs["source_l"] != pairs["source_r"]).all()
    assert (pairs["match_probability"] >= DEFAULT_THRESHOLD).all()
    with pytest.raises(InputError):
        matcher().link({"shop": data}, id="rid")


def test_dedupe_pairs_within_the_frame(data: pd.DataFrame) -> None:
    pairs = matcher().dedupe(data, id="rid", source="crm")
    assert len(pairs)
    assert (pairs["source_l"] == "crm").all()
    assert (pairs["source_r"] == "crm").all()
    with pytest.raises(InputError):
        matcher().dedupe({"crm": data}, id="rid")  # type: ignore[arg-type]


def test_link_with_a_fitted_matcher_uses_its_model(fitted: Matcher, data: pd.DataFrame) -> None:
    prior = fitted.prior
    sources = {"shop": data.iloc[::2], "crm": data.iloc[1::2]}
    pairs = fitted.link(sources, id="rid", threshold=None)
    assert fitted.prior == prior
    assert (pairs["source_l"] != pairs["source_r"]).all()


# -- name swap ------------------------------------------------------------------------
def test_name_swap_level() -> None:
    frame = pd.DataFrame(
        {
            "first": ["ann", "lee", "ann", "bob", None],
            "last": ["lee", "ann", "lee", "bob", "ann"],
            "dob": ["19800101"] * 5,
        }
    )
    m = Matcher(
        [
            NameComparison("first", swap_with="last", tf_adjust=False),
            NameComparison("last", tf_adjust=False),
            DateComparison("dob"),
        ],
        [Block("dob")],
        prior=0.1,
    ).fit(frame)
    pairs = m.predict(frame, threshold=None).set_index(["record_id_l", "record_id_r"])
    swap = NameComparison("first", swap_with="last").n_levels - 2
    assert pairs.loc[(0, 1), "first_level"] == swap  # ann lee / lee ann
    assert pairs.loc[(1, 2), "first_level"] == swap
    assert pairs.loc[(0, 2), "first_level"] == swap + 1  # exact stays exact
    assert pairs.loc[(0, 3), "first_level"] == 0
    assert pairs.loc[(1, 4), "first_level"] == -1  # a missing first name stays missing


@pytest.mark.parametrize("other", ["", "first", 3])
def test_name_swap_needs_another_column(other: object) -> None:
    with pytest.raises(ConfigError):
        NameComparison("first", swap_with=other)  # type: ignore[arg-type]


def test_names_are_term_frequency_adjusted_by_default() -> None:
    assert NameComparison("first").tf_adjust == "auto"
    assert ExactComparison("state").tf_adjust is False
    with pytest.raises(ConfigError):
        NameComparison("first", tf_adjust="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(("copies", "adjusted"), [(1, False), (TF_AUTO_MIN_VALUES // 4, True)])
def test_auto_term_frequency_needs_enough_values(copies: int, adjusted: bool) -> None:
    # 4 names, "smith" common; "auto" adjusts only once the column is large enough
    base = pd.DataFrame(
        {"last": ["smith", "smith", "smith", "zane"], "block": ["x"] * 4, "key": range(4)}
    )
    frame = pd.concat([base.assign(block=f"b{i}") for i in range(copies)], ignore_index=True)
    frame["key"] = range(len(frame))
    results = {}
    for tf in ("auto", False):
        m = Matcher([NameComparison("last", tf_adjust=tf)], [Block("block")], prior=0.01)
        results[tf] = m.fit(frame, id="key").predict(frame, id="key", threshold=None, weights=True)[
            "last_weight"
        ]
    assert (not np.allclose(results["auto"], results[False])) == adjusted


# -- labels from review feed back -----------------------------------------------------
def reviewed(fitted: Matcher, data: pd.DataFrame, is_match: bool) -> pd.DataFrame:
    review = fitted.clerical_review(data, id="rid", n=30)
    return review.assign(is_match=is_match)


@pytest.mark.parametrize("is_match", [True, False])
def test_pair_labels_move_the_reviewed_pairs(
    fitted: Matcher, data: pd.DataFrame, is_match: bool
) -> None:
    labels = reviewed(fitted, data, is_match)
    before = labels["match_probability"].mean()
    refitted = matcher().fit(data, id="rid", pair_labels=labels)
    assert refitted.fit_info["labelled_pairs"] == len(labels)
    again = refitted.predict(data, id="rid", threshold=None)
    keys = ["record_id_l", "record_id_r"]
    after = labels[keys].merge(again, on=keys)["match_probability"].mean()
    assert (after > before) if is_match else (after < before)


def test_pair_labels_are_checked(fitted: Matcher, data: pd.DataFrame) -> None:
    labels = reviewed(fitted, data, True)
    with pytest.raises(ConfigError):
        matcher().fit(data, id="rid", labels="person", pair_labels=labels)
    with pytest.raises(UnknownRecordError):
        matcher().fit(data, id="rid", pair_labels=labels.assign(record_id_l="nobody"))
    with pytest.raises(ConfigError):
        matcher().fit(data, id="rid", pair_labels=labels.assign(is_match=1))
    with pytest.raises(MissingColumnError):
        matcher().fit(data, id="rid", pair_labels=labels.drop(columns="is_match"))
