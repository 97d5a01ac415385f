import json

import pytest

from ganhacks.errors import UserError
from ganhacks.train.config import RunConfig, apply_overrides, from_dict, load_config_file, to_dict
from ganhacks.train.presets import PRESETS, preset_config


def test_presets_differ_where_the_tips_say():
    vanilla, rec = preset_config("vanilla"), preset_config("recommended")
    assert vanilla.loss.name == "minimax" and rec.loss.name == "nonsaturating"  # T02
    assert vanilla.tricks.latent == "uniform" and rec.tricks.latent == "gaussian"  # T03
    assert not vanilla.tricks.separate_batches and rec.tricks.separate_batches  # T04
    assert rec.model.g_activation == "leaky_relu"  # T05
    assert rec.loss.smoothing == "one_sided"  # T06
    assert rec.model.d_norm == "spectral"  # S01
    assert rec.optim.d_lr > rec.optim.g_lr  # S04 TTUR
    wgan = preset_config("wgan-gp")
    assert wgan.loss.penalty == "wgan_gp" and wgan.tricks.n_critic == 5 and wgan.model.d_norm != "batch"
    assert set(PRESETS.names()) >= {"vanilla", "recommended", "wgan-gp", "sngan-hinge"}


def test_overrides_convert_types():
    c = apply_overrides(
        RunConfig(),
        ["train.steps=1e3", "tricks.separate_batches=no", "optim.betas=0.0,0.9", "loss.flip_p=0.05", "data.name=ring8"],
    )
    assert c.train.steps == 1000 and c.tricks.separate_batches is False
    assert c.optim.betas == (0.0, 0.9) and c.loss.flip_p == 0.05 and c.data.name == "ring8"


@pytest.mark.parametrize(
    "override, message",
    [
        ("loss.nmae=hinge", "Did you mean 'name'"),
        ("los.name=hinge", "Did you mean 'loss'"),
        ("loss.name=hinje", "Did you mean 'hinge'"),
        ("train.steps=many", "expects int"),
        ("loss.flip_p=2", r"\[0, 1\]"),
        ("steps=5", "section.field=value"),
        ("model.d_norm=spectrall", "Did you mean 'spectral'"),
    ],
)
def test_bad_overrides_say_what_to_do(override, message):
    with pytest.raises(UserError, match=message):
        apply_overrides(RunConfig(), [override])


def test_incompatible_tricks_are_refused():
    with pytest.raises(UserError, match="takes no targets"):
        apply_overrides(preset_config("sngan-hinge"), ["loss.smoothing=two_sided"])
    with pytest.raises(UserError, match="Did you mean 'vanilla'"):
        preset_config("vanila")


def test_config_round_trips_through_json(tmp_path):
    c = apply_overrides(preset_config("wgan-gp"), ["train.seed=7"])
    path = tmp_path / "config.json"
    path.write_text(json.dumps(to_dict(c)))
    assert load_config_file(path) == c
    assert from_dict({"loss": {"name": "hinge"}}).loss.name == "hinge"
    with pytest.raises(UserError, match="unknown config section"):
        from_dict({"losses": {}})
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(UserError, match="cannot read"):
        load_config_file(tmp_path / "bad.json")
