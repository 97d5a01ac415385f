"""LSGAN: MSELoss on D's raw output, targets from torch.full, functional activations."""
# expect: T01=pass T02=na T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F


class G(nn.Module):
    def __init__(self, nz=64):
        super().__init__()
        self.fc = nn.Linear(nz, 128 * 7 * 7)
        self.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.bn1 = nn.BatchNorm2d(64)
        self.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1)

    def forward(self, z):
        x = F.leaky_relu(self.fc(z)).view(-1, 128, 7, 7)
        x = F.leaky_relu(self.bn1(self.up1(x)), 0.2)
        return torch.tanh(self.up2(x))


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 4, 2, 1)
        self.c2 = nn.Conv2d(64, 128, 4, 2, 1)
        self.bn2 = nn.BatchNorm2d(128)
        self.fc = nn.Linear(128 * 7 * 7, 1)

    def forward(self, x):
        x = F.leaky_relu(self.c1(x), 0.2)
        x = F.leaky_relu(self.bn2(self.c2(x)), 0.2)
        return self.fc(x.flatten(1))


def to_signed(x):
    return x * 2 - 1


g, d = G(), D()
mse = nn.MSELoss()
g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
batches = torch.load("digits.pt")

for real in batches:
    real = to_signed(real)
    n = real.size(0)
    ones = torch.full((n, 1), 1.0)
    zeros = torch.full((n, 1), 0.0)
    fake = g(torch.randn(n, 64))
    d_loss = 0.5 * (mse(d(real), ones) + mse(d(fake.detach()), zeros))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = 0.5 * mse(d(fake), ones)
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
