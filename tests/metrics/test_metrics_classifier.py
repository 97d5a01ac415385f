"""The shipped digits classifier: safe weights, held-out accuracy, resizing, deterministic training."""

import pytest
import torch
import torch.nn.functional as F

from ganhacks.errors import UserError
from ganhacks.metrics.classifier import (
    default_weights_path,
    digits_split,
    load_digits_classifier,
    load_digits_images,
    resize_to_digits,
)
from ganhacks.metrics.train_classifier import TrainConfig, accuracy, random_shift, train


@pytest.fixture(scope="module")
def split():
    return digits_split()


@pytest.fixture(scope="module")
def model():
    return load_digits_classifier()


def test_shipped_weights_are_a_plain_safetensors_file():
    from safetensors import safe_open

    path = default_weights_path()
    assert path.suffix == ".safetensors" and path.stat().st_size < 1_000_000
    with safe_open(str(path), framework="pt") as f:  # tensors only, no pickle
        assert "head.weight" in f.keys() and "feature_scale" in f.keys()  # noqa: SIM118 (safe_open has no __contains__)


def test_loading_the_classifier_leaves_the_callers_random_stream_alone():
    """Loading happens mid-run (the first time a metric needs it): the random init its weights replace must not
    shift the training's random numbers, or a run's samples would depend on when a metric was first asked."""
    torch.manual_seed(0)
    expected = torch.rand(4)
    torch.manual_seed(0)
    load_digits_classifier()
    assert torch.equal(torch.rand(4), expected)


def test_shipped_classifier_reaches_97_percent_on_the_held_out_split(split, model):
    assert accuracy(model, split.x_test, split.y_test) >= 0.97


def test_digits_split_is_stratified_and_disjoint(split):
    x, _ = load_digits_images()
    assert len(split.y_train) + len(split.y_test) == len(x) == 1797
    counts = torch.bincount(split.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 20% of each class (174..183 per class)
    assert split.x_train.min() >= -1 and split.x_train.max() <= 1


def test_features_are_scaled_to_unit_mean_square(split, model):
    with torch.inference_mode():
        f = model.features(split.x_train)
    assert f.shape == (len(split.x_train), 64)
    assert f.square().mean().item() == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("size", [16, 32])
def test_upsampled_digits_are_pooled_back_exactly(split, model, size):
    big = F.interpolate(split.x_test, scale_factor=size // 8, mode="nearest")
    torch.testing.assert_close(resize_to_digits(big), split.x_test)
    assert accuracy(model, resize_to_digits(big), split.y_test) >= 0.97


def test_other_sizes_are_refused():
    with pytest.raises(UserError, match="multiples of 8.*got 28x28"):
        resize_to_digits(torch.zeros(1, 1, 28, 28))


def test_missing_weights_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(UserError, match="python -m ganhacks.metrics.train_classifier"):
        load_digits_classifier(tmp_path / "none.safetensors")


def test_training_is_deterministic(split):
    cfg = TrainConfig(epochs=1)
    a, b = train(split, cfg), train(split, cfg)
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(p, q), name


def test_random_shift_moves_content_and_pads_with_background():
    x = -torch.ones(200, 1, 8, 8)
    x[:, :, 3, 4] = 1.0
    shifted = random_shift(x, 1, torch.Generator().manual_seed(0))
    rows, cols = (shifted[:, 0] == 1).nonzero()[:, 1:].T
    assert set(rows.tolist()) == {2, 3, 4} and set(cols.tolist()) == {3, 4, 5}
    assert (shifted == 1).sum() == 200  # one bright pixel each, the rest background
