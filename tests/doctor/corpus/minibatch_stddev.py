"""D with a minibatch standard-deviation layer (ProGAN-style) and equalised blocks."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=pass T16=na T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F


class MinibatchStdDev(nn.Module):
    def forward(self, x):
        std = x.std(dim=0, unbiased=False).mean().expand(x.size(0), 1, x.size(2), x.size(3))
        return torch.cat([x, std], dim=1)


class DBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1)
        self.down = nn.AvgPool2d(2)

    def forward(self, x):
        return self.down(F.leaky_relu(self.conv(x), 0.2))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(DBlock(3, 32), DBlock(32, 64))
        self.mbstd = MinibatchStdDev()
        self.out = nn.Linear(65 * 8 * 8, 1)

    def forward(self, x):
        return self.out(self.mbstd(self.blocks(x)).flatten(1))


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(128, 64 * 8 * 8)
        self.up = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(64, 32, 3, 1, 1), nn.LeakyReLU(0.2),
                                nn.Upsample(scale_factor=2), nn.Conv2d(32, 3, 3, 1, 1), nn.Tanh())

    def forward(self, z):
        return self.up(self.fc(z).view(-1, 64, 8, 8))


G, D = Generator(), Discriminator()
opt_g = torch.optim.Adam(G.parameters(), 1e-3, betas=(0.0, 0.99))
opt_d = torch.optim.Adam(D.parameters(), 1e-3, betas=(0.0, 0.99))
for real in torch.load("faces32.pt"):
    fake = G(torch.randn(real.size(0), 128))
    d_loss = F.softplus(D(fake.detach())).mean() + F.softplus(-D(real)).mean()
    opt_d.zero_grad(); d_loss.backward(); opt_d.step()
    g_loss = F.softplus(-D(fake)).mean()
    opt_g.zero_grad(); g_loss.backward(); opt_g.step()
