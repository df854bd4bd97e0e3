"""Blocking: candidate record pairs from records that agree on a blocking key.

A :class:`Block` rule says which columns, after which transform, two records must
share to be compared at all; :func:`candidate_pairs` unions the pairs of several
rules. Records with no key for a rule (a missing value in any of its columns)
are not paired by it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from identigraph.errors import ConfigError, MissingColumnError
from identigraph.matcher._transforms import TRANSFORMS

__all__ = [
    "DEFAULT_MAX_BLOCK_SIZE",
    "Block",
    "BlockSizeWarning",
    "LinkType",
    "Transform",
    "candidate_pairs",
]

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


def candidate_pairs(
    frame: pd.DataFrame,
    rules: Sequence[Block],
    *,
    sources: npt.ArrayLike | None = None,
    link_type: LinkType = "link_and_dedupe",
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
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

    Returns
    -------
    left, right : ndarray of int64
        Positions with ``left < right``, sorted by ``(left, right)``.

    Raises
    ------
    MissingColumnError
        A rule names a column that ``frame`` lacks.
    ConfigError
        No rules, or an invalid ``link_type`` or ``max_block_size``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pc": ["a", "a", "b", "a"], "dob": ["1990", "1991", "1990", None]})
    >>> left, right = candidate_pairs(frame, [Block("pc"), Block("dob")])
    >>> list(zip(left.tolist(), right.tolist()))
    [(0, 1), (0, 2), (0, 3), (1, 3)]

    Notes
    -----
    Rows are sorted by key once per rule, O(n log n); each block of ``s`` records
    emits its pairs with array arithmetic, O(s^2). The union is deduplicated with
    one sort of 64-bit pair keys.
    """
    if link_type not in get_args(LinkType):
        msg = f"link_type must be one of {get_args(LinkType)}, got {link_type!r}"
        raise ConfigError(msg)
    if not isinstance(max_block_size, int) or max_block_size < 2:
        msg = f"max_block_size must be an integer >= 2, got {max_block_size!r}"
        raise ConfigError(msg)
    if not rules:
        msg = "candidate_pairs needs at least one blocking rule"
        raise ConfigError(msg)
    n = len(frame)
    source_codes = (
        np.zeros(n, dtype=np.int64) if sources is None else np.asarray(sources, dtype=np.int64)
    )
    chunks = []
    for rule in rules:
        keys = rule.keys(frame)
        left, right = _rule_pairs(keys, source_codes, link_type, max_block_size, rule)
        chunks.append(left * n + right)
    union = np.unique(np.concatenate(chunks))
    return union // max(n, 1), union % max(n, 1)


def _rule_pairs(
    keys: IntArray, sources: IntArray, link_type: LinkType, cap: int, rule: Block
) -> tuple[IntArray, IntArray]:
    """Pairs of one rule: positions ``(lo, hi)`` with ``lo < hi``, unsorted."""
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
        return empty, empty
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
    if big.any():
        skipped = np.sort(sizes[big])[::-1]
        msg = (
            f"{rule!r}: skipped {len(skipped)} block(s) of more than max_block_size={cap} "
            f"records (largest {int(skipped[0])}); add a column or a finer transform to this rule"
        )
        warnings.warn(BlockSizeWarning(msg, rule=rule, block_sizes=skipped.tolist()), stacklevel=4)
        counts[big[block_of]] = 0
    total = int(counts.sum())
    left = np.repeat(positions, counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    right = np.repeat(first, counts) + offsets
    a, b = rows[left], rows[right]
    return np.minimum(a, b), np.maximum(a, b)
