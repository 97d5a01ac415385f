"""Sample pictures: an image grid (Pillow) or a scatter of 2-D points over the real data (matplotlib)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image


def image_grid(images: torch.Tensor, columns: int | None = None, pad: int = 1) -> np.ndarray:
    """Tile ``(N, C, H, W)`` images in [-1, 1] into one uint8 array ``(rows*(H+pad), cols*(W+pad), C)``."""
    n, c, h, w = images.shape
    cols = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    pixels = ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)  # [-1,1] -> 0..255
    grid = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad, c), dtype=np.uint8)
    for i in range(n):
        r, k = divmod(i, cols)
        top, left = pad + r * (h + pad), pad + k * (w + pad)
        grid[top : top + h, left : left + w] = pixels[i].permute(1, 2, 0).numpy()
    return grid


def save_samples(path: Path, samples: torch.Tensor, dataset, title: str = "", upscale: int = 0) -> None:
    """Write ``samples`` as a PNG: an image grid, or for points a scatter over the real data."""
    if samples.dim() == 4:
        grid = image_grid(samples)
        scale = upscale or max(1, 256 // max(grid.shape[:2]))  # small digits are hard to see at 1:1
        img = Image.fromarray(grid[..., 0] if grid.shape[2] == 1 else grid)
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
        img.save(path)
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    real = dataset.x[:2000].numpy()
    fake = samples.detach().float().cpu().numpy()
    ax.scatter(real[:, 0], real[:, 1], s=2, c="tab:blue", alpha=0.3, label="real")
    ax.scatter(fake[:, 0], fake[:, 1], s=2, c="tab:red", alpha=0.6, label="generated")
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
