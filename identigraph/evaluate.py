"""Accuracy of a clustering against ground truth, from contingency counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from identigraph.errors import InputError, MissingColumnError

__all__ = ["PairwiseScores", "pairwise"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PairwiseScores:
    """Pairwise precision, recall and F1 of a clustering.

    Attributes
    ----------
    precision, recall, f1 : float
        Over record pairs; ``precision`` is 1.0 when no pair is predicted and
        ``recall`` is 1.0 when the truth has no pair.
    true_positives, predicted_pairs, true_pairs : int
        The pair counts behind them.
    records : int
        Records scored (present in both frames).
    """

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted_pairs: int
    true_pairs: int
    records: int


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(
    clusters: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    predicted: str = "person_id",
    actual: str = "person",
) -> PairwiseScores:
    """Pairwise precision, recall and F1 of ``clusters`` against ``truth``.

    Parameters
    ----------
    clusters : pandas.DataFrame
        ``source, record_id`` and the predicted cluster column.
    truth : pandas.DataFrame
        ``source, record_id`` and the true entity column.
    predicted, actual : str
        Names of the cluster columns.

    Returns
    -------
    PairwiseScores

    Raises
    ------
    MissingColumnError
        A frame lacks a needed column.
    InputError
        A key repeats in either frame, or the frames share no record.

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"source": "s", "record_id": [1, 2, 3], "person_id": [7, 7, 7]})
    >>> true = pd.DataFrame({"source": "s", "record_id": [1, 2, 3], "person": [0, 0, 1]})
    >>> s = pairwise(pred, true)
    >>> round(s.precision, 3), s.recall
    (0.333, 1.0)

    Notes
    -----
    Pairs are counted from the contingency table of (predicted, true) cluster
    sizes, never enumerated: with ``n_ij`` records in predicted cluster ``i`` and
    true entity ``j``, true positives are ``sum C(n_ij, 2)``. Record ids are joined
    as given, or as ``str(id)`` on both sides when the two ``record_id`` columns differ
    in dtype (output frames spell ids so when the sources' id types differ). Cost: one
    join and two group-bys, O(n log n).
    """
    for frame, column, name in ((clusters, predicted, "clusters"), (truth, actual, "truth")):
        for c in ("source", "record_id", column):
            if c not in frame.columns:
                msg = f"{name} lacks column {c!r}"
                raise MissingColumnError(msg, column=c, available=[str(x) for x in frame.columns])
        if frame.duplicated(["source", "record_id"]).any():
            msg = f"{name} holds a (source, record_id) key more than once"
            raise InputError(msg)
    left_ids, right_ids = clusters["record_id"], truth["record_id"]
    if left_ids.dtype != right_ids.dtype:
        # Output frames give ids as ``str(id)`` when sources' id types differ: join on
        # that canonical form, so 7 and "7" of one source are one record.
        left_ids, right_ids = left_ids.astype(str), right_ids.astype(str)
    left = pd.DataFrame(
        {
            "source": clusters["source"].astype(str).to_numpy(),
            "record_id": left_ids.to_numpy(),
            "_p": pd.factorize(clusters[predicted])[0],
        }
    )
    right = pd.DataFrame(
        {
            "source": truth["source"].astype(str).to_numpy(),
            "record_id": right_ids.to_numpy(),
            "_t": pd.factorize(truth[actual])[0],
        }
    )
    joined = left.merge(right, on=["source", "record_id"], how="inner")
    if joined.empty and (len(left) or len(right)):
        msg = "clusters and truth share no (source, record_id) key"
        raise InputError(msg)
    p = joined["_p"].to_numpy(np.int64)
    t = joined["_t"].to_numpy(np.int64)
    tp = _pairs(np.unique(p * (int(t.max()) + 1 if len(t) else 1) + t, return_counts=True)[1])
    pred_pairs = _pairs(np.bincount(p)) if len(p) else 0
    true_pairs = _pairs(np.bincount(t)) if len(t) else 0
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScores(
        precision=precision,
        recall=recall,
        f1=f1,
        true_positives=tp,
        predicted_pairs=pred_pairs,
        true_pairs=true_pairs,
        records=len(joined),
    )
