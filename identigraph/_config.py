"""The TOML job file of the command line: everything the Python API can set, as plain data.

A job file names the sources (path, format, record id column, column renames),
the identifier specs (with regions, limits and junk lists), the attributes, the
matcher (comparisons, blocking, threshold), the golden-record rules and the store::

    store = "graph"                 # directory of the saved graph (optional)
    region = "US"                   # default region of every phone spec (optional)

    [[sources]]
    name = "crm"
    path = "crm.csv"                # relative to the job file
    id = "customer_id"
    columns = { mail = "email" }    # renames, applied first
    parse_dates = ["updated_at"]

    [[identifiers]]
    type = "email"                  # email, phone, cookie or key
    column = "email"
    max_per_person = 3

    [[attributes]]
    column = "first_name"

    [matcher]
    threshold = 0.9
    comparisons = [{ type = "name", column = "last_name" }]
    blocking = [{ on = ["postcode"] }]

    [golden]
    default = "most_frequent"       # or "none"
    rules.first_name = { rule = "source_priority", order = ["crm", "web"] }

:func:`load_config` reads and checks the file; every mistake is a
:class:`~identigraph.errors.ConfigError` naming the table and key at fault.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from identigraph.errors import ConfigError
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.blocking import Block
from identigraph.matcher.comparisons import (
    Comparison,
    DateComparison,
    EditDistanceComparison,
    ExactComparison,
    NameComparison,
    NumberComparison,
    TextComparison,
)
from identigraph.matcher.linker import Matcher
from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Phone
from identigraph.merge.rules import (
    Collect,
    Count,
    FirstNonNull,
    Longest,
    Max,
    Min,
    MostFrequent,
    MostRecent,
    Oldest,
    Rule,
    Select,
    SourcePriority,
    Sum,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "COMPARISON_TYPES",
    "FORMATS",
    "IDENTIFIER_TYPES",
    "RULES",
    "Config",
    "GoldenConfig",
    "MatcherConfig",
    "SourceConfig",
    "config_from_dict",
    "format_of",
    "load_config",
]

Format = Literal["csv", "tsv", "parquet"]

#: File formats by extension, for sources and outputs.
FORMATS: dict[str, Format] = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}

#: ``type =`` of an ``[[identifiers]]`` table.
IDENTIFIER_TYPES: dict[str, type[Identifier]] = {
    "email": Email,
    "phone": Phone,
    "cookie": Cookie,
    "key": Key,
}

#: ``type =`` of a matcher comparison (short names and the class names).
COMPARISON_TYPES: dict[str, type[Comparison]] = {
    "exact": ExactComparison,
    "name": NameComparison,
    "text": TextComparison,
    "edit_distance": EditDistanceComparison,
    "number": NumberComparison,
    "date": DateComparison,
}
COMPARISON_TYPES.update({cls.__name__: cls for cls in list(COMPARISON_TYPES.values())})

#: ``rule =`` of a golden rule.
RULES: dict[str, type[Rule]] = {
    "most_recent": MostRecent,
    "oldest": Oldest,
    "most_frequent": MostFrequent,
    "source_priority": SourcePriority,
    "longest": Longest,
    "first_non_null": FirstNonNull,
    "max": Max,
    "min": Min,
    "sum": Sum,
    "count": Count,
    "collect": Collect,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceConfig:
    """One input file.

    Attributes
    ----------
    name : str
        Source name in the graph (``"crm"``).
    path : pathlib.Path
        The file; relative paths are taken from the job file's directory.
    format : {"csv", "tsv", "parquet"}
        From the extension unless given.
    id : str or None
        Record id column; ``None``: the row number.
    columns : dict
        Renames ``{file column: graph column}``, applied first.
    parse_dates : tuple of str
        Columns read as datetimes (after renaming).
    """

    name: str
    path: Path
    format: Format
    id: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    parse_dates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            msg = "sources: every source needs a non-empty name"
            raise ConfigError(msg)
        if self.format not in get_args(Format):
            msg = f"source {self.name!r}: format must be one of {get_args(Format)}"
            raise ConfigError(msg)
        if self.id is not None and not isinstance(self.id, str):
            msg = f"source {self.name!r}: id must be a column name"
            raise ConfigError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class MatcherConfig:
    """The ``[matcher]`` table: a matcher and the probability a pair needs to link."""

    matcher: Matcher
    threshold: float = 0.9

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, (int, float)) or not 0 < self.threshold <= 1:
            msg = f"matcher: threshold must be in (0, 1], got {self.threshold!r}"
            raise ConfigError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldenConfig:
    """The ``[golden]`` table: rules per field and the default rule (None: no other fields)."""

    rules: Mapping[str, Rule] = field(default_factory=dict)
    default: Rule | None = field(default_factory=MostFrequent)


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """A whole job file, checked.

    Attributes
    ----------
    sources : tuple of SourceConfig
    identifiers : tuple of Identifier
    attributes : tuple of Attribute
    matcher : MatcherConfig or None
    golden : GoldenConfig
    store : pathlib.Path or None
    """

    sources: tuple[SourceConfig, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    matcher: MatcherConfig | None = None
    golden: GoldenConfig = field(default_factory=GoldenConfig)
    store: Path | None = None

    def __post_init__(self) -> None:
        names = [s.name for s in self.sources]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            msg = f"sources: names repeat: {repeated}"
            raise ConfigError(msg)

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``.

        Raises
        ------
        ConfigError
            No such source in the job file.
        """
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        msg = f"no source {name!r} in the job file (sources: {known})"
        raise ConfigError(msg)


