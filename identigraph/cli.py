"""Command line: ``identigraph demo`` and ``identigraph resolve``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from identigraph.errors import IdentigraphError, InputError
from identigraph.evaluate import pairwise
from identigraph.graph.identity_graph import IdentityGraph
from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Phone

__all__ = ["demo_specs", "main"]


def demo_specs() -> list[Identifier]:
    """The identifier specs of the built-in synthetic data set, with over-merge guards.

    Per-person limits (at most 3 emails, 2 phones, 2 devices and 1 loyalty card a
    person) split the clusters that shared household landlines would chain together.

    Examples
    --------
    >>> [s.kind for s in demo_specs()]
    ['email', 'email', 'phone', 'phone', 'cookie', 'device', 'loyalty_card', 'customer_id']
    """
    return [
        Email("email", max_per_person=3),
        Email("alt_email", kind="email", max_per_person=3),
        Phone("phone", region="US", max_per_person=2),
        Phone("home_phone", kind="phone", region="US", max_per_person=2),
        Cookie("cookie_id"),
        Cookie("device_id", kind="device", max_per_person=2),
        Key("loyalty_card", max_per_person=1),
        Key("customer_id"),
    ]


def _demo(args: argparse.Namespace) -> int:
    from identigraph import datasets

    start = time.perf_counter()
    sources, truth = datasets.customers(n_persons=args.persons, seed=args.seed)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    graph = IdentityGraph(demo_specs())
    for name, frame in sources.items():
        graph.add(frame, source=name, id=datasets.RECORD_ID_COLUMNS[name])
    clusters = graph.clusters()
    elapsed = time.perf_counter() - start
    scores = pairwise(clusters, truth)
    rejects = graph.rejects["reason"].value_counts()
    lines = [
        f"identigraph demo: synthetic customers, seed {args.seed}",
        f"  sources         {', '.join(f'{k} {len(v):,}' for k, v in sources.items())}",
        f"  records         {len(clusters):,}",
        f"  true persons    {truth['person'].nunique():,}",
        f"  persons found   {clusters['person_id'].nunique():,}",
        f"  largest person  {int(clusters['person_id'].value_counts().max()):,} records",
        f"  rejects         {', '.join(f'{k} {v:,}' for k, v in rejects.items()) or 'none'}",
        f"  generic values  {len(graph.generic_values()):,}",
        f"  links cut       {len(graph.conflicts()):,} (per-person limits)",
        f"  precision       {scores.precision:.4f}  (pairwise, against the truth)",
        f"  recall          {scores.recall:.4f}",
        f"  f1              {scores.f1:.4f}",
        f"  time            {elapsed:.2f} s to resolve ({generated:.2f} s to generate)",
    ]
    print("\n".join(lines))
    return 0


_SPEC_TYPES: dict[str, type[Identifier]] = {
    "email": Email,
    "phone": Phone,
    "cookie": Cookie,
    "key": Key,
}


def _parse_spec(text: str, region: str | None) -> Identifier:
    kind, sep, column = text.partition(":")
    if not sep or kind not in _SPEC_TYPES or not column:
        msg = f"identifier {text!r}: write TYPE:COLUMN with TYPE one of {sorted(_SPEC_TYPES)}"
        raise InputError(msg)
    if kind == "phone":
        return Phone(column, region=region)
    return _SPEC_TYPES[kind](column)


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix in {".csv", ".txt"}:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    msg = f"{path}: use a .csv or .parquet file"
    raise InputError(msg)


def _resolve(args: argparse.Namespace) -> int:
    specs = [_parse_spec(s, args.region) for s in args.identifier]
    graph = IdentityGraph(specs)
    for item in args.source:
        name, sep, rest = item.partition("=")
        path, _, id_column = rest.partition(":")
        if not sep or not path:
            msg = f"source {item!r}: write NAME=PATH[:ID_COLUMN]"
            raise InputError(msg)
        graph.add(_read(Path(path)), source=name, id=id_column or None)
    out = Path(args.output)
    graph.clusters().astype({"source": str, "record_id": str}).to_parquet(out, index=False)
    if args.rejects:
        graph.rejects.astype({"record_id": str}).to_parquet(args.rejects, index=False)
    print(f"{len(graph):,} records, {graph.n_persons:,} persons -> {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``identigraph`` command.

    Examples
    --------
    >>> main(["demo", "--persons", "200"])  # doctest: +ELLIPSIS
    identigraph demo: synthetic customers, seed 0
    ...
    0
    """
    parser = argparse.ArgumentParser(prog="identigraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="resolve the built-in synthetic data and print a report")
    demo.add_argument("--persons", type=int, default=20_000, help="persons to generate")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    resolve = sub.add_parser("resolve", help="resolve CSV or Parquet files into person clusters")
    resolve.add_argument(
        "--source", action="append", required=True, help="NAME=PATH[:ID_COLUMN], repeatable"
    )
    resolve.add_argument(
        "--identifier",
        action="append",
        required=True,
        help="TYPE:COLUMN with TYPE email, phone, cookie or key; repeatable",
    )
    resolve.add_argument("--region", default=None, help="default phone region, e.g. US")
    resolve.add_argument("--output", "-o", required=True, help="clusters .parquet to write")
    resolve.add_argument("--rejects", default=None, help="rejects .parquet to write")
    resolve.set_defaults(run=_resolve)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except IdentigraphError as err:
        print(f"identigraph: error: {err}", file=sys.stderr)
        return 2
