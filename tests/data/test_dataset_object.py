import numpy as np
import pytest
import torch

from ganhacks.data.dataset import Dataset, check_labels
from ganhacks.errors import UserError


def test_dataset_checks_its_range_and_shape():
    with pytest.raises(UserError, match="outside \\[-1, 1\\]"):
        Dataset(name="raw", x=torch.full((2, 1, 2, 2), 3.0))
    with pytest.raises(ValueError, match="rank-2"):
        Dataset(name="pts", x=torch.zeros(4, 1, 2, 2), kind="points")
    with pytest.raises(UserError, match="num_classes is 2"):
        Dataset(name="d", x=torch.zeros(2, 2), y=torch.tensor([0, 2]), num_classes=2, kind="points")


def test_describe_and_properties():
    ds = Dataset(name="d", x=torch.zeros(3, 3, 4, 5), y=torch.tensor([0, 1, 1]), num_classes=2)
    assert ds.describe() == "d: 3 images 3x4x5 in [-1, 1], 2 classes"
    assert len(ds) == 3 and ds.sample_shape == (3, 4, 5) and ds.conditional


@pytest.mark.parametrize(
    "y,match",
    [
        (np.array([0.5, 1.0]), "whole numbers"),
        (np.array([[0, 1]]), "one label per example"),
        (np.array([0, -1]), "labels must be 0, 1, 2"),
        (np.array([True, False]), "dtype"),
    ],
)
def test_bad_labels(y, match):
    with pytest.raises(UserError, match=match):
        check_labels(y, 2, "set")


def test_labels_become_int64():
    out = check_labels(np.array([2.0, 0.0], dtype=np.float32), 2, "set")
    assert out.dtype == torch.int64 and out.tolist() == [2, 0]
