"""Save an identity graph to a directory of Parquet files and load it back, atomically.

A store is a directory::

    manifest.json        format version, counts, spec definitions, size and SHA-256 of each file
    records.parquet      source code, record hash and person id of each alive record
    batch-NNNNN.parquet  record ids and kept attributes, one file per batch of records
    edges.parquet        identifier links: record, value code, spec
    values.parquet       kind, link key and code of each value (SHA-256 digests for
                         hashed kinds: no raw email or phone)
    matches.parquet      match edges
    cuts.parquet         links cut by per-person limits
    shared.parquet       codes of the values treated as shared (on_shared="unlink")
    attributes.parquet   attribute code of each alive record (-1: none), one column per
                         attribute; only when the graph has attributes
    attribute_values.parquet  attribute, code and transformed value of every code used
    rejects.parquet      unusable identifier values: record, column, reason (no value)
    history.parquet      every merge and split of person ids
    persons.parquet      every person id ever issued and the generation that issued it

Only alive records are written, renumbered densely, and only values (and attribute
values) some alive record carries, so nothing of an erased record or an expired
value reaches a store. Format version 2 added the shared values and attributes; a
version 1 store loads as a graph without them. Version 4 added the manifest's own
checksum (:mod:`identigraph.graph.store.manifest`): stores of versions 1 and 2 load
unverified. Version 7 added ``overrides.parquet`` (must-links and cannot-links: kind,
records, reason, time, id) and the survivor policy in the manifest; older stores load
without overrides and with the default policy.
Loading checks every file's size and SHA-256 before reading it.

Atomicity: :func:`save_graph` writes the new store into a temporary directory
beside ``path`` (``.NAME.tmp-*``), syncs every file and the directory, then swaps
it in with two renames: the old store to a backup name (``.NAME.old-*``), the new
one to ``path``; then it deletes the backup. A failure rolls back (the temporary
directory is deleted, the backup renamed back). After a crash, at every instant
either ``path`` holds a complete store or, between the two renames, the complete
old store sits in the backup directory: :func:`load_graph` reads it from there,
and the next save renames it back first and deletes leftover temporaries.
Erased data is not left behind: a save that cannot delete the old store (or a
leftover of an earlier save) raises :class:`StoreError`, and a load beside a
complete store deletes old stores a stopped save left
(:mod:`identigraph.graph.store.files`). Kept-column dtypes Parquet does not
bring back are noted in the manifest and restored
(:mod:`identigraph.graph.store.dtypes`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from identigraph._progress import progress_bar
from identigraph._unique import sorted_unique
from identigraph._version import __version__
from identigraph.errors import InvariantError, StoreError, StoreVersionError
from identigraph.graph.core import segment_of
from identigraph.graph.core.survivor import DEFAULT_CRITERIA, SurvivorPolicy
from identigraph.graph.ops.hubs import refresh_hubs
from identigraph.graph.state.attributes import AttributeCodes
from identigraph.graph.state.batches import RecordBatch
from identigraph.graph.state.cuts import CutLinks
from identigraph.graph.state.graph_state import GraphState
from identigraph.graph.state.indexes import batch_starts, rebuild_indexes
from identigraph.graph.state.keys import positions
from identigraph.graph.state.lifecycle import Lifecycle
from identigraph.graph.state.value_index import ValueIndex
from identigraph.graph.store.dtypes import id_values, restore_frame, storable_frame
from identigraph.graph.store.files import (
    backup_of,
    drop_backups,
    frame_to_table,
    prepare_target,
    roll_back,
    swap_in,
)
from identigraph.graph.store.manifest import (
    parse_manifest,
    seal_manifest,
    verify_manifest,
)
from identigraph.graph.views.outputs import id_history_frame, rejects_frame
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Phone

log = logging.getLogger("identigraph.store")

__all__ = ["FORMAT_VERSION", "load_graph", "save_graph"]

#: Version of the store layout; stores of a newer version are refused.
#: Version 2: shared values, attributes and the specs' ``on_shared``.
#: Version 4: the manifest's own checksum (3 is skipped, see ``manifest``); version 7:
#: overrides and the survivor policy (5 and 6 are one bit from 1 and 2, see ``manifest``).
FORMAT_VERSION = 7

_MANIFEST = "manifest.json"
_ID_COLUMN = "__identigraph_record_id__"
_SPEC_TYPES: dict[str, type[Identifier]] = {
    "Email": Email,
    "Phone": Phone,
    "Cookie": Cookie,
    "Key": Key,
}
_VALUES_SCHEMA = pa.schema([("kind", pa.string()), ("key", pa.string()), ("code", pa.int64())])
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
        fields: dict[str, Any] = {
            k: frozenset(v["frozenset"]) if isinstance(v, dict) else v
            for k, v in item["fields"].items()
        }
        column: str = fields.pop("column")
        return cls(column, **fields)
    except (KeyError, TypeError, ValueError) as err:
        msg = f"the store's manifest holds an identifier spec that cannot be rebuilt: {err}"
        raise StoreError(msg) from err


def _attribute_to_json(attribute: Attribute) -> dict[str, Any]:
    return {f.name: getattr(attribute, f.name) for f in dataclasses.fields(attribute)}


def _attribute_from_json(item: dict[str, Any]) -> Attribute:
    try:
        fields = dict(item)
        column: str = fields.pop("column")
        return Attribute(column, **fields)
    except (KeyError, TypeError, ValueError) as err:
        msg = f"the store's manifest holds an attribute spec that cannot be rebuilt: {err}"
        raise StoreError(msg) from err


# ---------------------------------------------------------------------------- writing
class _Writer:
    """Writes files into a directory, syncing each and noting its size and checksum."""

    def __init__(self, root: Path, compression: str) -> None:
        self.root = root
        self.compression = compression
        self.files: dict[str, dict[str, Any]] = {}

    def table(self, name: str, table: pa.Table) -> None:
        pq.write_table(table, self.root / name, compression=self.compression)
        self.seal(name, rows=table.num_rows)

    def groups(self, name: str, schema: pa.Schema, groups: Iterator[pa.Table]) -> None:
        """Write tables of one schema as consecutive row groups of one file."""
        rows = 0
        with pq.ParquetWriter(self.root / name, schema, compression=self.compression) as out:
            for group in groups:  # one step per row group
                out.write_table(group)
                rows += group.num_rows
        self.seal(name, rows=rows)

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        self.table(name, frame_to_table(frame, name))

    def raw(self, name: str, data: bytes) -> None:
        (self.root / name).write_bytes(data)
        self.seal(name)

    def seal(self, name: str, *, rows: int | None = None) -> None:
        """Sync a written file to disk and note its size and SHA-256 (read back in chunks)."""
        digest = hashlib.sha256()
        size = 0
        with open(self.root / name, "rb+") as handle:
            os.fsync(handle.fileno())
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
                size += len(chunk)
        entry: dict[str, Any] = {"sha256": digest.hexdigest(), "bytes": size}
        if rows is not None:
            entry["rows"] = rows
        self.files[name] = entry


def _parts(
    state: GraphState, facts: dict[str, Any]
) -> Iterator[tuple[str, pa.Table | pd.DataFrame | Iterator[pa.Table]]]:
    """Every table of the store, one at a time, on alive records renumbered densely.

    Fills ``facts`` (counts and batch entries of the manifest) on the way.
    """
    alive = np.flatnonzero(state.records.alive)
    new_pos = np.full(len(state.records.alive), -1, dtype=np.int64)
    new_pos[alive] = np.arange(len(alive))
    yield (
        "records.parquet",
        pa.table(
            {
                "source": state.records.source[alive].astype(np.int32),
                "hash": state.records.hash[alive].astype(np.uint64),
                "person": state.records.person[alive].astype(np.int64),
            }
        ),
    )

    # Values: only those some alive record carries, renumbered densely, one kind and
    # chunk at a time (row groups), so no second copy of every key is ever held.
    new_code = np.full(len(state.value_codes.kind), -1, dtype=np.int64)
    carried_codes = np.flatnonzero(state.value_codes.count > 0)
    new_code[carried_codes] = np.arange(len(carried_codes))

    def value_groups() -> Iterator[pa.Table]:
        # one step per identifier kind and chunk
        for kind, index in state.value_codes.indexes.items():
            for keys, codes in index.chunks():
                carried = state.value_codes.count[codes] > 0
                yield pa.table(
                    {
                        "kind": pa.array(
                            np.full(int(carried.sum()), kind, dtype=object), pa.string()
                        ),
                        "key": pa.array(keys[carried], pa.string()),
                        "code": pa.array(new_code[codes[carried]], pa.int64()),
                    }
                )

    yield "values.parquet", value_groups()
    yield (
        "edges.parquet",
        pa.table(
            {
                "rec": new_pos[state.links.rec],
                "val": new_code[state.links.val],
                "spec": state.links.spec.astype(np.int16),
            }
        ),
    )

    match = state.matches.frame.copy()
    if len(match):
        match["rec_l"] = new_pos[match["rec_l"].to_numpy()]
        match["rec_r"] = new_pos[match["rec_r"].to_numpy()]
        match = match[(match["rec_l"] >= 0) & (match["rec_r"] >= 0)]
    yield "matches.parquet", match.reset_index(drop=True)
    cuts = state.cuts.links.alive(state.records.alive)
    yield (
        "cuts.parquet",
        pa.table(
            {
                "rec": new_pos[cuts.rec],
                "val": np.where(cuts.val >= 0, new_code[np.maximum(cuts.val, 0)], -1),
                "other": np.where(cuts.other >= 0, new_pos[np.maximum(cuts.other, 0)], -1),
                "kind": cuts.kind.astype(np.int64),
                "probability": cuts.probability.astype(float),
            }
        ),
    )
    yield _overrides_parts(state, new_pos)
    shared = state.cuts.shared
    shared = shared[state.value_codes.count[shared] > 0] if len(shared) else shared
    yield "shared.parquet", pa.table({"val": new_code[shared].astype(np.int64)})
    if state.attributes:
        yield from _attribute_parts(state, alive)
    rejects = rejects_frame(state)
    rej_pos = np.empty(0, dtype=np.int64)
    if len(rejects):
        rej_pos = new_pos[positions(state, rejects["source"].astype(object), rejects["record_id"])]
    yield (
        "rejects.parquet",
        pa.table(
            {
                "rec": pa.array(rej_pos, pa.int64()),
                "column": pa.array(rejects["column"].astype(str).to_numpy(object), pa.string()),
                "reason": pa.array(rejects["reason"].astype(str).to_numpy(object), pa.string()),
            }
        ),
    )
    issued, born = state.ids.issued.items()
    yield (
        "persons.parquet",
        pa.table({"person_id": issued.astype(np.int64), "born": born.astype(np.int64)}),
    )
    if state.ids.history:
        yield "history.parquet", id_history_frame(state)

    batches: list[dict[str, Any]] = []
    for batch in state.records.batches:  # one file per batch (an emptied one keeps its columns)
        rows = np.flatnonzero(state.records.alive[batch.start : batch.stop])
        if _ID_COLUMN in batch.attributes.columns:
            msg = f"source {batch.source!r} keeps a column named {_ID_COLUMN!r}, reserved"
            raise StoreError(msg)
        frame = batch.attributes.iloc[rows].reset_index(drop=True)
        frame.insert(0, _ID_COLUMN, id_values(batch.ids[rows]))  # their dtype too
        frame, dtypes = storable_frame(frame, erased=len(rows) < len(batch.ids))
        name = f"batch-{len(batches):05d}.parquet"
        id_name = batch.ids.name if isinstance(batch.ids.name, str) else None
        batches.append(
            {
                "file": name,
                "source": batch.source,
                "rows": len(rows),
                "id_name": id_name,
                # Parquet reads object columns back as "str": note them and their missing value.
                "object_columns": _object_columns(frame),
                "dtypes": dtypes,  # what Parquet does not bring back (_store_dtypes)
            }
        )
        yield name, frame
    facts["batches"] = batches
    facts["counts"] = {
        "records": len(alive),
        "persons": state.ids.n_persons,
        "values": len(carried_codes),
        "edges": len(state.links.rec),
        "matches": len(match),
    }


def _overrides_parts(state: GraphState, new_pos: np.ndarray) -> tuple[str, pa.Table]:
    """The overrides on renumbered records, with their ids and the next id (metadata)."""
    table = state.overrides
    out = pa.table(
        {
            "kind": pa.array(table.kind.astype(np.int8), pa.int8()),
            "a": pa.array(new_pos[table.a], pa.int64()),
            "b": pa.array(new_pos[table.b], pa.int64()),
            "reason": pa.array(table.reason.astype(str).tolist(), pa.string()),
            "time": pa.array(table.time.astype(np.int64), pa.int64()),
            "oid": pa.array(table.oid.astype(np.int64), pa.int64()),
        }
    )
    return "overrides.parquet", out.replace_schema_metadata({"next_oid": str(table.next_oid)})


def _read_overrides(state: GraphState, read: _Reader) -> None:
    """The overrides of a store (format version 3); none in older stores."""
    if "overrides.parquet" not in read.files:
        return
    table = read.table("overrides.parquet")
    n = len(state.records.person)
    a, b = read.column(table, "a", np.int64), read.column(table, "b", np.int64)
    if len(a) and ((a < 0) | (a >= n) | (b < 0) | (b >= n)).any():
        msg = "overrides.parquet of the store points outside its records"
        raise StoreError(msg)
    overrides = state.overrides
    overrides.kind = read.column(table, "kind", np.int8)
    overrides.a, overrides.b = a, b
    overrides.reason = table.column("reason").to_numpy(zero_copy_only=False).astype(object)
    overrides.time = read.column(table, "time", np.int64)
    overrides.oid = read.column(table, "oid", np.int64)
    meta = table.schema.metadata or {}
    overrides.next_oid = int(meta.get(b"next_oid", b"0"))
    overrides.ends_cache = None


def _attribute_parts(state: GraphState, alive: np.ndarray) -> Iterator[tuple[str, pa.Table]]:
    """Attribute codes of the alive records and the values they use, renumbered densely."""
    columns: dict[str, np.ndarray] = {}
    which, codes, values = [], [], []
    for t, all_codes in enumerate(state.attr_codes.codes):  # one step per attribute
        mine = all_codes[alive]
        used = sorted_unique(mine[mine >= 0])
        renumber = np.full(len(state.attr_codes.known[t]) + 1, -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        columns[f"a{t}"] = renumber[mine]  # -1 stays -1: the last slot
        known = np.array(state.attr_codes.known[t], dtype=object)
        which.append(np.full(len(used), t, dtype=np.int16))
        codes.append(np.arange(len(used), dtype=np.int64))
        values.append(known[used] if len(used) else np.empty(0, dtype=object))
    yield "attributes.parquet", pa.table(columns)
    yield (
        "attribute_values.parquet",
        pa.table(
            {
                "attribute": pa.array(np.concatenate(which), pa.int16()),
                "code": pa.array(np.concatenate(codes), pa.int64()),
                "value": pa.array(np.concatenate(values), pa.string()),
            }
        ),
    )


def _object_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Object columns and how they spell a missing value (``"nan"`` or ``"none"``)."""
    out = {}
    for name, dtype in frame.dtypes.items():  # one step per column
        if dtype != np.dtype(object) or not isinstance(name, str):
            continue
        values = frame[name].to_numpy()
        missing = values[pd.isna(values)][:100]
        out[name] = "nan" if any(isinstance(v, float) for v in missing) else "none"
    return out


