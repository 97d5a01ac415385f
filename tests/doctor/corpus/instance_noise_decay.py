"""Instance noise on both real and fake inputs of D, annealed linearly to zero."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=pass T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F

from mynets import DCGenerator, DCDiscriminator  # not in this folder: the doctor cannot see them


class Gen(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.ConvTranspose2d(64, 32, 4, 1, 0), nn.BatchNorm2d(32), nn.ReLU(),
                                  nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.body(z)


class Disc(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1),
                                  nn.BatchNorm2d(64), nn.LeakyReLU(0.2), nn.Flatten(), nn.LazyLinear(1))

    def forward(self, x):
        return self.body(x)


gen, disc = Gen(), Disc()
opt_g = torch.optim.Adam(gen.parameters(), 2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(disc.parameters(), 2e-4, betas=(0.5, 0.999))
total_steps, sigma0 = 10000, 0.1

for step, real in enumerate(torch.load("mnist8.pt")):
    real = real / 127.5 - 1
    sigma = sigma0 * max(0.0, 1 - step / total_steps)
    fake = gen(torch.randn(real.size(0), 64, 1, 1))
    real_in = real + sigma * torch.randn_like(real)
    fake_in = fake + sigma * torch.randn_like(fake)
    d_loss = F.softplus(-disc(real_in)).mean() + F.softplus(disc(fake_in.detach())).mean()
    opt_d.zero_grad(); d_loss.backward(); opt_d.step()
    g_loss = F.softplus(-disc(fake_in)).mean()
    opt_g.zero_grad(); g_loss.backward(); opt_g.step()
