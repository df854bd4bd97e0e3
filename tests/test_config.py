"""The TOML job file: every spec, rule and matcher setting as plain data, mistakes named."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph._config import (
    IDENTIFIER_TYPES,
    RULES,
    config_from_dict,
    format_of,
    load_config,
)

_NAMES = {cls: name for name, cls in IDENTIFIER_TYPES.items()}


@st.composite
def identifier_tables(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(sorted(IDENTIFIER_TYPES)))
    table: dict[str, object] = {"type": kind, "column": draw(st.sampled_from(["a", "b_c", "x1"]))}
    if draw(st.booleans()):
        table["max_per_person"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        table["max_records"] = draw(st.integers(2, 500))
    if draw(st.booleans()):
        table["junk"] = draw(st.lists(st.sampled_from(["n/a", "unknown", "x"]), max_size=3))
    if draw(st.booleans()):
        table["on_shared"] = draw(st.sampled_from(["keep", "unlink"]))
    if kind == "phone" and draw(st.booleans()):
        table["region"] = draw(st.sampled_from(["US", "GB", "DE"]))
    return table


def _as_table(spec: ig.Identifier) -> dict[str, object]:
    out: dict[str, object] = {"type": _NAMES[type(spec)]}
    for field in dataclasses.fields(spec):
        if field.name == "_":
            continue
        value = getattr(spec, field.name)
        out[field.name] = sorted(value) if isinstance(value, frozenset) else value
    return out


@given(identifier_tables())
def test_identifier_tables_round_trip(table: dict[str, object]) -> None:
    spec = config_from_dict({"identifiers": [dict(table)]}).identifiers[0]
    assert isinstance(spec, IDENTIFIER_TYPES[str(table["type"])])
    assert config_from_dict({"identifiers": [_as_table(spec)]}).identifiers[0] == spec


def test_region_is_the_default_of_phone_specs_only() -> None:
    config = config_from_dict(
        {
            "region": "GB",
            "identifiers": [
                {"type": "phone", "column": "p"},
                {"type": "phone", "column": "q", "region": "US"},
                {"type": "email", "column": "e"},
            ],
        }
    )
    assert [getattr(s, "region", None) for s in config.identifiers] == ["GB", "US", None]


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_has_a_name(name: str) -> None:
    options: dict[str, object] = {"rule": name}
    if name in {"most_recent", "oldest"}:
        options["by"] = "t"
    if name == "source_priority":
        options["order"] = ["crm"]
    if name == "first_non_null":
        options["order_by"] = ["t"]
    rule = config_from_dict({"golden": {"rules": {"f": options}}}).golden.rules["f"]
    assert isinstance(rule, RULES[name])


def test_matcher_table() -> None:
    config = config_from_dict(
        {
            "matcher": {
                "threshold": 0.8,
                "link_type": "link",
                "comparisons": [
                    {"type": "name", "column": "first_name", "thresholds": [0.9, 0.8]},
                    {"type": "DateComparison", "column": "dob"},
                ],
                "blocking": [{"on": ["postcode", "dob"]}, {"on": "last", "transform": "soundex"}],
            }
        }
    )
    assert config.matcher is not None
    matcher = config.matcher.matcher
    assert config.matcher.threshold == 0.8
    assert matcher.link_type == "link"
    assert matcher.comparisons[0] == ig.NameComparison("first_name", thresholds=(0.9, 0.8))
    assert matcher.blocking[1] == ig.Block("last", transform="soundex")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"identifiers": [{"type": "emails", "column": "e"}]}, "did you mean 'email'"),
        ({"identifiers": {"type": "email"}}, "array of tables"),
        ({"attributes": [{"column": "n", "alike": "nope"}]}, "attributes[0]"),
        ({"matcher": {"threshold": 2, "comparisons": [], "blocking": []}}, "matcher"),
        ({"matcher": {"comparisons": [{"type": "nme", "column": "x"}]}}, "'name'"),
        ({"golden": {"rules": {"f": {"rule": "sum", "then": ["max"]}}}}, "tie-breakers"),
        ({"golden": {"rule": {}}}, "unknown key 'rule'"),
        ({"sources": [{"name": "a"}]}, 'path = "..." is required'),
        ({"sources": [{"name": "a", "path": "a.xlsx"}]}, "unknown extension"),
        ({"sources": [{"name": "a", "path": "a.csv", "idd": "x"}]}, "unknown key"),
        (
            {"sources": [{"name": "a", "path": "a.csv"}, {"name": "a", "path": "b.csv"}]},
            "names repeat",
        ),
        ({"store": 3}, "store"),
    ],
)
def test_mistakes_are_config_errors_naming_the_place(data: dict[str, object], says: str) -> None:
    with pytest.raises(ig.ConfigError, match=None) as info:
        config_from_dict(data)
    assert says in str(info.value)


def test_load_config_resolves_paths_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "job.toml").write_text(
        'store = "g"\n[[sources]]\nname = "crm"\npath = "in/crm.parquet"\n', encoding="utf-8"
    )
    config = load_config(tmp_path / "job.toml")
    assert config.store == tmp_path / "g"
    assert config.source("crm").path == tmp_path / "in" / "crm.parquet"
    assert config.source("crm").format == "parquet"
    with pytest.raises(ig.ConfigError, match="no source 'web'"):
        config.source("web")


def test_format_of() -> None:
    assert format_of(Path("a.PARQUET")) == "parquet"
    assert format_of(Path("a.tsv")) == "tsv"
    with pytest.raises(ig.ConfigError, match="format must be one of"):
        format_of(Path("a.csv"), "xlsx")
