"""Projection discriminator (Miyato & Koyama) with spectral norm, hinge loss, label embeddings."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=pass T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm as SN


class ProjD(nn.Module):
    def __init__(self, n_classes, ch=64):
        super().__init__()
        self.c1 = SN(nn.Conv2d(3, ch, 3, 2, 1))
        self.c2 = SN(nn.Conv2d(ch, ch * 2, 3, 2, 1))
        self.linear = SN(nn.Linear(ch * 2, 1))
        self.embed = SN(nn.Embedding(n_classes, ch * 2))

    def forward(self, x, y):
        h = F.leaky_relu(self.c1(x), 0.1)
        h = F.leaky_relu(self.c2(h), 0.1).sum(dim=(2, 3))
        return self.linear(h) + torch.sum(self.embed(y) * h, dim=1, keepdim=True)


class CondG(nn.Module):
    def __init__(self, n_classes, nz=128):
        super().__init__()
        self.embed = nn.Embedding(n_classes, nz)
        self.fc = nn.Linear(nz, 4 * 4 * 256)
        self.up = nn.Sequential(nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.1),
                                nn.ConvTranspose2d(128, 3, 4, 2, 1))

    def forward(self, z, y):
        h = self.fc(z * self.embed(y)).view(-1, 256, 4, 4)
        return torch.tanh(self.up(h))


netD, netG = ProjD(10), CondG(10)
optD = torch.optim.Adam(netD.parameters(), lr=4e-4, betas=(0.0, 0.9))
optG = torch.optim.Adam(netG.parameters(), lr=1e-4, betas=(0.0, 0.9))

for x_real, y_real in torch.load("cifar_small.pt"):
    x_real = (x_real - 127.5) / 127.5
    z = torch.randn(x_real.size(0), 128)
    y_fake = torch.randint(0, 10, (x_real.size(0),))
    x_fake = netG(z, y_fake)
    loss_d = F.relu(1.0 - netD(x_real, y_real)).mean() + F.relu(1.0 + netD(x_fake.detach(), y_fake)).mean()
    optD.zero_grad(); loss_d.backward(); optD.step()
    loss_g = -netD(x_fake, y_fake).mean()
    optG.zero_grad(); loss_g.backward(); optG.step()
