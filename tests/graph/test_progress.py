"""Progress bars and log lines of the long graph steps: counts only, never a value."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

import identigraph as ig

EMAILS = ["ann.secret@mail.com", "ANN.SECRET@mail.com", "bob.hidden@mail.com"]


def test_resolve_save_load_show_bars_and_log_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"email": EMAILS}), source="crm")
    with caplog.at_level(logging.INFO, logger="identigraph"):
        assert len(g.resolve(progress=True).new_persons) == 2
        g.save(tmp_path / "g", progress=True)
        h = ig.IdentityGraph.load(tmp_path / "g", progress=True)
    err = capsys.readouterr().err
    for step in ("resolve", "save", "load"):
        assert f"{step}:" in err
    text = caplog.text
    assert "resolved 3 records into 2 persons" in text
    assert "saved 3 records" in text
    assert "loaded 3 records" in text
    for secret in EMAILS:
        assert secret.lower() not in (err + text).lower()
    assert h.clusters().equals(g.clusters())


def test_bars_stay_off_when_not_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    g = ig.IdentityGraph([ig.Email("email")])
    g.add(pd.DataFrame({"email": EMAILS}), source="crm")
    g.resolve(progress=False)
    g.save(tmp_path / "g", progress=False)
    ig.IdentityGraph.load(tmp_path / "g", progress=False)
    assert capsys.readouterr().err == ""
