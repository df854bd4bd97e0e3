"""Dedupe synthetic person records with blocking: candidate pairs, wall time, peak RSS.

Usage::

    python benchmarks/bench_match_scale.py --records 1000000

Records are generated with numpy: names drawn from Zipf-like frequencies over a
synthetic vocabulary, dates of birth, postcodes; a share of people get a second
(and third) record with typos, swapped day/month, missing values or a moved
postcode. The true person id of every record gives precision and recall.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import numpy as np
import pandas as pd

from identigraph.matcher.blocking import Block
from identigraph.matcher.comparisons import (
    DateComparison,
    ExactComparison,
    NameComparison,
)
from identigraph.matcher.linker import DEFAULT_THRESHOLD, Matcher

CONSONANTS = np.array(list("bcdfghjklmnprstvwz"))
VOWELS = np.array(list("aeiouy"))
LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def vocabulary(rng: np.random.Generator, size: int, syllables: tuple[int, int]) -> np.ndarray:
    """Distinct pronounceable words of consonant-vowel syllables."""
    words: set[str] = set()
    while len(words) < size:
        n = rng.integers(syllables[0], syllables[1] + 1, size=size)
        c = rng.choice(CONSONANTS, size=(size, syllables[1]))
        v = rng.choice(VOWELS, size=(size, syllables[1]))
        pieces = np.char.add(c, v)
        for k in range(size):  # vocabulary build only, not on the matching path
            words.add("".join(pieces[k, : n[k]]))
    pool = np.array(sorted(words), dtype=object)
    return pool[rng.permutation(len(pool))[:size]]


def zipf_choice(rng: np.random.Generator, words: np.ndarray, n: int, a: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, len(words) + 1) ** a
    return words[rng.choice(len(words), size=n, p=weights / weights.sum())]


def typos(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """Substitute, delete or transpose one character in a ``rate`` share of values."""
    text = values.astype("U24")
    chars = text.view(np.uint32).reshape(len(text), 24).copy()
    lengths = np.char.str_len(text)
    hit = (rng.random(len(text)) < rate) & (lengths >= 3)
    rows = np.flatnonzero(hit)
    pos = (rng.random(len(rows)) * (lengths[rows] - 1)).astype(np.int64)
    kind = rng.integers(0, 3, size=len(rows))
    sub = rows[kind == 0]
    chars[sub, pos[kind == 0]] = rng.choice(LETTERS, size=len(sub)).astype("U1").view(np.uint32)
    swap = kind == 2
    a, b = chars[rows[swap], pos[swap]].copy(), chars[rows[swap], pos[swap] + 1].copy()
    chars[rows[swap], pos[swap]], chars[rows[swap], pos[swap] + 1] = b, a
    delete = rows[kind == 1]
    dpos = pos[kind == 1]
    cols = np.arange(24)
    shifted = np.where(
        cols[None, :] >= dpos[:, None], np.roll(chars[delete], -1, axis=1), chars[delete]
    )
    shifted[:, -1] = 0
    chars[delete] = shifted
    return chars.view("U24").reshape(-1).astype(object)


def people(n_records: int, seed: int = 7) -> pd.DataFrame:
    """Synthetic person records, about 80% distinct people and 20% duplicates."""
    rng = np.random.default_rng(seed)
    first_names = vocabulary(rng, 4000, (2, 3))
    surnames = vocabulary(rng, 60000, (2, 4))
    n_people = int(n_records / 1.25)
    first = zipf_choice(rng, first_names, n_people, 1.0)
    last = zipf_choice(rng, surnames, n_people, 0.9)
    dob = pd.Timestamp("1930-01-01") + pd.to_timedelta(rng.integers(0, 80 * 365, n_people), "D")
    postcode = rng.integers(1000, 9999, n_people)
    extra = n_records - n_people
    person = np.r_[np.arange(n_people), rng.integers(0, n_people, extra)]
    dup = np.r_[np.zeros(n_people, bool), np.ones(extra, bool)]
    f, s = first[person], last[person]
    d = dob[person].strftime("%Y%m%d").to_numpy(dtype=object)
    pc = postcode[person].astype(str).astype(object)
    f[dup] = typos(rng, f[dup], 0.3)
    s[dup] = typos(rng, s[dup], 0.3)
    d[dup] = typos(rng, d[dup].astype(object), 0.1)
    moved = dup & (rng.random(n_records) < 0.2)
    pc[moved] = rng.integers(1000, 9999, int(moved.sum())).astype(str)
    for column in (f, s, d, pc):
        column[dup & (rng.random(n_records) < 0.05)] = None
    order = rng.permutation(n_records)
    return pd.DataFrame(
        {
            "record_id": np.arange(n_records),
            "person": person[order],
            "first_name": f[order],
            "surname": s[order],
            "dob": d[order],
            "postcode": pc[order],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = people(args.records, args.seed)
    generated = time.perf_counter() - t0
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    matcher = Matcher(
        comparisons=[
            NameComparison("first_name", tf_adjust=True),
            NameComparison("surname", tf_adjust=True),
            DateComparison("dob"),
            ExactComparison("postcode"),
        ],
        blocking=[
            Block(["surname", "dob"], transform=["metaphone", "exact"]),
            Block(["first_name", "dob"], transform=["metaphone", "exact"]),
            Block(["first_name", "surname", "dob"], transform=["exact", "exact", "year"]),
            Block(["surname", "postcode"]),
            Block(["first_name", "postcode"]),
            Block(["postcode", "dob"], transform=["exact", "year"]),
        ],
        link_type="dedupe",
    )
    t_analysis = time.perf_counter()
    report = matcher.blocking_analysis(data, id="record_id")
    analysis_seconds = time.perf_counter() - t_analysis
    t1 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = matcher.fit_predict(data, id="record_id", threshold=None)
    elapsed = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    person = data.set_index("record_id")["person"]
    found = pairs[pairs["match_probability"] >= DEFAULT_THRESHOLD]
    same = (
        person.loc[found["record_id_l"]].to_numpy() == person.loc[found["record_id_r"]].to_numpy()
    )
    sizes = person.value_counts()
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    tp = int(same.sum())
    precision = tp / max(len(found), 1)
    recall = tp / max(true_pairs, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    rows = [
        "| measure | value |",
        "|---|---:|",
        f"| records | {len(data):,} |",
        f"| candidate pairs | {matcher.fit_info['candidate_pairs']:,} |",
        f"| blocking_analysis: cumulative pairs, time | "
        f"{int(report['cumulative_pairs'].iloc[-1]):,}, {analysis_seconds:.1f} s |",
        f"| blocking_analysis: estimated time, memory | {report['est_seconds'].iloc[-1]:.1f} s, "
        f"{report['est_memory_mb'].iloc[-1]:,.0f} MiB |",
        f"| distinct comparison vectors (EM rows) | {matcher.fit_info['patterns']:,} |",
        f"| fit + predict wall time | {elapsed:.1f} s |",
        f"| peak RSS (after generating the data) | {rss:,.0f} MiB ({rss_data:,.0f} MiB) |",
        f"| pairs >= {DEFAULT_THRESHOLD} / true pairs | {len(found):,} / {true_pairs:,} |",
        f"| precision / recall / F1 at DEFAULT_THRESHOLD ({DEFAULT_THRESHOLD}) | "
        f"{precision:.4f} / {recall:.4f} / {f1:.4f} |",
    ]
    table = "\n".join(rows)
    print(table)
    print(f"(data generation {generated:.1f} s)")
    for warning in caught:
        print(f"warning: {warning.message}")
    if args.write:
        from _results import write_section

        body = (
            f"## Matcher scale: dedupe {len(data):,} synthetic person records\n\n"
            f"`python benchmarks/bench_match_scale.py --records {args.records} --write`: "
            "four comparisons (first name, surname, date of birth, postcode), six blocking "
            "rules, unsupervised fit then prediction of every candidate pair.\n\n" + table
        )
        write_section("bench_match_scale", body)


if __name__ == "__main__":
    main()
