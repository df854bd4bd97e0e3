"""A store manifest's own checksum: every field that defines the graph is covered.

The manifest lists each data file's size and SHA-256, so damage to a data file is
caught; this module covers the manifest itself. :func:`seal_manifest` adds the
SHA-256 of the manifest's canonical JSON (keys sorted, no spaces, ASCII only) as
the field ``manifest_sha256`` and renders the text to write;
:func:`verify_manifest` recomputes it after parsing. A bit flip or an edit of any
value, key or file name then fails the comparison, and the whitespace around
the values, the only bytes outside the canonical form, defines nothing.

Manifests of format versions 1 and 2 were written before the checksum and load
unverified. The current version is 4, not 3: one bit separates the character
``3`` from ``2`` and from ``1``, so a single flip could have made a checked
manifest look like an unchecked one; ``4`` is two bits from each.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from identigraph.errors import StoreError

__all__ = ["CHECKSUM_FIELD", "CHECKED_SINCE", "parse_manifest", "seal_manifest", "verify_manifest"]

#: The manifest field holding the SHA-256 of the rest of the manifest.
CHECKSUM_FIELD = "manifest_sha256"
#: The first format version whose manifests carry (and must carry) the checksum.
CHECKED_SINCE = 4
#: Format versions written before the checksum existed.
_UNCHECKED = frozenset({1, 2})


def _canonical(body: dict[str, Any]) -> bytes:
    """The one byte string a manifest's content maps to (sorted keys, no whitespace)."""
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(body)).hexdigest()


def seal_manifest(manifest: dict[str, Any]) -> bytes:
    """The bytes of ``manifest.json``: ``manifest`` with its checksum, indented for people.

    Parameters
    ----------
    manifest : dict
        JSON-serializable content, finite numbers only; it is not modified.

    Returns
    -------
    bytes
        UTF-8 JSON holding every field of ``manifest`` and ``manifest_sha256``.

    Examples
    --------
    >>> text = seal_manifest({"format_version": 4, "sources": ["crm"]})
    >>> verify_manifest(parse_manifest(text, Path("g")), Path("g"))
    >>> verify_manifest(parse_manifest(text.replace(b"crm", b"csm"), Path("g")), Path("g"))
    Traceback (most recent call last):
    ...
    identigraph.errors.StoreError: the manifest of the store at g fails its checksum: ...

    Notes
    -----
    O(size of the manifest).
    """
    body = {k: v for k, v in manifest.items() if k != CHECKSUM_FIELD}
    sealed = {**body, CHECKSUM_FIELD: _digest(body)}
    return json.dumps(sealed, indent=2, ensure_ascii=True, allow_nan=False).encode("utf-8")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) < len(pairs):
        msg = "a JSON object repeats a key"
        raise ValueError(msg)
    return out


def parse_manifest(data: bytes, path: Path) -> dict[str, Any]:
    """Parse the bytes of ``manifest.json``; :class:`StoreError` unless a JSON object.

    Objects that repeat a key and the non-standard numbers ``NaN`` and
    ``Infinity`` are refused: no writer of a store makes them.

    Examples
    --------
    >>> parse_manifest(b'{"a": 1}', Path("g"))
    {'a': 1}
    >>> parse_manifest(b'{"a": 1, "a": 2}', Path("g"))
    Traceback (most recent call last):
    ...
    identigraph.errors.StoreError: the manifest of the store at g is corrupt or truncated
    """

    def refuse(token: str) -> float:
        msg = f"non-standard number {token}"
        raise ValueError(msg)

    try:
        manifest = json.loads(
            data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=refuse
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        msg = f"the manifest of the store at {path} is corrupt or truncated"
        raise StoreError(msg) from err
    if not isinstance(manifest, dict):
        msg = f"{path} is not an identigraph store (unknown manifest)"
        raise StoreError(msg)
    return manifest


def verify_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Raise :class:`StoreError` unless ``manifest`` matches its own checksum.

    A manifest that names a format version of :data:`CHECKED_SINCE` or later must
    carry the checksum; one that names version 1 or 2 (written before it) is not
    checked; any other version (0, 3, negative) was never written. A manifest
    whose version is not an integer is left to the caller's version check.

    Examples
    --------
    >>> manifest = parse_manifest(seal_manifest({"format_version": 4}), Path("g"))
    >>> verify_manifest(manifest, Path("g"))
    >>> verify_manifest({"format_version": 4}, Path("g"))
    Traceback (most recent call last):
    ...
    identigraph.errors.StoreError: the manifest of the store at g has no checksum ...
    """
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version in _UNCHECKED:
        return
    if version < CHECKED_SINCE:
        msg = f"the manifest of the store at {path} names format version {version}, never written"
        raise StoreError(msg)
    expected = manifest.get(CHECKSUM_FIELD)
    if not isinstance(expected, str):
        msg = (
            f"the manifest of the store at {path} has no checksum ({CHECKSUM_FIELD}), "
            f"which format version {version} requires"
        )
        raise StoreError(msg)
    body = {k: v for k, v in manifest.items() if k != CHECKSUM_FIELD}
    if _digest(body) != expected:
        msg = (
            f"the manifest of the store at {path} fails its checksum: it was damaged or "
            "edited after the store was written"
        )
        raise StoreError(msg)
