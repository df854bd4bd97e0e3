"""identigraph.spark.resolve against the pandas engine (the reference), plus its errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identigraph as ig
from identigraph import spark as igs
from identigraph.cli import demo_specs
from tests.spark.conftest import SPARK_SETTINGS, collect, one_update

_KEY = ["source", "record_id", "person_id"]
_REJECT_KEY = ["source", "record_id", "column", "reason"]


def _as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame[columns].astype({c: str for c in columns if c not in ("person_id",)})
    return out.sort_values(columns, ignore_index=True)


def _pandas(sources: dict[str, pd.DataFrame], ids: dict[str, str], specs: list, **kw: Any):
    g = ig.IdentityGraph(specs, attributes=kw.get("attributes", ()))
    for name, frame in sources.items():
        g.add(frame, source=name, id=ids[name])
    if kw.get("pairs") is not None:
        g.link(kw["pairs"], threshold=kw.get("threshold", 0.5))
    return g


def _spark_frame(spark: Any, frame: pd.DataFrame) -> Any:
    """Integer columns as longs, every other column as strings (even when all missing)."""
    types = {c: "long" if frame[c].dtype.kind in "iu" else "string" for c in frame.columns}
    data = frame.astype({c: object for c, t in types.items() if t == "string"})
    data = data.where(data.notna(), None)
    return spark.createDataFrame(data, ", ".join(f"{c} {t}" for c, t in types.items()))


def _spark_frames(spark: Any, sources: dict[str, pd.DataFrame]) -> dict[str, Any]:
    return {name: _spark_frame(spark, frame) for name, frame in sources.items()}


def _check_parity(g: ig.IdentityGraph, result: igs.SparkResult) -> None:
    expected = _as_text(g.clusters(), _KEY)
    got = _as_text(collect(result.clusters), _KEY)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    pd.testing.assert_frame_equal(
        _as_text(collect(result.rejects), _REJECT_KEY),
        _as_text(g.rejects, _REJECT_KEY),
        check_dtype=False,
    )
    conflict_key = ["source", "record_id", "person_id", "kind", "reason", "limit"]
    pd.testing.assert_frame_equal(
        _as_text(collect(result.conflicts), conflict_key),
        _as_text(g.conflicts(), conflict_key),
        check_dtype=False,
    )


@st.composite
def _multi_source(
    draw: st.DrawFn,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[tuple[str, tuple, tuple]]]:
    """Two or three sources with junk, a generic cookie, households (shared phones),
    CRM keys limited to one a person, first names, match pairs, must/cannot-links
    between drawn records (``kind, (source, id), (source, id)``, ids as each source
    holds them)."""
    emails = st.sampled_from([None, "ann@mail.com", "ANN@mail.com ", "bob@mail.com", "n/a",
                              "not-an-email", "cy@web.de"])  # fmt: skip
    phones = st.sampled_from([None, "201-555-0123", "(201) 555 0123", "212 555 0199", "000"])
    cookies = st.sampled_from([None, "kiosk", "kiosk", "c1", "c2", "c3"])
    keys = st.sampled_from([None, "K1", "K2", "K3"])
    names = st.sampled_from([None, "Ann", "Anne", "Bob", "Cy"])
    sources = {}
    for s in range(draw(st.integers(2, 3))):
        n = draw(st.integers(1, 12))
        sources[f"s{s}"] = pd.DataFrame(
            {
                "rid": [f"r{i}" for i in range(n)] if s != 1 else list(range(n)),
                "email": [draw(emails) for _ in range(n)],
                "phone": [draw(phones) for _ in range(n)],
                "cookie": [draw(cookies) for _ in range(n)],
                "crm": [draw(keys) for _ in range(n)],
                "first_name": [draw(names) for _ in range(n)],
            }
        )
    rows = []
    names_ = list(sources)
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.sampled_from(names_)), draw(st.sampled_from(names_))
        i = draw(st.integers(0, len(sources[a]) - 1))
        j = draw(st.integers(0, len(sources[b]) - 1))
        p = draw(st.sampled_from([0.3, 0.6, 0.95]))
        rows.append((a, str(sources[a]["rid"][i]), b, str(sources[b]["rid"][j]), p))
    pairs = pd.DataFrame(
        rows, columns=["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"]
    )
    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        a, b = draw(st.sampled_from(names_)), draw(st.sampled_from(names_))
        i = draw(st.integers(0, len(sources[a]) - 1))
        j = draw(st.integers(0, len(sources[b]) - 1))
        kind = draw(st.sampled_from(["must_link", "cannot_link"]))
        overrides.append((kind, (a, sources[a]["rid"][i]), (b, sources[b]["rid"][j])))
    return sources, pairs, overrides


_SPECS = [
    ig.Email("email"),
    ig.Phone("phone", region="US", max_per_person=2),
    ig.Cookie("cookie", max_records=3),
    ig.Key("crm", max_per_person=1),
]
_ATTRIBUTES = [ig.Attribute("first_name", max_per_person=1)]


_POLICY = ig.SurvivorPolicy(criteria=["source:s1", "oldest", "size"])


@SPARK_SETTINGS
@given(_multi_source())
def test_parity_with_pandas_engine(spark: Any, data: tuple) -> None:
    """Sources with match pairs, must/cannot-links and a survivor policy ranking one
    source first: persons, person ids, rejects and conflicts are the pandas engine's."""
    sources, pairs, drawn = data
    ids = dict.fromkeys(sources, "rid")
    g = ig.IdentityGraph(_SPECS, attributes=_ATTRIBUTES, survivor=_POLICY)
    for name, frame in sources.items():
        g.add(frame, source=name, id="rid")
    # pandas: pair ids as each source holds them (ints for source s1).
    typed = pairs.copy()
    for side in ("l", "r"):
        is_int = typed[f"source_{side}"] == "s1"
        typed[f"record_id_{side}"] = [
            int(v) if k else v for v, k in zip(typed[f"record_id_{side}"], is_int, strict=True)
        ]
    if len(typed):
        g.link(typed, threshold=0.5)
    for kind, a, b in drawn:  # contradicting ones are refused, as the pandas engine refuses
        add = g.must_link if kind == "must_link" else g.cannot_link
        try:
            add(a, b, reason=kind)
        except ig.OverrideConflictError:
            continue
    overrides = g.overrides().drop(columns="time")
    result = igs.resolve(
        _spark_frames(spark, sources),
        identifiers=_SPECS,
        ids=ids,
        attributes=_ATTRIBUTES,
        pairs=spark.createDataFrame(pairs, "source_l string, record_id_l string, source_r string, "
                                    "record_id_r string, match_probability double")
        if len(pairs) else None,
        policy=_POLICY,
        overrides=_spark_frame(spark, overrides) if len(overrides) else None,
    )  # fmt: skip
    _check_parity(g, result)


