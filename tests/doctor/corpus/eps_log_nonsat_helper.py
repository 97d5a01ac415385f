"""Non-saturating G loss written by hand in a helper: -log(D(G(z)) + eps)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass g_objective returns -log(d_fake + 1e-8).mean(): the non-saturating loss
import torch
import torch.nn as nn

Z = 16


def g_objective(d_fake):
    return -torch.log(d_fake + 1e-8).mean()


def d_objective(d_real, d_fake):
    return -(torch.log(d_real + 1e-8) + torch.log(1.0 - d_fake + 1e-8)).mean()


gen = nn.Sequential(nn.Linear(Z, 128), nn.LeakyReLU(0.2), nn.Linear(128, 64), nn.Tanh())
disc = nn.Sequential(nn.Linear(64, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1), nn.Sigmoid())
g_opt = torch.optim.Adam(gen.parameters(), lr=1e-4)
d_opt = torch.optim.Adam(disc.parameters(), lr=1e-4)
signals = torch.load("waves.pt")

for epoch in range(100):
    for real in signals.split(128):
        fake = gen(torch.randn(real.size(0), Z))
        d_opt.zero_grad()
        d_objective(disc(real), disc(fake.detach())).backward()
        d_opt.step()
        g_opt.zero_grad()
        g_objective(disc(fake)).backward()
        g_opt.step()
