"""Union-find with per-set limit counts: the inner loop of the per-person limit split."""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["Alike", "Kruskal", "unlike_set"]

#: ``alike(code, code) -> bool``: whether two values of an attribute count as one.
Alike = Callable[[int, int], bool]


def unlike_set(values: list[int], size: int, alike: Alike) -> bool:
    """Whether ``size`` of ``values`` are mutually unlike (a small backtracking search)."""
    if size <= 1:
        return len(values) >= size
    for i, x in enumerate(values):  # a handful of values per person
        rest = [y for y in values[i + 1 :] if not alike(x, y)]
        if len(rest) >= size - 1 and unlike_set(rest, size - 1, alike):
            return True
    return False


def _too_many(sa: frozenset[int], sb: frozenset[int], cap: int, alike: Alike | None) -> bool:
    """Whether ``sa | sb`` holds more than ``cap`` mutually unlike values.

    Each of ``sa`` and ``sb`` holds at most ``cap`` on its own.
    """
    union = sa | sb
    if len(union) <= cap:
        return False
    if alike is None:
        return True
    if cap == 1:  # within each set every two values are alike: only cross pairs decide
        return any(not alike(x, y) for x in sorted(sa - sb) for y in sorted(sb - sa))
    return unlike_set(sorted(union), cap + 1, alike)


