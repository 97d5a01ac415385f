"""``ganhacks doctor``: check a user's own GAN code against the 17 tips (T01..T17).

Two halves:

* a static audit (:func:`audit`) that reads source with :mod:`ast` and never imports or runs it:
  one verdict per tip (pass / fail / absent / na) with file:line evidence and a fix. Values are
  traced through the code (:mod:`ganhacks.doctor.values`), so the verdicts survive how the code is
  spelled; mechanical fixes can be applied with libcst (:mod:`ganhacks.doctor.fix`);
* an opt-in model probe (:func:`probe`) that does run the user's G and D on one batch.
"""

from __future__ import annotations

from ganhacks.doctor.audit import audit
from ganhacks.doctor.config import DoctorConfig, load_config
from ganhacks.doctor.report import Report, UnitReport
from ganhacks.doctor.verdict import VERDICTS, Evidence, Verdict

__all__ = [
    "audit",
    "probe",
    "tips_checked",
    "DoctorConfig",
    "load_config",
    "Report",
    "UnitReport",
    "Verdict",
    "Evidence",
    "VERDICTS",
]


def probe(*args, **kwargs):
    """Run the model probe (see :func:`ganhacks.doctor.probe.probe`); imports torch lazily."""
    from ganhacks.doctor.probe import probe as _probe

    return _probe(*args, **kwargs)


def tips_checked() -> dict[str, list[str]]:
    """Tip id -> dotted names of the static rules and probe checks that check it (for ``ganhacks tips``)."""
    from ganhacks.doctor.probe import PROBE_CHECKS
    from ganhacks.doctor.rules import RULES

    out: dict[str, list[str]] = {}
    for tip in RULES.names():
        out.setdefault(tip, []).append(RULES.get(tip).name)
    for tip, names in PROBE_CHECKS.items():
        out.setdefault(tip, []).extend(names)
    return out
