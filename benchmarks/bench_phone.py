"""Benchmark: vectorized ``normalize_phones`` against the per-value ``e164_reference``.

Synthetic, unique US and GB numbers in the formats people type (national with
separators, ``+`` international, ``00``/``011`` prefixes, a trunk ``0`` or ``1``),
with small shares of labels, extensions, junk and vanity (letter) numbers. Each
region is parsed with its own default region. Prints a markdown table: median of
``--runs`` runs, the speed-up, and the share of values the fast path left to the
reference.

    python benchmarks/bench_phone.py [--n 200000] [--runs 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from identigraph.matcher._e164 import fast_e164
from identigraph.matcher.phone import e164_reference, normalize_phones

US_AREA_CODES = np.array(
    [201, 202, 203, 205, 206, 207, 208, 210, 212, 213, 214, 215, 216, 217, 301, 303, 305, 310,
     312, 313, 314, 404, 406, 408, 412, 415, 416, 425, 469, 503, 504, 512, 602, 607, 615, 617,
     619, 646, 650, 702, 704, 713, 714, 718, 720, 727, 732, 754, 786, 801, 804, 805, 808, 813,
     818, 832, 858, 860, 904, 914, 916, 917, 919, 925, 949, 954, 971, 972, 973]
)  # fmt: skip
#: GB area code or mobile prefix, and the digit its subscriber numbers start with.
GB_AREAS = [("20", "7"), ("20", "8"), ("121", "4"), ("161", "2"), ("113", "2"), ("131", "3"),
            ("117", "9"), ("1865", "2"), ("1223", "3"), ("7700", "1"), ("7911", "1"),
            ("7400", "1"), ("7555", "5"), ("7890", "1")]  # fmt: skip


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return np.char.zfill(rng.integers(0, 10**width, n).astype(str), width)


def _pick(rng: np.random.Generator, forms: list[np.ndarray]) -> np.ndarray:
    choice = rng.integers(0, len(forms), len(forms[0]))
    return np.choose(choice, forms)


def _extras(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Labels, extensions, junk and vanity numbers, as found in real exports."""
    n = len(values)
    a = np.char.add
    values = values.astype(str)
    roll = rng.random(n)
    labels = rng.choice(np.array(["tel: ", "Mobile: ", "ph. ", "(h) "]), n)
    values = np.where(roll < 0.01, a(labels, values), values)  # 1% labelled
    extension = a(rng.choice(np.array([" x", " ext. ", " #"]), n), _digits(rng, n, 3))
    values = np.where((roll >= 0.01) & (roll < 0.02), a(values, extension), values)  # 1%
    junk = a("n/a ", _digits(rng, n, 4))
    values = np.where((roll >= 0.02) & (roll < 0.025), junk, values)  # 0.5% junk
    letters = np.array(list("ABCDEFGHIJKLMNOPRSTUVWXY"))
    vanity = a("1-800-", rng.choice(letters, (n, 7)).view("U7").ravel())
    return np.where((roll >= 0.025) & (roll < 0.027), vanity, values)  # 0.2% vanity


def us_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    npa = rng.choice(US_AREA_CODES, n).astype(str)
    nxx = (rng.integers(2, 10, n) * 100 + rng.integers(0, 100, n)).astype(str)
    line = _digits(rng, n, 4)
    a = np.char.add
    forms = [
        a(a(a(a("(", npa), ") "), nxx), a("-", line)),
        a(a(a(npa, "-"), nxx), a("-", line)),
        a(a(a(npa, "."), nxx), a(".", line)),
        a(a(npa, nxx), line),
        a(a(a(a("+1 ", npa), " "), nxx), a(" ", line)),
        a(a(a("+1", npa), nxx), line),
        a(a(a(a("1-", npa), "-"), nxx), a("-", line)),
        a(a(a(a("+1 (", npa), ") "), nxx), a("-", line)),
        a(a(a(a("011 1 ", npa), " "), nxx), a(" ", line)),
    ]
    return _extras(rng, _pick(rng, forms))


def gb_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ten-digit national numbers, grouped as written: 020 7946 0958, 0121 496 0123."""
    which = rng.integers(0, len(GB_AREAS), n)
    area = np.empty(n, dtype=object)
    local = np.empty(n, dtype=object)
    a = np.char.add
    for i, (code, first) in enumerate(GB_AREAS):  # one vectorized fill per area
        rows = np.flatnonzero(which == i)
        if not rows.size:
            continue
        if len(code) == 4:  # 01865 226231, 07700 100123
            group = a(first, _digits(rng, rows.size, 5))
        else:  # 020 7946 0958, 0121 496 0123
            group = a(a(first, _digits(rng, rows.size, 5 - len(code))), " ")
            group = a(group, _digits(rng, rows.size, 4))
        area[rows] = code
        local[rows] = group
    area, local = area.astype(str), local.astype(str)
    spaced = a(a(area, " "), local)
    forms = [
        a("0", spaced),
        a("+44 ", spaced),
        a("+44 (0)", spaced),
        a("0044 ", spaced),
        a("+44", np.char.replace(spaced, " ", "")),
        a("0", np.char.replace(spaced, " ", "-")),
        a(a(a("(0", area), ") "), local),
    ]
    return _extras(rng, _pick(rng, forms))


def unique(values: np.ndarray, n: int) -> pd.Series:
    return pd.Series(pd.unique(values.astype(object))[:n], dtype=object)


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="unique numbers in all")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    half = args.n // 2
    batches = {
        "US": unique(us_numbers(rng, 2 * half), half),
        "GB": unique(gb_numbers(rng, 2 * half), args.n - half),
    }
    rows = []
    totals = np.zeros(4)
    for region, values in batches.items():
        fast = normalize_phones(values, region)
        slow = [e164_reference(v, region) for v in values]
        expected = pd.Series(slow, dtype=object).where(pd.notna(pd.Series(slow)), np.nan)
        assert fast.isna().equals(expected.isna()), "results differ from the reference"
        assert fast.dropna().equals(expected.dropna()), "results differ from the reference"
        _, fallback = fast_e164(pa.array(values.tolist(), type=pa.string()), region)
        t_fast = median_time(lambda v=values, r=region: normalize_phones(v, r), args.runs)
        t_ref = median_time(lambda v=values, r=region: [e164_reference(x, r) for x in v], args.runs)
        counts = np.array([len(values), t_fast, t_ref, fallback.sum()])
        totals += counts
        rows.append((region, *counts, fast.notna().mean()))
    rows.append(("all", *totals, np.nan))
    print(f"normalize_phones, {args.n:,} unique numbers, median of {args.runs} runs\n")
    print(
        "| region | values | normalize_phones (s) | reference (s) | speed-up | fallback | valid |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for region, n, t_fast, t_ref, n_fallback, valid in rows:
        valid_text = "" if np.isnan(valid) else f"{valid:.1%}"
        print(
            f"| {region} | {int(n):,} | {t_fast:.3f} | {t_ref:.2f} | {t_ref / t_fast:.1f}x "
            f"| {n_fallback / n:.2%} | {valid_text} |"
        )


if __name__ == "__main__":
    main()
