"""Benchmark: activation on resolved persons (audiences, exports, journeys, real-time check).

Usage::

    python benchmarks/bench_activation.py --records 10000000 [--repeat 3] [--write]

Synthetic resolved persons (``--records`` records of four sources, about five records
a person; CRM ids are strings, the others integers), fact tables, contact values and
events are generated with numpy. Every step is timed ``--repeat`` times against a
baseline written the way a user writes it today with pandas, in the same run; the
medians and their ratio are printed (and written to RESULTS.md with ``--write``).

- audience: two includes and two excludes over ``--facts`` fact rows (baseline:
  pandas merges of the facts on string-cast record ids, then set operations).
- exports: Meta and Google files for ``--export-persons`` persons, built by one
  ``Exporter`` so the two files share their work (baseline: hashing every raw email,
  phone and name with hashlib after ``str.strip().str.lower()``).
- journeys: top-20 paths over ``--events`` events (baseline: pandas sort and
  ``groupby(...).agg(" > ".join)`` per person up to each conversion).
- real-time check: median over 2,000 persons of ``AudienceIndex.check`` (baseline:
  ``Audience.build`` for everyone, the only way without the index).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identigraph.activation import (
    Audience,
    AudienceIndex,
    Exporter,
    HasFact,
    InSource,
    Persons,
    google_customer_match,
    journeys,
    meta_customer_file,
)

NOW = pd.Timestamp("2024-06-30")
SOURCES = np.array(["crm", "web", "pos", "support"], dtype=object)
AREA = np.array([201, 212, 213, 305, 312, 415, 512, 617, 702, 718, 404, 206])


#: Median CPU time (this process) of each timed step, by the step's function name.
CPU: dict[str, float] = {}


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, cpu, out = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[getattr(fn, "__name__", "step")] = statistics.median(cpu)
    return statistics.median(times), out


def make_world(n_records: int, n_persons: int, n_facts: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    person = rng.integers(0, n_persons, n_records)
    person[:n_persons] = np.arange(n_persons)  # every person holds a record
    pid = person.astype(np.int64) * 1_000_003 + 17
    source = SOURCES[rng.choice(4, n_records, p=[0.2, 0.4, 0.3, 0.1])]
    record_id = pd.Series(np.arange(n_records), dtype=object)
    crm = source == "crm"
    record_id[crm] = ("C" + pd.Series(np.flatnonzero(crm)).astype(str)).to_numpy(dtype=object)
    clusters = pd.DataFrame({"source": source, "record_id": record_id, "person_id": pid})
    # facts: web visits, orders, tickets, keyed by (source, record id)
    facts = {}
    for name, src, share in (
        ("web", "web", 0.5),
        ("orders", "pos", 0.35),
        ("tickets", "support", 0.15),
    ):
        rows = np.flatnonzero(source == src)
        pick = rows[rng.integers(0, len(rows), int(n_facts * share))]
        frame = pd.DataFrame(
            {
                "record_id": np.arange(n_records)[pick],
                "at": NOW - pd.to_timedelta(rng.integers(0, 120 * 86400, len(pick)), unit="s"),
            }
        )
        if name == "tickets":
            frame["status"] = np.where(rng.random(len(pick)) < 0.2, "open", "closed")
        facts[name] = (src, frame)
    return clusters, facts, rng


def make_records(clusters: pd.DataFrame, rng: np.random.Generator, n_export: int) -> pd.DataFrame:
    crm = clusters[clusters["source"] == "crm"]
    crm = crm[crm["person_id"] < n_export * 1_000_003]
    n = len(crm)
    p = ((crm["person_id"].to_numpy() - 17) // 1_000_003).astype(str)
    second = rng.random(n) < 0.3
    email = pd.Series(np.where(second, "Second.", "") + "User" + p + "@Mail.com ", dtype=object)
    phone = (
        "("
        + pd.Series(AREA[rng.integers(0, len(AREA), n)]).astype(str)
        + ") "
        + pd.Series(rng.integers(234, 988, n)).astype(str)
        + "-"
        + pd.Series(rng.integers(0, 10000, n)).astype(str).str.zfill(4)
    )
    return pd.DataFrame(
        {
            "source": "crm",
            "record_id": crm["record_id"].to_numpy(),
            "email": email.to_numpy(),
            "phone": phone.to_numpy(),
            "first_name": np.array(["Ann", "Bob", "Émile", "Zoë", "Li"], dtype=object)[
                rng.integers(0, 5, n)
            ],
            "last_name": np.array(["O'Brien", "Smith", "García", "Ng"], dtype=object)[
                rng.integers(0, 4, n)
            ],
            "zip": pd.Series(rng.integers(10000, 99999, n)).astype(str).to_numpy(),
        }
    )


def make_events(n_events: int, n_persons: int, rng: np.random.Generator) -> pd.DataFrame:
    channels = np.array(["web", "email", "search", "social", "pos"], dtype=object)
    ch = rng.choice(5, n_events, p=[0.4, 0.2, 0.2, 0.15, 0.05])
    return pd.DataFrame(
        {
            "person_id": rng.integers(0, n_persons, n_events).astype(np.int64) * 1_000_003 + 17,
            "time": NOW - pd.to_timedelta(rng.integers(0, 180 * 86400, n_events), unit="s"),
            "channel": channels[ch],
            "event": np.where(ch == 4, "purchase", "touch"),
        }
    )


def _hash_cost() -> float:
    """Microseconds per hashlib SHA-256 of a short string now: a gauge of the machine's load."""
    values = [f"user{i}@mail.com".encode() for i in range(100_000)]
    start = time.perf_counter()
    for v in values:
        hashlib.sha256(v).hexdigest()
    return (time.perf_counter() - start) / len(values) * 1e6


