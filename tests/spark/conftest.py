"""One local Spark session for every Spark test; the tests skip where pyspark or Java is missing."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, settings

from identigraph.graph.core import SurvivorPolicy, assign_ids, record_hashes

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed: pip install '.[spark]'")

if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Java is not installed: Spark needs a JVM (Java 17)", allow_module_level=True)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A ``local[2]`` session whose Python workers run this interpreter."""
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("identigraph-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # Warm up once: the first Python UDF starts the Python workers.
    warm = session.createDataFrame([(1,)], "x long").mapInPandas(lambda b: b, "x long")
    assert warm.collect()[0]["x"] == 1
    # Something under PySpark's driver-side calls leaves the recursion limit at 3000, which
    # hypothesis reports as a change made during a test; start the tests at that limit.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3000))
    yield session
    session.stop()
    sys.setrecursionlimit(limit)


def collect(frame: Any) -> pd.DataFrame:
    """A Spark DataFrame's rows as pandas, through ``collect`` (``toPandas`` passes a
    ``copy=`` keyword that pandas 3 deprecates).

    An integer column with missing values becomes ``Int64``, not float: person ids
    use all 63 bits and a float would round them.
    """
    from pyspark.sql.types import ByteType, IntegerType, LongType, ShortType

    rows = frame.collect()
    columns = {}
    for i, field in enumerate(frame.schema.fields):  # one step per column
        values = [r[i] for r in rows]
        integral = isinstance(field.dataType, (ByteType, ShortType, IntegerType, LongType))
        if integral and any(v is None for v in values):
            columns[field.name] = pd.array(values, dtype="Int64")
        else:
            columns[field.name] = values
    return pd.DataFrame(columns, columns=frame.columns)


#: Spark examples cost seconds each: a few, and no shrinking (a failure prints its example).
SPARK_SETTINGS = settings(max_examples=3, phases=[Phase.explicit, Phase.generate])


class _PreviousRun:
    """The person ids of a previous run, all issued in one generation (an IssuedIdLookup)."""

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = np.unique(np.asarray(ids, dtype=np.int64))

    def contains(self, ids: np.ndarray) -> np.ndarray:
        return np.isin(np.asarray(ids, dtype=np.int64), self._ids)

    def born(self, ids: np.ndarray) -> np.ndarray:
        return np.where(self.contains(ids), 1, -1).astype(np.int64)


def one_update(
    previous: pd.DataFrame,
    rebuilt: pd.DataFrame,
    policy: SurvivorPolicy | None = None,
    integer_sources: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The documented ``previous=`` rule, computed with the pandas engine's core alone.

    ``rebuilt`` is tonight's bulk resolution (``IdentityGraph.clusters()`` of every
    record, override and pair at once), ``previous`` last night's clusters; the
    result is ``rebuilt`` with the ids one update of a graph holding exactly last
    night's persons gives: :func:`identigraph.graph.core.assign_ids` over tonight's
    persons, every previous id issued in one generation. ``integer_sources`` name
    the sources whose record ids are integers (``clusters()`` shows ids as text
    when sources mix types).
    """
    sources = rebuilt["source"].astype(str).to_numpy(dtype=object)
    record_ids = rebuilt["record_id"].to_numpy(dtype=object)
    hashes = np.empty(len(rebuilt), dtype=np.uint64)
    for source in pd.unique(sources):  # one step per source
        mine = np.flatnonzero(sources == source)
        ids = [int(r) if source in integer_sources else r for r in record_ids[mine]]
        hashes[mine] = record_hashes(str(source), pd.Index(ids))
    old_of = dict(
        zip(
            zip(previous["source"].astype(str), previous["record_id"].astype(str), strict=True),
            previous["person_id"].to_numpy(dtype=np.int64).tolist(),
            strict=True,
        )
    )
    old = np.array(
        [old_of.get((s, str(r)), -1) for s, r in zip(sources, record_ids, strict=True)],
        dtype=np.int64,
    )
    labels, _ = pd.factorize(rebuilt["person_id"].to_numpy(dtype=np.int64))
    has_source = None
    if policy is not None and policy.sources:
        has_source = sources[:, None] == np.asarray(policy.sources, dtype=object)[None, :]
    ids, _, _ = assign_ids(
        labels.astype(np.int64), old, hashes, _PreviousRun(previous["person_id"].to_numpy()),
        policy=policy, has_source=has_source,
    )  # fmt: skip
    return rebuilt.assign(person_id=ids[labels])