def save_graph(
    state: GraphState,
    path: str | os.PathLike[str],
    *,
    compression: str = "zstd",
    progress: bool | None = None,
) -> None:
    """Write ``state`` to the directory ``path`` atomically; see :meth:`IdentityGraph.save`."""
    if state.staged:
        msg = "a store holds persons: resolve the bulk load before saving it"
        raise StoreError(msg)
    started = time.perf_counter()

    path = Path(path)
    specs = [_spec_to_json(s) for s in state.identifiers]
    tmp = prepare_target(path)  # checks, recovers and cleans leftovers; StoreError only
    try:
        writer = _Writer(tmp, compression)
        facts: dict[str, Any] = {}
        with progress_bar(None, desc="save", unit="file", progress=progress) as bar:
            for name, table in _parts(state, facts):  # one file at a time, to bound memory
                if isinstance(table, pd.DataFrame):
                    writer.frame(name, table)
                elif isinstance(table, pa.Table):
                    writer.table(name, table)
                else:
                    writer.groups(name, _VALUES_SCHEMA, table)
                del table
                bar.update(1)
        manifest = {
            "format": "identigraph-store",
            "format_version": FORMAT_VERSION,
            "identigraph_version": __version__,
            "created": datetime.now(timezone.utc).isoformat(),
            "specs": specs,
            "attributes": [_attribute_to_json(a) for a in state.attributes],
            "sources": list(state.records.sources),
            "resolved": True,
            "generation": int(state.ids.generation),
            "value_kinds": list(state.value_codes.indexes),
            "survivor": list(state.survivor.criteria),
            **facts,
            "files": writer.files,
        }
        writer.raw(_MANIFEST, seal_manifest(manifest))
        swap_in(tmp, path)  # two renames, then the old store's deletion or StoreError
        log.info(
            "saved %d records in %d files in %.2f s",
            int(np.count_nonzero(state.records.alive)),
            len(writer.files),
            time.perf_counter() - started,
        )
    except BaseException as err:
        roll_back(path, tmp)
        if isinstance(err, OSError) and not isinstance(err, StoreError):
            msg = f"cannot write the store at {path}: {err}"
            raise StoreError(msg) from err
        if isinstance(err, pa.ArrowException):  # its message may quote a value: not chained
            msg = f"cannot write the store at {path}: {type(err).__name__} from Parquet"
            raise StoreError(msg) from None
        raise


