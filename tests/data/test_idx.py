import gzip
import struct

import numpy as np
import pytest
import torch

from ganhacks.data.idx import load_idx, parse_idx
from ganhacks.errors import UserError


def _idx(arr: np.ndarray, type_byte: int = 0x08) -> bytes:
    # magic: two zero bytes, type, rank; then big-endian uint32 dims; then big-endian values
    header = bytes([0, 0, type_byte, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


@pytest.fixture
def mnist_like():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (7, 5, 4), dtype=np.uint8), rng.integers(0, 10, 7).astype(np.uint8)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, mnist_like, gz):
    images, labels = mnist_like
    suffix = ".gz" if gz else ""
    write = gzip.compress if gz else (lambda b: b)
    (tmp_path / f"train-images-idx3-ubyte{suffix}").write_bytes(write(_idx(images)))
    (tmp_path / f"train-labels-idx1-ubyte{suffix}").write_bytes(write(_idx(labels)))
    ds = load_idx(tmp_path / f"train-images-idx3-ubyte{suffix}")
    expected = torch.from_numpy(images[:, None].astype(np.float32) / 255 * 2 - 1)
    torch.testing.assert_close(ds.x, expected, atol=1e-6, rtol=0)
    assert ds.y.tolist() == labels.tolist()


def test_idx_without_labels_file(tmp_path, mnist_like):
    (tmp_path / "imgs.idx").write_bytes(_idx(mnist_like[0]))
    ds = load_idx(tmp_path / "imgs.idx", image_size=8)
    assert ds.y is None and ds.x.shape == (7, 1, 8, 8)


def test_parse_big_endian_types():
    a = np.array([[-300, 2], [7, 32000]], dtype=np.int16)
    np.testing.assert_array_equal(parse_idx(_idx(a, 0x0B)), a)
    f = np.array([0.25, -1.5], dtype=np.float64)
    np.testing.assert_array_equal(parse_idx(_idx(f, 0x0E)), f)


def test_bad_idx_files(tmp_path, mnist_like):
    images, labels = mnist_like
    with pytest.raises(UserError, match="truncated or corrupt"):
        parse_idx(_idx(images)[:-3])
    with pytest.raises(UserError, match="bad magic"):
        parse_idx(b"\x01\x02\x03\x04")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx(images))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx(labels[:5]))
    with pytest.raises(UserError, match="one label per example"):
        load_idx(tmp_path / "train-images-idx3-ubyte")
    (tmp_path / "l-idx1").write_bytes(_idx(labels))
    with pytest.raises(UserError, match="rank-1"):
        load_idx(tmp_path / "l-idx1")
    (tmp_path / "x.gz").write_bytes(b"not gzip")
    with pytest.raises(UserError, match="cannot read"):
        load_idx(tmp_path / "x.gz")
