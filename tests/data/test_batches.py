import pytest
import torch

from ganhacks.data import BatchIterator, Dataset, batches
from ganhacks.errors import UserError


def _toy(n=30, labelled=True):
    x = torch.linspace(-1, 1, n * 2).reshape(n, 2)  # row i identifies example i
    y = torch.arange(n) % 3 if labelled else None
    return Dataset(name="toy", x=x, y=y, num_classes=3 if labelled else 0, kind="points")


def _rows(ds, xb):
    """Example indices of the rows in a batch."""
    return torch.cdist(xb, ds.x).argmin(dim=1)


def _take(it, k):
    return [next(it) for _ in range(k)]


def test_epochs_are_permutations_and_reshuffle():
    ds = _toy(30)
    it = batches(ds, 10, seed=0)
    assert it.batches_per_epoch == 3
    epochs = [torch.cat([_rows(ds, b.x) for b in _take(it, 3)]) for _ in range(3)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(30))
    assert not torch.equal(epochs[0], epochs[1]) and not torch.equal(epochs[1], epochs[2])


def test_labels_follow_their_examples():
    ds = _toy(30)
    b = next(batches(ds, 8, seed=4))
    torch.testing.assert_close(b.y, ds.y[_rows(ds, b.x)])
    assert next(batches(_toy(30, labelled=False), 8)).y is None


def test_same_seed_same_stream_other_seed_other_stream():
    ds = _toy(30)
    a = [b.x for b in _take(batches(ds, 7, seed=11), 10)]
    b = [b.x for b in _take(batches(ds, 7, seed=11), 10)]
    c = [b.x for b in _take(batches(ds, 7, seed=12), 10)]
    for u, v in zip(a, b):
        torch.testing.assert_close(u, v)
    assert any(not torch.equal(u, w) for u, w in zip(a, c))


def test_resume_from_state_dict_and_from_step():
    ds = _toy(30)
    it = batches(ds, 7, seed=5)
    _take(it, 9)  # crosses two epoch boundaries (4 batches per epoch)
    state = it.state_dict()
    expected = [b.x for b in _take(it, 10)]
    resumed = BatchIterator(ds, 7)
    resumed.load_state_dict(state)
    from_step = batches(ds, 7, seed=5, step=9)
    for e, r, s in zip(expected, _take(resumed, 10), _take(from_step, 10)):
        torch.testing.assert_close(r.x, e)
        torch.testing.assert_close(s.x, e)
    assert resumed.step == 19 and resumed.epoch == 4


def test_resume_refuses_other_batch_size():
    ds = _toy(30)
    state = batches(ds, 7).state_dict()
    with pytest.raises(UserError, match="same batch_size"):
        BatchIterator(ds, 5).load_state_dict(state)


def test_shards_do_not_overlap_and_cover_equal_shares():
    ds = _toy(31)
    base = batches(ds, 2, seed=3)
    shards = [base.shard(r, 3) for r in range(3)]
    assert {s.batches_per_epoch for s in shards} == {5}  # 31 // 3 = 10 examples each -> 5 batches
    for _epoch in range(2):
        seen = [torch.cat([_rows(ds, b.x) for b in _take(s, 5)]) for s in shards]
        flat = torch.cat(seen)
        assert len(flat) == 30 and len(set(flat.tolist())) == 30  # disjoint, one example left out
    one = batches(ds, 2, seed=3, rank=1, world_size=3)
    torch.testing.assert_close(next(one).x, next(base.shard(1, 3)).x)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=11, world_size=3), "larger than the 10 examples"),
        (dict(batch_size=2, rank=3, world_size=3), "rank must be in"),
        (dict(batch_size=2, seed=-1), "seed"),
    ],
)
def test_bad_iterator_settings(kw, match):
    with pytest.raises(UserError, match=match):
        BatchIterator(_toy(31), **kw)