# ---------------------------------------------------------------------------- reading
class _Reader:
    """Reads the files a manifest lists, checking sizes and checksums first."""

    def __init__(self, root: Path, files: dict[str, Any], bar: tqdm | None = None) -> None:
        self.root = root
        self.files = files
        self.bar = bar

    def raw(self, name: str) -> bytes:
        entry = self.files.get(name)
        if not isinstance(entry, dict):
            msg = f"the store's manifest lists no file {name}"
            raise StoreError(msg)
        if self.bar is not None:
            self.bar.update(1)
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
            frame: pd.DataFrame = table.to_pandas()
        except _PARQUET_ERRORS as err:
            msg = f"{name} of the store at {self.root} cannot be read: {err}"
            raise StoreError(msg) from err
        return frame

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
    manifest = parse_manifest(text, path)
    if manifest.get("format") != "identigraph-store":
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
    verify_manifest(manifest, path)
    return manifest


def load_graph(path: str | os.PathLike[str], *, progress: bool | None = None) -> GraphState:
    """Read a graph saved by :func:`save_graph`; see :meth:`IdentityGraph.load`."""
    started = time.perf_counter()
    path = Path(path)
    complete = path.is_dir()
    if not complete:
        backup = backup_of(path)
        if backup is None:
            msg = f"no graph store at {path}"
            raise StoreError(msg)
        path = backup
    manifest = _read_manifest(path)
    files = manifest.get("files")
    total = len(files) if isinstance(files, dict) else None
    try:
        with progress_bar(total, desc="load", unit="file", progress=progress) as bar:
            state = _build(path, manifest, bar)
        if complete:
            drop_backups(path)  # an old store a save stopped after its swap left
        log.info("loaded %d records in %.2f s", state.n_alive(), time.perf_counter() - started)
        return state
    except StoreError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as err:
        msg = f"the store at {path} is inconsistent: {err!r}"
        raise StoreError(msg) from err


