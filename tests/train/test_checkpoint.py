import io
import logging
import os
import pickle
import random
from pathlib import Path

import pytest
import torch

from ganhacks.errors import UserError
from ganhacks.train import checkpoint as ckpt
from ganhacks.train.checkpoint import (
    checkpoint_path,
    checkpoint_problem,
    list_checkpoints,
    load_checkpoint,
    load_latest,
    prune_checkpoints,
    save_checkpoint,
    state_digest,
)
from ganhacks.train.loop import Trainer
from ganhacks.train.run import resume_run, start_run


def net(step, value=None):
    """A tiny trainer-like state: networks G and D (checked for finite weights) and a step."""
    v = float(step) if value is None else value
    return {"step": step, "G": {"w": torch.full((2,), v)}, "D": {"w": torch.ones(3)}}


def test_round_trip_and_listing(tmp_path):
    for step in (10, 2, 30):
        save_checkpoint(checkpoint_path(tmp_path, step), net(step))
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step-000002.pt", "step-000010.pt", "step-000030.pt"]
    state = load_checkpoint(tmp_path / "step-000030.pt")
    assert state["step"] == 30 and torch.equal(state["G"]["w"], torch.full((2,), 30.0))
    assert state["sha256"] == state_digest(net(30))
    pruned = prune_checkpoints(tmp_path, keep=2)
    assert [p.name for p in pruned.deleted] == ["step-000002.pt"] and pruned.set_aside == []
    assert len(list_checkpoints(tmp_path)) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_digest_ignores_layout_and_order_but_not_values():
    a = {"x": torch.arange(6.0).reshape(2, 3).t(), "opt": {0: {"lr": 0.1}, 1: (0.5, 0.9)}, "b": None}
    b = {"b": None, "opt": {1: (0.5, 0.9), 0: {"lr": 0.1}}, "x": torch.arange(6.0).reshape(2, 3).t().contiguous()}
    assert state_digest(a) == state_digest(b)
    for changed in (
        {**b, "x": b["x"] + 1e-7},
        {**b, "x": b["x"].double()},
        {**b, "x": b["x"].reshape(-1)},
        {**b, "opt": {1: [0.5, 0.9], 0: {"lr": 0.1}}},
        {**b, "b": 0},
    ):
        assert state_digest(changed) != state_digest(a)


def test_a_flipped_bit_is_caught_by_the_checksum(tmp_path):
    path = save_checkpoint(checkpoint_path(tmp_path, 1), {"step": 1, "G": {"w": torch.zeros(1000)}})
    raw = bytearray(path.read_bytes())
    at = raw.index(bytes(4000))  # inside the tensor's stored bytes (zeros): torch's loader does not check them
    raw[at + 123] ^= 0x10
    path.write_bytes(bytes(raw))
    loaded = torch.load(path, weights_only=True)  # torch alone loads the damaged weights silently
    assert loaded["G"]["w"].abs().sum() > 0
    with pytest.raises(UserError, match="checksum mismatch"):
        load_checkpoint(path)
    assert checkpoint_problem(path).startswith("checksum mismatch")


def test_files_written_before_digests_still_load(tmp_path):
    path = tmp_path / "step-000001.pt"
    torch.save({"format": ckpt.FORMAT, "version": 1, **net(1)}, path)
    assert load_checkpoint(path)["step"] == 1 and checkpoint_problem(path) is None


