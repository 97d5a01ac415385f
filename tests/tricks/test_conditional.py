"""Tests for ganhacks.tricks.conditional (T12)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.tricks.conditional import ACGANHead, ProjectionHead, acgan_loss, check_labels


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def test_acgan_head_gives_class_logits() -> None:
    head = ACGANHead(6, 4)
    h = torch.randn(5, 6)
    out = head(h)
    assert out.shape == (5, 4)
    assert_close(out, h @ head.linear.weight.T + head.linear.bias)
    with pytest.raises(UserError, match=r"\(N, 6\)"):
        head(torch.randn(5, 7))


def test_acgan_loss_equals_cross_entropy_and_hand_form() -> None:
    logits = torch.randn(8, 5)
    labels = torch.tensor([0, 1, 2, 3, 4, 4, 2, 0])
    loss = acgan_loss(logits, labels)
    assert_close(loss, F.cross_entropy(logits, labels))
    hand = -(logits.gather(1, labels[:, None]).squeeze(1) - logits.logsumexp(dim=1)).mean()
    assert_close(loss, hand)
    assert loss.dim() == 0


def test_acgan_loss_gradient_pushes_towards_the_label() -> None:
    logits = torch.zeros(1, 3, requires_grad=True)
    acgan_loss(logits, torch.tensor([2])).backward()
    # d/dl_k = softmax_k - 1[k = y] = 1/3 - 1[k = 2]
    assert_close(logits.grad, torch.tensor([[1 / 3, 1 / 3, -2 / 3]]))


def test_acgan_loss_checks_shapes_and_labels() -> None:
    logits = torch.randn(4, 3)
    with pytest.raises(UserError, match=r"\[0, 3\)"):
        acgan_loss(logits, torch.tensor([0, 1, 2, 3]))
    with pytest.raises(UserError, match="one label per sample"):
        acgan_loss(logits, torch.tensor([0, 1]))
    with pytest.raises(UserError, match="integer"):
        acgan_loss(logits, torch.tensor([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(UserError, match=r"\(N, num_classes\)"):
        acgan_loss(torch.randn(4), torch.tensor([0, 1, 2, 0]))


def test_projection_head_is_the_inner_product_with_the_class_embedding() -> None:
    proj = ProjectionHead(6, 4)
    h = torch.randn(5, 6)
    y = torch.tensor([3, 0, 1, 3, 2])
    out = proj(h, y)
    assert out.shape == (5,)
    w = proj.embed.weight
    hand = torch.stack([torch.dot(w[y[i]], h[i]) for i in range(5)])
    assert_close(out, hand)
    assert_close(proj(h[:1], y[:1]), out[:1])  # each sample depends only on itself


def test_projection_head_gradient_reaches_only_used_classes() -> None:
    proj = ProjectionHead(3, 4)
    h = torch.randn(2, 3)
    proj(h, torch.tensor([1, 1])).sum().backward()
    grad = proj.embed.weight.grad
    assert_close(grad[1], h.sum(dim=0))  # d<e_y, h>/de_y = h, summed over both samples
    assert_close(grad[[0, 2, 3]], torch.zeros(3, 3))


def test_projection_head_checks_input() -> None:
    proj = ProjectionHead(6, 4)
    with pytest.raises(UserError, match=r"\[0, 4\)"):
        proj(torch.randn(2, 6), torch.tensor([0, 4]))
    with pytest.raises(UserError, match=r"\(N, 6\)"):
        proj(torch.randn(2, 5), torch.tensor([0, 1]))
    with pytest.raises(UserError, match=r"shape \(N,\)"):
        check_labels(torch.zeros(2, 1, dtype=torch.long), 4)
