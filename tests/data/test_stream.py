"""Image folders streamed from disk: the same batches as in memory, exact resume, ranks, bad files."""

import logging

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DistributedSampler

from ganhacks.cli import main
from ganhacks.data import batches, load_dataset, stream_image_folder
from ganhacks.data.batches import BatchIterator, EpochSampler, epoch_order, shard_indices
from ganhacks.data.folders import load_image_folder
from ganhacks.data.stream import StreamingDataset
from ganhacks.errors import UserError
from ganhacks.metrics.classifier import load_digits_images
from ganhacks.train.config import apply_overrides
from ganhacks.train.loop import Trainer
from ganhacks.train.presets import preset_config
from ganhacks.train.run import resume_run, start_run


@pytest.fixture
def folder(tmp_path):
    """60 digit images in two class folders; a third of them RGB (so grey ones are repeated to 3 channels)."""
    x = load_digits_images()[0][:60, 0].numpy()  # (60, 8, 8) in [-1, 1]
    root = tmp_path / "digits"
    for i, img in enumerate(((x + 1) * 127.5).round().astype(np.uint8)):
        path = root / ("even" if i % 2 == 0 else "odd") / f"{i:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.stack([img, img, 255 - img], -1) if i % 3 == 0 else img).save(path)
    return root


def test_streamed_batches_equal_the_in_memory_ones(folder):
    memory = load_image_folder(folder, image_size=4)
    stream = stream_image_folder(folder, image_size=4, workers=2)
    assert stream.sample_shape == memory.sample_shape == (3, 4, 4) and len(stream) == len(memory) == 60
    assert stream.class_names == memory.class_names == ("even", "odd") and torch.equal(stream.y, memory.y)
    a, b = BatchIterator(memory, 16, seed=3), batches(stream, 16, seed=3)
    for _ in range(9):  # 3 batches an epoch: three epochs, reshuffled each time
        (xa, ya), (xb, yb) = next(a), next(b)
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert a.state_dict() == b.state_dict()
    torch.testing.assert_close(stream.x[torch.tensor([5, 0, 59])], memory.x[[5, 0, 59]], rtol=0, atol=0)
    torch.testing.assert_close(stream.x[10:13], memory.x[10:13], rtol=0, atol=0)
    assert torch.equal(stream.x[7], memory.x[7]) and stream.x.shape == memory.x.shape


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_mid_epoch_and_across_epochs(folder, workers):
    stream = stream_image_folder(folder, workers=workers)
    full = stream.batches(8, seed=1)
    expected = [next(full) for _ in range(12)]  # 7 batches an epoch: crosses into the next
    for stop in (3, 7, 9):
        first = stream.batches(8, seed=1)
        for _ in range(stop):
            next(first)
        again = stream.batches(8, seed=5)  # another seed: the state must set it
        again.load_state_dict(first.state_dict())
        for k in range(stop, 12):
            x, y = next(again)
            assert torch.equal(x, expected[k].x) and torch.equal(y, expected[k].y), (stop, k)


def test_the_sampler_is_a_distributed_sampler_sharding_like_the_in_memory_path():
    ranks = [EpochSampler(103, seed=7, rank=r, world_size=3) for r in range(3)]
    assert all(isinstance(s, DistributedSampler) for s in ranks)
    for s in ranks:
        s.set_epoch(4)
    shards = [list(s) for s in ranks]
    assert [len(s) for s in shards] == [34, 34, 34]
    assert sorted(sum(shards, [])) == sorted(epoch_order(103, 7, 4)[:102].tolist())  # disjoint, all but 1
    for r, shard in enumerate(shards):
        assert shard == shard_indices(epoch_order(103, 7, 4), r, 3).tolist()
    ranks[1].start = 30
    assert list(ranks[1]) == shards[1][30:] and len(ranks[1]) == 4


def test_streamed_ranks_see_disjoint_batches(folder):
    stream = stream_image_folder(folder, workers=0)
    memory = load_image_folder(folder)
    for rank in (0, 1):
        s, m = (
            stream.batches(8, seed=2, rank=rank, world_size=2),
            BatchIterator(memory, 8, seed=2, rank=rank, world_size=2),
        )
        for _ in range(5):
            assert torch.equal(next(s).x, next(m).x)


