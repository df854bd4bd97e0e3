"""Benchmark: a full build and ``lookup`` with and without must/cannot-link overrides.

Usage::

    python benchmarks/bench_overrides.py --persons 200000 --pairs 10000 [--repeat 1]

Builds the demo graph (``ig.datasets.customers``, four sources) twice in the same
process: once plain (the baseline) and once with ``--pairs`` overrides added to the
staged load (half must-links between records of different persons, half cannot-links
between records of the same person, on disjoint records, so none contradict), and
times the resolution and the whole build (the adds, the overrides, the resolution),
and each step of it. Every timed build runs with no other graph alive (the builds
alternate; each is dropped before the next). Then times ``lookup`` by email of known
records on the last graph with overrides and on one more plain graph, built untimed.
Prints medians and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd

import identigraph as ig
from identigraph.cli import demo_specs

ORDER = ("crm", "web", "pos", "support")
#: Process time of each ``resolve`` (every thread's CPU seconds), less disturbed by
#: other jobs on a loaded machine than the wall time.
_CPU: list[float] = []
#: Process time of each whole build (the adds, the overrides, the resolve).
_CPU_ALL: list[float] = []
#: Wall seconds of each build's steps: the adds, ``add_overrides`` (0 without), the resolve.
_STEPS: list[tuple[float, float, float]] = []


def _build(
    sources: dict[str, pd.DataFrame], overrides: pd.DataFrame | None
) -> tuple[ig.IdentityGraph, float, float]:
    """The graph, the seconds of its ``resolve`` and of the whole build (adds included).

    Appends the process time of the ``resolve`` to ``_CPU``, of the whole build to
    ``_CPU_ALL``, and the steps to ``_STEPS``.
    """
    begun, cpu_all = time.perf_counter(), time.process_time()
    g = ig.IdentityGraph(demo_specs())
    for name in ORDER:
        g.add(sources[name], source=name, id=ig.datasets.RECORD_ID_COLUMNS[name])
    added = time.perf_counter()
    if overrides is not None:
        g.add_overrides(overrides)
    started, cpu = time.perf_counter(), time.process_time()
    g.resolve()
    ended = time.perf_counter()
    _CPU.append(time.process_time() - cpu)
    _CPU_ALL.append(time.process_time() - cpu_all)
    _STEPS.append((added - begun, started - added, ended - started))
    return g, ended - started, ended - begun


def _overrides(clusters: pd.DataFrame, pairs: int, rng: np.random.Generator) -> pd.DataFrame:
    half = pairs // 2
    person = clusters["person_id"].to_numpy()
    source = clusters["source"].astype(str).to_numpy(object)
    record = clusters["record_id"].to_numpy(object)
    # Cannot-links: the first two records of persons of two records or more.
    by_person = np.argsort(person, kind="stable")
    ordered = person[by_person]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    multi = starts[
        (starts + 1 < len(ordered))
        & (ordered[np.minimum(starts + 1, len(ordered) - 1)] == ordered[starts])
    ]
    pick = rng.choice(len(multi), size=min(half, len(multi)), replace=False)
    a, b = by_person[multi[pick]], by_person[multi[pick] + 1]
    cannot = pd.DataFrame(
        {"kind": "cannot_link", "source_a": source[a], "record_id_a": record[a],
         "source_b": source[b], "record_id_b": record[b], "reason": "bench"}
    )  # fmt: skip
    # Must-links: two random records of different persons, among the others.
    free = np.ones(len(person), dtype=bool)
    free[a] = free[b] = False
    rest = np.flatnonzero(free)
    ia = rest[rng.choice(len(rest), size=half, replace=False)]
    ib = rest[rng.choice(len(rest), size=half, replace=False)]
    ok = person[ia] != person[ib]
    ia, ib = ia[ok], ib[ok]
    must = pd.DataFrame(
        {"kind": "must_link", "source_a": source[ia], "record_id_a": record[ia],
         "source_b": source[ib], "record_id_b": record[ib], "reason": "bench"}
    )  # fmt: skip
    return pd.concat([cannot, must], ignore_index=True)


def _lookups(g: ig.IdentityGraph, emails: list[str]) -> float:
    times = []
    for email in emails:  # one look-up a probe
        started = time.perf_counter()
        g.lookup(email=email)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    sources, _ = ig.datasets.customers(n_persons=args.persons, seed=0)
    n_records = sum(len(f) for f in sources.values())
    plain, _, _ = _build(sources, None)
    overrides = _overrides(plain.clusters(), args.pairs, rng)
    del plain  # one graph of each kind at a time: a 10M-record graph is large
    base_t, over_t, base_all, over_all = [], [], [], []
    for k in range(args.repeat):  # alternate, so that load hits both alike
        g, t, whole = _build(sources, None)
        base_t.append(t)
        base_all.append(whole)
        del g  # each build alone in memory
        h, t, whole = _build(sources, overrides)
        over_t.append(t)
        over_all.append(whole)
        if k + 1 < args.repeat:
            del h
    h.check_invariants()
    cpu_base, cpu_over = statistics.median(_CPU[1::2]), statistics.median(_CPU[2::2])
    all_base, all_over = statistics.median(_CPU_ALL[1::2]), statistics.median(_CPU_ALL[2::2])
    steps = [[statistics.median(s[i] for s in _STEPS[first::2]) for i in range(3)]
             for first in (1, 2)]  # fmt: skip
    base, over = statistics.median(base_t), statistics.median(over_t)
    whole_base, whole_over = statistics.median(base_all), statistics.median(over_all)
    print(f"records {n_records}, overrides {len(overrides)} "
          f"({int((overrides['kind'] == 'must_link').sum())} must, "
          f"{int((overrides['kind'] == 'cannot_link').sum())} cannot), "
          f"cut links {len(h.conflicts())}")  # fmt: skip
    print(f"build without overrides: {base:.2f} s; with: {over:.2f} s; ratio {over / base:.3f}")
    print(f"resolve process time without: {cpu_base:.2f} s; with: {cpu_over:.2f} s; "
          f"ratio {cpu_over / cpu_base:.3f}")  # fmt: skip
    print(f"whole build (adds and resolve) without: {whole_base:.2f} s; with: {whole_over:.2f} s; "
          f"ratio {whole_over / whole_base:.3f}")  # fmt: skip
    print(f"whole build process time without: {all_base:.2f} s; with: {all_over:.2f} s; "
          f"ratio {all_over / all_base:.3f}")  # fmt: skip
    print(f"builds without: {', '.join(f'{t:.2f}' for t in base_t)}; "
          f"with: {', '.join(f'{t:.2f}' for t in over_t)}; load {os.getloadavg()}", flush=True)  # fmt: skip
    print("steps (adds, add_overrides, resolve), medians: without "
          f"{', '.join(f'{t:.2f}' for t in steps[0])} s; with "
          f"{', '.join(f'{t:.2f}' for t in steps[1])} s", flush=True)  # fmt: skip
    g, _, _ = _build(sources, None)  # the plain graph to look up in, untimed
    emails = sources["crm"]["email"].dropna().astype(str)
    emails = emails.sample(min(args.lookups, len(emails)), random_state=0).tolist()
    g.build_indexes()
    h.build_indexes()
    lg, lh = _lookups(g, emails), _lookups(h, emails)
    lg2 = _lookups(g, emails)  # the baseline again, after: the load's drift
    print(
        f"lookup median without: {lg * 1e6:.1f} us (again: {lg2 * 1e6:.1f} us); "
        f"with: {lh * 1e6:.1f} us; ratio {lh / lg:.3f}"
    )


if __name__ == "__main__":
    main()
