"""Exact identifiers alone vs exact + fuzzy matching on the synthetic customer data.

    python benchmarks/bench_fuzzy_synthetic.py --persons 100000

Exact: the four sources linked on email, phone, cookie, device id and loyalty card.
Exact + fuzzy: the same, plus CRM-to-CRM match edges from an unsupervised
Fellegi-Sunter matcher on names, birth date and postcode (the synthetic CRM holds
duplicate customer entries with typos and changed contact details). Street address
and city are left out on purpose: household members share them, and unsupervised EM
then learns "same household" as a match class.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import identigraph as ig
from identigraph.cli import demo_specs


def matcher() -> ig.Matcher:
    return ig.Matcher(
        comparisons=[
            ig.NameComparison("first_name"),
            ig.NameComparison("last_name"),
            ig.DateComparison("birth_date"),
            ig.ExactComparison("postcode"),
        ],
        blocking=[
            ig.Block(["postcode", "birth_date"]),
            ig.Block("last_name", transform="metaphone"),
            ig.Block(["first_name", "birth_date"]),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sources, truth = ig.datasets.customers(n_persons=args.persons, seed=2, typo_rate=0.1)
    ids = ig.datasets.RECORD_ID_COLUMNS
    rows = []
    for fuzzy in (False, True):
        start = time.perf_counter()
        g = ig.IdentityGraph(demo_specs())
        for name, frame in sources.items():
            g.add(frame, source=name, id=ids[name])
        n_pairs = 0
        if fuzzy:
            crm = sources["crm"]
            pairs = matcher().fit_predict(crm, id=ids["crm"], source="crm")
            n_pairs = int((pairs["match_probability"] >= args.threshold).sum())
            g.link(pairs, threshold=args.threshold)
        clusters = g.clusters()
        seconds = time.perf_counter() - start
        s = ig.evaluate.pairwise(clusters, truth)
        label = "exact + fuzzy (CRM matcher)" if fuzzy else "exact identifiers"
        rows.append(
            f"| {label} | {len(clusters):,} | {n_pairs:,} | {s.precision:.4f} | {s.recall:.4f} | "
            f"{s.f1:.4f} | {clusters['person_id'].nunique():,} | {seconds:.1f} |"
        )
        print(rows[-1], flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    table = "\n".join(
        [
            "## Exact vs exact + fuzzy on the synthetic data (bench_fuzzy_synthetic.py)",
            "",
            f"`python benchmarks/bench_fuzzy_synthetic.py --persons {args.persons}`: "
            f"`datasets.customers(seed=2, typo_rate=0.1)`; match edges at probability >= "
            f"{args.threshold}; pairwise scores against the truth ({truth['person'].nunique():,} "
            f"true persons). Peak RSS {rss:.2f} GiB.",
            "",
            "| resolution | records | match edges | precision | recall | F1 | persons | seconds |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    if not args.no_write:
        from _results import write_section

        write_section("bench_fuzzy_synthetic", table)


if __name__ == "__main__":
    main()
