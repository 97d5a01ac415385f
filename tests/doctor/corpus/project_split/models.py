"""Models live here; training is in train.py (the doctor merges the two files)."""
import torch.nn as nn


def up_block(cin, cout):
    return [nn.ConvTranspose2d(cin, cout, 4, 2, 1), nn.BatchNorm2d(cout), nn.ReLU(True), nn.Dropout(0.3)]


class Generator(nn.Module):
    def __init__(self, nz=64):
        super().__init__()
        layers = [nn.ConvTranspose2d(nz, 128, 4, 1, 0), nn.BatchNorm2d(128), nn.ReLU(True)]
        layers += up_block(128, 64)
        layers.append(nn.ConvTranspose2d(64, 3, 4, 2, 1))
        layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 1, 4, 1, 0))

    def forward(self, x):
        return self.net(x).view(-1, 1)
