"""One diagnosis per incident (tip T10): the first root symptom opens it, its consequences fold in.

A failing run rarely shows one symptom: D wins, then its loss gets spiky, then the samples
collapse. Alerting on each would bury the diagnosis. An :class:`Incident` is opened by the first
symptom that does not follow from an open incident; a later symptom that is a known consequence
(:attr:`ganhacks.monitor.symptoms.Symptom.follows`) of a symptom already in the incident is
folded into its record (events.jsonl ``folded``, the report's timeline) and not alerted again.
An incident stays open while any of its symptoms keeps firing, and closes after ``quiet_steps``
steps without one.

A sudden failure often trips several symptoms within a few steps, and the first to trip is not
always the root (samples collapse at once when D's outputs saturate, before the gradients' median
has fallen). So a new root is *held back* for ``settle_steps`` (a :class:`Suspect`): a symptom that
follows from it joins it, and a symptom it follows from takes its place as the cause; when each
is listed as a consequence of the other (spikes and NaN, oscillation and collapse), the one earlier
in the order of diagnosis is the cause. Critical symptoms (NaN) are never held back, nor is a root that one
has joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ganhacks.monitor.config import SEVERITIES
from ganhacks.monitor.symptoms import SYMPTOMS, Symptom


@dataclass
class Incident:
    """One diagnosed problem of a run: its root symptom and what followed from it."""

    number: int  # 1, 2, ... in the order opened
    step: int  # step at which the problem was first seen (its first symptom fired)
    cause: str  # root symptom id
    severity: str  # the worst severity among its symptoms
    last_step: int  # newest step at which any of its symptoms fired
    folded: list[dict[str, Any]] = field(default_factory=list)  # {"step", "symptom", "severity"} that followed
    reported: int = 0  # step at which it was alerted (after settle_steps)

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
            "reported": self.reported,
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
            int(r.get("reported", r["step"])),
        )


@dataclass
class Suspect:
    """A root symptom held back for ``settle_steps`` before its incident is opened, with what joined it."""

    step: int  # step at which it fired
    cause: str  # root symptom id (may be replaced by a symptom it turns out to follow from)
    evidence: dict[str, Any]  # the root's evidence
    members: list[dict[str, Any]] = field(default_factory=list)  # {"step", "symptom", "severity", "evidence"}

    @property
    def symptoms(self) -> set[str]:
        return {self.cause, *(m["symptom"] for m in self.members)}


def _member(step: int, symptom: Symptom, evidence: dict[str, Any]) -> dict[str, Any]:
    return {"step": step, "symptom": symptom.id, "severity": symptom.severity, "evidence": evidence}


def _earlier(a: str, b: str) -> bool:
    """Whether symptom ``a`` comes before ``b`` in the order of diagnosis (the registry's order)."""
    order = list(SYMPTOMS)
    return order.index(a) < order.index(b)


def worse(a: str, b: str) -> str:
    """The more severe of two severities."""
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


class Incidents:
    """The incidents of a run; routes each firing symptom to an open incident or a new one."""

    def __init__(self, quiet_steps: int, settle_steps: int = 0) -> None:
        self.quiet_steps = quiet_steps
        self.settle_steps = settle_steps
        self.all: list[Incident] = []
        self.suspects: list[Suspect] = []  # roots held back, not alerted yet

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

    def hold(self, step: int, symptom: Symptom, evidence: dict[str, Any]) -> bool:
        """File a new symptom with the held-back roots; False when it must open its own incident now.

        It joins a suspect it follows from; it becomes the cause of a suspect whose cause follows from
        it (also when each follows from the other and it comes first in the order of diagnosis); a
        critical symptom that does neither is never held back.
        """
        for sus in self.suspects:
            if symptom.id not in sus.symptoms and sus.symptoms & set(symptom.follows):
                root = SYMPTOMS.get(sus.cause)
                mutual = sus.cause in symptom.follows and symptom.id in root.follows
                if mutual and _earlier(symptom.id, sus.cause):
                    sus.members.insert(0, _member(sus.step, root, sus.evidence))
                    sus.cause, sus.evidence = symptom.id, evidence
                    return True
            if symptom.id in sus.symptoms or sus.symptoms & set(symptom.follows):
                sus.members.append(_member(step, symptom, evidence))
                return True
        for sus in self.suspects:
            root = SYMPTOMS.get(sus.cause)
            if symptom.id in root.follows and sus.cause not in symptom.follows:
                sus.members.insert(0, _member(sus.step, root, sus.evidence))
                sus.cause, sus.evidence = symptom.id, evidence
                return True
        if symptom.severity == "critical" or self.settle_steps == 0:
            return False
        self.suspects.append(Suspect(step, symptom.id, evidence))
        return True

    def due(self, step: int, flush: bool = False) -> list[Suspect]:
        """The suspects whose settle time is over (all of them with ``flush``), removed from the waiting list.

        A suspect a critical symptom has joined is due at once: a broken run (NaN) is never held back, whichever
        symptom turns out to be its cause.
        """
        if not self.suspects:  # almost every step
            return []
        ready = [
            s
            for s in self.suspects
            if flush or step - s.step >= self.settle_steps or any(m["severity"] == "critical" for m in s.members)
        ]
        self.suspects = [s for s in self.suspects if s not in ready]
        return ready

    def open(self, step: int, symptom: Symptom, reported: int | None = None) -> Incident:
        """A new incident with ``symptom`` as its root, first seen at ``step`` (alerted at ``reported``)."""
        inc = Incident(len(self.all) + 1, step, symptom.id, symptom.severity, step)
        inc.reported = step if reported is None else reported
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

    def state_dict(self) -> dict[str, Any]:
        return {
            "incidents": [i.record() for i in self.all],
            "suspects": [
                {"step": s.step, "cause": s.cause, "evidence": s.evidence, "members": s.members} for s in self.suspects
            ],
        }

    def load_state_dict(self, state: dict[str, Any] | list[dict[str, Any]]) -> None:
        state = {"incidents": state} if isinstance(state, list) else state  # a checkpoint of the first layout
        self.all = [Incident.from_record(r) for r in state.get("incidents", [])]
        self.suspects = [
            Suspect(int(s["step"]), str(s["cause"]), dict(s["evidence"]), [dict(m) for m in s["members"]])
            for s in state.get("suspects", [])
        ]