def _build(path: Path, manifest: dict[str, Any], bar: tqdm) -> GraphState:
    specs = [_spec_from_json(item) for item in manifest["specs"]]
    attributes = [_attribute_from_json(item) for item in manifest.get("attributes", [])]
    survivor = SurvivorPolicy(criteria=manifest.get("survivor", DEFAULT_CRITERIA))
    state = GraphState(specs, attributes, survivor)
    read = _Reader(path, manifest["files"], bar)
    counts = manifest["counts"]

    records = read.table("records.parquet")
    n = records.num_rows
    state.records.sources = [str(s) for s in manifest["sources"]]
    state.records.source = read.column(records, "source", np.int32)
    state.records.hash = read.column(records, "hash", np.uint64)
    state.records.person = read.column(records, "person", np.int64)
    state.records.alive = np.ones(n, dtype=bool)
    start = 0
    batches = []
    for item in manifest["batches"]:  # one step per batch file
        frame = restore_frame(read.table(item["file"]), item.get("dtypes", {}), item["file"])
        if _ID_COLUMN not in frame.columns or len(frame) != item["rows"]:
            msg = f"{item['file']} of the store at {path} does not match the manifest"
            raise StoreError(msg)
        for name, missing in item.get("object_columns", {}).items():  # one per object column
            if name in frame.columns:
                column = pd.Series(frame[name].to_numpy(dtype=object), dtype=object)
                column[column.isna()] = np.nan if missing == "nan" else None
                frame[name] = column
        ids = pd.Index(frame.pop(_ID_COLUMN), name=item.get("id_name"))
        batches.append(RecordBatch(str(item["source"]), start, ids, frame))
        start += len(frame)
    if start != n or n != counts["records"]:
        msg = f"the store at {path} holds {start} batch rows for {n} records"
        raise StoreError(msg)
    state.records.batches = batches

    values = read.table("values.parquet")
    kinds = values.column("kind").to_numpy(zero_copy_only=False).astype(object)
    keys = values.column("key").to_numpy(zero_copy_only=False).astype(object)
    codes = read.column(values, "code", np.int64)
    n_values = len(codes)
    if n_values and not np.array_equal(np.sort(codes), np.arange(n_values)):
        msg = f"values.parquet of the store at {path} does not number its values 0..n-1"
        raise StoreError(msg)
    kind_index = state.kind_index
    state.value_codes.indexes = {}
    state.value_codes.kind = np.zeros(n_values, dtype=np.int16)
    state.value_codes.key = np.empty(n_values, dtype=object)
    state.value_codes.key[codes] = keys
    value_kinds = [str(k) for k in manifest.get("value_kinds", [])]
    for kind in [*value_kinds, *pd.unique(kinds)]:  # one step per identifier kind
        if kind not in kind_index:
            msg = f"the store at {path} holds values of a kind no spec declares: {kind!r}"
            raise StoreError(msg)
        mine = kinds == kind
        index = ValueIndex.from_items(keys[mine], codes[mine])
        state.value_codes.indexes.setdefault(str(kind), index)
        state.value_codes.kind[codes[mine]] = kind_index[kind]
    del kinds, keys
    state.value_codes.next_code = n_values

    edges = read.table("edges.parquet")
    state.links.rec = read.column(edges, "rec", np.int64)
    state.links.val = read.column(edges, "val", np.int64)
    state.links.spec = read.column(edges, "spec", np.int16)
    bad_edges = (
        (state.links.rec < 0).any()
        or (state.links.rec >= n).any()
        or (state.links.val < 0).any()
        or (state.links.val >= n_values).any()
        or (np.diff(state.links.rec) < 0).any()
    )
    if bad_edges:
        msg = f"edges.parquet of the store at {path} points outside its records or values"
        raise StoreError(msg)
    state.value_codes.count = np.bincount(state.links.val, minlength=n_values).astype(np.int64)
    state.value_codes.hub = np.zeros(n_values, dtype=bool)

    match = read.frame("matches.parquet")
    state.matches.frame = match.astype({"rec_l": np.int64, "rec_r": np.int64})
    cuts = read.table("cuts.parquet")
    state.cuts.links = CutLinks(
        rec=read.column(cuts, "rec", np.int64),
        val=read.column(cuts, "val", np.int64),
        other=read.column(cuts, "other", np.int64),
        kind=read.column(cuts, "kind", np.int64),
        probability=read.column(cuts, "probability", float),
    )
    _read_overrides(state, read)
    if "shared.parquet" in read.files:
        state.cuts.shared = sorted_unique(
            read.column(read.table("shared.parquet"), "val", np.int64)
        )
    if state.attributes:
        _read_attributes(state, read, n)
    state.records.rejects = _rejects(state, read.table("rejects.parquet"), read)
    state.ids.history = []
    if "history.parquet" in read.files:
        state.ids.history = [read.frame("history.parquet").astype({"reason": object})]
    persons = read.table("persons.parquet")
    state.ids.issued.add(
        read.column(persons, "person_id", np.int64),
        generation=read.column(persons, "born", np.int64),
    )
    state.ids.generation = int(manifest["generation"])
    resolved = bool(manifest["resolved"])  # stores of version 1 may hold a staged load
    state.lifecycle = Lifecycle.RESOLVED if resolved else Lifecycle.STAGED
    state.ids.n_persons = len(sorted_unique(state.records.person)) if resolved else 0
    if resolved and state.ids.n_persons != counts["persons"]:
        msg = (
            f"the store at {path} holds {state.ids.n_persons} persons, its manifest says otherwise"
        )
        raise StoreError(msg)
    rebuild_indexes(state)
    refresh_hubs(state)  # a function of the links: the flags the saved graph had
    for (
        index
    ) in state.value_codes.indexes.values():  # a loaded graph serves look-ups: build the tables now
        index.build()
    try:
        state.check_invariants()
    except InvariantError as err:
        msg = f"the store at {path} is inconsistent: {err.invariant}"
        raise StoreError(msg) from err
    return state


