import torch.nn as nn
import torch.nn.functional as F


class ConvGenerator(nn.Module):
    def __init__(self, nz=100, ngf=64):
        super().__init__()
        self.fc = nn.Linear(nz, ngf * 4 * 4 * 4)
        self.up1 = nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1)
        self.up2 = nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1)
        self.bn = nn.BatchNorm2d(ngf * 2)
        self.ngf = ngf

    def forward(self, z):
        x = self.fc(z).view(-1, self.ngf * 4, 4, 4)
        x = F.relu(self.bn(self.up1(x)))
        return torch_tanh(self.up2(x))


def torch_tanh(x):
    return x.tanh()


class ConvDiscriminator(nn.Module):
    def __init__(self, ndf=64):
        super().__init__()
        self.c1 = nn.Conv2d(1, ndf, 4, 2, 1)
        self.c2 = nn.Conv2d(ndf, ndf * 2, 4, 2, 1)
        self.out = nn.Linear(ndf * 2 * 4 * 4, 1)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.relu(self.c2(x))
        return self.out(x.flatten(1))
