"""Packed stable orders: the same permutation as numpy's lexsort, packed or not."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from identigraph.activation._order import lexorder

_KEYS = st.integers(1, 3).flatmap(
    lambda n_keys: st.integers(0, 40).flatmap(
        lambda n: st.lists(
            st.one_of(
                st.lists(st.integers(0, 5), min_size=n, max_size=n),  # narrow: packed
                st.lists(st.integers(0, 2**40), min_size=n, max_size=n),  # wide: lexsort
                st.lists(st.integers(-3, 3), min_size=n, max_size=n),  # negative: lexsort
                st.lists(st.booleans(), min_size=n, max_size=n),
            ),
            min_size=n_keys,
            max_size=n_keys,
        )
    )
)


@given(_KEYS)
def test_lexorder_is_numpys_lexsort(keys) -> None:
    arrays = [np.array(k, dtype=bool if k and isinstance(k[0], bool) else np.int64) for k in keys]
    got = lexorder(arrays)
    assert got.tolist() == np.lexsort(arrays).tolist()
    # an independent reference: Python's stable sort on the reversed key tuples
    rows = sorted(range(len(keys[0])), key=lambda i: tuple(int(k[i]) for k in reversed(keys)))
    assert got.tolist() == rows


def test_lexorder_of_nothing() -> None:
    assert lexorder([]).tolist() == []
    assert lexorder([np.array([], dtype=np.int64)]).tolist() == []
