"""Progress bars for long steps: tqdm, shown only where someone is watching.

Every long step of the package (bulk resolve, matcher fit and predict, golden
records, save and load) reports through :func:`progress_bar`. Bars show counts and
a step name, never a value. ``progress=None`` (the default everywhere) shows a bar
when standard error is a terminal or the code runs in a notebook kernel;
``True`` forces it, ``False`` silences it.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

__all__ = ["progress_bar", "progress_enabled"]


def progress_enabled(progress: bool | None) -> bool:
    """Whether a bar is shown for the ``progress=`` argument.

    Parameters
    ----------
    progress : bool or None
        ``True`` or ``False`` force the answer; ``None`` shows bars in an
        interactive terminal or a notebook kernel only.

    Returns
    -------
    bool

    Examples
    --------
    >>> progress_enabled(False), progress_enabled(True)
    (False, True)
    """
    if progress is not None:
        return bool(progress)
    if _in_notebook():
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (not merely a process that imported one)."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def progress_bar(
    total: int | None, *, desc: str, unit: str = "it", progress: bool | None = None
) -> tqdm:
    """A bar over ``total`` units of one step; a no-op when not shown.

    Use it as a context manager and call ``update(n)`` as work is done.

    Parameters
    ----------
    total : int or None
        Units of work in the step, if known.
    desc : str
        The step's name, shown before the bar. Never pass a data value here.
    unit : str, default "it"
        Name of one unit (``"rows"``, ``"pairs"``, ``"files"``).
    progress : bool or None
        See :func:`progress_enabled`.

    Returns
    -------
    tqdm.tqdm

    Examples
    --------
    >>> with progress_bar(3, desc="resolve", progress=False) as bar:
    ...     bar.disable
    True
    """
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        disable=not progress_enabled(progress),
        leave=False,
        dynamic_ncols=True,
        file=sys.stderr,
    )
