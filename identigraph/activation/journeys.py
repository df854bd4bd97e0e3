"""Events stitched to persons, and journeys: ordered touchpoints up to a conversion."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionArray

from identigraph.activation.facts import Persons, remap_person_ids
from identigraph.errors import ConfigError, InputError, MissingColumnError

__all__ = ["EventSource", "Journeys", "journeys", "stitch_events"]

log = logging.getLogger("identigraph.activation")

_EVENT_COLUMNS = ["person_id", "time", "channel", "event", "source"]
_NO_TOUCH = "(no touchpoint)"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EventSource:
    """Where the events of one source are: which columns hold record, time and event.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per event. Not modified.
    source : str
        The graph source whose record ids the frame carries (also the default channel).
    time : str
        Timestamp column.
    id : str, optional
        Record id column: events are stitched through the current graph.
    person : str, optional
        A person id column from an earlier snapshot instead: ids merged since are
        remapped through :meth:`IdentityGraph.id_history`.
    event : str, optional
        Event name column (``"page_view"``, ``"purchase"``); by default the channel.
    channel : str, optional
        Channel column; by default ``source`` for every row.

    Raises
    ------
    ConfigError
        Neither or both of ``id`` and ``person`` given.
    MissingColumnError
        A named column is not in ``frame``.
    """

    frame: pd.DataFrame
    source: str
    time: str
    id: str | None = None
    person: str | None = None
    event: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            msg = f"EventSource: frame must be a DataFrame, got {type(self.frame).__name__}"
            raise InputError(msg)
        if (self.id is None) == (self.person is None):
            msg = f"EventSource({self.source!r}): give exactly one of id= and person="
            raise ConfigError(msg)
        for column in (self.time, self.id, self.person, self.event, self.channel):
            if column is not None and column not in self.frame.columns:
                msg = f"EventSource({self.source!r}): no column {column!r}"
                raise MissingColumnError(
                    msg, column=column, available=[str(c) for c in self.frame.columns]
                )


def stitch_events(
    persons: Persons, sources: Sequence[EventSource], *, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Events of several sources on one time line per person.

    Parameters
    ----------
    persons : Persons
    sources : sequence of EventSource
    history : pandas.DataFrame, optional
        ``id_history()`` for sources given by ``person=``; by default the graph's.

    Returns
    -------
    pandas.DataFrame
        ``person_id, time, channel, event, source``, sorted by person and time;
        events of records the graph does not hold (or no longer holds) and events
        without a time are left out.

    Examples
    --------
    >>> import identigraph as ig
    >>> g = ig.IdentityGraph([ig.Email("email")])
    >>> _ = g.add(pd.DataFrame({"id": [1, 2], "email": ["ann@x.com", "ann@x.com"]}),
    ...           source="web", id="id")
    >>> web = pd.DataFrame({"id": ["2", 1], "at": pd.to_datetime(["2024-01-02", "2024-01-01"]),
    ...                     "page": ["/buy", "/home"]})
    >>> stitch_events(Persons(g), [EventSource(frame=web, source="web", id="id", time="at",
    ...                                        event="page")])["event"].tolist()
    ['/home', '/buy']
    """
    parts = []
    for spec in sources:
        frame = spec.frame
        if spec.id is not None:
            ids = persons.person_keys(spec.source, frame[spec.id])
        else:
            if history is None:
                if persons.graph is None:
                    msg = "person= events need history= when persons have no graph"
                    raise ConfigError(msg)
                history = persons.graph.id_history()
            raw = frame[spec.person]
            known = raw.notna().to_numpy()
            ids = np.full(len(frame), -1, dtype=np.int64)
            ids[known] = remap_person_ids(raw[known].to_numpy(dtype=np.int64), history)
        stamps = pd.to_datetime(frame[spec.time]).reset_index(drop=True)
        channel = (
            frame[spec.channel].astype(object).reset_index(drop=True)
            if spec.channel is not None
            else pd.Series(np.full(len(frame), spec.source, dtype=object))
        )
        event = (
            frame[spec.event].astype(object).reset_index(drop=True)
            if spec.event is not None
            else channel
        )
        part = pd.DataFrame(
            {
                "person_id": ids,
                "time": stamps,
                "channel": channel,
                "event": event,
                "source": spec.source,
            }
        )
        parts.append(part[(ids >= 0) & stamps.notna().to_numpy()])
    if not parts:
        return pd.DataFrame({c: [] for c in _EVENT_COLUMNS})
    events = pd.concat(parts, ignore_index=True)
    return events.sort_values(["person_id", "time"], kind="stable", ignore_index=True)


