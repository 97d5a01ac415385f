"""The small in-memory data set every source returns (tip T01).

One shape for everything the trainer can read: ``x`` is float32 in [-1, 1], either images
``(N, C, H, W)`` or points ``(N, 2)``; ``y`` holds int64 class labels when the source has them.
Everything we support fits in memory, so a data set is just two tensors and a description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from ganhacks.data.scaling import check_signed_unit
from ganhacks.errors import UserError

if TYPE_CHECKING:
    from ganhacks.data.mixtures import Mixture

KINDS = ("points", "images")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Real data for training, already mapped to [-1, 1] (tip T01).

    Example:
        >>> ds = load_dataset("digits")  # doctest: +SKIP
        >>> ds.x.shape, ds.y.shape, ds.num_classes
        (torch.Size([1797, 1, 8, 8]), torch.Size([1797]), 10)
    """

    name: str  # built-in name or the path it came from
    x: torch.Tensor  # (N, C, H, W) images or (N, 2) points, float32 in [-1, 1]
    y: torch.Tensor | None = None  # (N,) int64 labels in [0, num_classes), None when unlabelled
    num_classes: int = 0  # number of label values; 0 when unlabelled
    kind: str = "images"  # "images" or "points"
    class_names: tuple[str, ...] = ()  # label index -> name, when the source names classes
    mixture: Mixture | None = None  # the raw mixture behind point data (metrics need its modes)
    notes: tuple[str, ...] = field(default=())  # things the loader did that the user should know

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        expected_rank = 2 if self.kind == "points" else 4
        if self.x.dim() != expected_rank or self.x.dtype != torch.float32:
            got = f"{self.x.dtype} {tuple(self.x.shape)}"
            raise ValueError(f"{self.kind} need a float32 rank-{expected_rank} x, got {got}")
        check_signed_unit(self.x, name=self.name)
        if self.y is not None:
            check_labels(self.y, len(self.x), self.name, self.num_classes)

    def __len__(self) -> int:
        return len(self.x)

    @property
    def conditional(self) -> bool:
        """True when the data set carries class labels."""
        return self.y is not None

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one example: ``(C, H, W)`` or ``(2,)``."""
        return tuple(self.x.shape[1:])

    def describe(self) -> str:
        """One line for logs and reports, e.g. ``digits: 1797 images 1x8x8 in [-1, 1], 10 classes``."""
        n = len(self)
        shape = "x".join(str(s) for s in self.sample_shape)
        what = f"{n} images {shape}" if self.kind == "images" else f"{n} points in {shape}-D"
        labels = f", {self.num_classes} classes" if self.conditional else ", unlabelled"
        extra = "".join(f"; {note}" for note in self.notes)
        return f"{self.name}: {what} in [-1, 1]{labels}{extra}"


def check_labels(y: torch.Tensor | np.ndarray, n: int, name: str, num_classes: int | None = None) -> torch.Tensor:
    """Return ``y`` as an int64 tensor after checking it has one non-negative integer per example.

    Args:
        y: labels, shape ``(n,)``.
        n: number of examples they label.
        name: the data set, for the error message.
        num_classes: when given, every label must be below it.

    Raises:
        UserError: wrong shape, non-integer or negative labels, or labels >= ``num_classes``.
    """
    t = torch.as_tensor(_numeric(np.asarray(y), name)) if not isinstance(y, torch.Tensor) else y
    if t.is_floating_point():
        if not bool(torch.isfinite(t).all()) or not bool((t == t.round()).all()):
            raise UserError(f"labels of {name} must be whole numbers; store them as an integer array")
    elif t.dtype == torch.bool or t.is_complex():
        raise UserError(f"labels of {name} have dtype {t.dtype}; store them as an integer array")
    if t.dim() != 1 or len(t) != n:
        raise UserError(
            f"labels of {name} have shape {tuple(t.shape)} but there are {n} examples; give one label per example"
        )
    t = t.to(torch.int64)
    if n and int(t.min()) < 0:
        raise UserError(f"labels of {name} include {int(t.min())}; labels must be 0, 1, 2, ...")
    if num_classes is not None and n and int(t.max()) >= num_classes:
        raise UserError(f"labels of {name} reach {int(t.max())} but num_classes is {num_classes}")
    return t


def _numeric(a: np.ndarray, name: str) -> np.ndarray:
    """``a`` when it holds numbers; class names saved as text (or objects) cannot become a tensor,
    and torch's own error does not say what to do."""
    if a.dtype.kind not in "biuf":  # bool, int, unsigned, float
        what = {"U": "text", "S": "bytes", "O": "Python objects"}.get(a.dtype.kind, f"of dtype {a.dtype}")
        raise UserError(
            f"labels of {name} are {what}, not integers; store them as class indices 0..K-1 "
            "(e.g. np.unique(labels, return_inverse=True)[1])"
        )
    return a


def labelled(x: torch.Tensor, y: torch.Tensor | np.ndarray | None, name: str, **kw: object) -> Dataset:
    """Build an image :class:`Dataset`, inferring ``num_classes = max(y) + 1`` from the labels."""
    if y is None:
        return Dataset(name=name, x=x, **kw)  # type: ignore[arg-type]
    y = check_labels(y, len(x), name)
    num_classes = int(y.max()) + 1 if len(y) else 0
    return Dataset(name=name, x=x, y=y, num_classes=num_classes, **kw)  # type: ignore[arg-type]
