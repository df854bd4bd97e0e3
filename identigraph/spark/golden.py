"""Golden records on Spark: the :mod:`identigraph.merge` rules per person, as the pandas engine."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from identigraph._optional import import_optional
from identigraph.errors import InputError, MissingColumnError
from identigraph.matcher.specs import Identifier
from identigraph.merge import MostFrequent, golden_records
from identigraph.merge.rules import Rule

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from identigraph.spark._resolve import SparkResult

__all__ = ["golden"]

log = logging.getLogger("identigraph.spark")

_SOURCE, _RID, _REJECTED, _INTEGRAL, _GROUP = "source", "__rid", "__rejected", "__int", "__g"
_DEFAULT: Rule = MostFrequent()


def golden(
    result: SparkResult,
    sources: Mapping[str, DataFrame],
    rules: Mapping[str, Rule] | None = None,
    *,
    ids: Mapping[str, str],
    identifiers: Sequence[Identifier] = (),
    default: Rule | None = _DEFAULT,
    provenance: Literal["wide", "none"] = "wide",
    groups: int | None = None,
) -> DataFrame:
    """One golden record per person of a Spark run, by :func:`identigraph.golden_records`.

    Parameters
    ----------
    result : SparkResult
        The run whose ``clusters`` and ``rejects`` give persons and unusable values.
    sources : mapping of str to pyspark.sql.DataFrame
        The frames given to :func:`identigraph.spark.resolve`; every column but the
        id column is a record attribute, as ``IdentityGraph.records`` keeps them.
    rules, default, provenance
        As :meth:`identigraph.IdentityGraph.golden` (``"long"`` is not offered).
    ids : mapping of str to str
        Record-id column of each source, as given to ``resolve``.
    identifiers : sequence of Identifier
        The run's specs: their normalizers serve rules with ``normalized=True``.
    groups : int, optional
        Groups the persons are spread over (default: ``spark.sql.shuffle.partitions``);
        each group is one ``applyInPandas`` call over many whole persons.

    Returns
    -------
    pyspark.sql.DataFrame
        The columns of ``IdentityGraph.golden``; record ids of provenance as text.

    Raises
    ------
    InputError
        ``sources`` or ``ids`` do not name the same sources.
    MissingColumnError
        A source lacks its id column.

    Examples
    --------
    >>> from identigraph.spark import golden
    >>> golden.__name__
    'golden'

    Notes
    -----
    Records are joined to their person ids and spread over groups of whole
    persons by a hash of the person id; each group runs the pandas
    ``golden_records`` on its persons at once, so every field is chosen with the
    same rules and tie-breaks as the pandas engine. The output schema is that of
    ``golden_records`` on a small sample, computed on the driver. Cost: one join
    and one shuffle of the records, then O(n log n) per group.
    """
    import_optional("pyspark.sql", extra="spark")
    from pyspark.sql import functions as F

    if set(sources) != set(ids):
        msg = "sources and ids must name the same sources"
        raise InputError(msg)
    parts = []
    integral: dict[str, bool] = {}
    for name, frame in sources.items():  # one step per source
        id_column = ids[name]
        if id_column not in frame.columns:
            msg = f"source {name!r} has no id column {id_column!r}"
            raise MissingColumnError(msg, column=id_column, available=list(frame.columns))
        integral[name] = type(frame.schema[id_column].dataType).__name__ in (
            "ByteType", "ShortType", "IntegerType", "LongType",
        )  # fmt: skip
        parts.append(
            frame.select(
                F.lit(name).alias(_SOURCE),
                F.col(id_column).cast("string").alias(_RID),
                *[F.col(c) for c in frame.columns if c != id_column],
            )
        )
    records = parts[0]
    for part in parts[1:]:
        records = records.unionByName(part, allowMissingColumns=True)
    clusters = result.clusters.select(
        _SOURCE, F.col("record_id").cast("string").alias(_RID), "person_id"
    )
    rejected = result.rejects.groupBy(_SOURCE, F.col("record_id").cast("string").alias(_RID)).agg(
        F.collect_list("column").alias(_REJECTED)
    )
    spark = records.sparkSession
    n_groups = groups or max(2, int(spark.conf.get("spark.sql.shuffle.partitions", "8") or 8))
    rows = (
        records.join(clusters, on=[_SOURCE, _RID])
        .join(rejected, on=[_SOURCE, _RID], how="left")
        .withColumn(_GROUP, F.pmod(F.xxhash64("person_id"), F.lit(n_groups)).cast("int"))
    )
    normalizers = {spec.column: spec.canonicalize for spec in identifiers}
    attribute_columns = [c for c in records.columns if c not in (_SOURCE, _RID)]

    def run(frame: pd.DataFrame) -> pd.DataFrame:
        rid = frame[_RID].to_numpy(dtype=object).copy()
        src = frame[_SOURCE].to_numpy(dtype=object)
        for name, is_int in integral.items():  # record ids as each source holds them
            hit = src == name
            if is_int and hit.any():
                rid[hit] = [int(v) for v in rid[hit]]
        recs = pd.DataFrame({_SOURCE: src, "record_id": rid})
        recs = pd.concat([recs, frame[attribute_columns].reset_index(drop=True)], axis=1)
        person = pd.DataFrame(
            {_SOURCE: src, "record_id": rid, "person_id": frame["person_id"].to_numpy(np.int64)}
        )
        lists = frame[_REJECTED].to_numpy(dtype=object)
        have = np.flatnonzero([v is not None and len(v) > 0 for v in lists])
        counts = np.array([len(lists[i]) for i in have], dtype=np.int64)
        rej = pd.DataFrame(
            {
                _SOURCE: np.repeat(src[have], counts),
                "record_id": np.repeat(rid[have], counts),
                "column": np.concatenate([np.asarray(lists[i], dtype=object) for i in have])
                if len(have)
                else np.empty(0, dtype=object),
            }
        )
        out = golden_records(
            recs, person, rules, default=default, provenance=provenance,
            normalizers=normalizers, rejected=rej,
        )  # fmt: skip
        return _plain(out)

    sample = _collect(rows.limit(200))
    schema = _schema(run(sample) if len(sample) else None)
    return rows.groupBy(_GROUP).applyInPandas(run, schema)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns Arrow sends as Spark types: record ids of provenance as text, lists kept."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(c, str) and c.endswith("__record_id"):
            column = out[c].astype(object).to_numpy(copy=True)
            missing = pd.isna(column)
            column[~missing] = [str(v) for v in column[~missing]]
            column[missing] = None
            out[c] = pd.Series(column, index=out.index, dtype=object)
    return out


def _collect(frame: DataFrame) -> pd.DataFrame:
    rows = frame.collect()
    return pd.DataFrame([r.asDict() for r in rows], columns=frame.columns)


def _schema(sample: pd.DataFrame | None) -> str:
    """A DDL schema for the golden columns from a sample's dtypes (text where unknown)."""
    if sample is None:
        msg = "golden records need at least one record"
        raise InputError(msg)
    fields = []
    for c in sample.columns:
        column = sample[c]
        kind = column.dtype.kind
        if c == "person_id" or kind in "iu" or str(column.dtype) in ("Int64", "Int32"):
            spark_type = "long"
        elif kind == "f" or str(column.dtype) == "Float64":
            spark_type = "double"
        elif kind == "b" or str(column.dtype) == "boolean":
            spark_type = "boolean"
        elif kind == "M":
            spark_type = "timestamp"
        else:
            first = next((v for v in column if isinstance(v, (list, np.ndarray))), None)
            spark_type = "array<string>" if first is not None else "string"
        fields.append(f"`{c}` {spark_type}")
    return ", ".join(fields)
