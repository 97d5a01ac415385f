"""Metrics during training: a trainer callback that measures G every N steps (tips T10, S08).

Turned on by ``train.eval_every`` (``--set train.eval_every=500``). At each evaluation it draws
``train.eval_n`` samples from G (its EMA when kept) at a fixed seed, compares them with a fixed
real subset whose features are extracted once, and adds the values to the step's logs as
``eval/<name>`` so metrics.jsonl, the monitor's history and ``ganhacks report`` all see them.
A G that has produced NaN gets NaN metrics and a note, never a crashed run: spotting that is the
monitor's job.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

from ganhacks.errors import UserError
from ganhacks.metrics.evaluate import EvalConfig, evaluate_features, parse_metrics
from ganhacks.metrics.extractors import extract, resolve_extractor
from ganhacks.metrics.runs import Reference, generated, reference, resolve_metrics
from ganhacks.train.callbacks.base import Callback

if TYPE_CHECKING:
    from ganhacks.train.loop import Trainer

PREFIX = "eval/"  # key prefix of the values this callback adds to the logs


class EvalCallback(Callback):
    """Computes the chosen metrics every ``every`` steps and at the last step.

    Args:
        every: steps between evaluations (> 0).
        metrics: comma-separated names from :data:`ganhacks.metrics.METRICS`, or "auto"
            (mixtures: modes, pr, dc; images: fid, kid, pr, dc).
        n: generated and real samples per evaluation (FID is comparable only at equal n).
        seed: seed of the fixed z and of the real subset.
        extractor: as in :func:`ganhacks.metrics.evaluate` ("auto" by default).
    """

    def __init__(
        self, every: int, metrics: str = "auto", n: int = 1000, seed: int = 0, extractor: str = "auto"
    ) -> None:
        if every < 1 or n < 2:
            raise UserError(f"evaluation needs every >= 1 and n >= 2; got every={every}, n={n}")
        self.every, self.metrics_spec, self.n, self.seed, self.extractor_spec = every, metrics, n, seed, extractor
        self.config = EvalConfig(seed=seed)
        self._ref: Reference | None = None
        self._keys: list[str] = []  # value names of the last evaluation (reused for NaN results)

    def on_fit_start(self, trainer: Trainer) -> None:
        if self._ref is not None:
            return
        self._ref = reference(trainer.dataset, self.n, self.seed)
        self.names = parse_metrics(resolve_metrics(self.metrics_spec, self._ref))
        self._extractor = resolve_extractor(self.extractor_spec, self._ref.real)
        self._real, real_probs = extract(self._extractor, self._ref.real, "real", self.config.batch_size)
        # the metrics of the reals against themselves: a setting they cannot work with (too few samples
        # for FID's covariance, "is" without class probabilities) fails now, not as NaN at every evaluation
        self._keys = list(
            evaluate_features(
                self._real,
                self._real,
                self.names,
                fake_probs=real_probs,
                fake_samples=self._ref.real,
                mode_centers=self._ref.mode_centers,
                mode_std=self._ref.mode_std,
                config=self.config,
            )
        )

    def on_step_end(self, trainer: Trainer, step: int, logs: dict[str, Any]) -> None:
        if step % self.every == 0 or step == trainer.total_steps:
            logs.update({PREFIX + k: v for k, v in self.measure(trainer).items()})

    def measure(self, trainer: Trainer) -> dict[str, float]:
        """The metric values of G now (NaN for every metric when G's samples are not finite)."""
        assert self._ref is not None, "on_fit_start prepares the reference first"
        fake = generated(trainer, self.n, self.seed + 1)
        ref = self._ref
        try:
            feats, probs = extract(self._extractor, fake, "fake", self.config.batch_size)
            values = evaluate_features(
                feats,
                self._real,
                self.names,
                fake_probs=probs,
                fake_samples=fake,
                mode_centers=ref.mode_centers,
                mode_std=ref.mode_std,
                config=self.config,
            )
        except UserError as exc:  # NaN or out-of-range samples from a diverged G
            print(f"[eval] step {trainer.step}: metrics skipped ({exc})", file=sys.stderr)
            return {key: math.nan for key in self._keys}
        self._keys = list(values)
        return values