def _with_overrides(
    sources: dict[str, pd.DataFrame], names: list[str], drawn: list
) -> ig.IdentityGraph:
    """A bulk load of ``names`` with the drawn overrides it accepts, under ``_POLICY``."""
    g = ig.IdentityGraph(_SPECS, attributes=_ATTRIBUTES, survivor=_POLICY)
    for name in names:
        g.add(sources[name], source=name, id="rid")
    for kind, a, b in drawn:
        if a[0] not in names or b[0] not in names:
            continue
        try:
            (g.must_link if kind == "must_link" else g.cannot_link)(a, b, reason=kind)
        except ig.OverrideConflictError:
            continue
    return g


@settings(SPARK_SETTINGS, max_examples=2)  # two Spark runs an example
@given(_multi_source())
def test_previous_with_overrides_and_policy(spark: Any, data: tuple) -> None:
    """Last night the first sources with their overrides; tonight every source and
    override, ``previous=`` last night's clusters and a policy ranking a source first.
    Tonight's persons are the pandas engine's bulk load, with the ids of one update
    (see ``one_update``; ``IdentityGraph.add`` gives them when the night is one add)."""
    sources, _, drawn = data
    names = list(sources)
    ids = dict.fromkeys(sources, "rid")

    def run(g: ig.IdentityGraph, held_names: list[str], previous: Any = None) -> igs.SparkResult:
        overrides = g.overrides().drop(columns="time")
        held = {n: sources[n] for n in held_names}
        return igs.resolve(
            _spark_frames(spark, held), identifiers=_SPECS, ids={n: ids[n] for n in held},
            attributes=_ATTRIBUTES, policy=_POLICY, previous=previous,
            overrides=_spark_frame(spark, overrides) if len(overrides) else None,
        )  # fmt: skip

    last_night = _with_overrides(sources, names[:-1], drawn)
    first = run(last_night, names[:-1])
    _check_parity(last_night, first)
    tonight = _with_overrides(sources, names, drawn)
    second = run(tonight, names, previous=first.clusters)
    expected = one_update(last_night.clusters(), tonight.clusters(), _POLICY, ("s1",))
    pd.testing.assert_frame_equal(
        _as_text(collect(second.clusters), _KEY), _as_text(expected, _KEY), check_dtype=False
    )


