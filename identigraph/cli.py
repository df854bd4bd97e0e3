"""The ``identigraph`` command: resolve, golden, add, remove, lookup, explain, report, demo.

Every command reads a TOML job file (``-c job.toml``, see :mod:`identigraph._config`)
and/or options; outputs take their format from the extension (``.csv``,
``.parquet``) and anything else is refused before work starts. Errors are one line
on standard error and an exit code (:data:`EXIT_CODES`); ``--debug`` shows the
traceback instead, ``-v`` logs counts and timings of each step.
"""

from __future__ import annotations

import difflib
import logging
import sys
import time
import traceback
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from identigraph._config import (
    IDENTIFIER_TYPES,
    Config,
    SourceConfig,
    format_of,
    load_config,
)
from identigraph.errors import (
    ConfigError,
    IdentigraphError,
    InputError,
    UnknownRecordError,
)
from identigraph.evaluate import pairwise
from identigraph.graph.identity_graph import IdentityGraph
from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Phone
from identigraph.merge.golden import golden_records
from identigraph.merge.rules import Collect

__all__ = ["EXIT_CODES", "cli", "demo_specs", "main"]

_log = logging.getLogger("identigraph.cli")

#: Exit status of each outcome.
EXIT_CODES = {
    "ok": 0,
    "not_found": 1,  # lookup: no person for the values
    "usage": 2,  # bad option, job file or setting
    "data": 3,  # a missing or unreadable file, unusable records, a bad store
    "internal": 4,  # a bug: please report it with the --debug traceback
}

F = TypeVar("F", bound=Callable[..., Any])


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


# -- shared plumbing ---------------------------------------------------------------------


class _State:
    """Options of the command group, for the subcommands."""

    def __init__(self, *, strict: bool, progress: bool | None) -> None:
        self.strict = strict
        self.progress = progress


def _state() -> _State:
    state = click.get_current_context().find_object(_State)
    return state if state is not None else _State(strict=False, progress=None)


def _warn(message: str) -> None:
    if _state().strict:
        msg = f"{message} (--strict)"
        raise InputError(msg)
    click.echo(f"identigraph: warning: {message}", err=True)


def _output_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """Check an output's extension before any work is done."""
    if value is None:
        return None
    path = Path(value)
    try:
        format_of(path, what="file")
    except ConfigError as err:
        raise click.BadParameter(str(err)) from err
    return path


def _write(frame: pd.DataFrame, path: Path) -> None:
    fmt = format_of(path, what="output")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        # without pandas' metadata: readers other than this pandas need no Arrow dtypes
        table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
        pq.write_table(table, path)
    else:
        frame.to_csv(path, index=False, sep="\t" if fmt == "tsv" else ",")


def _job(config_path: str | None) -> Config:
    return load_config(config_path) if config_path else Config()


def _text_columns(config: Config, source: SourceConfig) -> list[str]:
    """File columns read as text: identifiers and the record id keep leading zeros."""
    inverse = {new: old for old, new in source.columns.items()}
    wanted = [spec.column for spec in config.identifiers]
    if source.id is not None:
        wanted.append(source.id)
    return [inverse.get(c, c) for c in wanted]


def _read(config: Config, source: SourceConfig) -> pd.DataFrame:
    path = source.path
    if not path.is_file():
        msg = f"source {source.name!r}: no such file: {path}"
        raise InputError(msg)
    start = time.perf_counter()
    try:
        if source.format == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(
                path,
                sep="\t" if source.format == "tsv" else ",",
                dtype={c: "str" for c in _text_columns(config, source)},
                keep_default_na=False,
                na_values=[""],
            )
    except (OSError, ValueError) as err:
        why = type(err).__name__
        msg = f"source {source.name!r}: cannot read {path.name} as {source.format}: {why}"
        raise InputError(msg) from err
    if source.columns:
        frame = frame.rename(columns=dict(source.columns))
    for column in source.parse_dates:
        if column not in frame.columns:
            msg = f"source {source.name!r}: parse_dates column {column!r} is not in the file"
            raise InputError(msg)
        try:
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
        except (ValueError, TypeError) as err:
            msg = f"source {source.name!r}: column {column!r} holds values that are not ISO dates"
            raise InputError(msg) from err
    _log.info(
        "read source %s: %d rows, %d columns in %.2f s",
        source.name,
        len(frame),
        frame.shape[1],
        time.perf_counter() - start,
    )
    return frame