def _time_order(person: np.ndarray, t: np.ndarray, is_conv: np.ndarray) -> np.ndarray:
    """Rows ordered by person, then time, conversions after touches at the same time.

    The same order as ``np.lexsort((is_conv, t, person))`` (ties keep the row
    order). Two sorts of packed integer keys that carry the row number in their
    low bits replace the stable arg-sorts: ``np.sort`` of plain integers is several
    times faster than a stable ``argsort``, and a key that holds its row is unique,
    so the order is the stable one. Keys too wide to pack fall back to ``argsort``.
    """
    n = len(t)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    row_bits = max(int(n - 1).bit_length(), 1)
    rows = np.arange(n, dtype=np.int64)
    # 1. time order, conversions after touches: (time in its coarsest unit, flag, row)
    by_time = None
    span = int(t.max()) - int(t.min())
    if span < 2**62:
        t_rel = t - t.min()
        unit = next(u for u in _TIME_UNITS if not np.any(t_rel % u))
        if (max(span // unit, 1).bit_length() + 1) + row_bits <= 63:
            key = ((((t_rel // unit) << 1) | is_conv) << row_bits) | rows
            by_time = np.sort(key) & ((1 << row_bits) - 1)
    if by_time is None:
        by_time = np.lexsort((is_conv, t))
    # 2. stable by person: (dense person code, position in the time order)
    codes, _ = _sorted_codes(person)
    code_bits = max(int(codes.max()).bit_length(), 1)
    if code_bits + row_bits <= 63:
        key = (codes[by_time] << row_bits) | rows
        return by_time[np.sort(key) & ((1 << row_bits) - 1)]
    return by_time[np.argsort(codes[by_time], kind="stable")]


#: Units tried for the times of events, coarsest first: days, seconds, ms, µs, ns.
_TIME_UNITS = (86_400 * 10**9, 10**9, 10**6, 10**3, 1)


def _sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes that follow the order of ``values``, and the sorted distinct values.

    One hash pass and a sort of the distinct values only.
    """
    codes, uniques = pd.factorize(values)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], np.asarray(uniques)[order]


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: well-spread 64-bit hashes of uint64 values."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


#: The distinct values ``pandas.factorize`` returns.
_Uniques = pd.Index | np.ndarray | ExtensionArray


def _isin(codes: np.ndarray, uniques: _Uniques, names: Sequence[str]) -> np.ndarray:
    """Rows whose value (a code into ``uniques``) is one of ``names``."""
    hit = np.r_[pd.Index(uniques).isin(list(names)), False]  # code -1 (missing): no
    return hit[codes]


def _take(uniques: _Uniques, codes: np.ndarray) -> pd.Series:
    """The values of ``codes`` (-1: missing); text stays in Arrow, never one object a row."""
    index = pd.Index(uniques)
    if len(index) and index.inferred_type == "string":
        values = pa.array(index.to_numpy(dtype=object), type=pa.string())
        taken = values.take(pa.array(codes, mask=codes < 0))
        return pd.Series(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    out = np.asarray(index, dtype=object)[np.maximum(codes, 0)]
    out[codes < 0] = None
    return pd.Series(out, dtype=object)


@dataclass(frozen=True, slots=True)
class Journeys:
    """Each person's journeys: touchpoints up to a conversion within a window.

    Attributes
    ----------
    touchpoints : pandas.DataFrame
        ``journey, person_id, step, time, channel, event``: every touchpoint kept,
        in time order within each journey.
    journeys : pandas.DataFrame
        ``journey, person_id, converted, touchpoints, start, end,
        time_to_convert``: one row per journey (``end`` is the conversion time of
        converted journeys, else the last touch).
    """

    touchpoints: pd.DataFrame
    journeys: pd.DataFrame
    _keys: np.ndarray

    def __repr__(self) -> str:
        converted = int(self.journeys["converted"].sum())
        return f"Journeys(journeys={len(self.journeys)}, converted={converted})"

    def path_of(self, journey: int) -> str:
        """The channels of one journey joined with ``" > "``."""
        # touchpoints are grouped by journey, in order: one slice, found by binary search
        lo, hi = np.searchsorted(self.touchpoints["journey"].to_numpy(), [journey, journey + 1])
        channels = self.touchpoints["channel"].iloc[lo:hi].tolist()
        return " > ".join(map(str, channels)) if channels else _NO_TOUCH

    def top_paths(self, k: int = 20) -> pd.DataFrame:
        """The ``k`` most frequent paths.

        Returns
        -------
        pandas.DataFrame
            ``path, journeys, conversions, conversion_rate, median_time_to_convert``.
        """
        if not isinstance(k, int) or k < 1:
            msg = f"k must be a positive integer, got {k!r}"
            raise ConfigError(msg)
        jour = self.journeys
        frame = pd.DataFrame(
            {
                "key": self._keys,
                "converted": jour["converted"].to_numpy(),
                "ttc": jour["time_to_convert"].to_numpy(),
                "journey": jour["journey"].to_numpy(),
            }
        )
        stats = frame.groupby("key", sort=False).agg(
            journeys=("journey", "size"),
            conversions=("converted", "sum"),
            median_time_to_convert=("ttc", "median"),
            example=("journey", "first"),
        )
        top = stats.sort_values(["journeys", "conversions"], ascending=False, kind="stable").head(k)
        return pd.DataFrame(
            {
                "path": [self.path_of(int(j)) for j in top["example"]],
                "journeys": top["journeys"].to_numpy(),
                "conversions": top["conversions"].to_numpy(dtype=np.int64),
                "conversion_rate": (top["conversions"] / top["journeys"]).to_numpy(),
                "median_time_to_convert": top["median_time_to_convert"].to_numpy(),
            }
        )

    def attribution(self) -> pd.DataFrame:
        """Conversions credited to channels: first touch, last touch and linear.

        Returns
        -------
        pandas.DataFrame
            ``channel, first_touch, last_touch, linear``, one row per channel, each
            column summing to the converted journeys with a touchpoint.
        """
        tp = self.touchpoints
        jour = self.journeys
        converted = jour["converted"].to_numpy()[tp["journey"].to_numpy()]
        n = jour["touchpoints"].to_numpy()[tp["journey"].to_numpy()]
        step = tp["step"].to_numpy()
        frame = pd.DataFrame(
            {
                "channel": tp["channel"].to_numpy()[converted],
                "first_touch": (step == 0)[converted].astype(float),
                "last_touch": (step == n - 1)[converted].astype(float),
                "linear": 1.0 / n[converted],
            }
        )
        return (
            frame.groupby("channel", sort=True)[["first_touch", "last_touch", "linear"]]
            .sum()
            .reset_index()
        )


def journeys(
    events: pd.DataFrame,
    *,
    conversion: str | Sequence[str],
    window: str | pd.Timedelta = "30D",
) -> Journeys:
    """Split each person's events into journeys ending at a conversion.

    A journey is the touchpoints of a person after their previous conversion and
    up to the next one, those within ``window`` before it; the touchpoints after
    a person's last conversion (within ``window`` before the last of them) form
    a journey that has not converted. A conversion at the same time as a
    touchpoint comes after it.

    Parameters
    ----------
    events : pandas.DataFrame
        ``person_id, time, channel, event`` (:func:`stitch_events`).
    conversion : str or sequence of str
        Event names that are conversions.
    window : str or pandas.Timedelta, default "30D"
        Look-back of a journey.

    Returns
    -------
    Journeys

    Raises
    ------
    ConfigError
        No conversion event named, or a window that is not a positive duration.
    MissingColumnError
        A column of ``events`` is missing.

    Examples
    --------
    >>> events = pd.DataFrame({
    ...     "person_id": [1, 1, 1, 2, 2],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
    ...                             "2024-01-01", "2024-01-05"]),
    ...     "channel": ["email", "web", "pos", "web", "web"],
    ...     "event": ["open", "visit", "purchase", "visit", "visit"]})
    >>> result = journeys(events, conversion="purchase", window="7D")
    >>> result.top_paths()[["path", "journeys", "conversions"]].values.tolist()
    [['email > web', 1, 1], ['web > web', 1, 0]]
    >>> result.attribution().values.tolist()
    [['email', 1.0, 0.0, 0.5], ['web', 0.0, 1.0, 0.5]]

    Notes
    -----
    Cost: one sort of the events, O(n log n); everything after is vectorized over
    events and journeys. Paths are compared by a 64-bit hash of their channels and
    steps; only the top paths are spelled out.
    """
    start_clock = time.perf_counter()
    for column in ("person_id", "time", "channel", "event"):
        if column not in events.columns:
            msg = f"events lack column {column!r} (see stitch_events)"
            raise MissingColumnError(msg, column=column, available=list(events.columns))
    names = [conversion] if isinstance(conversion, str) else list(conversion)
    if not names:
        msg = "name at least one conversion event"
        raise ConfigError(msg)
    try:
        span = pd.Timedelta(window)
    except (ValueError, TypeError) as err:
        msg = f"window={window!r} is not a duration"
        raise ConfigError(msg) from err
    if span <= pd.Timedelta(0):
        msg = "window must be positive"
        raise ConfigError(msg)
    person = events["person_id"].to_numpy(dtype=np.int64)
    stamps = pd.to_datetime(events["time"])
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    t = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    event_codes, event_names = pd.factorize(events["event"])
    is_conv = _isin(event_codes, event_names, names)
    order = _time_order(person, t, is_conv)
    person, t, is_conv = person[order], t[order], is_conv[order]
    channel_codes, channel_names = pd.factorize(events["channel"])
    channel_codes = channel_codes[order]
    n = len(person)
    # a new journey starts at each person's first event and after each conversion
    boundary = np.ones(n, dtype=bool)
    if n:
        boundary[1:] = (person[1:] != person[:-1]) | is_conv[:-1]
    seg = np.cumsum(boundary) - 1
    n_seg = int(seg[-1]) + 1 if n else 0
    seg_converted = np.zeros(n_seg, dtype=bool)
    seg_converted[seg[is_conv]] = True
    seg_start = np.flatnonzero(boundary)
    # rows are in time order: a segment's last row is its conversion, or its last touch
    end = t[np.r_[seg_start[1:] - 1, n - 1]] if n else np.empty(0, np.int64)
    touch = ~is_conv
    keep = touch & (t >= end[seg] - int(span.value))
    # trailing segments of persons whose last event is a conversion hold nothing: drop
    has_touch = np.bincount(seg[keep], minlength=n_seg) > 0
    seg_kept = seg_converted | has_touch
    journey_of_seg = np.cumsum(seg_kept) - 1
    rows = np.flatnonzero(keep)
    jid = journey_of_seg[seg[rows]]
    counts = np.bincount(jid, minlength=int(seg_kept.sum()))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    step = np.arange(len(rows)) - starts[jid] if len(rows) else np.empty(0, np.int64)
    seg_person = person[seg_start]
    kept = np.flatnonzero(seg_kept)
    first_t = end[kept].copy()  # journeys without a touchpoint start at their conversion
    first_t[counts > 0] = t[rows[starts[counts > 0]]]
    converted = seg_converted[kept]
    ttc = np.where(converted & (counts > 0), end[kept] - first_t, np.iinfo(np.int64).min)
    codes = channel_codes[rows].astype(np.uint64) + np.uint64(1)
    row_hash = _mix(codes * np.uint64(1_000_003) + step.astype(np.uint64))
    keys = _mix(counts.astype(np.uint64))
    with np.errstate(over="ignore"):
        if len(rows):
            sums = np.add.reduceat(row_hash, starts[counts > 0])
            keys[counts > 0] = keys[counts > 0] + sums
    touchpoints = pd.DataFrame(
        {
            "journey": jid,
            "person_id": person[rows],
            "step": step,
            "time": t[rows].view("datetime64[ns]"),
            "channel": _take(channel_names, channel_codes[rows]),
            "event": _take(event_names, event_codes[order][rows]),
        }
    )
    table = pd.DataFrame(
        {
            "journey": np.arange(len(kept)),
            "person_id": seg_person[kept],
            "converted": converted,
            "touchpoints": counts,
            "start": first_t.view("datetime64[ns]"),
            "end": end[kept].view("datetime64[ns]"),
            "time_to_convert": ttc.view("timedelta64[ns]"),
        }
    )
    log.info(
        "journeys: %d events, %d journeys, %d converted in %.2f s",
        n,
        len(table),
        int(converted.sum()),
        time.perf_counter() - start_clock,
    )
    return Journeys(touchpoints, table, keys)
