"""Blocking: candidate record pairs from records that agree on a blocking key.

A :class:`Block` rule says which columns, after which transform, two records must
share to be compared at all; :func:`candidate_pairs` unions the pairs of several
rules. Records with no key for a rule (a missing value in any of its columns)
are not paired by it.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from identigraph._progress import progress_bar
from identigraph._unique import sorted_unique
from identigraph.errors import ConfigError, MissingColumnError, PairBudgetError
from identigraph.matcher._transforms import TRANSFORMS

__all__ = [
    "DEFAULT_MAX_BLOCK_SIZE",
    "Block",
    "BlockSizeWarning",
    "LinkType",
    "Transform",
    "blocking_analysis",
    "candidate_pairs",
    "estimate_cost",
]

logger = logging.getLogger("identigraph.matcher")

#: Which pairs a matcher compares: within sources, across sources, or both.
LinkType = Literal["dedupe", "link", "link_and_dedupe"]

#: Names of the blocking transforms.
Transform = Literal["exact", "prefix", "metaphone", "nysiis", "soundex", "year"]

#: Default cap on the records of one block (a block of 5,000 records yields 12.5 million
#: pairs in dedupe mode; larger blocks are skipped with a :class:`BlockSizeWarning`).
DEFAULT_MAX_BLOCK_SIZE = 5000

IntArray = npt.NDArray[np.int64]


class BlockSizeWarning(UserWarning):
    """Blocks larger than ``max_block_size`` were skipped.

    A huge block (thousands of records sharing one surname or a placeholder
    postcode) is a data problem: the rule needs another column or a finer
    transform. The warning names the rule and the sizes, never the key values.

    Attributes
    ----------
    rule : Block
        The rule whose blocks were skipped.
    block_sizes : tuple of int
        Record counts of the skipped blocks, largest first.
    """

    def __init__(self, message: str, *, rule: Block, block_sizes: Sequence[int]) -> None:
        super().__init__(message)
        self.rule = rule
        self.block_sizes = tuple(block_sizes)


@dataclass(frozen=True, slots=True)
class Block:
    """A blocking rule: records are compared only when they share this key.

    Parameters
    ----------
    on : str or sequence of str
        Column, or columns, that make the key; a record needs a value in each.
    transform : str or sequence of str, default "exact"
        What is taken of each column: ``"exact"`` (the trimmed, case-folded value),
        ``"prefix"`` (its first ``n`` characters), ``"metaphone"``, ``"nysiis"``,
        ``"soundex"`` (phonetic codes from jellyfish) or ``"year"`` (of a date).
        One name for all columns or one per column.
    n : int or None
        Characters kept by ``"prefix"``; required with it, not allowed without.
    date_format : str or None
        ``strftime`` format of text dates for ``"year"``; by default ``YYYYMMDD`` and
        ISO 8601 are read.

    Raises
    ------
    ConfigError
        An empty column list, an unknown transform, or ``n`` missing or misplaced.

    Examples
    --------
    >>> Block("surname", transform="metaphone")
    Block('surname', transform='metaphone')
    >>> Block(["postcode", "dob"], transform=["exact", "year"]).columns
    ('postcode', 'dob')
    """

    on: str | tuple[str, ...]
    _: KW_ONLY
    transform: Transform | tuple[Transform, ...] = "exact"
    n: int | None = None
    date_format: str | None = None

    def __post_init__(self) -> None:
        on = self.on
        if not isinstance(on, str):
            on = tuple(on)
            if len(on) == 1:
                on = on[0]
        columns = (on,) if isinstance(on, str) else on
        if not columns or not all(isinstance(c, str) and c for c in columns):
            msg = f"Block: on must be a column name or a non-empty list of them, got {self.on!r}"
            raise ConfigError(msg)
        object.__setattr__(self, "on", on)
        transform = self.transform
        if not isinstance(transform, str):
            transform = tuple(transform)
            if len(transform) != len(columns):
                msg = f"Block({on!r}): {len(transform)} transforms for {len(columns)} columns"
                raise ConfigError(msg)
            if len(set(transform)) == 1:
                transform = transform[0]
        object.__setattr__(self, "transform", transform)
        names = (transform,) if isinstance(transform, str) else transform
        for name in names:
            if name not in TRANSFORMS:
                msg = (
                    f"Block({on!r}): unknown transform {name!r}; "
                    f"choose from {', '.join(get_args(Transform))}"
                )
                raise ConfigError(msg)
        if "prefix" in names:
            if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
                msg = f"Block({on!r}): transform 'prefix' needs n >= 1, got {self.n!r}"
                raise ConfigError(msg)
        elif self.n is not None:
            msg = f"Block({on!r}): n is only used by transform 'prefix'"
            raise ConfigError(msg)

    def __repr__(self) -> str:
        parts = [repr(self.on)]
        if self.transform != "exact":
            parts.append(f"transform={self.transform!r}")
        if self.n is not None:
            parts.append(f"n={self.n}")
        if self.date_format is not None:
            parts.append(f"date_format={self.date_format!r}")
        return f"Block({', '.join(parts)})"

    @property
    def columns(self) -> tuple[str, ...]:
        """The key columns, as a tuple."""
        return (self.on,) if isinstance(self.on, str) else self.on

    @property
    def transforms(self) -> tuple[Transform, ...]:
        """One transform name per key column."""
        if isinstance(self.transform, str):
            return (self.transform,) * len(self.columns)
        return self.transform

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form of the rule (JSON-ready); ``Block(**rule.to_dict())`` rebuilds it."""
        on = self.on if isinstance(self.on, str) else list(self.on)
        transform = self.transform if isinstance(self.transform, str) else list(self.transform)
        return {"on": on, "transform": transform, "n": self.n, "date_format": self.date_format}

    def keys(self, frame: pd.DataFrame) -> IntArray:
        """Integer key of each row of ``frame``; ``-1`` where the rule gives no key.

        Equal keys mean equal transformed values in every key column.

        Raises
        ------
        MissingColumnError
            A key column is not in ``frame``.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"name": ["Smith", "Smyth", None, "Jones"]})
        >>> Block("name", transform="soundex").keys(frame).tolist()
        [0, 0, -1, 1]
        """
        combined: IntArray | None = None
        for column, transform in zip(self.columns, self.transforms, strict=True):
            if column not in frame.columns:
                msg = f"{self!r}: column {column!r} is not in the frame"
                raise MissingColumnError(msg, column=column, available=list(frame.columns))
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
            keys = TRANSFORMS[transform](pd.Series(uniques), self.n, self.date_format)
            key_codes = np.append(pd.factorize(keys, use_na_sentinel=True)[0], -1)
            column_codes = key_codes[codes].astype(np.int64)
            if combined is None:
                combined = column_codes
            else:
                width = int(column_codes.max(initial=-1)) + 1
                both = (combined >= 0) & (column_codes >= 0)
                merged = np.where(both, combined * width + column_codes, -1)
                combined = pd.factorize(merged)[0].astype(np.int64)
                combined[~both] = -1
        assert combined is not None  # a rule has at least one column
        return combined


