"""The living graph at scale: incremental add, look-ups, single records, erasure, store.

    python benchmarks/bench_living.py                      # 10M records
    python benchmarks/bench_living.py --records 1000000 --write

Builds a graph of ``--records`` records of ``datasets.customers`` (the newest
``--add`` rows and ``--one`` further rows of the time-ordered sources held back),
then measures: the full build (``add`` of every source + ``resolve``); an
incremental ``add`` of the held-back rows (the same four sources, so the time is
four ``add`` calls) against that build; ``lookup`` of random known emails, phones
and cookies (raw spellings, normalized by the call); ``resolve_one`` of held-back
single rows; ``remove(person=...)``; ``save`` / ``load`` and the store's size.
With ``--match-edges N`` the base graph also gets N match edges (``link``) between
records of one true person, as a matcher with perfect precision would give, before
the updates are timed.
The rebuild baseline is the build of the base graph, slightly smaller than a
rebuild of base + new records would be, so the ratio is conservative.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np
import pandas as pd

import identigraph as ig
from identigraph.cli import demo_specs
from identigraph.graph.core import column_keys

_ID_COLUMNS = ig.datasets.RECORD_ID_COLUMNS
_TIMED = ("web", "pos", "support")  # time-ordered sources: their last rows are the newest


def _split(
    sources: dict[str, pd.DataFrame], n_add: int, n_one: int
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], list[tuple[str, dict[str, object]]]]:
    """Base frames, the newest ``n_add`` rows (by source share) and ``n_one`` single rows."""
    total = sum(len(sources[s]) for s in _TIMED)
    base, new, ones = {}, {}, []
    for name, frame in sources.items():
        if name not in _TIMED:
            base[name] = frame
            continue
        k_add = round(n_add * len(frame) / total)
        k_one = round(n_one * len(frame) / total)
        cut = len(frame) - k_add - k_one
        base[name] = frame.iloc[:cut]
        new[name] = frame.iloc[cut : cut + k_add]
        ones += [(name, row) for row in frame.iloc[cut + k_add :].to_dict("records")]
    order = np.random.default_rng(0).permutation(len(ones))
    return base, new, [ones[i] for i in order]


def _match_pairs(
    base: dict[str, pd.DataFrame], truth: pd.DataFrame, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """``n`` pairs of base records of one true person: a random record and its person's first."""
    kept = [
        truth[(truth["source"] == name) & truth["record_id"].isin(frame[_ID_COLUMNS[name]])]
        for name, frame in base.items()
    ]
    records = pd.concat(kept, ignore_index=True)
    first = records.drop_duplicates("person").set_index("person")
    left = records.iloc[rng.choice(len(records), size=min(n, len(records)), replace=False)]
    right = first.loc[left["person"].to_numpy()]
    return pd.DataFrame(
        {
            "source_l": left["source"].astype(str).to_numpy(),
            "record_id_l": left["record_id"].to_numpy(),
            "source_r": right["source"].astype(str).to_numpy(),
            "record_id_r": right["record_id"].to_numpy(),
            "match_probability": 0.95,
        }
    )


def _probes(
    sources: dict[str, pd.DataFrame], n: int, rng: np.random.Generator
) -> list[dict[str, object]]:
    """Raw identifier values of random records, one keyword a call (email, phone, cookie)."""
    picks: list[dict[str, object]] = []
    columns = [("support", "email"), ("pos", "phone"), ("web", "cookie_id")]
    for i in range(n):
        name, column = columns[i % len(columns)]
        values = sources[name][column]
        for _ in range(20):
            value = values.iloc[int(rng.integers(len(values)))]
            if isinstance(value, str) and value.strip():
                picks.append({column: value})
                break
    return picks


