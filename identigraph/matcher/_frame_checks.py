"""Frame-level checks of an input to ``IdentityGraph.add``: what it cannot link, keep or store.

:func:`check_frame` runs before anything else in ``add`` and refuses, with a typed
error, every frame whose shape, names, record ids or column types would make a
later step fail with a raw exception or make ``save`` write what ``load`` cannot
read back: MultiIndex or repeated column names (also after ``columns=`` renames),
names that are not strings or are reserved, a MultiIndex or mixed-type record
index, integer ids beyond 64 bits, sparse, Arrow dictionary and nested Arrow
columns, complex numbers, object columns whose values Parquet cannot type
(integers among strings, dictionaries) or reads back otherwise (sets), or an
identifier cannot hold, and categoricals the store cannot keep (period or
interval categories, mixed-type categories, ordered non-string categories out of
increasing order).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from identigraph._frames import ACCEPTED
from identigraph.errors import DtypeError, InputError, UnsupportedFrameError
from identigraph.matcher.specs import Identifier

__all__ = ["RESERVED_PREFIX", "check_frame", "check_record_ids"]

#: Column names starting with this are reserved for the store's own columns.
RESERVED_PREFIX = "__identigraph"

#: ``infer_dtype`` kinds of object columns that always convert to Parquet and back.
_PLAIN_OBJECTS = frozenset({"string", "empty", "floating", "boolean"})
#: ``infer_dtype`` kinds of record ids that mix Python types.
_MIXED = frozenset({"mixed", "mixed-integer", "mixed-integer-float"})
_INT64 = (-(2**63), 2**63 - 1)


def check_frame(
    frame: object,
    identifiers: Sequence[Identifier],
    *,
    id: str | None = None,
    keep: Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> None:
    """Raise a typed error unless ``add`` can link, keep and store ``frame`` as given.

    Parameters
    ----------
    frame : object
        What the caller passed to ``add``; it is not modified.
    identifiers : sequence of Identifier
        The graph's identifier specs; the columns they name are checked for values
        the identifier cannot hold.
    id, keep, columns
        ``add``'s arguments of these names: the record id column (``None``: the
        index), the columns kept (``None``: all but the id column), and the renames
        applied first.

    Raises
    ------
    InputError
        ``frame`` is not a DataFrame; ``id``, ``keep`` or ``columns`` has the wrong
        type; the columns are a MultiIndex, repeat a name (after renames), or a
        kept one has a name that is not a string or starts with
        :data:`RESERVED_PREFIX`; the record ids are a MultiIndex, mix Python
        types, or are integers beyond 64 bits.
    DtypeError
        A kept or identifier column is sparse, an Arrow dictionary or nested Arrow
        type, complex, an object column whose values Parquet cannot type (or
        would read back as another type: sets) or the identifier cannot hold, or
        a categorical whose categories the store cannot keep.

    Messages name columns, dtypes and Python types, never a value.

    Examples
    --------
    >>> import pandas as pd
    >>> from identigraph.matcher.specs import Email
    >>> frame = pd.DataFrame({"email": ["ann@mail.org"], "mail": ["bob@mail.org"]})
    >>> check_frame(frame, [Email("email")])
    >>> check_frame(frame, [Email("email")], columns={"mail": "email"})
    Traceback (most recent call last):
    ...
    identigraph.errors.InputError: column names repeat (after renames): ['email']

    Notes
    -----
    One ``pandas.api.types.infer_dtype`` pass (C speed) over each object column;
    only object columns that hold more than strings, floats or booleans are
    converted to Arrow as a trial, the conversion ``save`` would make. O(rows x
    columns).
    """
    if not isinstance(frame, pd.DataFrame):  # what to_pandas could not convert
        got = f"{type(frame).__module__}.{type(frame).__qualname__}"
        raise UnsupportedFrameError(argument="frame", got=got, accepted=ACCEPTED)
    names = _renamed(frame, columns)
    if id is not None and not isinstance(id, str):
        msg = f"id must be the name of a column (a string) or None, got {type(id).__name__}"
        raise InputError(msg)
    if isinstance(keep, str) or (keep is not None and not isinstance(keep, Sequence)):
        msg = f"keep must be a list of column names or None, got {type(keep).__name__}"
        raise InputError(msg)
    if keep is not None and not all(isinstance(name, str) for name in keep):
        msg = "keep must list column names as strings"
        raise InputError(msg)
    kept = set(names) - {id} if keep is None else set(keep)
    bad_names = sorted(repr(n) for n in kept if not isinstance(n, str))
    if bad_names:
        msg = (
            f"kept column names must be strings, got {', '.join(bad_names)}; "
            "rename them or leave them out of keep"
        )
        raise InputError(msg)
    reserved = sorted(n for n in kept if isinstance(n, str) and n.startswith(RESERVED_PREFIX))
    if reserved:
        msg = f"column names starting with {RESERVED_PREFIX!r} are reserved: {reserved}"
        raise InputError(msg)
    if id is None:
        check_record_ids(frame.index, "the index")
    elif id in names:
        check_record_ids(pd.Index(frame.iloc[:, names.index(id)]), f"column {id!r}")
    specs: dict[Hashable, Identifier] = {spec.column: spec for spec in identifiers}
    dtypes = frame.dtypes.tolist()
    for position, name in enumerate(names):  # one step per column
        if name in kept or name in specs:
            # Names are unique once renamed, so they were before: a plain look-up.
            _check_column(
                str(name), dtypes[position], frame, frame.columns[position], specs.get(name)
            )


def _renamed(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> list[Hashable]:
    """Column names after ``columns`` renames; raises on MultiIndex columns and repeats."""
    if isinstance(frame.columns, pd.MultiIndex):
        msg = (
            f"the frame's columns are a MultiIndex of {frame.columns.nlevels} levels; "
            "flatten them to one level of strings"
        )
        raise InputError(msg)
    if columns is not None and not isinstance(columns, Mapping):
        msg = f"columns must be a mapping of renames or None, got {type(columns).__name__}"
        raise InputError(msg)
    renames = dict(columns or {})
    if not all(isinstance(name, str) for name in renames.values()):
        msg = "columns must rename to column names that are strings"
        raise InputError(msg)
    names: list[Hashable] = [renames.get(name, name) for name in frame.columns]
    if len(set(names)) < len(names):
        index = pd.Index(names, dtype=object)
        repeated = index[index.duplicated()].unique().tolist()
        msg = f"column names repeat (after renames): {sorted(map(str, repeated))}"
        raise InputError(msg)
    return names


def check_record_ids(ids: pd.Index, where: str) -> None:
    """Raise :class:`InputError` unless record ids are flat, of one Python type, within 64 bits.

    The one check of mixed id types: a :class:`DtypeError`, an ``InputError``.

    :func:`check_frame` calls it on the frame's ids; a path that adds records
    without a frame (one record at a time) calls it on its ids alone.

    Examples
    --------
    >>> import pandas as pd
    >>> check_record_ids(pd.Index(["r1", "r2"]), "the index")
    >>> check_record_ids(pd.Index([1, "1"], dtype=object), "column 'rid'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identigraph.errors.DtypeError: record ids in column 'rid' are Python int, str values, ...
    """
    if isinstance(ids, pd.MultiIndex):
        msg = (
            f"record ids in {where} are a MultiIndex of {ids.nlevels} levels; "
            "join them into one column and pass it as id="
        )
        raise InputError(msg)
    if ids.dtype != np.dtype(object) or not len(ids):
        return
    kind = pd.api.types.infer_dtype(ids, skipna=True)
    if kind in _MIXED:
        present = ids[np.asarray(ids.notna())]
        types = sorted({type(v).__name__ for v in present})  # the error path only
        msg = (
            f"record ids in {where} are Python {', '.join(types)} values, not one scalar "
            "type: give every record id of a source one type, strings or integers"
        )
        raise DtypeError(msg, column=where, dtype=kind)
    if kind == "integer":
        values = ids[np.asarray(ids.notna())]
        if values.min() < _INT64[0] or values.max() > _INT64[1]:
            msg = f"record ids in {where} hold integers beyond 64 bits; use strings"
            raise InputError(msg)


def _check_column(
    name: str, dtype: object, frame: pd.DataFrame, label: Hashable, spec: Identifier | None
) -> None:
    """Raise unless column ``label`` of ``frame`` can be linked (``spec``) and stored.

    Only object columns are read: every other verdict comes from the dtype.
    """
    if isinstance(dtype, pd.SparseDtype):
        why = "is sparse; pass it dense (.sparse.to_dense())"
        raise _dtype_error(name, dtype, why)
    if isinstance(dtype, pd.ArrowDtype):
        arrow = dtype.pyarrow_dtype
        if pa.types.is_dictionary(arrow):
            why = "is an Arrow dictionary; pass .astype('category') or the plain values"
            raise _dtype_error(name, dtype, why)
        if pa.types.is_nested(arrow):
            why = "is a nested Arrow type (list, struct or map), which the store cannot keep"
            raise _dtype_error(name, dtype, why)
    if isinstance(dtype, np.dtype) and dtype.kind in ("c", "V"):
        raise _dtype_error(name, dtype, "holds complex numbers or raw bytes, which Parquet cannot")
    if isinstance(dtype, pd.CategoricalDtype):
        _check_categories(name, dtype)
    if dtype != np.dtype(object) or frame.empty:
        return
    column = frame[label]
    kind = pd.api.types.infer_dtype(column, skipna=True)  # the one pass over every row
    if spec is not None:
        spec._check_objects(column, kind)  # the rule of the spec's own to_text
    if kind in _PLAIN_OBJECTS:
        return
    try:
        arrow = pa.array(column.to_numpy(dtype=object), from_pandas=True)
    except (pa.ArrowException, UnicodeError, TypeError, ValueError, OverflowError) as err:
        # Arrow's message may quote a value: it is not chained.
        why = f"holds values Parquet cannot type together ({kind}, {type(err).__name__})"
        raise _dtype_error(name, dtype, why) from None
    if _holds_struct(arrow.type):
        why = "holds dictionaries, which the store cannot read back as they were"
        raise _dtype_error(name, dtype, why)
    if pa.types.is_list(arrow.type) or pa.types.is_large_list(arrow.type):
        objects = column.to_numpy(dtype=object)
        types = set(map(type, objects[~pd.isna(objects)]))  # lists, sets, arrays: one per value
        if types & {set, frozenset}:
            why = "holds sets, which the store would read back as lists; pass sorted lists"
            raise _dtype_error(name, dtype, why)


#: Kinds of category dtypes (numpy ``dtype.kind``) Parquet stores and reads back.
_CATEGORY_KINDS = frozenset("iufbmMO")


def _check_categories(name: str, dtype: pd.CategoricalDtype) -> None:
    """Raise unless the store can write a categorical's categories and keep their meaning.

    Categories of period, interval or other extension types cannot be written;
    object categories must convert to one Arrow type; an ordered categorical
    whose categories are not strings must list them in increasing order, the
    order they are read back in (Parquet keeps their values, not their order).
    """
    categories = dtype.categories
    if isinstance(categories.dtype, pd.StringDtype):
        return
    numpy_kind = categories.dtype.kind if isinstance(categories.dtype, np.dtype) else None
    if numpy_kind not in _CATEGORY_KINDS and not isinstance(categories.dtype, pd.DatetimeTZDtype):
        why = f"is a categorical of {categories.dtype} categories, which Parquet cannot store"
        raise _dtype_error(name, dtype, why)
    if categories.dtype == np.dtype(object):
        kind = pd.api.types.infer_dtype(categories, skipna=True)
        if kind == "string":
            return
        try:
            pa.array(categories.to_numpy(dtype=object), from_pandas=True)
        except (pa.ArrowException, UnicodeError, TypeError, ValueError, OverflowError):
            why = f"is a categorical whose categories Parquet cannot type together ({kind})"
            raise _dtype_error(name, dtype, why) from None
    if dtype.ordered and not categories.is_monotonic_increasing:
        why = (
            "is an ordered categorical whose categories are not strings and not in "
            "increasing order, an order the store cannot keep"
        )
        raise _dtype_error(name, dtype, why)


def _holds_struct(kind: pa.DataType) -> bool:
    """Whether an Arrow type is or contains a struct or map (dicts in Python)."""
    if pa.types.is_struct(kind) or pa.types.is_map(kind):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _holds_struct(kind.value_type)
    return False


def _dtype_error(name: str, dtype: object, why: str) -> DtypeError:
    return DtypeError(f"column {name!r} {why}", column=name, dtype=str(dtype))
