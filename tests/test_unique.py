"""The sort-based set operations equal numpy's own, whatever the values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from identigraph._unique import (
    sorted_difference,
    sorted_intersection,
    sorted_union,
    sorted_unique,
)

ints = hnp.arrays(np.int64, st.integers(0, 60), elements=st.integers(-5, 40))
floats = hnp.arrays(
    np.float64, st.integers(0, 60), elements=st.sampled_from([0.5, -1.0, np.nan, 2.0])
)


@given(a=ints, b=ints)
def test_integer_set_operations_equal_numpy(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_array_equal(sorted_unique(a), np.unique(a))
    np.testing.assert_array_equal(sorted_union(a, b), np.union1d(a, b))
    np.testing.assert_array_equal(sorted_difference(a, b), np.setdiff1d(a, b))
    np.testing.assert_array_equal(sorted_intersection(a, b), np.intersect1d(a, b))
    assert sorted_unique(a).dtype == np.unique(a).dtype


@given(a=floats)
def test_nan_collapses_as_numpy_does(a: np.ndarray) -> None:
    np.testing.assert_array_equal(sorted_unique(a), np.unique(a))


def test_object_and_empty_inputs() -> None:
    words = np.array(["b", "a", "b"], dtype=object)
    assert sorted_unique(words).tolist() == ["a", "b"]
    assert sorted_unique(np.empty(0, dtype=np.int64)).dtype == np.int64
    assert sorted_union(np.empty(0, dtype=np.int64), np.array([2, 1])).tolist() == [1, 2]
