"""Tests for identigraph.matcher.fellegi_sunter: weights, patterns and EM recovery of known m/u."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from identigraph.errors import ConfigError
from identigraph.matcher.fellegi_sunter import (
    FellegiSunterModel,
    expectation_maximisation,
    level_patterns,
    level_probabilities,
    match_probability,
)

TRUE_M = [np.array([0.05, 0.15, 0.8]), np.array([0.02, 0.03, 0.15, 0.8]), np.array([0.1, 0.9])]
TRUE_U = [np.array([0.9, 0.08, 0.02]), np.array([0.85, 0.1, 0.04, 0.01]), np.array([0.7, 0.3])]


def simulate(
    n: int, prior: float, seed: int, missing: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Level matrix of ``n`` pairs drawn from the known model, and the true match flags."""
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < prior
    levels = np.empty((n, len(TRUE_M)), dtype=np.int8)
    for k, (m, u) in enumerate(zip(TRUE_M, TRUE_U, strict=True)):
        draw = rng.random(n)
        from_m = np.searchsorted(np.cumsum(m), draw, side="right")
        from_u = np.searchsorted(np.cumsum(u), draw, side="right")
        levels[:, k] = np.where(is_match, from_m, from_u).clip(max=len(m) - 1)
        levels[rng.random(n) < missing, k] = -1
    return levels, is_match


def model(prior: float = 0.01) -> FellegiSunterModel:
    return FellegiSunterModel(
        names=("a", "b", "c"),
        labels=(("else", "fuzzy", "exact"), ("else", "f2", "f1", "exact"), ("else", "exact")),
        m=tuple(TRUE_M),
        u=tuple(TRUE_U),
        prior=prior,
    )


# -- EM -------------------------------------------------------------------------------
@pytest.mark.parametrize(("prior", "seed"), [(0.05, 1), (0.2, 2)])
def test_em_recovers_known_m_and_prior(prior: float, seed: int) -> None:
    levels, is_match = simulate(200_000, prior, seed)
    patterns, counts, _ = level_patterns(levels, [3, 4, 2])
    start = [np.array([0.1, 0.1, 0.8]), np.array([0.1, 0.1, 0.1, 0.7]), np.array([0.2, 0.8])]
    result = expectation_maximisation(
        patterns, counts, m=start, u=TRUE_U, prior=0.5, tol=1e-7, max_iter=1000
    )
    assert result.converged
    for estimated, true in zip(result.m, TRUE_M, strict=True):
        np.testing.assert_allclose(estimated, true, atol=0.015)
    assert result.prior == pytest.approx(is_match.mean(), rel=0.05)


def test_em_prior_is_relative_to_all_pairs() -> None:
    # all pairs follow the model; only those agreeing on a "blocking key" are candidates
    levels, is_match = simulate(400_000, 0.02, 5)
    blocked = (levels[:, 0] == 2) | (levels[:, 1] >= 2)
    patterns, counts, _ = level_patterns(levels[blocked], [3, 4, 2])
    start = [np.full(3, 1 / 3), np.full(4, 1 / 4), np.full(2, 1 / 2)]
    result = expectation_maximisation(
        patterns, counts, m=start, u=TRUE_U, prior=0.5, total_pairs=len(levels), max_iter=1000
    )
    assert blocked.mean() < 0.1
    assert result.prior == pytest.approx((is_match & blocked).sum() / len(levels), rel=0.05)
    np.testing.assert_allclose(result.m[2], TRUE_M[2], atol=0.02)  # not used for blocking


def test_em_fixed_prior_and_fixed_m() -> None:
    levels, _ = simulate(20_000, 0.1, 3)
    patterns, counts, _ = level_patterns(levels, [3, 4, 2])
    fixed = expectation_maximisation(
        patterns, counts, m=TRUE_M, u=TRUE_U, prior=0.3, estimate_prior=False
    )
    assert fixed.prior == 0.3
    prior_only = expectation_maximisation(
        patterns, counts, m=TRUE_M, u=TRUE_U, prior=0.5, estimate_m=False, tol=1e-9
    )
    for estimated, true in zip(prior_only.m, TRUE_M, strict=True):
        np.testing.assert_allclose(estimated, true, rtol=1e-6)
    assert prior_only.prior == pytest.approx(0.1, rel=0.1)


def test_em_is_deterministic_and_unseen_levels_keep_small_m() -> None:
    levels, _ = simulate(20_000, 0.1, 4)
    levels[:, 0] = np.minimum(levels[:, 0], 1)  # no pair reaches level 2 of comparison a
    patterns, counts, _ = level_patterns(levels, [3, 4, 2])
    one = expectation_maximisation(patterns, counts, m=TRUE_M, u=TRUE_U, prior=0.1)
    two = expectation_maximisation(patterns, counts, m=TRUE_M, u=TRUE_U, prior=0.1)
    assert one.prior == two.prior
    assert all(np.array_equal(a, b) for a, b in zip(one.m, two.m, strict=True))
    assert 0 < one.m[0][2] < 1e-3


def test_em_with_no_pairs_returns_the_start() -> None:
    result = expectation_maximisation(
        np.empty((0, 3), dtype=np.int8), np.empty(0), m=TRUE_M, u=TRUE_U, prior=0.1
    )
    assert result.prior == 0.1
    assert result.iterations == 0


