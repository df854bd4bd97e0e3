"""A store's manifest cannot load as a different graph; store errors are typed and value-free."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import identigraph as ig
from identigraph.graph.store import files as _store_files
from identigraph.graph.store import manifest as _manifest
from identigraph.graph.store import parquet as store
from tests.graph.test_store import _assert_same, _graph

Outcome = str  # "error", "same" or "different"


def _outcome(original: ig.IdentityGraph, path: Path) -> Outcome:
    try:
        loaded = ig.IdentityGraph.load(path)
    except ig.StoreError:
        return "error"
    try:
        _assert_same(original, loaded)
    except AssertionError:
        return "different"
    return "same"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[ig.IdentityGraph, Path, bytes]:
    g = _graph()
    path = tmp_path_factory.mktemp("integrity") / "g"
    g.save(path)
    return g, path, (path / "manifest.json").read_bytes()


def test_the_manifest_carries_its_checksum(saved: tuple[ig.IdentityGraph, Path, bytes]) -> None:
    _, path, text = saved
    manifest = json.loads(text)
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert store.FORMAT_VERSION >= _manifest.CHECKED_SINCE
    assert len(manifest[_manifest.CHECKSUM_FIELD]) == 64
    _manifest.verify_manifest(manifest, path)


def test_bit_flips_in_the_manifest_never_load(
    saved: tuple[ig.IdentityGraph, Path, bytes],
) -> None:
    """Two flips in every byte of the manifest (bits ``p % 8`` and ``(3p + 5) % 8``)."""
    g, path, text = saved
    file = path / "manifest.json"
    outcomes: Counter[Outcome] = Counter()
    fd = os.open(file, os.O_WRONLY)
    try:
        for position in range(len(text)):  # one load per flipped bit
            for bit in {position % 8, (3 * position + 5) % 8}:
                os.pwrite(fd, bytes([text[position] ^ (1 << bit)]), position)
                outcomes[_outcome(g, path)] += 1
            os.pwrite(fd, text[position : position + 1], position)
    finally:
        os.close(fd)
    assert sum(outcomes.values()) == 2 * len(text) >= 2000  # 2p + 5 is odd: two bits
    assert outcomes == Counter({"error": sum(outcomes.values())})
    _assert_same(g, ig.IdentityGraph.load(path))  # the manifest is whole again


def _rename_source(m: dict[str, Any]) -> None:
    m["sources"] = ["csm" if s == "crm" else s for s in m["sources"]]


def _rename_spec_column(m: dict[str, Any]) -> None:
    m["specs"][1]["fields"]["column"] = "phone2"


def _rename_shared_file(m: dict[str, Any]) -> None:
    m["files"]["shared.parquer"] = m["files"].pop("shared.parquet")


def _set(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def edit(m: dict[str, Any]) -> None:
        target: Any = m
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def edit(m: dict[str, Any]) -> None:
        del m[key]

    return edit


#: Hand edits of the parsed manifest, each written back as JSON (indented as a save does).
EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "source renamed crm -> csm": _rename_source,
    "spec column changed": _rename_spec_column,
    "file name shared.parquet -> shared.parquer": _rename_shared_file,
    "spec priority changed": _set(("specs", 3, "fields", "priority"), 46),
    "spec max_records changed": _set(("specs", 2, "fields", "max_records"), 4),
    "spec junk emptied": _set(("specs", 0, "fields", "junk"), {"frozenset": []}),
    "spec type Cookie -> Key": _set(("specs", 2, "type"), "Key"),
    "batch source changed": _set(("batches", 1, "source"), "crm"),
    "batch id name changed": _set(("batches", 0, "id_name"), "client_id"),
    "batch missing value spelling changed": _set(("batches", 1, "object_columns", "page"), "nan"),
    "batch file swapped": _set(("batches", 0, "file"), "batch-00001.parquet"),
    "generation changed": _set(("generation",), 7),
    "resolved set to false": _set(("resolved",), False),
    "value kinds reordered": lambda m: m["value_kinds"].reverse(),
    "counts changed": _set(("counts", "persons"), 99),
    "creation time changed": _set(("created",), "2001-01-01T00:00:00+00:00"),
    "a field added": _set(("note",), "hello"),
    "checksum removed": _drop(_manifest.CHECKSUM_FIELD),
    "checksum upper-cased": lambda m: m.update(
        {_manifest.CHECKSUM_FIELD: m[_manifest.CHECKSUM_FIELD].upper()}
    ),
    "checksum of another store": _set((_manifest.CHECKSUM_FIELD,), "0" * 64),
    "format version 3 (never written)": _set(("format_version",), 3),
    "format version 0": _set(("format_version",), 0),
}


@pytest.mark.parametrize("edit", list(EDITS.values()), ids=list(EDITS))
def test_hand_edits_of_the_manifest_raise_store_error(
    edit: Callable[[dict[str, Any]], None], tmp_path: Path
) -> None:
    g = _graph()
    g.save(tmp_path / "g")
    file = tmp_path / "g" / "manifest.json"
    manifest = json.loads(file.read_text())
    edit(manifest)
    file.write_text(json.dumps(manifest, indent=2))
    if "shared.parquer" in manifest["files"]:  # the file renamed on disk too
        os.replace(tmp_path / "g" / "shared.parquet", tmp_path / "g" / "shared.parquer")
    assert _outcome(g, tmp_path / "g") == "error"


def test_whitespace_and_legacy_versions_are_not_the_graph(tmp_path: Path) -> None:
    """Edits that change no field load the same graph; a version downgrade loads unverified."""
    g = _graph()
    g.save(tmp_path / "g")
    file = tmp_path / "g" / "manifest.json"
    manifest = json.loads(file.read_text())
    file.write_text(json.dumps(manifest, indent=5, sort_keys=True))  # re-indented, re-ordered
    assert _outcome(g, tmp_path / "g") == "same"
    # Versions 1 and 2 predate the checksum: a deliberate downgrade loads unverified,
    # so a second deliberate edit is not caught (the checksum guards against damage,
    # not against a forger, who could as well recompute it).
    manifest["format_version"] = 2
    file.write_text(json.dumps(manifest, indent=2))
    assert _outcome(g, tmp_path / "g") == "same"
    _rename_source(manifest)
    file.write_text(json.dumps(manifest, indent=2))
    assert _outcome(g, tmp_path / "g") == "different"


def test_the_current_version_is_two_bits_from_every_unchecked_one() -> None:
    digits = str(store.FORMAT_VERSION).encode()
    for legacy in (1, 2):
        old = str(legacy).encode().rjust(len(digits), b" ")
        flips = sum(bin(a ^ b).count("1") for a, b in zip(digits, old, strict=True))
        assert flips >= 2


def test_manifest_json_quirks_raise_store_error(tmp_path: Path) -> None:
    for text in (b'{"a": 1, "a": 1}', b'{"a": NaN}', b"[1]", b"\xff", b"[" * 100_000):
        with pytest.raises(ig.StoreError):
            _manifest.parse_manifest(text, tmp_path)


# ------------------------------------------------------------------------------- errors
SECRET = "(917) 555-0142"


def test_arrow_conversion_errors_name_the_column_not_the_value() -> None:
    frame = pd.DataFrame({"ok": ["a", "b"], "phone": pd.Series([SECRET, 9175550142], dtype=object)})
    with pytest.raises(ig.StoreError) as err:
        _store_files.frame_to_table(frame, "batch-00000.parquet")
    message = str(err.value)
    assert "'phone'" in message
    assert "mixed-integer" in message
    assert "'ok'" not in message
    assert SECRET not in message
    assert "9175550142" not in message
    assert err.value.__cause__ is None
    assert err.value.__suppress_context__


def test_read_only_parent_gives_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = _graph()
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if ".tmp-" in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(ig.StoreError, match="Permission denied") as err:
        g.save(tmp_path / "g")
    assert isinstance(err.value.__cause__, PermissionError)
    assert not (tmp_path / "g").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_parent_directory_for_real(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(ig.StoreError):
            _graph().save(parent / "g")
    finally:
        parent.chmod(0o755)
    assert list(parent.iterdir()) == []