def format_of(path: Path, given: str | None = None, *, what: str = "file") -> Format:
    """The format of ``path``: ``given`` if set, else from the extension.

    Raises
    ------
    ConfigError
        An unknown format or extension.

    Examples
    --------
    >>> format_of(Path("clusters.parquet")), format_of(Path("x.txt"), "csv")
    ('parquet', 'csv')
    """
    if given is not None:
        if given not in get_args(Format):
            msg = f"{what} {path.name}: format must be one of {', '.join(get_args(Format))}"
            raise ConfigError(msg)
        return given  # type: ignore[return-value]
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        msg = f"{what} {path.name}: unknown extension {suffix or '(none)'!r}; use {known}"
        raise ConfigError(msg)
    return FORMATS[suffix]


# -- building objects from tables --------------------------------------------------------


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        msg = f"{where}: expected a table, got {type(value).__name__}"
        raise ConfigError(msg)
    return dict(value)


def _tables(value: object, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        msg = f"{where}: expected an array of tables ([[{where}]])"
        raise ConfigError(msg)
    return [_table(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _pick(registry: Mapping[str, Any], name: object, where: str, key: str) -> Any:
    if not isinstance(name, str) or name not in registry:
        close = difflib.get_close_matches(str(name), list(registry), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"{where}: unknown {key} {name!r}; one of {', '.join(registry)}{hint}"
        raise ConfigError(msg)
    return registry[name]


def _build(cls: Callable[..., Any], options: dict[str, Any], where: str) -> Any:
    """``cls(**options)`` with lists as tuples; unknown keys and bad values as ConfigError."""
    known = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    unknown = sorted(set(options) - known) if known else []
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"{where}: unknown key {unknown[0]!r} for {cls.__name__}{hint}"
        raise ConfigError(msg)
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
    if "junk" in kwargs:
        kwargs["junk"] = frozenset(kwargs["junk"])
    try:
        return cls(**kwargs)
    except ConfigError as err:
        msg = f"{where}: {err}"
        raise ConfigError(msg) from err
    except (TypeError, ValueError) as err:
        msg = f"{where}: invalid {cls.__name__} options: {err}"
        raise ConfigError(msg) from err


def _identifier(table: dict[str, Any], where: str, region: str | None) -> Identifier:
    cls = _pick(IDENTIFIER_TYPES, table.pop("type", None), where, "type")
    if cls is Phone and region is not None:
        table.setdefault("region", region)
    spec: Identifier = _build(cls, table, where)
    return spec


def _rule(value: object, where: str) -> Rule:
    table = {"rule": value} if isinstance(value, str) else _table(value, where)
    cls = _pick(RULES, table.pop("rule", None), where, "rule")
    then: Any = table.pop("then", [])
    rule: Rule = _build(cls, table, where)
    for i, item in enumerate(then if isinstance(then, list) else [then]):
        tie = _rule(item, f"{where}.then[{i}]")
        if not isinstance(rule, Select) or not isinstance(tie, Select):
            msg = f"{where}: only selection rules take tie-breakers (then = ...)"
            raise ConfigError(msg)
        rule = rule.then(tie)
    return rule


def _matcher(table: dict[str, Any]) -> MatcherConfig:
    threshold = table.pop("threshold", 0.9)
    comparisons = []
    for i, item in enumerate(_tables(table.pop("comparisons", None), "matcher.comparisons")):
        where = f"matcher.comparisons[{i}]"
        cls = _pick(COMPARISON_TYPES, item.pop("type", None), where, "type")
        comparisons.append(_build(cls, item, where))
    blocking = [
        _build(Block, item, f"matcher.blocking[{i}]")
        for i, item in enumerate(_tables(table.pop("blocking", None), "matcher.blocking"))
    ]
    try:
        matcher = Matcher(comparisons, blocking, **table)
    except ConfigError as err:
        msg = f"matcher: {err}"
        raise ConfigError(msg) from err
    except TypeError as err:
        msg = f"matcher: unknown key in {sorted(table)}: {err}"
        raise ConfigError(msg) from err
    return MatcherConfig(matcher=matcher, threshold=threshold)


def _source(table: dict[str, Any], where: str, base: Path) -> SourceConfig:
    for key in ("name", "path"):
        if not isinstance(table.get(key), str):
            msg = f'{where}: {key} = "..." is required'
            raise ConfigError(msg)
    path = Path(table.pop("path")).expanduser()
    path = path if path.is_absolute() else base / path
    options = {"format": format_of(path, table.pop("format", None), what=where), **table}
    if isinstance(options.get("parse_dates"), list):
        options["parse_dates"] = tuple(options["parse_dates"])
    try:
        source: SourceConfig = SourceConfig(path=path, **options)
    except TypeError as err:
        msg = f"{where}: unknown key in {sorted(table)}"
        raise ConfigError(msg) from err
    return source


def config_from_dict(data: Mapping[str, Any], *, base: Path | None = None) -> Config:
    """Build a :class:`Config` from the parsed TOML ``data``.

    Parameters
    ----------
    data : mapping
        The job file's tables.
    base : pathlib.Path, optional
        Directory relative paths start from (the job file's); default the current one.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        An unknown table, key, type or rule, or an invalid value.

    Examples
    --------
    >>> config = config_from_dict({
    ...     "region": "US",
    ...     "identifiers": [{"type": "email", "column": "email", "max_per_person": 3},
    ...                     {"type": "phone", "column": "phone"}],
    ...     "golden": {"rules": {"name": {"rule": "source_priority", "order": ["crm"],
    ...                                   "then": ["most_frequent"]}}},
    ... })
    >>> config.identifiers[1].region
    'US'
    >>> config.golden.rules["name"]
    SourcePriority(order=('crm',)).then(MostFrequent())
    """
    base = Path.cwd() if base is None else base
    data = dict(data)
    known = {"store", "region", "sources", "identifiers", "attributes", "matcher", "golden"}
    unknown = sorted(set(data) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"unknown top-level key {unknown[0]!r}{hint}"
        raise ConfigError(msg)
    region = data.get("region")
    if region is not None and not isinstance(region, str):
        msg = 'region must be a string such as "US"'
        raise ConfigError(msg)
    identifiers = tuple(
        _identifier(t, f"identifiers[{i}]", region)
        for i, t in enumerate(_tables(data.get("identifiers"), "identifiers"))
    )
    attributes = tuple(
        _build(Attribute, t, f"attributes[{i}]")
        for i, t in enumerate(_tables(data.get("attributes"), "attributes"))
    )
    sources = tuple(
        _source(t, f"sources[{i}]", base)
        for i, t in enumerate(_tables(data.get("sources"), "sources"))
    )
    matcher = _matcher(_table(data["matcher"], "matcher")) if "matcher" in data else None
    golden_table = _table(data.get("golden", {}), "golden")
    default_value = golden_table.pop("default", "most_frequent")
    rules = {
        str(name): _rule(value, f"golden.rules.{name}")
        for name, value in _table(golden_table.pop("rules", {}), "golden.rules").items()
    }
    if golden_table:
        msg = f"golden: unknown key {sorted(golden_table)[0]!r}; use rules and default"
        raise ConfigError(msg)
    default = None if default_value == "none" else _rule(default_value, "golden.default")
    store = data.get("store")
    if store is not None and not isinstance(store, str):
        msg = "store must be a directory path"
        raise ConfigError(msg)
    store_path = None
    if store is not None:
        store_path = Path(store).expanduser()
        store_path = store_path if store_path.is_absolute() else base / store_path
    return Config(
        sources=sources,
        identifiers=identifiers,
        attributes=attributes,
        matcher=matcher,
        golden=GoldenConfig(rules=rules, default=default),
        store=store_path,
    )


def load_config(path: str | Path) -> Config:
    """Read and check the TOML job file at ``path``.

    Raises
    ------
    ConfigError
        The file is not valid TOML or holds an invalid setting (see
        :func:`config_from_dict`).
    FileNotFoundError
        No file at ``path``.
    """
    path = Path(path)
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            msg = f"{path.name} is not valid TOML: {err}"
            raise ConfigError(msg) from err
    return config_from_dict(data, base=path.resolve().parent)
