"""Resolve the synthetic data set at scale: identigraph vs the bare kernel vs networkx.

Each measurement runs in a fresh process so that its peak RSS is its own.

    python benchmarks/bench_resolve.py                    # 1M, 5M, 10M (about 15 minutes)
    python benchmarks/bench_resolve.py --sizes 1000000 --repeat 1

identigraph: ``IdentityGraph.add`` of every source plus ``clusters()``, normalization
and hashing included. Bare kernel: ``pandas.factorize`` of the already-normalized
identifier columns and ``scipy.sparse.csgraph.connected_components`` — the floor of
this job. networkx: the same bipartite graph in ``networkx.Graph`` and
``connected_components`` (1M only).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np
import pandas as pd

import identigraph as ig
from identigraph.cli import demo_specs

_ID_COLUMNS = ig.datasets.RECORD_ID_COLUMNS


def _data(records: int, junk: float) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    n_persons = ig.datasets.n_persons_for(records)
    return ig.datasets.customers(n_persons=n_persons, seed=1, junk_rate=junk)


def _normalized_columns(sources: dict[str, pd.DataFrame]) -> dict[str, list[pd.Series]]:
    """Link keys per kind and source, normalized outside the timed kernel."""
    out: dict[str, list[pd.Series]] = {}
    for frame in sources.values():
        for spec in demo_specs():
            if spec.column not in frame.columns:
                continue
            codes, uniques = pd.factorize(frame[spec.column])
            text = spec.to_text(pd.Series(uniques))
            keys = np.full(len(text), None, dtype=object)
            present = text.notna().to_numpy()
            keys[present] = spec.normalize(text[present].astype(object)).keys
            keys = np.append(keys, None)
            out.setdefault(spec.kind, []).append(pd.Series(keys[codes], dtype=object))
    return out


def _kernel_edges(columns: dict[str, list[pd.Series]], n_records: int) -> tuple[np.ndarray, ...]:
    recs, vals, offset = [], [], n_records
    for parts in columns.values():
        column = pd.concat(parts, ignore_index=True)
        codes, uniques = pd.factorize(column)
        rows = np.flatnonzero(codes >= 0)
        recs.append(rows)
        vals.append(codes[rows] + offset)
        offset += len(uniques)
    return np.concatenate(recs), np.concatenate(vals), np.int64(offset)


def worker(engine: str, records: int, junk: float) -> dict[str, float]:
    sources, truth = _data(records, junk)
    n = sum(len(f) for f in sources.values())
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    result: dict[str, float] = {"records": n}
    if engine == "identigraph":
        start = time.perf_counter()
        g = ig.IdentityGraph(demo_specs())
        for name, frame in sources.items():
            g.add(frame, source=name, id=_ID_COLUMNS[name])
        clusters = g.clusters()
        result["seconds"] = time.perf_counter() - start
        scores = ig.evaluate.pairwise(clusters, truth)
        result.update(persons=float(g.n_persons), precision=scores.precision, recall=scores.recall)
    elif engine == "normalize":
        start = time.perf_counter()
        _normalized_columns(sources)
        result["seconds"] = time.perf_counter() - start
    else:
        columns = _normalized_columns(sources)  # normalization is not part of the kernel
        start = time.perf_counter()
        # The kernel factorizes each kind's concatenated, already-normalized column.
        a, b, n_nodes = _kernel_edges(columns, n)
        if engine == "kernel":
            from scipy.sparse import coo_matrix
            from scipy.sparse.csgraph import connected_components

            m = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n_nodes, n_nodes))
            k, _ = connected_components(m.tocsr(), directed=False)
        else:
            import networkx as nx

            graph = nx.Graph()
            graph.add_nodes_from(range(int(n_nodes)))
            graph.add_edges_from(zip(a.tolist(), b.tolist(), strict=True))
            k = nx.number_connected_components(graph)
        result["seconds"] = time.perf_counter() - start
        result["components"] = float(k)
    result["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    result["input_rss_gib"] = base_rss
    return result


def _run(engine: str, records: int, junk: float) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", engine, "--records", str(records)]
    cmd += ["--junk", str(junk)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=["identigraph", "kernel", "networkx", "normalize"])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--junk", type=float, default=0.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.records, args.junk)))
        return
    rows: list[str] = []
    derived: list[str] = []
    for size in args.sizes:
        repeat = args.repeat if size <= 5_000_000 else max(1, args.repeat - 2)
        engines = ["identigraph", "normalize", "kernel"]
        engines += ["networkx"] if size <= 1_000_000 else []
        runs = {
            e: [_run(e, size, 0.0) for _ in range(1 if e == "networkx" else repeat)]
            for e in engines
        }
        if size <= 1_000_000:
            runs["identigraph, 1% junk"] = [_run("identigraph", size, 0.01) for _ in range(repeat)]
        medians = {
            e: statistics.median(r["seconds"] for r in results) for e, results in runs.items()
        }
        kernel = medians["kernel"]
        for engine, results in runs.items():
            median = medians[engine]
            first = results[0]
            rows.append(
                f"| {engine} | {int(first['records']):,} | {len(results)} | {median:.2f} | "
                f"{median / kernel:.2f} | {first['peak_rss_gib']:.2f} | {first['input_rss_gib']:.2f} | "
                + (
                    f"{first['precision']:.4f} / {first['recall']:.4f}"
                    if "precision" in first
                    else ""
                )
                + " |"
            )
            print(rows[-1], flush=True)
        engine_only = medians["identigraph"] - medians["normalize"]
        versus_nx = ""
        if "networkx" in medians:
            nx_s = medians["networkx"]
            versus_nx = f"{nx_s / medians['identigraph']:.1f}x / {nx_s / engine_only:.1f}x"
        derived.append(
            f"| {int(runs['identigraph'][0]['records']):,} | {medians['identigraph']:.2f} | "
            f"{medians['normalize']:.2f} | {engine_only:.2f} | {kernel:.2f} | "
            f"{engine_only / kernel:.2f} | {1.5 * kernel + medians['normalize']:.2f} | {versus_nx} |"
        )
        print(derived[-1], flush=True)
    table = "\n".join(
        [
            "## Resolve (bench_resolve.py)",
            "",
            f"`python benchmarks/bench_resolve.py --sizes {' '.join(map(str, args.sizes))} --repeat {args.repeat}`",
            "",
            "Add all four sources of `datasets.customers` (seed 1, demo specs: eight identifier "
            "columns with per-person limits) and `clusters()`, normalization and hashing "
            "included. Kernel = `pandas.factorize` of the already-normalized identifier columns "
            "+ `scipy.sparse.csgraph.connected_components` (normalization excluded). networkx = "
            "the same bipartite graph in `networkx.Graph` + `connected_components`, also given "
            "normalized values. normalize = factorize each raw identifier column and normalize "
            "and hash its unique values, the part the kernel and networkx are given for free. "
            "Peak RSS is the whole process, input data included (input RSS: after generating "
            "the data).",
            "",
            "| engine | records | runs | median s | ratio to kernel | peak RSS GiB | input RSS GiB | precision / recall |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Engine = identigraph - normalize. Budget = 1.5 x kernel + normalize (the target). "
            "networkx speed-up: whole job / engine only (networkx is given normalized values).",
            "",
            "| records | identigraph s | normalize s | engine s | kernel s | engine / kernel | budget s | networkx speed-up |",
            "|---|---|---|---|---|---|---|---|",
            *derived,
            "",
            "Targets: 10M records in <= 60 s with peak RSS <= 8 GiB; at 1M and 5M at most the "
            "budget; 1% junk values change neither time nor memory materially; >= 10x faster than "
            "networkx at 1M. The like-for-like networkx figure is engine only, since networkx "
            "(like the kernel) is given normalized values; the whole-job figure also charges "
            "identigraph for normalizing and hashing.",
        ]
    )
    if not args.no_write:
        from _results import write_section

        write_section("bench_resolve", table)


if __name__ == "__main__":
    main()
