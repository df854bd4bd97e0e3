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
    ``copy=`` keyword that pandas 3 deprecates)."""
    rows = frame.collect()
    return pd.DataFrame([r.asDict() for r in rows], columns=frame.columns)


#: Spark examples cost seconds each: a few, and no shrinking (a failure prints its example).
SPARK_SETTINGS = settings(max_examples=3, phases=[Phase.explicit, Phase.generate])
