"""Kept-column dtypes through Parquet: what a batch file loses, noted on save, restored on load.

Parquet and Arrow's pandas metadata bring most dtypes back as they were; these
they do not, and the store notes each such column's dtype (never a value) in the
manifest's batch entry, under ``dtypes``, to restore it on load:

- ``string`` with Python storage (read back with Arrow storage), and the
  ``na_value`` of a ``StringDtype``;
- ``pd.ArrowDtype`` columns (Arrow strings read back as ``string``, decimals as
  objects, ``timestamp[s]`` as ``[ms]``): rebuilt with their Arrow type, noted
  as a serialized Arrow schema of one field;
- ``datetime64[s]`` and other units or types Parquet widens (read back as
  ``[ms]``): cast back;
- categoricals whose categories are not strings (read back as plain values) or
  that have no category at all (read back as ``float64``): rebuilt with their
  ``ordered`` flag and their categories' dtype.

Canonical forms, where the store cannot keep the exact dtype:

- the categories of a non-string categorical come back sorted and only those a
  record uses (Parquet keeps the values, not the dictionary);
- a batch some of whose records were erased keeps only the categories its
  remaining records use: a category only an erased record held is erased data.

Nothing here reads a graph: the functions take frames and tables.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from identigraph.errors import StoreError

__all__ = ["id_values", "restore_frame", "storable_frame"]

_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError, KeyError, TypeError, IndexError)


def _note(dtype: object) -> dict[str, Any] | None:
    """What to note of a column's dtype so that load can restore it (``None``: nothing)."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "kind": "category",
            "ordered": bool(dtype.ordered),
            "categories": str(dtype.categories.dtype),
        }
    if isinstance(dtype, pd.StringDtype):
        return {
            "kind": "string",
            "storage": str(dtype.storage),
            "na": "nan" if dtype.na_value is np.nan else "NA",
        }
    if isinstance(dtype, pd.ArrowDtype):
        schema = pa.schema([pa.field("type", dtype.pyarrow_dtype)])  # the type alone, no value
        return {"kind": "arrow", "type": base64.b64encode(schema.serialize()).decode("ascii")}
    if dtype == np.dtype(object):
        return None  # the store's object_columns note covers these
    return {"kind": "dtype", "dtype": str(dtype)}


def id_values(ids: pd.Index) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Record ids as a column: numpy values, or the extension array that keeps their dtype.

    Examples
    --------
    >>> id_values(pd.Index([1, 2], dtype="Int64")).dtype
    Int64Dtype()
    >>> id_values(pd.Index(["a"], dtype=object)).dtype
    dtype('O')
    """
    if isinstance(ids.dtype, np.dtype):
        return ids.to_numpy()
    return ids.array


def storable_frame(
    frame: pd.DataFrame, *, erased: bool
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The frame to write for a batch, and the dtype notes its load needs.

    Parameters
    ----------
    frame : DataFrame
        The batch's alive rows, kept columns (string names, unique).
    erased : bool
        Whether records of the batch were erased: categories no remaining record
        uses are then dropped.

    Returns
    -------
    (DataFrame, dict)
        The frame (a shallow copy where a column changed) and, per column that
        needs it, its note for :func:`restore_frame`. Notes hold dtypes, never a value.

    Examples
    --------
    >>> frame = pd.DataFrame({"tier": pd.Categorical(["a"], categories=["a", "z"])})
    >>> out, notes = storable_frame(frame, erased=True)
    >>> list(out["tier"].cat.categories), notes["tier"]["kind"]
    (['a'], 'category')

    Notes
    -----
    O(rows) for each categorical column of a batch with erasures, O(columns) else.
    """
    notes: dict[str, dict[str, Any]] = {}
    out = frame
    for position, (name, dtype) in enumerate(frame.dtypes.items()):  # one step per column
        note = _note(dtype)
        if note is None:
            continue
        notes[str(name)] = note
        if erased and isinstance(dtype, pd.CategoricalDtype):
            if out is frame:
                out = frame.copy(deep=False)
            out.isetitem(position, frame.iloc[:, position].cat.remove_unused_categories().array)
    return out, notes


def restore_frame(table: pa.Table, notes: dict[str, Any], where: str) -> pd.DataFrame:
    """Read a batch table back as a frame with the dtypes :func:`storable_frame` noted.

    Raises
    ------
    StoreError
        The table cannot be converted or a noted dtype cannot be restored (a
        damaged or edited store). The message names the file and column only.

    Examples
    --------
    >>> frame = pd.DataFrame({"n": pd.Categorical([2, None, 1])})
    >>> out, notes = storable_frame(frame, erased=False)
    >>> restore_frame(pa.Table.from_pandas(out).cast(pa.schema([("n", pa.int64())])),
    ...               notes, "b.parquet")["n"].dtype
    CategoricalDtype(categories=[1, 2], ordered=False, categories_dtype=int64)
    """
    try:
        frame: pd.DataFrame = table.to_pandas()
    except _PARQUET_ERRORS as err:
        msg = f"{where} cannot be read: {type(err).__name__}"
        raise StoreError(msg) from err
    if not isinstance(notes, dict):
        msg = f"the manifest's dtypes of {where} are not a mapping"
        raise StoreError(msg)
    for name, note in notes.items():  # one step per noted column
        if name not in frame.columns or not isinstance(note, dict):
            msg = f"the manifest notes a dtype for column {name!r}, which {where} lacks"
            raise StoreError(msg)
        try:
            frame[name] = _restore(frame[name], table.column(name), note)
        except StoreError:
            raise
        except (*_PARQUET_ERRORS, AttributeError, binascii.Error) as err:
            msg = f"column {name!r} of {where} cannot be read back as its dtype was"
            raise StoreError(msg) from err
    return frame


def _restore(column: pd.Series, arrow: pa.ChunkedArray, note: dict[str, Any]) -> pd.Series:
    kind = note.get("kind")
    if kind == "dtype":
        dtype = pd.api.types.pandas_dtype(note["dtype"])
        return column if column.dtype == dtype else column.astype(dtype)
    if kind == "string":
        na_value = np.nan if note["na"] == "nan" else pd.NA
        string = pd.StringDtype(storage=note["storage"], na_value=na_value)
        return column if column.dtype == string else column.astype(string)
    if kind == "arrow":
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(note["type"], validate=True)))
        wanted = schema.field("type").type
        if arrow.type != wanted:  # e.g. timestamp[s], which Parquet widens to [ms]
            arrow = arrow.cast(wanted)
        return pd.Series(pd.arrays.ArrowExtensionArray(arrow), index=column.index)
    if kind == "category":
        return _restore_categorical(column, note)
    msg = f"unknown dtype note {kind!r}"
    raise StoreError(msg)


def _restore_categorical(column: pd.Series, note: dict[str, Any]) -> pd.Series:
    ordered = bool(note["ordered"])
    categories_dtype = pd.api.types.pandas_dtype(note["categories"])
    if isinstance(column.dtype, pd.CategoricalDtype):  # string categories: order kept
        categories = column.cat.categories
        if categories.dtype == categories_dtype and column.dtype.ordered == ordered:
            return column
        wanted = pd.CategoricalDtype(categories.astype(categories_dtype), ordered=ordered)
        return column.astype(wanted)
    present = pd.Index(pd.unique(column[column.notna()].to_numpy()))
    categories = present.astype(categories_dtype).sort_values()
    values = column.astype(categories_dtype) if column.notna().all() else column
    return pd.Series(
        pd.Categorical(values, categories=categories, ordered=ordered), index=column.index
    )
