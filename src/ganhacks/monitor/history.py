"""A bounded history of named signals: the evidence windows the symptom detectors read (T10)."""

from __future__ import annotations

import math
import statistics
from collections import deque
from itertools import islice
from typing import Any


class History:
    """The last ``size`` values of every signal, with the step each was seen at.

    Example:
        >>> h = History(size=3)
        >>> for s in range(5): h.add(s, {"loss/d": float(s)})
        >>> h.values("loss/d")
        [2.0, 3.0, 4.0]
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.series: dict[str, deque[tuple[int, float]]] = {}
        self.latest: dict[str, float] = {}  # values reported at the newest step only
        self.step = 0
        self.peaks: dict[str, float] = {}  # largest window median seen per signal (for "fell below its peak")
        self._windows: dict[tuple[str, int], list[float]] = {}  # window() results at the newest step

    def add(self, step: int, values: dict[str, float]) -> None:
        """Record ``values`` reported at ``step``."""
        self.step = step
        self.latest = dict(values)
        self._windows.clear()
        series = self.series
        for name, v in values.items():
            s = series.get(name)
            if s is None:  # not setdefault: that would build a deque for every value at every step
                s = series[name] = deque(maxlen=self.size)
            s.append((step, v))

    def values(self, name: str, last: int | None = None) -> list[float]:
        """The newest ``last`` values of ``name`` (all kept when ``None``), oldest first."""
        s = self.series.get(name)
        if not s:
            return []
        if last is None or last >= len(s):
            return [v for _, v in s]
        return [v for _, v in self.readings(name, last)]

    def readings(self, name: str, last: int) -> list[tuple[int, float]]:
        """The newest ``last`` ``(step, value)`` readings of ``name``, oldest first (:meth:`values` with steps)."""
        s = self.series.get(name)
        if not s:
            return []
        out = list(islice(reversed(s), last))  # walks only the newest ``last`` entries
        out.reverse()
        return out

    def window(self, name: str, steps: int) -> list[float]:
        """Finite values of ``name`` seen in the last ``steps`` steps (by step number).

        Several detectors read the same windows at one step, so results are kept until the next
        :meth:`add`; treat the returned list as read-only.
        """
        key = (name, steps)
        if key in self._windows:
            return self._windows[key]
        s = self.series.get(name)
        if not s:
            return []
        out = []
        for st, v in reversed(s):  # newest first: stop at the window's start instead of scanning the whole deque
            if st <= self.step - steps:
                break
            if math.isfinite(v):
                out.append(v)
        out.reverse()
        self._windows[key] = out
        return out

    def update_peak(self, name: str, steps: int) -> float | None:
        """Update and return the peak of the rolling median of ``name`` over ``steps`` steps."""
        w = self.window(name, steps)
        if len(w) < steps // 2:
            return self.peaks.get(name)
        med = statistics.median(w)
        self.peaks[name] = max(self.peaks.get(name, med), med)
        return self.peaks[name]

    def clear(self) -> None:
        """Forget everything (after a rollback the old evidence no longer describes the run)."""
        self.series.clear()
        self._windows.clear()
        self.latest = {}
        self.peaks.clear()

    def state_dict(self) -> dict[str, Any]:
        """Plain lists, checkpointed with the run."""
        return {
            "size": self.size,
            "step": self.step,
            "latest": dict(self.latest),
            "peaks": dict(self.peaks),
            "series": {k: [list(p) for p in v] for k, v in self.series.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self._windows.clear()
        self.size = int(state.get("size", self.size))
        self.step = int(state.get("step", 0))
        self.latest = {k: float(v) for k, v in state.get("latest", {}).items()}
        self.peaks = {k: float(v) for k, v in state.get("peaks", {}).items()}
        self.series = {
            k: deque(((int(s), float(v)) for s, v in items), maxlen=self.size)
            for k, items in state.get("series", {}).items()
        }
