"""Developer sessions: tests, lint, typecheck, bench. Dependencies come from pyproject.toml."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (unit, property and doctests)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "identigraph", "tests", "benchmarks")
    session.run("ruff", "format", "--check", "identigraph", "tests", "benchmarks")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks and rewrite benchmarks/RESULTS.md sections (slow: minutes)."""
    session.install("-e", ".[dev]")
    session.install("-r", "benchmarks/requirements.txt")
    session.run("python", "benchmarks/bench_resolve.py", *session.posargs)
