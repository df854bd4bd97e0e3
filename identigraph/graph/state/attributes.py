"""Attribute values of a graph's records: per-attribute vocabularies and per-record codes.

An :class:`~identigraph.matcher.attributes.Attribute` never links records; the
per-person limits read its values (see :func:`identigraph.graph.core.enforce_limits`). Each
attribute keeps a vocabulary of its transformed values (code -> value, value ->
code) and one code per record, ``-1`` where the record gives no value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from identigraph.graph.state.growable import appended
from identigraph.graph.state.tables import require
from identigraph.matcher.attributes import Attribute

__all__ = ["AttributeCodes"]


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

    def append(self, transformed: list[np.ndarray | None], n_new: int) -> None:
        """Append the attribute codes of ``n_new`` records, given their transformed values.

        ``transformed`` holds each attribute's transformed values in the records'
        frame (``None``: the frame lacks the column). Each
        attribute's distinct values are factorized into its vocabulary; records of a
        frame without the column get ``-1``.

        Notes
        -----
        Cost: one ``pandas.factorize`` per attribute column, a dictionary look-up per
        distinct value, O(rows) vectorized gathers.
        """
        for t, values in enumerate(transformed):  # one step per attribute
            codes = np.full(n_new, -1, dtype=np.int64)
            if values is not None:
                local, uniques = pd.factorize(values)
                if len(uniques):
                    vocab_codes = self.add_values(t, [str(v) for v in uniques])
                    have = local >= 0
                    codes[have] = vocab_codes[local[have]]
            self.codes[t] = appended(self.codes[t], codes)

    def alike_functions(
        self, attributes: Sequence[Attribute]
    ) -> list[Callable[[int, int], bool] | None]:
        """For each attribute, a test whether two of its codes are alike (``None``: only equal).

        Each distinct pair of codes is decided once per call of this function.
        """
        out: list[Callable[[int, int], bool] | None] = []
        for t, attribute in enumerate(attributes):  # one step per attribute
            if attribute.alike is None:
                out.append(None)
                continue
            out.append(_memo_alike(attribute, self.known[t]))
        return out

    def check(self, n_records: int) -> None:
        """One code per record for each attribute, each code ``-1`` or in the vocabulary."""
        for codes, known in zip(self.codes, self.known, strict=True):
            require(len(codes) == n_records, "each attribute keeps one code a record")
            require(
                len(codes) == 0 or bool((codes >= -1).all() and (codes < len(known)).all()),
                "every attribute code is in its vocabulary",
            )


def _memo_alike(attribute: Attribute, values: list[str]) -> Callable[[int, int], bool]:
    seen: dict[tuple[int, int], bool] = {}

    def alike(a: int, b: int) -> bool:
        key = (a, b) if a < b else (b, a)
        found = seen.get(key)
        if found is None:
            found = seen[key] = a == b or attribute.is_alike(values[a], values[b])
        return found

    return alike
