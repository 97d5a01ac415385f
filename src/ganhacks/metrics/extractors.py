"""Feature extractors: map samples to the features (and class probabilities) the metrics compare.

* ``digits``    — the shipped 8x8 digits CNN: 64 penultimate features per channel and, for C
                  stacked channels, joint class probabilities over 10^C digit tuples.
* ``inception`` — the standard FID InceptionV3 (2048-d pool features, logits for IS) through the
                  optional ``torch-fidelity`` package (``pip install 'ganhacks[inception]'``); weights
                  come from a local file or torch's hub cache and are never downloaded here.
* ``identity``  — the samples themselves, flattened (2-D points of toy mixtures, precomputed features).
* any ``nn.Module`` — wrapped by :class:`ModuleExtractor`; it may return features or (features, logits).

Every extractor has a ``name`` (written next to the results, since FID values are only comparable
with the same extractor) and ``__call__(batch) -> (features, probs | None)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import torch
from safetensors import SafetensorError
from torch import nn

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_finite, check_images
from ganhacks.metrics.classifier import load_digits_classifier, resize_to_digits
from ganhacks.registry import Registry

Output = tuple[torch.Tensor, torch.Tensor | None]  # features (B, D), class probabilities (B, K) or None

INCEPTION_FILE = "weights-inception-2015-12-05-6726825d.pth"  # torch-fidelity's file name in the hub cache
INCEPTION_URL = "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/" + INCEPTION_FILE
INCEPTION_ENV = "GANHACKS_INCEPTION_WEIGHTS"  # environment variable naming a local weights file


class Extractor(Protocol):
    """What the metrics need from a feature extractor."""

    name: str

    def __call__(self, x: torch.Tensor) -> Output:
        """Features (B, D) and class probabilities (B, K) or None, for one batch."""
        ...

    def to(self, device: torch.device | str) -> Extractor:
        """Move the extractor's weights; returns itself."""
        ...


class IdentityExtractor:
    """The samples themselves as features, flattened to (N, D); no class probabilities."""

    name = "identity"

    def __call__(self, x: torch.Tensor) -> Output:
        return x.reshape(len(x), -1).to(torch.float64), None

    def to(self, device: torch.device | str) -> IdentityExtractor:
        return self


def _digits_classifier(weights: str | Path | None) -> nn.Module:
    """The digits CNN with ``weights`` (a safetensors file); a file that is not one is a one-line error."""
    if weights is not None and Path(weights).is_dir():
        raise UserError(f"extractor weights {weights} is a folder; give the digits CNN's .safetensors file")
    try:
        model = load_digits_classifier(weights)
    except SafetensorError as exc:
        raise UserError(
            f"extractor weights {weights} is not a readable safetensors file ({str(exc).strip()[:120]})"
        ) from None
    except (RuntimeError, KeyError) as exc:  # load_state_dict: missing keys or other shapes
        first = str(exc).strip().splitlines()[0][:120]
        raise UserError(f"extractor weights {weights} do not hold the digits CNN's weights ({first})") from None
    if not all(bool(torch.isfinite(p).all()) for p in model.state_dict().values() if p.is_floating_point()):
        raise UserError(f"extractor weights {weights} hold NaN/Inf")
    return model


class DigitsExtractor:
    """The shipped digits CNN applied to each channel of images (N, C, H, W) in [-1, 1].

    H and W must be 8 or multiples of 8 (average-pooled to 8x8). Features are the 64-d
    penultimate activations of each channel, concatenated (64 C); probabilities are the product of
    the channels' softmax outputs, i.e. a joint distribution over the 10^C digit tuples (C <= 3).
    """

    max_channels = 3  # 10^3 joint classes; more would make the probability matrix huge

    def __init__(self, weights: str | Path | None = None) -> None:
        self.model = _digits_classifier(weights)
        self.name = "digits-cnn (64-d penultimate layer per channel, 8x8 input)"

    def __call__(self, x: torch.Tensor) -> Output:
        n, c = x.shape[:2]
        if c > self.max_channels:
            raise UserError(f"the digits extractor takes 1 to {self.max_channels} channels; got {c}")
        flat = resize_to_digits(x.reshape(n * c, 1, *x.shape[2:]))  # one digit image per channel
        hidden = self.model.hidden(flat)  # (N C, 64)
        feats = hidden * self.model.feature_scale
        probs = self.model.head(hidden).double().softmax(1).reshape(n, c, 10)
        joint = probs[:, 0]
        for ch in range(1, c):  # p(d_0, .., d_c) = prod_c p(d_c): (N, 10^c) -> (N, 10^(c+1))
            joint = (joint[:, :, None] * probs[:, ch, None, :]).reshape(n, -1)
        return feats.reshape(n, -1), joint

    def to(self, device: torch.device | str) -> DigitsExtractor:
        self.model.to(device)
        return self


class ModuleExtractor:
    """Any ``nn.Module`` as extractor: ``module(x)`` returns features, or a tuple (features, logits)."""

    def __init__(self, module: nn.Module, name: str | None = None) -> None:
        self.module = module.eval()
        self.name = name or f"user module {type(module).__name__}"

    def __call__(self, x: torch.Tensor) -> Output:
        out = self.module(x)
        feats, logits = (out[0], out[1]) if isinstance(out, (tuple, list)) else (out, None)
        probs = None if logits is None else logits.to(torch.float64).softmax(1)
        return feats.reshape(len(x), -1), probs

    def to(self, device: torch.device | str) -> ModuleExtractor:
        self.module.to(device)
        return self


