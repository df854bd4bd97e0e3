"""Blocking-key transforms: a registry from transform names to functions on unique values.

Each transform maps the *unique* raw values of a column (a ``Series``) to their
blocking keys, ``None`` where a value gives no key. Callers factorize a column
once and transform only its unique values.
"""

from __future__ import annotations

from collections.abc import Callable

import jellyfish
import numpy as np
import numpy.typing as npt
import pandas as pd

from identigraph.matcher._values import as_text, parse_dates

__all__ = ["TRANSFORMS", "KeyTransform"]

#: ``transform(unique_values, n, date_format) -> keys``
KeyTransform = Callable[[pd.Series, "int | None", "str | None"], pd.Series]


def _series(values: npt.NDArray[np.object_]) -> pd.Series:
    series: pd.Series = pd.Series(values, dtype=object)
    return series


def _exact(values: pd.Series, n: int | None, date_format: str | None) -> pd.Series:
    return as_text(values)


def _prefix(values: pd.Series, n: int | None, date_format: str | None) -> pd.Series:
    text = as_text(values)
    out = text.to_numpy(dtype=object, copy=True)
    present = text.notna().to_numpy()
    out[present] = text[present].str[:n].to_numpy(dtype=object)
    return _series(out)


def _phonetic(code: Callable[[str], str]) -> KeyTransform:
    def transform(values: pd.Series, n: int | None, date_format: str | None) -> pd.Series:
        text = as_text(values).to_numpy(dtype=object, copy=True)
        # jellyfish scores one string at a time; this runs once per distinct value.
        keys = np.array([code(v) or None if v is not None else None for v in text], dtype=object)
        return _series(keys)

    return transform


def _year(values: pd.Series, n: int | None, date_format: str | None) -> pd.Series:
    years = parse_dates(values, date_format).dt.year
    return _series(years.astype("Int64").to_numpy(dtype=object, na_value=None))


#: Blocking transforms by name.
TRANSFORMS: dict[str, KeyTransform] = {
    "exact": _exact,
    "prefix": _prefix,
    "metaphone": _phonetic(jellyfish.metaphone),
    "nysiis": _phonetic(jellyfish.nysiis),
    "soundex": _phonetic(jellyfish.soundex),
    "year": _year,
}
