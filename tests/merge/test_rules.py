"""Tests of identigraph.merge.rules: survivorship rule objects."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import ConfigError, IdentigraphError
from identigraph.merge import (
    Aggregate,
    Collect,
    Count,
    Custom,
    FirstNonNull,
    Longest,
    Max,
    Min,
    MostFrequent,
    MostRecent,
    Oldest,
    Rule,
    Select,
    SourcePriority,
    Sum,
)


def test_the_issue_spellings_construct() -> None:
    rules = {
        "email": MostRecent(by="updated_at"),
        "first_name": SourcePriority(["crm", "pos", "web"]).then(MostFrequent()),
        "phones": Collect("phone", unique=True),
        "lifetime_value": Sum("order_total"),
        "last_seen": Max("seen_at"),
    }
    assert rules["phones"].column == "phone"
    assert rules["phones"].unique
    assert rules["last_seen"].input_column("last_seen") == "seen_at"
    assert rules["email"].input_column("email") == "email"
    assert isinstance(rules["first_name"], SourcePriority)
    assert rules["first_name"].tie_breakers == (MostFrequent(),)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Rule(), "base class"),
        (lambda: Select(), "base class"),
        (lambda: Aggregate(), "base class"),
        (lambda: MostRecent(""), "by must be a non-empty string"),
        (lambda: Oldest(by=3), "by must be a non-empty string"),
        (lambda: SourcePriority([]), "non-empty"),
        (lambda: SourcePriority(["crm", "crm"]), "repeats"),
        (lambda: SourcePriority([1]), "non-empty string"),
        (lambda: FirstNonNull(()), "non-empty"),
        (lambda: Collect(limit=0), "limit"),
        (lambda: Collect(limit=True), "limit"),
        (lambda: Collect(limit=1.5), "limit"),
        (lambda: Collect(unique="yes"), "unique"),
        (lambda: Count(unique=1), "unique"),
        (lambda: Custom("len"), "callable"),
        (lambda: Sum(normalized=True), "normalized"),
        (lambda: MostFrequent(column=""), "column"),
        (lambda: MostFrequent(normalized="yes"), "normalized"),
        (lambda: MostFrequent(tie_breakers=(Sum(),)), "selection rules"),
        (lambda: MostFrequent(tie_breakers=MostFrequent()), "tuple"),
        (lambda: MostFrequent(tie_breakers=(Longest().then(Max()),)), "no tie-breakers"),
    ],
)
def test_invalid_rules_raise_config_error(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        make()
    assert isinstance(err.value, ValueError)
    assert isinstance(err.value, IdentigraphError)


def test_then_returns_a_new_rule_and_flattens_chains() -> None:
    head = SourcePriority(["crm"])
    chained = head.then(MostFrequent().then(Longest())).then(Oldest("created_at"))
    assert head.tie_breakers == ()
    assert chained.tie_breakers == (MostFrequent(), Longest(), Oldest("created_at"))
    assert isinstance(chained, SourcePriority)


@pytest.mark.parametrize(
    "breaker",
    [Sum(), Collect(), MostFrequent(column="other"), Longest(normalized=True), Max("x")],
)
def test_then_rejects_aggregates_and_columns(breaker: Rule) -> None:
    with pytest.raises(ConfigError, match="tie-breaker"):
        MostFrequent().then(breaker)  # type: ignore[arg-type]


def test_aggregates_have_no_then() -> None:
    assert not hasattr(Sum(), "then")


def test_rules_are_frozen_hashable_values() -> None:
    rule = SourcePriority(["crm", "pos"]).then(MostFrequent())
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.order = ("web",)  # type: ignore[misc]
    assert rule == SourcePriority(("crm", "pos")).then(MostFrequent())
    assert hash(rule) == hash(SourcePriority(("crm", "pos")).then(MostFrequent()))
    assert rule != SourcePriority(["pos", "crm"]).then(MostFrequent())
    assert MostFrequent() != Longest()


def test_replace_validates_again() -> None:
    with pytest.raises(ConfigError, match="limit"):
        dataclasses.replace(Collect("phone"), limit=-1)
    assert dataclasses.replace(Collect("phone"), limit=3).limit == 3


def test_single_strings_become_tuples() -> None:
    assert SourcePriority("crm").order == ("crm",)
    assert FirstNonNull("created_at").order_by == ("created_at",)
    assert MostFrequent(tie_breakers=[Longest()]).tie_breakers == (Longest(),)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (MostFrequent(), "MostFrequent()"),
        (MostRecent(by="updated_at"), "MostRecent(by='updated_at')"),
        (
            SourcePriority(["crm", "web"]).then(MostFrequent()).then(Longest()),
            "SourcePriority(order=('crm', 'web')).then(MostFrequent()).then(Longest())",
        ),
        (Collect("phone", unique=True, limit=3), "Collect(column='phone', unique=True, limit=3)"),
        (Min("x", normalized=True), "Min(column='x', normalized=True)"),
        (Custom(len), "Custom(fn=len)"),
    ],
)
def test_repr_shows_what_differs_from_defaults(rule: Rule, text: str) -> None:
    assert repr(rule) == text


def test_columns_lists_input_then_ordering_columns() -> None:
    rule = MostRecent(by="updated_at", column="email").then(FirstNonNull(["seen", "updated_at"]))
    assert rule.columns("golden_email") == ("email", "updated_at", "seen")
    assert Count().columns("n") == ("n",)
    assert Oldest("created_at").columns("name") == ("name", "created_at")


_BREAKERS = st.sampled_from(
    [MostFrequent(), Longest(), Max(), Min(), MostRecent("t"), SourcePriority(["a"])]
)


@given(_BREAKERS, _BREAKERS, _BREAKERS)
def test_then_chaining_is_associative(a: Select, b: Select, c: Select) -> None:
    head = FirstNonNull("x")
    assert head.then(a).then(b).then(c) == head.then(a.then(b.then(c)))
    assert head.then(a.then(b)).then(c) == head.then(a).then(b.then(c))
    assert len(head.then(a).then(b).then(c).tie_breakers) == 3
