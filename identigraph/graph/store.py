"""Save an identity graph to a directory of Parquet files and load it back, atomically.

A store is a directory::

    manifest.json      format version, counts, spec definitions, SHA-256 of every file
    records.parquet    source code, record hash, person id of each alive record
    batch-NNNNN.parquet  record ids and kept attributes, one file per batch
    edges.parquet      identifier links (record, value code, spec)
    values.parquet     link key of each value code, by kind
    matches.parquet    match edges
    cuts.parquet       links cut by per-person limits
    rejects.parquet    unusable identifier values (record, column, reason; no value)
    history.parquet    every merge and split of person ids
    persons.parquet    every person id ever issued and its generation

Only alive records are written, renumbered densely; values no record carries are
not written, so nothing of an erased record or an expired value reaches the store.

Atomicity: :func:`save` writes the new store into a temporary directory beside
``path``, syncs it, then swaps it in with two renames (old store to a backup name,
new store to ``path``) and deletes the backup. At every instant either ``path``
holds a complete store, or (between the two renames) the complete old store sits
in the backup directory, where :func:`load` and the next :func:`save` find and
restore it. A temporary directory left by a crash is deleted by the next save.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from identigraph.errors import StoreError, StoreVersionError
from identigraph.graph._incremental import rebuild_indexes
from identigraph.graph._values import ValueIndex
from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Phone

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = ["FORMAT_VERSION", "load_graph", "save_graph"]

#: Version of the store layout; stores of a newer version are refused.
FORMAT_VERSION = 1

_MANIFEST = "manifest.json"
_ID_COLUMN = "__identigraph_record_id__"
_SPEC_TYPES: dict[str, type[Identifier]] = {
    "Email": Email,
    "Phone": Phone,
    "Cookie": Cookie,
    "Key": Key,
}
_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError, KeyError, TypeError, IndexError)


# ---------------------------------------------------------------------------- specs
def _spec_to_json(spec: Identifier) -> dict[str, Any]:
    name = type(spec).__name__
    if _SPEC_TYPES.get(name) is not type(spec):
        msg = f"cannot save identifier spec type {name}; stores hold {sorted(_SPEC_TYPES)}"
        raise StoreError(msg)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(spec):
        value = getattr(spec, field.name)
        if isinstance(value, frozenset):
            value = {"frozenset": sorted(value)}
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            msg = f"cannot save field {field.name} of {name}({spec.column!r}): {type(value)}"
            raise StoreError(msg)
        fields[field.name] = value
    return {"type": name, "fields": fields}


def _spec_from_json(item: dict[str, Any]) -> Identifier:
    try:
        cls = _SPEC_TYPES[item["type"]]
        fields = {
            k: frozenset(v["frozenset"]) if isinstance(v, dict) else v
            for k, v in item["fields"].items()
        }
        column = fields.pop("column")
        return cls(column, **fields)
    except (KeyError, TypeError, ValueError) as err:
        msg = f"the store's manifest holds an identifier spec that cannot be rebuilt: {err}"
        raise StoreError(msg) from err


# ---------------------------------------------------------------------------- writing
def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # directories cannot be opened on every platform
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Writer:
    """Writes tables into a directory, syncing each file and noting its checksum."""

    def __init__(self, root: Path, compression: str) -> None:
        self.root = root
        self.compression = compression
        self.files: dict[str, dict[str, Any]] = {}

    def table(self, name: str, table: pa.Table) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression=self.compression)
        self.raw(name, sink.getvalue().to_pybytes(), rows=table.num_rows)

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as err:
            msg = f"cannot store {name}: a column holds values Parquet cannot type ({err})"
            raise StoreError(msg) from err
        self.table(name, table)

    def raw(self, name: str, data: bytes, *, rows: int | None = None) -> None:
        target = self.root / name
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        entry: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if rows is not None:
            entry["rows"] = rows
        self.files[name] = entry


def _siblings(path: Path, tag: str) -> list[Path]:
    if not path.parent.is_dir():
        return []
    prefix = f".{path.name}.{tag}-"
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix))


def _backup(path: Path) -> Path | None:
    """The complete old store a crash between the two renames of a save left behind."""
    for candidate in _siblings(path, "old"):
        if (candidate / _MANIFEST).is_file():
            return candidate
    return None


def _tables(g: IdentityGraph) -> tuple[dict[str, pa.Table | pd.DataFrame], dict[str, Any]]:
    """Every table of the store, on alive records renumbered densely, and manifest facts."""
    alive = np.flatnonzero(g._rec_alive)
    new_pos = np.full(len(g._rec_alive), -1, dtype=np.int64)
    new_pos[alive] = np.arange(len(alive))

    # Values: only those some alive record carries, renumbered in code order.
    kinds, keys, codes = [], [], []
    for kind, index in g._values.items():  # one step per identifier kind
        k, c = index.items()
        carried = g._val_count[c] > 0
        kinds.append(np.full(int(carried.sum()), kind, dtype=object))
        keys.append(k[carried])
        codes.append(c[carried])
    all_codes = np.concatenate(codes) if codes else np.empty(0, np.int64)
    order = np.argsort(all_codes, kind="stable")
    new_code = np.full(len(g._val_kind), -1, dtype=np.int64)
    new_code[all_codes[order]] = np.arange(len(order))
    values = pa.table(
        {
            "kind": pa.array(np.concatenate(kinds)[order] if kinds else [], pa.string()),
            "key": pa.array(np.concatenate(keys)[order] if keys else [], pa.string()),
        }
    )
    edges = pa.table(
        {
            "rec": new_pos[g._edge_rec],
            "val": new_code[g._edge_val],
            "spec": g._edge_spec.astype(np.int16),
        }
    )
    records = pa.table(
        {
            "source": g._rec_source[alive].astype(np.int32),
            "hash": g._rec_hash[alive].astype(np.uint64),
            "person": g._person[alive].astype(np.int64),
        }
    )
    match = g._match.copy()
    if len(match):
        match["rec_l"] = new_pos[match["rec_l"].to_numpy()]
        match["rec_r"] = new_pos[match["rec_r"].to_numpy()]
        match = match[(match["rec_l"] >= 0) & (match["rec_r"] >= 0)]
    cuts = g._cuts
    cut_ok = g._rec_alive[cuts.rec] & ((cuts.other < 0) | g._rec_alive[np.maximum(cuts.other, 0)])
    cuts = cuts.take(cut_ok)
    cut_table = pa.table(
        {
            "rec": new_pos[cuts.rec],
            "val": np.where(cuts.val >= 0, new_code[np.maximum(cuts.val, 0)], -1),
            "other": np.where(cuts.other >= 0, new_pos[np.maximum(cuts.other, 0)], -1),
            "kind": cuts.kind.astype(np.int64),
            "probability": cuts.probability.astype(float),
        }
    )
    rejects = g.rejects
    if len(rejects):
        rej_pos = g._positions(rejects["source"].astype(object), rejects["record_id"])
        reject_table = pa.table(
            {
                "rec": new_pos[rej_pos],
                "column": pa.array(rejects["column"].astype(str).to_numpy(object), pa.string()),
                "reason": pa.array(rejects["reason"].astype(str).to_numpy(object), pa.string()),
            }
        )
    else:
        reject_table = pa.table(
            {"rec": pa.array([], pa.int64()), "column": pa.array([], pa.string()),
             "reason": pa.array([], pa.string())}
        )  # fmt: skip
    history = g.id_history() if g._history else None
    issued, born = g._ids.items()
    persons = pa.table({"person_id": issued.astype(np.int64), "born": born.astype(np.int64)})
    tables: dict[str, pa.Table | pd.DataFrame] = {
        "records.parquet": records,
        "edges.parquet": edges,
        "values.parquet": values,
        "matches.parquet": match.reset_index(drop=True),
        "cuts.parquet": cut_table,
        "rejects.parquet": reject_table,
        "persons.parquet": persons,
    }
    if history is not None:
        tables["history.parquet"] = history
    batches = []
    for batch in g._batches:  # one file per batch holding alive records
        rows = np.flatnonzero(g._rec_alive[batch.start : batch.stop])
        if not len(rows):
            continue
        if _ID_COLUMN in batch.attributes.columns:
            msg = f"source {batch.source!r} keeps a column named {_ID_COLUMN!r}, reserved"
            raise StoreError(msg)
        frame = batch.attributes.iloc[rows].reset_index(drop=True)
        frame.insert(0, _ID_COLUMN, batch.ids[rows].to_numpy())
        name = f"batch-{len(batches):05d}.parquet"
        tables[name] = frame
        id_name = batch.ids.name if isinstance(batch.ids.name, str) else None
        batches.append(
            {
                "file": name,
                "source": batch.source,
                "rows": len(rows),
                "id_name": id_name,
                # Parquet reads object columns of strings back as "str": note which were object.
                "object_columns": [
                    str(c) for c, t in frame.dtypes.items() if t == object and isinstance(c, str)
                ],
            }
        )
    facts = {
        "batches": batches,
        "counts": {
            "records": len(alive),
            "persons": g._n_persons if g._resolved else 0,
            "values": len(order),
            "edges": len(g._edge_rec),
            "matches": len(match),
        },
    }
    return tables, facts


def save_graph(
    g: IdentityGraph, path: str | os.PathLike[str], *, compression: str = "zstd"
) -> None:
    """Write ``g`` to the directory ``path`` atomically; see :meth:`IdentityGraph.save`."""
    from identigraph import __version__

    path = Path(path)
    if path.exists() and not path.is_dir():
        msg = f"cannot save a graph to {path}: it is a file"
        raise StoreError(msg)
    if path.is_dir() and any(path.iterdir()) and not (path / _MANIFEST).is_file():
        msg = f"refusing to replace {path}: it is a non-empty directory that is not a graph store"
        raise StoreError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() and (backup := _backup(path)) is not None:
        os.replace(backup, path)  # finish the swap a crashed save began
    for stale in _siblings(path, "tmp") + _siblings(path, "old"):
        shutil.rmtree(stale, ignore_errors=True)

    tables, facts = _tables(g)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        writer = _Writer(tmp, compression)
        for name, table in tables.items():  # one step per file
            if isinstance(table, pd.DataFrame):
                writer.frame(name, table)
            else:
                writer.table(name, table)
        manifest = {
            "format": "identigraph-store",
            "format_version": FORMAT_VERSION,
            "identigraph_version": __version__,
            "created": datetime.now(timezone.utc).isoformat(),
            "specs": [_spec_to_json(s) for s in g.identifiers],
            "sources": list(g._sources),
            "resolved": bool(g._resolved),
            "generation": int(g._generation),
            **facts,
            "files": writer.files,
        }
        writer.raw(_MANIFEST, json.dumps(manifest, indent=2).encode("utf-8"))
        _fsync_dir(tmp)
        if path.exists():
            backup = path.parent / f".{path.name}.old-{uuid.uuid4().hex}"
            os.replace(path, backup)
            os.replace(tmp, path)
            _fsync_dir(path.parent)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(tmp, path)
            _fsync_dir(path.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# ---------------------------------------------------------------------------- reading
class _Reader:
    """Reads the files a manifest lists, checking sizes and checksums first."""

    def __init__(self, root: Path, files: dict[str, Any]) -> None:
        self.root = root
        self.files = files

    def raw(self, name: str) -> bytes:
        entry = self.files.get(name)
        if not isinstance(entry, dict):
            msg = f"the store's manifest lists no file {name}"
            raise StoreError(msg)
        try:
            data = (self.root / name).read_bytes()
        except OSError as err:
            msg = f"cannot read {name} of the store at {self.root}: {err.strerror}"
            raise StoreError(msg) from err
        if len(data) != entry.get("bytes") or hashlib.sha256(data).hexdigest() != entry.get(
            "sha256"
        ):
            msg = (
                f"{name} of the store at {self.root} is corrupt or truncated "
                f"({len(data)} bytes, checksum mismatch)"
            )
            raise StoreError(msg)
        return data

    def table(self, name: str) -> pa.Table:
        data = self.raw(name)
        try:
            return pq.read_table(pa.BufferReader(data))
        except _PARQUET_ERRORS as err:
            msg = f"{name} of the store at {self.root} cannot be read: {err}"
            raise StoreError(msg) from err

    def frame(self, name: str) -> pd.DataFrame:
        table = self.table(name)
        try:
            return table.to_pandas()
        except _PARQUET_ERRORS as err:
            msg = f"{name} of the store at {self.root} cannot be read: {err}"
            raise StoreError(msg) from err

    def column(self, table: pa.Table, name: str, dtype: type) -> np.ndarray:
        try:
            return np.array(table.column(name).to_numpy(), dtype=dtype)  # writable copy
        except _PARQUET_ERRORS as err:
            msg = f"the store at {self.root} lacks column {name!r} or holds a wrong type"
            raise StoreError(msg) from err


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        text = (path / _MANIFEST).read_bytes()
    except FileNotFoundError as err:
        msg = f"{path} is not a graph store: it has no {_MANIFEST}"
        raise StoreError(msg) from err
    except OSError as err:
        msg = f"cannot read the manifest of the store at {path}: {err.strerror}"
        raise StoreError(msg) from err
    try:
        manifest = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        msg = f"the manifest of the store at {path} is corrupt or truncated"
        raise StoreError(msg) from err
    if not isinstance(manifest, dict) or manifest.get("format") != "identigraph-store":
        msg = f"{path} is not an identigraph store (unknown manifest)"
        raise StoreError(msg)
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        msg = f"the manifest of the store at {path} has no valid format_version"
        raise StoreError(msg)
    if version > FORMAT_VERSION:
        msg = (
            f"the store at {path} has format version {version}, newer than the version "
            f"{FORMAT_VERSION} this identigraph reads; upgrade identigraph to load it"
        )
        raise StoreVersionError(msg)
    return manifest


def load_graph(path: str | os.PathLike[str]) -> IdentityGraph:
    """Read a graph saved by :func:`save_graph`; see :meth:`IdentityGraph.load`."""
    path = Path(path)
    if not path.is_dir():
        backup = _backup(path)
        if backup is None:
            msg = f"no graph store at {path}"
            raise StoreError(msg)
        path = backup
    manifest = _read_manifest(path)
    try:
        return _build(path, manifest)
    except StoreError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as err:
        msg = f"the store at {path} is inconsistent: {err!r}"
        raise StoreError(msg) from err


def _build(path: Path, manifest: dict[str, Any]) -> IdentityGraph:
    from identigraph.graph.guards import CutLinks
    from identigraph.graph.identity_graph import IdentityGraph, _Batch

    specs = [_spec_from_json(item) for item in manifest["specs"]]
    g = IdentityGraph(specs)
    read = _Reader(path, manifest["files"])
    counts = manifest["counts"]

    records = read.table("records.parquet")
    n = records.num_rows
    g._sources = [str(s) for s in manifest["sources"]]
    g._rec_source = read.column(records, "source", np.int32)
    g._rec_hash = read.column(records, "hash", np.uint64)
    g._person = read.column(records, "person", np.int64)
    g._rec_alive = np.ones(n, dtype=bool)
    start = 0
    batches = []
    for item in manifest["batches"]:  # one step per batch file
        frame = read.frame(item["file"])
        if _ID_COLUMN not in frame.columns or len(frame) != item["rows"]:
            msg = f"{item['file']} of the store at {path} does not match the manifest"
            raise StoreError(msg)
        objects = [c for c in item.get("object_columns", []) if c in frame.columns]
        frame = frame.astype(dict.fromkeys(objects, object)) if objects else frame
        ids = pd.Index(frame.pop(_ID_COLUMN), name=item.get("id_name"))
        batches.append(_Batch(str(item["source"]), start, ids, frame))
        start += len(frame)
    if start != n or n != counts["records"]:
        msg = f"the store at {path} holds {start} batch rows for {n} records"
        raise StoreError(msg)
    g._batches = batches

    values = read.table("values.parquet")
    kinds = values.column("kind").to_numpy(zero_copy_only=False).astype(object)
    keys = values.column("key").to_numpy(zero_copy_only=False).astype(object)
    codes = np.arange(len(keys), dtype=np.int64)
    kind_index = {p.name: i for i, p in enumerate(g._policies)}
    g._values = {}
    for kind in pd.unique(kinds):  # one step per identifier kind
        if kind not in kind_index:
            msg = f"the store at {path} holds values of a kind no spec declares: {kind!r}"
            raise StoreError(msg)
        mine = kinds == kind
        g._values[str(kind)] = ValueIndex.from_items(keys[mine], codes[mine])
    g._next_value = len(keys)
    g._val_kind = np.array([kind_index[k] for k in kinds], dtype=np.int16)

    edges = read.table("edges.parquet")
    g._edge_rec = read.column(edges, "rec", np.int64)
    g._edge_val = read.column(edges, "val", np.int64)
    g._edge_spec = read.column(edges, "spec", np.int16)
    bad_edges = (
        (g._edge_rec < 0).any()
        or (g._edge_rec >= n).any()
        or (g._edge_val < 0).any()
        or (g._edge_val >= len(keys)).any()
        or (np.diff(g._edge_rec) < 0).any()
    )
    if bad_edges:
        msg = f"edges.parquet of the store at {path} points outside its records or values"
        raise StoreError(msg)
    g._val_count = np.bincount(g._edge_val, minlength=len(keys)).astype(np.int64)

    match = read.frame("matches.parquet")
    g._match = match.astype({"rec_l": np.int64, "rec_r": np.int64})
    cuts = read.table("cuts.parquet")
    g._cuts = CutLinks(
        rec=read.column(cuts, "rec", np.int64),
        val=read.column(cuts, "val", np.int64),
        other=read.column(cuts, "other", np.int64),
        kind=read.column(cuts, "kind", np.int64),
        probability=read.column(cuts, "probability", float),
    )
    g._rejects = _rejects(g, read.table("rejects.parquet"), read)
    g._history = []
    if "history.parquet" in read.files:
        g._history = [read.frame("history.parquet").astype({"reason": object})]
    persons = read.table("persons.parquet")
    g._ids.add(
        read.column(persons, "person_id", np.int64),
        generation=read.column(persons, "born", np.int64),
    )
    g._generation = int(manifest["generation"])
    g._resolved = bool(manifest["resolved"])
    g._n_persons = len(np.unique(g._person)) if g._resolved else 0
    if g._resolved and g._n_persons != counts["persons"]:
        msg = f"the store at {path} holds {g._n_persons} persons, its manifest says otherwise"
        raise StoreError(msg)
    rebuild_indexes(g)
    return g


def _rejects(g: IdentityGraph, table: pa.Table, read: _Reader) -> list[pd.DataFrame]:
    """Reject frames, one per run of rows from one batch, as ``add`` made them."""
    if not table.num_rows:
        return []
    rec = read.column(table, "rec", np.int64)
    column = table.column("column").to_numpy(zero_copy_only=False).astype(object)
    reason = table.column("reason").to_numpy(zero_copy_only=False).astype(object)
    starts = np.array([b.start for b in g._batches], dtype=np.int64)
    batch_of = np.searchsorted(starts, rec, side="right") - 1
    cut = np.flatnonzero(np.diff(batch_of)) + 1
    frames = []
    for lo, hi in zip(np.r_[0, cut], np.r_[cut, len(rec)], strict=True):  # one per run
        batch = g._batches[int(batch_of[lo])]
        frames.append(
            pd.DataFrame(
                {
                    "source": batch.source,
                    "record_id": batch.ids[rec[lo:hi] - batch.start],
                    "column": column[lo:hi],
                    "reason": reason[lo:hi],
                }
            )
        )
    return frames
