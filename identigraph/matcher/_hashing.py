"""SHA-256 hashing of normalized identifier values, matching pre-hashed inputs."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["is_sha256_hex", "sha256_hex"]

_HEX64 = r"[0-9a-f]{64}"


def is_sha256_hex(values: pd.Series) -> np.ndarray:
    """Boolean mask of values that already are lowercase SHA-256 hex digests."""
    if values.empty:
        return np.zeros(0, dtype=bool)
    return np.asarray(values.str.fullmatch(_HEX64).fillna(False), dtype=bool)


def sha256_hex(values: pd.Series) -> np.ndarray:
    """SHA-256 hex digest of each string (UTF-8), as an object array.

    The caller passes unique values only: this is the one loop over values on the
    bulk path, and costs about a microsecond a value.
    """
    sha = hashlib.sha256
    return np.array([sha(v.encode("utf-8")).hexdigest() for v in values.tolist()], dtype=object)
