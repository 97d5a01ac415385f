"""Train the digits classifier shipped in ``ganhacks/assets`` (deterministic, a few seconds on CPU).

Run ``python -m ganhacks.metrics.train_classifier`` to rebuild the weights; it prints the held-out
accuracy. The same seed, split and thread count give bit-identical weights.

Example:
    python -m ganhacks.metrics.train_classifier --out src/ganhacks/assets/digits_cnn.safetensors
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from ganhacks.metrics.classifier import DigitsCNN, DigitsSplit, default_weights_path, digits_split


@dataclass(frozen=True)
class TrainConfig:
    """Settings of the classifier's training run."""

    epochs: int = 30  # passes over the 1437 training digits
    batch_size: int = 64  # images per step
    lr: float = 2e-3  # Adam learning rate, cosine-decayed to 0
    weight_decay: float = 1e-4  # L2 on all weights (AdamW)
    max_shift: int = 1  # random translation in pixels (augmentation), background-padded
    noise_std: float = 0.05  # Gaussian pixel noise added during training (augmentation)
    seed: int = 0  # seeds initialisation, batches and augmentation


def random_shift(x: torch.Tensor, max_shift: int, gen: torch.Generator) -> torch.Tensor:
    """Translate each image (N, 1, H, W) by up to ``max_shift`` pixels, filling with background (-1)."""
    if max_shift == 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)  # (N, 1, H + 2s, W + 2s)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(h)[None, :])[:, None, :, None].expand(n, 1, h, w + 2 * max_shift)
    cropped = padded.gather(2, rows)  # (N, 1, H, W + 2s)
    cols = (dx[:, None] + torch.arange(w)[None, :])[:, None, None, :].expand(n, 1, h, w)
    return cropped.gather(3, cols)  # (N, 1, H, W)


def accuracy(model: DigitsCNN, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of images whose arg-max class equals the label."""
    with torch.inference_mode():
        return (model(x).argmax(1) == y).double().mean().item()


def train(split: DigitsSplit, cfg: TrainConfig = TrainConfig()) -> DigitsCNN:
    """Train a :class:`DigitsCNN` on ``split.x_train`` with cross-entropy; deterministic for a fixed seed.

    Args:
        split: the data (see :func:`ganhacks.metrics.classifier.digits_split`).
        cfg: the training settings.

    Returns:
        The trained model in eval mode.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # fixed reduction order: identical weights on any machine size
    try:
        torch.manual_seed(cfg.seed)
        gen = torch.Generator().manual_seed(cfg.seed)
        model = DigitsCNN()
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        n = len(split.y_train)
        steps = cfg.epochs * ((n + cfg.batch_size - 1) // cfg.batch_size)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
        model.train()
        for _ in range(cfg.epochs):
            order = torch.randperm(n, generator=gen)
            for start in range(0, n, cfg.batch_size):
                idx = order[start : start + cfg.batch_size]
                x = random_shift(split.x_train[idx], cfg.max_shift, gen)
                x = x + cfg.noise_std * torch.randn(x.shape, generator=gen)
                loss = F.cross_entropy(model(x), split.y_train[idx])  # -log softmax(logits)[y]
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
    finally:
        torch.set_num_threads(threads)
    model.eval()
    model.requires_grad_(False)
    with torch.inference_mode():
        mean_square = model.hidden(split.x_train).square().mean()  # E ||h||^2 / D on the training digits
    model.feature_scale.fill_(float(mean_square.rsqrt()))
    return model


def save(model: DigitsCNN, path: Path) -> None:
    """Write the model's tensors to a safetensors file."""
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the digits classifier used by ganhacks metrics.")
    parser.add_argument("--out", type=Path, default=default_weights_path(), help="output .safetensors file")
    parser.add_argument("--seed", type=int, default=TrainConfig.seed, help="training seed")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    split = digits_split()
    model = train(split, TrainConfig(seed=args.seed))
    seconds = time.perf_counter() - start
    save(model, args.out)
    print(
        f"held-out accuracy {accuracy(model, split.x_test, split.y_test):.4f} on {len(split.y_test)} digits "
        f"(train {accuracy(model, split.x_train, split.y_train):.4f}); trained in {seconds:.1f} s; wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
