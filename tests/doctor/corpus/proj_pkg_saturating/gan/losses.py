import torch

from . import config


def discriminator_loss(d_real, d_fake):
    return -(torch.log(d_real + config.EPS) + torch.log(1 - d_fake + config.EPS)).mean()


def generator_loss(d_fake):
    return torch.log(1 - d_fake + config.EPS).mean()
