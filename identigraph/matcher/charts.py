"""Charts of matcher output (Vega-Altair, the ``charts`` extra): the match-weight waterfall."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from identigraph._optional import import_optional
from identigraph.errors import MissingColumnError

__all__ = ["waterfall_chart"]

_NEEDED = ("part", "label", "weight", "cumulative_weight")


def waterfall_chart(explanation: pd.DataFrame) -> Any:
    """Waterfall of a pair's match weight: the prior, each comparison, the total.

    Parameters
    ----------
    explanation : DataFrame
        The table of :meth:`identigraph.Matcher.explain_pair`.

    Returns
    -------
    altair.LayerChart
        One bar per step from the running weight before it to the one after it
        (green adds, red subtracts), the total as a grey bar from zero; tooltips
        give the level label, weight and running probability (never a value).

    Raises
    ------
    MissingDependencyError
        Altair is not installed (``pip install 'identigraph[charts]'``).
    MissingColumnError
        ``explanation`` is not an ``explain_pair`` table.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "part": ["prior", "name", "total"], "label": ["prior", "exact", "match weight"],
    ...     "weight": [-6.0, 9.0, 3.0], "cumulative_weight": [-6.0, 3.0, 3.0],
    ...     "cumulative_probability": [0.015, 0.889, 0.889]})
    >>> chart = waterfall_chart(table)  # doctest: +SKIP
    """
    missing = [c for c in _NEEDED if c not in explanation.columns]
    if missing:
        msg = f"waterfall_chart needs an explain_pair table; missing {missing}"
        raise MissingColumnError(msg, column=missing[0], available=list(explanation.columns))
    alt = import_optional("altair", extra="charts")
    data = explanation.loc[:, [c for c in explanation.columns if c != "level"]].copy()
    end = data["cumulative_weight"].to_numpy(dtype=np.float64)
    start = end - data["weight"].to_numpy(dtype=np.float64)
    is_total = (data["part"] == "total").to_numpy()
    start[is_total] = 0.0
    data["start"] = start
    data["end"] = end
    data["step"] = np.where(is_total, "total", np.where(data["weight"] >= 0, "adds", "subtracts"))
    data["order"] = np.arange(len(data))
    x = alt.X("part:N", sort=alt.SortField("order"), title=None)
    colour = alt.Color(
        "step:N",
        scale=alt.Scale(
            domain=["adds", "subtracts", "total"], range=["#2ca02c", "#d62728", "#7f7f7f"]
        ),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("part:N"),
        alt.Tooltip("label:N"),
        alt.Tooltip("weight:Q", format=".2f"),
        alt.Tooltip("cumulative_weight:Q", format=".2f"),
    ]
    if "cumulative_probability" in data.columns:
        tooltip.append(alt.Tooltip("cumulative_probability:Q", format=".4f"))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("start:Q", title="match weight (log2 odds)"),
            y2="end:Q",
            color=colour,
            tooltip=tooltip,
        )
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="black").encode(y="zero:Q")
    return (bars + zero).properties(title="How the match weight adds up")
