"""IdentityGraph: linking, clusters, rejects, person ids and input errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.matcher.phone import e164_reference
from tests.strategies import record_sources, reference_partition

SPECS = [ig.Email("email"), ig.Phone("phone", region="US"), ig.Cookie("cookie_id")]
# No generic-value limits: the reference union-find links every shared value.
UNLIMITED = [
    ig.Email("email", max_records=None),
    ig.Phone("phone", region="US", max_records=None),
    ig.Cookie("cookie_id", max_records=None),
]


def _frame(rows: list[tuple[str, str | None, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rid", "email", "phone", "cookie_id"], dtype=object)


def _build(sources, order=None, row_seed=None) -> ig.IdentityGraph:  # type: ignore[no-untyped-def]
    g = ig.IdentityGraph(UNLIMITED)
    items = list(sources)
    if order is not None:
        items = [items[i] for i in order]
    for name, rows in items:
        frame = _frame(rows)
        if row_seed is not None:
            frame = frame.sample(frac=1.0, random_state=row_seed)
        g.add(frame, source=name, id="rid")
    return g


def _as_sets(clusters: pd.DataFrame) -> set[frozenset[tuple[str, str]]]:
    keys = list(zip(clusters["source"].astype(str), clusters["record_id"], strict=True))
    groups: dict[int, set[tuple[str, str]]] = {}
    for key, pid in zip(keys, clusters["person_id"].tolist(), strict=True):
        groups.setdefault(pid, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def _reference(sources) -> set[frozenset[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    keys, values = [], []
    for name, rows in sources:
        for rid, email, phone, cookie in rows:
            keys.append((name, rid))
            found = []
            if email and email.strip():
                found.append(("email", email.strip().lower()))
            if phone and e164_reference(phone, "US"):
                found.append(("phone", e164_reference(phone, "US")))
            if cookie and cookie.strip():
                found.append(("cookie", cookie.strip()))
            values.append(found)
    edges = []
    first: dict[tuple[str, str], int] = {}
    for i, found in enumerate(values):
        for v in found:
            edges.append((i, first.setdefault(v, i)))
    parts = reference_partition(len(keys), edges) if keys else set()
    return {frozenset(keys[i] for i in part) for part in parts}


@given(record_sources())
def test_partition_equals_reference_union_find(sources) -> None:  # type: ignore[no-untyped-def]
    g = _build(sources)
    clusters = g.clusters()
    assert len(clusters) == sum(len(rows) for _, rows in sources)
    assert not clusters.duplicated(["source", "record_id"]).any()
    assert _as_sets(clusters) == _reference(sources)


@given(record_sources(), st.permutations(range(3)), st.integers(0, 1000))
def test_partition_and_ids_invariant_under_order(sources, perm, seed) -> None:  # type: ignore[no-untyped-def]
    order = [p for p in perm if p < len(sources)]
    base = _build(sources).clusters()
    other = _build(sources, order=order, row_seed=seed).clusters()
    key = ["source", "record_id"]
    left = base.astype({"source": str}).sort_values(key, ignore_index=True)
    right = other.astype({"source": str}).sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(left, right)


def test_shared_value_links_across_sources_and_spellings() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"id": [1], "email": [" Ann@Mail.com"]}), source="crm", id="id")
    g.add(
        pd.DataFrame({"id": [1], "email": ["ann@mail.com"], "cookie_id": ["k"]}),
        source="web",
        id="id",
    )
    g.add(pd.DataFrame({"id": [9], "cookie_id": ["k"]}), source="app", id="id")
    assert g.clusters()["person_id"].nunique() == 1
    assert g.n_persons == 1


def test_prehashed_email_links_to_plain() -> None:
    digest = hashlib.sha256(b"ann@mail.com").hexdigest()
    g = ig.IdentityGraph([ig.Email("email"), ig.Email("email_sha256", kind="email")])
    g.add(pd.DataFrame({"email": ["ANN@mail.com"]}), source="crm")
    g.add(pd.DataFrame({"email_sha256": [digest.upper()]}), source="dmp")
    assert g.clusters()["person_id"].nunique() == 1


def test_kind_links_different_column_names() -> None:
    g = ig.IdentityGraph([ig.Key("crm_id"), ig.Key("customer_no", kind="crm_id")])
    g.add(pd.DataFrame({"crm_id": [10, 11]}), source="crm")
    g.add(pd.DataFrame({"customer_no": ["10", " 11 "]}), source="pos")
    assert g.clusters().groupby("person_id").size().tolist() == [2, 2]


def test_records_without_identifiers_are_persons_of_their_own() -> None:
    g = ig.IdentityGraph(SPECS)
    frame = pd.DataFrame({"email": [None, np.nan, "", "   "], "cookie_id": [None, None, "", None]})
    g.add(frame, source="web")
    clusters = g.clusters()
    assert len(clusters) == 4
    assert clusters["person_id"].nunique() == 4
    assert g.rejects.empty


def test_missing_spec_column_is_skipped_for_that_source() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(pd.DataFrame({"cookie_id": ["a", "a"]}), source="web")
    assert g.n_persons == 1


def test_rejects_name_record_column_and_reason_without_values() -> None:
    g = ig.IdentityGraph(SPECS)
    frame = pd.DataFrame(
        {
            "rid": ["a", "b", "c", "d"],
            "email": ["not-an-email", "test@test.com", "ok@mail.com", None],
            "phone": ["12", "000-000-0000", "201 555 0123", "201 555 0123"],
        }
    )
    g.add(frame, source="crm", id="rid")
    rejects = g.rejects.sort_values(["record_id", "column"], ignore_index=True)
    assert rejects.to_dict("records") == [
        {"source": "crm", "record_id": "a", "column": "email", "reason": "invalid_email"},
        {"source": "crm", "record_id": "a", "column": "phone", "reason": "invalid_phone"},
        {"source": "crm", "record_id": "b", "column": "email", "reason": "junk_value"},
        {"source": "crm", "record_id": "b", "column": "phone", "reason": "junk_value"},
    ]
    text = repr(g) + rejects.to_string()
    assert "not-an-email" not in text
    assert "555" not in text
    # c and d share a phone; a and b stay alone although their rejected values match nothing.
    assert g.clusters()["person_id"].nunique() == 3


def test_generic_value_links_nobody() -> None:
    g = ig.IdentityGraph([ig.Cookie("cookie_id", max_records=3)])
    g.add(pd.DataFrame({"cookie_id": ["shared"] * 5 + ["k", "k"]}), source="web")
    assert g.n_persons == 6
    generic = g.generic_values()
    assert generic.to_dict("records") == [
        {"kind": "cookie", "value": "shared", "records": 5, "reason": "max_records"}
    ]


def test_numeric_phone_and_key_columns() -> None:
    g = ig.IdentityGraph([ig.Phone("phone", region="US"), ig.Key("card")])
    g.add(pd.DataFrame({"phone": [2015550123, 2015550123], "card": [1.0, np.nan]}), source="pos")
    assert g.n_persons == 1


def test_person_ids_are_int64_and_deterministic() -> None:
    frame = pd.DataFrame({"email": ["a1@mail.com", "a2@mail.com"]})
    first = ig.IdentityGraph(SPECS)
    first.add(frame, source="crm")
    second = ig.IdentityGraph(SPECS)
    second.add(frame.iloc[::-1], source="crm")
    a = first.clusters().sort_values("record_id", ignore_index=True)
    b = second.clusters().sort_values("record_id", ignore_index=True)
    assert a["person_id"].dtype == np.int64
    assert (a["person_id"] >= 0).all()
    assert a["person_id"].tolist() == b["person_id"].tolist()


def test_merge_keeps_the_larger_persons_id() -> None:
    g = ig.IdentityGraph([ig.Cookie("c"), ig.Key("k")])
    g.add(pd.DataFrame({"rid": [1, 2, 3], "c": ["big", "big", "small"]}), source="s", id="rid")
    big = g.person_of("s", 1)
    small = g.person_of("s", 3)
    changes = g.add(pd.DataFrame({"rid": [4], "c": ["small"], "k": ["kx"]}), source="t", id="rid")
    assert changes.merges.empty
    changes = g.add(pd.DataFrame({"rid": [5, 6], "c": ["big", "small"]}), source="u", id="rid")
    assert changes.merges.empty  # two separate persons grew
    changes = g.add(pd.DataFrame({"rid": [7], "k": ["kx"], "c": ["big"]}), source="v", id="rid")
    # "small" person has 3 records (3, t4, u6), "big" has 3 (1, 2, u5): a tie goes to the older id.
    assert changes.merges[["old_id", "new_id"]].to_dict("records") == [
        {"old_id": small, "new_id": big}
    ] or changes.merges[["old_id", "new_id"]].to_dict("records") == [
        {"old_id": big, "new_id": small}
    ]
    survivor = changes.merges["new_id"].iloc[0]
    assert set(g.clusters()["person_id"]) == {survivor}
    history = g.id_history()
    assert history[["old_id", "new_id", "reason"]].iloc[-1].tolist()[2] == "merge"


def test_merge_tie_goes_to_older_id() -> None:
    g = ig.IdentityGraph([ig.Cookie("c")])
    g.add(pd.DataFrame({"rid": [1], "c": ["a"]}), source="s", id="rid")
    older = g.person_of("s", 1)
    g.add(pd.DataFrame({"rid": [2], "c": ["b"]}), source="s", id="rid")
    younger = g.person_of("s", 2)
    changes = g.add(pd.DataFrame({"rid": [3, 4], "c": ["a", "b"]}), source="t", id="rid")
    assert changes.merges.empty  # both persons grew but did not meet
    g2 = ig.IdentityGraph([ig.Cookie("c"), ig.Key("k")])
    g2.add(pd.DataFrame({"rid": [1], "c": ["a"]}), source="s", id="rid")
    g2.add(pd.DataFrame({"rid": [2], "c": ["b"]}), source="s", id="rid")
    changes = g2.add(pd.DataFrame({"rid": [3], "c": ["a"], "k": ["kz"]}), source="t", id="rid")
    changes = g2.add(pd.DataFrame({"rid": [4, 5], "c": ["b", "b"]}), source="t", id="rid")
    # now a-person has 2 records, b-person 3: joining them keeps b's id (larger)
    b_id = g2.person_of("s", 2)
    changes = g2.add(pd.DataFrame({"rid": [6], "k": ["kz"], "c": ["b"]}), source="u", id="rid")
    assert changes.merges["new_id"].tolist() == [b_id]
    assert older != younger


def test_link_adds_match_edges() -> None:
    g = ig.IdentityGraph([ig.Key("k")])
    g.add(pd.DataFrame({"k": ["a", "b", "c"]}), source="s")
    pairs = pd.DataFrame(
        {
            "source_l": ["s", "s"],
            "record_id_l": [0, 1],
            "source_r": ["s", "s"],
            "record_id_r": [1, 2],
            "match_probability": [0.95, 0.2],
        }
    )
    g.link(pairs, threshold=0.9)
    assert g.clusters().groupby("person_id").size().sort_values().tolist() == [1, 2]
    with pytest.raises(ig.UnknownRecordError):
        g.link(pairs.assign(record_id_r=[99, 99]), threshold=0.1)
    with pytest.raises(ig.MissingColumnError):
        g.link(pairs.drop(columns="match_probability"))


# ----------------------------------------------------------------------- input errors
def test_errors_are_typed_and_clear() -> None:
    g = ig.IdentityGraph(SPECS)
    with pytest.raises(ig.MissingColumnError, match="no id column 'missing'"):
        g.add(pd.DataFrame({"email": ["a@mail.com"]}), source="crm", id="missing")
    with pytest.raises(ig.NoIdentifierColumnsError, match="none of the identifier columns"):
        g.add(pd.DataFrame({"name": ["x"]}), source="crm")
    with pytest.raises(ig.InputError, match="DataFrame"):
        g.add([1, 2], source="crm")  # type: ignore[arg-type]
    with pytest.raises(ig.InputError, match="source"):
        g.add(pd.DataFrame({"email": ["a@mail.com"]}), source="")
    with pytest.raises(ig.InputError, match="missing"):
        g.add(pd.DataFrame({"id": [1, None], "email": ["a@b.com", "c@d.com"]}), source="s", id="id")
    with pytest.raises(ig.DtypeError, match="dtype"):
        g.add(pd.DataFrame({"email": [1.5, 2.5]}), source="crm")
    with pytest.raises(ig.UnknownRegionError, match="XX"):
        ig.Phone("phone", region="XX")
    with pytest.raises(ig.ConfigError):
        ig.IdentityGraph([ig.Email("email"), ig.Email("email")])
    with pytest.raises(ig.ConfigError):
        ig.IdentityGraph(["email"])  # type: ignore[list-item]
    assert len(g) == 0


def test_duplicate_record_ids_name_the_ids() -> None:
    g = ig.IdentityGraph(SPECS)
    with pytest.raises(ig.DuplicateRecordError) as err:
        g.add(pd.DataFrame({"id": [1, 1, 2, 2], "email": ["a@x.io"] * 4}), source="s", id="id")
    assert err.value.record_ids == (1, 2)
    assert err.value.source == "s"
    g.add(pd.DataFrame({"id": [1], "email": ["a@x.io"]}), source="s", id="id")
    with pytest.raises(ig.DuplicateRecordError):
        g.add(pd.DataFrame({"id": [1], "email": ["b@x.io"]}), source="s", id="id")
    g.add(pd.DataFrame({"id": [1], "email": ["b@x.io"]}), source="other", id="id")
    assert len(g) == 2


def test_errors_never_contain_raw_values() -> None:
    g = ig.IdentityGraph(SPECS)
    frame = pd.DataFrame({"id": ["x", "x"], "email": ["secret@mail.com", "other@mail.com"]})
    with pytest.raises(ig.DuplicateRecordError) as err:
        g.add(frame, source="s", id="id")
    assert "secret" not in str(err.value)


def test_empty_frame_adds_nothing() -> None:
    g = ig.IdentityGraph(SPECS)
    changes = g.add(pd.DataFrame({"email": pd.Series([], dtype=object)}), source="s")
    assert changes.is_empty
    assert g.clusters().empty
    assert g.rejects.empty
    assert list(g.clusters().columns) == ["source", "record_id", "person_id"]


def test_unicode_and_odd_values_do_not_crash() -> None:
    g = ig.IdentityGraph(SPECS)
    frame = pd.DataFrame(
        {
            "email": ["ü@müller.de", "ＡＢＣＤ@mail.com", "abcd@mail.com", "\u200b", "😀@x.com"],
            "phone": ["+49 30 901820", "٠١٢٣", "＋１ ２０１ ５５５ ０１２３", None, "abc"],
            "cookie_id": ["ä", "ä", None, "  ", "nan"],
        }
    )
    g.add(frame, source="s")
    clusters = g.clusters()
    assert len(clusters) == 5
    # NFKC folds fullwidth letters, so records 1 and 2 share an email.
    assert clusters["person_id"].iloc[1] == clusters["person_id"].iloc[2]


def test_input_frame_is_not_modified() -> None:
    frame = pd.DataFrame({"id": [3, 1], "email": [" A@mail.com", "b@mail.com"]})
    before = frame.copy()
    g = ig.IdentityGraph(SPECS)
    g.add(frame, source="s", id="id", columns={"email": "email"})
    pd.testing.assert_frame_equal(frame, before)


def test_records_keep_attributes_and_rename() -> None:
    g = ig.IdentityGraph(SPECS)
    g.add(
        pd.DataFrame({"id": [1], "mail": ["a@mail.com"], "fname": ["Ann"], "x": [1]}),
        source="crm",
        id="id",
        columns={"mail": "email", "fname": "first_name"},
        keep=["email", "first_name"],
    )
    records = g.records()
    assert records.columns.tolist() == ["source", "record_id", "email", "first_name"]
    with pytest.raises(ig.MissingColumnError):
        g.add(pd.DataFrame({"email": ["b@mail.com"]}), source="web", keep=["nope"])


def test_add_with_matcher_links_fuzzy_duplicates() -> None:
    people = pd.DataFrame(
        {
            "id": range(8),
            "email": [f"p{i}@mail.com" for i in range(8)],
            "name": ["ann lee", "ann lea", "bob ray", "bob ray",
                     "cy fox", "dee orr", "ed ito", "fay po"],
            "dob": ["19800101", "19800101", "19750505", "19750505", "19900909",
                    "19911111", "19850303", "19700707"],
            "city": ["oslo", "oslo", "rome", "rome", "oslo", "rome", "oslo", "rome"],
        }
    )  # fmt: skip
    matcher = ig.Matcher(
        comparisons=[ig.NameComparison("name"), ig.DateComparison("dob")],
        blocking=[ig.Block("city")],
        prior=0.05,
    )
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(people, source="crm", id="id", matcher=matcher, threshold=0.5)
    assert matcher.is_fitted
    clusters = g.clusters().set_index("record_id")["person_id"]
    assert clusters[0] == clusters[1]
    assert clusters[2] == clusters[3]
    assert g.n_persons == 6
    with pytest.raises(ig.ConfigError):
        g.link(
            pd.DataFrame(
                columns=["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"]
            ),
            threshold=2.0,
        )


_ONE_VALUES = st.sampled_from(
    [None, "", "  ", "ann@mail.com", "ANN@mail.com", "201 555 0123", "c1", "n/a", 7, 2.5, np.nan]
)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"email": _ONE_VALUES, "phone": _ONE_VALUES, "cookie_id": _ONE_VALUES},
            optional={"page": st.sampled_from(["/", None, 3]), "key": _ONE_VALUES},
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["rid", "key"]),
)
def test_resolve_one_matches_add_of_its_one_row_frame(
    records: list[dict[str, object]], id_column: str
) -> None:
    specs = [
        ig.Email("email"),
        ig.Phone("phone", region="US"),
        ig.Cookie("cookie_id", max_per_person=1),
        ig.Key("key"),
    ]
    lean, full = ig.IdentityGraph(specs), ig.IdentityGraph(specs)
    seed = pd.DataFrame({"rid": [-1], "email": ["ann@mail.com"], "key": ["k0"]})
    for g in (lean, full):
        g.add(seed, source="web", id="rid")
    full._add_one = lambda *args, **kw: False  # type: ignore[method-assign]
    for i, record in enumerate(records):
        row = {**record, id_column: f"r{i}" if id_column == "key" else i}
        outcomes = []
        for g in (lean, full):
            try:
                outcomes.append(g.resolve_one(row, source="web", id=id_column))
            except ig.IdentigraphError as err:
                outcomes.append(type(err).__name__)
        assert outcomes[0] == outcomes[1]
    pd.testing.assert_frame_equal(lean.clusters(), full.clusters())
    pd.testing.assert_frame_equal(lean.records(), full.records())
    pd.testing.assert_frame_equal(lean.rejects, full.rejects)
    assert len(lean.state.records.batches) == len(full.state.records.batches)
    for a, b in zip(lean.state.records.batches, full.state.records.batches, strict=True):
        pd.testing.assert_frame_equal(a.attributes, b.attributes, check_column_type=True)
        pd.testing.assert_index_equal(a.ids, b.ids, exact=True)


@pytest.mark.parametrize("resolved", [True, False])
def test_failed_add_leaves_the_graph_as_it_was(resolved: bool) -> None:
    # An int cookie column raises after the phone column has been normalized; no key
    # of that frame may stay behind to share a code with a later value.
    specs = [ig.Phone("phone", region="US"), ig.Cookie("cookie_id")]
    good = [
        pd.DataFrame({"rid": [0], "phone": ["201 555 0100"]}),
        pd.DataFrame({"rid": [2], "phone": ["201 555 0122"]}),
        pd.DataFrame({"rid": [3], "phone": ["201 555 0111"]}),
    ]
    bad = pd.DataFrame({"rid": [1], "phone": ["201 555 0111"], "cookie_id": [7]})
    g = ig.IdentityGraph(specs)
    g.add(good[0], source="s", id="rid")
    if resolved:
        g.resolve()
    with pytest.raises(ig.DtypeError):
        g.add(bad, source="s", id="rid")
    for frame in good[1:]:
        g.add(frame, source="s", id="rid")
    clean = ig.IdentityGraph(specs)
    for frame in good:
        clean.add(frame, source="s", id="rid")
    assert len(g.clusters()) == 3
    assert g.clusters().equals(clean.clusters())
    assert g.clusters()["person_id"].nunique() == 3
