"""ig.compare and size_drift: run diffs against a brute-force reference."""

from __future__ import annotations

import sys
from collections import Counter
from itertools import combinations, pairwise

import numpy as np
import pandas as pd
import pyarrow
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.compare import RunComparison
from tests.strategies import run_pairs

Run = list[tuple[str, object, int]]
KEY = ["source", "record_id"]


def frame(run: Run) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series([s for s, _, _ in run], dtype=object),
            "record_id": pd.Series([r for _, r, _ in run], dtype=object),
            "person_id": np.array([p for _, _, p in run], dtype=np.int64),
        }
    )


def _key(source: str, record_id: object) -> tuple[str, str, object]:
    return (source, type(record_id).__name__, record_id)  # 1 and "1" differ


def reference(first: Run, second: Run) -> dict[str, object]:
    """Every count of a comparison, by loops over records, cells and record pairs."""
    a = {_key(s, r): p for s, r, p in first}
    b = {_key(s, r): p for s, r, p in second}
    common = [k for k in a if k in b]
    cells = Counter((a[k], b[k]) for k in common)
    rows: Counter[int] = Counter()
    cols: Counter[int] = Counter()
    k_a: Counter[int] = Counter()
    k_b: Counter[int] = Counter()
    for (pa, pb), n in cells.items():
        rows[pa] += n
        cols[pb] += n
        k_a[pa] += 1
        k_b[pb] += 1

    def unique_top(of: int, by_row: bool) -> object:
        here = {c: n for c, n in cells.items() if (c[0] if by_row else c[1]) == of}
        top = max(here.values())
        winners = [c for c, n in here.items() if n == top]
        return winners[0] if len(winners) == 1 else None

    status = {}
    for cell in cells:
        pa, pb = cell
        if unique_top(pa, True) == cell and unique_top(pb, False) == cell:
            status[cell] = "stayed"
        elif k_a[pa] == 1:
            status[cell] = "merged"
        elif k_b[pb] == 1:
            status[cell] = "split"
        else:
            status[cell] = "moved"
    by_status = Counter()
    for cell, n in cells.items():
        by_status[status[cell]] += n
    together = 0
    for x, y in combinations(common, 2):
        together += (a[x] == a[y]) and (b[x] == b[y])
    pairs_a = sum((a[x] == a[y]) for x, y in combinations(common, 2))
    pairs_b = sum((b[x] == b[y]) for x, y in combinations(common, 2))
    n = len(common)
    bc_p = sum(cells[(a[k], b[k])] / cols[b[k]] for k in common) / n if n else 1.0
    bc_r = sum(cells[(a[k], b[k])] / rows[a[k]] for k in common) / n if n else 1.0
    stayed = [c for c, s in status.items() if s == "stayed"]
    return {
        "records_common": n,
        "new_records": len(b) - n,
        "vanished_records": len(a) - n,
        "persons_a": len(set(a.values())),
        "persons_b": len(set(b.values())),
        "new_persons": len(set(b.values()) - set(cols)),
        "vanished_persons": len(set(a.values()) - set(rows)),
        "continued_persons": len(stayed),
        "unchanged_persons": sum(k_a[pa] == 1 and k_b[pb] == 1 for pa, pb in stayed),
        "renamed_persons": sum(pa != pb for pa, pb in stayed),
        "merges": len({pb for (pa, pb), s in status.items() if s == "merged"}),
        "absorbed_persons": sum(s == "merged" for s in status.values()),
        "splits": len({pa for (pa, pb), s in status.items() if s == "split"}),
        "split_pieces": sum(s == "split" for s in status.values()),
        "stayed_records": by_status["stayed"],
        "merged_records": by_status["merged"],
        "split_records": by_status["split"],
        "moved_records": by_status["moved"],
        "pair_precision": together / pairs_b if pairs_b else 1.0,
        "pair_recall": together / pairs_a if pairs_a else 1.0,
        "bcubed_precision": bc_p,
        "bcubed_recall": bc_r,
        "_status": {k: status[(a[k], b[k])] for k in common},
    }


