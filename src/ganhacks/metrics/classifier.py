"""The small digits classifier that gives features and class probabilities for digit data.

scikit-learn ships the UCI handwritten digits (1797 images, 8x8, integer values 0..16). A tiny
CNN trained on them (see :mod:`ganhacks.metrics.train_classifier`) plays the role Inception v3
plays for natural images: its penultimate layer (64 numbers) feeds FID, KID, precision/recall,
density/coverage and NDB; its softmax feeds the Inception Score and the stacked-digit mode count.

The trained weights ship inside the package as ``ganhacks/assets/digits_cnn.safetensors``
(tensors only, never pickled objects).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganhacks.errors import UserError

WEIGHTS_NAME = "digits_cnn.safetensors"  # file name inside ganhacks/assets/
DIGITS_SIZE = 8  # the sklearn digits are 8x8 pixels
DIGITS_MAX = 16.0  # their pixel values are integers 0..16
LEAK = 0.2  # LeakyReLU slope: no dead units, so every feature dimension varies (a ReLU net left 36 of 64 at 0)


@dataclass(frozen=True)
class DigitsSplit:
    """The fixed train / held-out split of the sklearn digits, images in [-1, 1]."""

    x_train: torch.Tensor  # (N_train, 1, 8, 8) float32 in [-1, 1]
    y_train: torch.Tensor  # (N_train,) int64 digit labels 0..9
    x_test: torch.Tensor  # (N_test, 1, 8, 8) float32 in [-1, 1]
    y_test: torch.Tensor  # (N_test,) int64 digit labels 0..9


def digits_to_signed_unit(pixels: np.ndarray) -> torch.Tensor:
    """Map sklearn digit pixels (0..16, shape (N, 64) or (N, 8, 8)) to images (N, 1, 8, 8) in [-1, 1].

    Example:
        >>> digits_to_signed_unit(np.full((1, 64), 16.0)).max().item()
        1.0
    """
    x = torch.as_tensor(np.asarray(pixels, dtype=np.float32)).reshape(-1, 1, DIGITS_SIZE, DIGITS_SIZE)
    return x / (DIGITS_MAX / 2) - 1.0  # 0..16 -> -1..1


def load_digits_images() -> tuple[torch.Tensor, torch.Tensor]:
    """All 1797 sklearn digits as images (N, 1, 8, 8) in [-1, 1] and their labels (N,)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return digits_to_signed_unit(bunch.data), torch.as_tensor(bunch.target, dtype=torch.int64)


def digits_split(test_fraction: float = 0.2, seed: int = 0) -> DigitsSplit:
    """The stratified train / held-out split used to train and to check the shipped classifier.

    Args:
        test_fraction: share of each class kept out of training.
        seed: seed of the split; the shipped weights were trained with the defaults.

    Returns:
        A :class:`DigitsSplit`.
    """
    from sklearn.model_selection import train_test_split

    x, y = load_digits_images()
    idx_train, idx_test = train_test_split(
        np.arange(len(y)), test_size=test_fraction, random_state=seed, stratify=y.numpy()
    )
    idx_train, idx_test = torch.as_tensor(idx_train), torch.as_tensor(idx_test)
    return DigitsSplit(x[idx_train], y[idx_train], x[idx_test], y[idx_test])


def resize_to_digits(x: torch.Tensor) -> torch.Tensor:
    """Average-pool single-channel images (N, 1, H, W) down to 8x8; H and W must be multiples of 8.

    Example:
        >>> resize_to_digits(torch.zeros(2, 1, 32, 32)).shape
        torch.Size([2, 1, 8, 8])
    """
    h, w = x.shape[-2:]
    if h == DIGITS_SIZE and w == DIGITS_SIZE:
        return x
    if h % DIGITS_SIZE or w % DIGITS_SIZE:
        raise UserError(
            f"the digits classifier takes 8x8 images or sizes that are multiples of 8 (16, 32, ...); got {h}x{w}"
        )
    return F.avg_pool2d(x, kernel_size=(h // DIGITS_SIZE, w // DIGITS_SIZE))  # mean of each block


class DigitsCNN(nn.Module):
    """A three-layer CNN for 8x8 digits: ``features`` gives the 64-d penultimate layer, ``forward`` logits.

    LeakyReLU activations (tip T05) keep every penultimate unit alive, so the feature covariance
    used by FID has full rank instead of exactly-zero directions.

    ``feature_scale`` (a buffer, set after training) rescales the features so that real digits have
    mean squared feature 1 per dimension, like the O(1) activations of Inception's pool layer; KID's
    kernel (x . y / D + 1)^3 then sees inputs of the scale it was designed for.
    """

    feature_dim = 64  # width of the penultimate layer
    num_classes = 10  # digits 0..9

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)  # (N, 32, 8, 8)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)  # (N, 64, 8, 8) -> pool -> (N, 64, 4, 4)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)  # (N, 64, 4, 4) -> pool -> (N, 64, 2, 2)
        self.fc = nn.Linear(64 * 2 * 2, self.feature_dim)
        self.head = nn.Linear(self.feature_dim, self.num_classes)
        self.register_buffer("feature_scale", torch.ones(()))  # set by the training script

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """Unscaled penultimate activations (N, 64) of images (N, 1, 8, 8) in [-1, 1]."""
        h = F.leaky_relu(self.conv1(x), LEAK)
        h = F.max_pool2d(F.leaky_relu(self.conv2(h), LEAK), 2)
        h = F.max_pool2d(F.leaky_relu(self.conv3(h), LEAK), 2)
        return F.leaky_relu(self.fc(h.flatten(1)), LEAK)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled penultimate features (N, 64): the input of FID, KID and the k-NN metrics."""
        return self.hidden(x) * self.feature_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (N, 10) of images (N, 1, 8, 8) in [-1, 1]."""
        return self.head(self.hidden(x))


def default_weights_path() -> Path:
    """Where the shipped weights live inside the installed package."""
    return Path(str(resources.files("ganhacks") / "assets" / WEIGHTS_NAME))


def load_digits_classifier(path: str | Path | None = None) -> DigitsCNN:
    """Build a :class:`DigitsCNN` in eval mode with weights from a safetensors file (tensors only).

    Args:
        path: a ``.safetensors`` file; ``None`` loads the weights shipped with ganhacks.

    Returns:
        The classifier, with gradients switched off.
    """
    from safetensors.torch import load_file

    path = Path(path) if path is not None else default_weights_path()
    if not path.is_file():
        raise UserError(
            f"digits classifier weights not found at {path}; rebuild them with "
            "'python -m ganhacks.metrics.train_classifier'"
        )
    with torch.random.fork_rng(devices=[]):  # the layers' random init is overwritten: the caller's RNG stays as it was
        model = DigitsCNN()
    model.load_state_dict(load_file(str(path)))
    model.eval()
    model.requires_grad_(False)
    return model
