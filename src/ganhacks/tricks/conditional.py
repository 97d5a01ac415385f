"""Use class labels in the discriminator (T12).

Two ways to let D use labels:

* **AC-GAN** (Odena et al. 2017): D gets an extra head that classifies every sample; both players
  add the cross-entropy of that head (:func:`acgan_loss`) to their adversarial loss.
* **Projection** (Miyato & Koyama 2018): D's unconditional logit ``psi(h)`` gets a class term
  ``<embed(y), h>`` (:class:`ProjectionHead`), i.e. ``D(x, y) = psi(h) + <embed(y), h>``.

Both heads sit on top of D's feature vector ``h`` of shape ``(N, in_features)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganhacks.errors import UserError


def check_labels(labels: Tensor, num_classes: int, batch_size: int | None = None) -> Tensor:
    """Check that ``labels`` are integer class ids in ``[0, num_classes)`` and return them.

    Args:
        labels: tensor of shape ``(N,)`` with an integer dtype.
        num_classes: number of classes K.
        batch_size: when given, the required N.

    Returns:
        ``labels`` unchanged.

    Raises:
        UserError: on a wrong dtype, shape, batch size or an id outside ``[0, K)``.
    """
    if (
        not isinstance(labels, Tensor)
        or labels.dtype.is_floating_point
        or labels.dtype.is_complex
        or labels.dtype == torch.bool
    ):
        kind = labels.dtype if isinstance(labels, Tensor) else type(labels).__name__
        raise UserError(f"labels must be an integer tensor of class ids (e.g. torch.long), got {kind}")
    if labels.dim() != 1:
        raise UserError(f"labels must have shape (N,), got {tuple(labels.shape)}")
    if batch_size is not None and labels.shape[0] != batch_size:
        raise UserError(f"got {labels.shape[0]} labels for a batch of {batch_size}; pass one label per sample")
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise UserError(
            f"labels must lie in [0, {num_classes}), got values in [{int(labels.min())}, {int(labels.max())}]; "
            f"check num_classes={num_classes}"
        )
    return labels


def _check_features(h: Tensor, in_features: int) -> None:
    """Raise a :class:`UserError` unless ``h`` has shape ``(N, in_features)``."""
    if h.dim() != 2 or h.shape[1] != in_features:
        raise UserError(
            f"expected features of shape (N, {in_features}), got {tuple(h.shape)}; flatten D's features first"
        )


class ACGANHead(nn.Module):
    """Auxiliary classifier on D's features: class logits for every sample (T12, AC-GAN).

    Args:
        in_features: size F of D's feature vector.
        num_classes: number of classes K.

    Example:
        >>> head = ACGANHead(16, 10)
        >>> head(torch.zeros(4, 16)).shape
        torch.Size([4, 10])
    """

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        if in_features < 1 or num_classes < 2:
            raise UserError(
                f"ACGANHead needs in_features >= 1 and num_classes >= 2, got {in_features} and {num_classes}"
            )
        self.in_features = in_features
        self.num_classes = num_classes
        self.linear = nn.Linear(in_features, num_classes)

    def forward(self, h: Tensor) -> Tensor:
        """Return class logits of shape ``(N, num_classes)`` for features ``h`` of shape ``(N, in_features)``."""
        _check_features(h, self.in_features)
        return self.linear(h)


def acgan_loss(class_logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy of the auxiliary classifier (T12, AC-GAN).

    D adds it on real and fake samples, G on its fakes (with the labels it was asked to draw).

    Args:
        class_logits: logits of shape ``(N, K)``.
        labels: integer class ids of shape ``(N,)`` in ``[0, K)``.

    Returns:
        Scalar loss ``mean_i -log softmax(logits_i)[y_i]``.
    """
    if class_logits.dim() != 2:
        raise UserError(f"class_logits must have shape (N, num_classes), got {tuple(class_logits.shape)}")
    check_labels(labels, class_logits.shape[1], class_logits.shape[0])
    # -log( exp(l_y) / sum_k exp(l_k) ), averaged over the batch
    return F.cross_entropy(class_logits, labels)


class ProjectionHead(nn.Module):
    """Projection discriminator's class term (T12, Miyato & Koyama 2018).

    ``forward(h, y)`` returns ``<embed(y), h>`` per sample; add it to D's unconditional logit:
    ``logit = linear(h).squeeze(1) + projection(h, y)``.

    Args:
        in_features: size F of D's feature vector ``h``.
        num_classes: number of classes K.

    Example:
        >>> proj = ProjectionHead(16, 10)
        >>> proj(torch.zeros(4, 16), torch.tensor([0, 1, 2, 3])).shape
        torch.Size([4])
    """

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        if in_features < 1 or num_classes < 1:
            raise UserError(
                f"ProjectionHead needs in_features >= 1 and num_classes >= 1, got {in_features} and {num_classes}"
            )
        self.in_features = in_features
        self.num_classes = num_classes
        self.embed = nn.Embedding(num_classes, in_features)
        nn.init.xavier_uniform_(self.embed.weight)  # small, fan-balanced start instead of N(0, 1)

    def forward(self, h: Tensor, y: Tensor) -> Tensor:
        """Return the projection term of shape ``(N,)``.

        Args:
            h: D's features, shape ``(N, in_features)``.
            y: class ids, shape ``(N,)``.
        """
        _check_features(h, self.in_features)
        check_labels(y, self.num_classes, h.shape[0])
        # sum_f embed(y)_f * h_f   -> (N,)
        return (self.embed(y) * h).sum(dim=1)
