"""The code sampler is a functools.partial over torch.rand; the loss a partial over BCE."""
# expect: T01=pass T02=pass T03=fail T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=fail draw = partial(torch.rand, BATCH, LATENT) is uniform
# reason: T02=pass g_loss = bce(D(G(draw())), real_target) with real_target = ones
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH, LATENT = 256, 8
draw = partial(torch.rand, BATCH, LATENT)
bce = partial(F.binary_cross_entropy_with_logits, reduction="mean")
G = nn.Sequential(nn.Linear(LATENT, 64), nn.LeakyReLU(0.2), nn.Linear(64, 3), nn.Tanh())
D = nn.Sequential(nn.Linear(3, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
real_target, fake_target = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
colours = torch.load("colours.pt")  # RGB in [-1, 1]

for step in range(8000):
    real = colours[torch.randint(len(colours), (BATCH,))]
    fake = G(draw())
    d_loss = bce(D(real), real_target) + bce(D(fake.detach()), fake_target)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = bce(D(fake), real_target)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
