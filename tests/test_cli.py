"""The identigraph command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from identigraph.cli import main


def test_demo_prints_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--persons", "300", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    for word in ("records", "persons found", "precision", "recall", "time"):
        assert word in out
    assert "@" not in out


def test_resolve_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"cid": ["1", "2"], "email": ["a1@mail.com", "b1@mail.com"]}).to_csv(
        tmp_path / "crm.csv", index=False
    )
    pd.DataFrame({"eid": [7], "email": ["A1@mail.com"]}).to_parquet(tmp_path / "web.parquet")
    out = tmp_path / "clusters.parquet"
    argv = ["resolve", "--source", f"crm={tmp_path / 'crm.csv'}:cid"]
    argv += ["--source", f"web={tmp_path / 'web.parquet'}:eid", "--identifier", "email:email"]
    assert main([*argv, "-o", str(out), "--rejects", str(tmp_path / "r.parquet")]) == 0
    clusters = pd.read_parquet(out)
    assert len(clusters) == 3
    assert clusters["person_id"].nunique() == 2
    assert main(["resolve", "--source", "x", "--identifier", "bogus", "-o", str(out)]) == 2
    assert "error" in capsys.readouterr().err
