import gzip
import os
import pickle
import struct

import numpy as np
import pytest
import torch
from PIL import Image

from ganhacks.data import DATASETS, load_dataset
from ganhacks.errors import UserError


def test_registry_names():
    assert DATASETS.names() == ["ring8", "grid25", "digits", "stacked_digits"]


@pytest.mark.parametrize(
    "name,kind,shape,classes",
    [
        ("ring8", "points", (500, 2), 8),
        ("grid25", "points", (500, 2), 25),
        ("digits", "images", (1797, 1, 8, 8), 10),
        ("stacked_digits", "images", (500, 3, 8, 8), 1000),
    ],
)
def test_builtins_are_in_signed_unit_range(name, kind, shape, classes):
    ds = load_dataset(name, n=None if name == "digits" else 500, seed=2)
    assert ds.kind == kind and tuple(ds.x.shape) == shape and ds.num_classes == classes
    assert ds.x.dtype == torch.float32 and bool(torch.isfinite(ds.x).all())
    assert float(ds.x.min()) >= -1.0 and float(ds.x.max()) <= 1.0
    assert ds.y.shape == (shape[0],) and ds.y.dtype == torch.int64 and int(ds.y.max()) < classes
    assert ds.describe().startswith(f"{name}: {shape[0]} ")


def test_image_size_for_builtins():
    assert load_dataset("stacked_digits", n=10, image_size=32).x.shape == (10, 3, 32, 32)
    with pytest.raises(UserError, match="image_size does not apply"):
        load_dataset("ring8", image_size=16)
    with pytest.raises(UserError, match="n applies only"):
        load_dataset("digits", n=100)
    with pytest.raises(UserError, match="value_range"):
        load_dataset("digits", value_range=(0, 16))


def test_unknown_name_suggests_nearest():
    with pytest.raises(UserError, match="Did you mean 'grid25'") as info:
        load_dataset("grid52")
    assert "ring8, grid25, digits, stacked_digits" in str(info.value)


def test_missing_path():
    with pytest.raises(UserError, match="no such file or folder"):
        load_dataset("./nowhere/data.npy")


def test_paths_are_routed_by_content(tmp_path):
    # image folder
    (tmp_path / "imgs").mkdir()
    Image.fromarray(np.zeros((4, 4), dtype=np.uint8)).save(tmp_path / "imgs" / "a.png")
    assert load_dataset(tmp_path / "imgs").x.shape == (1, 1, 4, 4)
    # .npy
    np.save(tmp_path / "a.npy", np.zeros((2, 4, 4, 3), dtype=np.uint8))
    assert load_dataset(str(tmp_path / "a.npy")).x.shape == (2, 3, 4, 4)
    # IDX folder (gzipped), found by name
    (tmp_path / "mnist").mkdir()
    raw = bytes([0, 0, 8, 3]) + struct.pack(">3I", 3, 2, 2) + bytes(range(12))
    (tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(raw))
    assert load_dataset(tmp_path / "mnist").x.shape == (3, 1, 2, 2)
    # IDX file with an unusual name: recognised by its magic number
    (tmp_path / "weird.bin").write_bytes(raw)
    assert len(load_dataset(tmp_path / "weird.bin")) == 3
    # CIFAR folder and a CIFAR file with no suffix
    (tmp_path / "cifar").mkdir()
    batch = {b"data": np.zeros((2, 3072), dtype=np.uint8), b"labels": [3, 1]}
    (tmp_path / "cifar" / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
    ds = load_dataset(tmp_path / "cifar")
    assert ds.x.shape == (2, 3, 32, 32) and ds.y.tolist() == [3, 1] and ds.num_classes == 4
    assert load_dataset(tmp_path / "cifar" / "test_batch", image_size=8).x.shape == (2, 3, 8, 8)


def test_unsupported_files(tmp_path):
    Image.fromarray(np.zeros((4, 4), dtype=np.uint8)).save(tmp_path / "one.png")
    with pytest.raises(UserError, match="single image"):
        load_dataset(tmp_path / "one.png")
    (tmp_path / "x.csv").write_text("1,2,3\n")
    with pytest.raises(UserError, match="cannot tell what"):
        load_dataset(tmp_path / "x.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no PNG/JPEG images"):
        load_dataset(tmp_path / "empty")
    with pytest.raises(UserError, match="leave it unset for files"):
        load_dataset(tmp_path / "one.png", n=3)


class Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_given_as_data_is_unpickled_safely(tmp_path):
    # any file starting like a pickle is read as a CIFAR batch, through the safe unpickler
    marker = tmp_path / "pwned"
    evil = tmp_path / "my-data.bin"
    evil.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), dtype=np.uint8), b"labels": Payload(marker)}))
    with pytest.raises(UserError, match="refus"):
        load_dataset(evil)
    assert not marker.exists()
    pickle.loads(evil.read_bytes())  # positive control: the ordinary unpickler runs the payload
    assert marker.exists()