def ari_by_pairs(first: Run, second: Run) -> float:
    """Adjusted Rand index from the four pair counts (Hubert and Arabie), by enumeration."""
    a = {_key(s, r): p for s, r, p in first}
    b = {_key(s, r): p for s, r, p in second}
    common = [k for k in a if k in b]
    both = only_a = only_b = neither = 0
    for x, y in combinations(common, 2):
        same_a, same_b = a[x] == a[y], b[x] == b[y]
        both += same_a and same_b
        only_a += same_a and not same_b
        only_b += same_b and not same_a
        neither += not same_a and not same_b
    den = (both + only_a) * (only_a + neither) + (both + only_b) * (only_b + neither)
    return 2.0 * (both * neither - only_a * only_b) / den if den else 1.0


FIELDS = [k for k in RunComparison.__dataclass_fields__ if not k.startswith("_")]


# ------------------------------------------------------------------------------ properties
@given(run_pairs())
def test_matches_brute_force_reference(runs: tuple[Run, Run]) -> None:
    first, second = runs
    got = ig.compare(frame(first), frame(second))
    want = reference(first, second)
    for name, value in want.items():
        if name.startswith("_"):
            continue
        assert getattr(got, name) == pytest.approx(value), name
    assert got.adjusted_rand_index == pytest.approx(ari_by_pairs(first, second))
    assert (
        got.stayed_records + got.merged_records + got.split_records + got.moved_records
        == got.records_common
    )
    records = got.records(changed_only=False)
    statuses = {
        _key(s, r): st
        for s, r, st in zip(
            records["source"], records["record_id"], records["status"], strict=False
        )
    }
    for key, status in want["_status"].items():  # type: ignore[attr-defined]
        assert statuses[key] == status
    assert Counter(records["status"])["new"] == got.new_records
    assert Counter(records["status"])["vanished"] == got.vanished_records


@given(run_pairs())
def test_hashed_ids_count_as_addressed_ids(runs: tuple[Run, Run]) -> None:
    """Wide integer ranges and many sources take the hashing paths, with equal results."""
    module = sys.modules["identigraph.compare"]
    a, b = frame(runs[0]), frame(runs[1])
    want = ig.compare(a, b)
    spread = {
        "person_id": lambda f: f["person_id"] * 10**12,
        "source": lambda f: f["source"].astype(str) + "/" + f["record_id"].astype(str),
    }
    try:
        module._SLACK = 0  # type: ignore[attr-defined]
        got = ig.compare(a.assign(**spread), b.assign(**spread))
    finally:
        module._SLACK = 1024  # type: ignore[attr-defined]
    for name in FIELDS:
        if name not in ("sizes", "transitions", "renamed_persons"):
            assert getattr(got, name) == pytest.approx(getattr(want, name)), name
    pd.testing.assert_frame_equal(got.sizes, want.sizes)


@pytest.mark.parametrize("dtypes", [("str", "str"), ("str", "object"), ("object", "object")])
@given(runs=run_pairs())
def test_string_ids_in_arrow_count_as_python_strings(
    runs: tuple[Run, Run], dtypes: tuple[str, str]
) -> None:
    """String record ids, Arrow-backed or Python objects, give the result of text ids."""
    a, b = frame(runs[0]), frame(runs[1])
    for f in (a, b):  # 1 and "1" are one record as text: leave such runs out
        assume(not f.assign(record_id=f["record_id"].astype(str)).duplicated(KEY).any())
    want = ig.compare(a, b, ids="text")  # the generic path: every id in its text form
    text = [f.assign(record_id=f["record_id"].astype(str).astype(d))
            for f, d in zip((a, b), dtypes, strict=True)]  # fmt: skip
    got = ig.compare(*text)
    for name in FIELDS:
        if name not in ("sizes", "transitions", "renamed_persons"):
            assert getattr(got, name) == pytest.approx(getattr(want, name)), name
    pd.testing.assert_frame_equal(got.sizes, want.sizes)
    assert got.records()["status"].tolist() == want.records()["status"].tolist()


_ID_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=3) | st.text(
    "ab\x00é", max_size=70
)


