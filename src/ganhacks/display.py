"""How metric values are shown to people: names that carry their feature space, values rounded.

An FID computed on the digits CNN's features is not comparable with an Inception FID (nor a
precision on raw 2-D points with one on image features), so wherever a person reads a metric
(``ganhacks eval``'s table, the HTML report) its name says the space: ``fid[digits-cnn]``,
``fid[inception]``, ``precision[raw]``. Values are rounded there; JSON files keep the bare names
and full precision (``metrics.json`` records the extractor next to them).

Example:
    >>> metric_label("fid", feature_space("digits-cnn (64-d penultimate layer per channel, 8x8 input)"))
    'fid[digits-cnn]'
    >>> format_metric(1.2316887699758445), format_metric(10.0), format_metric(0.000123456)
    ('1.232', '10', '0.0001235')
"""

from __future__ import annotations

import math

# extractor name prefix (as written in metrics.json) -> short feature-space name
SPACES = (("digits-cnn", "digits-cnn"), ("inception", "inception"), ("identity", "raw"))


def feature_space(extractor: str) -> str:
    """The short name of the space an extractor's features live in: ``digits-cnn``, ``inception``,
    ``raw`` (the samples themselves), else the extractor's own first word (a user module)."""
    for prefix, short in SPACES:
        if extractor.startswith(prefix):
            return short
    words = extractor.removeprefix("user module ").split()
    return words[0] if words else "unknown"


def metric_label(name: str, space: str) -> str:
    """``name[space]``, e.g. ``fid[inception]``."""
    return f"{name}[{space}]"


def format_metric(value: float | int | str | None, digits: int = 4) -> str:
    """A value rounded for reading: whole numbers without decimals, others to ``digits`` significant
    digits (no exponent between 1e-4 and 1e4), NaN/Inf as ``nan``/``inf``."""
    if value is None or isinstance(value, (str, bool)):
        return str(value)
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if abs(v) >= 10**digits:
        return f"{v:.0f}"
    if abs(v) < 1e-4:
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}g}"