def test_damaged_pixels_stop_the_run_at_that_batch_with_one_line(folder, caplog):
    victim = sorted(folder.rglob("*.png"))[4]
    victim.write_bytes(victim.read_bytes()[:-30])  # the header survives, the pixel data does not
    (folder / "even" / "zz-bad.png").write_bytes(b"\x89PNG not really")  # the header is gone: skipped at start
    with caplog.at_level(logging.WARNING, logger="ganhacks"):
        stream = stream_image_folder(folder, workers=2)
    assert len(stream) == 60 and "skipped 1 unreadable image file(s): even/zz-bad.png" in caplog.text
    it = stream.batches(60, seed=0)  # one batch holds every file
    with pytest.raises(UserError, match=f"cannot decode {victim} .*; fix or remove it$"):
        next(it)


def test_auto_streams_only_what_would_not_fit(folder, monkeypatch):
    assert not isinstance(load_dataset(folder), StreamingDataset)  # small: decoded into memory as before
    monkeypatch.setattr("ganhacks.data.load.memory_budget", lambda: 1000)
    streamed = load_dataset(folder, workers=0)
    assert isinstance(streamed, StreamingDataset) and "streamed from disk" in streamed.describe()
    assert not isinstance(load_dataset(folder, stream="off"), StreamingDataset)
    with pytest.raises(UserError, match="streaming .* reads image folders"):
        load_dataset("digits", stream="on")
    with pytest.raises(UserError, match="data.stream must be one of auto, on, off"):
        load_dataset(folder, stream="yes")


def config(folder, steps, stream, extra=()):
    return apply_overrides(
        preset_config("recommended"),
        [
            f"data.name={folder}",
            "data.image_size=8",
            f"data.stream={stream}",
            "data.workers=2",
            "model.g_width=8",
            "model.d_width=8",
            "model.z_dim=8",
            "train.batch_size=16",
            f"train.steps={steps}",
            "train.sample_every=0",
            "train.checkpoint_every=0",
            "monitor.enabled=false",
            *extra,
        ],
    )


def test_training_on_a_streamed_folder_matches_memory_and_resumes_exactly(folder, tmp_path):
    memory = Trainer(config(folder, 8, "off"))
    memory.fit()
    run = tmp_path / "run"
    start_run(config(folder, 4, "on"), run, progress=False)
    resumed = resume_run(run, steps=8, progress=False)
    assert isinstance(resumed.dataset, StreamingDataset)
    for k, v in memory.G.state_dict().items():
        assert torch.equal(v, resumed.G.state_dict()[k]), k
    for k, v in memory.D.state_dict().items():
        assert torch.equal(v, resumed.D.state_dict()[k]), k


def _train(folder, *options):
    tiny = ["data.image_size=8", "data.stream=on", "data.workers=0", "model.g_width=8", "model.d_width=8"]
    tiny += ["model.z_dim=8", "train.batch_size=16", "train.sample_every=0", "monitor.enabled=false"]
    return main(["train", "--data", str(folder), "--quiet", *options, *[a for s in tiny for a in ("--set", s)]])


def test_a_bad_image_mid_run_advises_resuming_only_when_there_is_a_checkpoint(folder, tmp_path, capsys):
    victim = sorted(folder.rglob("*.png"))[4]
    good = victim.read_bytes()
    victim.write_bytes(good[:-30])  # met in the first epoch: before any checkpoint or logged metrics
    run = tmp_path / "run"
    for _ in range(2):  # the advice holds: the same command is accepted again on the same --out
        assert _train(folder, "--out", str(run), "--steps", "8") == 2
        last = capsys.readouterr().err.splitlines()[-1]
        assert last == (
            f"ganhacks train: error: cannot decode {victim} (OSError); "
            "fix or remove it, then run the same command again"
        )
    victim.write_bytes(good)
    other = tmp_path / "other"
    assert _train(folder, "--out", str(other), "--steps", "4") == 0  # a finished checkpoint at step 4
    victim.write_bytes(good[:-30])
    assert main(["train", "--resume", str(other), "--steps", "40", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        f"cannot decode {victim} (OSError); fix or remove it, then resume the run: ganhacks train --resume {other}\n"
        in err
    )