@pytest.mark.parametrize("clash", ["none", "every hash equal", "long strings", "threads"])
@given(
    values=st.lists(st.tuples(st.integers(0, 2), _ID_TEXT), max_size=40),
    repeats=st.lists(st.integers(0, 39), max_size=20),
    cuts=st.lists(st.integers(0, 60), max_size=3),
    skip=st.integers(0, 3),
)
def test_string_keys_code_equal_pairs_alike(
    values: list[tuple[int, str]],
    repeats: list[int],
    cuts: list[int],
    skip: int,
    clash: str,
) -> None:
    """The word-hash coding of ``(source, string)`` is exact: same pair, same code.

    Strings cross 8-byte word boundaries, hold NUL bytes and multi-byte characters and
    lie in several sliced Arrow chunks; every hash shared (all rows coded again by
    Arrow), strings longer than the word limit (Arrow from the start) and the checks
    run in two threads give the same.
    """
    module = sys.modules["identigraph.compare"]
    pairs = values + [values[i] for i in repeats if i < len(values)]
    whole = pyarrow.array(["pad"] * skip + [t for _, t in pairs], type=pyarrow.large_string())
    whole = whole[skip:]
    bounds = sorted({0, len(pairs), *(c for c in cuts if c < len(pairs))})
    text = pyarrow.chunked_array(
        [whole[lo:hi] for lo, hi in pairwise(bounds)], type=pyarrow.large_string()
    )
    src = np.array([s for s, _ in pairs], dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        if clash == "every hash equal":
            patch.setattr(module, "_MIX", (0, 0))
        elif clash == "long strings":
            patch.setattr(module, "_WORD_BYTES", 2)
        elif clash == "threads":  # the gathers in two halves side by side
            patch.setattr(module, "_THREADED_ROWS", 2)
        codes, bound = module._string_keys(text, src, 3)
    assert len(codes) == len(pairs)
    assert ((codes >= 0) & (codes < bound)).all()
    one_to_one = set(zip(codes.tolist(), pairs, strict=True))
    assert len(one_to_one) == len(set(pairs)) == len(set(codes.tolist()))


@given(run_pairs())
def test_string_ids_count_as_the_same_integer_ids(runs: tuple[Run, Run]) -> None:
    """Integer record ids written as strings give the comparison of the integers."""
    ints = [[(s, r, p) for s, r, p in run if isinstance(r, int)] for run in runs]
    a, b = frame(ints[0]), frame(ints[1])
    want = ig.compare(a.astype({"record_id": "int64"}), b.astype({"record_id": "int64"}))
    got = ig.compare(*(f.astype({"record_id": str}) for f in (a, b)))
    for name in FIELDS:
        if name not in ("sizes", "transitions", "renamed_persons"):
            assert getattr(got, name) == pytest.approx(getattr(want, name)), name
    pd.testing.assert_frame_equal(got.sizes, want.sizes)
    assert got.records()["status"].tolist() == want.records()["status"].tolist()


@given(run_pairs())
def test_compare_with_itself_is_all_agreement(runs: tuple[Run, Run]) -> None:
    a = frame(runs[0])
    got = ig.compare(a, a)
    assert not got.changed
    assert got.stayed_records == got.records_common == len(a)
    assert got.merges == got.splits == got.moved_records == got.renamed_persons == 0
    assert got.continued_persons == got.unchanged_persons == got.persons_a
    for name in ("pair_f1", "bcubed_f1", "rand_index", "adjusted_rand_index"):
        assert getattr(got, name) == pytest.approx(1.0)
    assert got.records().empty
    assert got.transitions.empty
    assert got == ig.compare(a.iloc[::-1], a)  # row order plays no part


@given(run_pairs(), st.randoms(use_true_random=False))
def test_permuted_person_ids_report_no_change(runs: tuple[Run, Run], rnd) -> None:
    a = frame(runs[0])
    labels = a["person_id"].unique().tolist()
    shuffled = labels[:]
    rnd.shuffle(shuffled)
    b = a.assign(
        person_id=a["person_id"].map(dict(zip(labels, [f"p{x}" for x in shuffled], strict=False)))
    )
    got = ig.compare(a, b.sample(frac=1.0, random_state=0))  # rows reordered too
    assert not got.changed
    assert got.merges == got.splits == got.moved_records == 0
    assert got.adjusted_rand_index == pytest.approx(1.0)
    assert got.renamed_persons == got.persons_a


@given(run_pairs())
def test_swapping_the_runs_mirrors_the_comparison(runs: tuple[Run, Run]) -> None:
    a, b = frame(runs[0]), frame(runs[1])
    ab, ba = ig.compare(a, b), ig.compare(b, a)
    for name in ("pair_f1", "bcubed_f1", "rand_index", "adjusted_rand_index"):
        assert getattr(ab, name) == pytest.approx(getattr(ba, name)), name
    mirrored = [
        ("pair_precision", "pair_recall"), ("bcubed_precision", "bcubed_recall"),
        ("new_records", "vanished_records"), ("new_persons", "vanished_persons"),
        ("merges", "splits"), ("absorbed_persons", "split_pieces"),
        ("merged_records", "split_records"), ("stayed_records", "stayed_records"),
        ("moved_records", "moved_records"), ("continued_persons", "continued_persons"),
    ]  # fmt: skip
    for left, right in mirrored:
        assert getattr(ab, left) == pytest.approx(getattr(ba, right)), (left, right)


@given(run_pairs())
def test_agreement_statistics_lie_in_range(runs: tuple[Run, Run]) -> None:
    got = ig.compare(frame(runs[0]), frame(runs[1]))
    for name in ("pair_precision", "pair_recall", "pair_f1", "bcubed_precision",
                 "bcubed_recall", "bcubed_f1", "rand_index"):  # fmt: skip
        assert 0.0 <= getattr(got, name) <= 1.0 + 1e-12, name
    assert got.adjusted_rand_index <= 1.0 + 1e-12
    assert got.sizes["records_a"].sum() == got.records_a
    assert got.sizes["records_b"].sum() == got.records_b
    assert got.sizes["persons_b"].sum() == got.persons_b


# ------------------------------------------------------------------------------ examples
def test_merge_split_move_and_their_statuses() -> None:
    a = pd.DataFrame(
        {
            "source": "crm",
            "record_id": range(16),
            # 0: 5 records, 1: 2 records (absorbed by 0), 2: 6 records (splits 4 + 2),
            # 3: 3 records (one moves to 0)
            "person_id": [0] * 5 + [1] * 2 + [2] * 6 + [3] * 3,
        }
    )
    b = a.assign(person_id=[0] * 5 + [0] * 2 + [2] * 4 + [9] * 2 + [3, 3, 0])
    got = ig.compare(a, b)
    assert (got.merges, got.absorbed_persons, got.merged_records) == (1, 1, 2)
    assert (got.splits, got.split_pieces, got.split_records) == (1, 1, 2)
    assert got.moved_records == 1
    assert got.stayed_records == 11
    assert got.continued_persons == 3
    assert got.unchanged_persons == 0  # 0 grew, 2 and 3 shrank
    assert got.persons_b == 4
    assert got.persons_a == 4
    changed = got.records().set_index("record_id")["status"]
    assert changed.to_dict() == {5: "merged", 6: "merged", 11: "split", 12: "split", 15: "moved"}
    t = got.transitions.sort_values("records", ignore_index=True)
    assert t["status"].tolist() == ["moved", "merged", "split"]
    assert set(t["person_id_b"]) == {0, 9}


def test_new_and_vanished_records_and_persons() -> None:
    a = pd.DataFrame({"source": ["web"] * 3, "record_id": [1, 2, 3], "person_id": [1, 1, 2]})
    b = pd.DataFrame({"source": ["web"] * 3, "record_id": [1, 2, 4], "person_id": [5, 5, 6]})
    got = ig.compare(a, b)
    assert (got.new_records, got.vanished_records) == (1, 1)
    assert (got.new_persons, got.vanished_persons) == (1, 1)
    assert got.renamed_persons == 1
    rec = got.records()
    assert rec["status"].tolist() == ["vanished", "new"]
    assert rec["person_id_b"].isna().tolist() == [True, False]
    assert rec["person_id_a"].isna().tolist() == [False, True]
    assert rec["person_id_b"].dtype == "Int64"


def test_record_ids_match_in_a_canonical_form() -> None:
    # one source holds int and str ids side by side; 1 and "1" are two records
    a = pd.DataFrame(
        {
            "source": ["crm", "crm", "crm", "web"],
            "record_id": pd.Series([1, "1", "a", 7], dtype=object),
            "person_id": [1, 2, 2, 3],
        }
    )
    b = pd.DataFrame(
        {
            "source": pd.Categorical(["web", "crm", "crm", "crm"]),
            "record_id": pd.Series([7.0, "a", np.int64(1), "1"], dtype=object),
            "person_id": [3, 2, 1, 2],
        }
    )
    got = ig.compare(a, b)
    assert got.records_common == 4
    assert not got.changed
    # an int64 column against an object column holding the same numbers
    ints = pd.DataFrame({"source": "s", "record_id": [10, 20], "person_id": [1, 1]})
    objs = ints.assign(record_id=pd.Series([20, 10], dtype=object))
    assert ig.compare(ints, objs).records_common == 2
    floats = ints.assign(record_id=[10.0, 20.0])
    assert ig.compare(ints, floats).records_common == 2


def test_text_ids_match_a_run_read_back_as_text() -> None:
    a = pd.DataFrame(
        {
            "source": "crm",
            "record_id": pd.Series([1, 2, "c-3", "007"], dtype=object),
            "person_id": [1, 1, 2, 2],
        }
    )
    b = a.assign(record_id=["1", "2", "c-3", "007"])
    assert ig.compare(a, b).records_common == 2
    assert ig.compare(a, b, ids="text").records_common == 4
    assert ig.compare(a, b.assign(record_id=["1", "2", "c-3", "7"]), ids="text").records_common == 3
    floats = pd.DataFrame({"source": "crm", "record_id": [1.0, 2.0], "person_id": [1, 1]})
    assert ig.compare(floats, b, ids="text").records_common == 2
    numbers = floats.assign(record_id=pd.Series([2, 1.0], dtype=object))  # no string at all
    assert ig.compare(numbers, b, ids="text").records_common == 2
    assert ig.compare(numbers, floats).records_common == 2


def test_string_person_ids_and_empty_runs() -> None:
    a = pd.DataFrame({"source": ["s"] * 2, "record_id": ["x", "y"], "person_id": ["p", "q"]})
    empty = a.iloc[:0]
    got = ig.compare(empty, a)
    assert (got.new_records, got.new_persons, got.records_common) == (2, 2, 0)
    assert got.pair_f1 == 1.0
    assert ig.compare(empty, empty).changed is False
    assert ig.compare(a, a.assign(person_id="p")).merges == 1


def test_errors() -> None:
    a = pd.DataFrame({"source": ["s", "s"], "record_id": [1, 1], "person_id": [1, 2]})
    with pytest.raises(ig.DuplicateRecordError) as err:
        ig.compare(a, a.iloc[:1])
    assert err.value.source == "s"
    assert err.value.record_ids == (1,)
    with pytest.raises(ig.MissingColumnError):
        ig.compare(a.drop(columns="person_id"), a)
    with pytest.raises(ig.InputError, match="missing"):
        ig.compare(a.assign(record_id=[1, None]), a.iloc[:1])
    with pytest.raises(ig.ConfigError):
        ig.compare(a.iloc[:1], a.iloc[:1], ids="loose")  # type: ignore[arg-type]
    with pytest.raises(ig.InputError):
        ig.compare([1, 2], a)  # type: ignore[arg-type]


def test_repr_and_summary_hold_no_identifier_values() -> None:
    a = pd.DataFrame(
        {
            "source": "crm",
            "record_id": ["ann@mail.com", "bob@mail.com", "cy@web.de", "dee@x.io", "ed@y.org"],
            "person_id": [1, 1, 1, 2, 2],
        }
    )
    b = a.assign(person_id=[1, 1, 2, 2, 2])
    got = ig.compare(a, b)
    text = repr(got) + got.summary().to_string() + str(got)
    assert "@" not in text
    assert "merges 0, splits 0, moved records 1," in repr(got)
    summary = got.summary().set_index("metric")
    assert summary.loc["persons", "a"] == 2
    assert summary.loc["persons", "b"] == 2
    assert summary.loc["moved records", "value"] == 1
    assert summary.loc["records in both", "value"] == 5
    assert set(summary["section"]) == {"runs", "changes", "agreement"}


def test_chart() -> None:
    alt = pytest.importorskip("altair")
    a = pd.DataFrame({"source": "s", "record_id": range(8), "person_id": [0] * 5 + [1, 2, 3]})
    chart = ig.compare(a, a.assign(person_id=0)).chart()
    assert isinstance(chart, alt.HConcatChart)
    spec = chart.to_dict()
    assert len(spec["hconcat"]) == 2


def test_chart_without_altair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "altair", None)
    a = pd.DataFrame({"source": "s", "record_id": [1], "person_id": [1]})
    with pytest.raises(ig.MissingDependencyError, match="charts"):
        ig.compare(a, a).chart()


