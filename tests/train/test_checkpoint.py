import os
import pickle

import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.train.checkpoint import (
    checkpoint_path,
    list_checkpoints,
    load_checkpoint,
    load_latest,
    prune_checkpoints,
    save_checkpoint,
)


def test_round_trip_and_listing(tmp_path):
    for step in (10, 2, 30):
        save_checkpoint(checkpoint_path(tmp_path, step), {"step": step, "w": torch.full((2,), float(step))})
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step-000002.pt", "step-000010.pt", "step-000030.pt"]
    state = load_checkpoint(tmp_path / "step-000030.pt")
    assert state["step"] == 30 and torch.equal(state["w"], torch.full((2,), 30.0))
    assert prune_checkpoints(tmp_path, keep=2)[0].name == "step-000002.pt"
    assert len(list_checkpoints(tmp_path)) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_corrupt_newest_falls_back_to_previous_good(tmp_path):
    save_checkpoint(checkpoint_path(tmp_path, 1), {"step": 1})
    save_checkpoint(checkpoint_path(tmp_path, 2), {"step": 2})
    data = (tmp_path / "step-000002.pt").read_bytes()
    (tmp_path / "step-000002.pt").write_bytes(data[: len(data) // 2])  # a crash mid-copy
    with pytest.warns(UserWarning, match="falling back"):
        path, state = load_latest(tmp_path)
    assert state["step"] == 1 and path.name == "step-000001.pt"


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_foreign_and_malicious_files_are_refused_without_running_code(tmp_path):
    evil = tmp_path / "step-000005.pt"
    torch.save({"format": "ganhacks-checkpoint", "payload": Evil()}, evil)
    with pytest.raises(UserError, match="corrupt or not a ganhacks checkpoint"):
        load_checkpoint(evil)
    foreign = tmp_path / "foreign.pt"
    torch.save({"model": torch.zeros(1)}, foreign)
    with pytest.raises(UserError, match="not a ganhacks checkpoint"):
        load_checkpoint(foreign)
    (tmp_path / "junk.pt").write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(UserError):
        load_checkpoint(tmp_path / "junk.pt")
    with pytest.raises(UserError, match="could be read"):
        load_latest(tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = checkpoint_path(tmp_path, 1)
    save_checkpoint(path, {"step": 1})

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(OSError):
        save_checkpoint(path, {"step": 2})
    monkeypatch.undo()
    assert load_checkpoint(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["step-000001.pt"]
