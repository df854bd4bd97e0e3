"""Notebook views: HTML tables and Vega-Altair charts of graphs, persons, matchers and results.

The HTML functions read only the public attributes and methods of the objects
they show and mask identifier values; the classes' ``_repr_html_`` hooks call
them. The charts need the ``charts`` extra (``pip install 'identigraph[charts]'``)
and return ``altair.Chart`` objects, which render in notebooks and save to HTML
or PNG (``chart.save("sizes.html")``).
"""

from __future__ import annotations

from identigraph.matcher.charts import waterfall_chart
from identigraph.notebook.charts import (
    cluster_sizes_chart,
    match_weights_chart,
    person_chart,
    threshold_chart,
)
from identigraph.notebook.html import (
    changes_html,
    explanation_html,
    golden_html,
    graph_html,
    mask_column,
    matcher_html,
    person_html,
    report_html,
)

__all__ = [
    "changes_html",
    "cluster_sizes_chart",
    "explanation_html",
    "golden_html",
    "graph_html",
    "mask_column",
    "match_weights_chart",
    "matcher_html",
    "person_chart",
    "person_html",
    "report_html",
    "threshold_chart",
    "waterfall_chart",
]