def test_customers_with_demo_specs(spark: Any) -> None:
    sources, _ = ig.datasets.customers(150, seed=3, household_rate=0.3, junk_rate=0.05)
    ids = ig.datasets.RECORD_ID_COLUMNS
    keep = {n: f[[c for c in f.columns if f[c].dtype.kind not in "Mf"]] for n, f in sources.items()}
    g = _pandas(keep, ids, demo_specs())
    result = igs.resolve(_spark_frames(spark, keep), identifiers=demo_specs(), ids=ids)
    _check_parity(g, result)
    assert len(g.conflicts()) > 0  # households made the limits split persons


def test_skewed_value_is_generic(spark: Any) -> None:
    n = 300
    web = pd.DataFrame(
        {
            "event_id": np.arange(n),
            "cookie_id": ["kiosk" if i % 5 else f"c{i // 10}" for i in range(n)],
            "email": [f"u{i % 40}@mail.com" for i in range(n)],
        }
    )
    specs = [ig.Cookie("cookie_id"), ig.Email("email")]
    g = _pandas({"web": web}, {"web": "event_id"}, specs)
    result = igs.resolve(
        {"web": _spark_frame(spark, web)}, identifiers=specs, ids={"web": "event_id"}
    )
    _check_parity(g, result)
    generic = collect(result.generic_values)
    assert generic[["kind", "value", "records"]].values.tolist() == [["cookie", "kiosk", 240]]


def test_previous_carries_ids_as_add_does(spark: Any) -> None:
    crm = pd.DataFrame({"id": ["a", "b", "c", "d"],
                        "email": ["ann@x.com", "bob@x.com", "cy@x.com", "cy@x.com"]})  # fmt: skip
    web = pd.DataFrame({"id": ["w1", "w2", "w3"],
                        "email": ["ann@x.com", "new@x.com", "bob@x.com"],
                        "cookie": ["k1", "k2", "k1"]})  # fmt: skip
    specs = [ig.Email("email"), ig.Cookie("cookie")]
    g = ig.IdentityGraph(specs)
    g.add(crm, source="crm", id="id")
    g.resolve()
    first = igs.resolve({"crm": _spark_frame(spark, crm)}, identifiers=specs, ids={"crm": "id"})
    g.add(web, source="web", id="id")  # ann and bob merge through cookie k1
    second = igs.resolve(
        {"crm": _spark_frame(spark, crm), "web": _spark_frame(spark, web)},
        identifiers=specs,
        ids={"crm": "id", "web": "id"},
        previous=first.clusters,
    )
    pd.testing.assert_frame_equal(
        _as_text(collect(second.clusters), _KEY), _as_text(g.clusters(), _KEY), check_dtype=False
    )
    history = collect(second.id_history)
    merges = history[history["reason"] == "merge"][["old_id", "new_id"]]
    expected = g.id_history()
    expected = expected[expected["reason"] == "merge"][["old_id", "new_id"]]
    assert sorted(map(tuple, merges.values.tolist())) == sorted(
        map(tuple, expected.values.tolist())
    )
    new = set(history.loc[history["reason"] == "new", "new_id"].tolist())
    assert new == {int(g.person_of("web", "w2"))}


def test_errors_before_any_spark_job(spark: Any) -> None:
    frame = spark.createDataFrame(pd.DataFrame({"id": [1], "email": ["a@b.com"], "flag": [True]}))
    tracker = spark.sparkContext.statusTracker()
    spark.sparkContext.setJobGroup("identigraph-errors", "no job expected")
    with pytest.raises(ig.MissingColumnError, match="no id column"):
        igs.resolve({"crm": frame}, identifiers=[ig.Email("email")], ids={"crm": "nope"})
    with pytest.raises(ig.NoIdentifierColumnsError):
        igs.resolve({"crm": frame}, identifiers=[ig.Phone("phone")], ids={"crm": "id"})
    with pytest.raises(ig.DtypeError):
        igs.resolve({"crm": frame}, identifiers=[ig.Email("flag")], ids={"crm": "id"})
    with pytest.raises(ig.ConfigError):
        igs.resolve(
            {"crm": frame},
            identifiers=[ig.Email("email"), ig.Email("email")],
            ids={"crm": "id"},
        )
    with pytest.raises(ig.MissingColumnError, match="pairs lack"):
        igs.resolve({"crm": frame}, identifiers=[ig.Email("email")], ids={"crm": "id"}, pairs=frame)
    with pytest.raises(ig.InputError, match="no id column for it"):
        igs.resolve({"crm": frame}, identifiers=[ig.Email("email")], ids={})
    assert tracker.getJobIdsForGroup("identigraph-errors") == []
    spark.sparkContext.setJobGroup("", "")


