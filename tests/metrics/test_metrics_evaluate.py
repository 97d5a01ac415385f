"""evaluate(): the registry, the result record, and bad input."""

import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.metrics import METRICS, EvalConfig, evaluate, evaluate_features, fid, load_digits_images
from ganhacks.metrics.manifold import manifold_metrics


def test_registry_names_and_did_you_mean():
    assert METRICS.names() == ["fid", "kid", "is", "pr", "dc", "ndb", "modes"]
    with pytest.raises(UserError, match="Did you mean 'fid'"):
        evaluate(torch.randn(50, 2), torch.randn(50, 2), "fdi")


def test_points_with_known_modes():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    real = centres[torch.randint(0, 3, (600,), generator=g)] + 0.1 * torch.randn(600, 2, generator=g)
    fake = centres[torch.randint(0, 2, (600,), generator=g)] + 0.1 * torch.randn(600, 2, generator=g)
    out = evaluate(fake, real, "fid,pr,dc,modes", mode_centers=centres, mode_std=0.1)
    assert out["extractor"] == "identity" and out["n_fake"] == 600 and out["feature_dim"] == 2
    m = out["metrics"]
    assert m["modes_covered"] == 2.0 and m["modes_total"] == 3.0
    assert m["fid"] == pytest.approx(fid(fake, real))
    assert m["precision"] > 0.9 and m["recall"] < 0.75  # quality kept, one third of the data missed
    assert {k: m[k] for k in ("precision", "recall", "f1", "density", "coverage")} == manifold_metrics(fake, real, 5)


def test_points_modes_need_centres():
    with pytest.raises(UserError, match="needs the mixture's mode centres"):
        evaluate(torch.randn(50, 2), torch.randn(50, 2), ["modes"])


def test_digits_images_get_all_metrics():
    x, _ = load_digits_images()
    cfg = EvalConfig(kid_subsets=5, ndb_bins=20)
    out = evaluate(x[:800], x[800:], ["fid", "kid", "is", "pr", "dc", "ndb", "modes"], config=cfg)
    m = out["metrics"]
    assert out["extractor"].startswith("digits-cnn") and out["feature_dim"] == 64
    assert out["n_fake"] == 800 and out["n_real"] == 997 and out["config"]["ndb_bins"] == 20
    assert m["is"] > 8.5 and m["modes_covered"] == 10.0  # real digits: confident and balanced
    assert m["precision"] > 0.8 and m["coverage"] > 0.7


def test_is_needs_class_probabilities():
    with pytest.raises(UserError, match="needs class probabilities"):
        evaluate(torch.randn(50, 2), torch.randn(50, 2), ["is"])


def test_mismatched_inputs_are_refused():
    x, _ = load_digits_images()
    with pytest.raises(UserError, match="both as images or both as points"):
        evaluate(x[:100], torch.randn(100, 2))
    with pytest.raises(UserError, match="1 channels but real images have 3"):
        evaluate(x[:100], x[:300].reshape(100, 3, 8, 8))
    with pytest.raises(UserError, match="3 dimensions but real features have 2"):
        evaluate_features(torch.randn(50, 3), torch.randn(50, 2))
    with pytest.raises(UserError, match="no fake samples"):
        evaluate(torch.zeros(0, 2), torch.randn(50, 2))


def test_user_module_extractor_named_in_result():
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 4))
    x, _ = load_digits_images()
    out = evaluate(x[:100], x[100:200], ["fid"], extractor=net)
    assert out["extractor"] == "user module Sequential" and out["feature_dim"] == 4