def _check_options(
    rules: Sequence[Block], link_type: LinkType, max_block_size: int, max_pairs: int | None
) -> None:
    if link_type not in get_args(LinkType):
        msg = f"link_type must be one of {get_args(LinkType)}, got {link_type!r}"
        raise ConfigError(msg)
    if not isinstance(max_block_size, int) or max_block_size < 2:
        msg = f"max_block_size must be an integer >= 2, got {max_block_size!r}"
        raise ConfigError(msg)
    if max_pairs is not None and (
        not isinstance(max_pairs, int) or isinstance(max_pairs, bool) or max_pairs < 0
    ):
        msg = f"max_pairs must be None or an integer >= 0, got {max_pairs!r}"
        raise ConfigError(msg)
    if not rules:
        msg = "candidate pairs need at least one blocking rule"
        raise ConfigError(msg)


def _source_codes(n: int, sources: npt.ArrayLike | None) -> IntArray:
    if sources is None:
        return np.zeros(n, dtype=np.int64)
    return np.asarray(sources, dtype=np.int64)


def candidate_pairs(
    frame: pd.DataFrame,
    rules: Sequence[Block],
    *,
    sources: npt.ArrayLike | None = None,
    link_type: LinkType = "link_and_dedupe",
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    max_pairs: int | None = None,
    progress: bool | None = None,
) -> tuple[IntArray, IntArray]:
    """Row positions of the record pairs that agree on at least one blocking rule.

    Parameters
    ----------
    frame : DataFrame
        The records; pairs are positions into it.
    rules : sequence of Block
        Blocking rules; their pairs are unioned and each pair kept once.
    sources : array-like of int, optional
        Source code of each row (default: one source).
    link_type : {"link_and_dedupe", "dedupe", "link"}
        ``"dedupe"`` pairs records of the same source only, ``"link"`` records of
        different sources only, ``"link_and_dedupe"`` any two records.
    max_block_size : int
        Blocks of more records than this (counting records that could pair) are
        skipped with a :class:`BlockSizeWarning` naming the rule.
    max_pairs : int or None
        Budget of candidate pairs. A rule whose own pairs exceed it is stopped
        before any of its pairs is made; otherwise the count after deduplication
        across rules is checked after each rule. ``None``: no budget.
    progress : bool or None
        Show a bar over the rules (``None``: only in an interactive terminal).

    Returns
    -------
    left, right : ndarray of int64
        Positions with ``left < right``, sorted by ``(left, right)``.

    Raises
    ------
    MissingColumnError
        A rule names a column that ``frame`` lacks.
    PairBudgetError
        The pairs exceed ``max_pairs``; the error names the rule (never a key value).
    ConfigError
        No rules, or an invalid ``link_type``, ``max_block_size`` or ``max_pairs``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pc": ["a", "a", "b", "a"], "dob": ["1990", "1991", "1990", None]})
    >>> left, right = candidate_pairs(frame, [Block("pc"), Block("dob")])
    >>> list(zip(left.tolist(), right.tolist()))
    [(0, 1), (0, 2), (0, 3), (1, 3)]

    See Also
    --------
    blocking_analysis : the same counts, per rule, without keeping the pairs.

    Notes
    -----
    Rows are sorted by key once per rule, O(n log n); each block of ``s`` records
    emits its pairs with array arithmetic, O(s^2). A rule's pairs that an earlier
    rule already made are dropped by comparing that rule's keys, so no pair is
    held twice; one final sort orders the union.
    """
    _check_options(rules, link_type, max_block_size, max_pairs)
    n = len(frame)
    source_codes = _source_codes(n, sources)
    chunks: list[IntArray] = []
    earlier: list[IntArray] = []
    total = 0
    started = time.perf_counter()
    with progress_bar(len(rules), desc="blocking", unit="rules", progress=progress) as bar:
        for rule in rules:
            plan = _plan(rule.keys(frame), source_codes, link_type, max_block_size)
            _warn_skipped(plan, rule, max_block_size)
            if max_pairs is not None and plan.n_pairs > max_pairs:
                msg = (
                    f"{rule!r} makes {plan.n_pairs:,} candidate pairs on its own, more than "
                    f"max_pairs={max_pairs:,}; add a column or a finer transform to this rule"
                )
                raise PairBudgetError(msg, rule=rule, pairs=plan.n_pairs, max_pairs=max_pairs)
            lo, hi = _emit(plan, 0, len(plan.counts))
            keep = _not_in_earlier(lo, hi, earlier)
            lo, hi = lo[keep], hi[keep]
            total += len(lo)
            if max_pairs is not None and total > max_pairs:
                msg = (
                    f"{rule!r} brings the candidate pairs to {total:,}, more than "
                    f"max_pairs={max_pairs:,}; add a column or a finer transform to this rule"
                )
                raise PairBudgetError(msg, rule=rule, pairs=total, max_pairs=max_pairs)
            chunks.append(lo * n + hi)
            earlier.append(plan.keys)
            bar.update(1)
    union = np.sort(np.concatenate(chunks))
    logger.info(
        "blocking: %d rules, %d records, %d candidate pairs in %.2f s",
        len(rules),
        n,
        len(union),
        time.perf_counter() - started,
    )
    return union // max(n, 1), union % max(n, 1)


