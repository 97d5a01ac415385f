"""Progressive growing of the last stage in the models and the trainer (S05): tricks.grow_steps."""

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from ganhacks.errors import UserError
from ganhacks.models import DCGANDiscriminator, DCGANGenerator
from ganhacks.train.callbacks import Callback
from ganhacks.train.loop import Trainer
from ganhacks.train.run import resume_run, start_run


def up2(x):
    return x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)  # nearest 2x upsampling


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@torch.no_grad()
def test_generator_fades_its_last_stage_in():
    torch.manual_seed(0)
    g = DCGANGenerator(8, 3, 16, width=4, norm="layer", grow=True)
    plain = DCGANGenerator(8, 3, 16, width=4, norm="layer")
    assert set(plain.load_state_dict(g.state_dict(), strict=False).unexpected_keys) == {
        "alpha",
        "to_image_low.0.weight",
        "to_image_low.0.bias",
    }
    z = torch.randn(4, 8)
    h = g.stem(z)
    for i in range(g._stage_ends[-2]):  # up to the last stage: (N, C, 8, 8)
        h = g.blocks[i](h)
    low, high = up2(g.to_image_low(h)), plain(z)
    assert torch.equal(g(z), high)  # alpha starts at 1: the plain network
    g.alpha.fill_(0.0)
    assert_close(g(z), low)  # only the half-resolution image, upsampled
    g.alpha.fill_(0.25)
    assert_close(g(z), 0.75 * low + 0.25 * high)


@torch.no_grad()
def test_discriminator_at_alpha_0_sees_only_the_half_resolution_image():
    torch.manual_seed(0)
    d = DCGANDiscriminator(3, 16, width=4, norm="layer", minibatch_std=True, grow=True)
    plain = DCGANDiscriminator(3, 16, width=4, norm="layer", minibatch_std=True)
    plain.load_state_dict(d.state_dict(), strict=False)
    x = torch.rand(4, 3, 16, 16) * 2 - 1
    blocky = up2(F.avg_pool2d(x, 2))
    assert torch.equal(d(x), plain(x))
    assert not torch.allclose(d(x), d(blocky))  # at alpha 1 fine detail matters
    d.alpha.fill_(0.0)
    assert_close(d(x), d(blocky))
    d.alpha.fill_(0.5)
    assert not torch.allclose(d(x), d(blocky))


class AlphaLog(Callback):
    """Records alpha per iteration."""

    def __init__(self):
        self.alphas = []

    def on_step_end(self, trainer, step, logs):
        self.alphas.append(float(logs["grow/alpha"]))


def _params(module, prefixes):
    return {k: v.detach().clone() for k, v in module.named_parameters() if k.startswith(prefixes)}


def test_trainer_grows_on_schedule_and_trains_only_the_half_resolution_net_first(tiny):
    seen = AlphaLog()
    trainer = Trainer(tiny(steps=2, extra=["data.image_size=16", "tricks.grow_steps=2"]), callbacks=[seen])
    d_inputs = []
    trainer.D.register_forward_pre_hook(lambda m, args: d_inputs.append(args[0].detach()))
    last = ("blocks.3.", "blocks.4.", "blocks.5.", "to_image.")  # G's 8 -> 16 stage and its output
    first = tuple(f"body.{i}." for i in range(5))  # D's input conv and 16 -> 8 stage
    g0, d0 = _params(trainer.G, last), _params(trainer.D, first)
    low0 = _params(trainer.G, ("to_image_low.",))
    trainer.fit()
    # alpha 0: the real batch D saw was blurred to 8x8 like G's output, and the new stages did not move
    assert torch.equal(d_inputs[0], up2(F.avg_pool2d(d_inputs[0], 2)))
    assert all(torch.equal(v, trainer.G.state_dict()[k]) for k, v in g0.items()) and g0
    assert all(torch.equal(v, dict(trainer.D.named_parameters())[k]) for k, v in d0.items()) and d0
    assert not all(torch.equal(v, trainer.G.state_dict()[k]) for k, v in low0.items())
    trainer.with_steps(6)
    trainer.fit()
    assert seen.alphas == [0.0, 0.0, 0.0, 0.5, 1.0, 1.0]
    assert not all(torch.equal(v, trainer.G.state_dict()[k]) for k, v in g0.items())
    assert float(trainer.ema.module.alpha) == 1.0  # samples follow the fade too


def test_resume_in_the_middle_of_the_fade_equals_uninterrupted_run(tmp_path, tiny):
    extra = [
        "data.image_size=16",
        "tricks.grow_steps=3",
        "tricks.noise_start=0.2",
        "model.g_dropout=0.2",
        "model.encoder=true",
    ]
    full = Trainer(tiny(steps=8, extra=extra))
    full.fit()
    run = tmp_path / "run"
    start_run(tiny(steps=4, extra=extra), run, progress=False)  # stops at alpha 1/3
    resumed = resume_run(run, steps=8, progress=False)
    for name in ("G", "D", "E"):
        assert states_equal(getattr(full, name).state_dict(), getattr(resumed, name).state_dict()), name
    assert states_equal(full.ema.module.state_dict(), resumed.ema.module.state_dict())
    other = Trainer(tiny(steps=8, extra=[*extra, "train.seed=1"]))
    other.fit()
    assert not states_equal(full.G.state_dict(), other.G.state_dict())


@pytest.mark.parametrize(
    "extra, message",
    [
        (["data.name=ring8", "tricks.grow_steps=5"], "needs image data"),
        (["tricks.grow_steps=5", "model.msg=true"], "set model.msg=false or tricks.grow_steps=0"),
        (["tricks.grow_steps=-1"], "tricks.grow_steps must be >= 0"),
    ],
)
def test_bad_grow_config_is_a_one_line_user_error(tiny, extra, message):
    with pytest.raises(UserError, match=message) as info:
        Trainer(tiny(steps=1, extra=extra))
    assert "\n" not in str(info.value)
