"""The 8x8 handwritten digits that ship with scikit-learn, plain and stacked (tip T01).

``load_digits`` reads a file bundled with scikit-learn: nothing is downloaded. Pixel values
are 0..16 and are mapped to [-1, 1]. The stacked variant puts three digits into the three
channels of one image (the "stacked MNIST" test of mode collapse from VEEGAN / PacGAN):
1000 modes, labelled ``100 a + 10 b + c`` for the digits ``a, b, c`` in channels 0, 1, 2.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from ganhacks.data.dataset import Dataset
from ganhacks.data.images import check_image_size, images_from_array
from ganhacks.errors import check_positive

DIGITS_RANGE = (0.0, 16.0)  # scikit-learn's digits are 4-bit grey levels 0..16
NATIVE_SIZE = 8  # pixels per side as shipped


@lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # imported lazily: scikit-learn is slow to import

    bunch = load_digits()
    return bunch.images.astype(np.float32), bunch.target.astype(np.int64)  # (1797, 8, 8), (1797,)


def digit_images(image_size: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All 1797 digits as ``(N, 1, S, S)`` float32 in [-1, 1] and their labels 0..9 (tip T01).

    Args:
        image_size: side S in pixels; None keeps the native 8. Larger sizes are bilinear upsamples.
    """
    images, labels = _raw_digits()
    size = check_image_size(image_size)
    size = None if size == NATIVE_SIZE else size
    x = images_from_array(images, name="digits", value_range=DIGITS_RANGE, image_size=size)
    return x, torch.from_numpy(labels.copy())


def digits_dataset(image_size: int | None = None) -> Dataset:
    """The scikit-learn digits as a labelled :class:`Dataset` (10 classes), tip T01.

    Args:
        image_size: side in pixels (e.g. 16 or 32); None keeps 8.
    """
    x, y = digit_images(image_size)
    return Dataset(
        name="digits",
        x=x,
        y=y,
        num_classes=10,
        kind="images",
        class_names=tuple(str(d) for d in range(10)),
        notes=("scikit-learn 8x8 digits, 0..16 mapped to [-1, 1]",),
    )


def stack_digits(
    x: torch.Tensor, y: torch.Tensor, n: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``n`` triples of digit images and stack each triple as three channels.

    Args:
        x: single-channel digits ``(M, 1, H, W)``.
        y: their labels ``(M,)`` in 0..9.
        n: number of stacked images.
        generator: source of the random triples.

    Returns:
        ``(images (n, 3, H, W), labels (n,))`` with label ``100 a + 10 b + c``.
    """
    idx = torch.randint(len(x), (n, 3), generator=generator)  # (n, 3) source image per channel
    images = x[idx, 0]  # (n, 3, H, W): channel j is digit image idx[:, j]
    digits = y[idx]  # (n, 3)
    # label = 100 a + 10 b + c: the triple read as a three-digit number, one of 1000 modes
    labels = digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]
    return images.contiguous(), labels


def stacked_digits_dataset(n: int = 10_000, image_size: int | None = None, seed: int = 0) -> Dataset:
    """Three random digits per image, one per channel: 1000 label triples (tip T01).

    Args:
        n: number of stacked images to draw (kept in memory: n * 3 * S * S floats).
        image_size: side in pixels; None keeps 8.
        seed: seed of the draw.
    """
    n = int(check_positive("n", n))
    x, y = digit_images(image_size)
    images, labels = stack_digits(x, y, n, torch.Generator().manual_seed(int(seed)))
    return Dataset(
        name="stacked_digits",
        x=images,
        y=labels,
        num_classes=1000,
        kind="images",
        notes=("3 scikit-learn digits per image as RGB channels, label 100a+10b+c",),
    )
