"""The per-person limit split: cannot-link components split over arrays cut as the union-find."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from identigraph.graph.core import connected_components
from identigraph.graph.core import limits as limits_module
from identigraph.graph.core._kruskal import Kruskal
from identigraph.graph.core.limits import (
    LimitSplit,
    _enforce_limits,
    _join_groups,
    _spread,
    enforce_limits,
)

_FIELDS = ("labels", "cut_links", "cut_link_kind", "cut_matches", "cut_match_kind",
           "shared_values", "shared_kind")  # fmt: skip


@st.composite
def apart_graphs(
    draw: st.DrawFn, max_apart: int = 3, *, over_cap: bool | None = None
) -> dict[str, object]:
    """Records linked through values of two kinds and match edges, with must- and cannot-links.

    Cannot-links are drawn between records that the must-links do not join (as
    ``check_overrides`` guarantees); kinds are limited or not, and may unlink shared values.

    A kind may be as strong as a must-link (``inf``): its links then come among the
    must-links, which may join sets already holding values of it and put them over a
    cap. With ``over_cap`` (drawn when ``None``) must-links join a hub record, the last
    by hash, to records carrying values of kind 0, mostly; with kind 0 as strong as
    them and capped at 1 or 2, they gather up to 10 of its values in one set, counts
    past the width of its packed slot (3 bits for caps up to 1: 6 values carry when
    unchecked; 4 bits for cap 2: 10).
    """
    inf = float("inf")
    if over_cap is None:
        over_cap = draw(st.booleans())
    n_rec = draw(st.integers(8, 14) if over_cap else st.integers(2, 14))
    n_val = draw(st.integers(6, 10) if over_cap else st.integers(1, 8))
    rec = st.integers(0, n_rec - 1)
    links = sorted(set(draw(st.lists(st.tuples(rec, st.integers(0, n_val - 1)), max_size=30))))
    matches = draw(st.lists(st.tuples(rec, rec, st.sampled_from([0.6, 0.8, 0.95])), max_size=n_rec))
    hashes = draw(
        st.lists(st.integers(0, 2**64 - 1), min_size=n_rec + n_val, max_size=n_rec + n_val,
                 unique=True)
    )  # fmt: skip
    must = draw(st.lists(st.tuples(rec, rec).filter(lambda p: p[0] != p[1]), max_size=6))
    priorities = [[40.0, 10.0], [10.0, 40.0], [20.0, 20.0], [15.0, 40.0], [inf, 10.0], [40.0, inf]]
    limits = st.lists(st.integers(0, 2), min_size=2, max_size=2)
    if over_cap:
        hub = int(np.argmax(np.array(hashes[:n_rec], dtype=np.uint64)))
        spokes = [r for r in range(n_rec) if r != hub][:n_val]
        must += [(hub, r) for r in spokes]
        links = sorted({*links, *((r, i) for i, r in enumerate(spokes))})
        priorities = [[inf, 10.0], [inf, inf], [inf, 40.0]]
        limits = st.tuples(st.integers(1, 2), st.integers(0, 1)).map(list)
    joined = connected_components(
        n_rec, np.array([p[0] for p in must], dtype=np.int64),
        np.array([p[1] for p in must], dtype=np.int64),
    )  # fmt: skip
    apart = draw(
        st.lists(
            st.tuples(rec, rec).filter(lambda p: joined[p[0]] != joined[p[1]]),
            max_size=max_apart,
        )
    )
    return {
        "n_rec": n_rec,
        "links": links,
        "value_kind": draw(st.lists(st.sampled_from([0, 0, 0, 1]), min_size=n_val, max_size=n_val)),
        "limits": draw(limits),
        "priorities": draw(st.sampled_from(priorities)),
        "unlink": draw(st.sampled_from([None, [False, False], [True, False], [False, True]])),
        "matches": matches,
        "must": must,
        "apart": apart,
        "hashes": hashes,
    }


def _split(graph: dict[str, object], *, arrays: bool) -> LimitSplit:
    n_rec = int(graph["n_rec"])  # type: ignore[call-overload]
    links = np.array(graph["links"], dtype=np.int64).reshape(-1, 2)
    matches = graph["matches"]
    ml = np.array([m[0] for m in matches], dtype=np.int64)  # type: ignore[attr-defined]
    mr = np.array([m[1] for m in matches], dtype=np.int64)  # type: ignore[attr-defined]
    prob = np.array([m[2] for m in matches], dtype=float)  # type: ignore[attr-defined]
    must = np.array(graph["must"], dtype=np.int64).reshape(-1, 2)
    apart = np.array(graph["apart"], dtype=np.int64).reshape(-1, 2)
    value_kind = np.array(graph["value_kind"], dtype=np.int64)
    n_val = len(value_kind)
    hashes = np.array(graph["hashes"], dtype=np.uint64)
    labels = connected_components(
        n_rec + n_val,
        np.concatenate([links[:, 0], ml, must[:, 0]]),
        np.concatenate([links[:, 1] + n_rec, mr, must[:, 1]]),
    )
    unlink = graph["unlink"]
    return _enforce_limits(
        labels, n_rec, links[:, 0], links[:, 1], value_kind,
        np.array(graph["limits"], dtype=np.int64), np.array(graph["priorities"]),
        hashes[:n_rec], hashes[n_rec:], ml, mr, prob, match_priority=15.0,
        attr_codes=(), attr_caps=(), attr_alike=None,
        unlink=None if unlink is None else np.array(unlink, dtype=bool),
        must_l=must[:, 0], must_r=must[:, 1], apart_l=apart[:, 0], apart_r=apart[:, 1],
        arrays=arrays,
    )  # fmt: skip


@settings(max_examples=150)
@pytest.mark.parametrize("shared_hash", [False, True])
@given(graph=apart_graphs())
def test_values_hashed_only_where_they_order_links(
    graph: dict[str, object], shared_hash: bool
) -> None:
    """Hashing only the values of links that may tie gives the cuts of hashing them all.

    Kind strengths may equal the match edges'; with ``shared_hash`` two records share
    a hash, so that links of different records may tie too.
    """
    if shared_hash:
        hashes = list(graph["hashes"])  # type: ignore[call-overload]
        graph = {**graph, "hashes": [hashes[0], *hashes[1:]] if len(hashes) < 3 else
                 [hashes[0], hashes[0], *hashes[2:]]}  # fmt: skip
    module = sys.modules["identigraph.graph.core.limits"]
    got = _split(graph, arrays=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "_tied_values", lambda lr, lv, *_: np.unique(lv))
        want = _split(graph, arrays=True)
    assert got.labels.tolist() == want.labels.tolist()
    for name in ("cut_links", "cut_link_kind", "cut_matches", "cut_match_kind",
                 "shared_values", "shared_kind"):  # fmt: skip
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name


@settings(max_examples=150)
@pytest.mark.parametrize("apart", [True, False])
@given(graph=apart_graphs())
def test_split_over_arrays_cuts_as_the_union_find(graph: dict[str, object], apart: bool) -> None:
    if not apart:  # the limits alone
        graph = {**graph, "apart": []}
    fast, reference = _split(graph, arrays=True), _split(graph, arrays=False)
    assert fast.labels.tolist() == reference.labels.tolist()  # the same partition
    for name in ("cut_links", "cut_link_kind", "cut_matches", "cut_match_kind",
                 "shared_values", "shared_kind"):  # fmt: skip
        assert getattr(fast, name).tolist() == getattr(reference, name).tolist(), name


def test_one_cannot_link_cuts_the_weakest_link_on_the_path() -> None:
    # 0 -email- 1 -cookie- 2, records 0 and 2 kept apart: the cookie link goes.
    rec, val = np.array([0, 1, 1, 2]), np.array([0, 0, 1, 1])
    labels = connected_components(5, rec, val + 3)
    split = enforce_limits(
        labels, 3, rec, val, np.array([0, 1]), np.array([0, 0]), np.array([30.0, 10.0]),
        np.array([1, 2, 3], dtype=np.uint64), np.array([4, 5], dtype=np.uint64),
        apart_l=np.array([0]), apart_r=np.array([2]),
    )  # fmt: skip
    assert split.labels.tolist() == [0, 0, 1]
    assert split.cut_links.tolist() == [3]  # the cookie link of the last record examined
    assert split.cut_link_kind.tolist() == [-1]


def _assert_same(got: LimitSplit, want: LimitSplit) -> None:
    for name in _FIELDS:
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name


def _spy(patch: pytest.MonkeyPatch, name: str) -> list[dict[str, Any]]:
    """Record the keyword arguments of every call of the private ``name``."""
    calls: list[dict[str, Any]] = []
    real: Callable[..., Any] = getattr(limits_module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    patch.setattr(limits_module, name, spy)
    return calls


@settings(max_examples=150)
@given(graph=apart_graphs(max_apart=8))
def test_several_cannot_links_split_by_counts_as_the_union_find(graph: dict[str, object]) -> None:
    """Components holding several cannot-links (bit pairs in the packed counts), with or
    without a limit broken too, cut as the pass in Python, naming the same cannot-links."""
    _assert_same(_split(graph, arrays=True), _split(graph, arrays=False))


def test_bit_pairs_name_the_smallest_cannot_link_and_skip_the_python_pass() -> None:
    # A path 0 -a- 1 -b- 2 -c- 3 of equal links; cannot-links (0, 2), (1, 3), (0, 3):
    # one component, three cannot-links, no limit. The pass joins 0-1 (link a), cuts b
    # (it would join 0 with 2: cannot-link 0, and 1 with 3: cannot-link 1; the smallest
    # is named), then joins 2-3 (c).
    rec, val = np.array([0, 1, 1, 2, 2, 3]), np.array([0, 0, 1, 1, 2, 2])
    labels = connected_components(7, rec, val + 4)
    args = (labels, 4, rec, val, np.zeros(3, dtype=np.int64), np.array([0]), np.array([30.0]),
            np.array([1, 2, 3, 4], dtype=np.uint64), np.array([5, 6, 7], dtype=np.uint64),
            _NONE, _NONE, None)  # fmt: skip
    keywords: dict[str, Any] = {
        "match_priority": 15.0, "attr_codes": (), "attr_caps": (), "attr_alike": None,
        "unlink": None, "must_l": _NONE, "must_r": _NONE,
        "apart_l": np.array([0, 1, 0]), "apart_r": np.array([2, 3, 3]),
    }  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        counted = _spy(patch, "_split_counts")
        patch.setattr(limits_module.Kruskal, "run", _refuse)
        fast = _enforce_limits(*args, **keywords, arrays=True)
    assert len(counted) == 1
    assert int(np.count_nonzero(counted[0]["pair_bits"])) == 4  # the four ends
    reference = _enforce_limits(*args, **keywords, arrays=False)
    _assert_same(fast, reference)
    assert fast.labels.tolist() == [0, 0, 1, 1]
    assert fast.cut_link_kind.tolist() == [-1]  # cannot-link 0, not 1


def _refuse(*_: object) -> None:
    msg = "the pass in Python ran"
    raise AssertionError(msg)


@settings(max_examples=100)
@given(graph=apart_graphs(max_apart=4))
def test_link_order_by_packed_key_equals_the_full_sort(graph: dict[str, object]) -> None:
    """The order from one sort of the packed keys, component by component, cuts as the
    ``lexsort`` over every key (the fallback when the keys do not fit in 62 bits)."""
    got = _split(graph, arrays=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits_module, "_order_key", lambda *_: None)
        want = _split(graph, arrays=True)
    _assert_same(got, want)


@given(
    n=st.integers(2, 12),
    edges=st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from([10.0, 20.0, 30.0])),
        max_size=30,
    ),
    n_links=st.integers(0, 30),
)
def test_spread_by_levels_equals_a_pass_per_level(
    n: int, edges: list[tuple[int, int, float]], n_links: int
) -> None:
    """The spreads, the groups grown level by level, equal one components pass per level."""
    u = np.array([a % n for a, _, _ in edges], dtype=np.int64)
    v = np.array([b % n for _, b, _ in edges], dtype=np.int64)
    priority = np.array([p for _, _, p in edges])
    n_links = min(n_links, len(edges))
    want = np.zeros(len(u), dtype=np.int64)
    for level in np.unique(priority)[:-1].tolist():  # the reference: one pass a level
        stronger = priority > level
        groups = connected_components(n, u[stronger], v[stronger])
        grouped = np.zeros(n, dtype=bool)
        grouped[u[stronger]] = grouped[v[stronger]] = True
        for e in np.flatnonzero(priority == level).tolist():
            if e < n_links:
                carriers = (np.arange(n_links) < n_links) & (priority[:n_links] == level)
                carriers &= v[:n_links] == v[e]
                ends = u[:n_links][carriers]
                want[e] = len({int(groups[r]) for r in ends.tolist() if grouped[r]})
            else:
                ends = [r for r in (int(u[e]), int(v[e])) if grouped[r]]
                want[e] = len({int(groups[r]) for r in ends}) if len(ends) == 2 else len(ends)
    assert _spread(u, v, n_links, priority, n).tolist() == want.tolist()


@given(
    groups=st.lists(st.integers(0, 11), min_size=1, max_size=12),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=10),
)
def test_join_groups_equals_a_components_pass(
    groups: list[int], edges: list[tuple[int, int]]
) -> None:
    """Groups joined over the groups the edges touch: the partition of a pass over all."""
    n = len(groups)
    group = np.array([g % n for g in groups], dtype=np.int64)
    a = np.array([x % n for x, _ in edges], dtype=np.int64)
    b = np.array([y % n for _, y in edges], dtype=np.int64)
    got = _join_groups(group, a, b)
    want = connected_components(n, group[a], group[b])[group]
    assert ((got[:, None] == got[None, :]) == (want[:, None] == want[None, :])).all()
    assert set(got.tolist()) <= set(group.tolist())  # ids stay the groups' own


_NONE = np.empty(0, dtype=np.int64)


@settings(max_examples=150)
@given(graph=apart_graphs())
def test_spanning_forest_split_cuts_as_the_union_find(graph: dict[str, object]) -> None:
    """With no component small enough for the counts, the components that one
    cannot-link alone breaks go by the spanning forest (``_split_apart``), the rest by
    the pass in Python: the same cuts as the pass in Python alone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits_module, "_COUNT_EDGES", 0)
        fast = _split(graph, arrays=True)
    _assert_same(fast, _split(graph, arrays=False))


