import pytest

from ganhacks.errors import UserError, check_probability
from ganhacks.registry import Registry


def test_registry_suggests_nearest_name():
    r = Registry("widget")
    r.register("spectral", 1)
    r.register("batch", 2)
    assert r.get("batch") == 2 and r.names() == ["spectral", "batch"]
    with pytest.raises(
        UserError, match="unknown widget 'spectrl'. Did you mean 'spectral'\\? Valid choices: spectral, batch"
    ):
        r.get("spectrl")
    with pytest.raises(KeyError, match="twice"):
        r.register("batch", 3)


def test_probability_check():
    assert check_probability("p", 0.0) == 0.0
    for bad in (-0.01, 1.01, float("nan")):
        with pytest.raises(UserError, match=r"\[0, 1\]"):
            check_probability("p", bad)
