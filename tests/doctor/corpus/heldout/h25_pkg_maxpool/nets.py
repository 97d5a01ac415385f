import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, nz=128):
        super().__init__()
        self.fc = nn.Linear(nz, 256 * 4 * 4)
        self.deconv1 = nn.ConvTranspose2d(256, 128, 4, 2, 1)
        self.bn1 = nn.BatchNorm2d(128)
        self.deconv2 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.bn2 = nn.BatchNorm2d(64)
        self.deconv3 = nn.ConvTranspose2d(64, 3, 4, 2, 1)

    def forward(self, z):
        x = self.fc(z).view(-1, 256, 4, 4)
        x = torch.relu(self.bn1(self.deconv1(x)))
        x = torch.relu(self.bn2(self.deconv2(x)))
        return torch.tanh(self.deconv3(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1)
        self.conv2 = nn.Conv2d(64, 128, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(128)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(128 * 8 * 8, 1)

    def forward(self, x):
        x = self.pool(nn.functional.leaky_relu(self.conv1(x), 0.2))
        x = self.pool(nn.functional.leaky_relu(self.bn2(self.conv2(x)), 0.2))
        return self.fc(x.flatten(1))
