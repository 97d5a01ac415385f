"""Feature extractors: digits CNN on stacked channels, user modules, the optional Inception."""

import os
import pickle
import sys

import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.metrics import digits_split
from ganhacks.metrics.extractors import (
    DigitsExtractor,
    InceptionExtractor,
    ModuleExtractor,
    auto_extractor_name,
    extract,
    resolve_extractor,
)


@pytest.fixture(scope="module")
def digits():
    return digits_split().x_test[:90]


def test_stacked_channels_give_concatenated_features_and_joint_probabilities(digits):
    ext = DigitsExtractor()
    single_f, single_p = extract(ext, digits, "real")
    stacked = digits[:30].reshape(30, 1, 8, 8).repeat(1, 3, 1, 1)
    stacked[:, 1], stacked[:, 2] = digits[30:60, 0], digits[60:90, 0]
    f, p = extract(ext, stacked, "fake")
    assert f.shape == (30, 192) and p.shape == (30, 1000)
    torch.testing.assert_close(f[:, 64:128], single_f[30:60])
    torch.testing.assert_close(p.sum(1), torch.ones(30, dtype=torch.float64))
    # p(d0, d1, d2) = p0(d0) p1(d1) p2(d2), with d0 the most significant digit
    joint = single_p[:30, :, None, None] * single_p[30:60, None, :, None] * single_p[60:90, None, None, :]
    torch.testing.assert_close(p, joint.reshape(30, 1000))


def test_user_module_as_extractor(digits):
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 7))
    f, p = extract(ModuleExtractor(net), digits, "fake")
    assert f.shape == (90, 7) and p is None
    torch.testing.assert_close(f, net(digits).double())

    class WithLogits(torch.nn.Module):
        def forward(self, x):
            h = x.flatten(1)
            return h, h[:, :5]

    f, p = extract(resolve_extractor(WithLogits(), digits), digits, "fake")
    torch.testing.assert_close(p, torch.softmax(digits.flatten(1)[:, :5].double(), 1))


def test_auto_choice():
    assert auto_extractor_name(torch.zeros(4, 2)) == "identity"
    assert auto_extractor_name(torch.zeros(4, 3, 8, 8)) == "digits"
    assert auto_extractor_name(torch.zeros(4, 1, 32, 32)) == "digits"
    assert auto_extractor_name(torch.zeros(4, 3, 64, 64)) == "inception"


def test_unknown_extractor_name_suggests():
    with pytest.raises(UserError, match="Did you mean 'digits'"):
        resolve_extractor("digit", torch.zeros(4, 1, 8, 8))


def test_inception_without_the_extra_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch_fidelity", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "torch_fidelity.feature_extractor_inceptionv3", None)
    with pytest.raises(UserError, match=r"pip install 'ganhacks\[inception\]'"):
        InceptionExtractor()


def test_inception_without_weights_says_where_to_get_them(tmp_path):
    pytest.importorskip("torch_fidelity")
    with pytest.raises(UserError, match="curl -L -o"):
        InceptionExtractor(tmp_path / "missing.pth")


def test_bad_images_are_refused_with_one_line(digits):
    ext = DigitsExtractor()
    with pytest.raises(UserError, match=r"\[-1, 1\].*x / 127.5 - 1"):
        extract(ext, (digits + 1) * 127.5, "fake")
    with pytest.raises(UserError, match="channels-last.*permute"):
        extract(ext, digits.permute(0, 2, 3, 1), "fake")
    with pytest.raises(UserError, match=r"add a channel axis"):
        extract(ext, digits[:, 0], "fake")
    bad = digits.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(UserError, match="fake images contain NaN"):
        extract(ext, bad, "fake")


class _FakeInception(torch.nn.Module):
    """Stands in for torch-fidelity's network: records its input, returns (features, logits)."""

    seen: list = []

    def __init__(self, name, features_list, feature_extractor_weights_path=None):
        super().__init__()
        self.args = (name, features_list, feature_extractor_weights_path)

    def forward(self, x):
        _FakeInception.seen.append(x)
        flat = x.double().flatten(1)
        return flat[:, :6].float(), flat[:, :4].float()


def _fake_fidelity(monkeypatch):
    import types

    module = types.ModuleType("torch_fidelity.feature_extractor_inceptionv3")
    module.FeatureExtractorInceptionV3 = _FakeInception
    monkeypatch.setitem(sys.modules, "torch_fidelity", types.ModuleType("torch_fidelity"))
    monkeypatch.setitem(sys.modules, "torch_fidelity.feature_extractor_inceptionv3", module)


def test_inception_wrapper_quantises_to_uint8_rgb(monkeypatch, tmp_path):
    _fake_fidelity(monkeypatch)
    weights = tmp_path / "w.pth"
    torch.save({"fc.weight": torch.zeros(2, 2)}, weights)
    monkeypatch.setenv("GANHACKS_INCEPTION_WEIGHTS", str(weights))
    ext = InceptionExtractor()
    assert ext.model.args == ("inception-v3-compat", ["2048", "logits_unbiased"], str(weights))
    x = torch.tensor([-1.0, 0.0, 1.0, 0.5]).reshape(1, 1, 2, 2).repeat(3, 1, 1, 1)
    f, p = extract(ext, x, "fake")
    pixels = _FakeInception.seen[-1]
    assert pixels.dtype == torch.uint8 and pixels.shape == (3, 3, 2, 2)
    assert pixels[0, 2].flatten().tolist() == [0, 128, 255, 191]  # round((x + 1) * 127.5)
    assert f.shape == (3, 6) and p.shape == (3, 4)


class _Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_inception_weights_holding_objects_are_refused(monkeypatch, tmp_path):
    _fake_fidelity(monkeypatch)
    marker = tmp_path / "pwned"
    weights = tmp_path / "evil.pth"
    torch.save({"fc.weight": _Payload(marker)}, weights)  # a pickled object, not tensors
    with pytest.raises(UserError, match="refusing to unpickle"):
        InceptionExtractor(weights)
    assert not marker.exists()
    torch.load(weights, weights_only=False)  # positive control: an unsafe load runs the payload
    assert marker.exists()


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "not a readable safetensors file"),
        (b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}", "not a readable safetensors file"),
        ("pickle", "not a readable safetensors file"),
        ("other-net", "do not hold the digits CNN's weights"),
    ],
    ids=["empty", "bad-header", "pickle", "other-net"],
)
def test_digits_weights_that_are_not_the_digits_cnn_are_one_line_errors(tmp_path, content, match):
    from safetensors.torch import save_file

    marker = tmp_path / "pwned"
    path = tmp_path / "w.safetensors"
    if content == "pickle":
        path.write_bytes(pickle.dumps({"conv1.weight": _Payload(marker)}))
    elif content == "other-net":
        save_file({"fc.weight": torch.zeros(2, 2)}, str(path))
    else:
        path.write_bytes(content)
    with pytest.raises(UserError, match=match):
        DigitsExtractor(path)
    assert not marker.exists()
    if content == "pickle":  # positive control: the file does run code when unpickled
        pickle.loads(path.read_bytes())
        assert marker.exists()
