"""The Matcher: find record pairs without a shared identifier and score them (Fellegi-Sunter).

A :class:`Matcher` is configured with comparisons (how two records' values are
graded) and blocking rules (which pairs are compared at all); :meth:`Matcher.fit`
estimates the model without labels, :meth:`Matcher.predict` returns one row per
candidate pair with its comparison levels, match weight and probability.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from identigraph.errors import ConfigError, InputError
from identigraph.matcher._levels import PreparedColumn, pair_levels, prepare_column
from identigraph.matcher._records import DEFAULT_SOURCE, Records, collect_records
from identigraph.matcher.blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    Block,
    LinkType,
    candidate_pairs,
)
from identigraph.matcher.comparisons import Comparison, comparison_from_dict
from identigraph.matcher.fellegi_sunter import (
    FellegiSunterModel,
    expectation_maximisation,
    level_patterns,
    level_probabilities,
    match_probability,
)

__all__ = ["FORMAT_VERSION", "PAIR_KEY_COLUMNS", "Matcher"]

#: Version of the JSON form written by :meth:`Matcher.to_json`.
FORMAT_VERSION = 1

#: The record-key columns that open every pairs frame.
PAIR_KEY_COLUMNS = ("source_l", "record_id_l", "source_r", "record_id_r")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
LevelMatrix = npt.NDArray[np.int8]
Records_ = pd.DataFrame | Mapping[str, pd.DataFrame]


class _Batch:
    """Records prepared for one fit or predict: stacked rows and per-comparison codes."""

    __slots__ = ("columns", "records")

    def __init__(self, records: Records, columns: tuple[PreparedColumn, ...]) -> None:
        self.records = records
        self.columns = columns


class Matcher:
    """Probabilistic record matcher: blocking, comparisons and a Fellegi-Sunter model.

    Parameters
    ----------
    comparisons : sequence of Comparison
        How records are compared, one comparison per column (names must differ).
    blocking : sequence of Block
        Rules that make candidate pairs; a pair is compared when any rule pairs it.
    link_type : {"link_and_dedupe", "dedupe", "link"}
        Which pairs are candidates: any two records, records of the same source
        only, or records of different sources only. With a single frame (one
        source), ``"link_and_dedupe"`` and ``"dedupe"`` agree.
    max_block_size : int, default 5000
        Blocks of more records are skipped with a :class:`BlockSizeWarning`.
    u_sample_size : int, default 250_000
        Random pairs drawn to estimate u of the fuzzy levels (exact-match u is
        computed exactly from value counts). All pairs are used when there are fewer.
    em_max_iter : int, default 100
        Most iterations of expectation-maximisation.
    em_tol : float, default 1e-6
        Convergence tolerance of expectation-maximisation.
    prior : float or None
        Probability that two random records (of the allowed pairs) match; ``None``
        estimates it.
    seed : int, default 0
        Seed of the random pair sample: the same data and seed give the same model.

    Raises
    ------
    ConfigError
        Invalid options, no comparisons or rules, or two comparisons of one name.

    Examples
    --------
    >>> import pandas as pd
    >>> from identigraph.matcher.blocking import Block
    >>> from identigraph.matcher.comparisons import DateComparison, NameComparison
    >>> people = pd.DataFrame({
    ...     "id": range(8),
    ...     "name": ["ann lee", "ann lea", "bob ray", "bob ray",
    ...              "cy fox", "dee orr", "ed ito", "fay poe"],
    ...     "dob": ["19800101", "19800101", "19750505", "19750505", "19900909",
    ...             "19911111", "19850303", "19700707"],
    ...     "city": ["oslo", "oslo", "rome", "rome", "oslo", "rome", "oslo", "rome"],
    ... })
    >>> matcher = Matcher(
    ...     comparisons=[NameComparison("name"), DateComparison("dob")],
    ...     blocking=[Block("city")],
    ...     prior=0.05,
    ... )
    >>> pairs = matcher.fit(people, id="id").predict(people, id="id", threshold=0.5)
    >>> pairs[["record_id_l", "record_id_r", "name_level", "dob_level"]].to_numpy().tolist()
    [[0, 1, 2, 4], [2, 3, 3, 4]]

    See Also
    --------
    Block, NameComparison, DateComparison, FellegiSunterModel

    Notes
    -----
    For ``n`` records and ``p`` candidate pairs: blocking sorts the keys of each rule,
    O(n log n), and emits the pairs, O(p); each comparison factorizes its column
    once, O(n), and scores each distinct pair of differing values once; EM runs on
    the distinct level vectors (usually hundreds to a few thousand), not on the pairs.
    u needs ``u_sample_size`` random pairs. Memory is O(n + p).
    """

    def __init__(
        self,
        comparisons: Sequence[Comparison],
        blocking: Sequence[Block],
        *,
        link_type: LinkType = "link_and_dedupe",
        max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
        u_sample_size: int = 250_000,
        em_max_iter: int = 100,
        em_tol: float = 1e-6,
        prior: float | None = None,
        seed: int = 0,
    ) -> None:
        comparisons = tuple(comparisons)
        blocking = tuple(blocking)
        if not comparisons or not all(isinstance(c, Comparison) for c in comparisons):
            msg = "Matcher: comparisons must be a non-empty sequence of Comparison objects"
            raise ConfigError(msg)
        if not blocking or not all(isinstance(b, Block) for b in blocking):
            msg = "Matcher: blocking must be a non-empty sequence of Block rules"
            raise ConfigError(msg)
        names = [c.name for c in comparisons]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            msg = f"Matcher: comparison names repeat: {repeated}; give each a distinct name="
            raise ConfigError(msg)
        if link_type not in get_args(LinkType):
            msg = f"Matcher: link_type must be one of {get_args(LinkType)}, got {link_type!r}"
            raise ConfigError(msg)
        for option, value, least in (
            ("max_block_size", max_block_size, 2),
            ("u_sample_size", u_sample_size, 1),
            ("em_max_iter", em_max_iter, 1),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                msg = f"Matcher: {option} must be an integer >= {least}, got {value!r}"
                raise ConfigError(msg)
        if not (isinstance(em_tol, (int, float)) and em_tol > 0):
            msg = f"Matcher: em_tol must be a positive number, got {em_tol!r}"
            raise ConfigError(msg)
        if prior is not None and not (isinstance(prior, (int, float)) and 0 < prior < 1):
            msg = f"Matcher: prior must be None or in (0, 1), got {prior!r}"
            raise ConfigError(msg)
        self.comparisons: tuple[Comparison, ...] = comparisons
        self.blocking: tuple[Block, ...] = blocking
        self.link_type: LinkType = link_type
        self.max_block_size = max_block_size
        self.u_sample_size = u_sample_size
        self.em_max_iter = em_max_iter
        self.em_tol = float(em_tol)
        self.prior_setting = None if prior is None else float(prior)
        self.seed = int(seed)
        self._model: FellegiSunterModel | None = None
        self._fit_info: dict[str, Any] = {}

    def __repr__(self) -> str:
        names = ", ".join(c.name for c in self.comparisons)
        state = "fitted" if self._model is not None else "not fitted"
        return (
            f"Matcher(comparisons=[{names}], blocking={list(self.blocking)!r}, "
            f"link_type={self.link_type!r}, {state})"
        )

    # -- fitted state -----------------------------------------------------------------
    @property
    def is_fitted(self) -> bool:
        """Whether the model has parameters (from :meth:`fit` or a saved model)."""
        return self._model is not None

    @property
    def model(self) -> FellegiSunterModel:
        """The trained Fellegi-Sunter model.

        Raises
        ------
        ConfigError
            The matcher is not fitted.
        """
        if self._model is None:
            msg = "Matcher is not fitted: call fit() first or load a saved matcher"
            raise ConfigError(msg)
        return self._model

    @property
    def parameters(self) -> pd.DataFrame:
        """m and u of every comparison level, with Bayes factor and match weight."""
        return self.model.parameters

    @property
    def prior(self) -> float:
        """Probability that two random records match (estimated or given)."""
        return self.model.prior

    @property
    def fit_info(self) -> dict[str, Any]:
        """Counts and convergence of the last :meth:`fit` (empty for a loaded matcher)."""
        return dict(self._fit_info)

    # -- preparation ------------------------------------------------------------------
    def _columns(self, extra: Sequence[str] = ()) -> list[str]:
        columns = [c.column for c in self.comparisons]
        for rule in self.blocking:
            columns.extend(rule.columns)
        return [*columns, *extra]

    def _batch(
        self,
        data: Records_,
        id: str | Mapping[str, str] | None,
        source: str,
        extra: Sequence[str] = (),
    ) -> _Batch:
        records = collect_records(data, id=id, source=source, columns=self._columns(extra))
        prepared = tuple(prepare_column(c, records.frame[c.column]) for c in self.comparisons)
        return _Batch(records, prepared)

    def _levels(self, batch: _Batch, left: IntArray, right: IntArray) -> LevelMatrix:
        levels = np.empty((len(left), len(self.comparisons)), dtype=np.int8)
        for k, (comparison, column) in enumerate(zip(self.comparisons, batch.columns, strict=True)):
            levels[:, k] = pair_levels(comparison, column, left, right)
        return levels

    def _candidates(self, batch: _Batch) -> tuple[IntArray, IntArray]:
        return candidate_pairs(
            batch.records.frame,
            self.blocking,
            sources=batch.records.sources,
            link_type=self.link_type,
            max_block_size=self.max_block_size,
        )

    # -- pair counts and sampling -----------------------------------------------------
    def _pairs(self, groups: IntArray, subgroups: IntArray) -> float:
        """Unordered pairs the link type allows within ``groups`` of records.

        ``subgroups`` splits the same records by source within each group: pairs in
        a subgroup are same-source pairs.
        """
        groups_f = np.asarray(groups, dtype=np.float64)
        subgroups_f = np.asarray(subgroups, dtype=np.float64)
        everything = float((groups_f * (groups_f - 1) / 2).sum())
        within = float((subgroups_f * (subgroups_f - 1) / 2).sum())
        if self.link_type == "dedupe":
            return within
        if self.link_type == "link":
            return everything - within
        return everything

    def _total_pairs(self, records: Records) -> float:
        sizes = records.source_sizes
        return self._pairs(np.asarray([sizes.sum()]), sizes)

    def _exact_u(self, records: Records, column: PreparedColumn) -> float:
        """Share of the allowed pairs with both values present that agree exactly."""
        present = column.codes >= 0
        sources = records.sources[present]
        n_codes = len(column.counts)
        n_sources = len(records.source_names)
        by_source_value = np.bincount(
            sources * n_codes + column.codes[present], minlength=n_sources * n_codes
        )
        agree = self._pairs(column.counts, by_source_value)
        sizes = np.bincount(sources, minlength=n_sources)
        total = self._pairs(np.asarray([sizes.sum()]), sizes)
        # half a pair when none agree: an exact match still gets a finite weight
        return max(agree, 0.5) / total if total > 0 else 0.5

    def _random_pairs(self, records: Records) -> tuple[IntArray, IntArray]:
        """Uniform sample of allowed pairs (all of them when there are fewer than the sample)."""
        n = len(records)
        sources = records.sources
        if n * (n - 1) // 2 <= self.u_sample_size:
            left, right = np.triu_indices(n, k=1)
            keep = self._allowed(sources[left], sources[right])
            return left[keep].astype(np.int64), right[keep].astype(np.int64)
        rng = np.random.default_rng(self.seed)
        lefts: list[IntArray] = []
        rights: list[IntArray] = []
        found = 0
        for _ in range(64):
            draw = 2 * (self.u_sample_size - found) + 1000
            i = rng.integers(0, n, size=draw, dtype=np.int64)
            j = rng.integers(0, n, size=draw, dtype=np.int64)
            keep = (i != j) & self._allowed(sources[i], sources[j])
            lefts.append(i[keep])
            rights.append(j[keep])
            found += int(keep.sum())
            if found >= self.u_sample_size:
                break
        left = np.concatenate(lefts)[: self.u_sample_size]
        right = np.concatenate(rights)[: self.u_sample_size]
        return np.minimum(left, right), np.maximum(left, right)

    def _allowed(self, source_l: IntArray, source_r: IntArray) -> npt.NDArray[np.bool_]:
        if self.link_type == "dedupe":
            return np.asarray(source_l == source_r)
        if self.link_type == "link":
            return np.asarray(source_l != source_r)
        return np.ones(len(source_l), dtype=bool)

    def _estimate_u(self, batch: _Batch) -> tuple[list[FloatArray], int]:
        left, right = self._random_pairs(batch.records)
        sample = self._levels(batch, left, right)
        u = []
        for k, (comparison, column) in enumerate(zip(self.comparisons, batch.columns, strict=True)):
            top = comparison.n_levels - 1
            exact = self._exact_u(batch.records, column)
            levels = sample[:, k]
            below = levels[(levels >= 0) & (levels < top)]
            counts = np.bincount(below, minlength=top).astype(np.float64)
            shares = (counts + 1.0) / (counts.sum() + top)  # add-one: unseen levels stay possible
            u.append(np.append((1.0 - exact) * shares, exact))
        return u, len(left)

    # -- fitting ----------------------------------------------------------------------
    def fit(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        labels: str | None = None,
    ) -> Matcher:
        """Estimate the model on ``data``.

        u comes from random pairs; m and the prior from expectation-maximisation on
        the candidate pairs, or, with ``labels``, m from the labelled matches.

        Parameters
        ----------
        data : DataFrame or mapping of str to DataFrame
            Records of one source, or of several keyed by source name.
        id : str, mapping of str to str, or None
            Record id column (per source for a mapping); ``None``: the index.
        source : str, default "records"
            Source name of a single frame (a mapping names its sources itself).
        labels : str or None
            Column holding a known entity id: records with equal labels match
            (missing labels are unknown). m is then counted on those pairs.

        Returns
        -------
        Matcher
            ``self``, fitted.

        Raises
        ------
        MissingColumnError
            A compared, blocking, id or label column is missing.
        DuplicateRecordError
            Record ids repeat within a source.
        InputError
            The link type allows no pair at all (one record, or ``"link"`` with
            one source).
        """
        self._fit(data, id=id, source=source, labels=labels)
        return self

    def _fit(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None,
        source: str,
        labels: str | None,
    ) -> tuple[_Batch, IntArray, IntArray, LevelMatrix]:
        extra = () if labels is None else (labels,)
        batch = self._batch(data, id, source, extra)
        u, sampled = self._estimate_u(batch)
        left, right = self._candidates(batch)
        levels = self._levels(batch, left, right)
        n_levels = [c.n_levels for c in self.comparisons]
        patterns, counts, _ = level_patterns(levels, n_levels)
        total = self._total_pairs(batch.records)
        if total == 0:
            msg = (
                f"no record pairs to learn from: link_type={self.link_type!r} with "
                f"{len(batch.records)} record(s) in {len(batch.records.source_names)} source(s)"
            )
            raise InputError(msg)
        prior = self.prior_setting
        if prior is None:  # start from "each record has about one match"
            prior = min(0.5, max(len(batch.records) / 2.0, 1.0) / max(total, 1.0))
        info: dict[str, Any] = {
            "records": len(batch.records),
            "candidate_pairs": len(left),
            "patterns": len(patterns),
            "u_sample_pairs": sampled,
        }
        if labels is None:
            m0 = [_initial_m(size) for size in n_levels]
            result = expectation_maximisation(
                patterns,
                counts,
                m=m0,
                u=u,
                prior=prior,
                total_pairs=total,
                estimate_prior=self.prior_setting is None,
                max_iter=self.em_max_iter,
                tol=self.em_tol,
            )
            m = list(result.m)
            prior = result.prior
            info.update(em_iterations=result.iterations, em_converged=result.converged)
        else:
            label_left, label_right = candidate_pairs(
                batch.records.frame,
                [Block(labels)],
                sources=batch.records.sources,
                link_type=self.link_type,
                max_block_size=max(len(batch.records), 2),
            )
            labelled = self._levels(batch, label_left, label_right)
            m = [level_probabilities(labelled[:, k], size) for k, size in enumerate(n_levels)]
            info["labelled_pairs"] = len(label_left)
            if self.prior_setting is None:
                result = expectation_maximisation(
                    patterns,
                    counts,
                    m=m,
                    u=u,
                    prior=prior,
                    total_pairs=total,
                    estimate_m=False,
                    max_iter=self.em_max_iter,
                    tol=self.em_tol,
                )
                prior = result.prior
                info.update(em_iterations=result.iterations, em_converged=result.converged)
        self._model = FellegiSunterModel(
            names=tuple(c.name for c in self.comparisons),
            labels=tuple(c.level_labels for c in self.comparisons),
            m=tuple(m),
            u=tuple(u),
            prior=prior,
        )
        self._fit_info = info
        return batch, left, right, levels

    # -- prediction -------------------------------------------------------------------
    def predict(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        threshold: float | None = None,
        weights: bool = False,
    ) -> pd.DataFrame:
        """Score the candidate pairs of ``data``.

        Parameters
        ----------
        data : DataFrame or mapping of str to DataFrame
            Records of one source, or of several keyed by source name.
        id : str, mapping of str to str, or None
            Record id column (per source for a mapping); ``None``: the index.
        source : str, default "records"
            Source name of a single frame (a mapping names its sources itself).
        threshold : float or None
            Keep pairs whose match probability is at least this.
        weights : bool, default False
            Add a ``<name>_weight`` column per comparison: the weight it adds,
            term-frequency adjustment included.

        Returns
        -------
        DataFrame
            One row per pair, ordered by ``(source_l, record_id_l, source_r,
            record_id_r)`` with ``(source_l, record_id_l) < (source_r, record_id_r)``:
            ``source_l, record_id_l, source_r, record_id_r``, one ``<name>_level``
            (int8, ``-1`` = a value missing) per comparison, ``match_weight``
            (log2 odds: the prior weight plus the comparisons' weights) and
            ``match_probability``. No compared values are included.

        Raises
        ------
        ConfigError
            The matcher is not fitted, or ``threshold`` is not a probability.
        MissingColumnError
            A compared, blocking or id column is missing.
        """
        _check_threshold(threshold)
        model = self.model
        batch = self._batch(data, id, source)
        left, right = self._candidates(batch)
        levels = self._levels(batch, left, right)
        return self._score(model, batch, left, right, levels, threshold, weights)

    def fit_predict(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        labels: str | None = None,
        threshold: float | None = None,
        weights: bool = False,
    ) -> pd.DataFrame:
        """:meth:`fit` then :meth:`predict` on the same data, blocking and comparing once."""
        _check_threshold(threshold)
        batch, left, right, levels = self._fit(data, id=id, source=source, labels=labels)
        return self._score(self.model, batch, left, right, levels, threshold, weights)

    def _score(
        self,
        model: FellegiSunterModel,
        batch: _Batch,
        left: IntArray,
        right: IntArray,
        levels: LevelMatrix,
        threshold: float | None,
        weights: bool,
    ) -> pd.DataFrame:
        per_comparison = model.comparison_weights(levels)
        for k, (comparison, column) in enumerate(zip(self.comparisons, batch.columns, strict=True)):
            if comparison.tf_adjust:
                per_comparison[:, k] += self._tf_adjustment(model, k, column, left, levels[:, k])
        match_weight = model.prior_weight + per_comparison.sum(axis=1)
        probability = match_probability(match_weight)
        if threshold is not None:
            keep = np.flatnonzero(probability >= threshold)
            left, right, levels = left[keep], right[keep], levels[keep]
            per_comparison, match_weight = per_comparison[keep], match_weight[keep]
            probability = probability[keep]
        records = batch.records
        names = np.asarray(records.source_names, dtype=object)
        out: dict[str, Any] = {
            "source_l": names[records.sources[left]],
            "record_id_l": records.ids.take(left).reset_index(drop=True),
            "source_r": names[records.sources[right]],
            "record_id_r": records.ids.take(right).reset_index(drop=True),
        }
        for k, comparison in enumerate(self.comparisons):
            out[f"{comparison.name}_level"] = levels[:, k]
        if weights:
            for k, comparison in enumerate(self.comparisons):
                out[f"{comparison.name}_weight"] = per_comparison[:, k]
        out["match_weight"] = match_weight
        out["match_probability"] = probability
        pairs: pd.DataFrame = pd.DataFrame(out)
        return pairs

    @staticmethod
    def _tf_adjustment(
        model: FellegiSunterModel,
        k: int,
        column: PreparedColumn,
        left: IntArray,
        levels: npt.NDArray[np.int8],
    ) -> FloatArray:
        """Extra weight of exact matches on value ``v``: ``log2(u_exact / frequency(v))``."""
        adjustment = np.zeros(len(left), dtype=np.float64)
        top = len(model.u[k]) - 1
        exact = np.flatnonzero(levels == top)
        if len(exact) and column.n_present:
            frequency = column.counts[column.codes[left[exact]]] / column.n_present
            adjustment[exact] = np.log2(model.u[k][top] / frequency)
        return adjustment

    # -- storage ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Settings and trained parameters as plain data (JSON-ready)."""
        return {
            "format": "identigraph.Matcher",
            "version": FORMAT_VERSION,
            "settings": {
                "comparisons": [c.to_dict() for c in self.comparisons],
                "blocking": [b.to_dict() for b in self.blocking],
                "link_type": self.link_type,
                "max_block_size": self.max_block_size,
                "u_sample_size": self.u_sample_size,
                "em_max_iter": self.em_max_iter,
                "em_tol": self.em_tol,
                "prior": self.prior_setting,
                "seed": self.seed,
            },
            "model": None if self._model is None else self._model.to_dict(),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`to_json` to ``path``."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Matcher:
        """Rebuild a matcher (fitted if it was) from :meth:`to_dict` output.

        Raises
        ------
        ConfigError
            Not a matcher, a newer format version, or invalid settings.
        """
        if not isinstance(data, Mapping) or data.get("format") != "identigraph.Matcher":
            msg = "not a saved identigraph Matcher"
            raise ConfigError(msg)
        version = data.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            msg = (
                f"saved Matcher has format version {version!r}; "
                f"this release reads up to {FORMAT_VERSION}"
            )
            raise ConfigError(msg)
        try:
            settings = dict(data["settings"])
            comparisons = [comparison_from_dict(c) for c in settings.pop("comparisons")]
            blocking = [Block(**b) for b in settings.pop("blocking")]
            matcher = cls(comparisons, blocking, **settings)
        except (KeyError, TypeError) as err:
            msg = f"malformed saved Matcher settings: {err}"
            raise ConfigError(msg) from err
        if data.get("model") is not None:
            model = FellegiSunterModel.from_dict(data["model"])
            expected = ([c.name for c in comparisons], [c.level_labels for c in comparisons])
            if (list(model.names), [tuple(x) for x in model.labels]) != expected:
                msg = "saved Matcher parameters do not fit its comparisons"
                raise ConfigError(msg)
            matcher._model = model
        return matcher

    @classmethod
    def from_json(cls, text: str) -> Matcher:
        """Rebuild a matcher from :meth:`to_json` text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            msg = f"saved Matcher is not valid JSON: {err}"
            raise ConfigError(msg) from err
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Matcher:
        """Read a matcher written by :meth:`save`."""
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(handle.read())


def _check_threshold(threshold: float | None) -> None:
    if threshold is not None and not (
        isinstance(threshold, (int, float))
        and not isinstance(threshold, bool)
        and 0 <= threshold <= 1
    ):
        msg = f"threshold must be None or a probability in [0, 1], got {threshold!r}"
        raise ConfigError(msg)


def _initial_m(size: int) -> FloatArray:
    """Starting m of a comparison: most matches agree exactly, the rest spread out."""
    if size == 1:
        return np.ones(1)
    m = np.full(size, 0.1 / (size - 1))
    m[-1] = 0.9
    return m
