"""Arrow string helpers: byte buffers, digit extraction, per-row counts."""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from identigraph.matcher._arrow import (
    all_ascii,
    ascii_digits,
    drop_invisible,
    from_buffers,
    row_counts,
    string_buffers,
    too_long,
)
from tests.strategies import INVISIBLE_CHARACTERS

_TEXT = st.lists(
    st.one_of(
        st.none(),
        st.text(alphabet="0123456789 +-()abcxé٣０\u212a", max_size=12),
    ),
    max_size=25,
)


def _rows(offsets: np.ndarray, data: np.ndarray) -> list[str]:
    return [data[a:b].tobytes().decode() for a, b in itertools.pairwise(offsets)]


@given(_TEXT, st.integers(0, 5))
def test_string_buffers_cut_each_value(values: list[str | None], skip: int) -> None:
    array = pa.array(values, type=pa.string()).fill_null("")
    sliced = array.slice(min(skip, len(array)))
    offsets, data = string_buffers(sliced)
    assert offsets[0] == 0
    assert _rows(offsets, data) == sliced.to_pylist()
    assert from_buffers(offsets, data).to_pylist() == sliced.to_pylist()
    chunked = pa.chunked_array([array, sliced], type=pa.string())
    assert _rows(*string_buffers(chunked)) == chunked.to_pylist()


@given(_TEXT, st.integers(0, 5))
def test_ascii_digits_equal_the_regex(values: list[str | None], skip: int) -> None:
    array = pa.array(values, type=pa.string()).slice(min(skip, len(values)))
    expected = pc.fill_null(pc.replace_substring_regex(array, r"\D+", ""), "").to_pylist()
    assert _rows(*ascii_digits(array)) == expected


@given(st.lists(st.booleans(), max_size=40), st.data())
def test_row_counts_equal_slice_sums(flags: list[bool], data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(flags)), max_size=10)))
    offsets = np.array([0, *cuts, len(flags)], dtype=np.int64)
    flag_array = np.array(flags, dtype=bool)
    expected = [int(flag_array[a:b].sum()) for a, b in itertools.pairwise(offsets)]
    assert row_counts(flag_array, offsets).tolist() == expected


def test_all_ascii() -> None:
    assert all_ascii(pa.array([], type=pa.string()))
    assert all_ascii(pa.array(["ann@mail.org", None]))
    assert not all_ascii(pa.array(["ann@mail.org", "müller@web.de"]))
    assert all_ascii(pa.array(["müller@web.de", "ann@mail.org"]).slice(1))


def _visible_reference(value: str) -> str:
    """Python's own reading of the rule: drop Cc (but whitespace) and Cf characters."""
    keep = "\t\n\x0b\x0c\r"
    return "".join(c for c in value if c in keep or unicodedata.category(c) not in ("Cc", "Cf"))


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=12),
            st.text(alphabet="ab@.\t " + "".join(INVISIBLE_CHARACTERS), max_size=12),
        ),
        max_size=20,
    )
)
def test_drop_invisible_equals_the_unicode_categories(values: list[str | None]) -> None:
    out = drop_invisible(pa.array(values, type=pa.string())).to_pylist()
    assert out == [None if v is None else _visible_reference(v) for v in values]


def test_drop_invisible_returns_clean_input_as_is() -> None:
    clean = pa.array(["ann@mail.org", None, "201 555 0123\t"])
    assert drop_invisible(clean) is clean
    assert drop_invisible(pa.array([], type=pa.string())).to_pylist() == []


@given(st.lists(st.one_of(st.none(), st.text(max_size=8)), max_size=20), st.integers(0, 6))
def test_too_long_counts_characters(values: list[str | None], limit: int) -> None:
    mask = too_long(pa.array(values, type=pa.string()), limit)
    assert mask.tolist() == [v is not None and len(v) > limit for v in values]