def baseline_audience(clusters: pd.DataFrame, facts: dict) -> np.ndarray:
    keyed = clusters.assign(record_id=clusters["record_id"].astype(str))

    def persons_of(name: str, mask=None) -> set:
        src, frame = facts[name]
        frame = frame if mask is None else frame[mask(frame)]
        merged = frame.assign(record_id=frame["record_id"].astype(str), source=src).merge(
            keyed, on=["source", "record_id"]
        )
        return set(merged["person_id"])

    crm = set(keyed.loc[keyed["source"] == "crm", "person_id"])
    web = persons_of("web", lambda f: f["at"] >= NOW - pd.Timedelta(days=30))
    tickets = persons_of("tickets", lambda f: f["status"] == "open")
    orders = persons_of("orders", lambda f: f["at"] >= NOW - pd.Timedelta(days=7))
    return np.array(sorted((crm & web) - tickets - orders))


def baseline_exports(records: pd.DataFrame) -> int:
    total = 0
    for column in ("email", "phone", "first_name", "last_name"):
        values = records[column].astype(str).str.strip().str.lower()
        total += len([hashlib.sha256(v.encode()).hexdigest() for v in values])
    return total


def baseline_journeys(events: pd.DataFrame) -> pd.Series:
    ev = events.sort_values(["person_id", "time"], kind="stable")
    conv = ev["event"] == "purchase"
    seg = conv.groupby(ev["person_id"]).cumsum() - conv
    touch = ev[~conv]
    key = [touch["person_id"], seg[~conv]]
    paths = touch.groupby(key)["channel"].agg(" > ".join)
    return paths.value_counts().head(20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--facts", type=int, default=5_000_000)
    parser.add_argument("--export-persons", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-repeat", type=int, default=1)
    parser.add_argument(
        "--steps", default="audience,exports,journeys", help="comma-separated steps to run"
    )
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    n_persons = args.persons or args.records // 5
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    clusters, raw_facts, rng = make_world(args.records, n_persons, args.facts)
    print(f"data: {args.records:,} records, {n_persons:,} persons, {args.facts:,} fact rows "
          f"({time.perf_counter() - start:.1f} s)")  # fmt: skip
    rows = []

    steps = set(args.steps.split(","))
    if "audience" in steps:
        rows.extend(_audience(clusters, raw_facts, rng, args))
    if "exports" in steps:
        rows.extend(_exports(clusters, rng, args))
    if "journeys" in steps:
        events = make_events(args.events, n_persons, rng)
        t_j, _ = _median(lambda: journeys(events, conversion="purchase").top_paths(20), args.repeat)
        t_bj, _ = _median(lambda: baseline_journeys(events), args.baseline_repeat)
        rows.append(("top-20 journeys", f"{args.events:,} events", t_j, t_bj, 30.0))
    _report(rows, args, n_persons, load_start)
    return 0


def _audience(clusters: pd.DataFrame, raw_facts: dict, rng: np.random.Generator, args):
    rows = []
    persons = Persons.from_clusters(clusters)
    t_attach, facts = _median(
        lambda: {n: persons.facts(f, source=s, id="record_id") for n, (s, f) in raw_facts.items()},
        1,
    )
    audience = Audience(
        name="bench",
        include=InSource(source="crm") & HasFact(table="web", time="at", within="30D"),
        exclude=[
            HasFact(table="tickets", where={"status": "open"}),
            HasFact(table="orders", time="at", within="7D"),
        ],
    )
    t_aud, result = _median(lambda: audience.build(persons, facts=facts, now=NOW), args.repeat)
    t_base, base = _median(lambda: baseline_audience(clusters, raw_facts), args.baseline_repeat)
    assert np.array_equal(result.person_ids, base), "audience differs from the baseline"
    rows.append(
        ("audience (2 includes, 2 excludes)", f"{args.facts:,} fact rows", t_aud, t_base, 5.0)
    )
    rows.append(
        ("  facts joined to persons (once)", f"{args.facts:,} fact rows", t_attach, None, None)
    )

    index = AudienceIndex(persons, [audience], facts=facts)
    sample = rng.choice(persons.person_ids, 2000)
    checks = []
    for pid in sample:
        t0 = time.perf_counter()
        index.check("bench", int(pid), now=NOW)
        checks.append(time.perf_counter() - t0)
    rows.append(
        ("real-time check (one person)", "2,000 persons", statistics.median(checks), t_aud, 0.005)
    )
    return rows


def _exports(clusters: pd.DataFrame, rng: np.random.Generator, args: argparse.Namespace):
    records = make_records(clusters, rng, args.export_persons)
    persons_x = Persons.from_clusters(clusters, records=records)
    persons_x.records()  # person ids attached once, as any later export reuses them
    members = persons_x.person_ids[: args.export_persons]

    fields = {"email": "email", "phone": "phone", "first_name": "first_name",
              "last_name": "last_name", "zip": "zip", "default_country": "us"}  # fmt: skip

    def both() -> int:
        files = Exporter(persons_x, members=members)  # one per run: nothing kept between runs
        meta = files.meta_customer_file(**fields)
        google = files.google_customer_match(**fields)
        return len(meta.frame) + len(google.frame)

    def apart() -> int:
        meta = meta_customer_file(persons_x, members=members, **fields)
        google = google_customer_match(persons_x, members=members, **fields)
        return len(meta.frame) + len(google.frame)

    def baseline() -> int:
        return baseline_exports(records)

    t_exp, _ = _median(both, args.repeat)
    t_apart, _ = _median(apart, args.repeat)
    t_bexp, _ = _median(baseline, args.baseline_repeat)
    size = f"{len(members):,} persons"
    return [
        ("Meta + Google exports", size, t_exp, t_bexp, 10.0),
        ("  the two functions called apart", size, t_apart, t_bexp, None),
    ]


def _report(rows: list, args: argparse.Namespace, n_persons: int, load_start: float) -> None:
    at_scale = args.records >= 10_000_000 and args.facts >= 5_000_000
    at_scale_for = {
        "Meta + Google exports": args.export_persons >= 1_000_000,
        "top-20 journeys": at_scale and args.events >= 10_000_000,
    }
    lines = [
        f"## Activation ({args.records:,} records, {n_persons:,} persons)",
        "",
        f"`python benchmarks/bench_activation.py --records {args.records} --facts {args.facts} "
        f"--export-persons {args.export_persons} --events {args.events} --repeat {args.repeat} "
        f"--steps {args.steps} "
        f"--baseline-repeat {args.baseline_repeat}`: median of the repeats; the baseline is "
        "the same step written with plain pandas in the same run (see the script's "
        f"docstring). Measured under load: load average {load_start:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores shared with other "
        f"work; hashlib SHA-256 of a short string took {_hash_cost():.2f} µs (about 0.4 µs on "
        "an idle core). Targets (issue #13) hold at 10M records, 5M fact rows, 1M exported "
        "persons and 10M events; at smaller sizes the column says so.",
        "",
        "| step | size | median | baseline | ratio | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for step, size, t, b, target in rows:
        unit = (lambda x: f"{x * 1000:.2f} ms") if t < 0.1 else (lambda x: f"{x:.2f} s")
        base_text = "" if b is None else (f"{b:.2f} s" if b >= 0.1 else f"{b * 1000:.2f} ms")
        ratio = "" if b is None else f"{b / t:.1f}x faster" if b >= t else f"{t / b:.1f}x slower"
        goal = ""
        if target is not None:
            limit = f"{target * 1000:g} ms" if target < 0.1 else f"{target:g} s"
            if not at_scale_for.get(step, at_scale):
                goal = f"<= {limit} at full size"
            else:
                goal = f"<= {limit}: {'met' if t <= target else 'missed'}"
        lines.append(f"| {step} | {size} | {unit(t)} | {base_text} | {ratio} | {goal} |")
    if {"both", "apart", "baseline"} <= CPU.keys():
        lines += [
            "",
            "CPU time of this process (median; steadier than wall time under load): Meta + "
            f"Google exports {CPU['both']:.2f} s with one `Exporter`, {CPU['apart']:.2f} s "
            f"with the two functions apart, baseline {CPU['baseline']:.2f} s.",
        ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        from _results import write_section

        write_section(f"bench_activation_{args.records}", text)


if __name__ == "__main__":
    raise SystemExit(main())