#: Rough cost of comparing and scoring one candidate pair: fixed seconds, plus seconds
#: per comparison (measured on one core of a 2-core x86_64 machine; scale to yours).
SECONDS_PER_PAIR = (0.5e-6, 0.5e-6)
#: Rough peak bytes held per candidate pair: fixed, plus per comparison.
BYTES_PER_PAIR = (64, 32)


def estimate_cost(pairs: int, n_comparisons: int) -> tuple[float, int]:
    """Rough seconds and peak bytes to compare and score ``pairs`` candidate pairs.

    Examples
    --------
    >>> seconds, size = estimate_cost(1_000_000, 4)
    >>> round(seconds, 2), size // 1_000_000
    (2.5, 192)
    """
    seconds = pairs * (SECONDS_PER_PAIR[0] + SECONDS_PER_PAIR[1] * n_comparisons)
    size = pairs * (BYTES_PER_PAIR[0] + BYTES_PER_PAIR[1] * n_comparisons)
    return float(seconds), int(size)


def blocking_analysis(
    frame: pd.DataFrame,
    rules: Sequence[Block],
    *,
    sources: npt.ArrayLike | None = None,
    link_type: LinkType = "link_and_dedupe",
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    n_comparisons: int = 4,
    top: int = 5,
    chunk_pairs: int = 5_000_000,
) -> pd.DataFrame:
    """Count the candidate pairs of each rule before any comparison is made.

    Parameters
    ----------
    frame, rules, sources, link_type, max_block_size
        As for :func:`candidate_pairs`.
    n_comparisons : int, default 4
        Comparisons the matcher makes per pair, for the time and memory estimates.
    top : int, default 5
        How many of the largest blocks to list per rule.
    chunk_pairs : int, default 5_000_000
        Most pairs held at once while counting.

    Returns
    -------
    DataFrame
        One row per rule, in order: ``rule`` (its repr), ``pairs`` (the rule's
        own pairs), ``new_pairs`` (those no earlier rule made),
        ``cumulative_pairs`` (after deduplication across rules), ``blocks``
        (blocks that make pairs), ``largest_blocks`` (record counts of the ``top``
        largest, never their key values), ``skipped_blocks`` (over
        ``max_block_size``), and rough ``est_seconds`` and ``est_memory_mb`` to
        compare and score the cumulative pairs (see :func:`estimate_cost`).

    Raises
    ------
    MissingColumnError
        A rule names a column that ``frame`` lacks.
    ConfigError
        Invalid options.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pc": ["a", "a", "b", "a"], "dob": ["1990", "1991", "1990", None]})
    >>> report = blocking_analysis(frame, [Block("pc"), Block("dob")])
    >>> report[["rule", "pairs", "new_pairs", "cumulative_pairs"]].to_numpy().tolist()
    [["Block('pc')", 3, 3, 3], ["Block('dob')", 1, 1, 4]]
    >>> report["largest_blocks"].tolist()
    [(3,), (2,)]

    Notes
    -----
    Costs what :func:`candidate_pairs` costs in time, O(n log n + p) per rule, but
    holds at most ``chunk_pairs`` pairs at once, so a rule with billions of pairs
    is counted without being made.
    """
    _check_options(rules, link_type, max_block_size, None)
    if not isinstance(top, int) or top < 0:
        msg = f"top must be an integer >= 0, got {top!r}"
        raise ConfigError(msg)
    if not isinstance(chunk_pairs, int) or chunk_pairs < 1:
        msg = f"chunk_pairs must be an integer >= 1, got {chunk_pairs!r}"
        raise ConfigError(msg)
    source_codes = _source_codes(len(frame), sources)
    earlier: list[IntArray] = []
    rows: dict[str, list[Any]] = {
        "rule": [],
        "pairs": [],
        "new_pairs": [],
        "cumulative_pairs": [],
        "blocks": [],
        "largest_blocks": [],
        "skipped_blocks": [],
        "est_seconds": [],
        "est_memory_mb": [],
    }
    cumulative = 0
    for rule in rules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BlockSizeWarning)
            plan = _plan(rule.keys(frame), source_codes, link_type, max_block_size)
        new = 0
        for start, stop in _chunks(plan.counts, chunk_pairs):
            lo, hi = _emit(plan, start, stop)
            new += int(_not_in_earlier(lo, hi, earlier).sum())
        earlier.append(plan.keys)
        cumulative += new
        seconds, size = estimate_cost(cumulative, n_comparisons)
        rows["rule"].append(repr(rule))
        rows["pairs"].append(plan.n_pairs)
        rows["new_pairs"].append(new)
        rows["cumulative_pairs"].append(cumulative)
        rows["blocks"].append(len(plan.block_sizes))
        rows["largest_blocks"].append(tuple(plan.block_sizes[:top].tolist()))
        rows["skipped_blocks"].append(len(plan.skipped))
        rows["est_seconds"].append(seconds)
        rows["est_memory_mb"].append(size / 2**20)
    report = pd.DataFrame(rows)
    return report.astype(
        {"pairs": np.int64, "new_pairs": np.int64, "cumulative_pairs": np.int64, "blocks": np.int64}
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """One rule's blocks, ready to emit pairs.

    ``rows`` are record positions sorted by block; position ``i`` pairs with the
    ``counts[i]`` positions starting at ``first[i]``. ``keys`` is each record's
    block (``-1``: no key, or a skipped block), for deduplication by later rules.
    """

    rows: IntArray
    first: IntArray
    counts: IntArray
    keys: IntArray
    block_sizes: IntArray  # records of each block that makes pairs, largest first
    skipped: IntArray  # records of each skipped block, largest first

    @property
    def n_pairs(self) -> int:
        return int(self.counts.sum())


def _plan(keys: IntArray, sources: IntArray, link_type: LinkType, cap: int) -> _Plan:
    """Blocks of one rule: which sorted position pairs with which, without making pairs."""
    rows = np.flatnonzero(keys >= 0)
    if link_type == "dedupe":  # a block is one key within one source
        block_keys = pd.factorize(keys[rows] * (int(sources.max(initial=0)) + 1) + sources[rows])
        keys = np.full(len(keys), -1, dtype=np.int64)
        keys[rows] = block_keys[0]
    key = keys[rows]
    src = sources[rows]
    order = np.lexsort((src, key))
    rows, key, src = rows[order], key[order], src[order]
    m = len(rows)
    empty = np.empty(0, dtype=np.int64)
    if m < 2:
        return _Plan(rows, empty[:m], np.zeros(m, np.int64), keys, empty, empty)
    positions = np.arange(m, dtype=np.int64)
    new_block = np.r_[True, key[1:] != key[:-1]]
    starts = np.flatnonzero(new_block)
    ends = np.r_[starts[1:], m]
    block_of = np.cumsum(new_block) - 1
    block_end = ends[block_of]
    if link_type == "link":  # pair each record with those of later sources in its block
        new_run = new_block | np.r_[True, src[1:] != src[:-1]]
        run_starts = np.flatnonzero(new_run)
        first = run_ends = np.r_[run_starts[1:], m][np.cumsum(new_run) - 1]
        pairing = src[starts] != src[ends - 1]
    else:
        first = positions + 1
        run_ends = first
        pairing = (ends - starts) >= 2
    sizes = ends - starts
    big = pairing & (sizes > cap)
    counts = block_end - run_ends
    effective = keys.copy()
    if big.any():
        counts[big[block_of]] = 0
        effective[rows[big[block_of]]] = -1
    kept = pairing & ~big
    return _Plan(
        rows=rows,
        first=first,
        counts=counts,
        keys=effective,
        block_sizes=np.sort(sizes[kept])[::-1],
        skipped=np.sort(sizes[big])[::-1],
    )


def _warn_skipped(plan: _Plan, rule: Block, cap: int) -> None:
    if len(plan.skipped):
        msg = (
            f"{rule!r}: skipped {len(plan.skipped)} block(s) of more than max_block_size={cap} "
            f"records (largest {int(plan.skipped[0])}); add a column or a finer transform "
            "to this rule"
        )
        warnings.warn(
            BlockSizeWarning(msg, rule=rule, block_sizes=plan.skipped.tolist()), stacklevel=4
        )


def _emit(plan: _Plan, start: int, stop: int) -> tuple[IntArray, IntArray]:
    """Pairs of sorted positions ``start:stop``: record positions ``(lo, hi)``, lo < hi."""
    counts = plan.counts[start:stop]
    total = int(counts.sum())
    left = np.repeat(np.arange(start, stop, dtype=np.int64), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    right = np.repeat(plan.first[start:stop], counts) + offsets
    a, b = plan.rows[left], plan.rows[right]
    return np.minimum(a, b), np.maximum(a, b)


def _chunks(counts: IntArray, size: int) -> Iterator[tuple[int, int]]:
    """Ranges of positions whose pairs add up to about ``size`` (one position may exceed it)."""
    if not len(counts):
        return
    bounds = np.searchsorted(np.cumsum(counts), np.arange(size, int(counts.sum()), size))
    edges = sorted_unique(np.r_[0, bounds + 1, len(counts)].clip(0, len(counts)))
    yield from zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)


def _not_in_earlier(
    lo: IntArray, hi: IntArray, earlier: Sequence[IntArray]
) -> npt.NDArray[np.bool_]:
    """Pairs that no earlier rule made: they share none of its (kept) blocks."""
    keep = np.ones(len(lo), dtype=bool)
    for keys in earlier:
        key = keys[lo]
        keep &= ~((key >= 0) & (key == keys[hi]))
    return keep
