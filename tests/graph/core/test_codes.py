"""factorize_keys: digests through integers, checked; everything else as pandas factorizes."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.graph.core import codes as _codes
from identigraph.graph.core import factorize_keys


def test_digests_sharing_an_integer_fall_back_to_the_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a zero multiplier only the last of the four words counts: these three
    # digests share it, and the two that differ earlier must stay apart.
    tail = "0" * 8 + "f" * 32
    keys = np.array(["a" * 24 + tail, "b" * 24 + tail, "a" * 24 + tail], dtype=object)
    monkeypatch.setattr(_codes, "_MIX", np.uint64(0))
    local, uniques = factorize_keys(keys, digests=True)
    assert local.tolist() == [0, 1, 0]
    assert uniques.tolist() == [keys[0], keys[1]]


def test_plain_keys_number_in_order_of_first_appearance() -> None:
    keys = np.array(["k2", "k1", "é", "k2", "", "k1"], dtype=object)
    local, uniques = factorize_keys(keys, digests=False)
    expected_local, expected_uniques = pd.factorize(keys)
    assert local.tolist() == expected_local.tolist()
    assert uniques.tolist() == expected_uniques.tolist()


@pytest.mark.parametrize("digests", [True, False])
@given(st.lists(st.sampled_from(["a", "b", "é", None]), max_size=30))
def test_missing_keys_get_minus_one_and_no_unique(digests: bool, values: list[str | None]) -> None:
    # An erased value keeps no key (None) while a bulk load waits to be merged.
    keys = np.array(
        [
            None if v is None else hashlib.sha256(v.encode()).hexdigest() if digests else v
            for v in values
        ],
        dtype=object,
    )
    local, uniques = factorize_keys(keys, digests=digests)
    expected_local, expected_uniques = pd.factorize(keys)
    assert local.tolist() == expected_local.tolist()
    assert uniques.tolist() == expected_uniques.tolist()
    assert None not in uniques.tolist()
