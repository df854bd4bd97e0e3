"""Benchmark: ``ig.compare`` of two clusterings of N records (yesterday's and today's run).

Usage::

    python benchmarks/bench_compare.py --records 10000000 [--ids int|str|mixed] [--repeat 3]

Today's run is yesterday's with 1% new records, 0.5% removed, 0.5% of persons merged
in pairs, 0.5% split and 0.1% of records moved to another person; person ids are
renumbered. Prints the median wall time of ``compare`` and, as the baseline measured
in the same process on the same frames, of one pandas inner join of the two frames on
``(source, record_id)`` (the first step of any diff done by hand), with the ratio; and
the peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd

import identigraph as ig

SOURCES = ("crm", "pos", "web")


def _ids(numbers: np.ndarray, kind: str) -> pd.Series:
    if kind == "int":
        return pd.Series(numbers, dtype="int64")
    text = pd.Series(numbers).astype(str)
    if kind == "str":
        return "r" + text
    out = pd.Series(numbers, dtype=object)  # mixed: every other id is a string
    odd = numbers % 2 == 1
    out[odd] = ("r" + text[odd]).to_numpy(object)
    return out


def make_runs(n: int, *, ids: str = "int", seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yesterday's and today's clusters frames (``source, record_id, person_id``)."""
    rng = np.random.default_rng(seed)
    persons = max(n // 3, 1)
    person = rng.integers(0, persons, n)
    record = rng.permutation(n)
    source = pd.Categorical.from_codes(rng.integers(0, 3, n), categories=list(SOURCES))
    a = pd.DataFrame({"source": source, "record_id": _ids(record, ids), "person_id": person})
    today = person.copy()
    merged = rng.choice(persons, persons // 200, replace=False)  # 0.5% persons merged in pairs
    target = np.arange(persons)
    target[merged[1::2]] = merged[: len(merged[1::2]) * 2 : 2]
    today = target[today]
    split = np.isin(today, rng.choice(persons, persons // 200, replace=False)) & (
        rng.random(n) < 0.5
    )
    today[split] += persons  # half of a split person's records form a new person
    moved = rng.random(n) < 0.001
    today[moved] = rng.integers(0, persons, int(moved.sum()))
    keep = rng.random(n) >= 0.005
    extra = n // 100
    b = pd.DataFrame(
        {
            "source": pd.Categorical(
                np.concatenate(
                    [np.asarray(source)[keep], np.asarray(SOURCES)[rng.integers(0, 3, extra)]]
                ),
                categories=list(SOURCES),
            ),
            "record_id": pd.concat(
                [a["record_id"][keep], _ids(np.arange(n, n + extra), ids)], ignore_index=True
            ),
            "person_id": np.concatenate([today[keep], rng.integers(0, 2 * persons, extra)]),
        }
    )
    renumber = rng.permutation(3 * persons)  # today's ids are unrelated labels
    b["person_id"] = renumber[b["person_id"].to_numpy()] + 10**9
    return a, b


def run(n: int, ids: str, repeat: int, baseline: bool) -> dict[str, object]:
    """Median times of ``compare`` and of the join baseline on one pair of runs."""
    a, b = make_runs(n, ids=ids)
    times, cpu, base = [], [], []
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = ig.compare(a, b, progress=False)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if baseline:
            t0 = time.perf_counter()
            a.merge(b, on=["source", "record_id"], how="inner")
            base.append(time.perf_counter() - t0)
    print(result)
    row: dict[str, object] = {
        "records": n,
        "ids": ids,
        "compare": statistics.median(times),
        "runs": times,
        "cpu": statistics.median(cpu),
        "join": statistics.median(base) if base else None,
    }
    ratio = (
        f"; join baseline median {row['join']:.2f} s; ratio {row['compare'] / row['join']:.2f}"
        if base
        else ""
    )  # type: ignore[operator]
    print(
        f"records={n:,} ids={ids} compare median {row['compare']:.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in times)}; CPU median {row['cpu']:.2f} s){ratio}",
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--ids", choices=("int", "str", "mixed"), nargs="+", default=["int"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    rows = [run(args.records, ids, args.repeat, not args.no_baseline) for ids in args.ids]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:,.0f} MB")
    if args.write:
        from _results import write_section

        lines = [
            f"## Run diff: `ig.compare` of two runs of {args.records:,} records",
            "",
            f"`python benchmarks/bench_compare.py --records {args.records} --ids "
            f"{' '.join(args.ids)} --repeat {args.repeat} --write`: today's run is yesterday's "
            "with 1% new records, 0.5% removed, 0.5% of persons merged in pairs, 0.5% split and "
            "0.1% of records moved; person ids renumbered. Baseline: one pandas inner join of "
            "the two frames on `(source, record_id)`, same process, same frames.",
            "",
            "| record ids | compare median (s) | runs (s) | compare CPU (s) | join baseline (s) "
            "| ratio |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            join = row["join"]
            runs = ", ".join(f"{t:.2f}" for t in row["runs"])  # type: ignore[attr-defined]
            lines.append(
                f"| {row['ids']} | {row['compare']:.2f} | {runs} | {row['cpu']:.2f} | "
                + (f"{join:.2f} | {row['compare'] / join:.2f} |" if join else "- | - |")  # type: ignore[operator]
            )
        load = os.getloadavg()[0]
        lines += [
            "",
            f"Peak RSS {peak_mb:,.0f} MB (data included). The machine was shared (load average "
            f"{load:.0f} on {os.cpu_count()} cores at the end): CPU time is the steadier figure.",
        ]
        write_section("bench_compare", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
