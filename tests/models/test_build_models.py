"""build_models turns torch's allocation failure into a one-line error that names the size setting."""

import pytest

import ganhacks.models
from ganhacks.cli import main


def test_a_model_too_large_for_memory_names_the_field(tmp_path, capsys, monkeypatch):
    def no_memory(*args, **kwargs):  # what the CPU allocator raises for a 400 GB weight
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
            "you tried to allocate 409600000000 bytes. Error code 12 (Cannot allocate memory)"
        )

    monkeypatch.setattr(ganhacks.models, "DCGANGenerator", no_memory)
    out = tmp_path / "run"
    assert main(["train", "--set", "model.z_dim=100000000", "--steps", "2", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "ganhacks train: error: the model does not fit in memory with model.z_dim=100000000; lower model.z_dim\n"
    )
    assert not out.exists()


def test_other_runtime_errors_of_a_model_are_not_taken_for_memory(monkeypatch):
    from ganhacks.train.config import ModelConfig

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ganhacks.models, "DCGANGenerator", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        ganhacks.models.build_models(ModelConfig(), (1, 8, 8))
