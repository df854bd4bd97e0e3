"""Tests of identigraph.merge.golden: the vectorized golden-record engine."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from identigraph.errors import (
    ConfigError,
    DtypeError,
    DuplicateRecordError,
    InputError,
    MissingColumnError,
    UnknownRecordError,
)
from identigraph.merge import (
    Collect,
    Count,
    Custom,
    FirstNonNull,
    GoldenResult,
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
    golden_records,
)
from tests.strategies import merge_frames

# -- a plain per-person reference -------------------------------------------------------


def _usable(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return False
    return not (isinstance(value, str) and not value.strip())


def _lower(values: pd.Series) -> pd.Series:
    """A normalizer: trimmed, lowercased strings; NA for blanks."""
    out = values.str.strip().str.lower()
    return out.where(out.str.len() > 0)


def _stamp(value: Any) -> int:
    return pd.Timestamp(value).value


def _reference_pick(rows: list[dict[str, Any]], rule: Select, column: str) -> dict | None:
    """The winning record among ``rows`` (dicts with 'value'), by sorting with tuples."""
    cands = [r for r in rows if _usable(r["value"])]
    if not cands:
        return None
    counts = Counter(r["value"] for r in cands)
    distinct = sorted({r["value"] for r in cands})

    def step_key(step: Select, r: dict[str, Any]) -> tuple:
        if isinstance(step, (MostRecent, Oldest)):
            by = r[step.by]
            if not _usable(by):
                return (1, 0)
            return (0, -_stamp(by) if isinstance(step, MostRecent) else _stamp(by))
        if isinstance(step, MostFrequent):
            return (-counts[r["value"]],)
        if isinstance(step, SourcePriority):
            order = list(step.order)
            return (order.index(r["source"]) if r["source"] in order else len(order),)
        if isinstance(step, Longest):
            return (-len(str(r["value"])),)
        if isinstance(step, FirstNonNull):
            out: tuple = ()
            for c in step.order_by:
                v = r[c]
                out += (1, 0) if not _usable(v) else (0, _stamp(v) if c == "ts" else v)
            return out
        if isinstance(step, (Max, Min)):
            rank = distinct.index(r["value"])
            return (-rank if isinstance(step, Max) else rank,)
        raise AssertionError(step)

    def key(r: dict[str, Any]) -> tuple:
        parts = tuple(step_key(s, r) for s in (rule, *rule.tie_breakers))
        return (*parts, r["source"], r["record_id"])

    return min(cands, key=key)


def _reference(
    records: pd.DataFrame, clusters: pd.DataFrame, field: str, rule: Rule
) -> dict[int, tuple[Any, Any, Any]]:
    """person_id -> (value, source, record_id) by a plain loop over persons."""
    column = rule.input_column(field)
    merged = records.merge(clusters, on=["source", "record_id"])
    values = _lower(merged[column]) if rule.normalized else merged[column]
    merged = merged.assign(value=values.astype(object).where(values.notna(), None))
    out: dict[int, tuple[Any, Any, Any]] = {}
    for pid in sorted(merged["person_id"].unique()):
        rows = merged[merged["person_id"] == pid].to_dict("records")
        if isinstance(rule, Select):
            won = _reference_pick(rows, rule, column)
            out[int(pid)] = (
                (None, None, None)
                if won is None
                else (won["value"], won["source"], won["record_id"])
            )
            continue
        usable = sorted(
            (r for r in rows if _usable(r["value"])), key=lambda r: (r["source"], r["record_id"])
        )
        vals = [r["value"] for r in usable]
        if isinstance(rule, Sum):
            out[int(pid)] = (sum(vals) if vals else None, None, None)
        elif isinstance(rule, Count):
            out[int(pid)] = (len(set(vals)) if rule.unique else len(vals), None, None)
        elif isinstance(rule, Collect):
            if rule.unique:
                vals = list(dict.fromkeys(vals))
            out[int(pid)] = (vals[: rule.limit] if rule.limit else vals, None, None)
    return out


def _same_value(got: Any, want: Any) -> bool:
    if want is None:
        return (
            got is None
            or got is pd.NA
            or got is pd.NaT
            or (isinstance(got, float) and math.isnan(got))
        )
    if isinstance(want, pd.Timestamp):
        return pd.Timestamp(got) == want
    if isinstance(want, list):
        return [
            pd.Timestamp(g) if isinstance(w, pd.Timestamp) else g
            for g, w in zip(list(got), want, strict=True)
        ] == want
    return bool(got == want)


# -- strategies -------------------------------------------------------------------------

_HEADS = [
    ("name", MostFrequent()),
    ("name", MostFrequent(normalized=True)),
    ("name", SourcePriority(["web", "crm"])),
    ("name", Longest()),
    ("name", MostRecent(by="ts")),
    ("name", Oldest(by="ts")),
    ("name", FirstNonNull(["score", "ts"])),
    ("name", Max()),
    ("name", Min(normalized=True)),
    ("score", Max()),
    ("score", Min()),
    ("ts", Max()),
    ("score", MostRecent(by="ts")),
    ("qty", MostFrequent()),
    ("qty", Min()),
]
_BREAKERS = [
    MostFrequent(),
    SourcePriority(["pos", "app"]),
    Longest(),
    MostRecent(by="ts"),
    Oldest(by="ts"),
    FirstNonNull("score"),
    Max(),
    Min(),
]
_AGGREGATES = [
    ("score", Sum()),
    ("qty", Sum()),
    ("name", Count()),
    ("name", Count(unique=True, normalized=True)),
    ("name", Collect()),
    ("name", Collect(unique=True, limit=2)),
    ("ts", Collect(unique=True)),
    ("score", Collect(limit=1)),
]


@st.composite
def select_rules(draw: st.DrawFn) -> tuple[str, Select]:
    column, rule = draw(st.sampled_from(_HEADS))
    for breaker in draw(st.lists(st.sampled_from(_BREAKERS), max_size=2)):
        rule = rule.then(breaker)
    return column, rule


_NORMALIZERS = {"name": _lower}


def _check_against_reference(
    records: pd.DataFrame, clusters: pd.DataFrame, column: str, rule: Rule
) -> None:
    field = "out"
    rule_for_field = rule if rule.column else _with_column(rule, column)
    golden = golden_records(
        records, clusters, {field: rule_for_field}, default=None, normalizers=_NORMALIZERS
    )
    want = _reference(records, clusters, field, rule_for_field)
    assert golden["person_id"].tolist() == list(want)
    for i, pid in enumerate(golden["person_id"].tolist()):
        value, source, record_id = want[pid]
        assert _same_value(golden[field].iloc[i], value), (pid, golden[field].iloc[i], value)
        if isinstance(rule, Select):
            assert _same_value(golden[f"{field}__source"].iloc[i], source)
            assert _same_value(golden[f"{field}__record_id"].iloc[i], record_id)


def _with_column(rule: Rule, column: str) -> Rule:
    from dataclasses import replace

    return replace(rule, column=column)


# -- properties -------------------------------------------------------------------------


@given(merge_frames(), select_rules())
def test_selection_matches_reference(frames: tuple, spec: tuple[str, Select]) -> None:
    records, clusters = frames
    _check_against_reference(records, clusters, *spec)


@given(merge_frames(string_ids=True), select_rules())
def test_selection_matches_reference_with_mixed_id_types(frames: tuple, spec: tuple) -> None:
    records, clusters = frames
    # the reference orders ids within a source; every source has one id type here
    _check_against_reference(records, clusters, *spec)


@given(merge_frames(), st.sampled_from(_AGGREGATES))
def test_aggregates_match_reference(frames: tuple, spec: tuple[str, Rule]) -> None:
    records, clusters = frames
    _check_against_reference(records, clusters, *spec)


@given(merge_frames(), select_rules())
def test_chosen_value_comes_from_a_member_record(frames: tuple, spec: tuple) -> None:
    records, clusters = frames
    column, rule = spec
    golden = golden_records(
        records, clusters, {column: rule}, default=None, normalizers=_NORMALIZERS
    )
    member = clusters.set_index(["source", "record_id"])["person_id"]
    raw = records.set_index(["source", "record_id"])[column]
    for row in golden.to_dict("records"):
        if row[f"{column}__source"] is None or pd.isna(row[f"{column}__source"]):
            continue
        key = (row[f"{column}__source"], row[f"{column}__record_id"])
        assert member.loc[key] == row["person_id"]
        value = raw.loc[key]
        if rule.normalized:
            value = _lower(pd.Series([value], dtype=object)).iloc[0]
        assert _usable(value)
        assert _same_value(row[column], value)


@given(merge_frames(), select_rules())
def test_a_usable_value_beats_null(frames: tuple, spec: tuple) -> None:
    records, clusters = frames
    column, rule = spec
    golden = golden_records(
        records,
        clusters,
        {"out": _with_column(rule, column)},
        default=None,
        normalizers=_NORMALIZERS,
    )
    values = _lower(records[column]) if rule.normalized else records[column]
    usable = pd.Series([_usable(v) for v in values.astype(object)], index=records.index)
    has_value = usable.groupby(clusters["person_id"].to_numpy()).any()
    got = golden.set_index("person_id")["out"].notna()
    assert got.sort_index().tolist() == has_value.sort_index().tolist()


@given(merge_frames(), st.permutations(["app", "crm", "pos", "web"]))
def test_source_priority_is_respected(frames: tuple, order: list[str]) -> None:
    records, clusters = frames
    golden = golden_records(records, clusters, {"name": SourcePriority(order[:3])}, default=None)
    usable = records["name"].astype(object).map(_usable).to_numpy()  # test-only reference
    rank = {s: i for i, s in enumerate(order[:3])}
    best: dict[int, int] = {}
    for src, pid, ok in zip(records["source"], clusters["person_id"], usable, strict=True):
        if ok:
            best[pid] = min(best.get(pid, 9), rank.get(src, 3))
    for pid, src in zip(golden["person_id"], golden["name__source"], strict=True):
        if pid in best:
            assert rank.get(src, 3) == best[pid]
        else:
            assert pd.isna(src)


@given(merge_frames(string_ids=True), select_rules(), st.randoms(use_true_random=False))
def test_invariant_under_row_shuffles(frames: tuple, spec: tuple, rnd: Any) -> None:
    records, clusters = frames
    column, rule = spec
    rules = {
        "out": _with_column(rule, column),
        "total": Sum("score"),
        "names": Collect("name", unique=True),
        "n": Count("record_id"),
    }
    kwargs = {"default": MostFrequent(), "normalizers": _NORMALIZERS}
    before = golden_records(records, clusters, rules, **kwargs)
    rows = list(range(len(records)))
    rnd.shuffle(rows)
    other = list(range(len(records)))
    rnd.shuffle(other)
    shuffled = records.iloc[rows].set_index(pd.Index([f"x{i}" for i in rows]))
    after = golden_records(shuffled, clusters.iloc[other], rules, **kwargs)
    pd.testing.assert_frame_equal(before, after)


@given(merge_frames())
def test_one_row_per_person(frames: tuple) -> None:
    records, clusters = frames
    golden = golden_records(records, clusters)
    assert golden["person_id"].tolist() == sorted(set(clusters["person_id"]))
    assert golden.columns[0] == "person_id"


# -- examples ---------------------------------------------------------------------------


@pytest.fixture
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    records = pd.DataFrame(
        {
            "source": ["crm", "pos", "web", "crm", "web", "pos"],
            "record_id": [1, 1, 3, 2, 4, 5],
            "email": [" Ann@Mail.com", "ann@mail.com", "", None, "bob@web.de", "  "],
            "first_name": ["Ann", "Anne", "Anne", "Bob", "Bobby", None],
            "updated_at": ["2024-01-01", "2024-05-01", "2024-06-01", None, "03/04/2023", "x"],
            "order_total": [10.0, 20.0, None, 5.0, None, 1.0],
            "seen_at": pd.to_datetime(
                ["2024-01-01", "2024-02-01", None, "2023-01-01", "2023-06-01", None]
            ),
            "phone": ["111", "222", "111", None, "333", "444"],
        }
    )
    clusters = pd.DataFrame(
        {
            "source": ["web", "pos", "crm", "crm", "web", "pos"],
            "record_id": [4, 5, 2, 1, 3, 1],
            "person_id": [1, 1, 1, 2, 2, 2],
        }
    )
    return records, clusters


_ISSUE_RULES: dict[str, Rule] = {
    "email": MostRecent(by="updated_at", normalized=True),
    "first_name": SourcePriority(["crm", "pos", "web"]).then(MostFrequent()),
    "phones": Collect("phone", unique=True),
    "lifetime_value": Sum("order_total"),
    "last_seen": Max("seen_at"),
}


def test_issue_example(frames: tuple) -> None:
    records, clusters = frames
    before = records.copy()
    golden = golden_records(
        records, clusters, _ISSUE_RULES, default=None, normalizers={"email": _lower}
    )
    pd.testing.assert_frame_equal(records, before)  # the caller's frame is untouched
    assert golden.columns.tolist() == [
        "person_id",
        "email",
        "first_name",
        "phones",
        "lifetime_value",
        "last_seen",
        "email__source",
        "email__record_id",
        "first_name__source",
        "first_name__record_id",
        "last_seen__source",
        "last_seen__record_id",
    ]
    one, two = golden.to_dict("records")
    # person 1: crm/2 (no email, Bob), pos/5 (blank email, 'x' date), web/4 (bob@web.de)
    assert one["email"] == "bob@web.de"
    assert (one["email__source"], one["email__record_id"]) == ("web", 4)
    assert one["first_name"] == "Bob"
    assert one["first_name__source"] == "crm"
    assert one["phones"] == ["444", "333"]  # pos/5 before web/4: the tie-break order
    assert one["lifetime_value"] == 6.0
    assert one["last_seen"] == pd.Timestamp("2023-06-01")
    assert one["last_seen__source"] == "web"
    # person 2: crm/1, pos/1 (newest usable email), web/3 (blank email)
    assert one["person_id"] == 1
    assert two["person_id"] == 2
    assert two["email"] == "ann@mail.com"
    assert two["email__source"] == "pos"
    assert two["first_name"] == "Ann"
    assert two["phones"] == ["111", "222"]
    assert two["lifetime_value"] == 30.0


def test_default_rule_fills_other_columns(frames: tuple) -> None:
    records, clusters = frames
    golden = golden_records(records, clusters, {"phones": Collect("phone")})
    # phone feeds 'phones', so it gets no default field; by-columns do
    assert golden.columns[:7].tolist() == [
        "person_id",
        "phones",
        "email",
        "first_name",
        "updated_at",
        "order_total",
        "seen_at",
    ]
    assert "phone" not in golden.columns
    assert golden["first_name"].tolist() == ["Bob", "Anne"]  # Anne twice beats Ann once


def test_default_none_and_provenance_modes(frames: tuple) -> None:
    records, clusters = frames
    rules = {"name": SourcePriority("web", column="first_name"), "total": Sum("order_total")}
    bare = golden_records(records, clusters, rules, default=None, provenance="none")
    assert bare.columns.tolist() == ["person_id", "name", "total"]
    result = golden_records(records, clusters, rules, default=None, provenance="long")
    assert isinstance(result, GoldenResult)
    golden, prov = result
    pd.testing.assert_frame_equal(golden, bare)
    assert prov.columns.tolist() == ["person_id", "field", "source", "record_id"]
    assert prov.to_dict("list") == {
        "person_id": [1, 2],
        "field": ["name", "name"],
        "source": ["web", "web"],
        "record_id": [4, 3],
    }


def test_long_provenance_is_sorted_by_person_then_field(frames: tuple) -> None:
    records, clusters = frames
    _, prov = golden_records(records, clusters, provenance="long")
    assert prov["person_id"].is_monotonic_increasing
    fields = list(prov["field"].cat.categories)
    for _, part in prov.groupby("person_id"):
        codes = [fields.index(f) for f in part["field"]]
        assert codes == sorted(codes)


def test_rejected_cells_count_as_null(frames: tuple) -> None:
    records, clusters = frames
    rejected = pd.DataFrame(
        {"source": ["pos", "nowhere"], "record_id": [1, 9], "column": ["email", "email"]}
    )
    golden = golden_records(
        records,
        clusters,
        _ISSUE_RULES,
        default=None,
        normalizers={"email": _lower},
        rejected=rejected,
    )
    assert golden["email"].tolist()[1] == "ann@mail.com"
    assert golden["email__source"].tolist()[1] == "crm"  # pos/1 was rejected


def test_normalized_without_normalizer_is_a_config_error(frames: tuple) -> None:
    records, clusters = frames
    with pytest.raises(ConfigError, match="no normalizer"):
        golden_records(records, clusters, {"email": MostFrequent(normalized=True)})


def test_missing_column_lists_columns_per_source(frames: tuple) -> None:
    records, clusters = frames
    with pytest.raises(MissingColumnError) as err:
        golden_records(records, clusters, {"email": MostRecent(by="modified")})
    message = str(err.value)
    assert "'modified'" in message
    assert "crm: email, first_name, updated_at, order_total, seen_at, phone" in message
    assert "web:" in message
    assert "pos:" in message
    assert err.value.column == "modified"
    assert isinstance(err.value, KeyError)


def test_missing_key_columns(frames: tuple) -> None:
    records, clusters = frames
    with pytest.raises(MissingColumnError, match="person_id"):
        golden_records(records, clusters.drop(columns="person_id"))
    with pytest.raises(MissingColumnError, match="record_id"):
        golden_records(records.drop(columns="record_id"), clusters)


def test_unknown_and_repeated_records(frames: tuple) -> None:
    records, clusters = frames
    with pytest.raises(UnknownRecordError, match="1 record"):
        golden_records(records, clusters.iloc[1:])
    repeated = pd.concat([records, records.iloc[[0]]], ignore_index=True)
    with pytest.raises(DuplicateRecordError, match="repeat"):
        golden_records(repeated, clusters)
    with pytest.raises(DuplicateRecordError, match="more than one row"):
        golden_records(records, pd.concat([clusters, clusters.iloc[[0]]]))
    with pytest.raises(InputError, match="missing"):
        golden_records(records.assign(record_id=[1, None, 3, 2, 4, 5]), clusters)


def test_extra_cluster_rows_are_ignored(frames: tuple) -> None:
    records, clusters = frames
    extra = pd.concat(
        [
            clusters,
            pd.DataFrame({"source": ["crm", "erp"], "record_id": [99, 1], "person_id": [3, 4]}),
        ]
    )
    pd.testing.assert_frame_equal(golden_records(records, extra), golden_records(records, clusters))


def test_record_ids_compare_by_string_form_when_a_source_mixes_types() -> None:
    records = pd.DataFrame(
        {"source": ["s", "s", "s", "t"], "record_id": [10, "9", 2, "a"], "v": ["x", "y", "z", "w"]}
    )
    clusters = records[["source", "record_id"]].assign(person_id=1)
    golden = golden_records(
        records, clusters, {"all": Collect("v"), "one": MostFrequent(column="v")}, default=None
    )
    # string forms: "10" < "2" < "9"
    assert golden["all"].iloc[0] == ["x", "z", "y", "w"]
    assert (golden["one__source"].iloc[0], golden["one__record_id"].iloc[0]) == ("s", 10)


def test_string_dates_parse_and_unparseable_ones_lose() -> None:
    records = pd.DataFrame(
        {
            "source": ["a", "b", "c", "d"],
            "record_id": [1, 1, 1, 1],
            "v": ["iso", "us", "junk", "tz"],
            "at": ["2024-03-01", "12/31/2024", "not a date", "2024-06-01T23:00:00-05:00"],
        }
    )
    clusters = records[["source", "record_id"]].assign(person_id=1)
    golden = golden_records(
        records,
        clusters,
        {"new": MostRecent("at", column="v"), "old": Oldest("at", column="v")},
        default=None,
    )
    assert golden.loc[0, "new"] == "us"
    assert golden.loc[0, "old"] == "iso"


def test_integer_columns_become_nullable_where_a_person_lacks_a_value() -> None:
    records = pd.DataFrame(
        {"source": ["a", "a"], "record_id": [1, 2], "n": [5, 6], "blank": ["", "x"]}
    )
    clusters = records[["source", "record_id"]].assign(person_id=[1, 2])
    full = golden_records(records, clusters, {"n": Max()}, default=None)
    assert full["n"].dtype == np.int64
    assert full["n__record_id"].dtype == np.int64
    some = golden_records(records, clusters, {"b": MostFrequent(column="blank")}, default=None)
    assert str(some["b__record_id"].dtype) == "Int64"
    assert some["b__record_id"].isna().tolist() == [True, False]
    assert some["b"].isna().tolist() == [True, False]


def test_collect_mixed_types_falls_back_to_python_lists() -> None:
    records = pd.DataFrame(
        {
            "source": ["a", "a", "b"],
            "record_id": [1, 2, 3],
            "v": pd.Series([1, "x", None], dtype=object),
        }
    )
    clusters = records[["source", "record_id"]].assign(person_id=[1, 1, 2])
    golden = golden_records(records, clusters, {"v": Collect()}, default=None)
    assert golden["v"].tolist() == [[1, "x"], []]


def test_collect_is_an_arrow_list_column() -> None:
    records = pd.DataFrame({"source": ["a", "a"], "record_id": [1, 2], "v": [1.5, 2.5]})
    clusters = records[["source", "record_id"]].assign(person_id=1)
    golden = golden_records(records, clusters, {"v": Collect()}, default=None)
    assert isinstance(golden["v"].dtype, pd.ArrowDtype)
    assert golden["v"].tolist() == [[1.5, 2.5]]


def test_custom_gets_one_persons_values_in_tie_break_order(frames: tuple) -> None:
    records, clusters = frames
    seen: list[pd.Series] = []

    def first_and_count(values: pd.Series) -> str:
        seen.append(values)
        return f"{values.iloc[0]}/{len(values)}"

    golden = golden_records(
        records, clusters, {"f": Custom(first_and_count, column="first_name")}, default=None
    )
    assert golden["f"].tolist() == ["Bob/2", "Ann/3"]
    assert seen[0].index.names == ["source", "record_id"]
    assert seen[0].index.tolist() == [("crm", 2), ("web", 4)]


def test_custom_is_not_called_for_persons_without_values() -> None:
    records = pd.DataFrame({"source": ["a", "a"], "record_id": [1, 2], "v": ["x", None]})
    clusters = records[["source", "record_id"]].assign(person_id=[1, 2])
    calls: list[int] = []

    def count(values: pd.Series) -> int:
        calls.append(len(values))
        return len(values)

    golden = golden_records(records, clusters, {"v": Custom(count)}, default=None)
    assert calls == [1]
    assert golden["v"].iloc[0] == 1
    assert pd.isna(golden["v"].iloc[1])


def test_sum_converts_numeric_strings_and_rejects_others() -> None:
    records = pd.DataFrame({"source": ["a", "a"], "record_id": [1, 2], "v": ["1.5", " "]})
    clusters = records[["source", "record_id"]].assign(person_id=1)
    assert golden_records(records, clusters, {"v": Sum()}, default=None)["v"].tolist() == [1.5]
    bad = records.assign(v=["1", "lots"])
    with pytest.raises(DtypeError, match="not numbers"):
        golden_records(bad, clusters, {"v": Sum()}, default=None)


def test_sum_and_count_of_a_person_without_values() -> None:
    records = pd.DataFrame(
        {"source": ["a", "a"], "record_id": [1, 2], "v": [np.nan, 2.0], "k": [3, 4]}
    )
    clusters = records[["source", "record_id"]].assign(person_id=[1, 2])
    golden = golden_records(
        records, clusters, {"v": Sum(), "c": Count("v"), "k": Sum()}, default=None
    )
    assert golden["v"].isna().tolist() == [True, False]
    assert golden["c"].tolist() == [0, 1]
    assert str(golden["k"].dtype) == "Int64"
    assert golden["k"].tolist() == [3, 4]


def test_output_name_clash_and_bad_arguments(frames: tuple) -> None:
    records, clusters = frames
    with pytest.raises(ConfigError, match="two output columns"):
        golden_records(
            records, clusters, {"a": Max("order_total"), "a__source": Max("order_total")}
        )
    with pytest.raises(ConfigError, match="person_id"):
        golden_records(records, clusters, {"person_id": Max("order_total")})
    with pytest.raises(ConfigError, match="must be a Rule"):
        golden_records(records, clusters, {"a": "MostFrequent"})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="must not name a column"):
        golden_records(records, clusters, default=MostFrequent(column="email"))
    with pytest.raises(ConfigError, match="provenance"):
        golden_records(records, clusters, provenance="tall")  # type: ignore[call-overload]


def test_empty_records() -> None:
    records = pd.DataFrame(
        {
            "source": pd.Series([], dtype="str"),
            "record_id": pd.Series([], dtype="int64"),
            "v": pd.Series([], dtype="float64"),
        }
    )
    clusters = records[["source", "record_id"]].assign(person_id=pd.Series([], dtype="int64"))
    golden = golden_records(
        records, clusters, {"v": Max(), "s": Sum("v"), "c": Collect("v"), "n": Count("v")}
    )
    assert len(golden) == 0
    assert golden.columns.tolist() == ["person_id", "v", "s", "c", "n", "v__source", "v__record_id"]


def test_first_non_null_orders_by_columns() -> None:
    records = pd.DataFrame(
        {
            "source": ["a", "b", "c"],
            "record_id": [1, 1, 1],
            "v": ["x", "y", "z"],
            "rank": [2.0, None, 1.0],
        }
    )
    clusters = records[["source", "record_id"]].assign(person_id=1)
    golden = golden_records(records, clusters, {"v": FirstNonNull("rank")}, default=None)
    assert golden["v"].tolist() == ["z"]


@pytest.mark.parametrize(
    ("ids", "persons"),
    [
        ([2**62, -(2**62), 0, 5], [2**62, -(2**62), 2**62, 0]),
        (pd.array([2**63 + 5, 1, 2**64 - 1, 7], dtype="uint64"), [1, 1, 1, 1]),
        ([1.5, -2.0, 1e300, 3.0], [-1, -1, 4, 4]),
    ],
)
def test_extreme_ids_keep_the_tie_break_order(ids: Any, persons: list[int]) -> None:
    records = pd.DataFrame({"source": ["s"] * 4, "record_id": ids, "v": ["a", "b", "c", "d"]})
    clusters = records[["source", "record_id"]].assign(person_id=persons)
    golden = golden_records(records, clusters, {"v": Collect()}, default=None)
    want = (
        records.assign(person_id=persons)
        .sort_values(["person_id", "record_id"])
        .groupby("person_id")["v"]
        .agg(list)
    )
    assert golden["person_id"].tolist() == want.index.tolist()
    assert golden["v"].tolist() == want.tolist()
    shuffled = golden_records(
        records.iloc[::-1], clusters.iloc[[2, 0, 3, 1]], {"v": Collect()}, default=None
    )
    pd.testing.assert_frame_equal(golden, shuffled)


def test_ids_match_by_value_never_across_numbers_and_strings(frames: tuple) -> None:
    records, clusters = frames
    as_float = clusters.assign(record_id=clusters["record_id"].astype(float)).iloc[::-1]
    pd.testing.assert_frame_equal(
        golden_records(records, as_float), golden_records(records, clusters)
    )
    as_text = clusters.assign(record_id=clusters["record_id"].astype(str))
    with pytest.raises(UnknownRecordError, match="6 record"):
        golden_records(records, as_text)
    rejected = pd.DataFrame({"source": ["pos"], "record_id": ["1"], "column": ["email"]})
    plain = golden_records(records, clusters, {"email": MostRecent("updated_at")}, default=None)
    same = golden_records(
        records, clusters, {"email": MostRecent("updated_at")}, default=None, rejected=rejected
    )
    pd.testing.assert_frame_equal(plain, same)  # "1" is no record id here


def test_rejected_cells_with_string_and_mixed_ids() -> None:
    for ids in (["a", "b", "c"], [1, "b", "c"]):
        records = pd.DataFrame({"source": ["s", "s", "t"], "record_id": ids, "v": ["x", "y", "y"]})
        clusters = records[["source", "record_id"]].assign(person_id=1)
        rejected = pd.DataFrame(
            {"source": ["s", "t"], "record_id": [ids[1], ids[2]], "column": ["v", "v"]}
        )
        golden = golden_records(
            records, clusters, {"v": MostFrequent()}, default=None, rejected=rejected
        )
        assert golden["v"].tolist() == ["x"]


def test_categorical_sources_tie_break_by_name_not_category_order() -> None:
    records = pd.DataFrame(
        {
            "source": pd.Categorical(["web", "crm", "web", "crm"], categories=["web", "crm"]),
            "record_id": [1, 1, 2, 2],
            "v": ["a", "b", "c", "d"],
        }
    )
    clusters = records[["source", "record_id"]].assign(person_id=[1, 1, 1, 2])
    plain = records.assign(source=records["source"].astype(str))
    plain_clusters = plain[["source", "record_id"]].assign(person_id=[1, 1, 1, 2])
    for recs, clus in [
        (records, clusters),
        (plain, clusters.iloc[::-1]),
        (records, plain_clusters),
    ]:
        golden = golden_records(recs, clus, {"v": Collect()})
        assert golden["v"].tolist() == [["b", "a", "c"], ["d"]]


def test_progress_and_log_show_counts_never_values(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    records = pd.DataFrame(
        {"source": ["crm", "web"], "record_id": [1, 2], "email": ["ann@mail.com", "ANN@mail.com"]}
    )
    clusters = records[["source", "record_id"]].assign(person_id=[5, 5])
    with caplog.at_level(logging.INFO, logger="identigraph.merge"):
        golden_records(records, clusters, {"email": MostFrequent()}, default=None, progress=True)
    err = capsys.readouterr().err
    assert "golden records" in err
    assert "ann@mail.com" not in err.lower()
    assert any("1 persons, 2 records, 1 fields" in r.getMessage() for r in caplog.records)
    assert "ann@mail.com" not in caplog.text.lower()
    golden_records(records, clusters, {"email": MostFrequent()}, default=None, progress=False)
    assert capsys.readouterr().err == ""
