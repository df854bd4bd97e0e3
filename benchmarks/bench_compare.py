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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--ids", choices=("int", "str", "mixed"), default="int")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    a, b = make_runs(args.records, ids=args.ids)
    times, base = [], []
    result = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = ig.compare(a, b, progress=False)
        times.append(time.perf_counter() - t0)
        if not args.no_baseline:
            t0 = time.perf_counter()
            a.merge(b, on=["source", "record_id"], how="inner")
            base.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(result)
    line = (
        f"records={args.records:,} ids={args.ids} compare median {statistics.median(times):.2f} s"
    )
    line += f" (runs {', '.join(f'{t:.2f}' for t in times)})"
    if base:
        ratio = statistics.median(times) / statistics.median(base)
        line += f"; join baseline median {statistics.median(base):.2f} s; ratio {ratio:.2f}"
    print(f"{line}; peak RSS {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
