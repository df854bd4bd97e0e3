"""Input records of a matcher: one frame or several named sources, in a canonical row order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from identigraph._frames import to_pandas
from identigraph.errors import ConfigError, DuplicateRecordError, InputError, MissingColumnError

__all__ = ["Records", "collect_records"]

#: Source name of records given as one frame without a name.
DEFAULT_SOURCE = "records"


@dataclass(frozen=True, slots=True)
class Records:
    """Records of all sources stacked in canonical order: by source name, then record id.

    ``frame`` holds the needed columns with a ``RangeIndex``; ``sources`` the code of
    each row's source in ``source_names`` (sorted); ``ids`` each row's record id.
    """

    frame: pd.DataFrame
    sources: npt.NDArray[np.int64]
    source_names: tuple[str, ...]
    ids: pd.Series

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def source_sizes(self) -> npt.NDArray[np.int64]:
        """Number of records of each source."""
        return np.bincount(self.sources, minlength=len(self.source_names)).astype(np.int64)


def _sorted_positions(ids: pd.Series) -> npt.NDArray[np.int64]:
    """Positions that sort ``ids`` (by their text where the values are not comparable)."""
    try:
        return np.asarray(ids.argsort(kind="stable"), dtype=np.int64)
    except TypeError:
        return np.asarray(ids.astype(str).argsort(kind="stable"), dtype=np.int64)


def collect_records(
    data: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    id: str | Mapping[str, str] | None,
    source: str,
    columns: Sequence[str],
) -> Records:
    """Stack the ``columns`` of one frame or of several named sources.

    Parameters
    ----------
    data : DataFrame or mapping of str to DataFrame
        One source's records, or records by source name.
    id : str, mapping of str to str, or None
        Column holding the record id (per source, for a mapping); ``None`` takes
        the frame's index.
    source : str
        Source name of a single frame.
    columns : sequence of str
        Columns the matcher reads.

    Raises
    ------
    MissingColumnError
        An id column or a needed column is missing.
    DuplicateRecordError
        Record ids repeat within a source.
    InputError
        Missing record ids, or no frame given.
    """
    if not isinstance(data, Mapping):
        data = to_pandas(data, argument="records")
    if isinstance(data, pd.DataFrame):
        if not isinstance(source, str) or not source:
            msg = f"source must be a non-empty string, got {source!r}"
            raise ConfigError(msg)
        frames: dict[str, pd.DataFrame] = {source: data}
    elif isinstance(data, Mapping):
        frames = {
            str(name): to_pandas(frame, argument=f"records[{name!r}]")
            for name, frame in data.items()
        }
        if not frames:
            msg = "no records: the mapping of sources is empty"
            raise InputError(msg)
        if not all(isinstance(frame, pd.DataFrame) for frame in frames.values()):
            msg = "every source must map to a pandas DataFrame"
            raise InputError(msg)
    else:
        msg = (
            "records must be a DataFrame or a mapping of source names to DataFrames, "
            f"got {type(data).__name__}"
        )
        raise InputError(msg)
    needed = list(dict.fromkeys(columns))
    parts: list[pd.DataFrame] = []
    id_parts: list[pd.Series] = []
    names = sorted(frames)
    for name in names:
        frame = frames[name]
        id_column = id.get(name) if isinstance(id, Mapping) else id
        if id_column is None:
            ids = pd.Series(frame.index, copy=True).reset_index(drop=True)
        else:
            if id_column not in frame.columns:
                msg = f"source {name!r}: id column {id_column!r} is not in the frame"
                raise MissingColumnError(msg, column=id_column, available=list(frame.columns))
            ids = frame[id_column].reset_index(drop=True)
        if ids.isna().any():
            msg = f"source {name!r}: {int(ids.isna().sum())} record(s) have no record id"
            raise InputError(msg)
        duplicated = ids.duplicated()
        if duplicated.any():
            repeats = ids[duplicated].unique()[:5].tolist()
            msg = f"source {name!r}: record ids repeat ({int(duplicated.sum())} duplicate rows)"
            raise DuplicateRecordError(msg, source=name, record_ids=repeats)
        for column in needed:
            if column not in frame.columns:
                msg = f"source {name!r}: column {column!r} is not in the frame"
                raise MissingColumnError(msg, column=column, available=list(frame.columns))
        order = _sorted_positions(ids)
        parts.append(frame[needed].iloc[order].reset_index(drop=True))
        id_parts.append(ids.iloc[order].reset_index(drop=True))
    sizes = [len(part) for part in parts]
    stacked = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    ids_all = id_parts[0] if len(id_parts) == 1 else pd.concat(id_parts, ignore_index=True)
    sources = np.repeat(np.arange(len(names), dtype=np.int64), sizes)
    return Records(frame=stacked, sources=sources, source_names=tuple(names), ids=ids_all)
