"""Evidence: which tips help, measured over many seeds (``ganhacks bench``).

* :mod:`~ganhacks.bench.suite` — suite files (TOML): benchmarks, variants, seeds, budgets; built-in
  ``quick`` and ``full`` in ``ganhacks/bench/suites/``;
* :mod:`~ganhacks.bench.toggles` — every switchable tip, from which leave-one-out and add-one-in
  variants are derived from the presets at run time;
* :mod:`~ganhacks.bench.plan` — the jobs (benchmark x budget x variant x seed), checked before any work;
* :mod:`~ganhacks.bench.runner`, :mod:`~ganhacks.bench.backends`, :mod:`~ganhacks.bench.worker` — run
  them in local worker processes or as Ray tasks, resumable from ``results.jsonl``;
* :mod:`~ganhacks.bench.tuning` — ``--tune N``: the same Optuna search for every variant;
* :mod:`~ganhacks.bench.stats`, :mod:`~ganhacks.bench.evidence`, :mod:`~ganhacks.bench.report` —
  intervals, paired verdicts, per-tip evidence, and the report page.
"""

from ganhacks.bench.evidence import (
    load_evidence,
    measured_verdicts,
    order_by_benefit,
    tip_verdicts,
    tips_evidence,
    tips_measured,
)

__all__ = ["load_evidence", "measured_verdicts", "order_by_benefit", "tip_verdicts", "tips_evidence", "tips_measured"]
