"""Journeys: stitched events, time order, completeness, top paths and attribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import identigraph as ig
from identigraph.activation import EventSource, Persons, journeys, stitch_events

T0 = pd.Timestamp("2024-01-01")

_EVENTS = st.lists(
    st.tuples(
        st.integers(1, 4),  # person
        st.integers(0, 60),  # day
        st.sampled_from(["web", "email", "pos"]),
        st.booleans(),  # conversion?
    ),
    max_size=40,
)


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [r[0] for r in rows],
            "time": [T0 + pd.Timedelta(days=r[1]) for r in rows],
            "channel": [r[2] for r in rows],
            "event": ["buy" if r[3] else "touch" for r in rows],
        }
    )


@given(_EVENTS)
def test_journeys_are_time_ordered_and_complete(rows) -> None:
    events = _frame(rows)
    result = journeys(events, conversion="buy", window="1000D")
    tp = result.touchpoints
    # time-ordered within each journey, steps count up from 0
    for _, part in tp.groupby("journey"):
        assert part["time"].is_monotonic_increasing
        assert part["step"].tolist() == list(range(len(part)))
    # complete: with a window longer than the data, every touchpoint is in one journey
    touches = events[events["event"] == "touch"]
    assert len(tp) == len(touches)
    got = sorted(zip(tp["person_id"], tp["time"], tp["channel"], strict=True))
    assert got == sorted(
        zip(touches["person_id"], touches["time"], touches["channel"], strict=True)
    )
    # one converted journey per conversion, each person's journeys in time order
    assert int(result.journeys["converted"].sum()) == int((events["event"] == "buy").sum())
    for _, part in result.journeys.groupby("person_id"):
        assert part["end"].is_monotonic_increasing
    # every touchpoint precedes the end of its journey
    ends = result.journeys.set_index("journey")["end"]
    assert (tp["time"].to_numpy() <= ends.loc[tp["journey"]].to_numpy()).all()


@given(_EVENTS, st.integers(1, 20))
def test_window_keeps_recent_touchpoints_only(rows, days) -> None:
    result = journeys(_frame(rows), conversion="buy", window=pd.Timedelta(days=days))
    ends = result.journeys.set_index("journey")["end"]
    gap = ends.loc[result.touchpoints["journey"]].to_numpy() - result.touchpoints["time"].to_numpy()
    assert (gap <= np.timedelta64(days, "D")).all()


@given(_EVENTS)
def test_top_paths_and_attribution_add_up(rows) -> None:
    result = journeys(_frame(rows), conversion="buy")
    top = result.top_paths(1000)
    assert top["journeys"].sum() == len(result.journeys)
    assert top["conversions"].sum() == int(result.journeys["converted"].sum())
    assert top["path"].is_unique
    credit = result.attribution()
    with_touch = int((result.journeys["converted"] & (result.journeys["touchpoints"] > 0)).sum())
    for column in ("first_touch", "last_touch", "linear"):
        assert credit[column].sum() == pytest.approx(with_touch)


def test_paths_spelled_out() -> None:
    events = _frame(
        [(1, 0, "email", False), (1, 1, "web", False), (1, 2, "pos", True),
         (2, 0, "email", False), (2, 1, "web", False), (2, 3, "pos", True),
         (3, 0, "web", False), (3, 1, "email", False), (3, 5, "pos", True), (3, 6, "web", False)]
    )  # fmt: skip
    result = journeys(events, conversion="buy", window="30D")
    top = result.top_paths(2)
    assert top["path"].tolist() == ["email > web", "web > email"]
    assert top["conversions"].tolist() == [2, 1]
    assert top["median_time_to_convert"].iloc[0] == pd.Timedelta(days=2.5)
    assert len(result.journeys) == 4  # person 3 has a trailing journey that did not convert


def test_stitch_across_sources_and_merges() -> None:
    g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie")])
    g.add(pd.DataFrame({"id": ["K1"], "email": ["a@x.com"]}), source="crm", id="id")
    g.add(pd.DataFrame({"id": [1, 2], "cookie": ["c1", "c2"]}), source="web", id="id")
    g.resolve()
    old_web = g.person_of("web", 1)
    snapshot = pd.DataFrame({"pid": [old_web], "at": [T0 + pd.Timedelta(days=1)]})
    g.add(pd.DataFrame({"id": [9], "email": ["a@x.com"], "cookie": ["c1"]}), source="pos", id="id")
    persons = Persons(g)
    web = pd.DataFrame({"id": ["1", 2], "at": [T0, T0], "page": ["/a", "/b"]})
    orders = pd.DataFrame({"tx": [9], "at": [T0 + pd.Timedelta(days=2)]})
    events = stitch_events(
        persons,
        [
            EventSource(frame=web, source="web", id="id", time="at", event="page"),
            EventSource(frame=orders, source="pos", id="tx", time="at", event=None),
            EventSource(frame=snapshot, source="email", person="pid", time="at"),
        ],
    )
    ann = g.person_of("crm", "K1")
    assert events.loc[events["person_id"] == ann, "channel"].tolist() == ["web", "email", "pos"]
    result = journeys(events, conversion="pos")
    assert result.top_paths(1)["path"].iloc[0] == "web > email"


def test_errors() -> None:
    frame = pd.DataFrame({"id": [1], "at": [T0]})
    with pytest.raises(ig.ConfigError):
        EventSource(frame=frame, source="web", time="at")
    with pytest.raises(ig.MissingColumnError):
        EventSource(frame=frame, source="web", id="id", time="when")
    with pytest.raises(ig.ConfigError):
        journeys(_frame([]), conversion=[])
    with pytest.raises(ig.ConfigError):
        journeys(_frame([]), conversion="buy", window="-1D")
    with pytest.raises(ig.MissingColumnError):
        journeys(pd.DataFrame({"x": [1]}), conversion="buy")


@given(
    st.lists(st.tuples(st.integers(-3, 3), st.integers(0, 5), st.booleans()), max_size=60),
    st.sampled_from([1, 10**15, -(10**18)]),
)
def test_time_order_equals_lexsort(rows, scale) -> None:
    import sys

    order_of = sys.modules["identigraph.activation.journeys"]._time_order
    person = np.array([r[0] * scale for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.int64)
    conv = np.array([r[2] for r in rows], dtype=bool)
    assert np.array_equal(order_of(person, t, conv), np.lexsort((conv, t, person)))