class Kruskal:
    """Union-find over the nodes of the breaking components, with per-set limit counts.

    A set's counts of distinct values per limited kind are packed into one integer,
    ``width`` bits a slot, so that checking a union against every cap is one
    addition and one mask: ``(a + b + bias) & high`` is non-zero exactly when a
    slot's sum exceeds its cap, and its lowest set bit names the first such slot.

    A slot never carries into the next: a checked union keeps each count at most its
    cap, and a must-link (joined whatever the limits) that puts a set over a cap
    saturates that count at ``cap + 1`` (:meth:`saturate`). Two counts of at most
    ``cap + 1`` plus the bias stay below ``2 ** width``, since
    ``2 ** (width - 1) >= 2 * (max(caps) + 1)``; the set over its cap still breaks it
    in every later union, whatever the number of values the must-links gathered.
    """

    def __init__(
        self, n_nodes: int, caps: list[int], attr_caps: list[int], alike: list[Alike | None]
    ) -> None:
        self.width = max([*caps, 1]).bit_length() + 2
        self.bias = sum(
            ((1 << (self.width - 1)) - 1 - c) << (self.width * s) for s, c in enumerate(caps)
        )
        self.high = sum(1 << (self.width * s + self.width - 1) for s in range(len(caps)))
        #: Each slot at ``cap + 1``: the count a set over its cap is held at.
        self.ceiling = sum((c + 1) << (self.width * s) for s, c in enumerate(caps))
        self.attr_caps = attr_caps
        self.alike = alike
        self.first_counts: list[int] = [0] * n_nodes
        self.first_sets: list[list[frozenset[int] | None]] = [[None] * n_nodes for _ in attr_caps]
        self.parent = list(range(n_nodes))
        self.size = [1] * n_nodes
        self.counts = list(self.first_counts)
        self.sets: list[list[frozenset[int] | None]] = [list(s) for s in self.first_sets]
        # Cannot-links: pair j marks its ends with tokens 2j and 2j + 1; a union that
        # would hold both tokens of a pair is cut (slot ``apart_slot + j``).
        self.first_apart: list[frozenset[int] | None] = [None] * n_nodes
        self.apart: list[frozenset[int] | None] = list(self.first_apart)
        self.apart_slot = len(caps) + len(attr_caps)

    def one(self, slot: int) -> int:
        """The packed counts of a single value of the limited kind in ``slot``."""
        return 1 << (self.width * slot)

    def saturate(self, total: int) -> int:
        """``total``, two sets' packed counts summed, each slot over its cap at ``cap + 1``."""
        over = (total + self.bias) & self.high
        if not over:
            return total
        mask = (over >> (self.width - 1)) * ((1 << self.width) - 1)
        return (total & ~mask) | (self.ceiling & mask)

    def reset(self, nodes: Iterable[int]) -> None:
        """Make ``nodes`` single sets again, each with its own values."""
        parent, size, counts, first = self.parent, self.size, self.counts, self.first_counts
        for x in nodes:  # one step per node of the components split (again)
            parent[x] = x
            size[x] = 1
            counts[x] = first[x]
            for sets, first_sets in zip(self.sets, self.first_sets, strict=True):
                sets[x] = first_sets[x]
            self.apart[x] = self.first_apart[x]

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def run(
        self, edges: list[int], us: list[int], vs: list[int], forced_from: int | None = None
    ) -> tuple[list[int], list[int]]:
        """Join the ends of ``edges`` in order unless a limit breaks: the cuts and their slots.

        Edges numbered ``forced_from`` or more (must-links) are joined whatever the
        limits; a cut for cannot-link ``j`` is reported in slot ``apart_slot + j``.
        """
        parent, size, counts = self.parent, self.size, self.counts
        apart, apart_slot = self.apart, self.apart_slot
        forced = len(us) if forced_from is None else forced_from
        bias, high, width = self.bias, self.high, self.width
        n_slots = self.high.bit_length() // width if self.high else 0
        attr = list(zip(self.sets, self.attr_caps, self.alike, strict=True))
        cut: list[int] = []
        cut_slot: list[int] = []
        for e in edges:  # Kruskal over the links of the breaking components
            a, b = us[e], vs[e]
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            while parent[b] != b:
                parent[b] = parent[parent[b]]
                b = parent[b]
            if a == b:
                continue
            total = counts[a] + counts[b]
            if e >= forced:  # a must-link: joined, whatever the limits
                self._join(a, b, total)
                continue
            over = (total + bias) & high
            if over:
                cut.append(e)
                cut_slot.append(((over & -over).bit_length() - 1) // width)
                continue
            merged: list[frozenset[int] | None] = []
            broken = -1
            for t, (sets, cap, alike) in enumerate(attr):  # one step per attribute
                sa, sb = sets[a], sets[b]
                if sb is None or (sa is not None and sb <= sa):
                    merged.append(sa)
                elif sa is None or sa <= sb:
                    merged.append(sb)
                elif _too_many(sa, sb, cap, alike):
                    broken = n_slots + t
                    break
                else:
                    merged.append(sa | sb)
            if broken >= 0:
                cut.append(e)
                cut_slot.append(broken)
                continue
            pa, pb = apart[a], apart[b]
            if pa is not None and pb is not None:
                small, big = (pa, pb) if len(pa) <= len(pb) else (pb, pa)
                # The smallest cannot-link between them (the one the array path names).
                hit = min((t for t in small if (t ^ 1) in big), default=-1)
                if hit >= 0:  # a cannot-link between the two sets
                    cut.append(e)
                    cut_slot.append(apart_slot + (hit >> 1))
                    continue
            if size[a] < size[b]:
                a, b = b, a
            parent[b] = a
            size[a] += size[b]
            counts[a] = total
            for (sets, _, _), m in zip(attr, merged, strict=True):
                sets[a] = m
            apart[a] = _union(apart[a], apart[b])
        return cut, cut_slot

    def _join(self, a: int, b: int, total: int) -> None:
        """Join roots ``a`` and ``b`` unconditionally (a must-link)."""
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        self.counts[a] = self.saturate(total)
        for sets in self.sets:  # one step per attribute
            sets[a] = _union(sets[a], sets[b])
        self.apart[a] = _union(self.apart[a], self.apart[b])


def _union(x: frozenset[int] | None, y: frozenset[int] | None) -> frozenset[int] | None:
    if x is None:
        return y
    if y is None:
        return x
    return x | y