def _check_columns(config: Config, frames: dict[str, pd.DataFrame]) -> None:
    """Refuse spec columns that no source carries (a typo), suggesting the closest column."""
    seen = set().union(*(set(f.columns) for f in frames.values())) if frames else set()
    for spec in config.identifiers:
        if spec.column in seen:
            continue
        close = difflib.get_close_matches(spec.column, sorted(map(str, seen)), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = (
            f"identifier column {spec.column!r} ({spec.kind}) is in none of the sources "
            f"({', '.join(frames) or 'none'}){hint}"
        )
        raise ConfigError(message)


def _check_phone_regions(config: Config, graph: IdentityGraph) -> None:
    """Warn when phones without a region fail to parse: the usual cause is a missing region."""
    rejects = graph.rejects
    if not len(rejects):
        return
    invalid = rejects[rejects["reason"] == "invalid_phone"]
    for spec in config.identifiers:
        if not isinstance(spec, Phone) or spec.region is not None:
            continue
        n = int((invalid["column"] == spec.column).sum())
        if n:
            _warn(
                f"{n:,} values of phone column {spec.column!r} were rejected as invalid_phone "
                "and the spec has no region: numbers without a +country code need one "
                '(region = "US" in the job file, or --region US)'
            )


def _add_sources(
    graph: IdentityGraph, config: Config, sources: Sequence[SourceConfig]
) -> dict[str, pd.DataFrame]:
    frames = {source.name: _read(config, source) for source in sources}
    _check_columns(config, frames)
    for source in sources:
        start = time.perf_counter()
        changes = graph.add(frames[source.name], source=source.name, id=source.id)
        _log.info(
            "added source %s: %d records in %.2f s",
            source.name,
            changes.records_added or len(frames[source.name]),
            time.perf_counter() - start,
        )
    if config.matcher is not None and frames:
        start = time.perf_counter()
        ids = {s.name: s.id for s in sources if s.id is not None}
        pairs = config.matcher.matcher.fit_predict(
            frames, id=ids or None, threshold=config.matcher.threshold
        )
        graph.link(pairs, threshold=config.matcher.threshold)
        _log.info(
            "matcher: %d pairs at or above %.3f in %.2f s",
            len(pairs),
            config.matcher.threshold,
            time.perf_counter() - start,
        )
    _check_phone_regions(config, graph)
    return frames


def _parse_source(text: str, config: Config) -> SourceConfig:
    """``NAME=PATH[:ID]``, or the name of a source of the job file."""
    name, sep, rest = text.partition("=")
    if not sep:
        return config.source(text)
    path, _, id_column = rest.partition(":")
    if not name or not path:
        msg = f"--source {text!r}: write NAME=PATH[:ID_COLUMN] or the name of a job-file source"
        raise click.BadParameter(msg)
    return SourceConfig(
        name=name, path=Path(path), format=format_of(Path(path)), id=id_column or None
    )


def _parse_identifier(text: str, region: str | None) -> Identifier:
    kind, sep, column = text.partition(":")
    if not sep or kind not in IDENTIFIER_TYPES or not column:
        types = ", ".join(IDENTIFIER_TYPES)
        msg = f"--identifier {text!r}: write TYPE:COLUMN with TYPE one of {types}"
        raise click.BadParameter(msg)
    if kind == "phone":
        return Phone(column, region=region)
    return IDENTIFIER_TYPES[kind](column)


def _merged(
    config: Config, sources: Sequence[str], identifiers: Sequence[str], region: str | None
) -> Config:
    """The job file with the command line's sources, identifiers and region added."""
    specs = list(config.identifiers)
    if region is not None:
        specs = [
            replace(s, region=region) if isinstance(s, Phone) and not s.region else s for s in specs
        ]
    specs += [_parse_identifier(text, region) for text in identifiers]
    chosen = [_parse_source(text, config) for text in sources]
    return replace(
        config, identifiers=tuple(specs), sources=tuple(chosen) if chosen else config.sources
    )


def _store_path(config: Config, store: str | None) -> Path | None:
    return Path(store) if store is not None else config.store


def _require(store: Path | None) -> Path:
    if store is None:
        msg = 'no store: give --store DIR or store = "DIR" in the job file'
        raise ConfigError(msg)
    return store


def _load(store: Path | None) -> IdentityGraph:
    store = _require(store)
    start = time.perf_counter()
    graph = IdentityGraph.load(store)
    _log.info("loaded store: %d records in %.2f s", len(graph), time.perf_counter() - start)
    return graph


def _save(graph: IdentityGraph, store: Path) -> None:
    start = time.perf_counter()
    graph.save(store)
    _log.info("saved store: %d records in %.2f s", len(graph), time.perf_counter() - start)


def _new_graph(config: Config) -> IdentityGraph:
    if not config.identifiers:
        msg = "no identifiers: add [[identifiers]] to the job file or --identifier TYPE:COLUMN"
        raise ConfigError(msg)
    return IdentityGraph(config.identifiers, attributes=config.attributes)


def _resolved_graph(config: Config) -> IdentityGraph:
    if not config.sources:
        msg = "no sources: add [[sources]] to the job file or --source NAME=PATH[:ID]"
        raise ConfigError(msg)
    graph = _new_graph(config)
    _add_sources(graph, config, config.sources)
    return graph


def _stored_or_resolved(config: Config, store: str | None) -> IdentityGraph:
    """The graph of the store when it is on disk, else the job's sources resolved now."""
    target = _store_path(config, store)
    return _load(target) if target is not None and target.exists() else _resolved_graph(config)


def _record_key(graph: IdentityGraph, text: str) -> tuple[str, Hashable]:
    """``SOURCE:ID`` as a key of the graph; ``ID`` as text, else as an integer."""
    source, sep, record = text.partition(":")
    if not sep or not source or not record:
        msg = f"record {text!r}: write SOURCE:RECORD_ID"
        raise click.BadParameter(msg)
    candidates: list[Hashable] = [record]
    if record.lstrip("-").isdigit():
        candidates.append(int(record))
    for candidate in candidates:
        try:
            graph.person_of(source, candidate)
        except UnknownRecordError:
            continue
        return source, candidate
    msg = f"no record {source}:{record} in the graph"
    raise UnknownRecordError(msg)


def _summary(changes: Any) -> str:
    return (
        f"{changes.records_added:,} records added, {changes.records_removed:,} removed, "
        f"{len(changes.new_persons):,} new persons, {len(changes.removed_persons):,} removed "
        f"persons, {len(changes.merges):,} merges, {len(changes.splits):,} splits"
    )


def _common(func: F) -> F:
    """``-c/--config`` and ``--store``, shared by the graph commands."""
    func = click.option(
        "--store",
        type=click.Path(file_okay=False),
        default=None,
        help="Directory of the saved graph (overrides store = in the job file).",
    )(func)
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="TOML job file: sources, identifiers, matcher, golden rules, store.",
    )(func)


