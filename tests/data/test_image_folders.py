import logging

import numpy as np
import pytest
import torch
from PIL import Image

from ganhacks.data.folders import load_image_folder
from ganhacks.errors import UserError


def _write(path, arr, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr, mode).save(path) if mode else Image.fromarray(arr).save(path)


def _signed(arr, high=255.0):
    return torch.from_numpy(arr.astype(np.float32) / high * 2 - 1)


def test_grey_png_round_trip_with_class_folders(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {}
    for cls in ("dog", "cat"):
        for i in range(3):
            a = rng.integers(0, 256, (6, 5), dtype=np.uint8)
            _write(tmp_path / cls / f"{i}.png", a)
            arrays[(cls, i)] = a
    ds = load_image_folder(tmp_path)
    assert ds.x.shape == (6, 1, 6, 5) and ds.class_names == ("cat", "dog") and ds.num_classes == 2
    order = [("cat", 0), ("cat", 1), ("cat", 2), ("dog", 0), ("dog", 1), ("dog", 2)]  # sorted paths
    expected = torch.stack([_signed(arrays[k])[None] for k in order])
    torch.testing.assert_close(ds.x, expected, atol=1e-6, rtol=0)
    assert ds.y.tolist() == [0, 0, 0, 1, 1, 1]


def test_rgb_recursive_without_labels_and_hidden_files_ignored(tmp_path):
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    _write(tmp_path / "a.png", a)
    _write(tmp_path / "deep" / "er" / "b.PNG", b)
    (tmp_path / "._a.png").write_bytes(b"not an image")  # macOS stub: hidden, skipped silently
    (tmp_path / "notes.txt").write_text("ignored")
    ds = load_image_folder(tmp_path)
    assert ds.y is None and ds.num_classes == 0 and ds.notes == ()
    expected = torch.stack([_signed(a).permute(2, 0, 1), _signed(b).permute(2, 0, 1)])
    torch.testing.assert_close(ds.x, expected, atol=1e-6, rtol=0)


def test_grey_and_colour_mix_becomes_rgb(tmp_path):
    grey = np.full((4, 4), 51, dtype=np.uint8)
    _write(tmp_path / "g.png", grey)
    _write(tmp_path / "c.png", np.zeros((4, 4, 3), dtype=np.uint8))
    ds = load_image_folder(tmp_path)
    assert ds.x.shape == (2, 3, 4, 4)
    torch.testing.assert_close(ds.x[1], torch.full((3, 4, 4), 51 / 255 * 2 - 1))  # g.png sorts second


def test_sixteen_bit_png(tmp_path):
    a = np.array([[0, 65535], [32768, 1000]], dtype=np.uint16)
    Image.fromarray(a).save(tmp_path / "w.png")
    ds = load_image_folder(tmp_path)
    torch.testing.assert_close(ds.x[0, 0], _signed(a, 65535.0), atol=1e-6, rtol=0)


def test_jpeg_is_read(tmp_path):
    a = np.full((8, 8, 3), 128, dtype=np.uint8)
    Image.fromarray(a).save(tmp_path / "x.jpg", quality=95)
    ds = load_image_folder(tmp_path)
    assert ds.x.shape == (1, 3, 8, 8)
    assert float((ds.x - (128 / 255 * 2 - 1)).abs().max()) < 0.03  # lossy, but a flat image survives


def test_corrupt_files_are_skipped_and_counted(tmp_path, caplog):
    _write(tmp_path / "good.png", np.zeros((4, 4), dtype=np.uint8))
    (tmp_path / "bad.png").write_bytes(b"\x89PNG garbage")
    full = tmp_path / "full.png"
    _write(full, np.zeros((64, 64), dtype=np.uint8))
    (tmp_path / "trunc.png").write_bytes(full.read_bytes()[:60])
    full.unlink()
    with caplog.at_level(logging.WARNING, logger="ganhacks"):
        ds = load_image_folder(tmp_path)
    assert len(ds) == 1 and "skipped 2 unreadable" in ds.describe()
    (record,) = caplog.records  # one line naming them, through logging (not a Python warning)
    assert record.getMessage() == f"{tmp_path}: skipped 2 unreadable image file(s): bad.png, trunc.png"


def test_all_corrupt_folder_is_an_error(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.jpg").write_bytes(b"nope")
    with pytest.raises(UserError, match="none of the 3 image files"):
        load_image_folder(tmp_path)


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(UserError, match="no PNG/JPEG images"):
        load_image_folder(tmp_path)


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        load_image_folder(tmp_path / "nope")


def test_mixed_sizes_need_image_size(tmp_path):
    _write(tmp_path / "a.png", np.zeros((8, 8), dtype=np.uint8))
    _write(tmp_path / "b.png", np.full((12, 6), 255, dtype=np.uint8))
    with pytest.raises(UserError, match="--set data.image_size=N"):
        load_image_folder(tmp_path)
    ds = load_image_folder(tmp_path, image_size=4)
    assert ds.x.shape == (2, 1, 4, 4)
    torch.testing.assert_close(ds.x[0], -torch.ones(1, 4, 4))  # flat images stay flat
    torch.testing.assert_close(ds.x[1], torch.ones(1, 4, 4))


def test_skipped_file_does_not_shift_class_ids(tmp_path, caplog):
    _write(tmp_path / "b_class" / "x.png", np.zeros((4, 4), dtype=np.uint8))
    (tmp_path / "a_class").mkdir()
    (tmp_path / "a_class" / "broken.png").write_bytes(b"broken")
    with caplog.at_level(logging.WARNING, logger="ganhacks"):
        ds = load_image_folder(tmp_path)
    assert "broken.png" in caplog.text
    assert ds.class_names == ("a_class", "b_class") and ds.y.tolist() == [1]
