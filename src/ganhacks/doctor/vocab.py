"""The doctor's vocabulary: every list of names the facts, detectors and rules recognise.

One place for the spellings of real code: torch layer and loss names, random-number calls,
the words that make an identifier G or D (``netG``, ``critic``), label and class words. A new
spelling is one entry here, not a new branch in a rule.
"""

from __future__ import annotations

# --- imports and modules ------------------------------------------------------------------
# torch.nn names that star imports (``from torch.nn import *``) are assumed to provide.
NN_STAR = {
    "Module",
    "Sequential",
    "ModuleList",
    "Linear",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "SELU",
    "GELU",
    "Tanh",
    "Sigmoid",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm2d",
    "LayerNorm",
    "Dropout",
    "Dropout2d",
    "Embedding",
    "Upsample",
    "PixelShuffle",
    "BCELoss",
    "BCEWithLogitsLoss",
    "MSELoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "Flatten",
}
# Methods that return (a view of) the same tensor or module: followed through when unwrapping.
PASSTHROUGH = {
    "to",
    "cuda",
    "cpu",
    "float",
    "double",
    "half",
    "detach",
    "view",
    "view_as",
    "reshape",
    "squeeze",
    "unsqueeze",
    "flatten",
    "contiguous",
    "type",
    "type_as",
    "requires_grad_",
    "clone",
    "permute",
    "train",
    "apply",
    "squeeze_",
    "unsqueeze_",
    "expand",
    "expand_as",
    "repeat",
}
# Base classes that make a class a model.
MODULE_BASES = {"torch.nn.Module", "torch.nn.modules.module.Module", "nn.Module", "Module"}

# --- G and D by name ----------------------------------------------------------------------
G_TOKENS = {"g", "gen", "generator", "netg", "generators"}
D_TOKENS = {"d", "disc", "dis", "discriminator", "critic", "netd", "discriminators"}
# Words that make a call on a G/D-named value something other than its forward pass.
NOT_A_MODEL_CALL = {
    "loss",
    "losses",
    "step",
    "train",
    "training",
    "opt",
    "optim",
    "optimizer",
    "optimiser",
    "sched",
    "scheduler",
    "criterion",
    "err",
    "update",
    "lr",
    "params",
    "parameters",
    "grad",
    "penalty",
    "gp",
    "zero",
    "save",
    "load",
    "state",
    "dict",
    "weights",
    "init",
    "apply",
    "eval",
    "sample",
    "samples",
}
# torch functions that make a plain function a model when its name says G or D (a forward without nn layers).
TENSOR_MATH = {
    "linear",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "matmul",
    "mm",
    "bmm",
    "addmm",
    "einsum",
    "relu",
    "leaky_relu",
    "tanh",
    "sigmoid",
    "elu",
    "gelu",
    "softplus",
    "batch_norm",
    "layer_norm",
}
# Words of a name that holds generator output.
FAKE_TOKENS = {"fake", "fakes", "gen", "generated", "synthetic", "xg", "g"}
# Words of a name that holds a loss.
LOSS_TOKENS = {"loss", "err", "cost", "objective", "losses", "adv"}

# --- random numbers -----------------------------------------------------------------------
# Short names of calls that draw random numbers (any library).
RANDOM_CALLS = {
    "rand",
    "randn",
    "rand_like",
    "randn_like",
    "uniform",
    "normal",
    "randint",
    "uniform_",
    "normal_",
    "random",
}
RAND_SHORT = {"rand", "rand_like", "uniform", "random", "random_sample", "randn", "randn_like", "normal"}
RANDOM_NORMAL = {
    "torch.randn",
    "torch.randn_like",
    "torch.normal",
    "numpy.random.normal",
    "numpy.random.randn",
    "numpy.random.standard_normal",
    "torch.distributions.Normal",
    "torch.distributions.normal.Normal",
    "method:normal_",
    "method:randn",
    "method:normal",
    "method:standard_normal",
}
RANDOM_UNIFORM = {
    "torch.rand",
    "torch.rand_like",
    "numpy.random.uniform",
    "numpy.random.rand",
    "numpy.random.random",
    "numpy.random.random_sample",
    "torch.distributions.Uniform",
    "torch.distributions.uniform.Uniform",
    "random.random",
    "random.uniform",
    "method:uniform_",
    "method:uniform",
    "method:rand",
    "method:random",
}
# Short names of local helpers that draw a Gaussian code.
GAUSSIAN_HELPERS = {"sample_gaussian", "truncated_gaussian", "randn", "randn_like", "truncnorm"}
# Names of a variable that holds the latent code.
Z_TOKENS = {"z", "latent", "latents", "zs", "codes"}

# --- layers -------------------------------------------------------------------------------
# Final activations: short name -> the output range family.
ACT = {
    "tanh": "tanh",
    "Tanh": "tanh",
    "hardtanh": "tanh",
    "Hardtanh": "tanh",
    "sigmoid": "sigmoid",
    "Sigmoid": "sigmoid",
    "relu": "relu",
    "ReLU": "relu",
    "ReLU6": "relu",
    "softplus": "relu",
    "Softplus": "relu",
    "hardsigmoid": "sigmoid",
    "Hardsigmoid": "sigmoid",
}
LINEAR = {
    "Linear",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyLinear",
    "LazyConv2d",
    "Bilinear",
}
BATCHNORM = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "batch_norm", "LazyBatchNorm2d")
RELU = (
    "torch.nn.ReLU",
    "torch.nn.ReLU6",
    "torch.nn.functional.relu",
    "torch.nn.functional.relu_",
    "torch.relu",
    "torch.relu_",
    "torch.nn.functional.relu6",
    "method:relu",
    "method:relu_",
)
MAXPOOL = (
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "adaptive_max_pool2d",
)
DROPOUT_MODULES = ("Dropout", "Dropout2d", "Dropout1d", "AlphaDropout")
DROPOUT_FUNCTIONS = ("dropout", "dropout2d")

# --- losses and optimisers ----------------------------------------------------------------
BCE_LOSSES = {
    "BCELoss",
    "BCEWithLogitsLoss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "SoftMarginLoss",
    "soft_margin_loss",
}
MSE_LOSSES = {"MSELoss", "mse_loss"}
CE_LOSSES = {"CrossEntropyLoss", "NLLLoss", "cross_entropy", "nll_loss"}
ADAM = {"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "FusedAdam", "Adafactor"}

# --- labels and classes -------------------------------------------------------------------
LABEL_TOKENS = {"label", "labels", "target", "targets", "valid", "validity", "ones", "zeros", "smooth", "y"}
CLASS_TOKENS = {
    "label",
    "labels",
    "y",
    "class",
    "classes",
    "cls",
    "c",
    "digit",
    "digits",
    "cond",
    "condition",
    "attr",
    "attrs",
}
# Data sets that come with class labels.
LABELLED_DATASETS = {
    "MNIST",
    "FashionMNIST",
    "CIFAR10",
    "CIFAR100",
    "SVHN",
    "STL10",
    "ImageFolder",
    "EMNIST",
    "KMNIST",
    "load_digits",
    "LSUN",
    "CelebA",
    "ImageNet",
    "Places365",
    "Caltech101",
    "Flowers102",
    "OxfordIIITPet",
    "StanfordCars",
    "QMNIST",
}
