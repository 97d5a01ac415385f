"""Fair tuning (``--tune N``, the lesson of Lucic et al. 2018): every variant gets the same N-trial
Optuna search (TPE, seeded) over its learning rates, and its penalty weight where it has one,
on tuning seeds kept apart from the evaluation seeds, before its evaluation seeds run.

The search is rebuilt from the results file before each trial: the finished trials are added to a
fresh in-memory study, and the next trial's values come from a TPE sampler seeded by the cell and
the trial number. So the values of trial K depend only on trials 0..K-1 and their results: a
killed suite resumes with the same choices, and nothing but ``results.jsonl`` holds the state.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
import zlib
from types import ModuleType
from typing import Any

from ganhacks.bench.benchmarks import direction, get_benchmark
from ganhacks.bench.plan import TuneCell
from ganhacks.errors import UserError

STARTUP_SHARE = 3  # the first max(2, N // STARTUP_SHARE) trials are random (TPE's start-up), the rest TPE


def require_optuna() -> None:
    """Raise a :class:`UserError` saying how to install Optuna when it is missing."""
    if importlib.util.find_spec("optuna") is None:
        raise UserError("--tune needs Optuna: pip install 'ganhacks[optuna]'")


def _optuna() -> ModuleType:
    """Optuna, an optional extra imported when a search runs (a suite without --tune never pays for it)."""
    require_optuna()
    optuna = importlib.import_module("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def trial_seed(cell: TuneCell, k: int) -> int:
    """The sampler seed of trial ``k`` of ``cell``: stable across processes and Python runs."""
    return zlib.crc32(f"{cell.key}/tune{cell.trials}/{k}".encode())


def objective(cell: TuneCell, record: dict[str, Any]) -> float | None:
    """The value the search maximises for a finished trial (None: the trial failed)."""
    bench = get_benchmark(cell.benchmark)
    value = record.get("metrics", {}).get(bench.primary)
    if record.get("status") != "ok" or not isinstance(value, (int, float)):
        return None
    sign = direction(bench.primary) or 1
    return sign * float(value)


def _distributions(optuna: ModuleType, cell: TuneCell) -> dict[str, Any]:
    return {key: optuna.distributions.FloatDistribution(low, high, log=True) for key, low, high in cell.space}


def next_params(cell: TuneCell, done: list[dict[str, Any]]) -> dict[str, str]:
    """The overrides (``section.field -> value``) of the next trial, given the finished trials in order."""
    optuna = _optuna()
    dists = _distributions(optuna, cell)
    k = len(done)
    sampler = optuna.samplers.TPESampler(
        seed=trial_seed(cell, k), n_startup_trials=max(2, cell.trials // STARTUP_SHARE)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna's experimental-feature notices
        study = optuna.create_study(direction="maximize", sampler=sampler)
        for r in done:
            value = objective(cell, r)
            params = {key: float(r["params"][key]) for key in dists}
            state = optuna.trial.TrialState.COMPLETE if value is not None else optuna.trial.TrialState.FAIL
            study.add_trial(optuna.trial.create_trial(state=state, value=value, params=params, distributions=dists))
        trial = study.ask(dists)
    return {key: repr(float(trial.params[key])) for key in dists}


def best_params(cell: TuneCell, done: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, Any]]:
    """The values of the best finished trial, and a summary; when every trial failed, none (the variant's own)."""
    scored = [(objective(cell, r), r) for r in done]
    ok = [(v, r) for v, r in scored if v is not None]
    if not ok:
        return {}, {"trials": len(done), "failed": len(done), "best": None}
    value, record = max(ok, key=lambda vr: vr[0])
    summary = {"trials": len(done), "failed": len(done) - len(ok), "best": record["job"], "objective": value}
    return dict(record["params"]), summary
