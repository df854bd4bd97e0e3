"""Optional dependencies, imported when first used."""

from __future__ import annotations

import importlib
from types import ModuleType

from identigraph.errors import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"altair"`` or ``"pyspark.sql"``.
    extra : str
        The ``identigraph[...]`` extra that installs it.

    Returns
    -------
    types.ModuleType

    Raises
    ------
    MissingDependencyError
        The module cannot be imported.

    Examples
    --------
    >>> import_optional("json", extra="none").dumps(1)
    '1'
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependencyError(module.split(".")[0], extra) from err
