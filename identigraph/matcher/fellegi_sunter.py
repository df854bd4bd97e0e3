"""The Fellegi-Sunter model: m and u probabilities per comparison level, and their estimation.

For a record pair with comparison levels ``g = (g_1, ..., g_K)`` the model holds

* ``m_k[l] = P(g_k = l | match)`` and ``u_k[l] = P(g_k = l | non-match)``;
* the prior ``lambda``, the probability that two random records match.

Comparisons are taken as independent given the match status, so the match weight
of a pair is ``log2(lambda / (1 - lambda)) + sum_k log2(m_k[g_k] / u_k[g_k])`` and
its match probability ``2**w / (1 + 2**w)``. A missing value (level ``-1``) adds
nothing. ``u`` is estimated from random pairs, ``m`` and ``lambda`` by
expectation-maximisation on the candidate pairs (no labels needed) or from
labelled matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import expit

from identigraph.errors import ConfigError

__all__ = [
    "EMResult",
    "FellegiSunterModel",
    "expectation_maximisation",
    "level_patterns",
    "level_probabilities",
    "match_probability",
]

FloatArray = npt.NDArray[np.float64]
LevelMatrix = npt.NDArray[np.int8]

#: Smallest m or u probability kept: a level never seen still has a finite weight.
PROBABILITY_FLOOR = 1e-9


def _floored(probabilities: FloatArray) -> FloatArray:
    """Probabilities raised to :data:`PROBABILITY_FLOOR` and summing to one."""
    out: FloatArray = np.maximum(np.asarray(probabilities, dtype=np.float64), PROBABILITY_FLOOR)
    total = float(out.sum())
    normalized: FloatArray = out / total
    return normalized


def match_probability(weights: npt.ArrayLike) -> FloatArray:
    """Match probability of match weights (log2 odds): ``2**w / (1 + 2**w)``.

    Examples
    --------
    >>> match_probability([0.0, 1.0, -1.0]).round(4).tolist()
    [0.5, 0.6667, 0.3333]
    """
    out: FloatArray = np.asarray(
        expit(np.asarray(weights, dtype=np.float64) * np.log(2.0)), dtype=np.float64
    )
    return out


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class FellegiSunterModel:
    """Trained parameters: m and u per comparison level, and the prior.

    Parameters
    ----------
    names : sequence of str
        Comparison names, in order.
    labels : sequence of sequence of str
        Level labels of each comparison, from level ``0`` up.
    m, u : sequence of array of float
        Probabilities of each level among matches and non-matches.
    prior : float
        Probability that two random records match (``lambda``), in (0, 1).

    Raises
    ------
    ConfigError
        Lengths that disagree, probabilities outside [0, 1] or a prior outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> model = FellegiSunterModel(
    ...     names=["name"], labels=[["else", "exact"]],
    ...     m=[[0.1, 0.9]], u=[[0.99, 0.01]], prior=0.01,
    ... )
    >>> model.match_weights(np.array([[1], [0], [-1]], dtype=np.int8)).round(2).tolist()
    [-0.14, -9.94, -6.63]
    """

    names: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    m: tuple[FloatArray, ...]
    u: tuple[FloatArray, ...]
    prior: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        object.__setattr__(self, "labels", tuple(tuple(lab) for lab in self.labels))
        k = len(self.names)
        if not (len(self.labels) == len(self.m) == len(self.u) == k):
            msg = "FellegiSunterModel: names, labels, m and u must have one entry per comparison"
            raise ConfigError(msg)
        for attr in ("m", "u"):
            arrays = []
            for name, labels, values in zip(
                self.names, self.labels, getattr(self, attr), strict=True
            ):
                array = np.asarray(values, dtype=np.float64)
                if array.shape != (len(labels),) or not np.all((array >= 0) & (array <= 1)):
                    msg = (
                        f"FellegiSunterModel: {attr} of {name!r} must hold {len(labels)} "
                        "probabilities in [0, 1]"
                    )
                    raise ConfigError(msg)
                arrays.append(_floored(array))
            object.__setattr__(self, attr, tuple(arrays))
        if not 0 < float(self.prior) < 1:
            msg = f"FellegiSunterModel: prior must be in (0, 1), got {self.prior!r}"
            raise ConfigError(msg)
        object.__setattr__(self, "prior", float(self.prior))

    # -- weights ----------------------------------------------------------------------
    @property
    def prior_weight(self) -> float:
        """``log2(lambda / (1 - lambda))``: the match weight of a pair with no evidence."""
        return float(np.log2(self.prior / (1.0 - self.prior)))

    def level_weights(self) -> tuple[FloatArray, ...]:
        """``log2(m / u)`` of each level, per comparison."""
        return tuple(np.log2(m / u) for m, u in zip(self.m, self.u, strict=True))

    def comparison_weights(self, levels: LevelMatrix) -> FloatArray:
        """Weight each comparison adds to each pair (``0`` for level ``-1``), shape ``(n, K)``."""
        levels = np.asarray(levels)
        out = np.zeros(levels.shape, dtype=np.float64)
        for k, table in enumerate(self.level_weights()):
            lookup: FloatArray = np.append(table, 0.0)  # level -1 reads the trailing 0
            out[:, k] = lookup[levels[:, k]]
        return out

    def match_weights(self, levels: LevelMatrix) -> FloatArray:
        """Match weight (log2 Bayes factor plus prior) of each row of a level matrix."""
        total: FloatArray = self.comparison_weights(levels).sum(axis=1)
        return self.prior_weight + total

    # -- inspection and storage -------------------------------------------------------
    @property
    def parameters(self) -> pd.DataFrame:
        """One row per comparison level: m, u, Bayes factor ``m/u`` and weight ``log2(m/u)``."""
        rows: dict[str, list[Any]] = {
            "comparison": [],
            "level": [],
            "label": [],
            "m_probability": [],
            "u_probability": [],
        }
        for name, labels, m, u in zip(self.names, self.labels, self.m, self.u, strict=True):
            rows["comparison"] += [name] * len(labels)
            rows["level"] += list(range(len(labels)))
            rows["label"] += list(labels)
            rows["m_probability"] += m.tolist()
            rows["u_probability"] += u.tolist()
        table = pd.DataFrame(rows)
        table["bayes_factor"] = table["m_probability"] / table["u_probability"]
        table["match_weight"] = np.log2(table["bayes_factor"])
        result: pd.DataFrame = table
        return result

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-ready); :meth:`from_dict` rebuilds it."""
        return {
            "prior": self.prior,
            "comparisons": [
                {"name": name, "labels": list(labels), "m": m.tolist(), "u": u.tolist()}
                for name, labels, m, u in zip(self.names, self.labels, self.m, self.u, strict=True)
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FellegiSunterModel:
        """Rebuild a model from :meth:`to_dict` output."""
        try:
            comparisons = data["comparisons"]
            return cls(
                names=tuple(c["name"] for c in comparisons),
                labels=tuple(tuple(c["labels"]) for c in comparisons),
                m=tuple(np.asarray(c["m"], dtype=np.float64) for c in comparisons),
                u=tuple(np.asarray(c["u"], dtype=np.float64) for c in comparisons),
                prior=data["prior"],
            )
        except (KeyError, TypeError) as err:
            msg = f"malformed Fellegi-Sunter parameters: {err}"
            raise ConfigError(msg) from err


# -- estimation -----------------------------------------------------------------------
def level_patterns(
    levels: LevelMatrix, n_levels: Sequence[int]
) -> tuple[LevelMatrix, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct rows of a level matrix, their counts, and each row's pattern index.

    Examples
    --------
    >>> import numpy as np
    >>> levels = np.array([[1, 0], [1, 0], [-1, 2]], dtype=np.int8)
    >>> patterns, counts, inverse = level_patterns(levels, [2, 3])
    >>> patterns.tolist(), counts.tolist(), inverse.tolist()
    ([[1, 0], [-1, 2]], [2, 1], [0, 0, 1])
    """
    levels = np.asarray(levels, dtype=np.int8)
    n, k = levels.shape
    radices = np.asarray([int(size) + 1 for size in n_levels], dtype=np.int64)
    if k and float(np.prod(radices.astype(np.float64))) < 2.0**62:
        multipliers = np.cumprod(np.r_[1, radices[:-1]]).astype(np.int64)
        codes = (levels.astype(np.int64) + 1) @ multipliers
        distinct, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
        patterns = ((distinct[:, None] // multipliers) % radices - 1).astype(np.int8)
    else:
        patterns, inverse, counts = np.unique(
            levels, axis=0, return_inverse=True, return_counts=True
        )
    return patterns.reshape(-1, k), counts.astype(np.int64), inverse.reshape(n).astype(np.int64)


def level_probabilities(
    levels: npt.NDArray[np.int8], n_levels: int, weights: npt.ArrayLike | None = None
) -> FloatArray:
    """Share of each level among the non-missing entries of one comparison's levels.

    Returns a uniform distribution when no entry is present.

    Examples
    --------
    >>> import numpy as np
    >>> level_probabilities(np.array([0, 1, 1, -1], dtype=np.int8), 3).round(3).tolist()
    [0.333, 0.667, 0.0]
    """
    levels = np.asarray(levels)
    present = levels >= 0
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[present]
    counts = np.bincount(levels[present], weights=w, minlength=n_levels).astype(np.float64)
    total = counts.sum()
    if total <= 0:
        return np.full(n_levels, 1.0 / n_levels)
    shares: FloatArray = counts / total
    return shares


class EMResult(NamedTuple):
    """Outcome of :func:`expectation_maximisation`."""

    m: tuple[FloatArray, ...]
    prior: float
    iterations: int
    converged: bool


def expectation_maximisation(
    patterns: LevelMatrix,
    counts: npt.ArrayLike,
    *,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior: float,
    total_pairs: float | None = None,
    estimate_m: bool = True,
    estimate_prior: bool = True,
    max_iter: int = 100,
    tol: float = 1e-6,
    fixed_patterns: LevelMatrix | None = None,
    fixed_posterior: npt.ArrayLike | None = None,
) -> EMResult:
    """Estimate m (and the prior) by EM with u held fixed.

    Parameters
    ----------
    patterns : ndarray of int8, shape (P, K)
        Distinct level vectors of the candidate pairs (see :func:`level_patterns`).
    counts : array-like, shape (P,)
        Number of candidate pairs with each pattern.
    m, u : sequence of ndarray
        Starting m and fixed u per comparison.
    prior : float
        Starting (or fixed) probability that two random records match.
    total_pairs : float or None
        Number of pairs the candidates were drawn from (all pairs the link type
        allows). Pairs outside the candidates are taken as non-matches, so the
        prior is ``expected matches / total_pairs``. ``None``: the candidates.
    estimate_m : bool, default True
        Update m; ``False`` keeps it fixed (only the prior is estimated).
    estimate_prior : bool, default True
        Update the prior; ``False`` keeps it fixed.
    max_iter : int
        Most iterations.
    tol : float
        Stop when no m probability moves more than this and the prior moves less
        than this relative to itself.
    fixed_patterns : ndarray of int8, shape (L, K), optional
        Level vectors of labelled pairs (one row per pair, not among ``patterns``).
    fixed_posterior : array-like, shape (L,), optional
        Their known match probability (1 = a match, 0 = not): held fixed, so labels
        steer m and the prior while the unlabelled pairs are still used.

    Returns
    -------
    EMResult
        Estimated m, prior, iterations run and whether it converged.

    Notes
    -----
    Works on distinct patterns, O(P * K) per iteration, however many pairs share them.
    """
    patterns = np.asarray(patterns, dtype=np.int8)
    weights = np.asarray(counts, dtype=np.float64)
    k = patterns.shape[1]
    fixed = (
        np.empty((0, k), dtype=np.int8)
        if fixed_patterns is None
        else np.asarray(fixed_patterns, dtype=np.int8).reshape(-1, k)
    )
    known = (
        np.empty(0) if fixed_posterior is None else np.asarray(fixed_posterior, dtype=np.float64)
    )
    if len(known) != len(fixed):
        msg = "expectation_maximisation: fixed_posterior needs one value per fixed pattern"
        raise ConfigError(msg)
    total = float(weights.sum() + len(fixed)) if total_pairs is None else float(total_pairs)
    if total <= 0 or weights.sum() + len(fixed) <= 0:
        return EMResult(tuple(np.asarray(x, dtype=np.float64) for x in m), prior, 0, True)
    everything = np.concatenate([patterns, fixed])
    m_cur = [_floored(np.asarray(x, dtype=np.float64)) for x in m]
    log_u = np.zeros(len(patterns))
    for j in range(k):
        log_u += np.append(np.log(_floored(np.asarray(u[j], dtype=np.float64))), 0.0)[
            patterns[:, j]
        ]
    present = [everything[:, j] >= 0 for j in range(k)]
    lam = float(prior)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        log_m = np.zeros(len(patterns))
        for j in range(k):
            log_m += np.append(np.log(m_cur[j]), 0.0)[patterns[:, j]]
        posterior = expit(np.log(lam) - np.log1p(-lam) + log_m - log_u)
        expected = np.concatenate([weights * posterior, known])
        m_new = []
        for j in range(k if estimate_m else 0):
            sizes = len(m_cur[j])
            mass = np.bincount(
                everything[present[j], j], weights=expected[present[j]], minlength=sizes
            )
            # one pseudo-count spread over the levels: a level no match shows keeps a
            # small m instead of vetoing every pair that reaches it
            m_new.append(_floored((mass + 1.0 / sizes) / (mass.sum() + 1.0)))
        lam_new = (
            float(np.clip(expected.sum() / total, 1e-12, 1 - 1e-12)) if estimate_prior else lam
        )
        if not estimate_m:
            m_new = m_cur
        shift = max(float(np.max(np.abs(a - b))) for a, b in zip(m_new, m_cur, strict=True))
        moved = abs(lam_new - lam) / lam
        m_cur, lam = m_new, lam_new
        if shift < tol and moved < tol:
            converged = True
            break
    return EMResult(tuple(m_cur), lam, iterations, converged)
