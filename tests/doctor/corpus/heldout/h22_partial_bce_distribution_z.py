"""Loss bound with functools.partial; z drawn from a torch.distributions.Uniform object."""
# expect: T01=absent T02=pass T03=fail T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=fail z = prior.sample(...) where prior = torch.distributions.Uniform(-1.0, 1.0)
# reason: T02=pass loss_G = bce(D(G(z)), ones_like): fakes labelled real, through a partial
# reason: T01=absent G's output layer is linear and the data is not rescaled
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

bce = partial(F.binary_cross_entropy_with_logits, reduction="mean")
prior = torch.distributions.Uniform(-1.0, 1.0)


class Generator(nn.Module):
    def __init__(self, nz=4, nx=2):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(nz, 64), nn.Linear(64, 64), nn.Linear(64, nx)])

    def forward(self, z):
        for layer in self.layers[:-1]:
            z = F.gelu(layer(z))
        return self.layers[-1](z)


class Discriminator(nn.Module):
    def __init__(self, nx=2):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(nx, 64), nn.Linear(64, 64), nn.Linear(64, 1)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.gelu(layer(x))
        return self.layers[-1](x)


G, D = Generator(), Discriminator()
opt_G = torch.optim.Adam(G.parameters(), lr=5e-4)
opt_D = torch.optim.Adam(D.parameters(), lr=5e-4)
points = torch.load("swiss_roll.pt")

for step in range(5000):
    real = points[torch.randint(0, len(points), (128,))]
    z = prior.sample((128, 4))
    fake = G(z)
    logits_real, logits_fake = D(real), D(fake.detach())
    loss_D = bce(logits_real, torch.ones_like(logits_real)) + bce(logits_fake, torch.zeros_like(logits_fake))
    opt_D.zero_grad()
    loss_D.backward()
    opt_D.step()
    logits_fake = D(fake)
    loss_G = bce(logits_fake, torch.ones_like(logits_fake))
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
