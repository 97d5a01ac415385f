"""Remedy tips in order of measured benefit, when there is evidence to order them by (tips T10, bench).

Each symptom lists its remedy tips in catalog order. The tips with a measured benefit come first,
best first; the others keep their catalog order after them. The benefits come from the verdicts
ganhacks ships (``ganhacks/assets/measured.json``, written from the suites of docs/EVIDENCE.md), or
from the file ``monitor.evidence`` names.

The evidence contract (what :func:`load_benefits` reads):

* the shipped form: ``{"tips": {"S01": {"ring8": {"benefit": -0.77, ...}}}}`` (benefits averaged over
  benchmarks),
* a JSON file: ``{"T13": 0.12, "S01": 0.3, ...}`` (tip id -> benefit, larger is better), or
* a Markdown file with one or more tables whose header has a ``tip`` column and a ``benefit``
  column; a benefit cell's first number counts (``+0.12 [0.05, 0.20]`` -> 0.12), rows of the
  same tip are averaged, and cells without a number are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TIP = re.compile(r"\b([TS]\d{2})\b")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_benefits(text: str) -> dict[str, float]:
    """Tip id -> mean benefit from the Markdown tables of ``text`` that have ``tip`` and ``benefit`` columns.

    Example:
        >>> parse_benefits("| tip | benefit |\\n|---|---|\\n| T13 | +0.2 [0.1, 0.3] |\\n| S01 | -0.1 |")
        {'T13': 0.2, 'S01': -0.1}
    """
    sums: dict[str, list[float]] = {}
    columns: tuple[int, int] | None = None
    for line in text.splitlines():
        if not line.strip().startswith("|"):
            columns = None
            continue
        cells = _cells(line)
        lower = [c.lower() for c in cells]
        if "tip" in lower and "benefit" in lower:
            columns = (lower.index("tip"), lower.index("benefit"))
            continue
        if columns is None or set(line.replace("|", "").strip()) <= set("-: "):
            continue
        t, b = columns
        if max(t, b) >= len(cells):
            continue
        tip, number = _TIP.search(cells[t]), _NUMBER.search(cells[b])
        if tip and number:
            sums.setdefault(tip.group(1), []).append(float(number.group()))
    return {k: sum(v) / len(v) for k, v in sums.items()}


SHIPPED = "assets/measured.json"  # inside the ganhacks package


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def shipped_benefits(data: dict) -> dict[str, float]:
    """Tip id -> mean benefit over benchmarks, from the shipped form ``{"tips": {tip: {bench: {"benefit"}}}}``."""
    out = {}
    for tip, by_bench in data.get("tips", {}).items():
        values = (
            [e.get("benefit") for e in by_bench.values() if isinstance(e, dict)] if isinstance(by_bench, dict) else []
        )
        values = [float(v) for v in values if _number(v)]
        if values:
            out[str(tip)] = sum(values) / len(values)
    return out


def load_benefits(path: str | Path | None) -> dict[str, float]:
    """The evidence at ``path`` (JSON or Markdown, see the module docstring), or the shipped verdicts when
    ``path`` is empty; ``{}`` when absent or unreadable."""
    try:
        if not path:
            text, suffix = resources.files("ganhacks").joinpath(SHIPPED).read_text(), ".json"
        else:
            text, suffix = Path(path).read_text(), Path(path).suffix
    except (OSError, UnicodeDecodeError):
        return {}
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return {}
        if not isinstance(data, dict):
            return {}
        if isinstance(data.get("tips"), dict):
            return shipped_benefits(data)
        return {str(k): float(v) for k, v in data.items() if _number(v)}
    return parse_benefits(text)


def rank_tips(tips: tuple[str, ...] | list[str], benefits: Mapping[str, float] | None = None) -> tuple[str, ...]:
    """``tips`` with those of measured benefit first (largest first); the rest keep their order.

    Example:
        >>> rank_tips(("T10", "S08", "S01"), {"S01": 0.3, "S08": 0.1})
        ('S01', 'S08', 'T10')
        >>> rank_tips(("T10", "S08"), None)
        ('T10', 'S08')
    """
    if not benefits:
        return tuple(tips)
    measured = sorted((t for t in tips if t in benefits), key=lambda t: -benefits[t])
    return (*measured, *(t for t in tips if t not in benefits))
