"""The Matcher: find record pairs without a shared identifier and score them (Fellegi-Sunter).

A :class:`Matcher` is configured with comparisons (how two records' values are
graded) and blocking rules (which pairs are compared at all); :meth:`Matcher.fit`
estimates the model without labels, :meth:`Matcher.predict` returns one row per
candidate pair with its comparison levels, match weight and probability.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from identigraph._progress import progress_bar
from identigraph.errors import ConfigError, InputError, MissingColumnError, UnknownRecordError
from identigraph.matcher._levels import PreparedColumn, pair_levels, prepare_column
from identigraph.matcher._records import DEFAULT_SOURCE, Records, collect_records
from identigraph.matcher.blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    Block,
    LinkType,
    blocking_analysis,
    candidate_pairs,
)
from identigraph.matcher.comparisons import (
    TF_AUTO_MIN_VALUES,
    Comparison,
    comparison_from_dict,
)
from identigraph.matcher.fellegi_sunter import (
    FellegiSunterModel,
    expectation_maximisation,
    level_patterns,
    level_probabilities,
    match_probability,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMAT_VERSION",
    "PAIR_KEY_COLUMNS",
    "Matcher",
    "check_threshold",
    "clerical_review",
]

logger = logging.getLogger("identigraph.matcher")

#: The one default match-probability threshold: :meth:`Matcher.predict`,
#: :meth:`Matcher.link`, :meth:`Matcher.dedupe` and the graph's ``add(matcher=)``
#: and ``link`` keep pairs at or above it. The model's probabilities are calibrated
#: (estimated prior, u from random pairs), so 0.5 is the point where a match is as
#: likely as not; see ``benchmarks/RESULTS.md`` for calibration on labelled sets.
DEFAULT_THRESHOLD = 0.5

#: Version of the JSON form written by :meth:`Matcher.to_json`.
FORMAT_VERSION = 1

#: The record-key columns that open every pairs frame.
PAIR_KEY_COLUMNS = ("source_l", "record_id_l", "source_r", "record_id_r")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
LevelMatrix = npt.NDArray[np.int8]
Records_ = pd.DataFrame | Mapping[str, pd.DataFrame]


class _Batch:
    """Records prepared for one fit or predict: stacked rows, per-comparison codes,
    codes of name-swap column pairs in one code space, and the link type in force."""

    __slots__ = ("columns", "link_type", "records", "swaps")

    def __init__(
        self,
        records: Records,
        columns: tuple[PreparedColumn, ...],
        swaps: dict[int, tuple[IntArray, IntArray]],
        link_type: LinkType,
    ) -> None:
        self.records = records
        self.columns = columns
        self.swaps = swaps
        self.link_type: LinkType = link_type


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
    max_pairs : int or None
        Budget of candidate pairs: blocking stops with a
        :class:`~identigraph.errors.PairBudgetError` naming the rule that exceeds
        it, before comparing anything. Count first with :meth:`blocking_analysis`.

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
    >>> pairs = matcher.fit(people, id="id").predict(people, id="id")
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
        max_pairs: int | None = None,
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
        if max_pairs is not None and (
            not isinstance(max_pairs, int) or isinstance(max_pairs, bool) or max_pairs < 0
        ):
            msg = f"Matcher: max_pairs must be None or an integer >= 0, got {max_pairs!r}"
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
        self.max_pairs = max_pairs
        self._model: FellegiSunterModel | None = None
        self._fit_info: dict[str, Any] = {}

    def _repr_html_(self) -> str:
        from identigraph.notebook.html import matcher_html

        return matcher_html(self)

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
        columns.extend(s for c in self.comparisons if (s := _swap_column(c)) is not None)
        for rule in self.blocking:
            columns.extend(rule.columns)
        return [*columns, *extra]

    def _batch(
        self,
        data: Records_,
        id: str | Mapping[str, str] | None,
        source: str,
        extra: Sequence[str] = (),
        link_type: LinkType | None = None,
    ) -> _Batch:
        records = collect_records(data, id=id, source=source, columns=self._columns(extra))
        frame = records.frame
        prepared = tuple(prepare_column(c, frame[c.column]) for c in self.comparisons)
        swaps: dict[int, tuple[IntArray, IntArray]] = {}
        for k, comparison in enumerate(self.comparisons):
            other = _swap_column(comparison)
            if other is not None:
                both = pd.concat([frame[comparison.column], frame[other]], ignore_index=True)
                raw, uniques = pd.factorize(both, use_na_sentinel=True)
                keys = pd.factorize(comparison.keys(pd.Series(uniques)), use_na_sentinel=True)[0]
                codes = np.append(keys, -1).astype(np.int64)[raw]
                swaps[k] = (codes[: len(frame)], codes[len(frame) :])
        return _Batch(records, prepared, swaps, link_type or self.link_type)

    def _levels(
        self, batch: _Batch, left: IntArray, right: IntArray, progress: bool | None = False
    ) -> LevelMatrix:
        levels = np.empty((len(left), len(self.comparisons)), dtype=np.int8)
        with progress_bar(
            len(self.comparisons), desc="comparing", unit="comparisons", progress=progress
        ) as bar:
            for k, (comparison, column) in enumerate(
                zip(self.comparisons, batch.columns, strict=True)
            ):
                levels[:, k] = pair_levels(comparison, column, left, right)
                if k in batch.swaps:
                    own, other = batch.swaps[k]
                    o_l, o_r, x_l, x_r = own[left], own[right], other[left], other[right]
                    swapped = (o_l >= 0) & (x_l >= 0) & (o_l == x_r) & (x_l == o_r) & (o_l != o_r)
                    levels[swapped, k] = comparison.n_levels - 2
                bar.update(1)
        return levels

    def _candidates(
        self, batch: _Batch, progress: bool | None = False
    ) -> tuple[IntArray, IntArray]:
        return candidate_pairs(
            batch.records.frame,
            self.blocking,
            sources=batch.records.sources,
            link_type=batch.link_type,
            max_block_size=self.max_block_size,
            max_pairs=self.max_pairs,
            progress=progress,
        )

    # -- pair counts and sampling -----------------------------------------------------
    @staticmethod
    def _pairs(link_type: LinkType, groups: IntArray, subgroups: IntArray) -> float:
        """Unordered pairs the link type allows within ``groups`` of records.

        ``subgroups`` splits the same records by source within each group: pairs in
        a subgroup are same-source pairs.
        """
        groups_f = np.asarray(groups, dtype=np.float64)
        subgroups_f = np.asarray(subgroups, dtype=np.float64)
        everything = float((groups_f * (groups_f - 1) / 2).sum())
        within = float((subgroups_f * (subgroups_f - 1) / 2).sum())
        if link_type == "dedupe":
            return within
        if link_type == "link":
            return everything - within
        return everything

    def _total_pairs(self, batch: _Batch) -> float:
        sizes = batch.records.source_sizes
        return self._pairs(batch.link_type, np.asarray([sizes.sum()]), sizes)

    def _exact_u(self, batch: _Batch, column: PreparedColumn) -> float:
        """Share of the allowed pairs with both values present that agree exactly."""
        records = batch.records
        present = column.codes >= 0
        sources = records.sources[present]
        n_codes = len(column.counts)
        n_sources = len(records.source_names)
        by_source_value = np.bincount(
            sources * n_codes + column.codes[present], minlength=n_sources * n_codes
        )
        agree = self._pairs(batch.link_type, column.counts, by_source_value)
        sizes = np.bincount(sources, minlength=n_sources)
        total = self._pairs(batch.link_type, np.asarray([sizes.sum()]), sizes)
        # half a pair when none agree: an exact match still gets a finite weight
        return max(agree, 0.5) / total if total > 0 else 0.5

    def _random_pairs(self, batch: _Batch) -> tuple[IntArray, IntArray]:
        """Uniform sample of allowed pairs (all of them when there are fewer than the sample)."""
        records = batch.records
        n = len(records)
        sources = records.sources
        if n * (n - 1) // 2 <= self.u_sample_size:
            left, right = np.triu_indices(n, k=1)
            keep = _allowed(batch.link_type, sources[left], sources[right])
            return left[keep].astype(np.int64), right[keep].astype(np.int64)
        rng = np.random.default_rng(self.seed)
        lefts: list[IntArray] = []
        rights: list[IntArray] = []
        found = 0
        for _ in range(64):
            draw = 2 * (self.u_sample_size - found) + 1000
            i = rng.integers(0, n, size=draw, dtype=np.int64)
            j = rng.integers(0, n, size=draw, dtype=np.int64)
            keep = (i != j) & _allowed(batch.link_type, sources[i], sources[j])
            lefts.append(i[keep])
            rights.append(j[keep])
            found += int(keep.sum())
            if found >= self.u_sample_size:
                break
        left = np.concatenate(lefts)[: self.u_sample_size]
        right = np.concatenate(rights)[: self.u_sample_size]
        return np.minimum(left, right), np.maximum(left, right)

    def _estimate_u(self, batch: _Batch) -> tuple[list[FloatArray], int]:
        left, right = self._random_pairs(batch)
        sample = self._levels(batch, left, right)
        u = []
        for k, (comparison, column) in enumerate(zip(self.comparisons, batch.columns, strict=True)):
            top = comparison.n_levels - 1
            exact = self._exact_u(batch, column)
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
        pair_labels: pd.DataFrame | None = None,
        progress: bool | None = None,
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
        pair_labels : DataFrame or None
            Pairs a person decided (from :meth:`clerical_review`): the columns
            ``source_l, record_id_l, source_r, record_id_r`` and a boolean
            ``is_match``. EM still learns from every candidate pair, but these
            pairs count as known matches and non-matches.
        progress : bool or None
            Show progress bars (``None``: only in an interactive terminal).

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
        PairBudgetError
            Blocking exceeds ``max_pairs``.
        InputError
            The link type allows no pair at all (one record, or ``"link"`` with
            one source).
        UnknownRecordError
            A labelled pair names a record that is not in ``data``.
        ConfigError
            Both ``labels`` and ``pair_labels`` are given.
        """
        self._fit(
            data,
            id=id,
            source=source,
            labels=labels,
            progress=progress,
            pair_labels=pair_labels,
        )
        return self

    def _fit(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None,
        source: str,
        labels: str | None,
        progress: bool | None,
        link_type: LinkType | None = None,
        pair_labels: pd.DataFrame | None = None,
    ) -> tuple[_Batch, IntArray, IntArray, LevelMatrix]:
        if labels is not None and pair_labels is not None:
            msg = "fit: give labels (an entity column) or pair_labels, not both"
            raise ConfigError(msg)
        started = time.perf_counter()
        extra = () if labels is None else (labels,)
        batch = self._batch(data, id, source, extra, link_type)
        total = self._total_pairs(batch)
        if total == 0:
            msg = (
                f"no record pairs to learn from: link_type={batch.link_type!r} with "
                f"{len(batch.records)} record(s) in {len(batch.records.source_names)} source(s)"
            )
            raise InputError(msg)
        u, sampled = self._estimate_u(batch)
        left, right = self._candidates(batch, progress)
        levels = self._levels(batch, left, right, progress)
        n_levels = [c.n_levels for c in self.comparisons]
        fixed_levels: LevelMatrix | None = None
        fixed_posterior: FloatArray | None = None
        unlabelled = levels
        if pair_labels is not None:
            label_lo, label_hi, is_match = _labelled_pairs(batch, pair_labels)
            n = max(len(batch.records), 1)
            is_labelled = np.isin(left * n + right, label_lo * n + label_hi)
            unlabelled = levels[~is_labelled]
            fixed_levels = self._levels(batch, label_lo, label_hi)
            fixed_posterior = is_match.astype(np.float64)
        patterns, counts, _ = level_patterns(unlabelled, n_levels)
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
                fixed_patterns=fixed_levels,
                fixed_posterior=fixed_posterior,
            )
            m = list(result.m)
            if fixed_posterior is not None:
                info["labelled_pairs"] = len(fixed_posterior)
            prior = result.prior
            info.update(em_iterations=result.iterations, em_converged=result.converged)
        else:
            label_left, label_right = candidate_pairs(
                batch.records.frame,
                [Block(labels)],
                sources=batch.records.sources,
                link_type=batch.link_type,
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
        info["seconds"] = time.perf_counter() - started
        self._fit_info = info
        logger.info(
            "fit: %d records, %d candidate pairs, %d patterns, prior %.3g, %.2f s",
            info["records"],
            info["candidate_pairs"],
            info["patterns"],
            prior,
            info["seconds"],
        )
        return batch, left, right, levels

    # -- prediction -------------------------------------------------------------------
    def predict(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        threshold: float | None = DEFAULT_THRESHOLD,
        weights: bool = False,
        progress: bool | None = None,
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
        threshold : float or None, default DEFAULT_THRESHOLD (0.5)
            Keep pairs whose match probability is at least this; ``None`` keeps
            every candidate pair.
        weights : bool, default False
            Add ``prior_weight`` (the same for every pair) and a ``<name>_weight``
            column per comparison (term-frequency adjustment included): they sum
            to ``match_weight``.
        progress : bool or None
            Show progress bars (``None``: only in an interactive terminal).

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
        PairBudgetError
            Blocking exceeds ``max_pairs``.
        """
        return self._predict(data, id, source, threshold, weights, progress, None)

    def _predict(
        self,
        data: Records_,
        id: str | Mapping[str, str] | None,
        source: str,
        threshold: float | None,
        weights: bool,
        progress: bool | None,
        link_type: LinkType | None,
    ) -> pd.DataFrame:
        check_threshold(threshold)
        model = self.model
        started = time.perf_counter()
        batch = self._batch(data, id, source, (), link_type)
        left, right = self._candidates(batch, progress)
        levels = self._levels(batch, left, right, progress)
        pairs = self._score(model, batch, left, right, levels, threshold, weights)
        logger.info(
            "predict: %d records, %d candidate pairs, %d kept, %.2f s",
            len(batch.records),
            len(left),
            len(pairs),
            time.perf_counter() - started,
        )
        return pairs

    def fit_predict(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        labels: str | None = None,
        threshold: float | None = DEFAULT_THRESHOLD,
        weights: bool = False,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """:meth:`fit` then :meth:`predict` on the same data, blocking and comparing once."""
        check_threshold(threshold)
        batch, left, right, levels = self._fit(
            data, id=id, source=source, labels=labels, progress=progress
        )
        return self._score(self.model, batch, left, right, levels, threshold, weights)

    def link(
        self,
        frames: Mapping[str, pd.DataFrame],
        *,
        id: str | Mapping[str, str] | None = None,
        threshold: float | None = DEFAULT_THRESHOLD,
        weights: bool = False,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Pairs of records of different sources, fitting first when not fitted.

        Whatever ``link_type`` the matcher was made with, this call pairs records
        across sources only (``"link"``). The result has the pairs format that
        ``IdentityGraph.link`` reads.

        Parameters
        ----------
        frames : mapping of str to DataFrame
            Records by source name; two sources at least.
        id : str, mapping of str to str, or None
            Record id column (per source for a mapping); ``None``: the index.
        threshold : float or None, default DEFAULT_THRESHOLD (0.5)
            Keep pairs whose match probability is at least this.
        weights : bool, default False
            Add the weight columns of :meth:`predict`.
        progress : bool or None
            Show progress bars (``None``: only in an interactive terminal).

        Returns
        -------
        DataFrame
            As :meth:`predict`; ``source_l`` and ``source_r`` always differ.

        Raises
        ------
        InputError
            ``frames`` is not a mapping of two sources or more.

        Examples
        --------
        >>> import pandas as pd
        >>> from identigraph.matcher.blocking import Block
        >>> from identigraph.matcher.comparisons import DateComparison, NameComparison
        >>> crm = pd.DataFrame({"name": ["ann lee", "bob ray", "cy fox", "dee orr"],
        ...                     "dob": ["19800101", "19750505", "19900909", "19911111"]})
        >>> web = pd.DataFrame({"name": ["ann lea", "bob ray", "eve ito"],
        ...                     "dob": ["19800101", "19750505", "19850303"]})
        >>> m = Matcher([NameComparison("name"), DateComparison("dob")], [Block("dob")],
        ...             prior=0.2)
        >>> m.link({"crm": crm, "web": web})[["source_l", "record_id_l", "source_r", "record_id_r"]]
          source_l  record_id_l source_r  record_id_r
        0      crm            0      web            0
        1      crm            1      web            1
        """
        if not isinstance(frames, Mapping) or len(frames) < 2:
            msg = "Matcher.link needs a mapping of two or more source names to frames"
            raise InputError(msg)
        return self._fit_or_predict(
            frames, id, DEFAULT_SOURCE, threshold, weights, progress, "link"
        )

    def dedupe(
        self,
        frame: pd.DataFrame,
        *,
        id: str | None = None,
        source: str = DEFAULT_SOURCE,
        threshold: float | None = DEFAULT_THRESHOLD,
        weights: bool = False,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Pairs of records within one frame, fitting first when not fitted.

        The pure fuzzy dedupe: records with names and dates but no shared
        identifier. The result has the pairs format that ``IdentityGraph.link``
        reads.

        Parameters
        ----------
        frame : DataFrame
            The records of one source.
        id : str or None
            Record id column; ``None``: the index.
        source : str, default "records"
            Source name written into the pairs.
        threshold, weights, progress
            As for :meth:`predict`.

        Returns
        -------
        DataFrame
            As :meth:`predict`.

        Raises
        ------
        InputError
            ``frame`` is not a DataFrame.

        Examples
        --------
        >>> import pandas as pd
        >>> from identigraph.matcher.blocking import Block
        >>> from identigraph.matcher.comparisons import DateComparison, NameComparison
        >>> people = pd.DataFrame({
        ...     "name": ["ann lee", "ann lea", "bob ray", "cy fox", "dee orr", "ed ito"],
        ...     "dob": ["19800101", "19800101", "19750505", "19900909", "19911111", "19850303"],
        ...     "city": ["oslo", "oslo", "rome", "oslo", "rome", "oslo"],
        ... })
        >>> m = Matcher([NameComparison("name"), DateComparison("dob")],
        ...             [Block("city")], prior=0.05)
        >>> m.dedupe(people, source="crm")[["record_id_l", "record_id_r"]].to_numpy().tolist()
        [[0, 1]]
        """
        if not isinstance(frame, pd.DataFrame):
            msg = f"Matcher.dedupe needs one DataFrame, got {type(frame).__name__}"
            raise InputError(msg)
        return self._fit_or_predict(frame, id, source, threshold, weights, progress, "dedupe")

    def _fit_or_predict(
        self,
        data: Records_,
        id: str | Mapping[str, str] | None,
        source: str,
        threshold: float | None,
        weights: bool,
        progress: bool | None,
        link_type: LinkType,
    ) -> pd.DataFrame:
        check_threshold(threshold)
        if self.is_fitted:
            return self._predict(data, id, source, threshold, weights, progress, link_type)
        batch, left, right, levels = self._fit(
            data, id=id, source=source, labels=None, progress=progress, link_type=link_type
        )
        return self._score(self.model, batch, left, right, levels, threshold, weights)

    def _weights(
        self, model: FellegiSunterModel, batch: _Batch, left: IntArray, levels: LevelMatrix
    ) -> FloatArray:
        """Weight each comparison adds to each pair, term-frequency adjustment included."""
        per_comparison = model.comparison_weights(levels)
        for k, (comparison, column) in enumerate(zip(self.comparisons, batch.columns, strict=True)):
            if comparison.tf_adjust is True or (
                comparison.tf_adjust == "auto" and column.n_present >= TF_AUTO_MIN_VALUES
            ):
                per_comparison[:, k] += self._tf_adjustment(model, k, column, left, levels[:, k])
        return per_comparison

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
        per_comparison = self._weights(model, batch, left, levels)
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
            out["prior_weight"] = np.full(len(left), model.prior_weight)
            for k, comparison in enumerate(self.comparisons):
                out[f"{comparison.name}_weight"] = per_comparison[:, k]
        out["match_weight"] = match_weight
        out["match_probability"] = probability
        pairs: pd.DataFrame = pd.DataFrame(out)
        return pairs

    # -- explanation, review and blocking analysis ------------------------------------
    def explain_pair(
        self,
        data: Records_,
        a: Any,
        b: Any,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
    ) -> pd.DataFrame:
        """How the match weight of records ``a`` and ``b`` adds up, step by step.

        Parameters
        ----------
        data : DataFrame or mapping of str to DataFrame
            The records the pair belongs to (term frequencies are counted on them).
        a, b : record id, or (source, record id) for a mapping of sources
            The two records.
        id : str, mapping of str to str, or None
            Record id column (per source for a mapping); ``None``: the index.
        source : str, default "records"
            Source name of a single frame.

        Returns
        -------
        DataFrame
            One row for the prior, one per comparison, and a last ``total`` row:
            ``part``, ``level`` (``-1``: a value missing; ``<NA>`` for the prior and
            total), ``label`` (the level's label, never a compared value),
            ``weight`` (log2 Bayes factor; for ``total`` the match weight),
            ``cumulative_weight`` and ``cumulative_probability`` after each step.
            The weights of all rows but ``total`` sum to the match weight that
            :meth:`predict` gives the pair. Draw it with
            :func:`identigraph.matcher.charts.waterfall_chart`.

        Raises
        ------
        ConfigError
            The matcher is not fitted.
        UnknownRecordError
            ``a`` or ``b`` is not in ``data``.

        Examples
        --------
        >>> import pandas as pd
        >>> from identigraph.matcher.blocking import Block
        >>> from identigraph.matcher.comparisons import DateComparison, ExactComparison
        >>> people = pd.DataFrame({"name": ["ann", "ann", "bob", "cy"],
        ...                        "dob": ["19800101", "19800101", "19750505", None]})
        >>> m = Matcher([ExactComparison("name"), DateComparison("dob")], [Block("name")],
        ...             prior=0.1).fit(people)
        >>> table = m.explain_pair(people, 0, 1)
        >>> table["part"].tolist(), table["label"].tolist()
        (['prior', 'name', 'dob', 'total'], ['prior', 'exact', 'exact', 'match weight'])
        >>> bool(abs(table["weight"].iloc[:-1].sum() - table["weight"].iloc[-1]) < 1e-9)
        True
        """
        model = self.model
        batch = self._batch(data, id, source)
        left = np.asarray([self._position(batch, a, "a")], dtype=np.int64)
        right = np.asarray([self._position(batch, b, "b")], dtype=np.int64)
        levels = self._levels(batch, left, right)
        parts = self._weights(model, batch, left, levels)[0]
        level_row = levels[0]
        labels = [
            "missing" if level < 0 else comparison.level_labels[level]
            for comparison, level in zip(self.comparisons, level_row.tolist(), strict=True)
        ]
        weight = np.r_[model.prior_weight, parts]
        cumulative = np.cumsum(weight)
        total = float(cumulative[-1])
        table = pd.DataFrame(
            {
                "part": ["prior", *(c.name for c in self.comparisons), "total"],
                "level": pd.array([None, *level_row.tolist(), None], dtype="Int64"),
                "label": ["prior", *labels, "match weight"],
                "weight": np.r_[weight, total],
                "cumulative_weight": np.r_[cumulative, total],
            }
        )
        table["cumulative_probability"] = match_probability(table["cumulative_weight"])
        return table

    @staticmethod
    def _position(batch: _Batch, key: Any, which: str) -> int:
        records = batch.records
        if len(records.source_names) > 1 or isinstance(key, tuple):
            if not (isinstance(key, tuple) and len(key) == 2):
                msg = f"record {which}: give (source, record_id) when there are several sources"
                raise UnknownRecordError(msg)
            source, record_id = key
        else:
            source, record_id = records.source_names[0], key
        if source not in records.source_names:
            msg = f"record {which}: unknown source {source!r}"
            raise UnknownRecordError(msg)
        code = records.source_names.index(source)
        hits = np.flatnonzero(
            (records.sources == code) & (records.ids.to_numpy(dtype=object) == record_id)
        )
        if not len(hits):
            msg = f"record {which}: ({source!r}, {record_id!r}) is not in the data"
            raise UnknownRecordError(msg)
        return int(hits[0])

    def clerical_review(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        n: int = 50,
        threshold: float = DEFAULT_THRESHOLD,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """The ``n`` candidate pairs nearest the threshold, for a person to label.

        Scores every candidate pair of ``data`` and hands them to
        :func:`clerical_review`. Label the pairs (a column of known entity ids fed
        to ``fit(labels=...)``, or must-link / cannot-link decisions in the graph)
        and refit.

        Parameters
        ----------
        data, id, source
            As for :meth:`predict`.
        n : int, default 50
            Pairs to return.
        threshold : float, default DEFAULT_THRESHOLD (0.5)
            The decision threshold the review is about.
        progress : bool or None
            Show progress bars (``None``: only in an interactive terminal).

        Returns
        -------
        DataFrame
            See :func:`clerical_review`.
        """
        pairs = self.predict(data, id=id, source=source, threshold=None, progress=progress)
        return clerical_review(pairs, n=n, threshold=threshold)

    def blocking_analysis(
        self,
        data: Records_,
        *,
        id: str | Mapping[str, str] | None = None,
        source: str = DEFAULT_SOURCE,
        top: int = 5,
    ) -> pd.DataFrame:
        """Count the candidate pairs of each blocking rule before comparing anything.

        Parameters
        ----------
        data, id, source
            As for :meth:`predict`.
        top : int, default 5
            How many of the largest blocks to list per rule (sizes only).

        Returns
        -------
        DataFrame
            One row per rule: see :func:`identigraph.matcher.blocking.blocking_analysis`.
            Compare ``cumulative_pairs`` with ``max_pairs`` before fitting.

        Examples
        --------
        >>> import pandas as pd
        >>> from identigraph.matcher.blocking import Block
        >>> from identigraph.matcher.comparisons import ExactComparison
        >>> people = pd.DataFrame({"name": ["ann", "ann", "bob"], "city": ["oslo"] * 3})
        >>> m = Matcher([ExactComparison("name")], [Block("name"), Block("city")])
        >>> m.blocking_analysis(people)[["rule", "pairs", "cumulative_pairs"]].to_numpy().tolist()
        [["Block('name')", 1, 1], ["Block('city')", 3, 3]]
        """
        records = collect_records(data, id=id, source=source, columns=self._columns())
        return blocking_analysis(
            records.frame,
            self.blocking,
            sources=records.sources,
            link_type=self.link_type,
            max_block_size=self.max_block_size,
            n_comparisons=len(self.comparisons),
            top=top,
        )

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
                "max_pairs": self.max_pairs,
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


def check_threshold(threshold: float | None, *, optional: bool = True) -> None:
    """Raise :class:`ConfigError` unless ``threshold`` is a probability in [0, 1].

    ``None`` passes where ``optional`` (a matcher's "no threshold").
    """
    if threshold is None and not optional:
        msg = "threshold must be a probability in [0, 1], got None"
        raise ConfigError(msg)
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


def _allowed(link_type: LinkType, source_l: IntArray, source_r: IntArray) -> npt.NDArray[np.bool_]:
    """Which pairs of records of these sources the link type compares."""
    if link_type == "dedupe":
        return np.asarray(source_l == source_r)
    if link_type == "link":
        return np.asarray(source_l != source_r)
    return np.ones(len(source_l), dtype=bool)


def _swap_column(comparison: Comparison) -> str | None:
    """The column a comparison checks for a name swap, if any."""
    swap: str | None = getattr(comparison, "swap_with", None)
    return swap


def clerical_review(
    pairs: pd.DataFrame, *, n: int = 50, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """The ``n`` scored pairs nearest the threshold, nearest first, for a person to label.

    Parameters
    ----------
    pairs : DataFrame
        Scored pairs with ``match_weight`` (as :meth:`Matcher.predict` returns
        them with ``threshold=None``).
    n : int, default 50
        Pairs to return.
    threshold : float, default DEFAULT_THRESHOLD (0.5)
        The decision threshold, a probability strictly between 0 and 1.

    Returns
    -------
    DataFrame
        The nearest ``n`` rows of ``pairs``, with ``review_rank`` (1 = least
        certain) and ``weight_from_threshold`` (match weight minus the
        threshold's weight: above zero the pair is linked, below it is not).

    Raises
    ------
    ConfigError
        ``n`` or ``threshold`` out of range.
    MissingColumnError
        ``pairs`` has no ``match_weight``.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"record_id_l": [1, 2, 3, 4], "record_id_r": [5, 6, 7, 8],
    ...                       "match_weight": [9.0, -0.5, 0.2, -12.0]})
    >>> review = clerical_review(pairs, n=2)
    >>> review[["record_id_l", "review_rank", "weight_from_threshold"]].to_numpy().tolist()
    [[3.0, 1.0, 0.2], [2.0, 2.0, -0.5]]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        msg = f"clerical_review: n must be an integer >= 0, got {n!r}"
        raise ConfigError(msg)
    if not (isinstance(threshold, (int, float)) and 0 < threshold < 1):
        msg = f"clerical_review: threshold must be strictly between 0 and 1, got {threshold!r}"
        raise ConfigError(msg)
    if "match_weight" not in pairs.columns:
        msg = "clerical_review: pairs have no match_weight column"
        raise MissingColumnError(msg, column="match_weight", available=list(pairs.columns))
    cut = float(np.log2(threshold / (1.0 - threshold)))
    gap = pairs["match_weight"].to_numpy(dtype=np.float64) - cut
    order = np.argsort(np.abs(gap), kind="stable")[:n]
    review = pairs.iloc[order].reset_index(drop=True)
    review["weight_from_threshold"] = gap[order]
    review["review_rank"] = np.arange(1, len(order) + 1)
    return review


def _labelled_pairs(batch: _Batch, pair_labels: pd.DataFrame) -> tuple[IntArray, IntArray, Any]:
    """Row positions ``(lo, hi)`` and ``is_match`` of labelled pairs; unknown records raise."""
    needed = [*PAIR_KEY_COLUMNS, "is_match"]
    missing = [c for c in needed if c not in pair_labels.columns]
    if missing:
        msg = f"pair_labels lack columns {missing}"
        raise MissingColumnError(msg, column=missing[0], available=list(pair_labels.columns))
    records = batch.records
    names = np.asarray(records.source_names, dtype=object)
    index = pd.MultiIndex.from_arrays([names[records.sources], records.ids.to_numpy(dtype=object)])
    ends = []
    for side in ("l", "r"):
        keys = pd.MultiIndex.from_arrays(
            [
                pair_labels[f"source_{side}"].to_numpy(dtype=object),
                pair_labels[f"record_id_{side}"].to_numpy(dtype=object),
            ]
        )
        found = np.asarray(index.get_indexer(keys), dtype=np.int64)
        if (found < 0).any():
            msg = f"pair_labels: {int((found < 0).sum())} labelled record(s) are not in the data"
            raise UnknownRecordError(msg)
        ends.append(found)
    is_match = pair_labels["is_match"].to_numpy()
    if is_match.dtype != bool:
        msg = "pair_labels: is_match must be a boolean column"
        raise ConfigError(msg)
    return np.minimum(ends[0], ends[1]), np.maximum(ends[0], ends[1]), is_match
