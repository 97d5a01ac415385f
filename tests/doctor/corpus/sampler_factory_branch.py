"""A noise factory with a distribution switch; the default branch (normal) is the one used."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=pass make_noise() with its default kind="normal" returns lambda b: torch.randn(b, dim)
import torch
import torch.nn as nn


def make_noise(dim, kind="normal"):
    if kind == "normal":
        return lambda b: torch.randn(b, dim)
    return lambda b: torch.rand(b, dim) * 2 - 1


noise = make_noise(16)
G = nn.Sequential(nn.Linear(16, 64), nn.LeakyReLU(0.2), nn.Linear(64, 2), nn.Tanh())
D = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
opt_G, opt_D = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
crit = nn.BCEWithLogitsLoss()
ring = torch.load("ring.pt")

for i in range(10000):
    real = ring[torch.randint(len(ring), (128,))]
    fake = G(noise(128))
    loss_D = crit(D(real), torch.ones(128, 1)) + crit(D(fake.detach()), torch.zeros(128, 1))
    opt_D.zero_grad()
    loss_D.backward()
    opt_D.step()
    loss_G = crit(D(fake), torch.ones(128, 1))
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