def test_corrupt_newest_falls_back_with_one_readable_line(tmp_path, caplog):
    save_checkpoint(checkpoint_path(tmp_path, 1), net(1))
    save_checkpoint(checkpoint_path(tmp_path, 2), net(2))
    data = (tmp_path / "step-000002.pt").read_bytes()
    (tmp_path / "step-000002.pt").write_bytes(data[: len(data) // 2])  # a crash mid-copy
    skipped = []
    with caplog.at_level(logging.WARNING, logger="ganhacks"):
        path, state = load_latest(tmp_path, skipped=skipped)
    assert state["step"] == 1 and path.name == "step-000001.pt"
    assert [s.path.name for s in skipped] == ["step-000002.pt"]
    (message,) = [r.getMessage() for r in caplog.records]
    assert message == (
        "skipping checkpoint step-000002.pt: not a checkpoint archive (truncated, or not written by torch.save); "
        "trying the one before"
    )
    assert (tmp_path / "step-000002.pt").exists()  # reading never moves or deletes anything


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "the file is empty (0 bytes)"),
        (random.Random(0).randbytes(4096), "not a checkpoint archive (truncated, or not written by torch.save)"),
        (pickle.dumps([1, 2]), "not a checkpoint archive (truncated, or not written by torch.save)"),
        ("foreign", "not written by ganhacks (no 'ganhacks-checkpoint' marker)"),
        ("nan", "its weights hold NaN/Inf"),
        ("future", "format version 99 is newer than this ganhacks reads; upgrade ganhacks"),
        ("folder", "it is a folder, not a file"),
    ],
    ids=["empty", "random", "pickle", "foreign", "nan", "future", "folder"],
)
def test_each_unusable_file_has_a_short_reason(tmp_path, content, reason):
    path = tmp_path / "step-000001.pt"
    if content == "foreign":
        torch.save({"model": torch.zeros(1)}, path)
    elif content == "nan":
        save_checkpoint(path, net(1, value=float("nan")))
    elif content == "future":
        torch.save({"format": ckpt.FORMAT, "version": 99}, path)
    elif content == "folder":
        path.mkdir()
    else:
        path.write_bytes(content)
    assert checkpoint_problem(path) == reason
    assert len(reason) < 100 and "weights_only" not in reason and "PyTorch" not in reason


class Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_malicious_checkpoint_is_refused_without_running_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "step-000005.pt"
    torch.save({"format": "ganhacks-checkpoint", "version": 2, "payload": Payload(marker)}, evil)
    with pytest.raises(UserError, match=r"refused: loading it would import and run (posix|os)\.system"):
        load_checkpoint(evil)
    with pytest.raises(UserError, match="no checkpoint in .* can be used"):
        load_latest(tmp_path)
    assert prune_checkpoints(tmp_path, keep=1).set_aside == [tmp_path / "unreadable" / "step-000005.pt"]
    assert not marker.exists()
    # positive control: an unsafe load of the same file does run the payload
    torch.load(tmp_path / "unreadable" / "step-000005.pt", weights_only=False)
    assert marker.exists()


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = checkpoint_path(tmp_path, 1)
    save_checkpoint(path, net(1))

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(OSError):
        save_checkpoint(path, net(2))
    monkeypatch.undo()
    assert load_checkpoint(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["step-000001.pt"]


def test_pruning_counts_only_checkpoints_that_verify(tmp_path):
    for step in (1, 2, 3):
        save_checkpoint(checkpoint_path(tmp_path, step), net(step))
    checkpoint_path(tmp_path, 4).write_bytes(b"")  # unreadable, newer
    save_checkpoint(checkpoint_path(tmp_path, 5), net(5, value=float("inf")))  # loads, not finite
    bad_copy = bytearray(save_checkpoint(checkpoint_path(tmp_path, 6), net(6)).read_bytes())
    bad_copy[bad_copy.index(b"step")] ^= 1  # damaged in the copy: the archive no longer opens
    checkpoint_path(tmp_path, 6).write_bytes(bytes(bad_copy))
    pruned = prune_checkpoints(tmp_path, keep=2)
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step-000002.pt", "step-000003.pt"]
    assert [p.name for p in pruned.deleted] == ["step-000001.pt"]
    assert sorted(p.name for p in pruned.set_aside) == ["step-000004.pt", "step-000005.pt", "step-000006.pt"]
    assert (tmp_path / "unreadable" / "step-000006.pt").read_bytes() == bytes(bad_copy)  # moved, not rewritten


def test_the_file_just_written_is_never_removed(tmp_path, caplog):
    for step in (7, 8):  # verified checkpoints numbered above the one being written (e.g. copied in)
        save_checkpoint(checkpoint_path(tmp_path, step), net(step))
    just = save_checkpoint(checkpoint_path(tmp_path, 3), net(3))
    prune_checkpoints(tmp_path, keep=1, protect=just)
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step-000003.pt", "step-000008.pt"]
    just.write_bytes(b"")  # even when it fails verification, it stays where it is
    with caplog.at_level(logging.WARNING, logger="ganhacks"):
        prune_checkpoints(tmp_path, keep=1, protect=just)
    assert just.exists() and "failed verification right after writing" in caplog.text


def test_set_aside_never_overwrites(tmp_path):
    for _ in range(2):
        checkpoint_path(tmp_path, 9).write_bytes(b"junk")
        prune_checkpoints(tmp_path, keep=1)
    assert sorted(p.name for p in (tmp_path / "unreadable").iterdir()) == ["step-000009.pt", "step-000009.pt.1"]


# ---------------------------------------------------------------- the data-loss bug of issue 10


def test_unreadable_newer_checkpoints_never_push_out_the_good_ones(tmp_path, tiny):
    """Issue 10's data loss: three unreadable files numbered above the good checkpoints (left by a
    crash or a copy) made pruning delete every readable checkpoint, the one just written included."""
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


# ---------------------------------------------------------------- a crash at each point of save + prune

CRASHED = 77  # the exit code of the injected crash


def crash_once(predicate):
    """A replacement for a function that kills the process (no cleanup, like kill -9) when ``predicate``
    holds for its arguments, else calls the original."""

    def wrap(original):
        def inner(*args, **kwargs):
            if predicate(*args, **kwargs):
                os._exit(CRASHED)
            return original(*args, **kwargs)

        return inner

    return wrap


def torn_write(obj, f, *args, **kwargs):
    """torch.save that dies half-way through the bytes."""
    buf = io.BytesIO()
    real_save(obj, buf)
    f.write(buf.getvalue()[: buf.tell() // 2])
    f.flush()
    os._exit(CRASHED)


real_save = torch.save
real_replace = os.replace
real_unlink = Path.unlink


def is_checkpoint(p):
    return ckpt.NAME.search(str(p)) is not None


FAULTS = {
    # before any byte of the new file exists
    "before write": lambda m: m.setattr(torch, "save", crash_once(lambda *a, **k: True)(real_save)),
    # the temporary file holds half the state
    "torn temp write": lambda m: m.setattr(torch, "save", torn_write),
    # the temporary file is complete and synced, not renamed
    "after temp write": lambda m: m.setattr(
        os, "replace", crash_once(lambda src, dst: ".tmp-" in str(src))(real_replace)
    ),
    # renamed into place; the folder not synced, nothing pruned
    "after rename": lambda m: m.setattr(ckpt, "_fsync_folder", crash_once(lambda folder: True)(lambda folder: None)),
    # pruning: while moving an unreadable file aside
    "during prune (set aside)": lambda m: m.setattr(
        os, "replace", crash_once(lambda src, dst: ckpt.UNREADABLE in str(dst))(real_replace)
    ),
    # pruning: deleting the first old checkpoint
    "during prune (delete)": lambda m: m.setattr(
        Path, "unlink", crash_once(lambda self, **k: is_checkpoint(self))(real_unlink)
    ),
}


def run_in_child(fn):
    """Run ``fn`` in a forked child; returns its exit code (the parent's state is untouched)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            fn()
        except BaseException:
            code = 1
        os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_crash_at_any_point_of_save_and_prune_leaves_a_resumable_run(tmp_path, tiny, monkeypatch, fault):
    extra = ["train.checkpoint_every=2", "train.keep_checkpoints=2", "monitor.enabled=false"]
    run = tmp_path / "run"
    start_run(tiny(steps=4, extra=extra), run, progress=False)  # step-2, step-4
    folder = run / "checkpoints"
    checkpoint_path(folder, 1).write_bytes(b"\0" * 100)  # unreadable, older: pruning sets it aside

    def crash_while_saving_step_6():
        FAULTS[fault](monkeypatch)
        resume_run(run, steps=10, progress=False)

    assert run_in_child(crash_while_saving_step_6) == CRASHED  # the fault fired where it was injected
    monkeypatch.undo()
    verified = [p for p in list_checkpoints(folder) if checkpoint_problem(p) is None]
    assert verified and max(map(ckpt.step_of, verified)) >= 4
    resumed = resume_run(run, steps=10, progress=False)
    assert resumed.step == 10
    assert not list(folder.glob(".*"))  # temp files of the crash were cleared
    assert [p.name for p in list_checkpoints(folder)] == ["step-000008.pt", "step-000010.pt"]
    assert all(checkpoint_problem(p) is None for p in list_checkpoints(folder))
    full = Trainer(tiny(steps=10, extra=extra))  # and the resumed run is the uninterrupted one, exactly
    full.fit()
    for k, v in full.G.state_dict().items():
        assert torch.equal(v, resumed.G.state_dict()[k]), k
