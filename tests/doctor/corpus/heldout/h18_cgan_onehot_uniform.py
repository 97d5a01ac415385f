"""Conditional GAN with one-hot labels concatenated to z and to D's input; z uniform in [-1, 1]."""
# expect: T01=pass T02=pass T03=fail T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=absent T17=absent
# reason: T03=fail z = torch.rand(b, nz) * 2 - 1 is uniform in [-1, 1]
# reason: T12=pass D is conditioned on the one-hot labels: D(x, y)
# reason: T16=absent the condition is one-hot encoded, not embedded
# reason: T01=pass tanh output and (x - 0.5) / 0.5 scaling
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision.datasets import MNIST
from torchvision.transforms import ToTensor

nz, n_cls = 62, 10


class CondG(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(nz + n_cls, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())

    def forward(self, z, y):
        return self.net(torch.cat([z, y], 1))


class CondD(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784 + n_cls, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, x, y):
        return self.net(torch.cat([x, y], 1))


G, D = CondG(), CondD()
bce = nn.BCELoss()
g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
loader = DataLoader(MNIST("mnist", download=True, transform=ToTensor()), batch_size=100, shuffle=True)

for epoch in range(50):
    for x, y in loader:
        b = x.size(0)
        x = (x.view(b, -1) - 0.5) / 0.5
        y_onehot = F.one_hot(y, n_cls).float()
        z = torch.rand(b, nz) * 2 - 1
        y_fake = F.one_hot(torch.randint(0, n_cls, (b,)), n_cls).float()
        x_fake = G(z, y_fake)
        d_loss = bce(D(x, y_onehot), torch.ones(b, 1)) + bce(D(x_fake.detach(), y_fake), torch.zeros(b, 1))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = bce(D(x_fake, y_fake), torch.ones(b, 1))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
