"""One diagnosis per incident (tip T10): the first root symptom opens it, its consequences fold in.

A failing run rarely shows one symptom: D wins, then its loss gets spiky, then the samples
collapse. Alerting on each would bury the diagnosis. An :class:`Incident` is opened by the first
symptom that does not follow from an open incident; a later symptom that is a known consequence
(:attr:`ganhacks.monitor.symptoms.Symptom.follows`) of a symptom already in the incident is
folded into its record (events.jsonl ``folded``, the report's timeline) and not alerted again.
An incident stays open while any of its symptoms keeps firing, and closes after ``quiet_steps``
steps without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ganhacks.monitor.config import SEVERITIES
from ganhacks.monitor.symptoms import Symptom


@dataclass
class Incident:
    """One diagnosed problem of a run: its root symptom and what followed from it."""

    number: int  # 1, 2, ... in the order opened
    step: int  # step at which the root symptom fired
    cause: str  # root symptom id
    severity: str  # the worst severity among its symptoms
    last_step: int  # newest step at which any of its symptoms fired
    folded: list[dict[str, Any]] = field(default_factory=list)  # {"step", "symptom", "severity"} that followed

    @property
    def symptoms(self) -> set[str]:
        """The root and every folded symptom."""
        return {self.cause, *(f["symptom"] for f in self.folded)}

    def record(self) -> dict[str, Any]:
        """Plain data (checkpoints, the benchmark's JSON)."""
        return {
            "number": self.number,
            "step": self.step,
            "cause": self.cause,
            "severity": self.severity,
            "last_step": self.last_step,
            "folded": [dict(f) for f in self.folded],
        }

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> Incident:
        """Inverse of :meth:`record`."""
        return cls(
            int(r["number"]),
            int(r["step"]),
            str(r["cause"]),
            str(r["severity"]),
            int(r["last_step"]),
            [dict(f) for f in r.get("folded", [])],
        )


def worse(a: str, b: str) -> str:
    """The more severe of two severities."""
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


class Incidents:
    """The incidents of a run; routes each firing symptom to an open incident or a new one."""

    def __init__(self, quiet_steps: int) -> None:
        self.quiet_steps = quiet_steps
        self.all: list[Incident] = []

    def open_at(self, step: int) -> list[Incident]:
        """Incidents still open at ``step`` (a symptom of theirs fired within ``quiet_steps``)."""
        return [i for i in self.all if step - i.last_step <= self.quiet_steps]

    def owner(self, step: int, symptom: Symptom) -> Incident | None:
        """The open incident ``symptom`` belongs to: one that holds it, or one holding a symptom it follows."""
        for inc in reversed(self.open_at(step)):
            held = inc.symptoms
            if symptom.id in held or held & set(symptom.follows):
                return inc
        return None

    def seen(self, step: int, symptom: Symptom) -> Incident | None:
        """A symptom fired again within its episode: keep its incident open. Returns that incident."""
        inc = self.owner(step, symptom)
        if inc is not None:
            inc.last_step = step
        return inc

    def open(self, step: int, symptom: Symptom) -> Incident:
        """A new incident with ``symptom`` as its root."""
        inc = Incident(len(self.all) + 1, step, symptom.id, symptom.severity, step)
        self.all.append(inc)
        return inc

    @staticmethod
    def fold(inc: Incident, step: int, symptom: Symptom) -> None:
        """Record ``symptom`` as a consequence inside ``inc`` (one entry per episode)."""
        inc.folded.append({"step": step, "symptom": symptom.id, "severity": symptom.severity})
        inc.severity = worse(inc.severity, symptom.severity)
        inc.last_step = step

    def close_all(self, step: int) -> None:
        """Close every open incident (after a rollback the old evidence no longer describes the run)."""
        for inc in self.open_at(step):
            inc.last_step = step - self.quiet_steps - 1

    def state_dict(self) -> list[dict[str, Any]]:
        return [i.record() for i in self.all]

    def load_state_dict(self, state: list[dict[str, Any]]) -> None:
        self.all = [Incident.from_record(r) for r in state]
