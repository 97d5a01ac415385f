"""User-facing errors.

A :class:`UserError` is a mistake in what the user asked for (an unknown name, a bad path,
a value out of range). The CLI prints its message on one line and exits with code 2,
without a traceback. Programming errors inside ganhacks stay ordinary exceptions.

``UserError`` subclasses :class:`ValueError`, so library callers can catch either.
"""

from __future__ import annotations


class UserError(ValueError):
    """A mistake in the user's input, reported as one line that says what to do."""


def check_probability(name: str, p: float) -> float:
    """Return ``p`` as a float after checking it lies in [0, 1].

    >>> check_probability("flip_p", 0.05)
    0.05
    """
    p = float(p)
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise UserError(f"{name} must be a probability in [0, 1], got {p}")
    return p


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return ``value`` after checking it is > 0 (or >= 0 with ``allow_zero``)."""
    ok = value >= 0 if allow_zero else value > 0
    if not ok or value != value:
        bound = ">= 0" if allow_zero else "> 0"
        raise UserError(f"{name} must be {bound}, got {value}")
    return value
