"""Training data for ganhacks, always in [-1, 1] (tip T01).

Built-in: ``ring8`` and ``grid25`` (2-D Gaussian mixtures with known modes), ``digits``
(scikit-learn's 8x8 digits, resizable) and ``stacked_digits`` (three digits as RGB channels,
1000 modes). User data: image folders, ``.npy``/``.npz`` arrays, MNIST IDX files, CIFAR
python batches. :func:`load_dataset` reads any of them; :func:`batches` streams minibatches
(large image folders are read from disk batch by batch: :mod:`ganhacks.data.stream`).
"""

from ganhacks.data.batches import Batch, BatchIterator, batches
from ganhacks.data.dataset import Dataset
from ganhacks.data.images import resize_images
from ganhacks.data.load import DATASETS, POINT_DATASETS, data_family, load_dataset
from ganhacks.data.mixtures import Mixture, grid, grid25, ring, ring8
from ganhacks.data.scaling import check_signed_unit, from_signed_unit, to_signed_unit
from ganhacks.data.stream import StreamingBatches, StreamingDataset, stream_image_folder

__all__ = [
    "DATASETS",
    "POINT_DATASETS",
    "Batch",
    "BatchIterator",
    "Dataset",
    "Mixture",
    "StreamingBatches",
    "StreamingDataset",
    "batches",
    "check_signed_unit",
    "data_family",
    "from_signed_unit",
    "grid",
    "grid25",
    "load_dataset",
    "resize_images",
    "ring",
    "ring8",
    "stream_image_folder",
    "to_signed_unit",
]
