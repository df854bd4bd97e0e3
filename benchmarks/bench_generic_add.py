"""Cost of adding one record that carries an already generic value, by the value's carriers.

For each size, a live graph holds ``n`` web events sharing one kiosk cookie (generic:
over the cookie's ``max_records``), each with its own email. Timed: ``resolve_one`` of a
new record carrying that cookie, against ``resolve_one`` of a record with a fresh cookie
in the same graph (the baseline). Graph building is not timed.

    python benchmarks/bench_generic_add.py --sizes 12500 50000 190000 --repeat 20 --write
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import pandas as pd

import identigraph as ig
from benchmarks._results import write_section


def _graph(n: int) -> ig.IdentityGraph:
    g = ig.IdentityGraph([ig.Cookie("cookie_id"), ig.Email("email")])
    g.add(
        pd.DataFrame(
            {"rid": range(n), "cookie_id": "KIOSK-1", "email": [f"u{i}@mail.com" for i in range(n)]}
        ),
        source="web",
        id="rid",
    )
    g.build_indexes()
    return g


def _median_ms(g: ig.IdentityGraph, cookie: str, start: int, repeat: int) -> float:
    times = []
    for k in range(repeat):  # one record per step: the cost asked about
        record = {"rid": start + k, "cookie_id": cookie if cookie else f"fresh-{start + k}",
                  "email": f"new{start + k}@mail.com"}  # fmt: skip
        t = time.perf_counter()
        g.resolve_one(record, source="web", id="rid")
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[12_500, 50_000, 190_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        g = _graph(n)
        generic = _median_ms(g, "KIOSK-1", 10_000_000, args.repeat)
        fresh = _median_ms(g, "", 20_000_000, args.repeat)
        rows.append(f"| {n:,} | {generic:.2f} ms | {fresh:.2f} ms | {generic / fresh:.2f} |")
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    body = "\n".join(
        [
            "## Adding a record to a generic value (bench_generic_add.py)",
            "",
            f"`python benchmarks/bench_generic_add.py --sizes {' '.join(map(str, args.sizes))} "
            f"--repeat {args.repeat}`: `resolve_one` of a record carrying a kiosk cookie that "
            "`n` records already carry (generic), against a record with a fresh cookie in the "
            "same graph; medians. Before this change the first column grew with `n` (22 / 87 / "
            "500 ms at 12.5k / 50k / 190k carriers, issue #17). "
            f"Load average {load:.1f} at the end of the run.",
            "",
            "| carriers of the value | add, generic value | add, fresh value | ratio |",
            "|---:|---:|---:|---:|",
            *rows,
        ]
    )
    if args.write:
        write_section("bench_generic_add", body)
    print(body)


if __name__ == "__main__":
    main()
