"""Static rules, one per tip (T01..T17), grouped by tip family; :func:`run_rules` runs them on a unit.

Rules read the shared facts of a :class:`~ganhacks.doctor.project.Project` and the answers of
:mod:`ganhacks.doctor.detect`; none re-parses a file.
"""

from __future__ import annotations

from ganhacks.doctor.config import DoctorConfig
from ganhacks.doctor.project import Project
from ganhacks.doctor.rules import architecture, conditional, data, latent, loss, optim, schedule
from ganhacks.doctor.rules.registry import RULES, Rule, rule, verdict
from ganhacks.doctor.verdict import Verdict

FAMILIES = (data, loss, latent, architecture, optim, schedule, conditional)  # every module that registers rules

__all__ = ["RULES", "Rule", "rule", "run_rules", "verdict", "FAMILIES"]


def run_rules(p: Project, cfg: DoctorConfig) -> list[Verdict]:
    """Run every selected rule on one unit, in tip order."""
    tips = [tip for tip in sorted(RULES.names()) if cfg.wants(tip)]
    if not p.models and not p.role_calls:  # not GAN code (a classifier, a utils module): nothing applies
        return [verdict(tip, "na", "no generator or discriminator found in this code") for tip in tips]
    return [RULES.get(tip).func(p, cfg) for tip in tips]