def _normalize_time(g: ig.IdentityGraph, record: dict[str, object]) -> float:
    """Seconds to normalize a record's identifier values one call per column, as add does."""
    start = time.perf_counter()
    for spec in g.identifiers:
        if spec.column in record:
            column_keys(spec, pd.Series([record[spec.column]]))
    return time.perf_counter() - start


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
    return f"{statistics.median(values) * 1e3:.3f} ms (p99 {p99 * 1e3:.2f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--add", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--one", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument(
        "--no-limits", action="store_true", help="demo specs without per-person limits"
    )
    parser.add_argument("--match-edges", type=int, default=0, help="match edges to link first")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    t = time.perf_counter()
    n_persons = ig.datasets.n_persons_for(args.records + args.add + args.one)
    sources, truth = ig.datasets.customers(n_persons=n_persons, seed=args.seed)
    base, new, ones = _split(sources, args.add, args.one)
    probes = _probes(base, args.lookups, rng)
    pairs = _match_pairs(base, truth, args.match_edges, rng) if args.match_edges else None
    del truth
    print(f"data: {time.perf_counter() - t:.1f} s, peak {_peak_gib():.2f} GiB", flush=True)

    rows: list[tuple[str, str]] = []
    t = time.perf_counter()
    specs = demo_specs()
    if args.no_limits:
        specs = [dataclasses.replace(s, max_per_person=None) for s in specs]
    g = ig.IdentityGraph(specs)
    for name, frame in base.items():
        g.add(frame, source=name, id=_ID_COLUMNS[name])
    g.resolve()
    resolved = time.perf_counter() - t
    g.build_indexes()
    build = time.perf_counter() - t
    rows.append(
        (
            "full build (add all sources + resolve + build_indexes)",
            f"{build:.2f} s ({resolved:.2f} s + {build - resolved:.2f} s)",
        )
    )
    if pairs is not None:
        t = time.perf_counter()
        g.link(pairs)
        rows.append(
            (
                f"link of {len(g.state.matches.frame):,} match edges",
                f"{time.perf_counter() - t:.2f} s",
            )
        )
    rows.append(("records / persons", f"{len(g):,} / {g.n_persons:,}"))
    print(rows[-2:], f"peak {_peak_gib():.2f} GiB", flush=True)
    del sources, base

    n_new = sum(len(f) for f in new.values())
    t = time.perf_counter()
    changes = [g.add(frame, source=name, id=_ID_COLUMNS[name]) for name, frame in new.items()]
    add = time.perf_counter() - t
    merges = sum(len(c.merges) for c in changes)
    rows.append((f"incremental add of {n_new:,} records ({len(new)} calls)", f"{add:.3f} s"))
    rows.append(("rebuild / incremental add", f"{build / add:.0f}x"))
    rows.append(
        (
            "  persons new / merged by the add",
            f"{sum(len(c.new_persons) for c in changes):,} / {merges:,}",
        )
    )
    print(rows[-3:], flush=True)

    found = 0
    times = []
    for probe in probes:
        t = time.perf_counter()
        person = g.lookup(**probe)
        times.append(time.perf_counter() - t)
        found += person is not None
    rows.append((f"lookup, median of {len(times)} (found {found})", _ms(times)))
    rows.append(
        (
            "  of which normalizing the value (one-record column_keys)",
            _ms([_normalize_time(g, probe) for probe in probes]),
        )
    )
    print(rows[-2:], flush=True)

    times = []
    for name, row in ones:
        t = time.perf_counter()
        g.resolve_one(row, source=name, id=_ID_COLUMNS[name])
        times.append(time.perf_counter() - t)
    rows.append((f"resolve_one, median of {len(times)}", _ms(times)))
    rows.append(
        (
            "  of which normalizing its identifiers",
            _ms([_normalize_time(g, row) for _, row in ones]),
        )
    )
    print(rows[-2:], flush=True)

    times = []
    clusters = g.clusters()
    for person in clusters["person_id"].sample(5, random_state=args.seed).tolist():
        t = time.perf_counter()
        g.remove(person=person)
        times.append(time.perf_counter() - t)
    del clusters
    rows.append(("remove(person=...), median of 5", f"{statistics.median(times) * 1e3:.0f} ms"))
    print(rows[-1], flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="identigraph-bench-"))
    try:
        store = tmp / "graph"
        t = time.perf_counter()
        g.save(store)
        rows.append(("save", f"{time.perf_counter() - t:.2f} s"))
        rows.append(("store size", f"{_dir_size(store) / 2**20:,.0f} MiB"))
        print(rows[-2:], f"peak {_peak_gib():.2f} GiB", flush=True)
        del g
        t = time.perf_counter()
        h = ig.IdentityGraph.load(store)
        rows.append(("load", f"{time.perf_counter() - t:.2f} s"))
        t = time.perf_counter()
        h.lookup(**probes[0])
        rows.append(("first lookup after load", f"{(time.perf_counter() - t) * 1e3:.0f} ms"))
        print(rows[-4:], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows.append(("peak RSS (data generation included)", f"{_peak_gib():.2f} GiB"))

    flag = " --no-limits" if args.no_limits else ""
    if args.match_edges:
        flag += f" --match-edges {args.match_edges}"
    table = "\n".join(
        [
            f"## Living graph (bench_living.py, {args.records:,} records{flag})",
            "",
            f"`python benchmarks/bench_living.py --records {args.records}{flag}`: graph of "
            "`datasets.customers` with the demo specs (`identigraph.cli.demo_specs`, per-person "
            "limits on unless --no-limits); the newest rows of the web, POS and support sources "
            "are held back and added incrementally. Rebuild baseline = the base graph's build."
            + (
                " Match edges: links between records of one true person (a perfect matcher)."
                if args.match_edges
                else ""
            ),
            "",
            "| measure | value |",
            "|---|---:|",
            *(f"| {k} | {v} |" for k, v in rows),
        ]
    )
    print(table)
    if args.write:
        from _results import write_section

        write_section(
            f"bench_living_{args.records}{flag.replace(' --', '_').replace(' ', '_')}", table
        )


if __name__ == "__main__":
    main()
