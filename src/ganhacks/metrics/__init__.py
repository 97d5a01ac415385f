"""Metrics: quality, diversity and mode coverage of generated samples.

Functions of feature tensors (FID, KID, IS, precision/recall/F1, density/coverage, NDB, mode
coverage on known mixtures and stacked digits), feature extractors (a shipped digits CNN, the FID
InceptionV3 as an optional extra, any ``nn.Module``) and :func:`evaluate`, which runs a named set
of them. See docs/metrics.md for definitions, checks against reference implementations and timings.

Example:
    >>> import torch
    >>> from ganhacks.metrics import evaluate
    >>> out = evaluate(torch.randn(500, 2), torch.randn(500, 2), metrics=["fid", "kid"])
    >>> out["n_fake"], out["extractor"]
    (500, 'identity')
"""

from ganhacks.metrics.classifier import DigitsCNN, digits_split, load_digits_classifier, load_digits_images
from ganhacks.metrics.evaluate import DEFAULT_METRICS, METRICS, EvalConfig, evaluate, evaluate_features, parse_metrics
from ganhacks.metrics.extractors import (
    EXTRACTORS,
    DigitsExtractor,
    Extractor,
    IdentityExtractor,
    InceptionExtractor,
    ModuleExtractor,
    extract,
)
from ganhacks.metrics.fid import fid, fid_from_moments, gaussian_moments, trace_sqrt_product
from ganhacks.metrics.inception_score import inception_score
from ganhacks.metrics.kid import kid, mmd2_unbiased, polynomial_kernel
from ganhacks.metrics.manifold import knn_radii, manifold_metrics
from ganhacks.metrics.modes import digit_labels, histogram_metrics, mixture_modes, stacked_digit_modes
from ganhacks.metrics.ndb import ndb

__all__ = [
    "DEFAULT_METRICS",
    "EXTRACTORS",
    "METRICS",
    "DigitsCNN",
    "DigitsExtractor",
    "EvalConfig",
    "Extractor",
    "IdentityExtractor",
    "InceptionExtractor",
    "ModuleExtractor",
    "digit_labels",
    "digits_split",
    "evaluate",
    "evaluate_features",
    "extract",
    "fid",
    "fid_from_moments",
    "gaussian_moments",
    "histogram_metrics",
    "inception_score",
    "kid",
    "knn_radii",
    "load_digits_classifier",
    "load_digits_images",
    "manifold_metrics",
    "mixture_modes",
    "mmd2_unbiased",
    "ndb",
    "parse_metrics",
    "polynomial_kernel",
    "stacked_digit_modes",
    "trace_sqrt_product",
]
