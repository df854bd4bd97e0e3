"""Tests for identigraph.matcher.comparisons: levels on crafted pairs, nulls, symmetry, storage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import ConfigError
from identigraph.matcher._levels import pair_levels, prepare_column
from identigraph.matcher.comparisons import (
    COMPARISONS,
    Comparison,
    DateComparison,
    EditDistanceComparison,
    ExactComparison,
    NameComparison,
    NumberComparison,
    TextComparison,
    comparison_from_dict,
)

ALL = [
    ExactComparison("x"),
    NameComparison("x"),
    TextComparison("x"),
    EditDistanceComparison("x"),
    NumberComparison("x"),
    DateComparison("x"),
]
MISSING = [None, np.nan, pd.NA, "", "   "]


@pytest.mark.parametrize("comparison", ALL, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize("missing", MISSING, ids=repr)
def test_missing_is_no_information(comparison: Comparison, missing: object) -> None:
    levels = comparison.compare([missing, "12", missing], ["12", missing, missing])
    assert levels.tolist() == [-1, -1, -1]


@pytest.mark.parametrize("comparison", ALL, ids=lambda c: type(c).__name__)
def test_equal_values_are_the_top_level(comparison: Comparison) -> None:
    levels = comparison.compare(["19900524", "42"], ["19900524", "42"])
    assert levels.tolist() == [comparison.n_levels - 1] * 2
    assert comparison.level_labels[0] == "else"
    assert comparison.level_labels[-1] == "exact"


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Martha", " MARTHA ", 3),
        ("Jon", "John", 2),  # Jaro-Winkler 0.93
        ("Steven", "Stephen", 1),  # 0.89
        ("Dwayne", "Duane", 0),  # 0.84
        ("Ann", "Bob", 0),
    ],
)
def test_name_levels(left: str, right: str, level: int) -> None:
    assert NameComparison("n").compare([left], [right]).tolist() == [level]


def test_name_thresholds_are_configurable() -> None:
    comparison = NameComparison("n", thresholds=(0.8,))
    assert comparison.level_labels == ("else", "jaro_winkler >= 0.8", "exact")
    assert comparison.compare(["Dwayne"], ["Duane"]).tolist() == [1]


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("12 High Street", "high street 12", 2),
        ("12 High Street", "12 High Street Flat 3", 2),  # one is a subset of the other
        ("12 High Street", "12 High St", 1),
        ("1 Main Rd", "9 Elm Ave", 0),
    ],
)
def test_text_levels(left: str, right: str, level: int) -> None:
    assert TextComparison("t").compare([left], [right]).tolist() == [level]


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [("2600", "2600", 3), ("2600", "2060", 2), ("2600", "2611", 1), ("2600", "3799", 0)],
)
def test_edit_distance_levels(left: str, right: str, level: int) -> None:
    assert EditDistanceComparison("c").compare([left], [right]).tolist() == [level]


def test_number_levels_and_non_numbers() -> None:
    comparison = NumberComparison("n", within=(1, 10))
    assert comparison.level_labels == ("else", "within 10", "within 1", "exact")
    levels = comparison.compare([12, "12", 12.0, 12, 12, 12], ["12", 13, 20, 40, "twelve", 12.5])
    assert levels.tolist() == [3, 2, 1, 0, -1, 2]


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("1990-05-24", "19900524", 4),  # the same date in two spellings
        ("19900503", "19900305", 3),  # day and month swapped
        ("19900524", "19900525", 2),  # one mistyped digit
        ("19900524", "19901107", 1),  # within a year
        ("19900524", "20010101", 0),
        ("19561131", "19561130", 2),  # an invalid date still compares as text
        ("19561131", "19561131", 4),
    ],
)
def test_date_levels(left: str, right: str, level: int) -> None:
    assert DateComparison("d").compare([left], [right]).tolist() == [level]


def test_date_options() -> None:
    comparison = DateComparison("d", swapped=False, max_edits=0, within_days=(30, 365))
    assert comparison.level_labels == ("else", "within 365 days", "within 30 days", "exact")
    levels = comparison.compare(
        ["19900503", "19900524", "19900524"], ["19900305", "19900601", "19900525"]
    )
    assert levels.tolist() == [1, 2, 2]


def test_date_reads_datetimes_and_formats() -> None:
    dates = pd.Series(pd.to_datetime(["1990-05-24", "1990-05-24"]))
    text = pd.Series(["24/05/1990", "25/05/1990"])
    comparison = DateComparison("d", date_format="%d/%m/%Y")
    assert comparison.compare(dates, text).tolist() == [4, 2]


@given(
    left=st.lists(st.text(alphabet="abcde ", max_size=8), min_size=1, max_size=20),
    data=st.data(),
)
@pytest.mark.parametrize("comparison", ALL[:4], ids=lambda c: type(c).__name__)
def test_levels_are_symmetric(comparison: Comparison, left: list[str], data: st.DataObject) -> None:
    right = data.draw(
        st.lists(st.text(alphabet="abcde ", max_size=8), min_size=len(left), max_size=len(left))
    )
    forward = comparison.compare(left, right)
    assert forward.tolist() == comparison.compare(right, left).tolist()
    assert ((forward >= -1) & (forward < comparison.n_levels)).all()


def test_distinct_value_pairs_scored_once_give_per_pair_levels() -> None:
    rng = np.random.default_rng(3)
    names = np.array(["jon", "john", "joan", "jim", "bob", None], dtype=object)
    values = pd.Series(names[rng.integers(0, len(names), 200)], dtype=object)
    comparison = NameComparison("n")
    prepared = prepare_column(comparison, values)
    left = rng.integers(0, 200, 300)
    right = rng.integers(0, 200, 300)
    levels = pair_levels(comparison, prepared, left, right)
    one_by_one = [
        comparison.compare([values[i]], [values[j]])[0] for i, j in zip(left, right, strict=True)
    ]
    assert levels.tolist() == one_by_one


def test_compare_rejects_unequal_lengths() -> None:
    with pytest.raises(ConfigError):
        ExactComparison("x").compare(["a"], ["a", "b"])


@pytest.mark.parametrize(
    "make",
    [
        lambda: ExactComparison(""),
        lambda: ExactComparison("x", name="not an identifier"),
        lambda: NameComparison("x", thresholds=(1.2,)),
        lambda: NameComparison("x", thresholds=(0.9, 0.9)),
        lambda: TextComparison("x", thresholds=(0,)),
        lambda: EditDistanceComparison("x", max_edits=(0,)),
        lambda: NumberComparison("x", within=(-1,)),
        lambda: DateComparison("x", max_edits=-1),
        lambda: DateComparison("x", within_days=(0,)),
    ],
)
def test_invalid_options(make: object) -> None:
    with pytest.raises(ConfigError):
        make()  # type: ignore[operator]


def test_name_defaults_to_column() -> None:
    assert NameComparison("surname").name == "surname"
    assert NameComparison("surname", name="surname_fuzzy").name == "surname_fuzzy"


@pytest.mark.parametrize(
    "comparison",
    [
        *ALL,
        NameComparison("given", name="first", thresholds=(0.9,), tf_adjust=True),
        DateComparison("dob", swapped=False, within_days=(30, 365), date_format="%Y%m%d"),
    ],
    ids=repr,
)
def test_dict_round_trip(comparison: Comparison) -> None:
    assert comparison_from_dict(comparison.to_dict()) == comparison


def test_from_dict_rejects_unknown() -> None:
    with pytest.raises(ConfigError):
        comparison_from_dict({"type": "Soundex", "column": "x"})
    with pytest.raises(ConfigError):
        comparison_from_dict({"type": "ExactComparison", "column": "x", "colour": "red"})
    assert set(COMPARISONS) == {type(c).__name__ for c in ALL}