def test_spanning_forest_split_runs_on_a_large_component() -> None:
    """A chain of 300 records with one cannot-link between its ends: over 256 links,
    split by the spanning forest, at the weakest link of the path (the last examined)."""
    n = 300
    rec = np.repeat(np.arange(n), 2)[1:-1]  # record i and i + 1 share value i
    val = np.repeat(np.arange(n - 1), 2)
    labels = connected_components(n + n - 1, rec, val + n)
    kinds = np.zeros(n - 1, dtype=np.int64)
    hashes = np.arange(1, n + 1, dtype=np.uint64)
    with pytest.MonkeyPatch.context() as patch:
        spans = _spy(patch, "_split_apart")
        patch.setattr(limits_module.Kruskal, "run", _refuse)
        split = enforce_limits(
            labels, n, rec, val, kinds, np.array([0]), np.array([30.0]), hashes,
            np.arange(1, n, dtype=np.uint64), apart_l=np.array([0]), apart_r=np.array([n - 1]),
        )  # fmt: skip
    assert len(spans) == 1
    assert split.cut_link_kind.tolist() == [-1]
    assert len(np.unique(split.labels)) == 2
    assert split.labels[0] != split.labels[n - 1]


def _star_over_a_cap(cap: int, n_keys: int, *, arrays: bool) -> LimitSplit:
    """Records 1 .. n_keys each carry a key of their own (kind 0, as strong as a
    must-link, so its links come first); must-links then join them all to record 0,
    ``n_keys`` keys in one set over the cap; record 0 and record ``n_keys + 1`` share
    a cookie (kind 1, cap 1): the union it asks for must be cut, for kind 0."""
    n = n_keys + 2
    cookie = n_keys
    rec = np.array([*range(1, n_keys + 1), n - 1, 0])
    val = np.array([*range(n_keys), cookie, cookie])
    must_r = np.arange(1, n_keys + 1)
    must_l = np.zeros(n_keys, dtype=np.int64)
    labels = connected_components(
        n + n_keys + 1, np.concatenate([rec, must_l]), np.concatenate([val + n, must_r])
    )
    record_hash = np.array([10**6, *range(1, n)], dtype=np.uint64)  # record 0 the last
    return _enforce_limits(
        labels, n, rec, val, np.array([0] * n_keys + [1]), np.array([cap, 1]),
        np.array([np.inf, 10.0]), record_hash, np.arange(1, n_keys + 2, dtype=np.uint64),
        _NONE, _NONE, None, match_priority=15.0, attr_codes=(), attr_caps=(),
        attr_alike=None, unlink=None, must_l=must_l, must_r=must_r, apart_l=_NONE,
        apart_r=_NONE, arrays=arrays,
    )  # fmt: skip


