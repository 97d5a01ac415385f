"""Where the samples for ``ganhacks eval`` come from: array files and built-in real data sets.

``load_samples(spec)`` turns a command-line argument into a tensor: a ``.npy`` file, a ``.npz``
file (``file.npz`` with one array or an array named samples/images/points/x, or ``file.npz:key``),
or a built-in name such as ``digits``. Arrays are read with ``allow_pickle=False``. A new kind of
source (e.g. a training run folder, once the trainer writes them) plugs in by adding a loader to
:data:`LOADERS` or a name to :data:`BUILTIN`; everything downstream takes tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from ganhacks.data.arrays import READ_ERRORS, numpy_error
from ganhacks.errors import UserError
from ganhacks.metrics.classifier import load_digits_images
from ganhacks.registry import Registry

NPZ_KEYS = ("samples", "images", "points", "x", "arr_0")  # tried in order when a .npz has several arrays
MODE_KEYS = ("mode_centers", "mode_std")  # optional arrays of a real .npz describing a known mixture


def stacked_digits(n: int = 10_000, channels: int = 3, seed: int = 0) -> torch.Tensor:
    """n real stacked-digit images (n, C, 8, 8): each channel an independently drawn sklearn digit."""
    x, _ = load_digits_images()
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, len(x), (n, channels), generator=gen)
    return x[idx].squeeze(2)  # (n, C, 1, 8, 8) -> (n, C, 8, 8)


BUILTIN: Registry[Callable[[], torch.Tensor]] = Registry("built-in data set")
BUILTIN.register("digits", lambda: load_digits_images()[0])  # 1797 images (N, 1, 8, 8) in [-1, 1]
BUILTIN.register("stacked-digits", stacked_digits)  # 10,000 three-digit stacks (N, 3, 8, 8)


def _load_npy(path: Path, key: str | None) -> np.ndarray:
    return np.load(path, allow_pickle=False)


def _load_npz(path: Path, key: str | None) -> np.ndarray:
    with np.load(path, allow_pickle=False) as z:
        keys = [k for k in z.files if k not in MODE_KEYS]
        if key is None:
            key = keys[0] if len(keys) == 1 else next((k for k in NPZ_KEYS if k in keys), None)
        if key not in z.files:
            raise UserError(f"{path} holds arrays {', '.join(z.files) or '(none)'}; name one as {path}:KEY")
        return z[key]


def _read(path: Path, key: str | None) -> np.ndarray:
    """The array at ``path`` (``key`` of an .npz); any damage is a one-line error."""
    try:
        return LOADERS[path.suffix](path, key)
    except UserError:
        raise
    except READ_ERRORS as exc:
        raise numpy_error(path, exc) from None


LOADERS: dict[str, Callable[[Path, str | None], np.ndarray]] = {".npy": _load_npy, ".npz": _load_npz}


def _to_tensor(arr: np.ndarray, where: str) -> torch.Tensor:
    if arr.dtype.kind not in "fiu":
        raise UserError(f"{where} must hold real numbers; got dtype {arr.dtype}")
    return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32 if arr.ndim == 4 else np.float64))


def load_samples(spec: str) -> torch.Tensor:
    """Samples named by ``spec``: a built-in name, ``file.npy``, ``file.npz`` or ``file.npz:key``.

    Returns:
        Images (N, C, H, W) as float32 or points (N, D) as float64, unchecked (the metrics check them).
    """
    if spec in BUILTIN:
        return BUILTIN.get(spec)()
    path_text, _, key = spec.partition(":") if ".npz:" in spec else (spec, "", "")
    path = Path(path_text)
    if path.suffix not in LOADERS:
        if not path.exists() and "." not in path.name:
            BUILTIN.get(spec)  # an unknown name: raises with did-you-mean and the built-in choices
        raise UserError(f"cannot read {spec}: give a .npy or .npz file or one of: {', '.join(BUILTIN.names())}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a .npy or .npz file")
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    return _to_tensor(_read(path, key or None), str(path))


def load_mode_spec(spec: str) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Mode centres and std stored next to real points in a .npz (keys mode_centers, mode_std), if any."""
    path = Path(spec.partition(":")[0])
    if path.suffix != ".npz" or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if not all(k in z.files for k in MODE_KEYS):
                return None
            centres, std = z["mode_centers"], z["mode_std"]
    except READ_ERRORS as exc:
        raise numpy_error(path, exc) from None
    centres = _to_tensor(centres, f"{path} (mode_centers)").double()
    if centres.dim() != 2 or std.size != 1:
        raise UserError(f"{path}: mode_centers must be (M, D) and mode_std one number; got {tuple(centres.shape)}")
    return centres, _to_tensor(std.reshape(()), f"{path} (mode_std)").double()


def subsample(x: torch.Tensor, n: int | None, seed: int = 0) -> torch.Tensor:
    """At most n rows of x, drawn without replacement with a fixed seed (all rows when n is None or larger).

    ``x`` may also be the lazy images of a streamed folder (:class:`ganhacks.data.stream.LazyImages`):
    only the rows drawn are decoded.
    """
    if n is None or len(x) <= n:
        return x if isinstance(x, torch.Tensor) else x[torch.arange(len(x))]
    idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:n]
    return x[idx.sort().values]
