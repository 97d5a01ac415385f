"""The registry of static rules: one function per tip, ``(Project, DoctorConfig) -> Verdict``.

A rule says ``fail`` only on positive evidence that the code goes against its tip; when it
cannot tell it says ``absent`` or ``na`` (precision first: a false ``fail`` is the worst error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.project import Project
from ganhacks.doctor.verdict import Evidence, Verdict
from ganhacks.registry import Registry

RuleFn = Callable[[Project, DoctorConfig], Verdict]


@dataclass(frozen=True)
class Rule:
    """A static check of one tip."""

    tip: str  # tip id it checks
    name: str  # dotted name of the function
    func: RuleFn


RULES: Registry[Rule] = Registry("doctor rule")
MAX_EVIDENCE = 6  # evidence lines kept per verdict


def rule(tip: str) -> Callable[[RuleFn], RuleFn]:
    """Register the decorated function as the static rule of ``tip``."""

    def add(func: RuleFn) -> RuleFn:
        RULES.register(tip, Rule(tip, f"{func.__module__}.{func.__name__}", func))
        return func

    return add


def verdict(tip: str, kind: str, message: str, fix: str = "", evidence: tuple[Evidence, ...] | list = ()) -> Verdict:
    """A :class:`Verdict` of ``tip`` named after its rule, with duplicate evidence dropped."""
    func = RULES.get(tip).name if tip in RULES else ""
    ev = tuple(dict.fromkeys(evidence))[:MAX_EVIDENCE]
    return Verdict(tip, kind, func, message, fix, ev)
