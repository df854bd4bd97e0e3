"""Tabular input: pandas as is, Arrow-speaking frames (pyarrow, polars, DuckDB) through Arrow.

Every public entry point that takes records (``IdentityGraph.add``, ``link``, the
command line) passes its argument through :func:`to_pandas`. A pandas DataFrame is
returned as is (never copied, never modified); a ``pyarrow.Table`` or
``RecordBatch``, a polars DataFrame, a DuckDB relation and any object exporting
the Arrow C stream interface (``__arrow_c_stream__``) become a pandas DataFrame
through Arrow, which shares numeric buffers where it can and converts strings
once. Anything else raises :class:`~identigraph.errors.UnsupportedFrameError`
naming the type and what is accepted.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd
import pyarrow as pa

from identigraph.errors import UnsupportedFrameError

__all__ = ["ACCEPTED", "to_pandas"]

_log = logging.getLogger("identigraph.frames")

#: What :func:`to_pandas` accepts, as the error message lists it.
ACCEPTED = (
    "pandas.DataFrame",
    "pyarrow.Table",
    "pyarrow.RecordBatch",
    "polars.DataFrame",
    "polars.LazyFrame",
    "duckdb.DuckDBPyRelation",
    "any object with __arrow_c_stream__",
)


def _type_name(data: object) -> str:
    kind = type(data)
    module = kind.__module__.split(".")[0]
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _arrow_to_pandas(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    # split_blocks: one block per column, so numeric columns keep Arrow's buffers
    # instead of being consolidated into a fresh 2-D block.
    frame: pd.DataFrame = table.to_pandas(split_blocks=True)
    return frame


def _as_arrow(data: object) -> pa.Table | pa.RecordBatch | None:
    """The Arrow form of ``data``, or None when it speaks no Arrow we know."""
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        return data
    module = type(data).__module__.split(".")[0]
    if module == "polars":
        collect = getattr(data, "collect", None)
        if callable(collect) and not hasattr(data, "to_arrow"):  # a LazyFrame
            data = collect()
        to_arrow = getattr(data, "to_arrow", None)
        if callable(to_arrow):
            table: pa.Table = to_arrow()
            return table
    if module == "duckdb":
        fetch = getattr(data, "to_arrow_table", None) or getattr(data, "fetch_arrow_table", None)
        if callable(fetch):
            fetched: pa.Table = fetch()
            return fetched
    if hasattr(data, "__arrow_c_stream__") and not isinstance(data, (pd.Series, pd.Index)):
        try:
            return pa.table(data)
        except (pa.ArrowException, TypeError, ValueError):  # a stream that is not a table
            return None
    return None


def to_pandas(data: Any, *, argument: str = "frame") -> pd.DataFrame:
    """The records of ``data`` as a pandas DataFrame, copying no more than needed.

    Parameters
    ----------
    data : DataFrame-like
        A pandas DataFrame, pyarrow Table or RecordBatch, polars DataFrame or
        LazyFrame, DuckDB relation, or any object with ``__arrow_c_stream__``.
        A pandas DataFrame is returned itself (the caller must not
        modify it); the others are converted through Arrow, strings to pandas'
        string dtype, numbers sharing Arrow's buffers where the types allow.
    argument : str, default "frame"
        The argument's name, for the error message.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    UnsupportedFrameError
        ``data`` is none of the accepted types (the message names its type and the
        accepted ones; it never shows the data).

    Examples
    --------
    >>> import pyarrow as pa
    >>> to_pandas(pa.table({"id": [1, 2], "email": ["a@b.co", None]})).shape
    (2, 2)
    >>> frame = pd.DataFrame({"id": [1]})
    >>> to_pandas(frame) is frame
    True
    >>> to_pandas([1, 2])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identigraph.errors.UnsupportedFrameError: frame must be a table of records, got list; ...

    Notes
    -----
    Cost: O(1) for pandas; otherwise one Arrow-to-pandas conversion, O(rows x
    columns), with numeric columns zero-copy when they have no nulls.
    """
    if isinstance(data, pd.DataFrame):
        return data
    start = time.perf_counter()
    arrow = _as_arrow(data)
    if arrow is None:
        raise UnsupportedFrameError(argument=argument, got=_type_name(data), accepted=ACCEPTED)
    frame = _arrow_to_pandas(arrow)
    _log.info(
        "converted %s to pandas: %d rows, %d columns in %.3f s",
        _type_name(data),
        len(frame),
        frame.shape[1],
        time.perf_counter() - start,
    )
    return frame
