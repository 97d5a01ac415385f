import os
import pickle

import numpy as np
import pytest
import torch

from ganhacks.data.cifar import load_cifar, safe_unpickle
from ganhacks.errors import UserError


def _batch(n, seed, bytes_keys):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = rng.integers(0, 10, n).tolist()
    k = (lambda s: s.encode()) if bytes_keys else (lambda s: s)
    return {
        k("batch_label"): k("training batch"),
        k("data"): data,
        k("labels"): labels,
        k("filenames"): [k("a.png")] * n,
    }


@pytest.mark.parametrize("protocol,bytes_keys", [(2, True), (4, False), (5, False)])
def test_cifar_batch_round_trip(tmp_path, protocol, bytes_keys):
    batch = _batch(4, 0, bytes_keys)
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=protocol))
    ds = load_cifar(tmp_path / "data_batch_1")
    data = batch[b"data" if bytes_keys else "data"]
    # each row holds the R, G and B 32x32 planes in turn
    expected = torch.from_numpy(data.reshape(4, 3, 32, 32).astype(np.float32) / 255 * 2 - 1)
    torch.testing.assert_close(ds.x, expected, atol=1e-6, rtol=0)
    assert ds.y.tolist() == batch[b"labels" if bytes_keys else "labels"]
    torch.testing.assert_close(ds.x[1, 2, 0, 5], torch.tensor(float(data[1, 2 * 1024 + 5]) / 255 * 2 - 1))


def test_cifar_folder_concatenates_batches_in_order(tmp_path):
    b1, b2 = _batch(3, 1, True), _batch(2, 2, True)
    (tmp_path / "data_batch_2").write_bytes(pickle.dumps(b2, protocol=2))
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(b1, protocol=2))
    ds = load_cifar(tmp_path, image_size=16)
    assert ds.x.shape == (5, 3, 16, 16)
    assert ds.y.tolist() == b1[b"labels"] + b2[b"labels"]


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    payload = {"data": np.zeros((1, 3072), dtype=np.uint8), "labels": [_Evil(marker)]}
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(payload))
    with pytest.raises(UserError, match="refus"):
        load_cifar(tmp_path / "data_batch_1")
    assert not marker.exists()
    # sanity check of the test itself: the ordinary unpickler would have run the command
    pickle.loads(pickle.dumps(_Evil(marker)))
    assert marker.exists()


def test_codec_trick_and_object_arrays_refused():
    # _codecs.encode is allowed only for latin-1, the way protocol 2 stores bytes
    raw = b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x04\x00\x00\x00utf8\x86R."
    with pytest.raises(UserError, match="refus"):
        safe_unpickle(raw)
    obj_array = pickle.dumps(np.array([1, "x"], dtype=object))
    with pytest.raises(UserError, match="Python objects"):
        safe_unpickle(obj_array)
    np.testing.assert_array_equal(safe_unpickle(pickle.dumps(np.arange(3.0))), np.arange(3.0))


@pytest.mark.parametrize(
    "payload,match",
    [([1, 2], "not a CIFAR batch dict"), ({"data": np.zeros((2, 10), dtype=np.uint8)}, "shape \\(N, 3072\\)")],
)
def test_not_a_cifar_batch(tmp_path, payload, match):
    (tmp_path / "test_batch").write_bytes(pickle.dumps(payload))
    with pytest.raises(UserError, match=match):
        load_cifar(tmp_path)


def test_corrupt_pickle_and_empty_folder(tmp_path):
    (tmp_path / "f").write_bytes(pickle.dumps({"data": 1})[:-4])
    with pytest.raises(UserError, match="not a readable CIFAR batch"):
        load_cifar(tmp_path / "f")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no CIFAR batch files"):
        load_cifar(tmp_path / "empty")


def test_text_labels_in_a_batch_say_to_store_class_indices(tmp_path):
    batch = _batch(4, 0, True)
    batch[b"labels"] = ["cat", "dog", "cat", "dog"]
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(UserError, match="are text, not integers; store them as class indices 0..K-1"):
        load_cifar(tmp_path / "data_batch_1")