# -- patterns and probabilities --------------------------------------------------------
@given(arrays(np.int8, st.tuples(st.integers(0, 50), st.just(3)), elements=st.integers(-1, 2)))
def test_level_patterns_reconstruct_the_matrix(levels: np.ndarray) -> None:
    patterns, counts, inverse = level_patterns(levels, [3, 3, 3])
    assert np.array_equal(patterns[inverse], levels)
    assert counts.sum() == len(levels)
    assert len({tuple(p) for p in patterns.tolist()}) == len(patterns)


def test_level_probabilities_ignore_missing() -> None:
    levels = np.array([0, 1, 1, -1, -1], dtype=np.int8)
    np.testing.assert_allclose(level_probabilities(levels, 3), [1 / 3, 2 / 3, 0])
    np.testing.assert_allclose(level_probabilities(np.array([-1], dtype=np.int8), 2), [0.5, 0.5])


@given(st.lists(st.floats(-60, 60), max_size=20))
def test_match_probability_is_monotone_and_bounded(weights: list[float]) -> None:
    ordered = np.sort(np.asarray(weights, dtype=np.float64))
    probabilities = match_probability(ordered)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert (np.diff(probabilities) >= 0).all()


def test_match_probability_of_zero_weight_is_half() -> None:
    assert match_probability([0.0])[0] == 0.5


# -- the model ------------------------------------------------------------------------
def test_match_weights_add_log_bayes_factors_and_skip_missing() -> None:
    fs = model(prior=0.01)
    levels = np.array([[2, 3, 1], [0, -1, -1], [-1, -1, -1]], dtype=np.int8)
    expected_first = (
        np.log2(0.01 / 0.99) + np.log2(0.8 / 0.02) + np.log2(0.8 / 0.01) + np.log2(0.9 / 0.3)
    )
    weights = fs.match_weights(levels)
    assert weights[0] == pytest.approx(expected_first)
    assert weights[1] == pytest.approx(np.log2(0.01 / 0.99) + np.log2(0.05 / 0.9))
    assert weights[2] == pytest.approx(fs.prior_weight)


def test_parameters_table() -> None:
    table = model().parameters
    assert list(table.columns) == [
        "comparison",
        "level",
        "label",
        "m_probability",
        "u_probability",
        "bayes_factor",
        "match_weight",
    ]
    assert len(table) == 3 + 4 + 2
    row = table[(table["comparison"] == "b") & (table["label"] == "exact")].iloc[0]
    assert row["level"] == 3
    assert row["bayes_factor"] == pytest.approx(80.0)
    assert row["match_weight"] == pytest.approx(np.log2(80.0))


def test_dict_round_trip() -> None:
    fs = model(prior=0.002)
    again = FellegiSunterModel.from_dict(fs.to_dict())
    assert again.names == fs.names
    assert again.labels == fs.labels
    assert again.prior == fs.prior
    for a, b in zip(again.m + again.u, fs.m + fs.u, strict=True):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize(
    "changes",
    [
        {"prior": 0.0},
        {"prior": 1.0},
        {"m": (TRUE_M[0], TRUE_M[1])},
        {"u": (TRUE_U[0], TRUE_U[1], np.array([0.5, 0.5, 0.0]))},
        {"m": (np.array([1.5, -0.5, 0.0]), TRUE_M[1], TRUE_M[2])},
    ],
)
def test_model_validation(changes: dict) -> None:
    options = {"names": ("a", "b", "c"), "labels": model().labels, "m": tuple(TRUE_M)}
    options |= {"u": tuple(TRUE_U), "prior": 0.1} | changes
    with pytest.raises(ConfigError):
        FellegiSunterModel(**options)


def test_from_dict_rejects_malformed() -> None:
    with pytest.raises(ConfigError):
        FellegiSunterModel.from_dict({"prior": 0.1})


def test_em_with_only_labelled_pairs_counts_them() -> None:
    from identigraph.matcher.fellegi_sunter import expectation_maximisation

    fixed = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=np.int8)
    result = expectation_maximisation(
        np.empty((0, 2), dtype=np.int8),
        np.empty(0),
        m=[np.array([0.5, 0.5])] * 2,
        u=[np.array([0.9, 0.1])] * 2,
        prior=0.1,
        fixed_patterns=fixed,
        fixed_posterior=[1.0, 1.0, 0.0, 0.0],
    )
    # two labelled matches, both agree on the first comparison: (2 + 1/2) / (2 + 1)
    assert result.m[0][1] == pytest.approx(2.5 / 3)
    assert result.m[1][1] == pytest.approx(1.5 / 3)
    assert result.prior == pytest.approx(0.5)


def test_em_fixed_posterior_must_match_the_patterns() -> None:
    from identigraph.errors import ConfigError
    from identigraph.matcher.fellegi_sunter import expectation_maximisation

    with pytest.raises(ConfigError):
        expectation_maximisation(
            np.zeros((1, 1), dtype=np.int8),
            [1],
            m=[np.array([0.5, 0.5])],
            u=[np.array([0.5, 0.5])],
            prior=0.5,
            fixed_patterns=np.zeros((2, 1), dtype=np.int8),
            fixed_posterior=[1.0],
        )
