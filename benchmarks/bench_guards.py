"""Benchmark: accuracy of the identity graph with and without its over-merge guards.

Synthetic customers (``identigraph.datasets.customers``) with junk values and
shared household landlines turned up are linked on their identifiers (emails,
phones, cookie, device, loyalty card, CRM customer id) only, no fuzzy matching,
under these settings:

- ``no guards``: no junk lists, no generic values, no per-person limits;
- ``generic only``: the default ``max_records`` per kind, no junk lists;
- ``junk lists``: the built-in placeholder lists only;
- ``junk + generic``: plus the default ``max_records`` per kind;
- ``limits e3 p2``: plus per-person limits of 3 emails, 2 phones, 2 devices, 1 card;
- ``limits e1 p2``: the same with 1 email a person;
- ``limits e3 p2 + first name``: ``limits e3 p2`` plus a CRM first-name attribute
  (``Attribute("first_name")``: lowercased, one name a person, names one edit
  apart alike), which cuts a merge that would give a person two unlike names;
- ``limits e3 p2 + unlink phone``: ``limits e3 p2`` with ``on_shared="unlink"`` on
  phones: a phone that loses a link to a limit is shared and links nobody;
- ``limits e3 p2 + first name + unlink phone``: both;
- ``... + CRM matcher``: both, plus CRM-to-CRM match edges (probability >= 0.9)
  from the unsupervised matcher of ``bench_fuzzy_synthetic.py`` on names, birth
  date and postcode, so that the limits also weigh fuzzy links.

Prints a markdown table: pairwise precision, recall and F1 against the truth,
persons, the largest cluster (to compare with the largest true person), links
cut by the limits (a shared value counts once per record carrying it), generic
values and build time (add + resolve). A last line
gives two ceilings of identifier-only linking: the recall reached when records
link on their identifiers only within their true person, and the same on values
that one true person holds (what identifiers can attribute at all: a record whose
only evidence is a household's landline could be any member's).

    python benchmarks/bench_guards.py [--persons 20000] [--junk-rate 0.05]
                                      [--household-rate 0.3] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

import identigraph as ig
from identigraph.datasets import RECORD_ID_COLUMNS, customers
from identigraph.evaluate import pairwise
from identigraph.matcher.attributes import Attribute

sys.path.insert(0, str(Path(__file__).parent))
from bench_fuzzy_synthetic import matcher

SETTINGS = (
    "no guards",
    "generic only",
    "junk lists",
    "junk + generic",
    "limits e3 p2",
    "limits e1 p2",
    "limits e3 p2 + first name",
    "limits e3 p2 + unlink phone",
    "limits e3 p2 + first name + unlink phone",
    "limits e3 p2 + first name + unlink phone + CRM matcher",
)

#: Per-person limits of the ``limits`` settings, by kind; cookies churn and CRM
#: duplicates carry a second customer id, so those take none.
LIMITS: dict[str, dict[str, int | None]] = {
    "limits e3 p2": {"email": 3, "phone": 2, "device": 2, "loyalty_card": 1},
    "limits e1 p2": {"email": 1, "phone": 2, "device": 2, "loyalty_card": 1},
}


def _limits(setting: str) -> dict[str, int | None] | None:
    """Per-person limits of a setting (the ``+ ...`` settings build on ``limits e3 p2``)."""
    return LIMITS.get(setting.split(" + ")[0])


def _attributes(setting: str) -> tuple[Attribute, ...]:
    return (Attribute("first_name"),) if "first name" in setting else ()


def _specs(setting: str) -> list[ig.Identifier]:
    def opts(kind: str) -> dict[str, Any]:
        out: dict[str, Any] = {"builtin_junk": setting not in ("no guards", "generic only")}
        if setting in ("no guards", "junk lists"):
            out["max_records"] = None
        limits = _limits(setting)
        if limits is not None:
            out["max_per_person"] = limits.get(kind)
        if "unlink phone" in setting and kind == "phone":
            out["on_shared"] = "unlink"
        return out

    return [
        ig.Email("email", **opts("email")),
        ig.Email("alt_email", kind="email", **opts("email")),
        ig.Phone("phone", region="US", **opts("phone")),
        ig.Phone("home_phone", kind="phone", region="US", **opts("phone")),
        ig.Cookie("cookie_id", **opts("cookie")),
        ig.Cookie("device_id", kind="device", **opts("device")),
        ig.Key("loyalty_card", **opts("loyalty_card")),
        ig.Key("customer_id", **opts("customer_id")),
    ]


def _ceilings(sources: dict[str, pd.DataFrame], truth: pd.DataFrame) -> tuple[float, float]:
    """Recall when identifiers link only records of the same true person.

    The first figure links on every value; the second only on values that one true
    person holds (a landline shared by a household cannot tell its members apart,
    so a record whose only evidence it is belongs to no one in particular).
    """
    specs = _specs("junk + generic")
    canon: dict[tuple[str, str], pd.Series] = {}
    held = []
    for name, frame in sources.items():
        person = truth.loc[truth["source"] == name, "person"].to_numpy()
        for spec in specs:
            if spec.column in frame.columns:
                values = spec.canonicalize(frame[spec.column]).astype(object)
                canon[name, spec.column] = values
                held.append(pd.DataFrame({"kind": spec.kind, "value": values, "person": person}))
    holders = pd.concat(held).dropna().groupby(["kind", "value"])["person"].nunique()
    recalls = []
    for attributable in (False, True):
        g = ig.IdentityGraph([ig.Key(s.column, kind=s.kind) for s in specs])
        for name, frame in sources.items():
            person = truth.loc[truth["source"] == name, "person"].to_numpy().astype(str)
            # the record id is copied first: the CRM id column is an identifier as well
            columns = {"record_id": frame[RECORD_ID_COLUMNS[name]]}
            for spec in specs:
                if (name, spec.column) in canon:
                    values = canon[name, spec.column]
                    if attributable:
                        key = pd.MultiIndex.from_arrays([[spec.kind] * len(values), values])
                        values = values.where(holders.reindex(key).to_numpy() == 1)
                    columns[spec.column] = (values.astype("string") + "#" + person).astype(object)
            g.add(frame.assign(**columns), source=name, id="record_id")
        recalls.append(pairwise(g.clusters(), truth).recall)
    return recalls[0], recalls[1]


def _run(setting: str, sources: dict[str, Any], truth: Any) -> dict[str, Any]:
    specs = _specs(setting)
    started = time.perf_counter()
    g = ig.IdentityGraph(specs, attributes=_attributes(setting))
    for name, frame in sources.items():
        g.add(frame, source=name, id=RECORD_ID_COLUMNS[name])
    if "CRM matcher" in setting:
        pairs = matcher().fit_predict(sources["crm"], id=RECORD_ID_COLUMNS["crm"], source="crm")
        g.link(pairs, threshold=0.9)
    clusters = g.clusters()
    seconds = time.perf_counter() - started
    scores = pairwise(clusters, truth)
    return {
        "setting": setting,
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "persons": g.n_persons,
        "largest": int(clusters.groupby("person_id").size().max()),
        "conflicts": len(g.conflicts()),
        "generic": len(g.generic_values()),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--junk-rate", type=float, default=0.05)
    parser.add_argument("--household-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sources, truth = customers(
        args.persons,
        seed=args.seed,
        junk_rate=args.junk_rate,
        household_rate=args.household_rate,
    )
    true_largest = int(truth.groupby("person").size().max())
    n_records = len(truth)
    print(
        f"{n_records} records of {args.persons} persons (largest true person: {true_largest} "
        f"records), junk_rate={args.junk_rate}, household_rate={args.household_rate}, "
        f"seed={args.seed}\n"
    )
    print(
        "| setting | precision | recall | F1 | persons | largest cluster | cut links "
        "| generic values | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for setting in SETTINGS:
        r = _run(setting, sources, truth)
        print(
            f"| {r['setting']} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} "
            f"| {r['persons']} | {r['largest']} | {r['conflicts']} | {r['generic']} "
            f"| {r['seconds']:.2f} |"
        )
    every, attributable = _ceilings(sources, truth)
    print(
        f"\nidentifier-only recall ceiling (links within true persons only): {every:.4f}; "
        f"on values one true person holds: {attributable:.4f}"
    )


if __name__ == "__main__":
    main()
