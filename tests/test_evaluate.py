"""Pairwise precision and recall from contingency counts."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig


def _brute(pred: list[int], true: list[int]) -> tuple[int, int, int]:
    pairs = list(itertools.combinations(range(len(pred)), 2))
    tp = sum(pred[i] == pred[j] and true[i] == true[j] for i, j in pairs)
    return tp, sum(pred[i] == pred[j] for i, j in pairs), sum(true[i] == true[j] for i, j in pairs)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=25))
def test_counts_equal_pair_enumeration(labels: list[tuple[int, int]]) -> None:
    pred = [p for p, _ in labels]
    true = [t for _, t in labels]
    clusters = pd.DataFrame({"source": "s", "record_id": range(len(pred)), "person_id": pred})
    truth = pd.DataFrame({"source": "s", "record_id": range(len(true)), "person": true})
    if not labels:
        return
    scores = ig.evaluate.pairwise(clusters, truth)
    assert (scores.true_positives, scores.predicted_pairs, scores.true_pairs) == _brute(pred, true)
    assert 0.0 <= scores.precision <= 1.0
    assert 0.0 <= scores.recall <= 1.0


def test_errors() -> None:
    c = pd.DataFrame({"source": ["s"], "record_id": [1], "person_id": [1]})
    with pytest.raises(ig.MissingColumnError):
        ig.evaluate.pairwise(c.drop(columns="person_id"), c.rename(columns={"person_id": "person"}))
    with pytest.raises(ig.InputError):
        ig.evaluate.pairwise(pd.concat([c, c]), c.rename(columns={"person_id": "person"}))
    with pytest.raises(ig.InputError):
        ig.evaluate.pairwise(c, c.rename(columns={"person_id": "person"}).assign(record_id=[2]))


def test_canonical_string_ids_join_typed_truth() -> None:
    pred = pd.DataFrame(
        {"source": ["crm", "crm", "web"], "record_id": ["7", "8", "e1"], "person_id": [1, 1, 2]}
    )
    true = pd.DataFrame(
        {"source": ["crm", "crm", "web"], "record_id": pd.Series([7, 8, "e1"], dtype=object),
         "person": [0, 0, 1]}
    )  # fmt: skip
    scores = ig.evaluate.pairwise(pred, true)
    assert (scores.precision, scores.recall) == (1.0, 1.0)
