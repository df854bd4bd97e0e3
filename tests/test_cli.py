"""The identigraph command, end to end on files in a temporary directory."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import identigraph as ig
from identigraph.cli import EXIT_CODES, main

EMAILS = ["ann@mail.com", "bob@mail.com", "cy@mail.com"]

JOB = """
store = "graph"
region = "US"

[[sources]]
name = "crm"
path = "crm.csv"
id = "cid"
columns = { mail = "email" }
parse_dates = ["updated_at"]

[[sources]]
name = "web"
path = "web.parquet"
id = "eid"

[[identifiers]]
type = "email"
column = "email"
max_per_person = 3

[[identifiers]]
type = "phone"
column = "phone"

[[identifiers]]
type = "cookie"
column = "cookie_id"

[[attributes]]
column = "first_name"

[golden]
default = "none"
[golden.rules]
first_name = { rule = "source_priority", order = ["crm", "web"], then = ["most_frequent"] }
email = { rule = "most_recent", by = "updated_at", normalized = true }
phones = { rule = "collect", column = "phone", unique = true }
"""


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame(
        {
            "cid": ["001", "002", "003"],
            "mail": [EMAILS[0], EMAILS[1], None],
            "phone": ["201 555 0123", None, "(212) 555-0199"],
            "first_name": ["Ann", "Bob", "Cy"],
            "updated_at": ["2024-01-01", "2024-02-01", "2024-03-01"],
        }
    ).to_csv(tmp_path / "crm.csv", index=False)
    pd.DataFrame(
        {
            "eid": [7, 8, 9],
            "email": ["ANN@mail.com", None, None],
            "cookie_id": ["k1", "k1", "k2"],
            "first_name": ["ann", None, None],
        }
    ).to_parquet(tmp_path / "web.parquet")
    pd.DataFrame({"tid": [1, 2], "phone": ["212-555-0199", "+44 20 7946 0958"]}).to_csv(
        tmp_path / "pos.csv", index=False
    )
    path = tmp_path / "job.toml"
    path.write_text(JOB, encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _no_pii(*texts: str) -> None:
    for text in texts:
        for email in EMAILS:
            assert email not in text.lower()
        assert "555" not in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--version")
    assert code == 0
    assert ig.__version__ in out


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for command in ("resolve", "golden", "add", "remove", "lookup", "explain", "report", "demo"):
        assert command in out


def test_demo_prints_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "demo", "--persons", "300", "--seed", "3")
    assert code == 0
    for word in ("records", "persons found", "precision", "recall", "time"):
        assert word in out
    assert "@" not in out


@pytest.mark.parametrize("name", ["clusters.csv", "clusters.parquet"])
def test_resolve_writes_the_format_of_the_extension(
    job: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = _run(capsys, "resolve", "-c", str(job), "-o", name, "--rejects", "r.csv")
    assert code == 0, err
    clusters = pd.read_parquet(name) if name.endswith("parquet") else pd.read_csv(name, dtype=str)
    assert len(clusters) == 6
    by_record = dict(
        zip(clusters["source"] + ":" + clusters["record_id"], clusters["person_id"], strict=True)
    )
    # 001 and web 7 share an email; web 7 and 8 a cookie; ids keep their leading zeros
    assert by_record["crm:001"] == by_record["web:7"] == by_record["web:8"]
    assert by_record["crm:002"] != by_record["crm:001"]
    assert Path("graph/manifest.json").is_file()
    assert "6 records" in out
    _no_pii(out, err)


def test_resolve_from_options_only(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys,
        "resolve",
        "--source",
        "web=web.parquet:eid",
        "--identifier",
        "cookie:cookie_id",
        "-o",
        "out.parquet",
    )
    assert code == 0, err
    assert pd.read_parquet("out.parquet")["person_id"].nunique() == 2


def test_golden(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "golden", "-c", str(job), "-o", "golden.csv")
    assert code == 0, err
    golden = pd.read_csv("golden.csv", dtype=str)
    ann = golden[golden["first_name"] == "Ann"].iloc[0]
    assert ann["first_name__source"] == "crm"
    assert ann["email"] == "ann@mail.com"
    assert set(ann["phones"].split("|")) == {"201 555 0123"}
    assert "golden records" in out


def test_golden_parquet_keeps_lists(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "golden", "-c", str(job), "-o", "golden.parquet")[0] == 0
    golden = pd.read_parquet("golden.parquet")
    assert all(len(v) <= 1 for v in golden["phones"])


def test_add_remove_lookup_explain_report_on_the_store(
    job: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "resolve", "-c", str(job), "-o", "c.csv")[0] == 0
    code, out, err = _run(capsys, "add", "-c", str(job), "pos=pos.csv:tid", "--changes", "ch.csv")
    assert code == 0, err
    assert "pos: 2 records added" in out
    assert set(pd.read_csv("ch.csv").columns) >= {"old_id", "new_id", "change", "source"}

    code, out, _ = _run(capsys, "lookup", "-c", str(job), "phone=+1 212 555 0199")
    assert code == 0
    person = int(out.strip())
    assert IdentityGraph_person(job, "crm", "003") == person
    code, out, err = _run(capsys, "lookup", "-c", str(job), "email=zed@elsewhere.net", "--all")
    assert code == EXIT_CODES["not_found"]
    assert "unknown" in out
    _no_pii(out, err)

    code, out, _ = _run(capsys, "explain", "-c", str(job), "crm:003", "pos:1")
    assert code == 0
    assert "linked" in out
    assert "crm:003 -> pos:1" in out
    _no_pii(out)

    code, out, _ = _run(capsys, "report", "-c", str(job), "--top", "2", "--html", "r.html")
    assert code == 0
    assert "8 records" in out
    assert "<table" in Path("r.html").read_text(encoding="utf-8")
    _no_pii(out, Path("r.html").read_text(encoding="utf-8"))

    code, out, _ = _run(capsys, "remove", "-c", str(job), "--record", "crm:003", "--person", "-1")
    assert code == EXIT_CODES["data"]
    code, out, _ = _run(capsys, "remove", "-c", str(job), "--record", "crm:003")
    assert code == 0
    assert "1 removed" in out
    assert len(ig.IdentityGraph.load("graph")) == 7


def IdentityGraph_person(job: Path, source: str, record_id: str) -> int:
    return ig.IdentityGraph.load(job.parent / "graph").person_of(source, record_id)


def test_matcher_from_the_job_file(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = job.read_text(encoding="utf-8").replace(
        "[golden]",
        "[matcher]\nthreshold = 0.5\n"
        'comparisons = [{ type = "name", column = "first_name" }]\n'
        'blocking = [{ on = "first_name", transform = "soundex" }]\nprior = 0.3\n\n[golden]',
    )
    job.write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "-v", "resolve", "-c", str(job), "-o", "c.csv")
    assert code == 0, err
    assert "matcher:" in err


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (
            [
                "resolve",
                "--source",
                "crm=crm.csv:cid",
                "--identifier",
                "email:emial",
                "-o",
                "x.csv",
            ],
            "usage",
            "did you mean 'mail'",
        ),
        (
            [
                "resolve",
                "--source",
                "crm=missing.csv:cid",
                "--identifier",
                "email:mail",
                "-o",
                "x.csv",
            ],
            "data",
            "no such file",
        ),
        (
            [
                "resolve",
                "--source",
                "crm=crm.csv:cid",
                "--identifier",
                "email:mail",
                "-o",
                "x.xlsx",
            ],
            "usage",
            "unknown extension '.xlsx'",
        ),
        (
            [
                "resolve",
                "--source",
                "crm=crm.xlsx:cid",
                "--identifier",
                "email:mail",
                "-o",
                "x.csv",
            ],
            "usage",
            "unknown extension",
        ),
        (
            ["resolve", "--source", "crm=crm.csv:cid", "--identifier", "mail", "-o", "x.csv"],
            "usage",
            "TYPE:COLUMN",
        ),
        (
            [
                "resolve",
                "--source",
                "crm=crm.csv:nope",
                "--identifier",
                "email:mail",
                "-o",
                "x.csv",
            ],
            "data",
            "nope",
        ),
        (["resolve", "--identifier", "email:mail", "-o", "x.csv"], "usage", "no sources"),
        (["resolve", "--source", "crm=crm.csv:cid", "-o", "x.csv"], "usage", "no identifiers"),
        (["resolve", "-c", "nothere.toml", "-o", "x.csv"], "usage", "does not exist"),
        (["lookup", "email=x"], "usage", "no store"),
        (["lookup", "--store", "nostore", "email=x"], "data", "nostore"),
        (["remove", "--store", "graph"], "usage", "--record"),
        (["frobnicate"], "usage", "No such command"),
        (["resolve"], "usage", "Missing option"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    job: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: str, says: str
) -> None:
    got, _out, err = _run(capsys, *argv)
    assert got == EXIT_CODES[code]
    assert says in err
    assert "Traceback" not in err
    assert err.startswith("identigraph: error: ")
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--debug", "resolve", "--source", "crm=missing.csv", "--identifier", "email:mail"]
    with pytest.raises(ig.InputError, match="no such file"):
        main([*argv, "-o", "x.csv"])


def test_phones_without_region_warn(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["resolve", "--source", "crm=crm.csv:cid", "--identifier", "phone:phone", "-o", "x.csv"]
    code, _, err = _run(capsys, *argv)
    assert code == 0
    assert "2 values of phone column 'phone' were rejected as invalid_phone" in err
    assert "--region" in err
    code, _, err = _run(capsys, "--strict", *argv)
    assert code == EXIT_CODES["data"]
    assert "--strict" in err
    code, _, err = _run(capsys, *argv, "--region", "US")
    assert code == 0
    assert "warning" not in err


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda t: t.replace('type = "cookie"', 'type = "cookies"'), "did you mean 'cookie'"),
        (lambda t: t.replace("max_per_person = 3", "max_per_persn = 3"), "'max_per_person'"),
        (lambda t: t.replace('"source_priority"', '"source_priorty"'), "source_priority"),
        (lambda t: t.replace("store =", "stor ="), "did you mean 'store'"),
        (lambda t: t + "\n[[[", "not valid TOML"),
        (lambda t: t.replace('region = "US"', 'region = "XX"'), "unknown phone region"),
    ],
)
def test_job_file_mistakes(
    job: Path, capsys: pytest.CaptureFixture[str], edit: object, says: str
) -> None:
    job.write_text(edit(JOB), encoding="utf-8")  # type: ignore[operator]
    code, _, err = _run(capsys, "check", str(job))
    assert code == EXIT_CODES["usage"]
    assert says in err


def test_check_summarizes(job: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", str(job))
    assert code == 0
    assert "2 sources, 3 identifiers, 1 attributes, matcher no, 3 golden rules" in out


def test_python_dash_m_entry_point(job: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "identigraph", "--version"],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(Path(ig.__file__).parents[1]), "PATH": ""},
    )
    assert done.returncode == 0
    assert json.dumps(ig.__version__).strip('"') in done.stdout


def test_no_command_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys)
    assert code in (0, EXIT_CODES["usage"])
    assert "Commands:" in out + err
    assert "identigraph: error" not in out + err