def test_unknown_pair_record(spark: Any) -> None:
    frame = spark.createDataFrame(pd.DataFrame({"id": ["a", "b"], "email": ["a@b.com", None]}))
    pairs = spark.createDataFrame(
        pd.DataFrame(
            {
                "source_l": ["crm"],
                "record_id_l": ["a"],
                "source_r": ["crm"],
                "record_id_r": ["zz"],
                "match_probability": [0.9],
            }
        )
    )
    with pytest.raises(ig.UnknownRecordError):
        igs.resolve({"crm": frame}, identifiers=[ig.Email("email")], ids={"crm": "id"}, pairs=pairs)


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ig.MissingDependencyError, match=r"identigraph\[spark\]"):
        igs.resolve({}, identifiers=[ig.Email("email")], ids={})


def test_repeated_record_ids_raise_before_extraction(spark: Any) -> None:
    crm = _spark_frame(
        spark, pd.DataFrame({"id": [1, 2, 2, 3], "email": ["a@x.com", "b@x.com", "c@x.com", None]})
    )
    web = _spark_frame(spark, pd.DataFrame({"id": ["w1", "w2"], "email": ["a@x.com", "b@x.com"]}))
    specs = [ig.Email("email")]
    with pytest.raises(ig.DuplicateRecordError, match="record ids repeat") as raised:
        igs.resolve({"web": web, "crm": crm}, identifiers=specs, ids={"web": "id", "crm": "id"})
    assert raised.value.source == "crm"
    assert raised.value.record_ids == (2,)
    assert "@" not in str(raised.value)  # ids only, never an identifier value
    missing = _spark_frame(spark, pd.DataFrame({"id": ["a", None], "email": ["a@x.com", None]}))
    with pytest.raises(ig.InputError, match="missing"):
        igs.resolve({"crm": missing}, identifiers=specs, ids={"crm": "id"})


def test_id_column_named_by_a_spec_links_as_in_pandas(spark: Any) -> None:
    # The CRM's id column is also the key support tickets carry: the pandas engine
    # links through it, so the Spark run must extract it too.
    crm = pd.DataFrame({"customer_id": ["C1", "C2"], "email": ["ann@x.com", "bob@x.com"]})
    support = pd.DataFrame({"ticket": [7, 8, 9], "customer_id": ["C1", "C2", None],
                            "email": ["ann@other.com", None, "bob@x.com"]})  # fmt: skip
    specs = [ig.Email("email"), ig.Key("customer_id")]
    ids = {"crm": "customer_id", "support": "ticket"}
    g = _pandas({"crm": crm, "support": support}, ids, specs)
    result = igs.resolve(
        {"crm": _spark_frame(spark, crm), "support": _spark_frame(spark, support)},
        identifiers=specs,
        ids=ids,
    )
    _check_parity(g, result)
    clusters = collect(result.clusters)
    assert clusters["person_id"].nunique() == 2  # C1 with ticket 7; C2 with tickets 8, 9