def inception_weights_path(path: str | Path | None = None) -> Path:
    """The InceptionV3 weights file: ``path``, else $GANHACKS_INCEPTION_WEIGHTS, else torch's hub cache."""
    if path is None:
        path = os.environ.get(INCEPTION_ENV) or Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_FILE
    return Path(path).expanduser()


class InceptionExtractor:
    """The FID InceptionV3 of torch-fidelity (TF-compatible port): 2048-d pool features, logits for IS.

    Images (N, C, H, W) in [-1, 1] with C in {1, 3} are quantised to uint8 (as real image files
    are) and resized inside the network to 299x299. Weights must already be on disk; nothing is
    downloaded. They are first read with ``torch.load(weights_only=True)``, which refuses files
    holding anything but tensors.
    """

    def __init__(self, weights: str | Path | None = None) -> None:
        try:
            from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
        except ImportError:
            raise UserError(
                "the inception extractor needs the optional extra: pip install 'ganhacks[inception]'"
            ) from None
        path = inception_weights_path(weights)
        if not path.is_file():
            raise UserError(
                f"InceptionV3 weights not found at {path}; fetch them once with "
                f"'curl -L -o {path} {INCEPTION_URL}' or pass the file (--extractor-weights or ${INCEPTION_ENV})"
            )
        try:
            torch.load(path, map_location="cpu", weights_only=True)  # refuses pickled objects
        except Exception as exc:
            raise UserError(
                f"{path} is not a plain tensor file ({type(exc).__name__}); refusing to unpickle it"
            ) from None
        self.model = FeatureExtractorInceptionV3(
            "inception-v3-compat", ["2048", "logits_unbiased"], feature_extractor_weights_path=str(path)
        )
        self.name = f"inception-v3-fid (torch-fidelity, 2048-d pool3, {path.name})"

    def __call__(self, x: torch.Tensor) -> Output:
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)  # grey -> RGB
        if x.shape[1] != 3:
            raise UserError(f"the inception extractor takes 1 or 3 channels; got {x.shape[1]}")
        pixels = ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)  # [-1, 1] -> 0..255
        feats, logits = self.model(pixels)
        return feats, logits.to(torch.float64).softmax(1)

    def to(self, device: torch.device | str) -> InceptionExtractor:
        self.model.to(device)
        return self


EXTRACTORS: Registry[Callable[..., Extractor]] = Registry("extractor")
EXTRACTORS.register("digits", DigitsExtractor)
EXTRACTORS.register("inception", InceptionExtractor)
EXTRACTORS.register("identity", IdentityExtractor)


def is_image_batch(x: torch.Tensor) -> bool:
    """Whether samples are images (4-D) rather than points / feature rows (2-D)."""
    return x.ndim == 4


def auto_extractor_name(x: torch.Tensor) -> str:
    """``identity`` for points (N, D); ``digits`` for images up to 3 channels and at most 32 px whose
    sides are multiples of 8; ``inception`` for other images."""
    if not is_image_batch(x):
        return "identity"
    c, h, w = x.shape[1:]
    small = h == w and h <= 32 and h % 8 == 0
    return "digits" if small and c <= DigitsExtractor.max_channels else "inception"


def resolve_extractor(spec: str | nn.Module | Extractor, sample: torch.Tensor, **kwargs: object) -> Extractor:
    """Turn a name ("auto", "digits", "inception", "identity"), a module or an extractor into an extractor.

    Args:
        spec: what the user passed.
        sample: the fake samples, used by "auto" to choose.
        **kwargs: passed to the registered constructor (e.g. ``weights=``).
    """
    if isinstance(spec, nn.Module):
        return ModuleExtractor(spec)
    if not isinstance(spec, str):
        return spec
    name = auto_extractor_name(sample) if spec == "auto" else spec
    return EXTRACTORS.get(name)(**kwargs)


def extract(
    extractor: Extractor, x: torch.Tensor, name: str, batch_size: int = 1000, device: str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Features (N, D) float64 and probabilities (N, K) or None of all samples, in batches.

    Image batches are checked first (layout (N, C, H, W), finite, range [-1, 1]); ``name`` says
    which set a message is about ("fake", "real").
    """
    if x.ndim in (3, 4):  # images (a 3-D batch is refused with a hint)
        x = check_images(f"{name} images", x)
    elif x.ndim != 2:
        raise UserError(f"{name} samples must be images (N, C, H, W) or points (N, D); got shape {tuple(x.shape)}")
    else:
        x = check_finite(f"{name} samples", x.to(torch.float64))
    extractor.to(device)
    feats, probs = [], []
    with torch.inference_mode():
        for batch in x.split(batch_size):
            f, p = extractor(batch.to(device))
            feats.append(f.to("cpu", torch.float64))
            probs.append(None if p is None else p.to("cpu", torch.float64))
    features = check_finite(f"{name} features", torch.cat(feats))
    return features, (None if any(p is None for p in probs) else torch.cat(probs))