def _sources_options(func: F) -> F:
    func = click.option(
        "--region", default=None, help="Default region of phone specs without one, e.g. US."
    )(func)
    func = click.option(
        "--identifier",
        "identifiers",
        multiple=True,
        metavar="TYPE:COLUMN",
        help="Identifier spec (TYPE: email, phone, cookie, key); repeatable.",
    )(func)
    return click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="NAME=PATH[:ID]",
        help="A source file, or the name of a job-file source; repeatable.",
    )(func)


# -- commands ----------------------------------------------------------------------------


def _version() -> str:
    from identigraph import __version__

    return __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="identigraph")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.option("-v", "--verbose", is_flag=True, help="Log counts and timings of each step.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--progress/--no-progress", default=None, help="Force progress bars on or off (default: auto)."
)
@click.pass_context
def cli(
    ctx: click.Context, debug: bool, verbose: bool, strict: bool, progress: bool | None
) -> None:
    """Identity resolution for customer data: link records into persons and golden records."""
    del debug  # read by main() before parsing, so that parse errors honour it too
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("identigraph: %(name)s: %(message)s"))
        logger = logging.getLogger("identigraph")
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

        def restore() -> None:
            logger.removeHandler(handler)
            logger.setLevel(level)

        ctx.call_on_close(restore)
    ctx.obj = _State(strict=strict, progress=progress)


