"""The RRSIS evaluation protocol (as in RefSegRS / RRSIS-D papers and their LAVT-family code).

Per sample, with P the predicted and T the true binary mask:
    I = |P and T|, U = |P or T|, IoU = I / U; by convention IoU = 1 when both masks are empty
    (U = 0) and IoU = 0 when exactly one of them is empty.
Over a set of samples:
    mIoU  = mean of the per-sample IoU
    oIoU  = sum of I / sum of U (overall IoU; 0 when the sum of U is 0)
    Pr@t  = share of samples with IoU >= t, for t in 0.5, 0.6, 0.7, 0.8, 0.9.

The threshold test is ``>=`` (the comparison in the public LAVT-family evaluation code) and is
evaluated exactly on integers, ``100 * I >= p * U`` for t = p / 100, so floating-point rounding
can never move a sample across a threshold. The Java implementation must use the same rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

THRESHOLD_PERCENTS = (50, 60, 70, 80, 90)


def intersection_union(prediction, truth) -> tuple:
    """(I, U) pixel counts of two binary masks of equal shape (any non-zero value is 'in')."""
    p, t = np.asarray(prediction) != 0, np.asarray(truth) != 0
    if p.shape != t.shape:
        raise ValueError(f"prediction shape {p.shape} differs from truth shape {t.shape}")
    return int(np.count_nonzero(p & t)), int(np.count_nonzero(p | t))


def iou_of(intersection: int, union: int) -> float:
    return 1.0 if union == 0 else intersection / union


def passes(intersection: int, union: int, percent: int) -> bool:
    """IoU >= percent / 100, decided on integers (both-empty counts as IoU 1)."""
    return 100 * intersection >= percent * union


@dataclass
class Scores:
    """Aggregated RRSIS scores of a set of samples."""
    count: int
    miou: float
    oiou: float
    precision: dict                  # threshold (0.5 ...) -> share of samples with IoU >= threshold
    intersection: int
    union: int

    def to_dict(self) -> dict:
        d = {"count": self.count, "mIoU": self.miou, "oIoU": self.oiou,
             "intersection": self.intersection, "union": self.union}
        d.update({f"Pr@{t:.1f}": v for t, v in self.precision.items()})
        return d


@dataclass
class _Tally:
    count: int = 0
    iou_sum: float = 0.0
    intersection: int = 0
    union: int = 0
    hits: list = field(default_factory=lambda: [0] * len(THRESHOLD_PERCENTS))

    def add(self, i: int, u: int) -> None:
        self.count += 1
        self.iou_sum += iou_of(i, u)
        self.intersection += i
        self.union += u
        for k, p in enumerate(THRESHOLD_PERCENTS):
            self.hits[k] += passes(i, u, p)

    def scores(self) -> Scores:
        n = self.count
        return Scores(
            count=n,
            miou=self.iou_sum / n if n else 0.0,
            oiou=self.intersection / self.union if self.union else 0.0,
            precision={p / 100: (h / n if n else 0.0) for p, h in zip(THRESHOLD_PERCENTS, self.hits)},
            intersection=self.intersection, union=self.union)


class RrsisMetrics:
    """Accumulates samples and reports the RRSIS scores, overall and per expression type.

        m = RrsisMetrics()
        for pred, truth, kind in samples:
            m.add(pred, truth, kind)
        m.overall().miou, m.by_type()["colour"].precision[0.5]
    """

    def __init__(self):
        self._all = _Tally()
        self._types = {}
        self.ious = []                   # per-sample IoU, in the order added

    def add(self, prediction, truth, kind: str = None) -> float:
        """Adds one sample (binary masks of equal shape); returns its IoU."""
        i, u = intersection_union(prediction, truth)
        return self.add_counts(i, u, kind)

    def add_counts(self, intersection: int, union: int, kind: str = None) -> float:
        """Adds one sample given its pixel counts I and U (0 <= I <= U)."""
        if not 0 <= intersection <= union:
            raise ValueError(f"need 0 <= intersection <= union, got I={intersection}, U={union}")
        self._all.add(intersection, union)
        if kind is not None:
            self._types.setdefault(kind, _Tally()).add(intersection, union)
        value = iou_of(intersection, union)
        self.ious.append(value)
        return value

    def overall(self) -> Scores:
        return self._all.scores()

    def by_type(self) -> dict:
        return {k: t.scores() for k, t in sorted(self._types.items())}

    def report(self) -> str:
        """A plain-text table: one row overall, one per expression type."""
        cols = ["n", "mIoU", "oIoU"] + [f"Pr@{p / 100:.1f}" for p in THRESHOLD_PERCENTS]
        rows = [("all", self.overall())] + list(self.by_type().items())
        lines = ["type".ljust(14) + "".join(c.rjust(8) for c in cols)]
        for name, s in rows:
            vals = [f"{s.count:d}", f"{100 * s.miou:.2f}", f"{100 * s.oiou:.2f}"] + \
                   [f"{100 * s.precision[p / 100]:.2f}" for p in THRESHOLD_PERCENTS]
            lines.append(name.ljust(14) + "".join(v.rjust(8) for v in vals))
        return "\n".join(lines)
