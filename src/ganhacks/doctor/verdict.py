"""The doctor's verdict vocabulary: one :class:`Verdict` per tip (T01..T17), with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# pass: the code follows the tip; fail: it goes against it; absent: an optional trick it does
# not use (or a check that cannot tell); na: the tip does not apply (e.g. T02 for a WGAN critic).
VERDICTS: tuple[str, ...] = ("pass", "fail", "absent", "na")


@dataclass(frozen=True)
class Evidence:
    """Where a verdict comes from: a file and 1-based line (``line`` 0 for probe findings)."""

    path: str  # file path as given on the command line (or "<probe>")
    line: int  # 1-based line, 0 when not tied to a line
    snippet: str = ""  # the stripped source line or a short description


@dataclass(frozen=True)
class Verdict:
    """The result of checking one tip.

    Attributes:
        tip: tip id, e.g. "T05".
        verdict: one of :data:`VERDICTS`.
        rule: dotted name of the rule function that decided it.
        message: one line: what was found.
        fix: one line: what to do (empty when nothing to do).
        evidence: the lines that support the verdict.
        suppressed: a failing verdict silenced by ``# ganhacks: ignore[T..]`` on its evidence.
    """

    tip: str
    verdict: str
    rule: str
    message: str
    fix: str = ""
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    suppressed: bool = False

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {self.verdict!r}")

    @property
    def failing(self) -> bool:
        """A fail that counts for the exit code (not suppressed)."""
        return self.verdict == "fail" and not self.suppressed

    def suppress(self) -> Verdict:
        return replace(self, suppressed=True)

    def to_dict(self) -> dict:
        return {
            "tip": self.tip,
            "verdict": self.verdict,
            "rule": self.rule,
            "message": self.message,
            "fix": self.fix,
            "suppressed": self.suppressed,
            "evidence": [{"path": e.path, "line": e.line, "snippet": e.snippet} for e in self.evidence],
        }
