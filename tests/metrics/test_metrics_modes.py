"""Mode coverage on hand-made mixtures and on real stacked digits."""

import math

import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.metrics import digits_split, load_digits_classifier
from ganhacks.metrics.modes import histogram_metrics, mixture_modes, stacked_digit_modes

CENTRES = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


def test_mixture_modes_on_hand_made_points():
    std = 1.0
    points = torch.tensor(
        [
            [0.5, 0.0],  # mode 0, high quality
            [0.0, -2.9],  # mode 0, high quality (2.9 std)
            [10.0, 3.5],  # nearest mode 1 but 3.5 std away: low quality
            [0.0, 11.0],  # mode 2, high quality
            [5.1, 5.2],  # nearest mode 3, far: low quality
        ]
    )
    out = mixture_modes(points, CENTRES, std)
    assert out["modes_covered"] == 2.0  # modes 0 and 2
    assert out["modes_total"] == 4.0
    assert out["high_quality"] == pytest.approx(3 / 5)
    q = torch.tensor([2, 1, 1, 1]) / 5  # nearest-mode histogram over all samples
    assert out["mode_reverse_kl"] == pytest.approx(float((q * torch.log(q * 4)).sum()))


def test_reverse_kl_hq_counts_only_high_quality_samples():
    # the hand-made points above: high-quality samples sit at modes 0 (two) and 2 (one)
    points = torch.tensor([[0.5, 0.0], [0.0, -2.9], [10.0, 3.5], [0.0, 11.0], [5.1, 5.2]])
    q = torch.tensor([2 / 3, 1 / 3])  # PacGAN's histogram: modes 1 and 3 get nothing
    expected = float((q * torch.log(q * 4)).sum())
    assert mixture_modes(points, CENTRES, 1.0)["reverse_kl_hq"] == pytest.approx(expected)


def test_reverse_kl_hq_is_strict_where_the_nearest_mode_histogram_is_lenient():
    # 8 modes on a ring; 7 get 300 tight samples each, the 8th only far-off samples that land nearest to it
    angles = torch.arange(8) * (2 * math.pi / 8)
    centres = torch.stack([torch.cos(angles), torch.sin(angles)], 1)
    gen = torch.Generator().manual_seed(0)
    good = torch.cat([centres[m] + 0.02 * (torch.rand(300, 2, generator=gen) - 0.5) for m in range(7)])  # < 3 std
    blurry = centres[7] * 1.2 + 0.01 * torch.randn(300, 2, generator=gen)  # 20 std off mode 7
    out = mixture_modes(torch.cat([good, blurry]), centres, 0.01)
    assert out["modes_covered"] == 7.0
    assert out["mode_reverse_kl"] < 0.01  # every sample counted at its nearest mode: looks uniform
    assert out["reverse_kl_hq"] >= math.log(8 / 7) - 1e-9  # PacGAN: at least log(8/7) with 7 of 8 covered
    assert out["reverse_kl_hq"] == pytest.approx(math.log(8 / 7), abs=1e-6)  # reached: the 7 share equally


def test_reverse_kl_hq_without_any_high_quality_sample_is_log_m():
    far = torch.full((20, 2), 5.0)  # nearest mode 3 at 5 * sqrt(2) std... of std 0.1: nothing high quality
    out = mixture_modes(far, CENTRES, 0.1)
    assert out["high_quality"] == 0.0 and out["modes_covered"] == 0.0
    assert out["reverse_kl_hq"] == pytest.approx(math.log(4))


def test_min_count_and_per_mode_std():
    points = torch.tensor([[0.0, 0.5], [0.0, 0.6], [10.0, 0.5], [0.0, 12.0]])
    assert mixture_modes(points, CENTRES, 1.0, min_count=2)["modes_covered"] == 1.0
    # mode 2 gets std 1 (the point at distance 2 is high quality), the others 0.1
    per_mode = torch.tensor([0.1, 0.1, 1.0, 0.1])
    out = mixture_modes(points, CENTRES, per_mode)
    assert out["modes_covered"] == 1.0 and out["high_quality"] == 0.25


def test_histogram_reverse_kl_extremes():
    assert histogram_metrics(torch.zeros(50, dtype=torch.long), 8)["mode_reverse_kl"] == pytest.approx(math.log(8))
    assert histogram_metrics(torch.arange(8).repeat(5), 8)["mode_reverse_kl"] == pytest.approx(0.0, abs=1e-12)


def test_bad_mode_input():
    with pytest.raises(UserError, match="one positive number or one per mode"):
        mixture_modes(torch.zeros(3, 2), CENTRES, torch.tensor([1.0, 2.0]))
    with pytest.raises(UserError, match=r"the mode centres have 3 dimensions but the points have 2; .* \(M, 2\)"):
        mixture_modes(torch.zeros(3, 2), torch.zeros(4, 3), 1.0)


@pytest.fixture(scope="module")
def held_out():
    split = digits_split()
    return split.x_test, split.y_test


def _stack(x, y, labels):
    """Images (N, 3, 8, 8) whose channel c is a held-out digit with label labels[:, c]."""
    gen = torch.Generator().manual_seed(0)
    out = torch.empty(len(labels), 3, 8, 8)
    for d in range(10):
        pool = x[y == d]
        mask = labels == d
        pick = torch.randint(0, len(pool), (int(mask.sum()),), generator=gen)
        out[mask] = pool[pick, 0]
    return out


def test_stacked_digit_modes_on_real_stacks_agree_with_the_labels(held_out):
    x, y = held_out
    gen = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 10, (5000, 3), generator=gen)
    images = _stack(x, y, labels)
    truth = histogram_metrics((labels * torch.tensor([100, 10, 1])).sum(1), 1000)
    out = stacked_digit_modes(images, load_digits_classifier())
    assert out["modes_total"] == 1000.0
    assert abs(out["modes_covered"] - truth["modes_covered"]) <= 10
    assert out["mode_reverse_kl"] == pytest.approx(truth["mode_reverse_kl"], abs=0.03)


def test_stacked_digit_modes_see_a_collapsed_generator(held_out):
    x, y = held_out
    gen = torch.Generator().manual_seed(2)
    labels = torch.randint(0, 2, (2000, 3), generator=gen)  # only digits 0 and 1: 8 true modes
    out = stacked_digit_modes(_stack(x, y, labels))
    assert 8 <= out["modes_covered"] <= 30  # 8 true modes plus a few from misread channels
    assert out["mode_reverse_kl"] > math.log(1000 / 8) - 0.2  # near log(1000 / 8) for 8 equal modes
