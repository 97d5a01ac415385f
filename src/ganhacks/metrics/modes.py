"""Mode coverage on data with known modes (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018).

Known mixtures (points with mode centres and a standard deviation):
    * a sample is *high quality* when it lies within ``threshold`` (3) standard deviations of its
      nearest mode centre;
    * a mode is *covered* when at least ``min_count`` (1) high-quality samples sit at it;
    * the mode histogram q counts each sample at its nearest mode, and
      reverse KL = KL(q || uniform) = sum_m q_m log(q_m M)  (0 when every mode gets an equal share,
      log M when everything falls on one mode): ``mode_reverse_kl``, lenient, since a sample far
      from every mode still counts at the nearest one;
    * PacGAN's reverse KL (Lin et al. 2018, Table 1) histograms only the high-quality samples:
      ``reverse_kl_hq`` = KL(q_hq || uniform). With 7 of 8 modes covered it is at least log(8/7)
      (reached when the 7 share the samples equally), where ``mode_reverse_kl`` can be near 0.
      With no high-quality sample at all it is log M, as if everything fell on one mode.
      Compare published numbers with ``reverse_kl_hq`` only.

Stacked digits (PacGAN's stacked MNIST, here with the 8x8 digits): each of the C channels is one
digit, the classifier labels each channel, and the digit tuple is the mode (10^C modes, 1000 for
C = 3). Modes covered and reverse KL are computed on that histogram.
"""

from __future__ import annotations

import math

import torch

from ganhacks.errors import UserError
from ganhacks.metrics.checks import check_features, need_samples


def histogram_metrics(mode_ids: torch.Tensor, n_modes: int, min_count: int = 1) -> dict[str, float]:
    """Modes covered and reverse KL against uniform of a histogram of mode ids (N,) in [0, n_modes).

    Example:
        >>> import torch
        >>> histogram_metrics(torch.tensor([0, 0, 1, 1]), n_modes=4)["modes_covered"]
        2.0
    """
    if len(mode_ids) == 0:
        raise UserError("mode metrics need at least 1 sample; got 0")
    counts = torch.bincount(mode_ids.long(), minlength=n_modes).double()
    return {
        "modes_covered": float((counts >= min_count).sum()),
        "modes_total": float(n_modes),
        "mode_reverse_kl": reverse_kl_uniform(counts),
    }


def reverse_kl_uniform(counts: torch.Tensor) -> float:
    """KL(q || uniform) of the histogram ``counts`` (M,) normalised to q; log M for an empty histogram.

    Example:
        >>> import math, torch
        >>> round(reverse_kl_uniform(torch.tensor([1.0, 1.0, 0.0, 0.0])), 6) == round(math.log(2), 6)
        True
    """
    counts = counts.double()
    n_modes = len(counts)
    total = counts.sum()
    if total <= 0:
        return math.log(n_modes)  # nothing to histogram: the worst case, everything on one mode
    q = counts / total
    return float(torch.where(q > 0, q * torch.log(q * n_modes), torch.zeros_like(q)).sum())  # sum q log(q M)


def mixture_modes(
    points: torch.Tensor,
    centres: torch.Tensor,
    std: float | torch.Tensor,
    threshold: float = 3.0,
    min_count: int = 1,
) -> dict[str, float]:
    """Mode metrics of generated points against a known mixture (e.g. the 8-Gaussian ring, 5x5 grid).

    Args:
        points: generated samples (N, D).
        centres: mode centres (M, D).
        std: the modes' standard deviation, one number or one per mode (M,).
        threshold: a sample within ``threshold * std`` of its nearest centre is high quality.
        min_count: high-quality samples a mode needs to count as covered.

    Returns:
        ``{"modes_covered", "modes_total", "high_quality", "mode_reverse_kl", "reverse_kl_hq"}``;
        ``high_quality`` is the share in [0, 1]; ``mode_reverse_kl`` histograms every sample at its
        nearest mode, ``reverse_kl_hq`` only the high-quality ones (PacGAN's definition).
    """
    points = check_features("points", points)
    centres = check_features("mode centres", centres)
    if points.shape[1] != centres.shape[1]:  # the centres are the odd one out: the points were checked against real
        raise UserError(
            f"the mode centres have {centres.shape[1]} dimensions but the points have {points.shape[1]}; "
            f"give the centres as (M, {points.shape[1]}), in the points' units"
        )
    need_samples("mode coverage", len(points), 1, "fake", "something to count")
    std_t = torch.as_tensor(std, dtype=torch.float64).reshape(-1)
    if len(std_t) not in (1, len(centres)) or not bool((std_t > 0).all()):
        raise UserError(f"mode std must be one positive number or one per mode ({len(centres)}); got {std}")
    nearest_d, nearest = torch.cat([torch.cdist(p, centres) for p in points.split(8192)]).min(1)
    radius = threshold * std_t.expand(len(centres))[nearest]
    good = nearest_d <= radius  # within threshold * std of the nearest mode
    out = histogram_metrics(nearest, len(centres))
    hq_counts = torch.bincount(nearest[good], minlength=len(centres))  # high-quality samples per mode
    out["modes_covered"] = float((hq_counts >= min_count).sum())
    out["high_quality"] = good.double().mean().item()
    out["reverse_kl_hq"] = reverse_kl_uniform(hq_counts)
    return out


def digit_labels(
    images: torch.Tensor, classifier: torch.nn.Module | None = None, batch_size: int = 2048
) -> torch.Tensor:
    """Arg-max digit (N, C) of every channel of images (N, C, H, W) in [-1, 1], by the digits classifier."""
    from ganhacks.metrics.checks import check_images
    from ganhacks.metrics.classifier import load_digits_classifier, resize_to_digits

    images = check_images("stacked digit images", images)
    model = classifier if classifier is not None else load_digits_classifier()
    n, c = images.shape[:2]
    flat = resize_to_digits(images.reshape(n * c, 1, *images.shape[2:]))  # one digit per channel
    with torch.inference_mode():
        labels = torch.cat([model(part).argmax(1) for part in flat.split(batch_size)])
    return labels.reshape(n, c)


def stacked_digit_modes(
    images: torch.Tensor, classifier: torch.nn.Module | None = None, min_count: int = 1
) -> dict[str, float]:
    """Modes covered (out of 10^C) and reverse KL of stacked digits (N, C, H, W), one digit per channel.

    Args:
        images: stacked digit images in [-1, 1]; C = 3 gives PacGAN's 1000 modes.
        classifier: labels each channel; ``None`` loads the shipped digits classifier.
        min_count: samples a mode needs to count as covered.

    Returns:
        ``{"modes_covered", "modes_total", "mode_reverse_kl"}``.
    """
    labels = digit_labels(images, classifier)  # (N, C)
    return histogram_metrics(stacked_mode_ids(labels), 10 ** labels.shape[1], min_count)


def stacked_mode_ids(labels: torch.Tensor) -> torch.Tensor:
    """The mode of each stack (N,) from its digits (N, C): the C digits read as one base-10 number, channel 0 the
    most significant (so C = 3 gives modes 0..999)."""
    place = 10 ** torch.arange(labels.shape[1] - 1, -1, -1, device=labels.device)
    return (labels * place).sum(1)
