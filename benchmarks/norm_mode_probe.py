"""How a finished point run's G scores with its batch norm in each mode (the probe behind model.g_norm_freeze).

    python benchmarks/norm_mode_probe.py RUN [RUN ...]

For each run folder (a 2-D mixture run of `ganhacks train`), scores 2,560 samples of G with PacGAN's
mixture definitions three ways and prints one JSON line: in eval mode (the running statistics, how G is
sampled), in training mode (each batch of 256 normalised by its own statistics, what D judged during
training), and in eval mode after the running statistics were recomputed as a plain average over 200
fresh batches (to tell a stale running average from the batch noise itself). The run folder is not
changed.
"""

from __future__ import annotations

import json
import sys

import torch
from torch import nn

from ganhacks.metrics.modes import mixture_modes
from ganhacks.train.run import load_trained
from ganhacks.tricks.norm_freeze import batch_norms


def probe(run: str, n: int = 2560, batch: int = 256, recalibrate: int = 200) -> dict:
    trainer, _ = load_trained(run)
    mix = trainer.dataset.mixture
    if mix is None:
        raise SystemExit(f"{run} is not a run on a 2-D mixture (ring8, grid25)")
    g: nn.Module = trainer.G
    gen = torch.Generator().manual_seed(1)
    z = trainer.sample_z(n, trainer.config.model.z_dim, generator=gen)

    def score(x: torch.Tensor) -> dict:
        m = mixture_modes(mix.from_unit(x).double(), mix.centers, mix.std)
        return {k: m[k] for k in ("modes_covered", "high_quality", "reverse_kl_hq")}

    out: dict = {"run": run, "steps": trainer.step}
    with torch.no_grad():
        g.eval()
        out["eval_mode"] = score(g(z, None))
        g.train()
        out["train_mode"] = score(torch.cat([g(zc, None) for zc in z.split(batch)]))
        for layer in batch_norms(g):
            layer.reset_running_stats()
            layer.momentum = None  # a cumulative average over the batches below
        for _ in range(recalibrate):
            g(trainer.sample_z(batch, trainer.config.model.z_dim, generator=gen), None)
        g.eval()
        out["recalibrated"] = score(g(z, None))
    return out


def main(argv: list[str]) -> int:
    torch.set_num_threads(1)
    if not argv:
        raise SystemExit(__doc__)
    for run in argv:
        print(json.dumps(probe(run)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
