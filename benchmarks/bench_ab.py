"""Resolve time of two source trees side by side: alternating fresh processes, CPU and wall.

Use it to compare a change against its base on a machine that other work shares: each
run is a new process importing ``identigraph`` from one tree, the order alternates, and
process CPU time is reported beside wall time (CPU moves less with the machine's load).

    git worktree add /tmp/base <base-rev>
    python benchmarks/bench_ab.py --before /tmp/base --after . --records 300000 --repeat 4

Resolves the synthetic data with the demo specs (``IdentityGraph.add`` of every source,
then ``clusters()``), or with ``--data keys|keys-junk|email|email-junk`` the exact
identifier records of ``bench_kernel_vs_splink.py``; data generation is not timed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

_RUN = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
import identigraph as ig
from identigraph.cli import demo_specs
n, data = int(sys.argv[2]), sys.argv[3]
if data == "demo":
    sources, _ = ig.datasets.customers(n_persons=ig.datasets.n_persons_for(n), seed=1)
    specs, ids = demo_specs(), ig.datasets.RECORD_ID_COLUMNS
else:  # the exact-identifier records of bench_kernel_vs_splink, junk or not
    sys.path.insert(0, sys.argv[4])
    from bench_kernel_vs_splink import COLUMNS, cdp_records
    sources = cdp_records(n, junk=0.01 if data.endswith("junk") else 0.0)
    specs = [ig.Key(c) for c in COLUMNS]
    if data.startswith("email"):
        specs[0] = ig.Email("email")
    ids = dict.fromkeys(sources, "record_id")
cpu, wall = time.process_time(), time.perf_counter()
g = ig.IdentityGraph(specs)
for name, frame in sources.items():
    g.add(frame, source=name, id=ids[name])
g.clusters()
print(f"{time.process_time() - cpu:.3f} {time.perf_counter() - wall:.3f} {g.n_persons}")
"""
DATA = ("demo", "keys", "keys-junk", "email", "email-junk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="tree of the baseline")
    parser.add_argument("--after", type=Path, required=True, help="tree of the change")
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument(
        "--data",
        choices=DATA,
        default="demo",
        help="demo specs on the synthetic customers, or bench_kernel_vs_splink's records "
        "with every column a Key (keys) or an Email and keys (email), clean or with junk",
    )
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    cpu: dict[str, list[float]] = {"before": [], "after": []}
    wall: dict[str, list[float]] = {"before": [], "after": []}
    for rep in range(args.repeat):
        order = ("before", "after") if rep % 2 == 0 else ("after", "before")
        for name in order:
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _RUN,
                    str(trees[name]),
                    str(args.records),
                    args.data,
                    str(Path(__file__).resolve().parent),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            c, w, persons = out.stdout.split()
            cpu[name].append(float(c))
            wall[name].append(float(w))
            print(f"{name} run {rep}: cpu {c} s, wall {w} s, {persons} persons", flush=True)
    for name in ("before", "after"):
        print(
            f"{name}: median cpu {statistics.median(cpu[name]):.3f} s, "
            f"median wall {statistics.median(wall[name]):.3f} s"
        )
    ratio = statistics.median(cpu["after"]) / statistics.median(cpu["before"])
    print(f"after / before (cpu): {ratio:.3f}")


if __name__ == "__main__":
    main()
