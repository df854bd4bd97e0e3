"""factorize_keys: digests through integers, checked; everything else as pandas factorizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
