"""What an audit returns: units of files with one verdict per tip, and per-file problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from ganhacks.doctor.verdict import VERDICTS, Verdict
from ganhacks.doctor.walk import Problem


@dataclass
class UnitReport:
    """The verdicts for one unit (files linked by local imports, or the probe of one G/D pair)."""

    name: str
    files: tuple[str, ...]
    verdicts: list[Verdict]

    @property
    def gan_code(self) -> bool:
        """Whether anything GAN-related was found (some verdict is pass or fail)."""
        return any(v.verdict in {"pass", "fail"} for v in self.verdicts)


@dataclass
class Report:
    """The result of ``ganhacks doctor``."""

    units: list[UnitReport]
    problems: list[Problem] = field(default_factory=list)
    files_audited: int = 0

    def counts(self) -> dict[str, int]:
        """How many verdicts of each kind (suppressed fails counted apart)."""
        out = {k: 0 for k in VERDICTS} | {"suppressed": 0}
        for u in self.units:
            for v in u.verdicts:
                out["suppressed" if v.suppressed else v.verdict] += 1
        return out

    @property
    def exit_code(self) -> int:
        """2 when nothing could be audited (every file skipped), 1 when some tip fails (not suppressed), else 0."""
        if self.files_audited == 0:
            return 2
        return int(any(v.failing for u in self.units for v in u.verdicts))
