"""Record-id typing: each source's ids keep one type, fixed by its first add."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from identigraph.errors import DtypeError
from identigraph.matcher._frame_checks import check_record_ids

__all__ = ["IdKind", "check_id_kind", "id_kind"]

#: The type of a source's record ids: integers, strings, or any other one type
#: (floats, dates...), named by ``pandas.api.types.infer_dtype``.
IdKind = Literal["integer", "string"] | str

_INT_LIKE = frozenset({"integer"})
_STR_LIKE = frozenset({"string", "bytes"})


def id_kind(ids: pd.Index, *, source: str, where: str) -> IdKind | None:
    """The type of ``ids``: ``"integer"``, ``"string"`` or another; None when empty.

    Raises
    ------
    DtypeError
        The ids mix types (integers and strings, ``1`` and ``"1"``), which would make
        one record two.

    Examples
    --------
    >>> import pandas as pd
    >>> id_kind(pd.Index([3, 1]), source="crm", where="the index")
    'integer'
    >>> id_kind(pd.Index(["a", "b"]), source="crm", where="the index")
    'string'
    >>> id_kind(pd.Index([1, "1"], dtype=object), source="crm", where="the index")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identigraph.errors.DtypeError: record ids in the index of source 'crm' are Python ...

    Notes
    -----
    O(1) for numeric dtypes; one ``infer_dtype`` pass, O(n), for object ids.
    """
    if not len(ids):
        return None
    kind = ids.dtype.kind
    if kind in "iu":
        return "integer"
    if kind == "b":
        return "boolean"
    if kind in "mMf":
        return pd.api.types.infer_dtype(ids, skipna=False)
    inferred = pd.api.types.infer_dtype(ids, skipna=False)
    if inferred in _INT_LIKE:
        return "integer"
    if inferred in _STR_LIKE:
        return "string"
    if inferred.startswith("mixed"):
        check_record_ids(ids, f"{where} of source {source!r}")  # raises: one rule, one message
    return inferred


def check_id_kind(ids: pd.Index, known: IdKind | None, *, source: str, where: str) -> IdKind | None:
    """The type of ``ids``, once it matches the type ``known`` of the source's ids.

    Raises
    ------
    DtypeError
        The ids mix types, or are of another type than the source's ids so far: an
        id ``"7"`` for a source of integer ids would be a second record, not ``7``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_id_kind(pd.Index([7]), "integer", source="web", where="the index")
    'integer'
    >>> check_id_kind(pd.Index(["7"]), "integer", source="web", where="the index")
    Traceback (most recent call last):
    ...
    identigraph.errors.DtypeError: source 'web' holds integer record ids; the index holds string ids
    """
    kind = id_kind(ids, source=source, where=where)
    if kind is None or known is None or kind == known:
        return kind
    msg = f"source {source!r} holds {known} record ids; {where} holds {kind} ids"
    raise DtypeError(msg, column=where, dtype=str(np.asarray(ids).dtype))
