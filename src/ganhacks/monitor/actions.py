"""What the monitor does about a symptom: alerts, events.jsonl records, policies (tip T10, S08).

An :class:`Alert` is raised once per *incident* (:mod:`ganhacks.monitor.incidents`): the first
root symptom opens it and prints one line with the likely cause, the evidence and the remedy tips;
the symptoms that follow from it are folded into it, and a symptom alerts again only after it has
stayed quiet for ``quiet_steps`` steps, so a persistent failure prints one line, not thousands.
Every alert, folded symptom and action is appended to ``events.jsonl`` as one JSON object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ganhacks.monitor.config import SEVERITIES
from ganhacks.rundir import append_jsonl, json_safe
from ganhacks.tips import TIPS_BY_ID


@dataclass(frozen=True)
class Alert:
    """The opening of one incident at ``step`` by its root symptom (T10)."""

    step: int  # iteration at which the symptom fired
    symptom: str  # symptom id
    severity: str  # "warning", "error", "critical"
    message: str  # plain-language description
    tips: tuple[str, ...]  # remedy tip ids, best measured first (remedies.rank_tips)
    evidence: dict[str, Any] = field(default_factory=dict)  # the numbers behind it
    cause: str = ""  # the likely cause, plain language
    incident: int = 0  # the incident this alert opened (1, 2, ...)
    reported: int = 0  # step at which it was alerted (a root is held back settle_steps steps; 0: at ``step``)

    def line(self) -> str:
        """One console line: step, severity, symptom, what is seen, likely cause, evidence, remedies."""
        tips = ", ".join(f"{t} ({TIPS_BY_ID[t].title})" if t in TIPS_BY_ID else t for t in self.tips)
        cause = f" Likely cause: {self.cause}." if self.cause else ""
        now = self.reported or self.step
        seen = f", first seen at step {self.step}" if now != self.step else ""
        return (
            f"[monitor] step {now} {self.severity.upper()} {self.symptom} (incident {self.incident}{seen}): "
            f"{self.message}{cause} Evidence: {evidence_text(self.evidence)}. Try: {tips} "
            f"(ganhacks tips {' '.join(self.tips[:2])})"
        )

    def record(self) -> dict[str, Any]:
        """The events.jsonl form."""
        return {"event": "alert", **asdict(self), "tips": list(self.tips)}


def evidence_text(evidence: dict[str, Any], limit: int = 6) -> str:
    """``key=value`` pairs of the evidence, numbers rounded, at most ``limit`` of them."""

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3g}"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(fmt(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {fmt(x)}" for k, x in v.items()) + "}"
        return str(v)

    items = [(k, v) for k, v in evidence.items() if v is not None]
    return ", ".join(f"{k}={fmt(v)}" for k, v in items[:limit]) or "-"


def at_least(severity: str, floor: str) -> bool:
    """True when ``severity`` ranks at or above ``floor`` (info < warning < error < critical)."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(floor)


class EventLog:
    """Appends events to ``path`` (``events.jsonl``); keeps them in memory when ``path`` is None."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.records: list[dict[str, Any]] = []  # written by this process
        self.written_before = 0  # lines already in the file when a resumed run took over

    @property
    def count(self) -> int:
        """Events written over the whole run, resumes included."""
        return self.written_before + len(self.records)

    def write(self, record: dict[str, Any]) -> None:
        """Append one event (NaN/Inf become strings so the line stays valid JSON)."""
        record = json_safe(record)
        self.records.append(record)
        if self.path is not None:
            append_jsonl(self.path, record)


def print_alert(alert: Alert, stream: TextIO | None) -> None:
    """One line per episode on ``stream`` (nothing when ``stream`` is None)."""
    if stream is not None:
        print(alert.line(), file=stream, flush=True)
