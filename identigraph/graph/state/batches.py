"""Record batches: the records one call added, with their ids and kept attributes."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["RecordBatch"]


@dataclass(slots=True)
class RecordBatch:
    """Records added by one call: rows ``start .. stop-1`` of the record arrays."""

    source: str
    start: int
    ids: pd.Index
    attributes: pd.DataFrame

    @property
    def stop(self) -> int:
        return self.start + len(self.ids)