def test_compare_graph_runs() -> None:
    sources, _ = ig.datasets.customers(n_persons=300, seed=4)
    from identigraph.cli import demo_specs

    g = ig.IdentityGraph(demo_specs())
    names = list(sources)
    for name in names[:-1]:
        g.add(sources[name], source=name, id=ig.datasets.RECORD_ID_COLUMNS[name])
    yesterday = g.clusters()
    last = names[-1]
    g.add(sources[last], source=last, id=ig.datasets.RECORD_ID_COLUMNS[last])
    today = g.clusters()
    got = ig.compare(yesterday, today)
    assert got.new_records == len(sources[last])
    assert got.records_common == len(yesterday)
    assert got.vanished_records == got.vanished_persons == 0
    assert got.persons_b == today["person_id"].nunique()
    assert got.records(changed_only=False)["status"].value_counts()["new"] == got.new_records
    assert ig.compare(today, today).changed is False


# ------------------------------------------------------------------------------ drift
def test_size_drift_flags_a_junk_merge() -> None:
    before = pd.DataFrame(
        {"source": "web", "record_id": range(40), "person_id": np.arange(40) // 2}
    )
    after_ids = np.arange(40) // 2
    after_ids[:30] = 0  # a junk value glued 15 persons together
    after = before.assign(person_id=after_ids)
    flagged = ig.size_drift(before, after)
    assert flagged["person_id"].tolist() == [0]
    row = flagged.iloc[0]
    assert (row["size"], row["previous_size"], row["origins"], row["new_records"]) == (30, 2, 15, 0)
    assert row["growth"] == 15.0
    assert ig.size_drift(before, after, factor=20).empty
    assert ig.size_drift(before, after, min_size=31).empty
    assert ig.size_drift(before, before).empty


def test_size_drift_of_new_persons_and_order() -> None:
    before = pd.DataFrame({"source": "s", "record_id": range(4), "person_id": [1, 1, 2, 2]})
    after = pd.DataFrame(
        {
            "source": "s",
            "record_id": range(40),
            "person_id": [1] * 12 + [7] * 28,  # 1 grows 2 -> 12; 7 is new, 28 records
        }
    )
    flagged = ig.size_drift(before, after)
    assert flagged["person_id"].tolist() == [7, 1]
    assert flagged["previous_size"].tolist() == [0, 2]
    assert flagged["new_records"].tolist() == [28, 8]
    assert flagged["origins"].tolist() == [0, 2]


@pytest.mark.parametrize("as_series", [False, True])
def test_size_drift_against_a_distribution(as_series: bool) -> None:
    before = pd.DataFrame({"source": "s", "record_id": range(10), "person_id": range(10)})
    dist = ig.size_distribution(before)
    assert dist.to_dict("list") == {"size": [1], "persons": [10]}
    previous = dist.set_index("size")["persons"] if as_series else dist
    after = before.assign(person_id=[0] * 6 + [1, 2, 3, 4])
    flagged = ig.size_drift(previous, after, min_size=5)
    assert flagged["person_id"].tolist() == [0]
    assert flagged["previous_size"].isna().all()
    assert flagged["baseline"].tolist() == [1.0]


def test_size_distribution_matches_graph_report_format() -> None:
    frame_ = pd.DataFrame({"person_id": [3, 3, 3, 4, 5, 5]})
    assert ig.size_distribution(frame_).to_dict("list") == {"size": [1, 2, 3], "persons": [1, 1, 1]}


def test_size_drift_errors() -> None:
    a = pd.DataFrame({"source": "s", "record_id": [1], "person_id": [1]})
    for kwargs in ({"factor": 1.0}, {"min_size": 0}, {"quantile": 1.5}, {"ids": "x"}):
        with pytest.raises(ig.ConfigError):
            ig.size_drift(a, a, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ig.MissingColumnError):
        ig.size_drift(pd.DataFrame({"size": [1]}), a)
