"""SHA-256 keys and the detection of pre-hashed values."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.matcher import _hashing
from identigraph.matcher._hashing import (
    is_sha256_hex,
    lowercase_digests,
    sha256_digests,
    sha256_hex,
)

_DIGEST = hashlib.sha256(b"ann@mail.org").hexdigest()
#: Near misses of a digest: wrong case, length, letters that lowercase to ASCII.
_SPELLINGS = [
    _DIGEST,
    _DIGEST.upper(),
    _DIGEST[:-1],
    _DIGEST + "0",
    _DIGEST + "\n",
    " " + _DIGEST[1:],
    _DIGEST[:-1] + "g",
    _DIGEST[:-1] + "\u212a",  # Kelvin sign, lowercases to "k"
    _DIGEST[:-1] + "\u0130",  # lowercases to "i"
    _DIGEST[:-1] + "\uff21",  # fullwidth A
    "a" * 64,
    "A" * 32 + "f" * 32,
    "",
    "ann@mail.org",
]


def reference(values: list[str | None]) -> tuple[list[bool], list[str]]:
    lowered = pc.utf8_lower(pa.array(values, type=pa.string()))
    mask = is_sha256_hex(lowered)
    return mask.tolist(), lowered.filter(pa.array(mask)).to_pylist()


@pytest.mark.parametrize("size", [1, 8, 9, 40])
def test_lowercase_digests_equal_the_lowercased_check(size: int) -> None:
    rng = np.random.default_rng(size)
    values: list[str | None] = [str(v) for v in rng.choice(_SPELLINGS, size)]
    values[0] = None
    mask, digests = lowercase_digests(pa.array(values, type=pa.string()))
    assert (mask.tolist(), digests.to_pylist()) == reference(values)


@given(st.lists(st.sampled_from(_SPELLINGS) | st.text(max_size=70), max_size=30))
def test_lowercase_digests_on_any_text(values: list[str]) -> None:
    mask, digests = lowercase_digests(pa.array(values, type=pa.string()))
    assert (mask.tolist(), digests.to_pylist()) == reference(values)


def test_is_sha256_hex_in_small_and_large_batches() -> None:
    spellings = [v for v in _SPELLINGS if "\n" not in v]
    for size in (3, 30):
        values = (spellings * 3)[:size]
        expected = [re.fullmatch("[0-9a-f]{64}", v) is not None for v in values]
        assert is_sha256_hex(pa.array(values)).tolist() == expected


def test_sha256_hex_matches_hashlib_for_text_and_bytes() -> None:
    values = ["ann@mail.org", "+12015550123", "müller@web.de", ""]
    expected = [hashlib.sha256(v.encode()).hexdigest() for v in values]
    assert sha256_hex(values).tolist() == expected
    assert sha256_hex([v.encode() for v in values]).tolist() == expected
    assert sha256_hex(np.array(values, dtype=object)).tolist() == expected
    empty = sha256_hex([])
    assert empty.dtype == object
    assert empty.shape == (0,)


@given(values=st.lists(st.text(max_size=6), max_size=12), size=st.integers(1, 5))
def test_sha256_hex_in_slices_matches_hashlib(values: list[str], size: int) -> None:
    expected = [hashlib.sha256(v.encode()).hexdigest() for v in values]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_hashing, "_SLICE", size)  # many slices, a short last one
        assert sha256_hex(values).tolist() == expected
        assert sha256_hex([v.encode() for v in values]).tolist() == expected


_TEXT = st.text(max_size=8).filter(lambda s: not any(0xD800 <= ord(c) < 0xE000 for c in s))


@given(values=st.lists(_TEXT, max_size=12), size=st.integers(1, 5), large=st.booleans())
def test_sha256_digests_in_arrow_match_hashlib(values: list[str], size: int, large: bool) -> None:
    expected = [hashlib.sha256(v.encode()).hexdigest() for v in values]
    array = pa.array(values, type=pa.large_string() if large else pa.string())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_hashing, "_SLICE", size)  # many slices, a short last one
        digests = sha256_digests(array)
        assert sha256_digests(array.cast(pa.binary())).to_pylist() == expected
    assert digests.type == pa.large_string()
    assert digests.to_pylist() == expected
    assert digests.to_pylist() == sha256_hex(values).tolist()
