"""Value hashes: of each value's kind and link key, the same whether keys repeat or not."""

from __future__ import annotations

import numpy as np
import pandas as pd

import identigraph as ig
from identigraph.graph.state.keys import value_hashes


def _categorized(state: object, codes: np.ndarray) -> np.ndarray:
    """The hashes as ``pandas.util.hash_array`` gives them after a factorization."""
    keys = state.value_codes.key[codes]  # type: ignore[attr-defined]
    names = np.array([p.name for p in state.policies], dtype=object)  # type: ignore[attr-defined]
    salt = pd.util.hash_array(names)
    kinds = state.value_codes.kind[codes]  # type: ignore[attr-defined]
    return np.asarray(pd.util.hash_array(keys) ^ salt[kinds], dtype=np.uint64)


def test_value_hashes_equal_the_categorized_hash_erased_values_included() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Phone("phone", region="US")])
    g.add(
        pd.DataFrame(
            {
                "id": ["a", "b", "c"],
                "email": ["ann@mail.com", "ann@mail.com", "cy@web.de"],
                "phone": ["201-555-0123", None, "212-555-0199"],
            }
        ),
        source="crm",
        id="id",
    )
    g.remove(records=[("crm", "c")])  # its email and phone are erased: keys None
    state = g.state
    codes = np.arange(len(state.value_codes))
    codes = np.concatenate([codes, codes[::-1]])  # repeated codes hash alike
    assert state.value_codes.key[codes].tolist().count(None) >= 2
    got = value_hashes(state, codes)
    assert got.dtype == np.uint64
    assert got.tolist() == _categorized(state, codes).tolist()
    assert len(set(got[state.value_codes.key[codes] != None].tolist())) == 2  # noqa: E711
