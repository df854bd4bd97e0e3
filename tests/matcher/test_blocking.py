"""Tests for identigraph.matcher.blocking: rules, keys, candidate pairs and the block-size guard."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import ConfigError, MissingColumnError, PairBudgetError
from identigraph.matcher.blocking import (
    Block,
    BlockSizeWarning,
    blocking_analysis,
    candidate_pairs,
    estimate_cost,
)


def pair_list(left: np.ndarray, right: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(left.tolist(), right.tolist(), strict=True))


def brute_force(
    frame: pd.DataFrame, rules: list[Block], sources: list[int], link_type: str
) -> list[tuple[int, int]]:
    """Reference: every allowed pair whose keys agree on some rule, by a double loop."""
    keys = [rule.keys(frame) for rule in rules]
    out = []
    for i, j in itertools.combinations(range(len(frame)), 2):
        if link_type == "dedupe" and sources[i] != sources[j]:
            continue
        if link_type == "link" and sources[i] == sources[j]:
            continue
        if any(k[i] >= 0 and k[i] == k[j] for k in keys):
            out.append((i, j))
    return out


# -- rules ----------------------------------------------------------------------------
def test_block_normalizes_columns_and_transforms() -> None:
    rule = Block(["surname", "dob"], transform=["metaphone", "year"])
    assert rule.columns == ("surname", "dob")
    assert rule.transforms == ("metaphone", "year")
    assert Block(["postcode"]).on == "postcode"
    assert Block(["a", "b"], transform=["exact", "exact"]).transform == "exact"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {"on": ""}),
        ((), {"on": []}),
        (("surname",), {"transform": "double_metaphone"}),
        (("surname",), {"transform": "prefix"}),
        (("surname",), {"transform": "prefix", "n": 0}),
        (("surname",), {"n": 3}),
        ((["a", "b"],), {"transform": ["exact"]}),
    ],
)
def test_block_rejects_bad_options(args: tuple, kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        Block(*args, **kwargs)


def test_block_repr_and_dict_round_trip() -> None:
    rule = Block("surname", transform="prefix", n=3)
    assert repr(rule) == "Block('surname', transform='prefix', n=3)"
    assert Block(**rule.to_dict()) == rule
    multi = Block(["a", "b"], transform=["soundex", "year"], date_format="%d/%m/%Y")
    assert Block(**multi.to_dict()) == multi


# -- keys -----------------------------------------------------------------------------
def test_keys_missing_values_give_no_key() -> None:
    frame = pd.DataFrame({"pc": ["2600", None, "", np.nan, " 2600 "]})
    keys = Block("pc").keys(frame)
    assert keys.tolist() == [0, -1, -1, -1, 0]


def test_keys_with_pandas_missing_in_string_dtype() -> None:
    frame = pd.DataFrame({"pc": pd.array(["a", pd.NA, "A"], dtype="string")})
    assert Block("pc").keys(frame).tolist() == [0, -1, 0]


@pytest.mark.parametrize(
    ("transform", "n", "values", "same"),
    [
        ("exact", None, ["Smith", " smith "], True),
        ("prefix", 3, ["Johnson", "johnston"], True),
        ("prefix", 3, ["Johnson", "Jackson"], False),
        ("soundex", None, ["Smith", "Smyth"], True),
        ("metaphone", None, ["Catherine", "Kathryn"], True),
        ("nysiis", None, ["Philips", "Phillips"], True),
        ("metaphone", None, ["Smith", "Jones"], False),
        ("year", None, ["19900524", "1990-12-01"], True),
        ("year", None, ["19900524", "19910524"], False),
    ],
)
def test_transforms(transform: str, n: int | None, values: list[str], same: bool) -> None:
    keys = Block("x", transform=transform, n=n).keys(pd.DataFrame({"x": values}))
    assert bool(keys[0] == keys[1]) is same
    assert (keys >= 0).all()


def test_year_transform_reads_datetimes_and_date_format() -> None:
    dates = pd.DataFrame({"d": pd.to_datetime(["1990-05-24", "1990-01-01", None])})
    assert Block("d", transform="year").keys(dates).tolist() == [0, 0, -1]
    text = pd.DataFrame({"d": ["24/05/1990", "01/01/1990", "garbage"]})
    rule = Block("d", transform="year", date_format="%d/%m/%Y")
    assert rule.keys(text).tolist() == [0, 0, -1]


def test_multi_column_key_needs_every_column() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "x", None], "b": ["1", "1", "2", "1"]})
    keys = Block(["a", "b"]).keys(frame)
    assert keys[0] == keys[1] != keys[2]
    assert keys[3] == -1


def test_keys_missing_column() -> None:
    with pytest.raises(MissingColumnError) as info:
        Block("nope").keys(pd.DataFrame({"a": [1]}))
    assert info.value.column == "nope"


# -- candidate pairs ------------------------------------------------------------------
def test_candidate_pairs_union_is_deduplicated_and_sorted() -> None:
    frame = pd.DataFrame({"pc": ["a", "a", "b", "a"], "dob": ["1", "1", "1", None]})
    left, right = candidate_pairs(frame, [Block("pc"), Block("dob"), Block(["pc", "dob"])])
    assert pair_list(left, right) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)]
    assert left.dtype == np.int64


@pytest.mark.parametrize(
    ("link_type", "expected"),
    [
        ("dedupe", [(0, 1), (2, 5)]),
        ("link", [(0, 2), (0, 5), (1, 2), (1, 5), (3, 4)]),
        ("link_and_dedupe", [(0, 1), (0, 2), (0, 5), (1, 2), (1, 5), (2, 5), (3, 4)]),
    ],
)
def test_link_types(link_type: str, expected: list[tuple[int, int]]) -> None:
    frame = pd.DataFrame({"pc": ["a", "a", "a", "b", "b", "a"]})
    sources = [0, 0, 1, 0, 1, 1]
    left, right = candidate_pairs(frame, [Block("pc")], sources=sources, link_type=link_type)
    assert pair_list(left, right) == expected


@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", None]),
            st.sampled_from(["x", "y", None]),
            st.integers(0, 2),
        ),
        max_size=30,
    ),
    link_type=st.sampled_from(["dedupe", "link", "link_and_dedupe"]),
)
def test_candidate_pairs_match_brute_force(
    values: list[tuple[str | None, str | None, int]], link_type: str
) -> None:
    frame = pd.DataFrame({"p": [v[0] for v in values], "q": [v[1] for v in values]}, dtype=object)
    sources = [v[2] for v in values]
    rules = [Block("p"), Block(["p", "q"]), Block("q", transform="prefix", n=1)]
    left, right = candidate_pairs(frame, rules, sources=sources, link_type=link_type)
    assert pair_list(left, right) == brute_force(frame, rules, sources, link_type)


def test_candidate_pairs_empty_frame() -> None:
    left, right = candidate_pairs(pd.DataFrame({"p": pd.Series([], dtype=object)}), [Block("p")])
    assert len(left) == len(right) == 0


@pytest.mark.parametrize(
    ("kwargs", "rules"),
    [({"link_type": "both"}, [Block("p")]), ({"max_block_size": 1}, [Block("p")]), ({}, [])],
)
def test_candidate_pairs_rejects_bad_options(kwargs: dict, rules: list[Block]) -> None:
    with pytest.raises(ConfigError):
        candidate_pairs(pd.DataFrame({"p": ["a"]}), rules, **kwargs)


# -- block-size guard -----------------------------------------------------------------
def test_block_size_guard_skips_big_blocks_and_names_the_rule() -> None:
    frame = pd.DataFrame({"pc": ["big"] * 6 + ["small"] * 2})
    rule = Block("pc")
    with pytest.warns(BlockSizeWarning, match=r"Block\('pc'\)") as caught:
        left, right = candidate_pairs(frame, [rule], max_block_size=5)
    assert pair_list(left, right) == [(6, 7)]
    warning = caught[0].message
    assert isinstance(warning, BlockSizeWarning)
    assert warning.rule == rule
    assert warning.block_sizes == (6,)
    assert "big" not in str(warning)  # key values are never shown


def test_block_size_guard_ignores_blocks_that_cannot_pair() -> None:
    frame = pd.DataFrame({"pc": ["a"] * 6 + ["b"]})
    sources = [0] * 6 + [1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        left, _ = candidate_pairs(frame, [Block("pc")], sources=sources, link_type="link")
    assert len(left) == 0


def test_block_size_guard_keeps_other_rules() -> None:
    frame = pd.DataFrame({"pc": ["big"] * 4, "dob": ["1", "1", "2", "3"]})
    with pytest.warns(BlockSizeWarning):
        left, right = candidate_pairs(frame, [Block("pc"), Block("dob")], max_block_size=3)
    assert pair_list(left, right) == [(0, 1)]


def test_block_size_guard_applies_to_deduplication_across_rules() -> None:
    # rule 1 skips the big block, so rule 2 must still make its pairs
    frame = pd.DataFrame({"pc": ["big"] * 4, "dob": ["1", "1", "1", "2"]})
    with pytest.warns(BlockSizeWarning):
        left, right = candidate_pairs(frame, [Block("pc"), Block("dob")], max_block_size=3)
    assert pair_list(left, right) == [(0, 1), (0, 2), (1, 2)]


# -- pair budget ----------------------------------------------------------------------
def test_pair_budget_names_the_rule_that_alone_exceeds_it() -> None:
    frame = pd.DataFrame({"city": ["oslo"] * 10, "dob": [str(i % 5) for i in range(10)]})
    rule = Block("city")
    with pytest.raises(PairBudgetError, match=r"Block\('city'\)") as info:
        candidate_pairs(frame, [Block("dob"), rule], max_pairs=20)
    assert info.value.rule == rule
    assert info.value.pairs == 45
    assert info.value.max_pairs == 20
    assert "oslo" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_pair_budget_counts_after_deduplication() -> None:
    frame = pd.DataFrame({"a": ["x"] * 4, "b": ["x"] * 4, "c": ["1", "1", "2", "2"]})
    rules = [Block("a"), Block("b")]  # the second rule adds nothing new
    left, _ = candidate_pairs(frame, rules, max_pairs=6)
    assert len(left) == 6
    with pytest.raises(PairBudgetError) as info:
        candidate_pairs(frame, [Block("c"), Block("a")], max_pairs=5)
    assert info.value.rule == Block("a")
    assert info.value.pairs == 6


def test_pair_budget_must_be_a_count() -> None:
    with pytest.raises(ConfigError):
        candidate_pairs(pd.DataFrame({"p": ["a"]}), [Block("p")], max_pairs=-1)


# -- analysis -------------------------------------------------------------------------
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", None]),
            st.sampled_from(["x", "y", None]),
            st.integers(0, 2),
        ),
        max_size=30,
    ),
    link_type=st.sampled_from(["dedupe", "link", "link_and_dedupe"]),
    chunk_pairs=st.integers(1, 50),
    cap=st.integers(2, 12),
)
def test_blocking_analysis_counts_the_pairs_blocking_makes(
    values: list[tuple[str | None, str | None, int]], link_type: str, chunk_pairs: int, cap: int
) -> None:
    frame = pd.DataFrame({"p": [v[0] for v in values], "q": [v[1] for v in values]}, dtype=object)
    sources = [v[2] for v in values]
    rules = [Block("q"), Block("p"), Block(["p", "q"])]
    options = {"sources": sources, "link_type": link_type, "max_block_size": cap}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BlockSizeWarning)
        report = blocking_analysis(frame, rules, chunk_pairs=chunk_pairs, **options)
        for k, rule in enumerate(rules):
            own = candidate_pairs(frame, [rule], **options)[0]
            upto = candidate_pairs(frame, rules[: k + 1], **options)[0]
            assert report["pairs"][k] == len(own)
            assert report["cumulative_pairs"][k] == len(upto)
    assert report["new_pairs"].cumsum().tolist() == report["cumulative_pairs"].tolist()
    assert report["rule"].tolist() == [repr(r) for r in rules]


def test_blocking_analysis_lists_largest_blocks_and_costs() -> None:
    frame = pd.DataFrame({"pc": ["big"] * 7 + ["mid"] * 3 + ["s"] * 2 + ["one"]})
    report = blocking_analysis(frame, [Block("pc")], max_block_size=6, top=2, n_comparisons=3)
    row = report.iloc[0]
    assert row["largest_blocks"] == (3, 2)
    assert row["skipped_blocks"] == 1
    assert row["pairs"] == 4
    assert row["blocks"] == 2
    seconds, size = estimate_cost(4, 3)
    assert row["est_seconds"] == pytest.approx(seconds)
    assert row["est_memory_mb"] == pytest.approx(size / 2**20)
    assert "big" not in report.to_string()


def test_estimate_cost_grows_with_pairs_and_comparisons() -> None:
    assert estimate_cost(0, 4) == (0.0, 0)
    assert estimate_cost(2000, 4)[0] == pytest.approx(2 * estimate_cost(1000, 4)[0])
    assert estimate_cost(1000, 6)[1] > estimate_cost(1000, 4)[1]
