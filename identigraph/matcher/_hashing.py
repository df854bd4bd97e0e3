"""SHA-256 hashing of normalized identifier values, matching pre-hashed inputs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from identigraph.matcher._arrow import fullmatch, to_mask

__all__ = ["is_sha256_hex", "sha256_hex"]

_HEX64 = r"[0-9a-f]{64}"


def is_sha256_hex(values: pa.Array) -> np.ndarray:
    """Boolean mask of values that already are lowercase SHA-256 hex digests."""
    return to_mask(fullmatch(values, _HEX64))


def sha256_hex(values: Sequence[str]) -> np.ndarray:
    """SHA-256 hex digest of each string (UTF-8), as an object array.

    The caller passes unique values only: this is the one loop over values on the
    bulk path, and costs about a microsecond a value.
    """
    sha = hashlib.sha256
    return np.array([sha(v.encode("utf-8")).hexdigest() for v in values], dtype=object)
