"""Resolve Spark DataFrames into persons with the in-memory engine's rules and person ids."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from identigraph._optional import import_optional
from identigraph._progress import progress_bar
from identigraph._unique import sorted_difference, sorted_unique
from identigraph.errors import (
    ConfigError,
    DtypeError,
    DuplicateRecordError,
    InputError,
    MissingColumnError,
    NoIdentifierColumnsError,
    OverrideConflictError,
    UnknownRecordError,
)
from identigraph.graph.core import SurvivorPolicy
from identigraph.matcher import DEFAULT_THRESHOLD
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Identifier
from identigraph.spark import _engine
from identigraph.spark.components import _cut_lineage, star_components

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame
    from pyspark.sql.types import DataType

__all__ = ["SparkResult", "resolve"]

log = logging.getLogger("identigraph.spark")

_PAIR_COLUMNS = ("source_l", "record_id_l", "source_r", "record_id_r", "match_probability")
_PREVIOUS_COLUMNS = ("source", "record_id", "person_id")
_OVERRIDE_COLUMNS = ("kind", "source_a", "record_id_a", "source_b", "record_id_b")
_OVERRIDE_KINDS = ("must_link", "cannot_link")
_BIG = int(np.iinfo(np.int64).max)
_MASK63 = 0x7FFF_FFFF_FFFF_FFFF
# Extraction rows: 0 a record, 1 an identifier link key, 2 a reject, 3 an attribute value.
_RECORD, _EDGE, _REJECT, _ATTRIBUTE = 0, 1, 2, 3
_MISSING = 4  # an extraction row telling that a batch held records without an id
_ARROW_BATCH = "spark.sql.execution.arrow.maxRecordsPerBatch"
# Rows an Arrow batch of the extraction holds: the extraction's cost is per
# batch as much as per row (it factorizes each column), so fewer, larger batches.
_EXTRACT_BATCH_ROWS = 100_000
# Records of the components that break a limit up to which their links are found by a
# broadcast join (no shuffle of every link); above, by a shuffle join.
_BROADCAST_MEMBERS = 2_000_000
_CONFLICT_SCHEMA = (
    "source string, record_id string, person_id long, kind string, value string, "
    "other_source string, other_record_id string, other_person_id long, "
    "match_probability double, reason string, limit string, override_reason string"
)


@dataclass(frozen=True, slots=True)
class SparkResult:
    """Persons resolved on Spark: lazy DataFrames over cached intermediate tables.

    Attributes
    ----------
    clusters : pyspark.sql.DataFrame
        ``source, record_id, person_id``: one row per record.
    rejects : pyspark.sql.DataFrame
        ``source, record_id, column, reason``: one row per unusable identifier
        value (the value itself is not shown).
    conflicts : pyspark.sql.DataFrame
        Links cut by per-person limits, in the columns of
        :meth:`identigraph.IdentityGraph.conflicts` (record ids as strings).
    generic_values : pyspark.sql.DataFrame
        ``kind, value, records``: link keys over their kind's ``max_records``.
    id_history : pyspark.sql.DataFrame or None
        With ``previous=``: ``old_id, new_id, reason`` where reason is ``merge``,
        ``split``, ``new`` (``old_id`` null) or ``retired`` (``new_id`` null).
    rounds : int
        Rounds of the connected-components step.
    edges_per_round : tuple of int
        Edges left after each round (the shuffle volume of the next one).

    Examples
    --------
    >>> SparkResult.__dataclass_fields__.keys() >= {"clusters", "rejects", "rounds"}
    True
    """

    clusters: DataFrame
    rejects: DataFrame
    conflicts: DataFrame
    generic_values: DataFrame
    id_history: DataFrame | None
    rounds: int
    edges_per_round: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Source:
    """One input source, checked: its name, frame, id column and the columns it feeds."""

    index: int
    name: str
    frame: DataFrame
    id_column: str
    integral_id: bool
    columns: tuple[str, ...]  # identifier and attribute columns present, input order


# ---------------------------------------------------------------------------- checks
_INTEGRAL = ("ByteType", "ShortType", "IntegerType", "LongType")
_FRACTIONAL = ("FloatType", "DoubleType", "DecimalType")


def _sample(spark_type: DataType) -> pd.Series | None:
    """A one-value pandas series of the dtype a Spark column arrives as, if it matters."""
    name = type(spark_type).__name__
    if name in _INTEGRAL:
        return pd.Series([1], dtype=np.int64)
    if name in _FRACTIONAL:
        return pd.Series([1.0])
    if name == "BooleanType":
        return pd.Series([True])
    if name in ("TimestampType", "TimestampNTZType"):
        return pd.Series([pd.Timestamp(0)])
    return None


def _check_sources(
    sources: Mapping[str, DataFrame],
    ids: Mapping[str, str],
    identifiers: Sequence[Identifier],
    attributes: Sequence[Attribute],
) -> list[_Source]:
    from pyspark.sql import DataFrame

    if not isinstance(sources, Mapping) or not sources:
        msg = "sources must be a non-empty mapping {source name: Spark DataFrame}"
        raise InputError(msg)
    out = []
    for index, (name, frame) in enumerate(sources.items()):  # one step per source
        if not isinstance(name, str) or not name:
            msg = "source names must be non-empty strings"
            raise InputError(msg)
        if not isinstance(frame, DataFrame):
            msg = f"source {name!r}: expected a Spark DataFrame, got {type(frame).__name__}"
            raise InputError(msg)
        if name not in ids:
            msg = f"source {name!r}: ids= names no id column for it (Spark frames have no index)"
            raise InputError(msg)
        fields = {f.name: f.dataType for f in frame.schema.fields}
        id_column = ids[name]
        if id_column not in fields:
            msg = f"source {name!r} has no id column {id_column!r}"
            raise MissingColumnError(msg, column=id_column, available=list(fields))
        id_type = type(fields[id_column]).__name__
        if id_type not in (*_INTEGRAL, "StringType"):
            msg = f"source {name!r}: id column {id_column!r} must hold integers or strings"
            raise DtypeError(msg, column=id_column, dtype=id_type)
        present = [s for s in identifiers if s.column in fields]
        if not present:
            wanted = [s.column for s in identifiers]
            msg = (
                f"source {name!r} carries none of the identifier columns {wanted}; "
                f"its columns are {list(fields)}"
            )
            raise NoIdentifierColumnsError(msg)
        for spec in present:  # the dtype check of the pandas engine, on a sample
            sample = _sample(fields[spec.column])
            if sample is not None:
                spec.to_text(sample)
        columns = [
            c
            for c in fields
            if c != id_column
            and (any(s.column == c for s in identifiers) or any(a.column == c for a in attributes))
        ]
        out.append(_Source(index, name, frame, id_column, id_type in _INTEGRAL, tuple(columns)))
    extra = sorted(set(ids) - set(sources))
    if extra:
        msg = f"ids= names sources that are not given: {extra}"
        raise InputError(msg)
    return out


def _check_columns(frame: DataFrame | None, needed: Sequence[str], what: str) -> None:
    if frame is None:
        return
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = f"{what} lacks columns {missing}"
        raise MissingColumnError(msg, column=missing[0], available=list(frame.columns))


# ---------------------------------------------------------------------------- helpers
_EXTRACT_COLUMNS = ("t", "node", "spec", "kind", "key", "reason", "rid")
_SPLIT_COLUMNS = (
    "t", "node", "person_id", "source", "record_id", "kind", "value", "other_source",
    "other_record_id", "other_person_id", "match_probability", "reason", "limit",
    "override_reason",
)  # fmt: skip
_CARRY_COLUMNS = ("t", "node", "person_id", "old_id", "new_id", "reason")
_SPLIT_TEXT = (
    "source", "record_id", "kind", "value", "other_source", "other_record_id", "reason", "limit",
    "override_reason",
)  # fmt: skip


def _columns(
    parts: Sequence[pd.DataFrame], names: Sequence[str], text: Sequence[str]
) -> pd.DataFrame:
    """The rows of ``parts`` with exactly the columns ``names``, ``t`` as int8.

    A non-text column a part lacks is filled with zeros before the parts are
    joined, so that 64-bit integers never pass through floats (``t`` tells which
    columns a row uses). The ``text`` columns become plain objects with ``None``
    for missing: Arrow-backed strings may be chunked and an all-missing column is
    float, neither of which PySpark sends as a string column.
    """
    filled = []
    for part in parts:
        part = part.reindex(columns=list(names))
        for c in names:
            if c not in text and part[c].isna().all():
                part[c] = 0
        filled.append(part)
    out = pd.concat(filled, ignore_index=True)
    for c in text:
        column = out[c].astype(object).to_numpy(copy=True)
        column[pd.isna(column)] = None
        out[c] = pd.Series(column, index=out.index, dtype=object)
    return out.astype({"t": np.int8})


def _pick(values: Sequence[Any], index: Column) -> Column:
    """``values[index]`` as a Spark expression (``index`` a 0-based integer column)."""
    from pyspark.sql import functions as F

    return F.element_at(F.array(*[F.lit(v) for v in values]), index + 1)


def _as_ids(values: pd.Series, integral: bool) -> pd.Index:
    """Record ids of one source as the pandas engine holds them."""
    if integral:
        return pd.Index(pd.to_numeric(values).astype(np.int64))
    return pd.Index(values.astype(str).to_numpy(dtype=object), dtype=object)


def _node_frame(
    frame: DataFrame, source_of: Column | str, id_of: str, sources: list[_Source], name: str
) -> DataFrame:
    """``frame`` with a node-id column ``name`` for the record ``(source_of, id_of)``.

    Unknown sources get a null node.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StructField, StructType

    by_name = {s.name: s.integral_id for s in sources}
    schema = StructType([*frame.schema.fields, StructField(name, LongType(), True)])
    tmp = "__src"
    source_column = F.col(source_of) if isinstance(source_of, str) else source_of
    input_frame = frame.withColumn(tmp, source_column.cast("string"))

    def add_nodes(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            nodes = pd.array(np.zeros(len(batch), np.int64), dtype="Int64")
            nodes[:] = pd.NA
            src = batch[tmp].to_numpy(dtype=object)
            for source in pd.unique(src):  # one step per source named
                if source not in by_name:
                    continue
                rows = np.flatnonzero(src == source)
                record_ids = _as_ids(batch[id_of].iloc[rows], by_name[source])
                nodes[rows] = _engine.node_ids(source, record_ids)
            yield batch.drop(columns=tmp).assign(**{name: nodes})

    return input_frame.mapInPandas(add_nodes, schema)


def _extract_source(
    source: _Source, identifiers: Sequence[Identifier], attributes: Sequence[Attribute]
) -> DataFrame:
    """Records, link keys, rejects and attribute values of one source, in one pass.

    The pass is a ``mapInArrow``: identifier columns of text reach the pandas
    engine's extraction as Arrow-backed columns (their values are never turned
    into Python objects, only their distinct values are, by the normalizers),
    and the rows come back as Arrow arrays. A batch with records whose id is
    missing yields one ``t = 4`` row instead of them (the run then raises), so
    that checking the ids costs no pass of its own.
    """
    from pyspark.sql import functions as F

    spec_kind = _engine.check_specs(identifiers, attributes).spec_kind
    id_type = "long" if source.integral_id else "string"
    schema = f"t byte, node long, spec int, kind int, key string, reason string, rid {id_type}"
    names = (source.id_column, *source.columns)
    frame = source.frame.select(
        *[F.col(c).cast("long") if c == source.id_column and source.integral_id else F.col(c)
          for c in names]
    )  # fmt: skip
    name, id_column, integral = source.name, source.id_column, source.integral_id
    kinds = np.asarray(spec_kind, dtype=np.int32)
    identifier_columns = frozenset(s.column for s in identifiers)
    attribute_columns = frozenset(a.column for a in attributes)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        import pyarrow.compute as pc

        out_schema = pa.schema(
            [("t", pa.int8()), ("node", pa.int64()), ("spec", pa.int32()), ("kind", pa.int32()),
             ("key", pa.string()), ("reason", pa.string()),
             ("rid", pa.int64() if integral else pa.string())]
        )  # fmt: skip
        for batch in batches:
            ids = batch.column(id_column)
            if ids.null_count:
                yield _missing_ids_batch(out_schema)
                batch = batch.filter(pc.is_valid(ids))
            if batch.num_rows:
                yield _extract_batch(batch, name, id_column, integral, kinds, identifiers,
                                     attributes, identifier_columns, attribute_columns,
                                     out_schema)  # fmt: skip

    return frame.mapInArrow(run, schema)


def _missing_ids_batch(schema: Any) -> Any:
    import pyarrow as pa

    rid = [0] if schema.field("rid").type == pa.int64() else [None]
    row = {"t": [_MISSING], "node": [0], "spec": [0], "kind": [0], "key": [None],
           "reason": [None], "rid": rid}  # fmt: skip
    return pa.RecordBatch.from_pydict(row, schema=schema)


def _pandas_column(array: Any, text: bool) -> pd.Series:
    """One Arrow column of a batch as the extraction reads it.

    Text goes to the identifiers as an Arrow-backed series (no Python string per
    row: the normalizers take the distinct values from Arrow), and to the
    attributes (``text=False``) as objects, as a ``mapInPandas`` batch holds
    them; other types as ``mapInPandas`` converts them.
    """
    import pyarrow as pa

    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        if text:
            return pd.Series(pd.arrays.ArrowExtensionArray(array.cast(pa.string())))
        values = array.to_numpy(zero_copy_only=False)
        return pd.Series(np.asarray(values, dtype=object), dtype=object)
    converted: pd.Series = array.to_pandas()
    return converted


def _extract_batch(
    batch: Any,
    name: str,
    id_column: str,
    integral: bool,
    kinds: np.ndarray,
    identifiers: Sequence[Identifier],
    attributes: Sequence[Attribute],
    identifier_columns: frozenset[str],
    attribute_columns: frozenset[str],
    schema: Any,
) -> Any:
    """The extraction rows of one Arrow batch of a source's records (all with an id).

    The columns are assembled by concatenation, one array each: rows ``t = 0``
    (records), 1 (link keys), 2 (rejects) and 3 (attribute values).
    """
    import pyarrow as pa

    id_array = batch.column(id_column)
    record_ids = (
        pd.Index(id_array.to_numpy(zero_copy_only=False), dtype=np.int64)
        if integral
        else pd.Index(np.asarray(id_array.to_numpy(zero_copy_only=False), dtype=object))
    )
    nodes = _engine.node_ids(name, record_ids)
    # The id column stays: a spec may name it (a CRM id that other sources carry
    # as a key links them, as in the pandas engine).
    columns = batch.schema.names
    keys_frame = pd.DataFrame(
        {c: _pandas_column(batch.column(c), True) for c in columns if c in identifier_columns}
    )
    attribute_frame = pd.DataFrame(
        {c: _pandas_column(batch.column(c), False) for c in columns if c in attribute_columns}
    )
    edges, rejects, attrs = _engine.extract(
        keys_frame, identifiers, attributes, attribute_frame=attribute_frame
    )
    e_row, e_spec = edges["row"].to_numpy(), edges["spec"].to_numpy(dtype=np.int32)
    j_row, j_spec = rejects["row"].to_numpy(), rejects["spec"].to_numpy(dtype=np.int32)
    a_row, a_spec = attrs["row"].to_numpy(), attrs["attribute"].to_numpy(dtype=np.int32)
    n_r, n_e, n_j, n_a = len(nodes), len(e_row), len(j_row), len(a_row)
    rid_type = pa.int64() if integral else pa.string()
    rid_array = id_array.cast(rid_type)
    if integral:
        blank = pa.array(np.zeros(n_e, np.int64))
        rids = pa.concat_arrays([rid_array, blank, rid_array.take(j_row),
                                 pa.array(np.zeros(n_a, np.int64))])  # fmt: skip
    else:
        rids = pa.concat_arrays([rid_array, pa.nulls(n_e, rid_type), rid_array.take(j_row),
                                 pa.nulls(n_a, rid_type)])  # fmt: skip
    text = pa.string()
    key = pa.concat_arrays(
        [pa.nulls(n_r, text), pa.array(edges["key"].to_numpy(dtype=object), type=text),
         pa.nulls(n_j, text), pa.array(attrs["value"].to_numpy(dtype=object), type=text)]
    )  # fmt: skip
    reason = pa.concat_arrays(
        [pa.nulls(n_r + n_e, text), pa.array(rejects["reason"].to_numpy(dtype=object), type=text),
         pa.nulls(n_a, text)]
    )  # fmt: skip
    arrays = [
        pa.array(np.repeat(np.array([_RECORD, _EDGE, _REJECT, _ATTRIBUTE], dtype=np.int8),
                           [n_r, n_e, n_j, n_a])),
        pa.array(np.concatenate([nodes, nodes[e_row], nodes[j_row], nodes[a_row]])),
        pa.array(np.concatenate([np.zeros(n_r, np.int32), e_spec, j_spec, a_spec])),
        pa.array(np.concatenate([np.zeros(n_r, np.int32), kinds[e_spec],
                                 np.zeros(n_j + n_a, np.int32)])),
        key, reason, rids,
    ]  # fmt: skip
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


# ---------------------------------------------------------------------------- limits
_SPLIT_SCHEMA = (
    "t byte, node long, person_id long, source string, record_id string, kind string, "
    "value string, other_source string, other_record_id string, other_person_id long, "
    "match_probability double, reason string, limit string, override_reason string"
)
_GROUP_SCHEMA = "g int, t byte, node long, a long, text string, rid string, p double"
# Rows of a split group: 0 a record, 1 a link, 2 an attribute value, 3 a match pair,
# 4 a must-link, 5 a cannot-link.
_G_RECORD, _G_LINK, _G_ATTRIBUTE, _G_MATCH, _G_MUST, _G_APART = 0, 1, 2, 3, 4, 5


def _split_limited(
    members: DataFrame,
    links: DataFrame,
    attribute_values: DataFrame | None,
    flagged: DataFrame,
    matches: DataFrame | None,
    overrides: DataFrame | None,
    kinds: _engine.Kinds,
    groups: int,
    policy: SurvivorPolicy | None,
) -> DataFrame:
    """Re-resolve the components that break a limit with the pandas engine's core.

    ``members`` holds the records of those components with their ``comp``,
    ``links`` their usable links (``node, kind, key, comp``), ``attribute_values``
    every attribute value with the ``comp`` of its record, and ``flagged``
    (``comp``) lists the components, few enough to be broadcast. The records,
    usable links, attribute values and match pairs of the flagged components are
    sent, whole components together, to ``groups`` groups; each group is resolved
    by one call of :func:`identigraph.spark._engine.split_regions` (one
    ``applyInPandas`` call per group, not per component).

    Returns rows ``t = 0`` (``node, person_id, source, record_id`` of each
    record) and ``t = 1`` (a conflict, in the columns of ``IdentityGraph.conflicts``).
    """
    from pyspark.sql import functions as F

    few = F.broadcast(flagged)
    group = F.pmod(F.xxhash64("comp"), F.lit(groups)).cast("int").alias("g")
    # Zeros, not nulls, in the unused long column: a null would send it to pandas as floats,
    # which round 64-bit node ids.
    null_long, null_text = F.lit(0).cast("long"), F.lit(None).cast("string")
    parts = [
        members.select(
            group, F.lit(_G_RECORD).cast("byte").alias("t"), "node", null_long.alias("a"),
            F.col("source").alias("text"), "rid", F.lit(None).cast("double").alias("p"),
        ),
        links.select(
            group, F.lit(_G_LINK).cast("byte").alias("t"), "node",
            F.col("kind").cast("long").alias("a"), F.col("key").alias("text"),
            null_text.alias("rid"), F.lit(None).cast("double").alias("p"),
        ),
    ]  # fmt: skip
    if attribute_values is not None:
        parts.append(
            attribute_values.join(few, on="comp").select(
                group, F.lit(_G_ATTRIBUTE).cast("byte").alias("t"), "node",
                F.col("spec").cast("long").alias("a"), F.col("key").alias("text"),
                null_text.alias("rid"), F.lit(None).cast("double").alias("p"),
            )
        )  # fmt: skip
    if matches is not None:
        ends = members.select(F.col("node").alias("node_l"), "comp")
        parts.append(
            matches.join(ends, on="node_l").select(
                group, F.lit(_G_MATCH).cast("byte").alias("t"), F.col("node_l").alias("node"),
                F.col("node_r").alias("a"), null_text.alias("text"), null_text.alias("rid"),
                F.col("match_probability").alias("p"),
            )
        )  # fmt: skip
    if overrides is not None:  # those with both ends in one component (every must-link)
        ends_a = members.select(F.col("node").alias("node_a"), "comp")
        ends_b = members.select(F.col("node").alias("node_b"), F.col("comp").alias("comp_b"))
        inside = (
            overrides.join(ends_a, on="node_a")
            .join(ends_b, on="node_b")
            .where(F.col("comp") == F.col("comp_b"))
        )
        parts.append(
            inside.select(
                group, F.when(F.col("apart"), _G_APART).otherwise(_G_MUST).cast("byte").alias("t"),
                F.col("node_a").alias("node"), F.col("node_b").alias("a"),
                F.col("reason").alias("text"), null_text.alias("rid"),
                F.lit(None).cast("double").alias("p"),
            )
        )  # fmt: skip
    rows = parts[0]
    for part in parts[1:]:
        rows = rows.unionByName(part)

    def split(frame: pd.DataFrame) -> pd.DataFrame:
        t = frame["t"].to_numpy()
        mine = frame[t == _G_RECORD].sort_values("node", kind="stable")
        links = frame[t == _G_LINK]
        attrs = frame[t == _G_ATTRIBUTE]
        pairs = frame[t == _G_MATCH]
        must, apart = frame[t == _G_MUST], frame[t == _G_APART]
        result = _engine.split_regions(
            pd.DataFrame({"node": mine["node"].to_numpy(dtype=np.int64),
                          "source": mine["text"].to_numpy(dtype=object),
                          "record_id": mine["rid"].to_numpy(dtype=object)}),
            pd.DataFrame({"node": links["node"].to_numpy(dtype=np.int64),
                          "kind": links["a"].to_numpy(dtype=np.int64),
                          "key": links["text"].to_numpy(dtype=object)}),
            pd.DataFrame({"node": attrs["node"].to_numpy(dtype=np.int64),
                          "attribute": attrs["a"].to_numpy(dtype=np.int64),
                          "value": attrs["text"].to_numpy(dtype=object)}),
            pd.DataFrame({"node_l": pairs["node"].to_numpy(dtype=np.int64),
                          "node_r": pairs["a"].to_numpy(dtype=np.int64),
                          "match_probability": pairs["p"].to_numpy(dtype=float)}),
            kinds,
            must=pd.DataFrame({"node_l": must["node"].to_numpy(dtype=np.int64),
                               "node_r": must["a"].to_numpy(dtype=np.int64)}),
            apart=pd.DataFrame({"node_l": apart["node"].to_numpy(dtype=np.int64),
                                "node_r": apart["a"].to_numpy(dtype=np.int64),
                                "reason": apart["text"].to_numpy(dtype=object)}),
            policy=policy,
        )  # fmt: skip
        out = result.clusters.assign(
            t=np.int8(0), source=mine["text"].to_numpy(dtype=object),
            record_id=mine["rid"].to_numpy(dtype=object),
        )  # fmt: skip
        if len(result.conflicts):
            return _columns([out, result.conflicts.assign(t=np.int8(1))], _SPLIT_COLUMNS,
                            _SPLIT_TEXT)  # fmt: skip
        return _columns([out], _SPLIT_COLUMNS, _SPLIT_TEXT)

    return rows.groupBy("g").applyInPandas(split, _SPLIT_SCHEMA)


# ---------------------------------------------------------------------------- resolve
def resolve(
    sources: Mapping[str, DataFrame],
    *,
    identifiers: Sequence[Identifier],
    ids: Mapping[str, str],
    attributes: Sequence[Attribute] = (),
    pairs: DataFrame | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    previous: DataFrame | None = None,
    policy: SurvivorPolicy | None = None,
    overrides: DataFrame | None = None,
    checkpoint_every: int = 3,
    checkpoint_dir: str | None = None,
    max_rounds: int = 100,
    local_edges: int = 2_000_000,
    progress: bool | None = None,
) -> SparkResult:
    """Resolve records of Spark DataFrames into persons, as :class:`IdentityGraph` would.

    Parameters
    ----------
    sources : mapping of str to pyspark.sql.DataFrame
        One frame per source, in the order the pandas engine would add them.
    identifiers : sequence of Identifier
        The identifier specs (``ig.Email``, ``ig.Phone``, ``ig.Cookie``, ``ig.Key``).
    ids : mapping of str to str
        Record-id column of each source (integers or strings).
    attributes : sequence of Attribute, optional
        Columns that cap how many unlike values a person holds.
    pairs : pyspark.sql.DataFrame, optional
        Match pairs in the ``IdentityGraph.link`` format (``source_l, record_id_l,
        source_r, record_id_r, match_probability`` and optionally ``match_weight``).
    threshold : float, default :data:`identigraph.DEFAULT_THRESHOLD` (0.5)
        Match probability a pair needs to become a link.
    previous : pyspark.sql.DataFrame, optional
        A prior run's ``clusters`` (``source, record_id, person_id``): its ids are
        carried over by the survivor rules of ``IdentityGraph.add``, and the
        result's ``id_history`` lists merges, splits, new and retired ids. The
        run counts as *one update*: the ids are those a graph holding exactly the
        previous run's persons gives when every change since (records of every
        source, pairs, overrides) arrives in one ``add``, every previous id issued
        in one generation. A pandas-engine graph that received the same changes in
        several steps (an ``add`` per source, then overrides) has the same persons
        but may have kept an id minted between two steps (a policy that ranks a
        source first keeps the id of a person formed by that source's records in
        an earlier step); the carry-over never mints such an id.
    policy : SurvivorPolicy, optional
        The survivor policy of ``IdentityGraph(..., survivor=policy)``. Its
        ``"source:NAME"`` criteria pick the record a new person's id derives from
        (in every run, as a bulk load does); with ``previous=`` it also decides
        which id survives a merge and which part keeps it on a split, as ``add``
        does (default: oldest, then size; every previous id counts as issued in
        one run).
    overrides : pyspark.sql.DataFrame, optional
        Must-links and cannot-links between records, in the columns of
        :meth:`IdentityGraph.overrides` (``kind, source_a, record_id_a, source_b,
        record_id_b`` and optionally ``reason``): must-links join records and no
        limit cuts them; a cannot-link cuts the weakest links between its records
        (listed in ``conflicts`` with ``reason`` and ``limit`` ``"cannot_link"``).
    checkpoint_every, checkpoint_dir, max_rounds, local_edges
        Connected-components settings, see :func:`star_components`.
    progress : bool or None
        Show a bar over the steps (``None``: when interactive).

    Returns
    -------
    SparkResult

    Raises
    ------
    MissingDependencyError
        pyspark is not installed (``pip install 'identigraph[spark]'``).
    ConfigError
        Bad specs or options (checked before any Spark job).
    MissingColumnError, NoIdentifierColumnsError, DtypeError, InputError
        Bad frames (checked on their schemas, before any Spark job).
    UnknownRecordError
        A pair or override names a record no source holds.
    OverrideConflictError
        A cannot-link between records that must-links join.

    Examples
    --------
    >>> import identigraph as ig
    >>> from identigraph import spark as igs
    >>> igs.resolve({}, identifiers=[ig.Email("email")], ids={})  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    identigraph.errors.InputError: sources must be a non-empty mapping ...

    Notes
    -----
    Normalization runs the pandas engine's extraction in ``mapInArrow``; values
    carried by more records than ``max_records`` are dropped after one
    aggregation; components come from :func:`star_components`; only components
    that break a per-person limit are re-examined, each in one
    ``applyInPandas`` group, by the pandas engine. Person ids derive from the
    smallest record hash of each person, so they equal the pandas engine's
    (barring a 63-bit hash collision). Cost: a few shuffles of the identifier
    links plus O(log n) shuffles of the record edges.
    """
    import_optional("pyspark.sql", extra="spark")
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    identifiers = list(identifiers)
    attributes = list(attributes)
    limits = _engine.check_specs(identifiers, attributes)
    if not 0.0 <= threshold <= 1.0:
        msg = f"threshold must be within [0, 1], got {threshold}"
        raise ConfigError(msg)
    if checkpoint_every < 1 or max_rounds < 1 or local_edges < 0:
        msg = "checkpoint_every and max_rounds must be at least 1, local_edges at least 0"
        raise ConfigError(msg)
    checked = _check_sources(sources, ids, identifiers, attributes)
    _check_columns(pairs, _PAIR_COLUMNS, "pairs")
    _check_columns(previous, _PREVIOUS_COLUMNS, "previous")
    _check_columns(overrides, _OVERRIDE_COLUMNS, "overrides")
    if policy is not None and not isinstance(policy, SurvivorPolicy):
        msg = f"policy must be a SurvivorPolicy, got {type(policy).__name__}"
        raise ConfigError(msg)

    start = time.perf_counter()
    spark = checked[0].frame.sparkSession
    if spark.conf.get("spark.sql.adaptive.enabled", "true") != "true":
        spark.conf.set("spark.sql.adaptive.enabled", "true")
    keep = StorageLevel.MEMORY_AND_DISK
    bar = progress_bar(6, desc="spark resolve", unit="step", progress=progress)
    stage = _Stages(start)

    # 1. extraction: records, keys, rejects, attribute values of every source.
    extracted = _union(
        [
            _extract_source(s, identifiers, attributes).select(
                F.lit(s.index).cast("int").alias("src"), "t", "node", "spec", "kind", "key",
                "reason", F.col("rid").cast("string").alias("rid"),
            )
            for s in checked
        ]
    )  # fmt: skip
    # Materialized, and its plan cut: every later plan starts from a table, not from the
    # extraction's plan (the JVM analyses a plan again for each DataFrame derived from it).
    batch_rows = spark.conf.get(_ARROW_BATCH, None)
    spark.conf.set(_ARROW_BATCH, str(_EXTRACT_BATCH_ROWS))
    try:
        extracted = _cut_lineage(extracted, checkpoint_dir)
    finally:
        if batch_rows is None:
            spark.conf.unset(_ARROW_BATCH)
        else:
            spark.conf.set(_ARROW_BATCH, batch_rows)
    stage.done("extracted")
    # 0. record ids: none missing, none repeated within a source (one aggregation of the
    #    extracted records, whose node is the hash of source and id).
    _check_record_ids(extracted, checked)
    stage.done("record ids checked")
    bar.update()
    names = [s.name for s in checked]
    columns = [s.column for s in identifiers]
    same_type = len({s.integral_id for s in checked}) == 1
    rid_type = "long" if same_type and checked[0].integral_id else "string"
    records = extracted.where(F.col("t") == _RECORD).select(
        "src", _pick(names, F.col("src")).alias("source"), "node", "rid"
    )
    edges = extracted.where(F.col("t") == _EDGE).select("node", "kind", "key")
    rejects = extracted.where(F.col("t") == _REJECT).select(
        _pick(names, F.col("src")).alias("source"),
        F.col("rid").cast(rid_type).alias("record_id"),
        _pick(columns, F.col("spec")).alias("column"),
        "reason",
    )
    attribute_values = (
        extracted.where(F.col("t") == _ATTRIBUTE).select("node", "spec", "key")
        if attributes
        else None
    )
    stage.done("extraction planned")
    bar.update()

    # 2. value counts in one window: generic values dropped, every other value a star
    #    on its smallest carrier (a value carried once adds no edge).
    max_records = [m if m is not None else _BIG for m in limits.max_records]
    # The hash leads the window's sort key: rows then compare on a 64-bit prefix, not
    # on the kind (a handful of values) and then the key's bytes.
    by_value = Window.partitionBy("h", "kind", "key")
    counted = (
        edges.withColumn("h", F.xxhash64("kind", "key"))
        .withColumn("n", F.count(F.lit(1)).over(by_value))
        .withColumn("root", F.min("node").over(by_value))
        .withColumn("generic", F.col("n") > _pick(max_records, F.col("kind")))
    )
    counted = _cut_lineage(counted, checkpoint_dir)
    links = counted.where(~F.col("generic") & (F.col("node") != F.col("root"))).select(
        F.col("node").alias("a"), F.col("root").alias("b")
    )
    usable = counted.where(~F.col("generic")).select("node", "kind", "key")
    generic_values = (
        counted.where("generic")
        .groupBy("kind", "key")
        .agg(F.first("n").alias("records"))
        .select(
            _pick(list(limits.kinds), F.col("kind")).alias("kind"),
            F.col("key").alias("value"),
            "records",
        )
    )
    matches = None
    if pairs is not None:
        matches = _accepted_pairs(pairs, threshold, checked).persist(keep)
        ends = matches.select(F.col("node_l").alias("node")).unionByName(
            matches.select(F.col("node_r").alias("node"))
        )
        unknown = ends.join(records, on="node", how="left_anti").limit(1).count()
        if unknown:
            msg = "pairs name records that no source holds"
            raise UnknownRecordError(msg)
        links = links.unionByName(
            matches.where(F.col("node_l") != F.col("node_r")).select(
                F.col("node_l").alias("a"), F.col("node_r").alias("b")
            )
        )
    override_pairs = None
    if overrides is not None:
        override_pairs = _override_pairs(overrides, checked, records).persist(keep)
        links = links.unionByName(
            override_pairs.where(~F.col("apart")).select(
                F.col("node_a").alias("a"), F.col("node_b").alias("b")
            )
        )
    stage.done("links planned")
    bar.update()

    # 3. connected components.
    found = star_components(
        links, checkpoint_every=checkpoint_every, checkpoint_dir=checkpoint_dir,
        max_rounds=max_rounds, local_edges=local_edges,
    )  # fmt: skip
    components = records.join(found.labels, on="node", how="left").select(
        "src", "source", "node", "rid", F.coalesce("root", "node").alias("comp")
    )
    if policy is not None and policy.sources:
        # A new person's id derives from its record the policy's source criteria rank
        # best, then from the smallest record hash (the smallest node).
        position = F.array_position(F.array(*[F.lit(n) for n in policy.sources]), F.col("source"))
        rank = F.when(position > 0, position).otherwise(len(policy.sources) + 1)
        best = F.min(F.struct(rank.alias("rank"), F.col("node"))).over(Window.partitionBy("comp"))
        components = components.withColumn("seed", best["node"])
    else:
        components = components.withColumn("seed", F.col("comp"))
    components = _cut_lineage(components, checkpoint_dir)
    stage.done(f"components: {found.rounds} rounds")
    bar.update()

    # 4. per-person limits, on the components that break one.
    assigned = components.select(
        "source", "node", "rid", F.col("seed").bitwiseAND(_MASK63).alias("person_id"), "comp"
    )
    conflicts = spark.createDataFrame([], _CONFLICT_SCHEMA)
    if limits.capped or override_pairs is not None:
        node_comp = components.select("node", "comp")
        # The values of capped kinds with the component of their record, narrow: a
        # value is its 64-bit hash here (distinct values are counted, never shown).
        capped = [k for k, m in enumerate(limits.max_per_person) if m is not None]
        capped_values = (
            counted.where(~F.col("generic") & F.col("kind").isin(*capped))
            .select("node", "kind", F.col("h").alias("value"))
            .join(node_comp, on="node")
        )
        attribute_comp = None
        if attribute_values is not None:
            attribute_comp = attribute_values.join(node_comp, on="node").persist(keep)
        flagged = _flagged(capped_values, attribute_comp, node_comp, limits, override_pairs)
        flagged = flagged.persist(keep)
        # The records of the flagged components, and their links with the keys (those go
        # to the pandas engine): a broadcast join when the records are few enough.
        members = components.join(F.broadcast(flagged), on="comp").persist(keep)
        ends = members.select("node", "comp")
        if members.count() <= _BROADCAST_MEMBERS:
            ends = F.broadcast(ends)
        member_links = usable.join(ends, on="node")
        groups = max(2, int(spark.conf.get("spark.sql.shuffle.partitions", "8") or 8))
        split = _split_limited(
            members, member_links, attribute_comp, flagged, matches, override_pairs, limits,
            groups, policy,
        ).persist(keep)  # fmt: skip
        # The re-resolved records carry their source and id: the persons of the other
        # components stay as they are (a broadcast anti-join, no shuffle of the records).
        redone = split.where(F.col("t") == 0).select(
            "source", "node", F.col("record_id").alias("rid"), "person_id"
        )
        assigned = (
            assigned.join(F.broadcast(flagged), on="comp", how="left_anti")
            .select("source", "node", "rid", "person_id")
            .unionByName(redone)
        )
        conflicts = split.where(F.col("t") == 1).withColumn(
            "other_person_id",
            F.when(F.col("other_person_id") >= 0, F.col("other_person_id")),  # -1: none
        )
        conflicts = conflicts.select(
            *[c.strip().split(" ")[0] for c in _CONFLICT_SCHEMA.split(",")]
        )
    stage.done("limits planned")
    bar.update()

    # 5. person ids carried over from a previous run.
    id_history = None
    if previous is not None:
        carried, id_history = _carry_over(
            assigned.select("node", "source", "person_id"), previous, checked, checkpoint_dir,
            local_edges, policy,
        )  # fmt: skip
        assigned = assigned.drop("person_id").join(carried, on="node")
    clusters = assigned.select(
        "source", F.col("rid").cast(rid_type).alias("record_id"), "person_id"
    )
    bar.update()
    bar.close()
    stage.done("planned")
    log.info(
        "spark resolve: %d sources, %d component rounds, %.1f s to plan and run components",
        len(checked),
        found.rounds,
        time.perf_counter() - start,
    )
    return SparkResult(
        clusters=clusters,
        rejects=rejects,
        conflicts=conflicts,
        generic_values=generic_values,
        id_history=id_history,
        rounds=found.rounds,
        edges_per_round=found.edges_per_round,
    )


class _Stages:
    """INFO log lines of the time each stage of a run took (counts, never values)."""

    __slots__ = ("_last", "_start")

    def __init__(self, start: float) -> None:
        self._start = self._last = start

    def done(self, what: str) -> None:
        now = time.perf_counter()
        log.info("spark resolve: %s in %.2f s (%.2f s so far)", what, now - self._last,
                 now - self._start)  # fmt: skip
        self._last = now


def _union(frames: Sequence[DataFrame]) -> DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def _check_record_ids(extracted: DataFrame, sources: Sequence[_Source]) -> None:
    """Raise when a source's record ids are missing or repeat.

    One aggregation of the extracted records by node (the hash of source and
    id, so a repeated id is a repeated node); the error names at most ten ids.
    """
    from pyspark.sql import functions as F

    rows = extracted.where(F.col("t").isin(_RECORD, _MISSING))
    bad = (
        rows.groupBy("src", "t", "node")
        .agg(F.count(F.lit(1)).alias("n"))
        .where((F.col("t") == _MISSING) | (F.col("n") > 1))
        .limit(11)
        .collect()
    )
    if not bad:
        return
    # The ids of the repeated nodes (a second small job, only on the way to the error).
    wanted = sorted({row["node"] for row in bad if row["t"] == _RECORD})
    rid_of = {
        (r["src"], r["node"]): r["rid"]
        for r in rows.where(F.col("node").isin(*wanted) & (F.col("t") == _RECORD))
        .select("src", "node", "rid")
        .collect()
    }
    problems = [
        {"src": row["src"], "t": row["t"], "rid": rid_of.get((row["src"], row["node"]))}
        for row in bad
    ]
    for source in sources:  # the first source with a problem, in input order
        mine = [row for row in problems if row["src"] == source.index]
        if not mine:
            continue
        if any(row["t"] == _MISSING for row in mine):
            msg = f"source {source.name!r}: record ids in column {source.id_column!r} are missing"
            raise InputError(msg)
        repeated: list[object] = [
            int(row["rid"]) if source.integral_id else row["rid"] for row in mine[:10]
        ]
        msg = (
            f"source {source.name!r}: record ids repeat in column {source.id_column!r}: {repeated}"
        )
        raise DuplicateRecordError(msg, source=source.name, record_ids=repeated)


def _flagged(
    values: DataFrame,
    attribute_values: DataFrame | None,
    node_comp: DataFrame,
    kinds: _engine.Kinds,
    overrides: DataFrame | None = None,
) -> DataFrame:
    """Components (``comp``) holding more distinct values of a kind or attribute than
    allowed, or both records of a cannot-link.

    ``values`` (``comp, kind, value``: the usable links of capped kinds, a value
    as the 64-bit hash of its kind and key) and ``attribute_values`` carry the
    ``comp`` of their record. Two keys of one kind in one component would have to
    share a 64-bit hash for a component over its cap to go unflagged, as likely
    as two persons sharing a person id.
    """
    from pyspark.sql import functions as F

    per_person = [m if m is not None else _BIG for m in kinds.max_per_person]
    flagged = (
        values.groupBy("comp", "kind")
        .agg(F.countDistinct("value").alias("d"))
        .where(F.col("d") > _pick(per_person, F.col("kind")))
        .select("comp")
    )
    if attribute_values is not None:
        caps = [a.max_per_person for a in kinds.attributes]
        flagged = flagged.unionByName(
            attribute_values.groupBy("comp", "spec")
            .agg(F.countDistinct("key").alias("d"))
            .where(F.col("d") > _pick(caps, F.col("spec")))
            .select("comp")
        )
    if overrides is not None:
        comp_a = node_comp.select(F.col("node").alias("node_a"), F.col("comp"))
        comp_b = node_comp.select(F.col("node").alias("node_b"), F.col("comp").alias("comp_b"))
        flagged = flagged.unionByName(
            overrides.where("apart")
            .join(comp_a, on="node_a")
            .join(comp_b, on="node_b")
            .where(F.col("comp") == F.col("comp_b"))
            .select("comp")
        )
    return flagged.distinct()


def _accepted_pairs(pairs: DataFrame, threshold: float, sources: list[_Source]) -> DataFrame:
    """Pairs at or above ``threshold`` with the node ids of both records."""
    from pyspark.sql import functions as F

    accepted = pairs.where(F.col("match_probability") >= threshold)
    weight = (
        F.col("match_weight").cast("double")
        if "match_weight" in pairs.columns
        else F.lit(None).cast("double")
    )
    accepted = accepted.select(
        *[F.col(c).cast("string").alias(c) for c in _PAIR_COLUMNS[:4]],
        F.col("match_probability").cast("double"),
        weight.alias("match_weight"),
    )
    accepted = _node_frame(accepted, "source_l", "record_id_l", sources, "node_l")
    return _node_frame(accepted, "source_r", "record_id_r", sources, "node_r")


def _override_pairs(overrides: DataFrame, sources: list[_Source], records: DataFrame) -> DataFrame:
    """``node_a, node_b, apart, reason`` of each override, checked (a few small jobs).

    Raises
    ------
    InputError
        An unknown ``kind``.
    UnknownRecordError
        An override names a record no source holds.
    OverrideConflictError
        Must-links join the two records of a cannot-link.
    """
    from pyspark.sql import functions as F

    reason = (
        F.coalesce(F.col("reason").cast("string"), F.lit(""))
        if "reason" in overrides.columns
        else F.lit("")
    )
    frame = overrides.select(
        F.col("kind").cast("string").alias("kind"),
        *[F.col(c).cast("string").alias(c) for c in _OVERRIDE_COLUMNS[1:]],
        reason.alias("reason"),
    )
    frame = _node_frame(frame, "source_a", "record_id_a", sources, "node_a")
    frame = _node_frame(frame, "source_b", "record_id_b", sources, "node_b")
    if frame.where(~F.col("kind").isin(*_OVERRIDE_KINDS)).limit(1).count():
        msg = f"override kind must be one of {list(_OVERRIDE_KINDS)}"
        raise InputError(msg)
    ends = frame.select(F.col("node_a").alias("node")).unionByName(
        frame.select(F.col("node_b").alias("node"))
    )
    if ends.join(records.select("node"), on="node", how="left_anti").limit(1).count():
        msg = "overrides name records that no source holds"
        raise UnknownRecordError(msg)
    out = frame.select(
        "node_a", "node_b", (F.col("kind") == "cannot_link").alias("apart"), "reason"
    ).where(F.col("node_a") != F.col("node_b"))
    must = out.where(~F.col("apart"))
    apart = out.where("apart").select("node_a", "node_b")
    if apart.limit(1).count():  # must-links joining a cannot-link's records
        found = star_components(must.select(F.col("node_a").alias("a"), F.col("node_b").alias("b")))
        root_a = found.labels.select(F.col("node").alias("node_a"), F.col("root").alias("ra"))
        root_b = found.labels.select(F.col("node").alias("node_b"), F.col("root").alias("rb"))
        joined = apart.join(root_a, on="node_a").join(root_b, on="node_b")
        contradictions = joined.where(F.col("ra") == F.col("rb")).count()
        if contradictions:
            msg = f"{contradictions} cannot-links keep apart records that must-links join"
            raise OverrideConflictError(msg, count=contradictions)
    return out


def _carry_over(
    assigned: DataFrame,
    previous: DataFrame,
    sources: list[_Source],
    checkpoint_dir: str | None,
    local_edges: int,
    policy: SurvivorPolicy | None,
) -> tuple[DataFrame, DataFrame]:
    """Carry a previous run's person ids over by ``IdentityGraph.add``'s survivor rules."""
    from pyspark.sql import functions as F

    old = _node_frame(
        previous.select(
            F.col("source").cast("string").alias("source"),
            F.col("record_id").cast("string").alias("record_id"),
            F.col("person_id").cast("long").alias("old_id"),
        ),
        "source",
        "record_id",
        sources,
        "node",
    )
    # Components tied by old ids are resolved together: a component is a node ``label``
    # and an old id a node ``-old_id - 1``, so the two never collide.
    current = assigned.join(old.select("node", "old_id"), on="node", how="left")
    ties = current.where(F.col("old_id").isNotNull()).select(
        F.col("person_id").alias("a"), (-F.col("old_id") - 1).alias("b")
    )
    groups = star_components(ties, checkpoint_dir=checkpoint_dir, local_edges=local_edges).labels
    label_group = groups.where(F.col("node") >= 0).select(
        F.col("node").alias("person_id"), F.col("root").alias("group")
    )
    # A missing old id would reach pandas as a float NaN, and ids above 2**53 would
    # lose their low bits on the way: new records carry ``-1`` instead.
    tied = current.join(label_group, on="person_id").withColumn(
        "old_id", F.coalesce(F.col("old_id"), F.lit(-1).cast("long"))
    )
    untouched = current.join(label_group, on="person_id", how="left_anti").select(
        "node", "person_id"
    )
    old_ids = previous.select(F.col("person_id").cast("long").alias("old_id")).distinct()

    schema = "t byte, node long, person_id long, old_id long, new_id long, reason string"

    def carry(group: pd.DataFrame) -> pd.DataFrame:
        labels, _ = pd.factorize(group["person_id"].to_numpy(dtype=np.int64))
        old_id = group["old_id"].to_numpy(dtype=np.int64)
        previous_ids = sorted_unique(old_id[old_id >= 0])
        ids, changes = _engine.assign_group_ids(
            labels, old_id, group["node"].to_numpy(dtype=np.int64), previous_ids,
            policy=policy, sources=group["source"].to_numpy(dtype=object),
        )  # fmt: skip
        fresh = sorted_difference(ids, previous_ids)
        out = [
            pd.DataFrame({"t": np.int8(0), "node": group["node"], "person_id": ids[labels]}),
            pd.DataFrame(
                {
                    "t": np.int8(1),
                    "old_id": changes["old_id"],
                    "new_id": changes["new_id"],
                    "reason": changes["reason"],
                }
            ),
            pd.DataFrame({"t": np.int8(1), "new_id": fresh, "reason": "new"}),
        ]
        return _columns([p for p in out if len(p)], _CARRY_COLUMNS, ("reason",))

    carried = tied.groupBy("group").applyInPandas(carry, schema)
    carried = carried.persist()
    assigned_out = carried.where(F.col("t") == 0).select("node", "person_id").unionByName(untouched)
    kept = carried.where(F.col("t") == 0).select(F.col("person_id").alias("old_id"))
    changed = carried.where(F.col("t") == 1).select(
        F.when(F.col("reason") != "new", F.col("old_id")).alias("old_id"), "new_id", "reason"
    )
    new_untouched = untouched.select(
        F.lit(None).cast("long").alias("old_id"), F.col("person_id").alias("new_id"),
        F.lit("new").alias("reason"),
    ).distinct()  # fmt: skip
    seen = current.where(F.col("old_id").isNotNull()).select("old_id")
    retired = (
        old_ids.join(seen, on="old_id", how="left_anti")
        .join(kept, on="old_id", how="left_anti")
        .select(
            "old_id", F.lit(None).cast("long").alias("new_id"), F.lit("retired").alias("reason")
        )
    )
    history = changed.unionByName(new_untouched).unionByName(retired)
    return assigned_out, history
