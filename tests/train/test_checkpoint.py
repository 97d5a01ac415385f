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


def test_unreadable_newer_checkpoints_never_push_out_the_good_ones(tmp_path, tiny):
    """Issue 10's data loss: three unreadable files numbered above the good checkpoints (left by a
    crash or a copy) made pruning delete every readable checkpoint, the one just written included."""
    from ganhacks.train.run import resume_run, start_run

    run = tmp_path / "run"
    extra = ["train.checkpoint_every=2", "train.keep_checkpoints=3", "monitor.enabled=false"]
    start_run(tiny(steps=6, extra=extra), run, progress=False)
    folder = run / "checkpoints"
    junk = {step: os.urandom(3000 + step) for step in (100, 200, 300)}
    for step, raw in junk.items():
        checkpoint_path(folder, step).write_bytes(raw)
    resumed = resume_run(run, steps=10, progress=False)
    assert resumed.step == 10
    path, state = load_latest(folder)  # the next --resume finds the run's own newest state
    assert path.name == "step-000010.pt" and state["step"] == 10
    assert [p.name for p in list_checkpoints(folder)] == ["step-000006.pt", "step-000008.pt", "step-000010.pt"]
    # the unreadable files were moved aside, byte for byte, never deleted nor trusted
    for step, raw in junk.items():
        assert (folder / "unreadable" / f"step-{step:06d}.pt").read_bytes() == raw
