import pytest
import torch
from torch import nn

from ganhacks.errors import UserError
from ganhacks.models import build_models
from ganhacks.train.config import ModelConfig


def linears(module: nn.Module) -> int:
    return sum(isinstance(m, nn.Linear) for m in module.modules())


def test_g_depth_deepens_g_alone():
    g, d = build_models(ModelConfig(depth=3, g_depth=5, g_width=16, d_width=16), (2,))
    assert linears(g) == 5 + 1 and linears(d) == 3 + 1  # hidden layers + the output layer
    g, d = build_models(ModelConfig(depth=2, g_width=16, d_width=16), (2,))
    assert linears(g) == linears(d) == 2 + 1  # g_depth=0 follows depth
    assert g(torch.randn(4, 64)).shape == (4, 2)
    with pytest.raises(UserError, match="g_depth"):
        ModelConfig(g_depth=-1)
