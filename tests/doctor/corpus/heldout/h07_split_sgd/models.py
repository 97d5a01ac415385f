import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, nz=32, nx=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(nz, 128),
            nn.BatchNorm1d(128),
            nn.ReLU(),
            nn.Linear(128, nx),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, nx=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(nx, 128), nn.ReLU(), nn.Linear(128, 1))

    def forward(self, x):
        return self.net(x)
