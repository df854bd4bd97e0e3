"""Exact-identifier resolution: the bare scipy kernel vs identigraph vs Splink 5 (DuckDB).

CDP-like records from three sources (web events, CRM customers, POS transactions) carry
five exact identifier columns: ``email, phone, cookie, crm_id, card``. With ``--junk``,
1% of the records carry one shared junk value (half of them an email, half a phone).
Every engine gets the same records and links records sharing any value:

``kernel``
    ``pandas.factorize`` of each column + ``scipy.sparse.csgraph.connected_components``:
    the floor of this job.
``identigraph keys``
    ``IdentityGraph`` with every column an ``ig.Key``; ``add`` per source + ``clusters()``.
``identigraph email``
    the same with ``ig.Email("email")`` (normalized, hashed, generic values over 100
    records link nothing) and keys for the rest.
``splink``
    Splink 5 on DuckDB: one deterministic rule ``block_on(column)`` per column,
    ``deterministic_link()`` and its ``cluster_pairwise_predictions_at_threshold``.

Each measurement runs in a fresh process, so its peak RSS (``ru_maxrss``, data
included) is its own; time is from the frames in memory to one person label per record,
as wall time and as the process's CPU time (all its threads; it moves less than wall
time when other jobs share the machine, and DuckDB's threads count in it).

    python benchmarks/bench_kernel_vs_splink.py --records 1000000 [--repeat 3] [--write]
    python benchmarks/bench_kernel_vs_splink.py --records 5000000 --repeat 1 --max-gib 14
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ("email", "phone", "cookie", "crm_id", "card")
SOURCES = ("web", "crm", "pos")
ENGINES = ("kernel", "identigraph keys", "identigraph email", "splink")
JUNK_EMAIL = "orders@shop.example"
JUNK_PHONE = "+12125550188"

# share of records per source, and per source the chance a record carries each column
_SOURCE_SHARE = (0.5, 0.15, 0.35)
_PRESENT = {
    "web": {"email": 0.25, "phone": 0.0, "cookie": 1.0, "crm_id": 0.1, "card": 0.0},
    "crm": {"email": 0.8, "phone": 0.6, "cookie": 0.0, "crm_id": 1.0, "card": 0.3},
    "pos": {"email": 0.1, "phone": 0.25, "cookie": 0.0, "crm_id": 0.2, "card": 0.7},
}


def _text(prefix: str, numbers: np.ndarray, suffix: str = "") -> pd.Series:
    return prefix + pd.Series(numbers).astype(str) + suffix


def cdp_records(n: int, *, junk: float = 0.0, seed: int = 0) -> dict[str, pd.DataFrame]:
    """``n`` records split into web, CRM and POS frames with the five identifier columns.

    About three records per person. Each person has one email and phone, one to three
    cookies, a CRM id (70% of persons) and a loyalty card (50%); a record carries each
    column with its source's probability (a missing CRM id or card stays missing).
    Values are exact (already canonical), so every engine without junk handling finds
    the same partition.
    """
    rng = np.random.default_rng(seed)
    persons = max(n // 3, 1)
    person = rng.integers(0, persons, n)
    source = rng.choice(len(SOURCES), n, p=_SOURCE_SHARE)
    has_crm = rng.random(persons) < 0.7
    has_card = rng.random(persons) < 0.5
    cookies = rng.integers(1, 4, persons)
    values = {
        "email": _text("u", person, "@mail.example"),
        "phone": _text("+1", 2_000_000_000 + person),
        "cookie": _text("ck", person * 3 + rng.integers(0, 3, n) % cookies[person]),
        "crm_id": _text("C", person),
        "card": _text("K", person),
    }
    owned = {"crm_id": has_crm[person], "card": has_card[person]}
    frames: dict[str, pd.DataFrame] = {}
    junk_rows = rng.random(n) < junk
    junk_email = junk_rows & (rng.random(n) < 0.5)
    junk_phone = junk_rows & ~junk_email
    for code, name in enumerate(SOURCES):
        rows = np.flatnonzero(source == code)
        frame = pd.DataFrame({"record_id": rows.astype(np.int64)})
        for column in COLUMNS:
            keep = rng.random(len(rows)) < _PRESENT[name][column]
            if column in owned:
                keep &= owned[column][rows]
            col = values[column].iloc[rows].reset_index(drop=True)
            col = col.where(keep)
            if column == "email":
                col = col.mask(junk_email[rows], JUNK_EMAIL)
            if column == "phone":
                col = col.mask(junk_phone[rows], JUNK_PHONE)
            frame[column] = col.astype(object)
        frames[name] = frame
    return frames


# ------------------------------------------------------------------------------ engines
def _kernel(frames: dict[str, pd.DataFrame]) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = sum(len(f) for f in frames.values())
    recs, vals, offset = [], [], n
    for column in COLUMNS:
        values = pd.concat([f[column] for f in frames.values()], ignore_index=True)
        codes, uniques = pd.factorize(values)
        rows = np.flatnonzero(codes >= 0)
        recs.append(rows)
        vals.append(codes[rows] + offset)
        offset += len(uniques)
    a, b = np.concatenate(recs), np.concatenate(vals)
    graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(offset, offset))
    _, labels = connected_components(graph.tocsr(), directed=False)
    return labels[:n]


def _identigraph(frames: dict[str, pd.DataFrame], email: bool) -> np.ndarray:
    import identigraph as ig

    specs: list[ig.Identifier] = [ig.Key(c) for c in COLUMNS if c != "email"]
    specs.insert(0, ig.Email("email") if email else ig.Key("email"))
    g = ig.IdentityGraph(specs)
    for name, frame in frames.items():
        g.add(frame, source=name, id="record_id")
    return g.clusters()["person_id"].to_numpy()


def _splink(frames: dict[str, pd.DataFrame]) -> np.ndarray:
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = pd.concat(frames.values(), ignore_index=True)
    data.insert(0, "unique_id", np.arange(len(data), dtype=np.int64))
    data = data.drop(columns="record_id")
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(c) for c in COLUMNS],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(db_api.register(data), settings)
    pairs = linker.inference.deterministic_link()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
    out = clusters.as_pandas_dataframe()
    return out.sort_values("unique_id")["cluster_id"].to_numpy()


def worker(engine: str, records: int, junk: float) -> dict[str, float]:
    frames = cdp_records(records, junk=junk)
    if engine == "kernel":  # imports outside the timed part
        import scipy.sparse.csgraph  # noqa: F401
    elif engine == "splink":
        import splink  # noqa: F401
        from splink import DuckDBAPI  # noqa: F401
    else:
        import identigraph  # noqa: F401
    input_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    cpu = time.process_time()
    start = time.perf_counter()
    if engine == "kernel":
        labels = _kernel(frames)
    elif engine == "splink":
        labels = _splink(frames)
    else:
        labels = _identigraph(frames, email=engine == "identigraph email")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    sizes = np.unique(labels, return_counts=True)[1]
    return {
        "records": float(len(labels)),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "persons": float(len(sizes)),
        "largest": float(sizes.max()),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "input_rss_gib": input_rss,
    }


def _run(
    engine: str, records: int, junk: float, timeout: float, max_gib: float | None = None
) -> dict[str, float] | None:
    cmd = [sys.executable, __file__, "--worker", engine, "--records", str(records)]
    cmd += ["--junk", str(junk)]

    def cap() -> None:  # runs in the worker before it starts: its address space, capped
        if max_gib is not None:
            limit = int(max_gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        done = subprocess.run(
            cmd, check=True, capture_output=True, text=True, timeout=timeout, preexec_fn=cap
        )
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as err:
        print(f"{engine} failed: {err.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--worker", choices=ENGINES)
    parser.add_argument("--junk", type=float, default=0.0)
    parser.add_argument(
        "--max-gib",
        type=float,
        help="cap each run's address space (a run over it fails, as Splink with junk "
        "does at 5M, instead of pushing a shared machine out of memory)",
    )
    parser.add_argument(
        "--junk-rates", type=float, nargs="+", default=[0.0, 0.01], help="runs per junk rate"
    )
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.records[0], args.junk)))
        return
    rows = []
    for records in args.records:
        for junk in args.junk_rates:
            runs = {
                engine: [
                    _run(engine, records, junk, args.timeout, args.max_gib)
                    for _ in range(args.repeat)
                ]
                for engine in args.engines
            }
            done = {e: [r for r in rs if r is not None] for e, rs in runs.items()}
            kernel = (
                statistics.median(r["seconds"] for r in done["kernel"])
                if done.get("kernel")
                else None
            )
            kernel_cpu = (
                statistics.median(r["cpu_seconds"] for r in done["kernel"])
                if done.get("kernel")
                else None
            )
            for engine, results in done.items():
                label = f"{records:,} | {'1%' if junk else 'none'} | {engine}"
                if not results:
                    rows.append(f"| {label} | 0 | timed out or failed | | | | | | | |")
                    print(rows[-1], flush=True)
                    continue
                median = statistics.median(r["seconds"] for r in results)
                cpu = statistics.median(r["cpu_seconds"] for r in results)
                first = results[0]
                ratio = f"{median / kernel:.2f}" if kernel else ""
                cpu_ratio = f"{cpu / kernel_cpu:.2f}" if kernel_cpu else ""
                rows.append(
                    f"| {label} | {len(results)} | {median:.2f} | {ratio} | {cpu:.2f} | "
                    f"{cpu_ratio} | "
                    f"{first['peak_rss_gib']:.2f} | {first['input_rss_gib']:.2f} | "
                    f"{int(first['persons']):,} | {int(first['largest']):,} |"
                )
                print(rows[-1], flush=True)
    if args.write:
        sys.path.insert(0, str(Path(__file__).parent))
        from _results import write_section

        sizes = " ".join(str(r) for r in args.records)
        body = "\n".join(
            [
                "## Exact identifiers: kernel vs identigraph vs Splink 5 (bench_kernel_vs_splink.py)",
                "",
                f"`python benchmarks/bench_kernel_vs_splink.py --records {sizes} --repeat "
                f"{args.repeat} --write`: CDP-like web / CRM / POS records with five exact "
                "identifier columns (email, phone, cookie, CRM id, card); junk = 1% of records "
                "carry one shared email or phone. Each run in a fresh process; time from frames "
                "in memory to a person label per record; peak RSS of the whole process, data "
                "included (input RSS: after generating the data). Splink 5.0 on DuckDB: one "
                "deterministic `block_on` rule per column + its connected components.",
                "",
                "| records | junk | engine | runs | median s | ratio to kernel | median CPU s | "
                "CPU ratio to kernel | peak RSS GiB | input RSS GiB | persons | largest person |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
                *rows,
                "",
                f"The machine ({os.cpu_count()} cores) was shared with other jobs while these ran "
                f"(load average {os.getloadavg()[0]:.0f} at the end).",
            ]
        )
        write_section("bench_kernel_vs_splink", body)


if __name__ == "__main__":
    main()
