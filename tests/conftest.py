"""Fixtures shared by every test folder: tiny run configs that train in a fraction of a second on CPU."""

import pytest
import torch

from ganhacks.train.config import apply_overrides
from ganhacks.train.presets import preset_config

# One thread per test process: the suite runs as `pytest -n 2` on 2 cores, and two workers with two
# threads each oversubscribe the CPU (some tests ran 10x slower that way).
torch.set_num_threads(1)

TINY_IMAGES = [
    "data.name=digits",
    "model.g_width=8",
    "model.d_width=8",
    "model.z_dim=8",
    "train.batch_size=16",
    "train.log_every=1",
    "train.sample_every=0",
    "train.checkpoint_every=0",
]
TINY_POINTS = [
    "data.name=ring8",
    "data.points=512",
    "model.g_width=16",
    "model.d_width=16",
    "model.z_dim=4",
    "train.batch_size=32",
    "train.log_every=1",
    "train.sample_every=0",
    "train.checkpoint_every=0",
]


@pytest.fixture
def tiny():
    """A factory of tiny configs: ``tiny("recommended", images=True, steps=4, extra=[...])``."""

    def make(preset="recommended", images=True, steps=4, extra=()):
        base = TINY_IMAGES if images else TINY_POINTS
        return apply_overrides(preset_config(preset), [*base, f"train.steps={steps}", *extra])

    return make
