"""The files around a store: target checks, the atomic swap, backups, clean-up, error mapping.

A save writes into ``.NAME.tmp-*`` beside the store, then swaps it in by two
renames (old store to ``.NAME.old-*``, new one to ``NAME``) and deletes the
backup. Everything here either succeeds or raises :class:`StoreError`, never a
raw :class:`OSError`: a backup that cannot be deleted (it may hold the data of
records erased since) is an error, not something left behind in silence.
Directories are made writable before they are deleted, so a store folder a user
set to mode 0555 goes as well.

Nothing here reads a graph: the functions take paths and frames.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa

from identigraph.errors import StoreError

__all__ = [
    "backup_of",
    "drop_backups",
    "frame_to_table",
    "fsync_dir",
    "prepare_target",
    "remove_tree",
    "roll_back",
    "siblings",
    "swap_in",
]

log = logging.getLogger("identigraph.store")

_MANIFEST = "manifest.json"


def fsync_dir(path: Path) -> None:
    """Sync a directory's entries to disk, where the platform lets a directory be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def siblings(path: Path, tag: str) -> list[Path]:
    """The ``.NAME.<tag>-*`` entries beside ``path`` (``tag``: ``"tmp"`` or ``"old"``)."""
    if not path.parent.is_dir():
        return []
    prefix = f".{path.name}.{tag}-"
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix))


def backup_of(path: Path) -> Path | None:
    """The complete old store a save stopped between its two renames left behind."""
    for candidate in siblings(path, "old"):
        if (candidate / _MANIFEST).is_file():
            return candidate
    return None


def remove_tree(path: Path) -> None:
    """Delete a directory and everything in it, or raise :class:`StoreError`.

    Directories inside are first given owner write and search permission, so a
    tree made read-only (mode 0555) is deleted too. A tree already gone (another
    process deleted it) is not an error.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     tree = Path(tmp) / "t"
    ...     (tree / "sub").mkdir(parents=True)
    ...     _ = (tree / "sub" / "f").write_bytes(b"x")
    ...     tree.chmod(0o555)
    ...     remove_tree(tree)
    ...     tree.exists()
    False
    """
    if not path.exists() and not path.is_symlink():
        return
    if path.is_dir() and not path.is_symlink():
        with contextlib.suppress(OSError):
            for root, _, _ in os.walk(path):  # one step per directory, not per file
                mode = os.stat(root).st_mode
                os.chmod(root, mode | stat.S_IRWXU)
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return
    except OSError as err:
        msg = f"cannot delete {path}: {err.strerror or type(err).__name__}"
        raise StoreError(msg) from err


def prepare_target(path: Path) -> Path:
    """Check ``path`` can take a store, clean what earlier saves left, make the temporary.

    Finishes the swap a save stopped between its renames began (the old store goes
    back to ``path``), deletes every other ``.NAME.old-*`` and ``.NAME.tmp-*``, and
    creates a fresh ``.NAME.tmp-*``, which it returns.

    Raises
    ------
    StoreError
        ``path`` is a file or a non-empty directory that is not a store; the
        parent cannot be created or written (a read-only directory); a leftover
        cannot be deleted.
    """
    try:
        if path.exists() and not path.is_dir():
            msg = f"cannot save a graph to {path}: it is a file"
            raise StoreError(msg)
        if path.is_dir() and any(path.iterdir()) and not (path / _MANIFEST).is_file():
            msg = (
                f"refusing to replace {path}: it is a non-empty directory that is not a graph store"
            )
            raise StoreError(msg)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() and (backup := backup_of(path)) is not None:
            os.replace(backup, path)  # finish the swap a stopped save began
        for stale in siblings(path, "tmp") + siblings(path, "old"):
            remove_tree(stale)
        tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
    except StoreError:
        raise
    except OSError as err:
        msg = f"cannot write the store at {path}: {err.strerror or type(err).__name__}"
        raise StoreError(msg) from err
    return tmp


def swap_in(tmp: Path, path: Path) -> None:
    """Put the complete store in ``tmp`` at ``path``; delete the old store, or raise.

    Two renames (old store to ``.NAME.old-*``, ``tmp`` to ``path``), a sync of the
    parent, then the backup's deletion. When the deletion fails the new store is
    in place and :class:`StoreError` says the old one, which may hold erased data,
    is still there.
    """
    fsync_dir(tmp)
    if not path.exists():
        os.replace(tmp, path)
        fsync_dir(path.parent)
        return
    backup = path.parent / f".{path.name}.old-{uuid.uuid4().hex}"
    os.replace(path, backup)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    try:
        remove_tree(backup)
    except StoreError as err:
        msg = (
            f"the new store is saved at {path}, but the old one could not be deleted from "
            f"{backup.name} ({err}); it may hold records erased since: delete it"
        )
        raise StoreError(msg) from err


def roll_back(path: Path, tmp: Path) -> None:
    """After a failed save: drop the new store, put the old one back if it was moved.

    Best effort: it runs while another error propagates.
    """
    with contextlib.suppress(StoreError):
        remove_tree(tmp)
    if not path.exists() and (backup := backup_of(path)) is not None:
        with contextlib.suppress(OSError):
            os.replace(backup, path)


def drop_backups(path: Path) -> None:
    """After a load from ``path``: delete old stores a save stopped after its swap left.

    Only ``.NAME.old-*`` beside a complete store: temporaries may belong to a save
    running now and are left to the next save. A backup that cannot be deleted is
    logged (its name only) and left to the next save, which raises if it cannot.
    """
    if not (path / _MANIFEST).is_file():
        return
    for stale in siblings(path, "old"):
        try:
            remove_tree(stale)
        except StoreError:
            log.warning("could not delete the old store backup %s", stale.name)


def frame_to_table(frame: pd.DataFrame, name: str) -> pa.Table:
    """Convert a frame to Arrow for ``name``; :class:`StoreError` naming the column, no value.

    Arrow's own message quotes the value it could not convert; it is not
    chained. On failure the columns are tried one by one to name the culprit
    and its inferred kind (``infer_dtype``).

    Examples
    --------
    >>> frame_to_table(pd.DataFrame({"a": [1]}), "b.parquet").num_rows
    1
    >>> frame_to_table(pd.DataFrame({"a": [1, "x"]}), "b.parquet")
    Traceback (most recent call last):
    ...
    identigraph.errors.StoreError: cannot store b.parquet: column 'a' (object, mixed-integer ...
    """
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        pass
    culprits = []
    for position, column in enumerate(frame.columns):  # one step per column, error path only
        values = frame.iloc[:, position]
        try:
            pa.Array.from_pandas(values)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            kind = pd.api.types.infer_dtype(values, skipna=True)
            culprits.append(f"column {str(column)!r} ({values.dtype}, {kind} values)")
    where = ", ".join(culprits) or "its columns together"
    msg = f"cannot store {name}: {where} cannot be typed by Parquet"
    raise StoreError(msg) from None
