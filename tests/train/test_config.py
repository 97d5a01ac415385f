import json

import pytest

from ganhacks.errors import UserError
from ganhacks.train.config import RunConfig, apply_overrides, from_dict, load_config_file, to_dict
from ganhacks.train.presets import PRESETS, family_defaults, preset_config


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


def test_recommended_point_defaults_apply_to_point_data_only():
    family, chosen = family_defaults("recommended", "ring8")
    assert family == "points" and chosen and all(why for _, why in chosen)
    points, images = preset_config("recommended", "ring8"), preset_config("recommended", "digits")
    assert images.model.d_norm == "spectral" and images.train.steps == RunConfig().train.steps
    # every point default lands in the config, and only those fields differ between the two families
    changed = {(s, k) for s in ("model", "loss", "optim", "tricks", "train") for k, v in to_dict(points)[s].items()}
    differ = {(s, k) for s, k in changed if to_dict(points)[s][k] != to_dict(images)[s][k]}
    assert differ == {tuple(o.split("=")[0].split(".")) for o, _ in chosen}
    assert points.model.d_norm == "none" and points.model.z_dim == 2 and points.optim.lr_schedule == "linear"
    assert points.model.g_activation == "relu" and images.model.g_activation == "leaky_relu"  # T05 hurt on points
    assert points.model.g_norm_freeze == 0.5 and images.model.g_norm_freeze == 1.0  # the hold: points only
    assert points.optim.g_lr == points.optim.d_lr == 8e-4 and images.optim.d_lr == 2 * images.optim.g_lr  # LR lead
    assert points.loss.penalty == "r1" and points.loss.penalty_weight == 1  # R1 gamma 2 on points
    assert family_defaults("vanilla", "ring8") == ("points", ())  # the baseline keeps its original choices


def test_print_config_names_each_data_dependent_default_and_what_you_overrode(capsys):
    from ganhacks.cli import main

    assert main(["train", "--data", "grid25", "--set", "model.z_dim=8", "--print-config"]) == 0
    captured = capsys.readouterr()
    config = json.loads(captured.out)
    lines = captured.err.strip().splitlines()
    _, chosen = family_defaults("recommended", "grid25")
    assert len(lines) == len(chosen) and all(line.startswith("# recommended on points data: ") for line in lines)
    assert [line for line in lines if "overridden by your options" in line] == [
        line for line in lines if "model.z_dim=" in line
    ]
    assert config["model"]["z_dim"] == 8 and config["model"]["d_norm"] == "none"
    assert config["data"]["name"] == "grid25" and config["train"]["steps"] == points_steps()

    assert main(["train", "--data", "digits", "--print-config"]) == 0
    assert capsys.readouterr().err == ""  # no image-family defaults: nothing to explain


def points_steps():
    return preset_config("recommended", "ring8").train.steps
