"""A graph's state on disk: a directory of Parquet files and a checksummed manifest.

- :mod:`~identigraph.graph.store.parquet`: :func:`save_graph` / :func:`load_graph`,
  ``GraphState`` <-> Parquet, atomic;
- :mod:`~identigraph.graph.store.manifest`: the manifest's own checksum;
- :mod:`~identigraph.graph.store.dtypes`: the kept columns' dtypes Parquet does not
  bring back, noted and restored;
- :mod:`~identigraph.graph.store.files`: the directory, its backups and leftovers,
  and file-system errors as :class:`~identigraph.errors.StoreError`.
"""

from __future__ import annotations

from identigraph.graph.store.parquet import FORMAT_VERSION, load_graph, save_graph

__all__ = ["FORMAT_VERSION", "load_graph", "save_graph"]
