"""Conditional GAN with one-hot labels concatenated to z and to D's input."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=absent T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F

N_CLASSES = 10


class CondGenerator(nn.Module):
    def __init__(self, nz=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(nz + N_CLASSES, 256), nn.LeakyReLU(0.2), nn.Linear(256, 64), nn.Tanh())

    def forward(self, z, y):
        return self.net(torch.cat([z, F.one_hot(y, N_CLASSES).float()], dim=1))


class CondDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64 + N_CLASSES, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))

    def forward(self, x, y):
        return self.net(torch.cat([x, F.one_hot(y, N_CLASSES).float()], dim=1))


G, D = CondGenerator(), CondDiscriminator()
opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()

for x, y in torch.load("digits8x8.pt"):
    x = x / 8.0 * 2 - 1
    z = torch.randn(x.size(0), 64)
    fake = G(z, y)
    d_loss = bce(D(x, y), torch.ones(x.size(0), 1)) + bce(D(fake.detach(), y), torch.zeros(x.size(0), 1))
    opt_D.zero_grad(); d_loss.backward(); opt_D.step()
    g_loss = bce(D(fake, y), torch.ones(x.size(0), 1))
    opt_G.zero_grad(); g_loss.backward(); opt_G.step()
