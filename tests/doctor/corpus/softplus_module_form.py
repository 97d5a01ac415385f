"""Logistic losses through module objects (nn.Softplus) instead of torch.nn.functional."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass g_loss = softplus(-D(G(z))).mean() with softplus = nn.Softplus()
import torch
import torch.nn as nn

softplus = nn.Softplus()


class Generator(nn.Module):
    def __init__(self, nz=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(nz, 128, 4, 1, 0), nn.GroupNorm(8, 128), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.GroupNorm(8, 64), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.LazyLinear(1))

    def forward(self, x):
        return self.net(x)


G, D = Generator(), Critic()
oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.99))
oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.99))
for real in torch.load("glyphs16.pt"):
    z = torch.randn(real.size(0), 64, 1, 1)
    fake = G(z)
    d_loss = softplus(D(fake.detach())).mean() + softplus(-D(real)).mean()
    oD.zero_grad()
    d_loss.backward()
    oD.step()
    g_loss = softplus(-D(fake)).mean()
    oG.zero_grad()
    g_loss.backward()
    oG.step()
