"""One local Spark session for every Spark test; the tests skip where pyspark or Java is missing."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import Phase, settings

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
