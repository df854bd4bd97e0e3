"""SHA-256 hashing of normalized identifier values, matching pre-hashed inputs."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from identigraph.matcher._arrow import fullmatch, fullmatches, to_mask

__all__ = [
    "is_sha256_hex",
    "is_sha256_hex_text",
    "lowercase_digests",
    "sha256_digests",
    "sha256_hex",
]

_HEX64 = r"[0-9a-f]{64}"
#: Up to this many values go through Python's ``re`` (see ``_arrow.search``).
_SMALL = 8


def is_sha256_hex(values: pa.Array) -> np.ndarray:
    """Boolean mask of values that already are lowercase SHA-256 hex digests.

    Examples
    --------
    >>> import pyarrow as pa
    >>> is_sha256_hex(pa.array(["a" * 64, "A" * 64, "a" * 63, None])).tolist()
    [True, False, False, False]
    """
    if len(values) <= _SMALL:
        return to_mask(fullmatch(values, _HEX64))
    # Only 64-byte values can be digests: the pattern runs on those alone.
    rows = np.flatnonzero(to_mask(pc.equal(pc.binary_length(values), 64)))
    mask = np.zeros(len(values), dtype=bool)
    if rows.size:
        mask[rows] = to_mask(pc.match_substring_regex(values.take(rows), f"^(?:{_HEX64})$"))
    return mask


def is_sha256_hex_text(text: str) -> bool:
    """:func:`is_sha256_hex` of one string.

    Examples
    --------
    >>> is_sha256_hex_text("a" * 64), is_sha256_hex_text("A" * 64)
    (True, False)
    """
    return fullmatches(text, _HEX64)


def lowercase_digests(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Values whose lowercase form is a SHA-256 hex digest (a mask), and those digests.

    The same as :func:`is_sha256_hex` of ``pc.utf8_lower(values)``: no character
    outside ASCII lowercases to a hex digit, so a digest's raw form has 64 bytes too
    and only those values are lowercased and tested.

    Examples
    --------
    >>> import pyarrow as pa
    >>> mask, digests = lowercase_digests(pa.array(["AB" * 32, "ann@mail.org"]))
    >>> mask.tolist(), digests.to_pylist() == ["ab" * 32]
    ([True, False], True)
    """
    if len(values) <= _SMALL:
        lowered = pc.utf8_lower(values)
        mask = is_sha256_hex(lowered)
        return mask, lowered.filter(pa.array(mask))
    rows = np.flatnonzero(to_mask(pc.equal(pc.binary_length(values), 64)))
    mask = np.zeros(len(values), dtype=bool)
    if not rows.size:
        return mask, pa.array([], type=pa.string())
    lowered = pc.utf8_lower(values.take(rows))
    found = to_mask(pc.match_substring_regex(lowered, f"^(?:{_HEX64})$"))
    mask[rows] = found
    return mask, lowered.filter(pa.array(found))


def _builtin_sha256() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 (``_sha2``, ``_sha256`` before 3.12), else ``hashlib``'s.

    Both give the same digests; for short values the built-in one skips OpenSSL's
    per-call set-up and is faster.
    """
    for name in ("_sha2", "_sha256"):
        try:
            sha: Callable[[bytes], Any] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        if sha(b"abc").hexdigest() == hashlib.sha256(b"abc").hexdigest():
            return sha
    return hashlib.sha256


_SHA256 = _builtin_sha256()
#: Values hashed in one call into C (about 3 ms), between chances for other threads.
_SLICE = 8192


def sha256_hex(values: Sequence[str] | Sequence[bytes]) -> np.ndarray:
    """SHA-256 hex digest of each string (UTF-8), or of each byte string, as an object array.

    The caller passes unique values only: this is the one loop over values on the
    bulk path, and costs about a third of a microsecond a value.

    Examples
    --------
    >>> sha256_hex(["abc"])[0][:16]
    'ba7816bf8f01cfea'
    """
    # Built-in iteration all the way (no bytecode per value), straight into the array,
    # a slice at a time: between slices another thread may take the GIL (a call
    # into C keeps it to the end), so the other columns' Arrow work goes on beside.
    hexdigest = type(_SHA256(b"")).hexdigest
    encode = len(values) and isinstance(values[0], str)
    out = np.empty(len(values), dtype=object)
    for start in range(0, len(values), _SLICE):  # one step per slice of values
        part = values[start : start + _SLICE]
        data: Iterable[bytes]
        if encode:
            data = map(str.encode, cast("Sequence[str]", part))
        else:
            data = cast("Sequence[bytes]", part)
        out[start : start + len(part)] = np.fromiter(
            map(hexdigest, map(_SHA256, data)), dtype=object, count=len(part)
        )
    return out


#: The two lowercase hex digits of each byte, as the little-endian ``uint16`` of their ASCII.
_HEX_PAIRS = np.array(
    [int.from_bytes(f"{byte:02x}".encode(), "little") for byte in range(256)], dtype="<u2"
)


def sha256_digests(values: pa.Array) -> pa.Array:
    """SHA-256 hex digest of each value (UTF-8 strings or bytes, no nulls) as Arrow strings.

    The digests of :func:`sha256_hex`, made without a Python string per value:
    the raw 32-byte digests are joined into one buffer and spelled in hex by one
    numpy gather, which becomes the data of a ``large_string`` array.

    Examples
    --------
    >>> import pyarrow as pa
    >>> digests = sha256_digests(pa.array(["abc", ""]))
    >>> digests.type, [d[:16] for d in digests.to_pylist()]
    (DataType(large_string), ['ba7816bf8f01cfea', 'e3b0c44298fc1c14'])

    Notes
    -----
    One call into the hash per value (the GIL is held, as :func:`sha256_hex`
    holds it), a slice of values at a time so that other threads run between
    slices; then O(n) numpy work without the GIL. Memory: 32 + 64 bytes a value.
    """
    data = values.cast(pa.large_binary()) if values.type != pa.large_binary() else values
    digest = type(_SHA256(b"")).digest
    parts = [
        b"".join(map(digest, map(_SHA256, data.slice(start, _SLICE).to_pylist())))
        for start in range(0, len(data), _SLICE)  # one step per slice of values
    ]
    raw = np.frombuffer(b"".join(parts), dtype=np.uint8)
    text = _HEX_PAIRS[raw]  # two hex digits a byte, in order: the digests' text
    offsets = np.arange(0, 64 * len(data) + 1, 64, dtype=np.int64)
    return pa.Array.from_buffers(
        pa.large_string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(text)]
    )
