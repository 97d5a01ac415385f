import numpy as np
import pytest
import torch

from ganhacks.data.scaling import check_signed_unit, from_signed_unit, infer_value_range, to_signed_unit
from ganhacks.errors import UserError


@pytest.mark.parametrize("make", [torch.tensor, np.array])
def test_to_signed_unit_maps_ends_and_middle(make):
    x = make([0, 4, 8, 12, 16])
    out = to_signed_unit(x, 0, 16)
    assert type(out) is type(x)
    np.testing.assert_allclose(np.asarray(out), [-1.0, -0.5, 0.0, 0.5, 1.0], atol=1e-7)
    assert str(out.dtype).endswith("float32")  # ints become float32


def test_to_signed_unit_keeps_float_dtype_and_inverts():
    x = torch.rand(100, dtype=torch.float64) * 300 - 50
    y = to_signed_unit(x, -50, 250)
    assert y.dtype == torch.float64
    assert float(y.min()) >= -1 and float(y.max()) <= 1
    torch.testing.assert_close(from_signed_unit(y, -50, 250), x)


@pytest.mark.parametrize("low,high", [(1, 1), (2, 1), (0, float("nan")), (0, float("inf"))])
def test_to_signed_unit_rejects_bad_bounds(low, high):
    with pytest.raises(UserError, match="low < high"):
        to_signed_unit(np.zeros(3), low, high)


@pytest.mark.parametrize("make", [torch.tensor, np.array])
def test_check_signed_unit_returns_input_when_in_range(make):
    x = make([-1.0, 0.0, 1.0 + 5e-5])
    assert check_signed_unit(x) is x


@pytest.mark.parametrize(
    "values,match",
    [
        ([0.0, float("nan")], "1 NaN/Inf"),
        ([float("inf"), -float("inf")], "2 NaN/Inf"),
        ([0.0, 1.01], "outside"),
        ([-1.2, 0.0], "outside"),
    ],
)
@pytest.mark.parametrize("make", [torch.tensor, np.array])
def test_check_signed_unit_rejects(values, match, make):
    with pytest.raises(UserError, match=match) as info:
        check_signed_unit(make(values), name="real batch")
    assert "real batch" in str(info.value) and "\n" not in str(info.value)


def test_check_signed_unit_tolerance_is_respected():
    x = torch.tensor([1.0 + 2e-3])
    assert check_signed_unit(x, tol=1e-2) is x
    with pytest.raises(UserError):
        check_signed_unit(x, tol=1e-3)


@pytest.mark.parametrize(
    "arr,expected",
    [
        (np.array([0, 3], dtype=np.uint8), (0.0, 255.0)),
        (np.array([0, 200], dtype=np.int64), (0.0, 255.0)),
        (np.array([0.0, 0.5, 1.0]), (0.0, 1.0)),
        (np.array([-0.5, 0.9]), (-1.0, 1.0)),
        (np.array([0.0, 254.9]), (0.0, 255.0)),
    ],
)
def test_infer_value_range(arr, expected):
    assert infer_value_range(arr) == expected


@pytest.mark.parametrize(
    "arr,match",
    [
        (np.array([0.0, 300.0]), "no known image range"),
        (np.array([-3.0, 2.0]), "no known image range"),
        (np.array([0, 1000], dtype=np.int32), "no known image range"),
        (np.array([0.0, np.nan]), "NaN"),
        (np.array([True, False]), "dtype"),
    ],
)
def test_infer_value_range_refuses_insane_data(arr, match):
    with pytest.raises(UserError, match=match):
        infer_value_range(arr)