def _read_attributes(state: GraphState, read: _Reader, n_records: int) -> None:
    """Attribute codes and vocabularies of a store (written by :func:`_attribute_parts`)."""
    table = read.table("attributes.parquet")
    values = read.table("attribute_values.parquet")
    which = read.column(values, "attribute", np.int64)
    codes = read.column(values, "code", np.int64)
    text = values.column("value").to_numpy(zero_copy_only=False).astype(object)
    codes_table = AttributeCodes.empty(len(state.attributes))
    for t in range(len(state.attributes)):  # one step per attribute
        mine = which == t
        known = [str(v) for v in text[mine][np.argsort(codes[mine], kind="stable")]]
        codes_table.known[t] = known
        codes_table.vocab[t] = {v: i for i, v in enumerate(known)}
        record_codes = read.column(table, f"a{t}", np.int64)
        if len(record_codes) != n_records or (record_codes >= len(known)).any():
            msg = "attributes.parquet does not match the store's records or attribute values"
            raise StoreError(msg)
        codes_table.codes[t] = record_codes
    state.attr_codes = codes_table


def _rejects(state: GraphState, table: pa.Table, read: _Reader) -> list[pd.DataFrame]:
    """Reject frames, one per run of rows from one batch, as ``add`` made them."""
    if not table.num_rows:
        return []
    rec = read.column(table, "rec", np.int64)
    column = table.column("column").to_numpy(zero_copy_only=False).astype(object)
    reason = table.column("reason").to_numpy(zero_copy_only=False).astype(object)
    batch_of = segment_of(batch_starts(state), rec)
    cut = np.flatnonzero(np.diff(batch_of)) + 1
    frames = []
    for lo, hi in zip(np.r_[0, cut], np.r_[cut, len(rec)], strict=True):  # one per run
        batch = state.records.batches[int(batch_of[lo])]
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
