"""Attribute values of a graph's records: per-attribute vocabularies and per-record codes.

An :class:`~identigraph.matcher.attributes.Attribute` never links records; the
per-person limits read its values (see :mod:`identigraph.graph.guards`). Each
attribute keeps a vocabulary of its transformed values (code -> value, value ->
code) and one code per record, ``-1`` where the record gives no value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from identigraph.errors import ConfigError
from identigraph.graph._growable import appended
from identigraph.matcher.attributes import Attribute
from identigraph.matcher.specs import Identifier

if TYPE_CHECKING:
    from identigraph.graph.identity_graph import IdentityGraph

__all__ = [
    "AttributeCodes",
    "alike_functions",
    "append_attribute_codes",
    "check_attributes",
    "transform_attributes",
]


@dataclass(slots=True)
class AttributeCodes:
    """Per-record codes and vocabularies of a graph's attributes, one entry per attribute.

    Attributes
    ----------
    codes : list of numpy.ndarray of int64
        Code of each record's value, ``-1`` for none (grown with ``appended``).
    known : list of list of str
        Transformed value of each code.
    vocab : list of dict
        Code of each transformed value.
    """

    codes: list[np.ndarray]
    known: list[list[str]]
    vocab: list[dict[str, int]]

    def __repr__(self) -> str:  # counts only: the values are personal data
        sizes = [len(v) for v in self.known]
        return f"AttributeCodes(attributes={len(self.codes)}, values={sizes})"

    @classmethod
    def empty(cls, n_attributes: int) -> AttributeCodes:
        """No records and no values for ``n_attributes`` attributes."""
        return cls(
            [np.empty(0, dtype=np.int64) for _ in range(n_attributes)],
            [[] for _ in range(n_attributes)],
            [{} for _ in range(n_attributes)],
        )

    def add_values(self, t: int, values: Sequence[str]) -> np.ndarray:
        """Codes of ``values`` in attribute ``t``'s vocabulary, adding the new ones."""
        vocab, known = self.vocab[t], self.known[t]
        out = np.empty(len(values), dtype=np.int64)
        for i, value in enumerate(values):  # one step per distinct value of a batch
            code = vocab.get(value)
            if code is None:
                code = vocab[value] = len(known)
                known.append(value)
            out[i] = code
        return out


def check_attributes(
    attributes: Sequence[Attribute], identifiers: Sequence[Identifier]
) -> tuple[Attribute, ...]:
    """The attributes as a tuple; raises on anything but distinct non-identifier columns."""
    if isinstance(attributes, Attribute):
        attributes = (attributes,)
    out = tuple(attributes)
    for attribute in out:
        if not isinstance(attribute, Attribute):
            msg = f"attributes must be ig.Attribute specs, got {type(attribute).__name__}"
            raise ConfigError(msg)
    columns = [a.column for a in out]
    if len(set(columns)) != len(columns):
        msg = f"each column may hold one attribute; repeated: {sorted(columns)}"
        raise ConfigError(msg)
    taken = sorted({s.column for s in identifiers} & set(columns))
    if taken:
        msg = f"columns {taken} hold identifiers; an attribute needs a column of its own"
        raise ConfigError(msg)
    return out


def transform_attributes(graph: IdentityGraph, frame: pd.DataFrame) -> list[np.ndarray | None]:
    """Each attribute's transformed values in ``frame`` (``None``: the frame lacks the column).

    Run before anything is appended, so that a transform that raises leaves the
    graph as it was.
    """
    return [
        attribute.values(frame[attribute.column]) if attribute.column in frame.columns else None
        for attribute in graph.attributes  # one step per attribute
    ]


def append_attribute_codes(
    graph: IdentityGraph, transformed: list[np.ndarray | None], n_new: int
) -> None:
    """Append the attribute codes of ``n_new`` records, given their transformed values.

    ``transformed`` is :func:`transform_attributes` of the records' frame. Each
    attribute's distinct values are factorized into its vocabulary; records of a
    frame without the column get ``-1``.

    Notes
    -----
    Cost: one ``pandas.factorize`` per attribute column, a dictionary look-up per
    distinct value, O(rows) vectorized gathers.
    """
    state = graph._attr
    for t, values in enumerate(transformed):  # one step per attribute
        codes = np.full(n_new, -1, dtype=np.int64)
        if values is not None:
            local, uniques = pd.factorize(values)
            if len(uniques):
                vocab_codes = state.add_values(t, [str(v) for v in uniques])
                have = local >= 0
                codes[have] = vocab_codes[local[have]]
        state.codes[t] = appended(state.codes[t], codes)


def alike_functions(graph: IdentityGraph) -> list[Callable[[int, int], bool] | None]:
    """For each attribute, a test whether two of its codes are alike (``None``: only equal).

    Each distinct pair of codes is decided once per call of this function.
    """
    out: list[Callable[[int, int], bool] | None] = []
    for t, attribute in enumerate(graph.attributes):  # one step per attribute
        if attribute.alike is None:
            out.append(None)
            continue
        out.append(_memo_alike(attribute, graph._attr.known[t]))
    return out


def _memo_alike(attribute: Attribute, values: list[str]) -> Callable[[int, int], bool]:
    seen: dict[tuple[int, int], bool] = {}

    def alike(a: int, b: int) -> bool:
        key = (a, b) if a < b else (b, a)
        found = seen.get(key)
        if found is None:
            found = seen[key] = a == b or attribute.is_alike(values[a], values[b])
        return found

    return alike
