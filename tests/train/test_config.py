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
    tips = apply_overrides(RunConfig(), list(PRESETS.get("recommended").overrides))  # before any family's defaults
    assert tips.optim.d_lr > tips.optim.g_lr and tips.optim.betas[0] == 0.5  # S04 TTUR, T09 (families measured)
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
        ("data.points=0", "data.points must be > 0, got 0"),
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


def test_recommended_family_defaults_apply_to_their_family_only():
    for data, family in (("ring8", "points"), ("digits", "images")):
        got, chosen = family_defaults("recommended", data)
        assert got == family and chosen and all(why for _, why in chosen)
    _, point_chosen = family_defaults("recommended", "ring8")
    _, image_chosen = family_defaults("recommended", "digits")
    points, images = preset_config("recommended", "ring8"), preset_config("recommended", "digits")
    plain = apply_overrides(RunConfig(), list(PRESETS.get("recommended").overrides))
    # each family default moves its field off the preset's own overrides (none is dead), and nothing else moves
    for config, chosen in ((points, point_chosen), (images, image_chosen)):
        moved = {
            (s, k)
            for s in ("model", "loss", "optim", "tricks", "train")
            for k in to_dict(plain)[s]
            if to_dict(config)[s][k] != to_dict(plain)[s][k]
        }
        assert moved == {tuple(o.split("=")[0].split(".")) for o, _ in chosen}
    assert images.model.d_norm == "spectral" and images.model.minibatch_std and images.tricks.ema_decay == 0.99
    assert points.model.d_norm == "none" and points.model.z_dim == 2 and points.optim.lr_schedule == "linear"
    assert points.model.g_activation == "relu" and images.model.g_activation == "leaky_relu"  # T05 hurt on points
    assert points.model.g_norm_freeze == 0.5 and images.model.g_norm_freeze == 1.0  # the hold: points only
    assert points.optim.g_lr == points.optim.d_lr == 8e-4 and points.optim.betas == (0.0, 0.99)  # LR, beta1 leads
    assert images.optim.g_lr == images.optim.d_lr == 8e-4 and images.optim.betas == (0.0, 0.99)  # the image lead
    assert images.optim.lr_schedule == "constant" and images.train.steps == 4000 > RunConfig().train.steps
    assert points.loss.penalty == "r1" and points.loss.penalty_weight == 1  # R1 gamma 2 on points
    assert family_defaults("vanilla", "ring8") == ("points", ())  # the baseline keeps its original choices
    assert family_defaults("vanilla", "digits") == ("images", ())


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

    assert main(["train", "--data", "digits", "--steps", "10", "--print-config"]) == 0
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    _, chosen = family_defaults("recommended", "digits")
    assert len(lines) == len(chosen) and all(line.startswith("# recommended on images data: ") for line in lines)
    assert [line for line in lines if "overridden by your options" in line] == [
        line for line in lines if "train.steps=" in line
    ]
    assert json.loads(captured.out)["train"]["steps"] == 10


def points_steps():
    return preset_config("recommended", "ring8").train.steps


@pytest.mark.parametrize("value", ['"x"', "[1, 2]", "5"])
def test_a_config_section_that_is_not_an_object_is_one_line(tmp_path, capsys, value):
    from ganhacks.cli import main

    path = tmp_path / "bad.json"
    path.write_text(f'{{"train": {value}}}')
    assert main(["train", "--config", str(path), "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error: config section 'train' must be an object of fields" in err
