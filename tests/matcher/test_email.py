"""Email normalization and the Email spec."""

from __future__ import annotations

import hashlib

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.matcher.email import normalize_email_array, normalize_emails

_local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=12)
_domain = st.sampled_from(["mail.com", "gmail.com", "Corp.IO", "web.de", "müller.de"])


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(_local).strip(".")
    local = local or "a1"
    spelled = draw(st.sampled_from([str.lower, str.upper, str.title]))(f"{local}@{draw(_domain)}")
    return draw(st.sampled_from(["", " ", "\t"])) + spelled + draw(st.sampled_from(["", "  "]))


@given(st.lists(emails(), min_size=1, max_size=20), st.booleans())
def test_normalize_is_idempotent(values: list[str], provider_rules: bool) -> None:
    once = normalize_emails(pd.Series(values), provider_rules=provider_rules)
    valid = once.dropna()
    twice = normalize_emails(valid, provider_rules=provider_rules)
    assert twice.tolist() == valid.tolist()


@given(st.lists(st.text(max_size=30), max_size=20))
def test_arbitrary_text_never_crashes(values: list[str]) -> None:
    out = normalize_emails(pd.Series(values, dtype=object))
    assert len(out) == len(values)
    assert all(v != v or ("@" in v and v == v.strip()) for v in out.tolist())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Ann.Lee@Mail.COM ", "ann.lee@mail.com"),
        ("a@b.co", "a@b.co"),
        ("no-at-sign", None),
        ("two@@mail.com", None),
        ("a@nodot", None),
        ("a b@mail.com", None),
        (".lead@mail.com", None),
        ("x@mail.c0m", "x@mail.c0m"),
        ("x@mail.1com", None),
    ],
)
def test_syntax(raw: str, expected: str | None) -> None:
    out = normalize_emails(pd.Series([raw])).iloc[0]
    assert (out if isinstance(out, str) else None) == expected


def test_provider_rules() -> None:
    raw = pd.Series(["J.Doe+news@googlemail.com", "j.doe@outlook.com", "j.doe+x@outlook.com"])
    assert normalize_emails(raw, provider_rules=True).tolist() == [
        "jdoe@gmail.com",
        "j.doe@outlook.com",
        "j.doe@outlook.com",
    ]
    assert normalize_emails(raw).tolist()[0] == "j.doe+news@googlemail.com"


def test_spec_hashes_and_accepts_prehashed() -> None:
    digest = hashlib.sha256(b"ann@mail.com").hexdigest()
    out = ig.Email("email").normalize(
        pd.Series(["ANN@mail.com", digest.upper(), "bad", "noreply@x.io"])
    )
    assert out.keys.tolist() == [digest, digest, None, None]
    assert out.reasons.tolist() == [None, None, "invalid_email", "junk_value"]


def test_spec_without_hash_and_with_extra_junk() -> None:
    spec = ig.Email("email", hash=False, junk=frozenset({"Ops@Corp.io"}))
    out = spec.normalize(pd.Series(["ops@corp.io", "Ann@Corp.io"]))
    assert out.keys.tolist() == [None, "ann@corp.io"]
    assert out.reasons.tolist() == ["junk_value", None]


def test_canonicalize_gives_plain_normalized_form() -> None:
    spec = ig.Email("email")
    out = spec.canonicalize(pd.Series([" A1@Mail.com", "test@test.com", None], index=[7, 8, 9]))
    assert out.index.tolist() == [7, 8, 9]
    assert out.iloc[0] == "a1@mail.com"
    assert out.iloc[1:].isna().all()


def test_spec_validation() -> None:
    with pytest.raises(ig.ConfigError):
        ig.Email("")
    with pytest.raises(ig.ConfigError):
        ig.Email("email", max_records=0)
    with pytest.raises(ig.ConfigError):
        ig.Cookie("c", max_per_person=-1)


_ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=20)


@given(st.lists(st.one_of(emails(), _ASCII, st.none()), max_size=20), st.booleans())
def test_ascii_batches_normalize_as_in_a_mixed_batch(
    values: list[str | None], provider_rules: bool
) -> None:
    # An all-ASCII batch skips NFKC and Unicode case mapping; one wide value
    # sends the same values down the Unicode path, which must agree.
    ascii_only = normalize_email_array(
        pa.array(values, type=pa.string()), provider_rules=provider_rules
    )
    mixed = normalize_email_array(
        pa.array([*values, "Müller@Web.de"], type=pa.string()), provider_rules=provider_rules
    )
    assert ascii_only.to_pylist() == mixed.to_pylist()[:-1]


def test_spec_keys_in_a_large_batch_with_repeats() -> None:
    raw = ["Ann@Mail.com", " ann@mail.com", "bob@web.de", "bad", None, "n/a", "noreply@x.io"] * 5
    digest = {v: hashlib.sha256(v.encode()).hexdigest() for v in ["ann@mail.com", "bob@web.de"]}
    out = ig.Email("email").normalize(pd.Series(raw))
    expected = [digest["ann@mail.com"], digest["ann@mail.com"], digest["bob@web.de"]] + [None] * 4
    assert out.keys.tolist() == expected * 5
    # None is missing (no key, no reason), as for every spec.
    reasons = [None, None, None, "invalid_email", None, "junk_value", "junk_value"]
    assert out.reasons.tolist() == reasons * 5