@pytest.mark.parametrize("arrays", [True, False])
@pytest.mark.parametrize(
    ("cap", "n_keys"),
    [(1, n) for n in range(2, 12)] + [(3, n) for n in (4, 11, 12, 15, 16, 17, 40)],
)
def test_must_links_over_a_cap_cut_every_later_union(cap: int, n_keys: int, arrays: bool) -> None:
    """However many keys must-links gather in one set (counts at and past the width of
    a packed slot: 3 bits for cap 1, 4 for cap 3), the count never carries into the
    cookie's slot: the cookie link is cut for the keys, not let through nor blamed on
    the cookies."""
    split = _star_over_a_cap(cap, n_keys, arrays=arrays)
    assert split.cut_links.tolist() == [n_keys + 1]  # record 0's cookie link
    assert split.cut_link_kind.tolist() == [0]
    assert split.labels.tolist() == [0] * (n_keys + 1) + [1]


@st.composite
def _plain_count_graphs(draw: st.DrawFn) -> dict[str, object]:
    graph = draw(apart_graphs(over_cap=draw(st.booleans())))
    return {**graph, "apart": [], "unlink": None}


@settings(max_examples=150)
@given(graph=_plain_count_graphs())
def test_packed_counts_cut_as_plain_counts(graph: dict[str, object]) -> None:
    """The pass in Python, replayed in the order it examined its links with a plain count
    of values per kind and set (no packing), cuts the same links for the same kinds:
    no slot carries into the next, also where must-links put a set over a cap (each
    later union with it is cut)."""
    runs: list[tuple[Any, list[int], list[int], list[int], int | None, list[int], list[int]]] = []
    real = Kruskal.run

    def spy(self: Any, edges: list[int], us: list[int], vs: list[int],
            forced_from: int | None = None) -> tuple[list[int], list[int]]:  # fmt: skip
        first = list(self.counts)
        cut, slot = real(self, edges, us, vs, forced_from)
        runs.append((self, first, edges, us + vs, forced_from, cut, slot))
        return cut, slot

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Kruskal, "run", spy)
        _split(graph, arrays=False)
    for kruskal, first, edges, ends, forced_from, cut, slot in runs:
        width, mask = kruskal.width, (1 << kruskal.width) - 1
        n_slots = kruskal.high.bit_length() // width if kruskal.high else 0
        caps = [((kruskal.ceiling >> (width * s)) & mask) - 1 for s in range(n_slots)]
        held = [[(c >> (width * s)) & mask for s in range(n_slots)] for c in first]
        parent = list(range(len(first)))

        def root(x: int) -> int:
            while parent[x] != x:  # noqa: B023
                x = parent[x]  # noqa: B023
            return x

        want_cut, want_slot = [], []
        n_edges = len(ends) // 2
        for e in edges:
            a, b = root(ends[e]), root(ends[n_edges + e])
            if a == b:
                continue
            total = [x + y for x, y in zip(held[a], held[b], strict=True)]
            broken = [s for s in range(n_slots) if total[s] > caps[s]]
            if broken and (forced_from is None or e < forced_from):
                want_cut.append(e)
                want_slot.append(broken[0])
                continue
            parent[b] = a
            held[a] = total
        assert cut == want_cut
        assert slot == want_slot
