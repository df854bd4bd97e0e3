"""identigraph on Apache Spark: the in-memory engine's persons and person ids from Spark DataFrames.

Install the extra (``pip install 'identigraph[spark]'``, PySpark >= 4); importing
this package does not import pyspark, calling :func:`resolve` does.
"""

from __future__ import annotations

from identigraph.spark._resolve import SparkResult, resolve
from identigraph.spark.components import ComponentsResult, star_components
from identigraph.spark.golden import golden

__all__ = ["ComponentsResult", "SparkResult", "golden", "resolve", "star_components"]
