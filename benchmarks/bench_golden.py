"""Benchmark: golden records for N records x 10 fields (about 3 records per person).

Usage::

    python benchmarks/bench_golden.py --records 1000000 [--string-ids] [--aligned]

Prints the median wall time of 3 runs of ``golden_records`` and the peak RSS of
the process (synthetic data included).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd

from identigraph.merge import (
    Collect,
    Longest,
    Max,
    Min,
    MostFrequent,
    MostRecent,
    SourcePriority,
    Sum,
    golden_records,
)

SOURCES = ("crm", "pos", "web")


def _vocab(prefix: str, size: int, suffix: str = "") -> pd.Series:
    return pd.Series([f"{prefix}{i}{suffix}" for i in range(size)], dtype="str")


def _pick(vocab: pd.Series, idx: np.ndarray, rng: np.random.Generator, null: float) -> pd.Series:
    out = vocab.take(idx).reset_index(drop=True)
    return out.where(rng.random(len(idx)) >= null)


def make_frames(n: int, *, seed: int = 0, string_ids: bool = False, aligned: bool = False):
    """Synthetic records (10 attribute columns, mixed dtypes) and their clusters."""
    rng = np.random.default_rng(seed)
    persons = max(n // 3, 1)
    person = rng.integers(0, persons, n)
    source = pd.Series(np.asarray(SOURCES, dtype=object)[rng.integers(0, 3, n)], dtype="str")
    record_id: pd.Series = pd.Series(rng.permutation(n), dtype="int64")
    if string_ids:
        record_id = "r" + record_id.astype("str")
    base = np.datetime64("2020-01-01T00:00:00", "s")
    seconds = rng.integers(0, 5 * 365 * 86400, n)
    small = max(persons // 4, 1)
    records = pd.DataFrame(
        {
            "source": source,
            "record_id": record_id,
            # per-person values with some noise, so MostFrequent has work to do
            "email": _pick(_vocab("user", persons, "@mail.example"), person, rng, 0.2),
            "first_name": _pick(
                _vocab("first", 5000), (person + rng.integers(0, 2, n)) % 5000, rng, 0.1
            ),
            "last_name": _pick(_vocab("last", 50000), person % 50000, rng, 0.1),
            "city": _pick(_vocab("city", 2000), rng.integers(0, 2000, n), rng, 0.3),
            "zip": _pick(_vocab("", 30000), person % 30000, rng, 0.3),
            "phone": _pick(_vocab("+1201555", small), person % small, rng, 0.4),
            "address": _pick(_vocab("street no. ", 100000), rng.integers(0, 100000, n), rng, 0.2),
            "updated_at": pd.Series(base + seconds.astype("timedelta64[s]")).where(
                rng.random(n) >= 0.1
            ),
            "seen_at": pd.Series(base + rng.permutation(seconds).astype("timedelta64[s]")),
            "order_total": np.where(rng.random(n) < 0.3, np.nan, rng.gamma(2.0, 40.0, n)),
        }
    )
    clusters = pd.DataFrame({"source": source, "record_id": record_id, "person_id": person})
    if not aligned:
        clusters = clusters.take(rng.permutation(n)).reset_index(drop=True)
    return records, clusters


RULES = {
    "email": MostRecent(by="updated_at"),
    "first_name": SourcePriority(list(SOURCES)).then(MostFrequent()),
    "last_name": SourcePriority(list(SOURCES)).then(MostFrequent()),
    "city": MostFrequent(),
    "zip": MostFrequent(),
    "phones": Collect("phone", unique=True),
    "address": Longest(),
    "lifetime_value": Sum("order_total"),
    "last_seen": Max("seen_at"),
    "first_seen": Min("seen_at"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--string-ids", action="store_true", help="string record ids")
    parser.add_argument("--aligned", action="store_true", help="clusters in records order")
    args = parser.parse_args(argv)

    records, clusters = make_frames(args.records, string_ids=args.string_ids, aligned=args.aligned)
    data_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        golden = golden_records(records, clusters, RULES, default=None)
        times.append(time.perf_counter() - start)
        del golden
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"golden_records: {args.records:,} records x {len(RULES)} fields, "
        f"{'string' if args.string_ids else 'int'} ids, "
        f"{'aligned' if args.aligned else 'shuffled'} clusters: "
        f"median {statistics.median(times):.2f} s of {args.repeat} "
        f"({', '.join(f'{t:.2f}' for t in times)}); "
        f"peak RSS {peak:.2f} GiB (data alone {data_rss:.2f} GiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