def test_policy_with_previous_keeps_ids_as_add_does(spark: Any) -> None:
    # Last night: a CRM customer alone and an anonymous three-event cookie cluster.
    # Tonight an event carries both the customer's email and the cookie: they merge.
    crm = pd.DataFrame({"id": ["c1"], "email": ["ann@x.com"], "cookie": [None]})
    web = pd.DataFrame({"id": ["w1", "w2", "w3", "w4"],
                        "email": [None, None, None, "ann@x.com"],
                        "cookie": ["k1", "k1", "k1", "k1"]})  # fmt: skip
    specs = [ig.Email("email"), ig.Cookie("cookie")]
    policy = ig.SurvivorPolicy(criteria=["source:crm", "oldest", "size"])
    ids = {"crm": "id", "web": "id"}
    g = ig.IdentityGraph(specs, survivor=policy)
    g.add(crm, source="crm", id="id")
    g.add(web.iloc[:3], source="web", id="id")
    g.resolve()
    crm_id = int(g.person_of("crm", "c1"))
    first = igs.resolve(
        {"crm": _spark_frame(spark, crm), "web": _spark_frame(spark, web.iloc[:3])},
        identifiers=specs,
        ids=ids,
    )
    g.add(web.iloc[3:], source="web", id="id")
    second = igs.resolve(
        {"crm": _spark_frame(spark, crm), "web": _spark_frame(spark, web)},
        identifiers=specs,
        ids=ids,
        previous=first.clusters,
        policy=policy,
    )
    got = collect(second.clusters)
    pd.testing.assert_frame_equal(_as_text(got, _KEY), _as_text(g.clusters(), _KEY),
                                  check_dtype=False)  # fmt: skip
    assert set(got["person_id"].tolist()) == {crm_id}  # by size the cookie's id would survive
    history = collect(second.id_history)
    assert history.loc[history["reason"] == "merge", "new_id"].tolist() == [crm_id]


def test_overrides_as_in_pandas(spark: Any) -> None:
    crm = pd.DataFrame({"id": ["a", "b", "c", "d", "e", "f"],
                        "phone": ["201-555-0123"] * 3 + ["212 555 0199", None, None],
                        "email": ["ann@x.com", None, "ann@x.com", "dan@x.com", "eve@x.com",
                                  "fay@x.com"],
                        "crm": ["K1", "K2", None, None, None, None]})  # fmt: skip
    specs = [ig.Phone("phone", region="US"), ig.Email("email"), ig.Key("crm", max_per_person=1)]
    g = ig.IdentityGraph(specs)
    g.add(crm, source="crm", id="id")
    g.cannot_link(("crm", "a"), ("crm", "c"), reason="twins")  # apart despite phone and email
    g.must_link(("crm", "b"), ("crm", "d"), reason="checked")  # joined, whatever the limits
    g.must_link(("crm", "d"), ("crm", "e"), reason="checked")
    g.cannot_link(("crm", "a"), ("crm", "f"), reason="apart already")  # another component
    overrides = g.overrides().drop(columns="time")
    result = igs.resolve(
        {"crm": _spark_frame(spark, crm)},
        identifiers=specs,
        ids={"crm": "id"},
        overrides=_spark_frame(spark, overrides),
    )
    _check_parity(g, result)
    key = ["source", "record_id", "person_id", "reason", "limit", "override_reason"]
    pd.testing.assert_frame_equal(
        _as_text(collect(result.conflicts), key), _as_text(g.conflicts(), key), check_dtype=False
    )
    persons = collect(result.clusters).set_index("record_id")["person_id"]
    assert persons["a"] != persons["c"]
    assert persons["b"] == persons["d"] == persons["e"]
    assert persons["f"] not in {persons["a"], persons["b"], persons["c"]}


def test_override_errors(spark: Any) -> None:
    crm = _spark_frame(spark, pd.DataFrame({"id": ["a", "b"], "email": ["a@x.com", "b@x.com"]}))
    specs = [ig.Email("email")]

    def overrides(kinds: list[str], b: str = "b") -> Any:
        frame = pd.DataFrame({"kind": kinds, "source_a": "crm", "record_id_a": "a",
                              "source_b": "crm", "record_id_b": b})  # fmt: skip
        return _spark_frame(spark, frame)

    with pytest.raises(ig.OverrideConflictError) as raised:
        igs.resolve({"crm": crm}, identifiers=specs, ids={"crm": "id"},
                    overrides=overrides(["must_link", "cannot_link"]))  # fmt: skip
    assert raised.value.count == 1
    with pytest.raises(ig.UnknownRecordError):
        igs.resolve({"crm": crm}, identifiers=specs, ids={"crm": "id"},
                    overrides=overrides(["must_link"], b="zz"))  # fmt: skip
    with pytest.raises(ig.InputError, match="override kind"):
        igs.resolve({"crm": crm}, identifiers=specs, ids={"crm": "id"},
                    overrides=overrides(["merge"]))  # fmt: skip
    with pytest.raises(ig.MissingColumnError, match="overrides lack"):
        igs.resolve({"crm": crm}, identifiers=specs, ids={"crm": "id"}, overrides=crm)
    with pytest.raises(ig.ConfigError, match="SurvivorPolicy"):
        igs.resolve({"crm": crm}, identifiers=specs, ids={"crm": "id"}, policy="oldest")  # type: ignore[arg-type]
