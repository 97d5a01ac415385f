"""Top-k generator updates (S12): the share schedule's closed form and the selection."""

import pytest
import torch
import torch.nn.functional as F

from ganhacks.errors import UserError
from ganhacks.tricks.topk import top_k, top_k_share


@pytest.mark.parametrize(
    "progress, keep, ramp, expected",
    [
        (0.0, 0.5, 0.5, 1.0),  # the whole batch at the start
        (0.25, 0.5, 0.5, 0.75),  # halfway down the ramp: 1 - 0.5 * 0.5
        (0.5, 0.5, 0.5, 0.5),  # the floor at the end of the ramp
        (0.9, 0.5, 0.5, 0.5),  # and after it
        (0.1, 0.6, 0.0, 0.6),  # ramp 0: the floor from the first step
        (0.7, 1.0, 0.5, 1.0),  # keep 1: off
    ],
)
def test_share_follows_its_closed_form(progress, keep, ramp, expected):
    assert top_k_share(progress, keep, ramp) == pytest.approx(expected)


@pytest.mark.parametrize("keep, ramp", [(0.0, 0.5), (1.5, 0.5), (0.5, -0.1), (0.5, 1.5)])
def test_share_refuses_values_outside_their_range(keep, ramp):
    with pytest.raises(UserError, match="top-k"):
        top_k_share(0.3, keep, ramp)


def test_top_k_keeps_the_highest_logits_and_only_they_get_gradient():
    logits = torch.tensor([0.3, -2.0, 1.5, 0.9, -0.1, 2.2], requires_grad=True)
    kept = top_k(logits, 0.5)  # ceil(0.5 * 6) = 3
    assert sorted(kept.tolist()) == pytest.approx([0.9, 1.5, 2.2])
    F.softplus(-kept).mean().backward()
    assert (logits.grad[[1, 0, 4]] == 0).all()  # the three D rates least realistic pull G nowhere
    assert (logits.grad[[2, 3, 5]] < 0).all()
    assert top_k(logits, 1.0) is logits  # nothing dropped
    assert top_k(logits, 0.01).tolist() == pytest.approx([2.2])  # at least one is kept
    column = logits.detach().reshape(6, 1)
    assert top_k(column, 0.34).shape == (3, 1)  # D's (N, 1) outputs keep their shape
