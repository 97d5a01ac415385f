import os
import pickle
import re

import numpy as np
import pytest
import torch

from ganhacks.data.arrays import load_array_file
from ganhacks.errors import UserError


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (5, 3, 6, 7), dtype=np.uint8)  # NCHW


def _expected(nchw):
    return torch.from_numpy(nchw.astype(np.float32) / 255 * 2 - 1)


def test_npy_nchw_and_nhwc_give_the_same_tensor(tmp_path, images):
    np.save(tmp_path / "nchw.npy", images)
    np.save(tmp_path / "nhwc.npy", images.transpose(0, 2, 3, 1))
    a = load_array_file(tmp_path / "nchw.npy")
    b = load_array_file(tmp_path / "nhwc.npy")
    torch.testing.assert_close(a.x, _expected(images), atol=1e-6, rtol=0)
    torch.testing.assert_close(b.x, a.x)
    assert a.y is None


def test_npy_rank3_is_grey(tmp_path, images):
    np.save(tmp_path / "g.npy", images[:, 0])
    ds = load_array_file(tmp_path / "g.npy")
    torch.testing.assert_close(ds.x, _expected(images[:, :1]), atol=1e-6, rtol=0)


def test_npz_with_named_labels_and_unit_floats(tmp_path, images):
    floats = images.astype(np.float32) / 255
    np.savez(tmp_path / "d.npz", x=floats.transpose(0, 2, 3, 1), y=np.array([0, 2, 1, 2, 0]))
    ds = load_array_file(tmp_path / "d.npz", image_size=4)
    assert ds.x.shape == (5, 3, 4, 4) and ds.y.tolist() == [0, 2, 1, 2, 0] and ds.num_classes == 3


def test_npz_positional_arrays(tmp_path, images):
    np.savez(tmp_path / "p.npz", images, np.arange(5))
    ds = load_array_file(tmp_path / "p.npz")
    torch.testing.assert_close(ds.x, _expected(images), atol=1e-6, rtol=0)
    assert ds.y.tolist() == [0, 1, 2, 3, 4]


def test_signed_floats_pass_through_and_value_range_overrides(tmp_path):
    a = np.linspace(-1, 1, 2 * 16, dtype=np.float32).reshape(2, 1, 4, 4)
    np.save(tmp_path / "s.npy", a)
    torch.testing.assert_close(load_array_file(tmp_path / "s.npy").x, torch.from_numpy(a))
    b = np.linspace(0, 1000, 2 * 16).reshape(2, 4, 4)
    np.save(tmp_path / "w.npy", b)
    ds = load_array_file(tmp_path / "w.npy", value_range=(0, 1000))
    assert float(ds.x.min()) == pytest.approx(-1) and float(ds.x.max()) == pytest.approx(1)


@pytest.mark.parametrize(
    "arr,match",
    [
        (np.zeros((10, 2), dtype=np.uint8), "rank 2"),
        (np.zeros((2, 1, 4, 4, 1), dtype=np.uint8), "rank 5"),
        (np.zeros((2, 5, 7, 9), dtype=np.uint8), "channel axis"),
        (np.linspace(0, 300, 32).reshape(2, 4, 4), "no known image range"),
        (np.full((2, 4, 4), np.nan), "NaN"),
        (np.zeros((0, 4, 4), dtype=np.uint8), "no images"),
    ],
)
def test_bad_arrays(tmp_path, arr, match):
    np.save(tmp_path / "bad.npy", arr)
    with pytest.raises(UserError, match=match):
        load_array_file(tmp_path / "bad.npy")


class Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_object_arrays_are_refused_without_running_code(tmp_path, suffix):
    marker = tmp_path / "pwned"
    evil = np.array([Payload(marker), None], dtype=object)
    path = tmp_path / f"o{suffix}"
    if suffix == ".npy":
        np.save(path, evil, allow_pickle=True)
    else:
        np.savez(path, x=evil)
    with pytest.raises(UserError, match="Python objects"):
        load_array_file(path)
    assert not marker.exists()
    loaded = np.load(path, allow_pickle=True)  # positive control: an unsafe load runs the payload
    _ = loaded if suffix == ".npy" else loaded["x"]
    assert marker.exists()


def test_corrupt_npy_and_wrong_labels(tmp_path, images):
    (tmp_path / "c.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(UserError, match="not a readable numpy file"):
        load_array_file(tmp_path / "c.npy")
    np.savez(tmp_path / "l.npz", x=images, y=np.arange(4))
    with pytest.raises(UserError, match="one label per example"):
        load_array_file(tmp_path / "l.npz")
    np.savez(tmp_path / "k.npz", a=images, b=images)
    with pytest.raises(UserError, match="name the images 'x'"):
        load_array_file(tmp_path / "k.npz")


def test_text_labels_are_one_line_saying_to_store_class_indices(tmp_path, capsys):
    from ganhacks.cli import main

    x = np.random.default_rng(0).uniform(-1, 1, (100, 1, 8, 8)).astype("f4")
    np.savez(tmp_path / "lab.npz", x=x, y=np.array(["cat"] * 100))
    out = tmp_path / "run"
    assert main(["train", "--data", str(tmp_path / "lab.npz"), "--steps", "5", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lab.npz are text, not integers; store them as class indices 0..K-1" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"a": 1}\n', "is not a readable numpy file (no numpy header: it holds text or other data)"),
        (bytes(range(7, 207)), "is not a readable numpy file (no numpy header: it holds text or other data)"),
        (pickle.dumps([1, 2]), "is a Python pickle, which is not loaded for safety"),
    ],
)
def test_text_garbage_and_pickles_are_told_from_object_arrays(tmp_path, content, message):
    (tmp_path / "f.npy").write_bytes(content)
    with pytest.raises(UserError, match=re.escape(message)):
        load_array_file(tmp_path / "f.npy")
    np.save(tmp_path / "o.npy", np.array([1, "x"], dtype=object))
    with pytest.raises(UserError, match="holds Python objects, which are not loaded for safety"):
        load_array_file(tmp_path / "o.npy")
