"""Onboarding report: how well one source's persons reach another source's records."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from identigraph._optional import import_optional
from identigraph._unique import sorted_intersection
from identigraph.activation.facts import Persons
from identigraph.errors import ConfigError

__all__ = ["OnboardingReport", "match_rates"]


@dataclass(frozen=True, slots=True)
class OnboardingReport:
    """Match rates between pairs of sources.

    Attributes
    ----------
    rates : pandas.DataFrame
        ``source_a, source_b, persons_a, persons_a_with_b, match_rate``: persons
        holding a record of A, those among them also holding a record of B, and
        the share.
    by_kind : pandas.DataFrame
        ``source_a, source_b, kind, persons, share``: persons of A with B whose A
        and B records share a value of identifier ``kind`` (a person counts once
        per kind it shares); ``kind == "indirect"`` counts persons whose A and B
        records share no value, linked through other records.
    distribution : pandas.DataFrame
        ``source_a, source_b, b_records, persons``: persons of A by their number of
        B records (``b_records == max_count`` counts that many or more).
    """

    rates: pd.DataFrame
    by_kind: pd.DataFrame
    distribution: pd.DataFrame

    def chart(self) -> Any:
        """A Vega-Altair bar chart of the match rates, one bar per pair.

        Raises
        ------
        MissingDependencyError
            Altair is not installed (``pip install 'identigraph[charts]'``).
        """
        alt = import_optional("altair", extra="charts")
        data = self.rates.assign(pair=self.rates["source_a"] + " → " + self.rates["source_b"])
        return (
            alt.Chart(data)
            .mark_bar()
            .encode(
                x=alt.X("match_rate:Q", title="share of A persons holding a B record",
                        scale=alt.Scale(domain=[0, 1])),
                y=alt.Y("pair:N", sort="-x", title=None),
                tooltip=["source_a", "source_b", "persons_a", "persons_a_with_b",
                         alt.Tooltip("match_rate:Q", format=".1%")],
            )
            .properties(title="Onboarding match rates")
        )  # fmt: skip


def _source_counts(persons: Persons) -> tuple[np.ndarray, list[str]]:
    """Records per person and source: an int64 matrix persons x sources."""
    clusters = persons.clusters
    codes = clusters["source"].cat.codes.to_numpy().astype(np.int64)
    sources = persons.sources
    pos = np.searchsorted(persons.person_ids, clusters["person_id"].to_numpy())
    flat = np.bincount(pos * len(sources) + codes, minlength=persons.n_persons * len(sources))
    return flat.reshape(persons.n_persons, len(sources)), sources


def _shared_values(persons: Persons) -> pd.DataFrame | None:
    """``pos, source, code, kind`` of every usable identifier value of every record."""
    graph = persons.graph
    if graph is None:
        return None
    recs = persons.records()
    parts = []
    for spec in graph.identifiers:
        if spec.column not in recs.columns:
            continue
        col = recs[spec.column]
        rows = np.flatnonzero(col.notna().to_numpy() & (recs["person_id"].to_numpy() >= 0))
        if not len(rows):
            continue
        codes, uniques = pd.factorize(col.iloc[rows].astype(object))
        canon = spec.canonicalize(pd.Series(uniques, dtype=object))
        values = canon.astype(object).to_numpy()[codes]
        keep = pd.notna(values)
        parts.append(
            pd.DataFrame(
                {
                    "person": recs["person_id"].to_numpy()[rows[keep]],
                    "source": recs["source"].astype(str).to_numpy()[rows[keep]],
                    "kind": spec.kind,
                    "value": values[keep],
                }
            )
        )
    if not parts:
        return pd.DataFrame({"person": [], "source": [], "kind": [], "value": []})
    frame = pd.concat(parts, ignore_index=True)
    frame["code"] = pd.factorize(pd.MultiIndex.from_arrays([frame["kind"], frame["value"]]))[0]
    frame["pos"] = np.searchsorted(persons.person_ids, frame["person"].to_numpy(np.int64))
    return frame[["pos", "source", "code", "kind"]]


def match_rates(
    persons: Persons,
    pairs: Sequence[tuple[str, str]] | None = None,
    *,
    max_count: int = 10,
) -> OnboardingReport:
    """Share of persons of source A holding at least one record of source B, per pair.

    Parameters
    ----------
    persons : Persons
    pairs : sequence of (str, str), optional
        ``(A, B)`` pairs such as ``("crm", "web")``; by default every ordered pair.
    max_count : int, default 10
        Top bucket of the distribution of B records per A person.

    Returns
    -------
    OnboardingReport

    Raises
    ------
    ConfigError
        A pair names an unknown source, or ``max_count < 1``.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email"), ig.Cookie("cookie")])
    >>> _ = g.add(pd.DataFrame({"email": ["ann@x.com", "bob@x.com"]}), source="crm")
    >>> _ = g.add(pd.DataFrame({"email": ["ann@x.com", None], "cookie": ["c1", "c1"]}),
    ...           source="web")
    >>> report = match_rates(Persons(g), [("crm", "web")])
    >>> report.rates[["persons_a", "persons_a_with_b", "match_rate"]].to_dict("records")
    [{'persons_a': 2, 'persons_a_with_b': 1, 'match_rate': 0.5}]
    >>> report.by_kind[["kind", "persons"]].to_dict("records")
    [{'kind': 'email', 'persons': 1}]
    >>> report.distribution.query("persons > 0")[["b_records", "persons"]].to_dict("records")
    [{'b_records': 0, 'persons': 1}, {'b_records': 2, 'persons': 1}]

    Notes
    -----
    Cost: O(records) for the counts; the by-kind counts canonicalize each distinct
    identifier value once and join per pair on integer keys.
    """
    if not isinstance(max_count, int) or isinstance(max_count, bool) or max_count < 1:
        msg = f"max_count must be an integer >= 1, got {max_count!r}"
        raise ConfigError(msg)
    counts, sources = _source_counts(persons)
    if pairs is None:
        pairs = list(itertools.permutations(sources, 2))
    for a, b in pairs:
        for s in (a, b):
            if s not in sources:
                msg = f"unknown source {s!r}; sources: {sources}"
                raise ConfigError(msg)
    values = _shared_values(persons)
    n_codes = int(values["code"].max()) + 1 if values is not None and len(values) else 1
    rates: list[tuple[str, str, int, int, float]] = []
    kinds: list[tuple[str, str, str, int, float]] = []
    dists: list[tuple[str, str, int, int]] = []
    for a, b in pairs:
        ia, ib = sources.index(a), sources.index(b)
        in_a = counts[:, ia] > 0
        both = in_a & (counts[:, ib] > 0)
        n_a, n_both = int(in_a.sum()), int(both.sum())
        rates.append((a, b, n_a, n_both, n_both / n_a if n_a else float("nan")))
        hist = np.bincount(np.minimum(counts[in_a, ib], max_count), minlength=max_count + 1)
        dists.extend((a, b, k, int(n)) for k, n in enumerate(hist))
        if values is None:
            continue
        side_a = values[values["source"].to_numpy() == a]
        side_b = values[values["source"].to_numpy() == b]
        key_a = side_a["pos"].to_numpy(np.int64) * n_codes + side_a["code"].to_numpy(np.int64)
        key_b = side_b["pos"].to_numpy(np.int64) * n_codes + side_b["code"].to_numpy(np.int64)
        common = sorted_intersection(key_a, key_b)
        kind_of = (
            pd.Series(side_a["kind"].to_numpy(), index=side_a["code"].to_numpy())
            .groupby(level=0)
            .first()
        )
        shared = pd.DataFrame(
            {"pos": common // n_codes, "kind": kind_of.reindex(common % n_codes).to_numpy()}
        ).drop_duplicates()
        per_kind = shared.groupby("kind", sort=True)["pos"].nunique()
        for kind, n in per_kind.items():
            kinds.append((a, b, str(kind), int(n), n / n_both if n_both else float("nan")))
        indirect = n_both - shared["pos"].nunique()
        if indirect:
            kinds.append((a, b, "indirect", indirect, indirect / n_both))
    return OnboardingReport(
        rates=pd.DataFrame(
            rates, columns=["source_a", "source_b", "persons_a", "persons_a_with_b", "match_rate"]
        ),
        by_kind=pd.DataFrame(kinds, columns=["source_a", "source_b", "kind", "persons", "share"]),
        distribution=pd.DataFrame(dists, columns=["source_a", "source_b", "b_records", "persons"]),
    )