@cli.command()
@click.option("--persons", type=click.IntRange(min=1), default=20_000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def demo(persons: int, seed: int) -> None:
    """Resolve the built-in synthetic data and print a report."""
    from identigraph import datasets

    start = time.perf_counter()
    sources, truth = datasets.customers(n_persons=persons, seed=seed)
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
        f"identigraph demo: synthetic customers, seed {seed}",
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
    click.echo("\n".join(lines))


@cli.command()
@_common
@_sources_options
@click.option(
    "-o", "--output", required=True, callback=_output_path, help="Clusters file (.csv, .parquet)."
)
@click.option("--rejects", callback=_output_path, default=None, help="Rejects file to write.")
def resolve(
    config_path: str | None,
    store: str | None,
    sources: tuple[str, ...],
    identifiers: tuple[str, ...],
    region: str | None,
    output: Path,
    rejects: Path | None,
) -> None:
    """Resolve every source into persons: one row per record with its person_id.

    Saves the graph to the store when one is set.
    """
    config = _merged(_job(config_path), sources, identifiers, region)
    graph = _resolved_graph(config)
    clusters = graph.clusters().astype({"source": str, "record_id": str})
    _write(clusters, output)
    if rejects is not None:
        _write(graph.rejects.astype({"record_id": str}), rejects)
    target = _store_path(config, store)
    if target is not None:
        _save(graph, target)
    click.echo(f"{len(graph):,} records, {graph.n_persons:,} persons -> {output}")


def _flat(records: pd.DataFrame, config: Config, output: Path) -> pd.DataFrame:
    """Golden records ready for a file: provenance ids as text, lists joined with | in CSV."""
    flat = records.copy()
    for column in flat.columns:
        if str(column).endswith("__record_id"):
            flat[column] = flat[column].astype("str").where(flat[column].notna())
    if format_of(output) == "parquet":
        return flat
    for name, rule in config.golden.rules.items():
        if isinstance(rule, Collect) and name in flat.columns:
            items = flat[name].explode()
            joined = items.dropna().astype(str).groupby(level=0).agg("|".join)
            flat[name] = joined.reindex(flat.index).fillna("")
    return flat


@cli.command()
@_common
@_sources_options
@click.option("-o", "--output", required=True, callback=_output_path, help="Golden records file.")
def golden(
    config_path: str | None,
    store: str | None,
    sources: tuple[str, ...],
    identifiers: tuple[str, ...],
    region: str | None,
    output: Path,
) -> None:
    """One golden record per person, by the job file's [golden] rules.

    Reads the store when it exists, else resolves the sources.
    """
    config = _merged(_job(config_path), sources, identifiers, region)
    graph = _stored_or_resolved(config, store)
    records = golden_records(
        graph.records(),
        graph.clusters(),
        dict(config.golden.rules),
        default=config.golden.default,
        normalizers={spec.column: spec.canonicalize for spec in graph.identifiers},
        rejected=graph.rejects,
        progress=_state().progress,
    )
    _write(_flat(records, config, output), output)
    click.echo(f"{len(records):,} golden records -> {output}")


@cli.command()
@_common
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--changes", callback=_output_path, default=None, help="Merges and splits file.")
def add(
    config_path: str | None, store: str | None, sources: tuple[str, ...], changes: Path | None
) -> None:
    """Add new records onto the store and resolve only the persons they touch.

    SOURCE is the name of a job-file source or NAME=PATH[:ID]. Without a store
    on disk, a new graph is started from the job file's specs.
    """
    config = _job(config_path)
    target = _require(_store_path(config, store))
    if target.exists():
        graph = _load(target)
        if config.identifiers and tuple(config.identifiers) != tuple(graph.identifiers):
            _warn("the job file's identifiers differ from the store's; the store's are used")
        config = replace(config, identifiers=tuple(graph.identifiers))
    else:
        graph = _new_graph(config)
    chosen = [_parse_source(text, config) for text in sources]
    frames = {s.name: _read(config, s) for s in chosen}
    graph.resolve()
    changed = []
    for source in chosen:
        step = graph.add(frames[source.name], source=source.name, id=source.id)
        click.echo(f"{source.name}: {_summary(step)}")
        changed += [
            step.merges.assign(change="merge", source=source.name),
            step.splits.assign(change="split", source=source.name),
        ]
    _check_phone_regions(config, graph)
    _save(graph, target)
    if changes is not None:
        _write(pd.concat(changed, ignore_index=True), changes)
    click.echo(f"{len(graph):,} records, {graph.n_persons:,} persons -> {target}")


@cli.command()
@_common
@click.option("--record", "records", multiple=True, metavar="SOURCE:ID", help="Repeatable.")
@click.option("--person", "persons", multiple=True, type=int, help="Person id; repeatable.")
def remove(
    config_path: str | None, store: str | None, records: tuple[str, ...], persons: tuple[int, ...]
) -> None:
    """Erase records or whole persons from the store (an erasure request)."""
    if not records and not persons:
        msg = "give --record SOURCE:ID or --person ID"
        raise click.UsageError(msg)
    target = _require(_store_path(_job(config_path), store))
    graph = _load(target)
    keys = [_record_key(graph, text) for text in records]
    changes = graph.remove(records=keys or None, person=list(persons) or None)
    _save(graph, target)
    click.echo(_summary(changes))


@cli.command()
@_common
@click.argument("values", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.option("--all", "show_all", is_flag=True, help="Show the answer of each value.")
def lookup(
    config_path: str | None, store: str | None, values: tuple[str, ...], show_all: bool
) -> None:
    """The person that raw identifier values point to (KEY: a column or kind).

    Prints the person id; exits with 1 when no person is found. Values are never
    printed back.
    """
    query: dict[str, object] = {}
    for text in values:
        key, sep, value = text.partition("=")
        if not sep or not key:
            msg = "write each value as KEY=VALUE (KEY: an identifier column or kind)"
            raise click.BadParameter(msg)
        query[key] = value
    graph = _load(_store_path(_job(config_path), store))
    if show_all:
        click.echo(graph.lookup_all(query).to_string(index=False))
    person = graph.lookup(query)
    if person is None:
        click.echo("no person", err=True)
        raise click.exceptions.Exit(EXIT_CODES["not_found"])
    click.echo(str(person))


@cli.command()
@_common
@click.argument("a", metavar="SOURCE:ID")
@click.argument("b", metavar="SOURCE:ID")
def explain(config_path: str | None, store: str | None, a: str, b: str) -> None:
    """The chain of evidence between two records, values masked."""
    graph = _load(_store_path(_job(config_path), store))
    click.echo(str(graph.explain(_record_key(graph, a), _record_key(graph, b))))


@cli.command()
@_common
@_sources_options
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--html", type=click.Path(dir_okay=False), default=None, help="Also write HTML.")
def report(
    config_path: str | None,
    store: str | None,
    sources: tuple[str, ...],
    identifiers: tuple[str, ...],
    region: str | None,
    top: int,
    html: str | None,
) -> None:
    """Cluster sizes, largest persons, generic values, cut links and rejects."""
    config = _merged(_job(config_path), sources, identifiers, region)
    graph = _stored_or_resolved(config, store)
    summary = graph.report(top=top)
    click.echo(str(summary))
    if html is not None:
        from identigraph.notebook import report_html

        Path(html).write_text(report_html(summary), encoding="utf-8")


@cli.command()
@click.argument("config_path", metavar="JOB.toml", type=click.Path(exists=True, dir_okay=False))
def check(config_path: str) -> None:
    """Read a job file and say what it sets; exits with 2 on a mistake."""
    config = load_config(config_path)
    click.echo(
        f"{len(config.sources)} sources, {len(config.identifiers)} identifiers, "
        f"{len(config.attributes)} attributes, matcher {'yes' if config.matcher else 'no'}, "
        f"{len(config.golden.rules)} golden rules, store {config.store or 'none'}"
    )
    for spec in config.identifiers:
        if isinstance(spec, Phone) and spec.region is None:
            _warn(f"phone column {spec.column!r} has no region: only +E.164 numbers will parse")


# -- entry point -------------------------------------------------------------------------


def _error(message: str, code: str) -> int:
    click.echo(f"identigraph: error: {message}", err=True)
    return EXIT_CODES[code]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``identigraph`` command; returns the exit status.

    Errors are one line on standard error (no traceback unless ``--debug``) and an
    exit status from :data:`EXIT_CODES`.

    Examples
    --------
    >>> main(["demo", "--persons", "200"])  # doctest: +ELLIPSIS
    identigraph demo: synthetic customers, seed 0
    ...
    0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="identigraph", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.UsageError as err:
        if debug:
            raise
        if type(err).__name__ == "NoArgsIsHelpError":  # bare `identigraph` (click >= 8.2)
            click.echo(err.format_message(), err=True)
            return EXIT_CODES["usage"]
        hint = (
            f" (see identigraph {err.ctx.command_path.split(' ', 1)[-1]} --help)"
            if (err.ctx is not None and " " in err.ctx.command_path)
            else " (see identigraph --help)"
        )
        return _error(err.format_message() + hint, "usage")
    except click.Abort:
        return _error("aborted", "data")
    except ConfigError as err:
        if debug:
            raise
        return _error(str(err), "usage")
    except (IdentigraphError, OSError) as err:
        if debug:
            raise
        return _error(str(err) or type(err).__name__, "data")
    except Exception as err:  # a bug: say so in one line, the traceback with --debug
        if debug:
            raise
        _log.debug("internal error", exc_info=True)
        where = traceback.extract_tb(err.__traceback__)[-1]
        return _error(
            f"internal error {type(err).__name__} at {Path(where.filename).name}:{where.lineno}; "
            "rerun with --debug and report it",
            "internal",
        )
    return int(result) if isinstance(result, int) else 0
