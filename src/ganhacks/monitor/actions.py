"""What the monitor does about a symptom: alerts, events.jsonl records, policies (tip T10, S08).

An :class:`Alert` is raised once per symptom *episode*: the symptom first fires, and a new
alert for the same symptom comes only after it has stayed quiet for ``quiet_steps`` steps, so a
persistent failure prints one line, not thousands. Every alert and every action is appended to
``events.jsonl`` as one JSON object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ganhacks.monitor.config import SEVERITIES
from ganhacks.rundir import append_jsonl, json_safe


@dataclass(frozen=True)
class Alert:
    """One symptom episode starting at ``step`` (T10)."""

    step: int  # iteration at which the symptom fired
    symptom: str  # symptom id
    severity: str  # "warning", "error", "critical"
    message: str  # plain-language description
    tips: tuple[str, ...]  # remedy tip ids
    evidence: dict[str, Any] = field(default_factory=dict)  # the numbers behind it

    def line(self) -> str:
        """One console line: ``[monitor] step 120 ERROR grad_explode: ... (tips T10, S08)``."""
        return (
            f"[monitor] step {self.step} {self.severity.upper()} {self.symptom}: {self.message} "
            f"Remedies: {', '.join(self.tips)} (see 'ganhacks tips {' '.join(self.tips[:2])}')"
        )

    def record(self) -> dict[str, Any]:
        """The events.jsonl form."""
        return {"event": "alert", **asdict(self), "tips": list(self.tips)}


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
